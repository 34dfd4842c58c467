//! Staff writes to organizations (editors): create, replace, merge-patch and withdraw,
//! each guarded by `If-Match` and recorded in the revision history.

use actix_web::http::{StatusCode, header};
use actix_web::web::{Bytes, Path};
use actix_web::{HttpRequest, HttpResponse, delete, patch, post, put, web};
use chrono::Utc;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::api::http::database;
use crate::db::{DbConn, Pool};
use crate::domain::changes::Change;
use crate::domain::geography::Country;
use crate::domain::opportunity::Organization;
use crate::domain::slug;
use crate::domain::vocabulary::{OrganizationKind, Role};
use crate::error::{
    ApiError, AuthErrors, BodyErrors, CommonErrors, ConflictResponse, MissingVersionResponse,
    NotFoundResponse, StaleVersionResponse,
};
use crate::store::{self, StoreError};

use crate::api::http::body::{Fields, check_size, is_web_url, parse_object};
use crate::api::http::identity::Staff;
use crate::api::http::preconditions::{check_if_match, etag, if_match, require_if_match};
use crate::api::http::query::QueryParams;
use crate::api::public::views::OrganizationView;
use crate::api::staff::opportunity_input::merge_patch;

/// The writable representation of an organization.
#[derive(utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the body for the OpenAPI document; it is read by `read`
pub struct OrganizationInput {
    /// Made from the name when absent.
    slug: Option<String>,
    /// Its name.
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    name: String,
    /// What kind of organization it is.
    kind: OrganizationKind,
    /// ISO 3166-1 alpha-2 code of the country it is based in.
    country: crate::api::public::codes::CountryCode,
    /// The city it is based in.
    city: Option<String>,
    /// Its website.
    #[schema(format = "uri", max_length = 1000)]
    website: Option<String>,
}

/// A JSON merge patch of an organization's writable representation.
#[derive(utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the body for the OpenAPI document
pub struct OrganizationPatch {
    /// Lower-case words joined by hyphens.
    slug: Option<String>,
    /// Its name.
    name: Option<String>,
    /// What kind of organization it is.
    kind: Option<OrganizationKind>,
    /// ISO 3166-1 alpha-2 code of the country it is based in.
    country: Option<crate::api::public::codes::CountryCode>,
    /// The city it is based in.
    city: Option<String>,
    /// Its website.
    #[schema(format = "uri", max_length = 1000)]
    website: Option<String>,
}

struct Input {
    slug: String,
    name: String,
    kind: OrganizationKind,
    country: Country,
    city: Option<String>,
    website: Option<String>,
}

fn read(object: &Map<String, Value>) -> Result<Input, ApiError> {
    let mut f = Fields::new(
        object,
        "",
        &["slug", "name", "kind", "country", "city", "website"],
    );
    let name = f.text("name", 200);
    let name = f.require("name", name);
    let kind = f.parsed(
        "kind",
        "a known organization kind",
        OrganizationKind::from_slug,
    );
    let kind = f.require("kind", kind);
    let country = f.parsed(
        "country",
        "an ISO 3166-1 alpha-2 country code",
        Country::parse,
    );
    let country = f.require("country", country);
    let city = f.text("city", 100);
    let website = f.parsed("website", "an absolute http(s) URL", |v| {
        is_web_url(v).then(|| v.to_owned())
    });
    let slug = match f.text("slug", 120) {
        Some(s) if slug::is_valid(&s) => Some(s),
        Some(_) => {
            f.fail(
                "slug",
                "must be lower-case letters and digits in words joined by single hyphens",
            );
            None
        }
        None => name.as_deref().map(slug::slugify).filter(|s| !s.is_empty()),
    };
    f.finish()?;
    match (slug, name, kind, country) {
        (Some(slug), Some(name), Some(kind), Some(country)) => Ok(Input {
            slug,
            name,
            kind,
            country,
            city,
            website,
        }),
        _ => Err(ApiError::Unprocessable(vec![
            crate::error::FieldIssue::new("/slug", "cannot be made from the name; give one"),
        ])),
    }
}

