//! The OpenAPI document: its root here, its paths and schemas from the registered routes.

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use serde_json::{Value, json};

use crate::api;
use crate::error::{ApiError, PROBLEM_JSON};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mobility-directory",
        description = "The reference directory of open calls, artist residencies and mobility funding \
for the cultural and creative sectors.\n\nAll errors are RFC 9457 `application/problem+json`. \
Lists use keyset pagination: follow `next_url` (or the `Link` header) until it is null; a \
cursor belongs to the search it came from. Unknown parameters are refused by name, except \
that public reads ignore the tracking and cache-busting parameters that browsers and \
analytics add to links (`utm_*`, `fbclid`, `gclid`, `_`). \
Status is computed at request time from the deadline, so it is never stale.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    components(schemas(
        api::public::codes::AreaCode,
        api::public::codes::CountryCode,
        api::public::opportunities::SortOrder,
        api::public::opportunities::FacetName,
        api::public::taxonomies::TaxonomyName,
    )),
    modifiers(&BearerSecurity),
    tags(
        (name = "opportunities", description = "Open calls, residencies and mobility funding."),
        (name = "organizations", description = "Who offers them."),
        (name = "feeds", description = "The list in the formats other tools open: Atom for feed readers, iCalendar for calendars, CSV for spreadsheets, and the catalogue as a schema.org Dataset. Each takes the list's filters, so any search is a URL to subscribe to."),
        (name = "taxonomies", description = "The closed vocabularies, in English and Slovenian."),
        (name = "operations", description = "Liveness and readiness probes."),
        (name = "auth", description = "Staff sign-in."),
        (name = "users", description = "Staff accounts (admins)."),
        (name = "curation", description = "Staff create, edit, review, publish, withdraw and import entries."),
        (name = "submissions", description = "Organizers propose entries for review."),
        (name = "partners", description = "The organizations that build on the directory: their webhook endpoints, the delivery log (admins)."),
    )
)]
struct ApiRoot;

/// Declares the `bearer` scheme that protected operations name in their `security`.
struct BearerSecurity;

impl utoipa::Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "partner_key",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(
                utoipa::openapi::security::ApiKeyValue::with_description(
                    "X-API-Key",
                    "A partner's key (`mdk_…`), optional on public operations: it lifts the per-address limit to the key's own, which holds across every instance.",
                ),
            )),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A token from POST /api/v1/auth/token, valid for at most an hour.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The root of the document: info and tags, without paths.
pub fn root() -> utoipa::openapi::OpenApi {
    ApiRoot::openapi()
}

/// The whole document, collected from the same route registrations the server uses.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(root())
        .service(utoipa_actix_web::scope("/api/v1").configure(api::configure_v1))
        .configure(api::configure_operations)
        .split_for_parts();
    let mut json = serde_json::to_value(&doc).expect("the document serializes");
    finish(&mut json);
    serde_json::from_value(json).expect("the finished document is an OpenAPI document")
}

/// What the route annotations cannot say once for all operations:
/// - a server, so that tools know where the paths are (relative to the document);
/// - on every operation that takes no token, a `security` that says it is public: under
///   `/api/` a partner's key is optional (`[{}, {"partner_key": []}]`), elsewhere none
///   is taken (`[]`);
/// - every error answer as the one `Problem` schema by reference (generators then make
///   one error type, not one per operation and status), with an example of its own
///   status made by the same code as real answers.
fn finish(doc: &mut Value) {
    doc["servers"] = json!([{
        "url": "/",
        "description": "The instance serving this document.",
    }]);
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, operation) in paths.iter_mut() {
        let Some(operation) = operation.as_object_mut() else {
            continue;
        };
        // Public operations of the API take a partner's key, optionally (`{}` is "no
        // credentials"); the probes and the widget take none.
        let public = if path.starts_with("/api/") {
            json!([{}, {"partner_key": []}])
        } else {
            json!([])
        };
        for operation in operation.values_mut().filter_map(Value::as_object_mut) {
            operation
                .entry("security")
                .or_insert_with(|| public.clone());
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (status, response) in responses.iter_mut() {
                let Ok(code) = status.parse::<u16>() else {
                    continue;
                };
                if code < 400 {
                    continue;
                }
                let mut problem = json!({"schema": {"$ref": "#/components/schemas/Problem"}});
                if let Some(example) = ApiError::example_for(code) {
                    problem["example"] = json!(example);
                }
                response["content"] = json!({ PROBLEM_JSON: problem });
            }
        }
    }
}

/// The document as the pretty-printed JSON committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .expect("the document serializes");
    json.push('\n');
    json
}
