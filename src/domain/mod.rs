//! Pure types and rules: vocabularies, places, codes, deadlines, computed status,
//! duplicates, what publication needs and what a text may hold. No I/O.

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
pub mod lemma;
pub mod networks;
pub mod opportunity;
pub mod publication;
pub mod search;
pub mod slug;
pub mod status;
pub mod text;
pub mod webhooks;
