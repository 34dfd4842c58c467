//! What outsiders send: public submissions and sign-in.

pub mod sign_in;
pub mod submissions;
