//! One error type for the HTTP layer, rendered as RFC 9457 `application/problem+json`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::store::StoreError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, ToSchema)]
pub struct Problem {
    /// A URI identifying the problem type; stable, safe to branch on.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the problem type, the same for every occurrence.
    pub title: String,
    /// The HTTP status code of this answer.
    pub status: u16,
    /// What went wrong in this occurrence, for humans.
    pub detail: String,
    /// For invalid input: one entry per offending parameter or JSON pointer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldIssue>,
    /// For a duplicate: the entry that already exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing: Option<ExistingEntry>,
    /// For an expired change-feed cursor: the oldest cursor the feed still serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_cursor: Option<String>,
    /// For an expired change-feed cursor: where to start again from a full snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
}

/// An entry a conflicting request collides with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct ExistingEntry {
    /// The existing entry's id.
    pub id: String,
    /// The existing entry's slug.
    pub slug: String,
}

/// One invalid parameter (by name) or body member (by JSON pointer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct FieldIssue {
    /// The query parameter's name, or the body member's JSON pointer (`/funding/currency`);
    /// for a CSV import, the spreadsheet row and column (`row 3, column funding_max`).
    pub name: String,
    /// What is wrong with it, for humans.
    pub reason: String,
    /// For a CSV import: the spreadsheet row, as a person counts it (the header is row 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, example = 3)]
    pub row: Option<u64>,
    /// For a CSV import: the column, by its name in the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "funding_max")]
    pub column: Option<String>,
    /// For a CSV import: the cell as the file has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "12 000")]
    pub value: Option<String>,
}

impl FieldIssue {
    pub fn new(name: impl Into<String>, reason: impl Into<String>) -> FieldIssue {
        FieldIssue {
            name: name.into(),
            reason: reason.into(),
            row: None,
            column: None,
            value: None,
        }
    }

    /// An issue with one cell of a spreadsheet (`row` counts the header as 1).
    pub fn cell(
        row: u64,
        column: &str,
        value: Option<&str>,
        reason: impl Into<String>,
    ) -> FieldIssue {
        FieldIssue {
            name: format!("row {row}, column {column}"),
            reason: reason.into(),
            row: Some(row),
            column: Some(column.to_owned()),
            value: value.map(str::to_owned),
        }
    }
}

#[derive(Debug)]
pub enum ApiError {
    InvalidInput(Vec<FieldIssue>),
    /// The body is not JSON (or not the CSV it claims to be).
    MalformedBody(String),
    /// The body parses but breaks the rules; each issue names a JSON pointer.
    Unprocessable(Vec<FieldIssue>),
    /// The entry lacks what publication needs; each issue names a missing member.
    NotPublishable(Vec<FieldIssue>),
    Unauthorized(String),
    Forbidden(String),
    NotFound(String),
    /// The resource was public once and has been withdrawn or archived: partners that
    /// keep a copy should drop theirs.
    Gone(String),
    /// A change-feed cursor from before the retention (or from another database): the
    /// oldest cursor still served, and where a full snapshot is.
    CursorExpired {
        oldest: String,
        snapshot: String,
    },
    MethodNotAllowed {
        allow: Vec<String>,
    },
    /// `Accept` rules out every media type the resource is offered in (listed).
    NotAcceptable(Vec<String>),
    Conflict {
        detail: String,
        existing: Option<ExistingEntry>,
    },
    PreconditionFailed(String),
    PreconditionRequired,
    TooManyRequests {
        retry_after: i64,
    },
    /// The body is larger than the operation accepts (the limit in bytes).
    PayloadTooLarge(usize),
    /// The request target is longer than the service reads (the limit in bytes).
    UriTooLong(usize),
    Unavailable(String),
    Internal(String),
}

