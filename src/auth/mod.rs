//! Staff identity: password hashing, the threads it runs on, and signed access tokens.

pub mod checks;
pub mod password;
pub mod token;
