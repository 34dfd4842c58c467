//! Work the service does in the background, beside answering requests: every instance
//! runs it, and the database decides which instance does what.

pub mod webhook_delivery;