fn write(o: &Organization) -> Value {
    json!({
        "slug": o.slug, "name": o.name, "kind": o.kind.slug(), "country": o.country.code(),
        "city": o.city, "website": o.website,
    })
}

fn changes(before: Option<&Organization>, after: &Organization) -> Vec<Change> {
    let old = before.map(write).unwrap_or(Value::Null);
    let new = write(after);
    ["slug", "name", "kind", "country", "city", "website"]
        .iter()
        .filter(|k| old.get(**k) != new.get(**k))
        .map(|k| Change {
            field: (*k).to_owned(),
            from: old.get(*k).and_then(|v| v.as_str()).map(str::to_owned),
            to: new.get(*k).and_then(|v| v.as_str()).map(str::to_owned),
        })
        .collect()
}

fn respond(status: StatusCode, o: &Organization) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, etag(o.version)));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/api/v1/organizations/{}", o.id)));
    }
    response.json(OrganizationView::from(o))
}

fn taken(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::Conflict {
            detail: "another organization has this slug".into(),
            existing: None,
        },
        other => other.into(),
    }
}

fn save(
    conn: &mut DbConn,
    staff: &Staff,
    current: &Organization,
    next: Organization,
    action: &'static str,
) -> Result<Organization, ApiError> {
    let diff = changes(Some(current), &next);
    store::organizations::update_recorded(
        conn,
        &next,
        current.version,
        Some(staff.id),
        action,
        diff,
    )
    .map_err(taken)?;
    Ok(next)
}

fn load(conn: &mut DbConn, key: &str) -> Result<Organization, ApiError> {
    match store::organizations::find(conn, key) {
        Err(StoreError::NotFound) => Err(ApiError::NotFound(
            "no organization has this id or slug".into(),
        )),
        other => Ok(other?),
    }
}

/// An organization that can still be changed: a withdrawn one cannot.
fn load_editable(conn: &mut DbConn, key: &str) -> Result<Organization, ApiError> {
    let current = load(conn, key)?;
    if current.withdrawn {
        return Err(ApiError::Conflict {
            detail: "this organization was withdrawn; a withdrawn organization cannot be changed"
                .into(),
            existing: None,
        });
    }
    Ok(current)
}

/// Create an organization (editors).
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    request_body = OrganizationInput,
    responses(
        (status = 201, description = "Created.", body = OrganizationView, headers(("etag" = String, description = "The version."))),
        CommonErrors,
        AuthErrors,
        ConflictResponse,
        BodyErrors,
    )
)]
#[post("/organizations")]
pub async fn create_organization(
    staff: Staff,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin, Role::Editor])?;
    check_size(&body)?;
    let input = read(&parse_object(&body)?)?;
    let created = database::run(&pool, move |conn| {
        let now = Utc::now();
        let org = Organization {
            id: Uuid::now_v7(),
            slug: input.slug,
            name: input.name,
            kind: input.kind,
            country: input.country,
            city: input.city,
            website: input.website,
            created_at: now,
            updated_at: now,
            version: 1,
            withdrawn: false,
        };
        let diff = changes(None, &org);
        store::organizations::create_recorded(conn, &org, Some(staff.id), diff).map_err(taken)?;
        Ok::<_, ApiError>(org)
    })
    .await?;
    Ok(respond(StatusCode::CREATED, &created))
}

fn next_version(current: &Organization, input: Input) -> Organization {
    Organization {
        slug: input.slug,
        name: input.name,
        kind: input.kind,
        country: input.country,
        city: input.city,
        website: input.website,
        updated_at: Utc::now(),
        version: current.version + 1,
        ..current.clone()
    }
}

