//! What anyone may read: opportunities, organizations, taxonomies, the JSON shapes they
//! are served in, and the feeds (Atom, iCalendar, CSV, JSON-LD).

pub mod changes;
pub mod codes;
pub mod feeds;
pub mod listing;
pub mod opportunities;
pub mod organizations;
pub mod taxonomies;
pub mod views;