impl ApiError {
    /// A typical problem of each status the service answers, as the examples of the
    /// OpenAPI document: made by the same code as real answers, so they cannot drift.
    pub fn example_for(status: u16) -> Option<Problem> {
        let example = match status {
            400 => ApiError::InvalidInput(vec![FieldIssue::new(
                "limit",
                "has `500`, which is not an integer from 1 to 100",
            )]),
            401 => ApiError::Unauthorized("the bearer token has expired; sign in again".into()),
            403 => ApiError::Forbidden("this operation is for admins".into()),
            404 => ApiError::NotFound("no opportunity has this id or slug".into()),
            406 => ApiError::NotAcceptable(vec![
                "application/json".into(),
                "application/atom+xml".into(),
                "text/calendar".into(),
                "text/csv".into(),
            ]),
            409 => ApiError::Conflict {
                detail: "an entry with the same source URL exists: castile-ceramics-residency"
                    .into(),
                existing: Some(ExistingEntry {
                    id: "01934f4e-8a4b-7c2d-9e1f-2a3b4c5d6e7f".into(),
                    slug: "castile-ceramics-residency".into(),
                }),
            },
            410 => ApiError::Gone(
                "this opportunity was archived or withdrawn and is no longer listed".into(),
            ),
            412 => ApiError::PreconditionFailed(
                "the entry is at version \"4\"; read it again and reapply your change".into(),
            ),
            413 => ApiError::PayloadTooLarge(65_536),
            414 => ApiError::UriTooLong(crate::api::MAX_URI_BYTES),
            422 => ApiError::Unprocessable(vec![
                FieldIssue::new("/deadline", "is required unless the call is rolling"),
                FieldIssue::new("/funding/currency", "is not an ISO 4217 code"),
            ]),
            428 => ApiError::PreconditionRequired,
            429 => ApiError::TooManyRequests { retry_after: 30 },
            500 => ApiError::Internal(String::new()),
            503 => ApiError::Unavailable(
                "the database did not answer within 5 seconds; try again shortly".into(),
            ),
            _ => return None,
        };
        Some(example.problem())
    }

