//! The HTTP layer: one module per resource. Handlers parse, call the store, and map.

pub mod auth;
mod body;
pub mod client_address;
pub mod codes;
pub mod curation;
pub mod fallback;
pub mod health;
pub mod identity;
pub mod import;
pub mod opportunities;
pub mod opportunity_input;
pub mod organization_writes;
pub mod organizations;
mod pagination;
mod preconditions;
mod query;
pub mod staff_views;
pub mod submissions;
pub mod taxonomies;
pub mod users;
pub mod views;

use utoipa_actix_web::service_config::ServiceConfig;

/// The largest request body any operation reads (a bulk import); JSON bodies of single
/// entries have a smaller limit of their own.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// Registers the public read API; mounted under `/api/v1`.
pub fn configure_v1(cfg: &mut ServiceConfig) {
    cfg.service(opportunities::list_opportunities)
        .service(opportunities::get_opportunity)
        .service(organizations::list_organizations)
        .service(organizations::get_organization)
        .service(taxonomies::list_taxonomies)
        .service(taxonomies::get_taxonomy)
        .service(auth::issue_token)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::update_user)
        .service(curation::create_opportunity)
        .service(curation::replace_opportunity)
        .service(curation::patch_opportunity)
        .service(curation::withdraw_opportunity)
        .service(curation::submit_opportunity)
        .service(curation::publish_opportunity)
        .service(curation::reject_opportunity)
        .service(curation::archive_opportunity)
        .service(curation::list_revisions)
        .service(curation::list_staff_opportunities)
        .service(curation::get_staff_opportunity)
        .service(curation::list_duplicates)
        .service(organization_writes::create_organization)
        .service(organization_writes::replace_organization)
        .service(organization_writes::patch_organization)
        .service(organization_writes::withdraw_organization)
        .service(submissions::submit)
        .service(import::import);
}

/// Registers the operational endpoints at the root.
pub fn configure_operations(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz).service(health::readyz);
}
