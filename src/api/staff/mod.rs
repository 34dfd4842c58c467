//! What signed-in staff do: curation of entries and organizations, imports, accounts,
//! partners and their webhooks, and the views staff see.

pub mod curation;
pub mod import;
pub mod opportunity_input;
pub mod organizations;
pub mod partner_keys;
pub mod partners;
pub mod users;
pub mod views;
