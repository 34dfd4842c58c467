//! `/api/v1/partners`: the organizations that build on the directory, their webhook
//! endpoints and the delivery log; for admins.

use actix_web::web::{Bytes, Path};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::http::body::{Fields, URL_MAX, check_size, is_email, parse_object};
use crate::api::http::database;
use crate::api::http::identity::Staff;
use crate::api::http::query::QueryParams;
use crate::app::PublicUrl;
use crate::db::Pool;
use crate::domain::vocabulary::Role;
use crate::domain::webhooks::{self, EVENT_TYPES};
use crate::error::{
    ApiError, AuthErrors, BodyErrors, CommonErrors, ConflictResponse, NotFoundResponse,
};
use crate::outbound::Policy;
use crate::store;
use crate::store::partners::{Endpoint, Partner};
use crate::store::webhooks::{AttemptRow, DeliveryRow};

/// A partner.
#[derive(Serialize, ToSchema)]
pub struct PartnerView {
    /// The partner's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Whom to write to about its use of the service.
    pub contact_email: Option<String>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Its webhook endpoints.
    pub endpoints: Vec<EndpointView>,
}

/// A webhook endpoint (its secret is shown once, when made or rotated).
#[derive(Serialize, ToSchema)]
pub struct EndpointView {
    /// The endpoint's id.
    pub id: Uuid,
    /// Where events are POSTed.
    pub url: String,
    /// The event types it receives.
    pub event_types: Vec<String>,
    /// Whether events are sent to it.
    pub enabled: bool,
    /// Why it was disabled: a 410 from the receiver, or a day of failures.
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed, if they do.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the previous secret also signs, during a rotation.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// The signing secret (`whsec_…`): only in the answer that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl EndpointView {
    fn of(e: &Endpoint, show_secret: bool) -> EndpointView {
        EndpointView {
            id: e.id,
            url: e.url.clone(),
            event_types: e.event_types.clone(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.clone(),
            failing_since: e.failing_since,
            previous_secret_until: e.previous_secret_until,
            created_at: e.created_at,
            secret: show_secret.then(|| e.secret.clone()),
        }
    }
}

/// Every partner.
#[derive(Serialize, ToSchema)]
pub struct PartnerList {
    /// The partners, by name.
    pub items: Vec<PartnerView>,
}

/// A new partner.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the body for the OpenAPI document; it is read by `Fields`
pub struct PartnerInput {
    /// The partner's name.
    #[schema(example = "TransArtists", max_length = 200)]
    pub name: String,
    /// Whom to write to about its use of the service.
    #[schema(example = "tech@partner.example.org", format = Email)]
    pub contact_email: Option<String>,
}

/// A new webhook endpoint, or a change to one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the body for the OpenAPI document; it is read by `Fields`
pub struct EndpointInput {
    /// Where to POST events: an http or https URL, without spaces or control characters,
    /// whose host is a public address (loopback, private, link-local and other reserved
    /// addresses, in any notation, and `localhost` are refused unless the service's
    /// `MOBILITY_OUTBOUND_ALLOW` lets them through). It is stored as the URL standard
    /// writes it.
    #[schema(example = "https://partner.example.org/hooks/mobility", format = "uri")]
    pub url: Option<String>,
    /// The event types to receive: `opportunity.published` (an entry entered the public
    /// list), `opportunity.updated` (a listed entry changed, its organizer's rename
    /// included), `opportunity.withdrawn` (a published entry left the list for good: staff
    /// withdrew or archived it; its URL answers 410) and `opportunity.unpublished` (a
    /// published entry went back to draft or review; it may come back).
    #[schema(example = json!(["opportunity.published", "opportunity.withdrawn"]))]
    pub event_types: Option<Vec<String>>,
    /// Changes only: `true` enables a disabled endpoint again.
    pub enabled: Option<bool>,
}

/// One delivery of an event to an endpoint, with its attempts.
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    /// The message id (`webhook-id`); a redelivery keeps it, so receivers can deduplicate.
    pub id: String,
    /// The event type.
    pub event_type: String,
    /// `pending`, `delivered`, `failed` (retries exhausted) or `dropped` (the endpoint
    /// was disabled).
    pub status: String,
    /// The event as sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// When the event was queued.
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due, if one is.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub attempts: Vec<AttemptView>,
}

