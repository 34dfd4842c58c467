//! mobility-directory: the reference directory of open calls, artist residencies and
//! mobility funding, as a REST service.

pub mod db;
pub mod domain;
pub mod store;
