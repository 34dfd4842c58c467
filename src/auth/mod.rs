//! Staff identity: password hashing and signed access tokens.

pub mod password;
pub mod token;
