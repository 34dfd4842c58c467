//! Pure types and rules: vocabularies, places, codes, deadlines and computed status,
//! duplicates and what publication needs. No I/O.

#[macro_use]
pub mod vocabulary;
pub mod api_keys;
pub mod change_feed;
pub mod changes;
pub mod codes;
pub mod deadline;
pub mod duplicates;
pub mod geography;
pub mod iso_tables;
pub mod opportunity;
pub mod publication;
pub mod search;
pub mod slug;
pub mod status;
pub mod webhooks;