    fn problem(&self) -> Problem {
        let existing = match self {
            ApiError::Conflict { existing, .. } => existing.clone(),
            _ => None,
        };
        let (slug, title, detail, errors) = match self {
            ApiError::InvalidInput(errors) => (
                "invalid-input",
                "Invalid input",
                match errors.len() {
                    1 => format!("parameter `{}` {}", errors[0].name, errors[0].reason),
                    n => format!("{n} parameters are invalid"),
                },
                errors.clone(),
            ),
            ApiError::MalformedBody(detail) => ("malformed-body", "Malformed body", detail.clone(), vec![]),
            ApiError::Unprocessable(errors) => (
                "validation-failed",
                "Validation failed",
                match errors.len() {
                    1 => format!("`{}` {}", errors[0].name, errors[0].reason),
                    n => format!("{n} fields are invalid"),
                },
                errors.clone(),
            ),
            ApiError::NotPublishable(errors) => (
                "not-publishable",
                "Not ready to publish",
                format!(
                    "the entry lacks what publication needs: {}",
                    errors.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
                errors.clone(),
            ),
            ApiError::Unauthorized(detail) => ("unauthorized", "Unauthorized", detail.clone(), vec![]),
            ApiError::Forbidden(detail) => ("forbidden", "Forbidden", detail.clone(), vec![]),
            ApiError::Conflict { detail, .. } => ("conflict", "Conflict", detail.clone(), vec![]),
            ApiError::PreconditionFailed(detail) => (
                "precondition-failed",
                "Precondition failed",
                detail.clone(),
                vec![],
            ),
            ApiError::PreconditionRequired => (
                "precondition-required",
                "Precondition required",
                "send If-Match with the entry's current ETag, so that no edit is lost".into(),
                vec![],
            ),
            ApiError::TooManyRequests { retry_after } => (
                "too-many-requests",
                "Too many requests",
                format!("try again in {retry_after} seconds"),
                vec![],
            ),
            ApiError::PayloadTooLarge(limit) => (
                "payload-too-large",
                "Payload too large",
                format!("the body is larger than the {limit} bytes this operation accepts"),
                vec![],
            ),
            ApiError::UriTooLong(limit) => (
                "uri-too-long",
                "URI too long",
                format!("the path and query are longer than the {limit} bytes this service reads"),
                vec![],
            ),
            ApiError::NotFound(detail) => ("not-found", "Not found", detail.clone(), vec![]),
            ApiError::CursorExpired { .. } => (
                "cursor-expired",
                "Cursor expired",
                "this cursor is older than the change feed keeps (or from another database): a change since may be missing; start again from the snapshot and continue from its last cursor".into(),
                vec![],
            ),
            ApiError::Gone(detail) => ("gone", "Gone", detail.clone(), vec![]),
            ApiError::MethodNotAllowed { allow } => (
                "method-not-allowed",
                "Method not allowed",
                format!("this resource answers {}", allow.join(", ")),
                vec![],
            ),
            ApiError::NotAcceptable(offered) => (
                "not-acceptable",
                "Not acceptable",
                format!(
                    "`Accept` rules out every format this resource is offered in: {}",
                    offered.join(", ")
                ),
                vec![],
            ),
            ApiError::Unavailable(detail) => ("unavailable", "Service unavailable", detail.clone(), vec![]),
            ApiError::Internal(_) => (
                "internal",
                "Internal error",
                "the server failed to answer; the request id in the x-request-id header helps us find out why".into(),
                vec![],
            ),
        };
        Problem {
            kind: format!("urn:mobility-directory:problem:{slug}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            errors,
            existing,
            oldest_cursor: match self {
                ApiError::CursorExpired { oldest, .. } => Some(oldest.clone()),
                _ => None,
            },
            snapshot: match self {
                ApiError::CursorExpired { snapshot, .. } => Some(snapshot.clone()),
                _ => None,
            },
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Internal(cause) => write!(f, "internal error: {cause}"),
            other => write!(f, "{}", other.problem().detail),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidInput(_) | ApiError::MalformedBody(_) => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable(_) | ApiError::NotPublishable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Gone(_) | ApiError::CursorExpired { .. } => StatusCode::GONE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if let ApiError::MethodNotAllowed { allow } = self
            && let Ok(value) = HeaderValue::from_str(&allow.join(", "))
        {
            response.insert_header((header::ALLOW, value));
        }
        match self {
            ApiError::Unavailable(_) => {
                response.insert_header((
                    header::RETRY_AFTER,
                    crate::db::limits::RETRY_AFTER_SECONDS.to_string(),
                ));
            }
            ApiError::TooManyRequests { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::Unauthorized(_) => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("no such resource".into()),
            StoreError::Invalid { field, message } => {
                ApiError::InvalidInput(vec![FieldIssue::new(field, message)])
            }
            StoreError::Unavailable(m) => ApiError::Unavailable(m),
            StoreError::Stale => ApiError::PreconditionFailed(
                "the entry changed meanwhile; read it again and reapply your change".into(),
            ),
            StoreError::Conflict(m) => ApiError::Conflict {
                detail: m,
                existing: None,
            },
            StoreError::DuplicateSource { id, slug } => ApiError::Conflict {
                detail: format!("an entry with the same source URL exists: {slug}"),
                existing: Some(ExistingEntry { id, slug }),
            },
            StoreError::Unpublishable(missing) => ApiError::NotPublishable(
                missing
                    .iter()
                    .map(|m| FieldIssue::new(m.pointer, m.reason))
                    .collect(),
            ),
            StoreError::Internal(m) => ApiError::Internal(m),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// Turns actix's own extractor errors (path segments that do not decode) into problems.
pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::NotFound(format!("no resource at this path ({err})")).into()
}

/// The error responses every database-backed operation can give.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only describes responses for the OpenAPI document
pub enum CommonErrors {
    /// A query parameter is unknown, repeated or malformed; `errors` names each one (the
    /// first 50, and a count of the rest).
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// The path and query are longer than 16384 bytes.
    #[response(status = 414, content_type = "application/problem+json")]
    UriTooLong(Problem),
    /// Over the request limit: of the partner key in `X-API-Key` (across every
    /// instance), or of the client's address. Every answer carries `RateLimit-Limit`,
    /// `RateLimit-Remaining` and `RateLimit-Reset`.
    #[response(
        status = 429,
        content_type = "application/problem+json",
        headers(
            ("retry-after" = i64, description = "Seconds to wait."),
            ("ratelimit-limit" = i64, description = "Requests allowed per minute."),
            ("ratelimit-remaining" = i64, description = "Requests left now."),
            ("ratelimit-reset" = i64, description = "Seconds until the allowance is whole again."),
        )
    )]
    TooManyRequests(Problem),
    /// The server failed; the `x-request-id` response header identifies the request.
    #[response(status = 500, content_type = "application/problem+json")]
    Internal(Problem),
    /// The database is unreachable, busy, out of time, read-only, full or not migrated;
    /// `detail` says which. Retry after `Retry-After` seconds.
    #[response(
        status = 503,
        content_type = "application/problem+json",
        headers(("retry-after" = i64, description = "Seconds to wait before retrying."))
    )]
    Unavailable(Problem),
}

/// The response of a lookup that found nothing.
#[derive(utoipa::IntoResponses)]
#[response(status = 404, content_type = "application/problem+json")]
#[allow(dead_code)] // only describes a response for the OpenAPI document
pub struct NotFoundResponse(#[to_schema] Problem);

/// The response when `Accept` rules out every format a resource is offered in.
#[derive(utoipa::IntoResponses)]
#[response(status = 406, content_type = "application/problem+json")]
#[allow(dead_code)] // only describes a response for the OpenAPI document
pub struct NotAcceptableResponse(#[to_schema] Problem);

/// The response for a public resource that was withdrawn or archived.
#[derive(utoipa::IntoResponses)]
#[response(status = 410, content_type = "application/problem+json")]
#[allow(dead_code)] // only describes a response for the OpenAPI document
pub struct GoneResponse(#[to_schema] Problem);

/// Turns any error response that is not already a problem document (actix's own 413 for
/// an oversized body, for example) into one, so that every error has the same shape.
pub fn problem_fallback<B>(
    res: actix_web::dev::ServiceResponse<B>,
) -> actix_web::Result<actix_web::middleware::ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if is_problem {
        return Ok(actix_web::middleware::ErrorHandlerResponse::Response(
            res.map_into_left_body(),
        ));
    }
    let status = res.status();
    let problem = Problem {
        kind: format!(
            "urn:mobility-directory:problem:{}",
            status
                .canonical_reason()
                .unwrap_or("error")
                .to_lowercase()
                .replace(' ', "-")
        ),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: match status {
            StatusCode::PAYLOAD_TOO_LARGE => {
                "the request body is larger than this operation accepts".into()
            }
            _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
        },
        ..Problem::default()
    };
    let (req, old) = res.into_parts();
    let mut response = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            response.append_header((name.clone(), value.clone()));
        }
    }
    let response = response
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)))
        .body(serde_json::to_string(&problem).unwrap_or_default());
    Ok(actix_web::middleware::ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

/// The responses of an operation that needs a signed-in staff member.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only describes responses for the OpenAPI document
pub enum AuthErrors {
    /// No valid bearer token: missing, malformed, forged, expired, or issued before the
    /// account was disabled or its role changed.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The caller's role may not do this.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
}

/// The responses of an operation that reads a JSON body.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // only describes responses for the OpenAPI document
pub enum BodyErrors {
    /// The body is larger than the operation accepts.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body breaks the rules; `errors` names every failing member by JSON pointer.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// A slug, source URL, e-mail or state that collides with what exists.
#[derive(utoipa::IntoResponses)]
#[response(status = 409, content_type = "application/problem+json")]
#[allow(dead_code)] // only describes a response for the OpenAPI document
pub struct ConflictResponse(#[to_schema] Problem);

/// `If-Match` names a version that is no longer current: read the entry again.
#[derive(utoipa::IntoResponses)]
#[response(status = 412, content_type = "application/problem+json")]
#[allow(dead_code)] // only describes a response for the OpenAPI document
pub struct StaleVersionResponse(#[to_schema] Problem);

/// `If-Match` is missing: send the entry's current `ETag`, so that no edit is lost.
#[derive(utoipa::IntoResponses)]
#[response(status = 428, content_type = "application/problem+json")]
#[allow(dead_code)] // only describes a response for the OpenAPI document
pub struct MissingVersionResponse(#[to_schema] Problem);

/// Too many attempts from this account or address.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 429,
    content_type = "application/problem+json",
    headers(("retry-after" = i64, description = "Seconds to wait."))
)]
#[allow(dead_code)] // only describes a response for the OpenAPI document
pub struct TooManyRequestsResponse(#[to_schema] Problem);