/// One attempt to deliver.
#[derive(Serialize, ToSchema)]
pub struct AttemptView {
    /// When it was made.
    pub at: DateTime<Utc>,
    /// The receiver's status code, if it answered.
    pub status_code: Option<i32>,
    /// What went wrong on the way, if the receiver did not answer.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: i32,
}

/// An endpoint's latest deliveries.
#[derive(Serialize, ToSchema)]
pub struct DeliveryLog {
    /// The latest 100 deliveries, newest first.
    pub items: Vec<DeliveryView>,
}

fn delivery_view(
    (d, attempts): (DeliveryRow, Vec<AttemptRow>),
    public_url: &PublicUrl,
) -> DeliveryView {
    DeliveryView {
        payload: serde_json::from_str(&webhooks::body(&d.payload, &public_url.0))
            .unwrap_or(serde_json::Value::Null),
        id: d.id,
        event_type: d.event_type,
        status: d.status,
        created_at: d.created_at.and_utc(),
        next_attempt_at: d.next_attempt_at.map(|t| t.and_utc()),
        attempts: attempts
            .iter()
            .map(|a| AttemptView {
                at: a.at(),
                status_code: a.status_code,
                error: a.error.clone(),
                duration_ms: a.duration_ms,
            })
            .collect(),
    }
}

/// An id from a path; one that is not a UUID names nothing (404).
pub(super) fn parse_uuid(value: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(value).map_err(|_| ApiError::NotFound(format!("no {what} has this id")))
}

/// The partner and endpoint ids of a path; an id that is not a UUID names nothing (404).
fn endpoint_path((partner, endpoint): (String, String)) -> Result<(Uuid, Uuid), ApiError> {
    Ok((
        parse_uuid(&partner, "partner")?,
        parse_uuid(&endpoint, "endpoint")?,
    ))
}

/// A store's `NotFound` as the 404 of `what`.
pub(super) fn not_found(what: &'static str) -> impl Fn(store::StoreError) -> ApiError {
    move |e| match e {
        store::StoreError::NotFound => ApiError::NotFound(format!("no {what} has this id")),
        other => other.into(),
    }
}

fn partner_view(p: &Partner, endpoints: &[Endpoint]) -> PartnerView {
    PartnerView {
        id: p.id,
        name: p.name.clone(),
        contact_email: p.contact_email.clone(),
        created_at: p.created_at,
        endpoints: endpoints
            .iter()
            .map(|e| EndpointView::of(e, false))
            .collect(),
    }
}

