//! `POST /api/v1/submissions`: organizers propose a call without an account. It lands in
//! the review queue with the submitter's contact details; the submitter sees nothing else.

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::http::database;
use crate::db::{DbConn, Pool};
use crate::domain::opportunity::Opportunity;
use crate::domain::vocabulary::WorkflowState;
use crate::error::{
    ApiError, BodyErrors, CommonErrors, ConflictResponse, FieldIssue, TooManyRequestsResponse,
};
use crate::store::curation::Provenance;
use crate::store::throttle::{self, Limit};
use crate::store::{StoreError, editing};

use crate::api::http::body::{Fields, check_size, is_email, parse_object};
use crate::api::http::client_address::client_address;
use crate::api::staff::curation::resolve_organization;
use crate::api::staff::opportunity_input;

/// Submissions accepted per client address in the window before 429.
pub const SUBMISSION_LIMIT: Limit = Limit {
    bucket: "submission-address",
    max: 5,
    window: Duration::hours(1),
};

/// A proposed call: who proposes it, and the entry as staff write it.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the body for the OpenAPI document
pub struct SubmissionInput {
    /// Who proposes it, so that staff can ask back.
    submitter: SubmitterInput,
    /// The proposed entry, in the writable representation staff use.
    entry: opportunity_input::OpportunityInput,
}

/// Who to contact about a submission; never shown to the public.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SubmitterInput {
    /// Your name.
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    name: String,
    /// Your e-mail address, for questions about the entry.
    #[schema(format = Email)]
    email: String,
}

/// The receipt of a submission.
#[derive(Serialize, ToSchema)]
pub struct SubmissionReceipt {
    /// Quote it when writing to the editors.
    pub id: Uuid,
    /// `in_review`: staff will look at it.
    pub state: WorkflowState,
}

/// Propose a call for the directory. No account is needed; editors review it before it
/// is published. Limited per client address (429 with `Retry-After`).
#[utoipa::path(
    tag = "submissions",
    request_body(content = SubmissionInput, description = "`submitter` {name, email} and `entry`, the writable representation staff use; `entry.organization` names an organization already in the directory."),
    responses(
        (status = 202, description = "Received; it is in the review queue.", body = SubmissionReceipt),
        CommonErrors,
        ConflictResponse,
        BodyErrors,
        TooManyRequestsResponse,
    )
)]
#[post("/submissions")]
pub async fn submit(
    req: HttpRequest,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    check_size(&body)?;
    let object = parse_object(&body)?;
    let mut errors: Vec<FieldIssue> = object
        .keys()
        .filter(|k| !["submitter", "entry"].contains(&k.as_str()))
        .map(|k| FieldIssue::new(format!("/{k}"), "is not a field this operation accepts"))
        .collect();
    let submitter = object.get("submitter").cloned();
    let (name, email) = match &submitter {
        Some(Value::Object(map)) => {
            let mut f = Fields::new(map, "/submitter", &["name", "email"]);
            let name = f.text("name", 200);
            let name = f.require("name", name);
            let email = f.parsed("email", "a well-formed e-mail address", |v| {
                is_email(v).then(|| v.to_owned())
            });
            let email = f.require("email", email);
            errors.append(&mut f.errors);
            (name, email)
        }
        _ => {
            errors.push(FieldIssue::new(
                "/submitter",
                "is required: {\"name\", \"email\"}",
            ));
            (None, None)
        }
    };
    let input = match object.get("entry") {
        Some(Value::Object(entry)) => match opportunity_input::read(entry) {
            Ok(input) => Some(input),
            Err(ApiError::Unprocessable(more)) => {
                errors.extend(
                    more.into_iter()
                        .map(|i| FieldIssue::new(format!("/entry{}", i.name), i.reason)),
                );
                None
            }
            Err(other) => return Err(other),
        },
        _ => {
            errors.push(FieldIssue::new(
                "/entry",
                "is required: the call, as an object",
            ));
            None
        }
    };
    let (Some(input), Some(name), Some(email), true) = (input, name, email, errors.is_empty())
    else {
        return Err(ApiError::Unprocessable(errors));
    };
    let address = client_address(&req);
    let receipt = database::run(&pool, move |conn| {
        let now = Utc::now();
        let attempt = match throttle::acquire(conn, &[(SUBMISSION_LIMIT, &address)], now)? {
            Ok(mut attempts) => attempts.remove(0),
            Err(retry_after) => return Err(ApiError::TooManyRequests { retry_after }),
        };
        let created = create_submission(conn, input, name, email, now);
        if created.is_err() {
            // A refused submission does not count against the address.
            throttle::release(conn, &attempt)?;
        }
        created
    })
    .await?;
    Ok(HttpResponse::Accepted().json(receipt))
}

/// Stores a submission for review; a duplicate is a 409 that names no other entry.
fn create_submission(
    conn: &mut DbConn,
    input: opportunity_input::Input,
    name: String,
    email: String,
    now: chrono::DateTime<Utc>,
) -> Result<SubmissionReceipt, ApiError> {
    {
        let org = resolve_organization(conn, &input)?;
        let opportunity = Opportunity {
            id: Uuid::now_v7(),
            organization_id: org.id,
            state: WorkflowState::InReview,
            version: 1,
            created_at: now,
            updated_at: now,
            published_at: None,
            ..input.opportunity
        };
        let provenance = Provenance {
            submitter_name: Some(name),
            submitter_email: Some(email),
            ..Provenance::default()
        };
        match editing::create(conn, &opportunity, provenance, None, "submitted") {
            Ok(()) => {}
            // Never name the other entry: a submitter sees none but their own.
            Err(StoreError::DuplicateSource { .. }) | Err(StoreError::Conflict(_)) => {
                return Err(ApiError::Conflict {
                    detail: "this call is already in the directory or in review".into(),
                    existing: None,
                });
            }
            Err(e) => return Err(e.into()),
        }
        Ok(SubmissionReceipt {
            id: opportunity.id,
            state: WorkflowState::InReview,
        })
    }
}
