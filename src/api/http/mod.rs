//! Plumbing every handler uses: query and body parsing, pagination, preconditions,
//! conditional GETs, identity, client address, rate limits, language and format
//! negotiation, one `Vary` per answer, and the answers for unrouted requests.

pub mod body;
pub mod client_address;
pub mod conditional;
pub mod database;
pub mod fallback;
pub mod identity;
pub mod language;
pub mod media;
pub mod pagination;
pub mod preconditions;
pub mod query;
pub mod rate_limit;
pub mod response_cache;
pub mod unparsable;
pub mod vary;