/// Every partner, with its endpoints.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every partner.", body = PartnerList),
        CommonErrors,
        AuthErrors,
    )
)]
#[get("/partners")]
pub async fn list_partners(
    req: HttpRequest,
    staff: Staff,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(req.query_string(), &[]).finish()?;
    staff.require(&[Role::Admin])?;
    let partners = database::run(&pool, |conn| {
        let partners = store::partners::list(conn)?;
        let mut out = Vec::new();
        for p in partners {
            let endpoints = store::partners::endpoints_of(conn, &p.id)?;
            out.push(partner_view(&p, &endpoints));
        }
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Ok().json(PartnerList { items: partners }))
}

/// Register a partner.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    request_body = PartnerInput,
    responses(
        (status = 201, description = "Registered.", body = PartnerView),
        CommonErrors,
        AuthErrors,
        BodyErrors,
    )
)]
#[post("/partners")]
pub async fn create_partner(
    staff: Staff,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    check_size(&body)?;
    let object = parse_object(&body)?;
    let mut fields = Fields::new(&object, "", &["name", "contact_email"]);
    let name = fields.text("name", 200);
    let name = fields.require("name", name);
    let contact_email = match fields.value("contact_email") {
        None | Some(serde_json::Value::Null) => None,
        Some(_) => fields.parsed("contact_email", "a well-formed e-mail address", |v| {
            is_email(v).then(|| v.to_owned())
        }),
    };
    fields.finish()?;
    let now = Utc::now();
    let partner = Partner {
        id: Uuid::now_v7(),
        name: name.unwrap_or_default(),
        contact_email,
        created_at: now,
        updated_at: now,
    };
    let stored = partner.clone();
    database::run(&pool, move |conn| {
        Ok(store::partners::insert(conn, &stored)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(partner_view(&partner, &[])))
}

/// Reads `url`, `event_types` and (for changes) `enabled` from a body.
struct EndpointFields {
    url: Option<String>,
    event_types: Option<Vec<String>>,
    enabled: Option<bool>,
}

fn endpoint_fields(
    body: &[u8],
    creating: bool,
    policy: &Policy,
) -> Result<EndpointFields, ApiError> {
    check_size(body)?;
    let object = parse_object(body)?;
    let known: &[&str] = if creating {
        &["url", "event_types"]
    } else {
        &["url", "event_types", "enabled"]
    };
    let mut fields = Fields::new(&object, "", known);
    let url = match fields.value("url") {
        None => None,
        Some(serde_json::Value::String(raw)) if raw.chars().count() > URL_MAX => {
            fields.fail("url", format!("is longer than {URL_MAX} characters"));
            None
        }
        // Taken as it comes, untrimmed: a URL with a line break or a space is refused.
        Some(serde_json::Value::String(raw)) => match policy.check_url(raw) {
            Ok(url) => Some(url.to_string()),
            Err(why) => {
                fields.fail("url", why);
                None
            }
        },
        Some(_) => {
            fields.fail("url", "must be a string");
            None
        }
    };
    let event_types = fields.value("event_types").is_some().then(|| {
        fields.list("event_types", "an event type", |v| {
            EVENT_TYPES.contains(&v).then(|| v.to_owned())
        })
    });
    if event_types.as_ref().is_some_and(Vec::is_empty) {
        fields.fail("event_types", "must name at least one event type");
    }
    let enabled = if creating {
        None
    } else {
        fields.boolean("enabled")
    };
    let (url, event_types) = if creating {
        let url = fields.require("url", url);
        let types = fields.require("event_types", event_types);
        (url, types)
    } else {
        (url, event_types)
    };
    fields.finish()?;
    Ok(EndpointFields {
        url,
        event_types,
        enabled,
    })
}

/// Add a webhook endpoint to a partner. The answer shows its signing secret, once.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The partner's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e7f")),
    request_body = EndpointInput,
    responses(
        (status = 201, description = "Added; `secret` is shown this once.", body = EndpointView),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        BodyErrors,
    )
)]
#[post("/partners/{id}/endpoints")]
pub async fn create_endpoint(
    staff: Staff,
    path: Path<String>,
    body: Bytes,
    pool: web::Data<Pool>,
    policy: web::Data<Policy>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let partner = parse_uuid(&path.into_inner(), "partner")?;
    let input = endpoint_fields(&body, true, &policy)?;
    let now = Utc::now();
    let endpoint = Endpoint {
        id: Uuid::now_v7(),
        partner_id: partner,
        url: input.url.unwrap_or_default(),
        event_types: input.event_types.unwrap_or_default(),
        secret: webhooks::new_secret(),
        previous_secret: None,
        previous_secret_until: None,
        enabled: true,
        disabled_reason: None,
        failing_since: None,
        created_at: now,
        updated_at: now,
    };
    let stored = endpoint.clone();
    database::run(&pool, move |conn| {
        store::partners::find(conn, &partner).map_err(not_found("partner"))?;
        Ok(store::partners::insert_endpoint(conn, &stored)?)
    })
    .await?;
    Ok(HttpResponse::Created().json(EndpointView::of(&endpoint, true)))
}

/// Change an endpoint: its URL, its event types, or `enabled: true` after it was
/// disabled.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The partner's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e7f"),
        ("endpoint" = Uuid, Path, description = "The endpoint's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e80"),
    ),
    request_body = EndpointInput,
    responses(
        (status = 200, description = "Changed.", body = EndpointView),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        BodyErrors,
    )
)]
#[patch("/partners/{id}/endpoints/{endpoint}")]
pub async fn update_endpoint(
    staff: Staff,
    path: Path<(String, String)>,
    body: Bytes,
    pool: web::Data<Pool>,
    policy: web::Data<Policy>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let (partner, endpoint) = endpoint_path(path.into_inner())?;
    let input = endpoint_fields(&body, false, &policy)?;
    let changed = database::run(&pool, move |conn| {
        let mut e = store::partners::find_endpoint(conn, &partner, &endpoint)
            .map_err(not_found("endpoint"))?;
        if let Some(url) = input.url {
            e.url = url;
        }
        if let Some(types) = input.event_types {
            e.event_types = types;
        }
        if let Some(enabled) = input.enabled {
            e.enabled = enabled;
            if enabled {
                e.disabled_reason = None;
                e.failing_since = None;
            } else {
                e.disabled_reason = Some("disabled by an admin".into());
            }
        }
        e.updated_at = Utc::now();
        store::partners::update_endpoint(conn, &e)?;
        Ok(e)
    })
    .await?;
    Ok(HttpResponse::Ok().json(EndpointView::of(&changed, false)))
}

