//! `/api/v1/partners/{id}/keys`: partners' API keys, for admins. A key is shown once and
//! stored hashed; clients send it in `X-API-Key`, and it has a request limit of its own.

use actix_web::web::{Bytes, Path};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::http::body::{Fields, check_size, parse_object};
use crate::api::http::database;
use crate::api::http::identity::Staff;
use crate::api::http::query::QueryParams;
use crate::api::staff::partners::{not_found, parse_uuid};
use crate::app::KeyDefaults;
use crate::db::Pool;
use crate::domain::vocabulary::Role;
use crate::error::{ApiError, AuthErrors, BodyErrors, CommonErrors, NotFoundResponse};
use crate::store;
use crate::store::partner_keys::PartnerKey;

/// A key, as staff see it (the key itself only in the answer that made it).
#[derive(Serialize, ToSchema)]
pub struct KeyView {
    /// The key's id.
    pub id: String,
    /// What the key is for.
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    /// Requests per minute the key may make, across every instance.
    pub requests_per_minute: i32,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The key (`mdk_…`): only in the answer that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl KeyView {
    fn of(k: &PartnerKey, key: Option<String>) -> KeyView {
        KeyView {
            id: k.id.clone(),
            name: k.name.clone(),
            prefix: format!("mdk_{}", k.prefix),
            requests_per_minute: k.requests_per_minute,
            created_at: k.created_at.and_utc(),
            revoked_at: k.revoked_at.map(|t| t.and_utc()),
            key,
        }
    }
}

/// A partner's keys.
#[derive(Serialize, ToSchema)]
pub struct KeyList {
    /// The keys, newest first.
    pub items: Vec<KeyView>,
}

/// A new key.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the body for the OpenAPI document; it is read by `Fields`
pub struct KeyInput {
    /// What the key is for.
    #[schema(example = "production site", max_length = 200)]
    pub name: String,
    /// Requests per minute, across every instance; by default `MOBILITY_RATE_LIMIT_KEY`.
    #[schema(minimum = 1, maximum = 1_000_000, example = 6000)]
    pub requests_per_minute: Option<i32>,
}

/// Make an API key for a partner. The answer shows the key, once.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The partner's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e7f")),
    request_body = KeyInput,
    responses(
        (status = 201, description = "Made; `key` is shown this once.", body = KeyView),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        BodyErrors,
    )
)]
#[post("/partners/{id}/keys")]
pub async fn create_key(
    staff: Staff,
    path: Path<String>,
    body: Bytes,
    pool: web::Data<Pool>,
    defaults: web::Data<KeyDefaults>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let partner = parse_uuid(&path.into_inner(), "partner")?;
    check_size(&body)?;
    let object = parse_object(&body)?;
    let mut fields = Fields::new(&object, "", &["name", "requests_per_minute"]);
    let name = fields.text("name", 200);
    let name = fields.require("name", name).unwrap_or_default();
    let limit = fields
        .integer("requests_per_minute", 1, 1_000_000)
        .map_or(defaults.requests_per_minute as i32, |n| n as i32);
    fields.finish()?;
    let (made, key) = database::run(&pool, move |conn| {
        store::partners::find(conn, &partner).map_err(not_found("partner"))?;
        Ok(store::partner_keys::create(conn, &partner, &name, limit)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(KeyView::of(&made, Some(key))))
}

/// A partner's API keys (never the keys themselves).
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The partner's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e7f")),
    responses(
        (status = 200, description = "The partner's keys, newest first.", body = KeyList),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
    )
)]
#[get("/partners/{id}/keys")]
pub async fn list_keys(
    req: HttpRequest,
    staff: Staff,
    path: Path<String>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(req.query_string(), &[]).finish()?;
    staff.require(&[Role::Admin])?;
    let partner = parse_uuid(&path.into_inner(), "partner")?;
    let keys = database::run(&pool, move |conn| {
        store::partners::find(conn, &partner).map_err(not_found("partner"))?;
        Ok(store::partner_keys::of_partner(conn, &partner)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(KeyList {
        items: keys.iter().map(|k| KeyView::of(k, None)).collect(),
    }))
}

/// Revoke a key: it stops working at once, on every instance.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The partner's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e7f"),
        ("key" = Uuid, Path, description = "The key's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e81"),
    ),
    responses(
        (status = 204, description = "Revoked."),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
    )
)]
#[delete("/partners/{id}/keys/{key}")]
pub async fn revoke_key(
    staff: Staff,
    path: Path<(String, String)>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let (partner, key) = path.into_inner();
    let partner = parse_uuid(&partner, "partner")?;
    let key = parse_uuid(&key, "key")?;
    database::run(&pool, move |conn| {
        store::partner_keys::revoke(conn, &partner, &key).map_err(not_found("key"))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
