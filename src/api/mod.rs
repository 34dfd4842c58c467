//! The HTTP layer: one module per resource. Handlers parse, call the store, and map.

pub mod codes;
pub mod fallback;
pub mod health;
pub mod opportunities;
pub mod organizations;
mod pagination;
mod query;
pub mod taxonomies;
pub mod views;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the public read API; mounted under `/api/v1`.
pub fn configure_v1(cfg: &mut ServiceConfig) {
    cfg.service(opportunities::list_opportunities)
        .service(opportunities::get_opportunity)
        .service(organizations::list_organizations)
        .service(organizations::get_organization)
        .service(taxonomies::list_taxonomies)
        .service(taxonomies::get_taxonomy);
}

/// Registers the operational endpoints at the root.
pub fn configure_operations(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz).service(health::readyz);
}
