//! What anyone may read: opportunities, organizations, taxonomies, and the JSON shapes
//! they are served in.

pub mod codes;
pub mod opportunities;
pub mod organizations;
pub mod taxonomies;
pub mod views;