/// Replace an organization (editors). Needs `If-Match`.
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(("id_or_slug" = String, Path, description = "The organization's UUID or slug.", example = "meseta-creative-fund"),
           ("if-match" = String, Header, description = "The current ETag.")),
    request_body = OrganizationInput,
    responses(
        (status = 200, description = "Replaced.", body = OrganizationView, headers(("etag" = String, description = "The new version."))),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        ConflictResponse,
        StaleVersionResponse,
        BodyErrors,
        MissingVersionResponse,
    )
)]
#[put("/organizations/{id_or_slug}")]
pub async fn replace_organization(
    req: HttpRequest,
    staff: Staff,
    path: Path<String>,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    require_if_match(&req)?;
    staff.require(&[Role::Admin, Role::Editor])?;
    check_size(&body)?;
    let input = read(&parse_object(&body)?)?;
    let precondition = if_match(&req);
    let key = path.into_inner();
    let saved = database::run(&pool, move |conn| {
        let current = load_editable(conn, &key)?;
        check_if_match(precondition.as_deref(), current.version, true)?;
        let next = next_version(&current, input);
        save(conn, &staff, &current, next, "updated")
    })
    .await?;
    Ok(respond(StatusCode::OK, &saved))
}

/// Change some fields of an organization (JSON merge patch; editors). Needs `If-Match`.
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(("id_or_slug" = String, Path, description = "The organization's UUID or slug.", example = "meseta-creative-fund"),
           ("if-match" = String, Header, description = "The current ETag.")),
    request_body(content = OrganizationPatch, description = "A JSON merge patch of the organization's writable representation.", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed.", body = OrganizationView, headers(("etag" = String, description = "The new version."))),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        ConflictResponse,
        StaleVersionResponse,
        BodyErrors,
        MissingVersionResponse,
    )
)]
#[patch("/organizations/{id_or_slug}")]
pub async fn patch_organization(
    req: HttpRequest,
    staff: Staff,
    path: Path<String>,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    require_if_match(&req)?;
    staff.require(&[Role::Admin, Role::Editor])?;
    check_size(&body)?;
    let patch = Value::Object(parse_object(&body)?);
    let precondition = if_match(&req);
    let key = path.into_inner();
    let saved = database::run(&pool, move |conn| {
        let current = load_editable(conn, &key)?;
        check_if_match(precondition.as_deref(), current.version, true)?;
        let mut merged = write(&current);
        merge_patch(&mut merged, &patch);
        let object = merged.as_object().cloned().unwrap_or_default();
        let next = next_version(&current, read(&object)?);
        save(conn, &staff, &current, next, "updated")
    })
    .await?;
    Ok(respond(StatusCode::OK, &saved))
}

/// Withdraw an organization (editors): it leaves the public lists but is kept. Needs `If-Match`.
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(("id_or_slug" = String, Path, description = "The organization's UUID or slug.", example = "meseta-creative-fund"),
           ("if-match" = String, Header, description = "The current ETag.")),
    responses(
        (status = 200, description = "Withdrawn (and kept).", body = OrganizationView),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        StaleVersionResponse,
        MissingVersionResponse,
    )
)]
#[delete("/organizations/{id_or_slug}")]
pub async fn withdraw_organization(
    req: HttpRequest,
    staff: Staff,
    path: Path<String>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    require_if_match(&req)?;
    QueryParams::parse(req.query_string(), &[]).finish()?;
    staff.require(&[Role::Admin, Role::Editor])?;
    let precondition = if_match(&req);
    let key = path.into_inner();
    let saved = database::run(&pool, move |conn| {
        let current = load(conn, &key)?;
        check_if_match(precondition.as_deref(), current.version, true)?;
        let next = Organization {
            withdrawn: true,
            version: current.version + 1,
            updated_at: Utc::now(),
            ..current.clone()
        };
        save(conn, &staff, &current, next, "withdrawn")
    })
    .await?;
    Ok(respond(StatusCode::OK, &saved))
}