/// Rotate an endpoint's signing secret. The answer shows the new secret, once; for 24
/// hours messages carry a signature with each secret, so the receiver can switch.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The partner's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e7f"),
        ("endpoint" = Uuid, Path, description = "The endpoint's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e80"),
    ),
    responses(
        (status = 200, description = "Rotated; `secret` is the new one, shown this once.", body = EndpointView),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
    )
)]
#[post("/partners/{id}/endpoints/{endpoint}/secret")]
pub async fn rotate_secret(
    staff: Staff,
    path: Path<(String, String)>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let (partner, endpoint) = endpoint_path(path.into_inner())?;
    let rotated = database::run(&pool, move |conn| {
        let mut e = store::partners::find_endpoint(conn, &partner, &endpoint)
            .map_err(not_found("endpoint"))?;
        let now = Utc::now();
        e.previous_secret = Some(std::mem::replace(&mut e.secret, webhooks::new_secret()));
        e.previous_secret_until = Some(now + webhooks::rotation_overlap());
        e.updated_at = now;
        store::partners::update_endpoint(conn, &e)?;
        Ok(e)
    })
    .await?;
    Ok(HttpResponse::Ok().json(EndpointView::of(&rotated, true)))
}

/// Remove an endpoint, with its deliveries and their log.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The partner's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e7f"),
        ("endpoint" = Uuid, Path, description = "The endpoint's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e80"),
    ),
    responses(
        (status = 204, description = "Removed."),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
    )
)]
#[delete("/partners/{id}/endpoints/{endpoint}")]
pub async fn delete_endpoint(
    staff: Staff,
    path: Path<(String, String)>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let (partner, endpoint) = endpoint_path(path.into_inner())?;
    database::run(&pool, move |conn| {
        store::partners::delete_endpoint(conn, &partner, &endpoint).map_err(not_found("endpoint"))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An endpoint's delivery log: its latest 100 deliveries, each with every attempt.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The partner's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e7f"),
        ("endpoint" = Uuid, Path, description = "The endpoint's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e80"),
    ),
    responses(
        (status = 200, description = "The latest deliveries, newest first.", body = DeliveryLog),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
    )
)]
#[get("/partners/{id}/endpoints/{endpoint}/deliveries")]
pub async fn list_deliveries(
    req: HttpRequest,
    staff: Staff,
    path: Path<(String, String)>,
    pool: web::Data<Pool>,
    public_url: web::Data<PublicUrl>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(req.query_string(), &[]).finish()?;
    staff.require(&[Role::Admin])?;
    let (partner, endpoint) = endpoint_path(path.into_inner())?;
    let log = database::run(&pool, move |conn| {
        store::partners::find_endpoint(conn, &partner, &endpoint).map_err(not_found("endpoint"))?;
        Ok(store::webhooks::log(conn, &endpoint, 100)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DeliveryLog {
        items: log
            .into_iter()
            .map(|d| delivery_view(d, &public_url))
            .collect(),
    }))
}

/// Deliver an event again, now, with the same message id. The endpoint must be enabled.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The partner's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e7f"),
        ("endpoint" = Uuid, Path, description = "The endpoint's id.", example = "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e80"),
        ("delivery" = String, Path, description = "The delivery's message id.", example = "msg_01934f4e8a4b7c2d9e1f2a3b4c5d6e7f"),
    ),
    responses(
        (status = 202, description = "Queued again."),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        ConflictResponse,
    )
)]
#[post("/partners/{id}/endpoints/{endpoint}/deliveries/{delivery}/redeliver")]
pub async fn redeliver(
    staff: Staff,
    path: Path<(String, String, String)>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let (partner, endpoint, delivery) = path.into_inner();
    let (partner, endpoint) = endpoint_path((partner, endpoint))?;
    database::run(&pool, move |conn| {
        store::partners::find_endpoint(conn, &partner, &endpoint).map_err(not_found("endpoint"))?;
        store::webhooks::redeliver(conn, &endpoint, &delivery).map_err(not_found("delivery"))
    })
    .await?;
    Ok(HttpResponse::Accepted().finish())
}
