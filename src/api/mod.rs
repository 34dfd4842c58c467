//! The HTTP layer, grouped by audience: `public` (what anyone may read), `staff` (what
//! signed-in staff do), `intake` (what outsiders send), `http` (plumbing every handler
//! uses); and `columns`, the CSV columns the table export and the import share. Handlers
//! parse, call the store, and map.

pub mod columns;
pub mod health;
pub mod http;
pub mod intake;
pub mod metrics;
pub mod public;
pub mod staff;

use utoipa_actix_web::service_config::ServiceConfig;

/// The largest request body any operation reads (a bulk import); JSON bodies of single
/// entries have a smaller limit of their own.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// The longest request target (path and query) the service reads, in bytes: every
/// request the OpenAPI document allows fits (about 13 KB with every filter at 50 values).
pub const MAX_URI_BYTES: usize = 16 * 1024;

/// Registers the public read API; mounted under `/api/v1`.
pub fn configure_v1(cfg: &mut ServiceConfig) {
    cfg.service(public::opportunities::list_opportunities)
        .service(public::feeds::opportunities_atom)
        .service(public::feeds::opportunities_ics)
        .service(public::feeds::opportunities_csv)
        .service(public::feeds::linked_data::catalogue)
        .service(public::changes::list_changes)
        .service(public::opportunities::get_opportunity)
        .service(public::organizations::list_organizations)
        .service(public::organizations::get_organization)
        .service(public::taxonomies::list_taxonomies)
        .service(public::taxonomies::get_taxonomy)
        .service(intake::sign_in::issue_token)
        .service(staff::users::list_users)
        .service(staff::users::create_user)
        .service(staff::users::update_user)
        .service(staff::curation::create_opportunity)
        .service(staff::curation::replace_opportunity)
        .service(staff::curation::patch_opportunity)
        .service(staff::curation::withdraw_opportunity)
        .service(staff::curation::submit_opportunity)
        .service(staff::curation::publish_opportunity)
        .service(staff::curation::reject_opportunity)
        .service(staff::curation::archive_opportunity)
        .service(staff::curation::list_revisions)
        .service(staff::curation::list_staff_opportunities)
        .service(staff::curation::get_staff_opportunity)
        .service(staff::curation::list_duplicates)
        .service(staff::organizations::create_organization)
        .service(staff::organizations::replace_organization)
        .service(staff::organizations::patch_organization)
        .service(staff::organizations::withdraw_organization)
        .service(staff::partners::list_partners)
        .service(staff::partners::create_partner)
        .service(staff::partners::create_endpoint)
        .service(staff::partners::update_endpoint)
        .service(staff::partners::rotate_secret)
        .service(staff::partners::delete_endpoint)
        .service(staff::partners::list_deliveries)
        .service(staff::partners::redeliver)
        .service(staff::partner_keys::create_key)
        .service(staff::partner_keys::list_keys)
        .service(staff::partner_keys::revoke_key)
        .service(intake::submissions::submit)
        .service(staff::import::import);
}

/// Registers the operational endpoints at the root.
pub fn configure_operations(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(public::widget::widget_js);
}
