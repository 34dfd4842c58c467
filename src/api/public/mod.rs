//! What anyone may read: opportunities, organizations, taxonomies, the JSON shapes they
//! are served in, the feeds (Atom, iCalendar, CSV, JSON-LD), the change feed and the
//! embeddable widget.

pub mod changes;
pub mod codes;
pub mod feeds;
pub mod listing;
pub mod opportunities;
pub mod organizations;
pub mod taxonomies;
pub mod views;
pub mod widget;
