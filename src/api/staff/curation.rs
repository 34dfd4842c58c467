//! Staff writes to opportunities: create, replace, patch, withdraw, the review workflow,
//! revision history, staff listings and the duplicate report.

use actix_web::http::header;
use actix_web::web::{Bytes, Path};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::http::database;
use crate::db::{DbConn, Pool};
use crate::domain::opportunity::Lang;
use crate::domain::opportunity::{Opportunity, Organization};
use crate::domain::vocabulary::{Role, WorkflowState};
use crate::error::{
    ApiError, AuthErrors, BodyErrors, CommonErrors, ConflictResponse, FieldIssue,
    MissingVersionResponse, NotFoundResponse, StaleVersionResponse,
};
use crate::store::curation::{self, Provenance, Similar};
use crate::store::{self, StoreError, editing};

use crate::api::http::body::{Fields, check_size, parse_object};
use crate::api::http::identity::Staff;
use crate::api::http::pagination::{
    CursorScope, encode, next_url, page_request, page_response, set_of,
};
use crate::api::http::preconditions::{check_if_match, etag, if_match, require_if_match};
use crate::api::http::query::QueryParams;
use crate::api::public::views::OpportunityView;
use crate::api::staff::opportunity_input::{self, Input};
use crate::api::staff::views::{
    DuplicateList, DuplicatePair, PossibleDuplicate, RevisionList, RevisionView, StaffOpportunity,
    StaffOpportunityList,
};

/// An entry with everything staff see of it.
pub(crate) struct Loaded {
    pub opportunity: Opportunity,
    pub organization: Organization,
    pub provenance: Provenance,
    pub similar: Vec<Similar>,
}

pub(crate) fn load(conn: &mut DbConn, key: &str) -> Result<Loaded, ApiError> {
    let opportunity = match store::opportunities::find_any(conn, key) {
        Err(StoreError::NotFound) => return Err(not_found()),
        other => other?,
    };
    let organization = store::organizations::find(conn, &opportunity.organization_id.to_string())?;
    let provenance = curation::provenance(conn, &opportunity.id.to_string())?;
    let similar = curation::similar_titles(conn, &opportunity)?;
    Ok(Loaded {
        opportunity,
        organization,
        provenance,
        similar,
    })
}

fn not_found() -> ApiError {
    ApiError::NotFound("no opportunity has this id or slug".into())
}

impl Loaded {
    pub(crate) fn view(&self) -> StaffOpportunity {
        StaffOpportunity::new(
            OpportunityView::new(&self.opportunity, &self.organization, Utc::now(), None),
            self.opportunity.state,
            self.opportunity.version,
            &self.provenance,
            &self.similar,
        )
    }

    fn own(&self, staff: &Staff) -> bool {
        self.provenance.created_by == Some(staff.id)
    }

    /// Editors see everything; contributors see their own entries and published ones.
    /// Anything else is a 404, so that nothing leaks.
    fn check_view(&self, staff: &Staff) -> Result<(), ApiError> {
        if staff.is_editor()
            || self.own(staff)
            || self.opportunity.state == WorkflowState::Published
        {
            Ok(())
        } else {
            Err(not_found())
        }
    }

    /// Editors edit anything but a withdrawn entry; contributors only their own drafts.
    fn check_edit(&self, staff: &Staff) -> Result<(), ApiError> {
        self.check_view(staff)?;
        if self.opportunity.state == WorkflowState::Withdrawn {
            return Err(ApiError::Conflict {
                detail: "this entry was withdrawn; a withdrawn entry cannot be changed".into(),
                existing: None,
            });
        }
        if staff.is_editor() || (self.own(staff) && self.opportunity.state == WorkflowState::Draft)
        {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "contributors may change only their own drafts".into(),
            ))
        }
    }
}

pub(crate) fn respond(status: actix_web::http::StatusCode, loaded: &Loaded) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, etag(loaded.opportunity.version)));
    if status == actix_web::http::StatusCode::CREATED {
        response.insert_header((
            header::LOCATION,
            format!("/api/v1/staff/opportunities/{}", loaded.opportunity.id),
        ));
    }
    response.json(loaded.view())
}

/// Resolves the organization an input names; a missing one is a 422 on `/organization`.
pub(crate) fn resolve_organization(
    conn: &mut DbConn,
    input: &Input,
) -> Result<Organization, ApiError> {
    match store::organizations::find(conn, &input.organization) {
        Ok(org) if !org.withdrawn => Ok(org),
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::Unprocessable(vec![FieldIssue::new(
            "/organization",
            "names no organization (give its id or slug)",
        )])),
        Err(e) => Err(e.into()),
    }
}

fn read_body(body: &Bytes) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    check_size(body)?;
    parse_object(body)
}

/// Create an entry. It starts as a draft, whoever creates it.
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    request_body(content = crate::api::staff::opportunity_input::OpportunityInput, description = "The entry. Unknown members are refused; id, state, version, timestamps and authorship cannot be set."),
    responses(
        (status = 201, description = "Created as a draft.", body = StaffOpportunity,
            headers(("etag" = String, description = "The version, for If-Match."), ("location" = String, description = "The staff URL of the entry."))),
        CommonErrors,
        AuthErrors,
        ConflictResponse,
        BodyErrors,
    )
)]
#[post("/opportunities")]
pub async fn create_opportunity(
    staff: Staff,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let input = opportunity_input::read(&read_body(&body)?)?;
    let loaded = database::run(&pool, move |conn| {
        let org = resolve_organization(conn, &input)?;
        let now = Utc::now();
        let opportunity = Opportunity {
            id: Uuid::now_v7(),
            organization_id: org.id,
            state: WorkflowState::Draft,
            version: 1,
            created_at: now,
            updated_at: now,
            published_at: None,
            ..input.opportunity
        };
        let provenance = Provenance {
            created_by: Some(staff.id),
            ..Provenance::default()
        };
        editing::create(conn, &opportunity, provenance, Some(staff.id), "created")
            .map_err(slug_conflict)?;
        load(conn, &opportunity.id.to_string())
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, &loaded))
}

/// A taken slug is a 409 that says so.
pub(crate) fn slug_conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(m) if m.to_lowercase().contains("slug") => ApiError::Conflict {
            detail: "another entry has this slug".into(),
            existing: None,
        },
        other => other.into(),
    }
}

/// Applies a new version of an entry read from `next_input`.
fn save_replacement(
    conn: &mut DbConn,
    staff: &Staff,
    current: &Loaded,
    input: Input,
) -> Result<Loaded, ApiError> {
    let org = resolve_organization(conn, &input)?;
    let old = &current.opportunity;
    let next = Opportunity {
        id: old.id,
        organization_id: org.id,
        state: old.state,
        version: old.version + 1,
        created_at: old.created_at,
        updated_at: Utc::now(),
        published_at: old.published_at,
        ..input.opportunity
    };
    editing::replace(conn, old, &next, Some(staff.id), "updated").map_err(slug_conflict)?;
    load(conn, &old.id.to_string())
}

/// Replace an entry. Needs `If-Match` with the current `ETag`. A published entry must keep
/// what publication needs (422 `not-publishable`, as for publishing).
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(("id_or_slug" = String, Path, description = "The entry's UUID or slug.", example = "castile-ceramics-residency"),
           ("if-match" = String, Header, description = "The current ETag.")),
    request_body(content = crate::api::staff::opportunity_input::OpportunityInput),
    responses(
        (status = 200, description = "Replaced.", body = StaffOpportunity, headers(("etag" = String, description = "The new version."))),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        ConflictResponse,
        StaleVersionResponse,
        BodyErrors,
        MissingVersionResponse,
    )
)]
#[put("/opportunities/{id_or_slug}")]
pub async fn replace_opportunity(
    req: HttpRequest,
    staff: Staff,
    path: Path<String>,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    require_if_match(&req)?;
    let input = opportunity_input::read(&read_body(&body)?)?;
    let key = path.into_inner();
    let precondition = if_match(&req);
    let loaded = database::run(&pool, move |conn| {
        let current = load(conn, &key)?;
        current.check_edit(&staff)?;
        check_if_match(precondition.as_deref(), current.opportunity.version, true)?;
        save_replacement(conn, &staff, &current, input)
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, &loaded))
}

/// Change some fields of an entry (RFC 7396 JSON merge patch: members replace, null
/// removes). Needs `If-Match` with the current `ETag`. A published entry must keep what
/// publication needs (422 `not-publishable`, as for publishing).
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(("id_or_slug" = String, Path, description = "The entry's UUID or slug.", example = "castile-ceramics-residency"),
           ("if-match" = String, Header, description = "The current ETag.")),
    request_body(content = crate::api::staff::opportunity_input::OpportunityPatch, description = "A JSON merge patch of the entry's writable representation.", content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "Changed.", body = StaffOpportunity, headers(("etag" = String, description = "The new version."))),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        ConflictResponse,
        StaleVersionResponse,
        BodyErrors,
        MissingVersionResponse,
    )
)]
#[patch("/opportunities/{id_or_slug}")]
pub async fn patch_opportunity(
    req: HttpRequest,
    staff: Staff,
    path: Path<String>,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    require_if_match(&req)?;
    let patch = serde_json::Value::Object(read_body(&body)?);
    let key = path.into_inner();
    let precondition = if_match(&req);
    let loaded = database::run(&pool, move |conn| {
        let current = load(conn, &key)?;
        current.check_edit(&staff)?;
        check_if_match(precondition.as_deref(), current.opportunity.version, true)?;
        let mut merged = opportunity_input::write(&current.opportunity, &current.organization.slug);
        opportunity_input::merge_patch(&mut merged, &patch);
        let input = match merged {
            serde_json::Value::Object(object) => opportunity_input::read(&object)?,
            _ => {
                return Err(ApiError::Unprocessable(vec![FieldIssue::new(
                    "",
                    "must be a JSON object",
                )]));
            }
        };
        save_replacement(conn, &staff, &current, input)
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, &loaded))
}

/// Withdraw an entry: it leaves every list but is kept, with its history. Needs `If-Match`.
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(("id_or_slug" = String, Path, description = "The entry's UUID or slug.", example = "castile-ceramics-residency"),
           ("if-match" = String, Header, description = "The current ETag.")),
    responses(
        (status = 200, description = "Withdrawn (and kept).", body = StaffOpportunity),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        ConflictResponse,
        StaleVersionResponse,
        MissingVersionResponse,
    )
)]
#[delete("/opportunities/{id_or_slug}")]
pub async fn withdraw_opportunity(
    req: HttpRequest,
    staff: Staff,
    path: Path<String>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    require_if_match(&req)?;
    QueryParams::parse(req.query_string(), &[]).finish()?;
    let key = path.into_inner();
    let precondition = if_match(&req);
    let loaded = database::run(&pool, move |conn| {
        let current = load(conn, &key)?;
        current.check_edit(&staff)?;
        check_if_match(precondition.as_deref(), current.opportunity.version, true)?;
        move_to(conn, &staff, &current, WorkflowState::Withdrawn, None)
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, &loaded))
}

/// The workflow: which state a transition starts from and who may make it.
fn transition_rule(to: WorkflowState) -> (&'static [WorkflowState], &'static [Role], &'static str) {
    use WorkflowState::*;
    match to {
        InReview => (
            &[Draft],
            &[Role::Admin, Role::Editor, Role::Contributor],
            "submitted",
        ),
        Published => (
            &[Draft, InReview, Archived],
            &[Role::Admin, Role::Editor],
            "published",
        ),
        Draft => (&[InReview], &[Role::Admin, Role::Editor], "rejected"),
        Archived => (&[Published], &[Role::Admin, Role::Editor], "archived"),
        Withdrawn => (
            &[Draft, InReview, Published, Archived],
            &[Role::Admin, Role::Editor, Role::Contributor],
            "withdrawn",
        ),
    }
}

fn move_to(
    conn: &mut DbConn,
    staff: &Staff,
    current: &Loaded,
    to: WorkflowState,
    note: Option<String>,
) -> Result<Loaded, ApiError> {
    let (from, roles, action) = transition_rule(to);
    staff.require(roles)?;
    if !from.contains(&current.opportunity.state) {
        return Err(ApiError::Conflict {
            detail: format!(
                "an entry that is {} cannot be {action}",
                current.opportunity.state.slug()
            ),
            existing: None,
        });
    }
    editing::transition(conn, &current.opportunity, to, Some(staff.id), action, note)?;
    load(conn, &current.opportunity.id.to_string())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the body for the OpenAPI document; it is read by `Fields`
pub struct Rejection {
    /// Why the entry goes back to its author; shown to them.
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

async fn transition(
    req: HttpRequest,
    staff: Staff,
    key: String,
    pool: web::Data<Pool>,
    to: WorkflowState,
    note: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let precondition = if_match(&req);
    let loaded = database::run(&pool, move |conn| {
        let current = load(conn, &key)?;
        current.check_view(&staff)?;
        if to == WorkflowState::InReview && !staff.is_editor() && !current.own(&staff) {
            return Err(ApiError::Forbidden(
                "contributors may submit only their own drafts".into(),
            ));
        }
        check_if_match(precondition.as_deref(), current.opportunity.version, false)?;
        move_to(conn, &staff, &current, to, note)
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, &loaded))
}

macro_rules! transition_endpoint {
    ($name:ident, $path:literal, $to:expr, $doc:literal $(, $extra:tt)*) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "curation",
            security(("bearer" = [])),
            params(("id_or_slug" = String, Path, description = "The entry's UUID or slug.", example = "castile-ceramics-residency"),
                   ("if-match" = Option<String>, Header, description = "Optional: the ETag the change is based on.")),
            responses(
                (status = 200, description = "Moved.", body = StaffOpportunity, headers(("etag" = String, description = "The new version."))),
                CommonErrors,
                AuthErrors,
                NotFoundResponse,
                ConflictResponse,
                StaleVersionResponse,
                $($extra,)*
            )
        )]
        #[post($path)]
        pub async fn $name(
            req: HttpRequest,
            staff: Staff,
            path: Path<String>,
            pool: web::Data<Pool>,
        ) -> Result<HttpResponse, ApiError> {
            QueryParams::parse(req.query_string(), &[]).finish()?;
            transition(req, staff, path.into_inner(), pool, $to, None).await
        }
    };
}

transition_endpoint!(
    submit_opportunity,
    "/opportunities/{id_or_slug}/submit",
    WorkflowState::InReview,
    "Submit a draft for review (its author, or an editor)."
);
transition_endpoint!(
    publish_opportunity,
    "/opportunities/{id_or_slug}/publish",
    WorkflowState::Published,
    "Publish an entry (editors). The first publication stamps `published_at`. The entry must have what publication needs (see the 422 answer).",
    (
        status = 422,
        description = crate::domain::publication::RULE,
        body = crate::error::Problem,
        content_type = "application/problem+json"
    )
);
transition_endpoint!(
    archive_opportunity,
    "/opportunities/{id_or_slug}/archive",
    WorkflowState::Archived,
    "Archive a published entry (editors): it leaves the public lists."
);

/// Send an entry in review back to draft, with a reason for its author (editors).
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(("id_or_slug" = String, Path, description = "The entry's UUID or slug.", example = "castile-ceramics-residency"),
           ("if-match" = Option<String>, Header, description = "Optional: the ETag the change is based on.")),
    request_body = Rejection,
    responses(
        (status = 200, description = "Back to draft.", body = StaffOpportunity, headers(("etag" = String, description = "The new version."))),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
        ConflictResponse,
        StaleVersionResponse,
        BodyErrors,
    )
)]
#[post("/opportunities/{id_or_slug}/reject")]
pub async fn reject_opportunity(
    req: HttpRequest,
    staff: Staff,
    path: Path<String>,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let object = read_body(&body)?;
    let mut fields = Fields::new(&object, "", &["reason"]);
    let reason = fields.text("reason", 2000);
    let reason = fields.require("reason", reason);
    fields.finish()?;
    transition(
        req,
        staff,
        path.into_inner(),
        pool,
        WorkflowState::Draft,
        reason,
    )
    .await
}

/// The history of an entry: every change, by whom, with a field-level diff.
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(("id_or_slug" = String, Path, description = "The entry's UUID or slug.", example = "castile-ceramics-residency")),
    responses(
        (status = 200, description = "Oldest first.", body = RevisionList),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
    )
)]
#[get("/opportunities/{id_or_slug}/revisions")]
pub async fn list_revisions(
    req: HttpRequest,
    staff: Staff,
    path: Path<String>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(req.query_string(), &[]).finish()?;
    let key = path.into_inner();
    let revisions = database::run(&pool, move |conn| {
        let current = load(conn, &key)?;
        current.check_view(&staff)?;
        Ok::<_, ApiError>(store::revisions::list(
            conn,
            "opportunity",
            &current.opportunity.id.to_string(),
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(RevisionList {
        items: revisions.iter().map(RevisionView::from).collect(),
    }))
}

/// Entries by workflow state, most recently changed first: the review queue is
/// `state=in_review`, and `missing_translation=sl` lists what still needs translating
/// into Slovenian. Contributors see only their own entries.
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(
        ("state" = Option<Vec<WorkflowState>>, Query, description = "Only these states; default: all."),
        ("missing_translation" = Option<Lang>, Query, example = "sl", description = "Only entries that lack a translation into this language: a title, summary or description they have in the other language but not in this one."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "Page size, default 20."),
        ("cursor" = Option<String>, Query, min_length = 1, max_length = 1000, pattern = "^[A-Za-z0-9_-]+$", description = "The `next` value of the previous page."),
    ),
    responses(
        (status = 200, description = "A page of entries.", body = StaffOpportunityList),
        CommonErrors,
        AuthErrors,
    )
)]
#[get("/staff/opportunities")]
pub async fn list_staff_opportunities(
    req: HttpRequest,
    staff: Staff,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::parse(
        req.query_string(),
        &["state", "missing_translation", "limit", "cursor"],
    );
    let states = params.many("state", "a workflow state", WorkflowState::from_slug);
    let missing = params.one("missing_translation", "sl or en", Lang::parse);
    let scope = CursorScope::new("staff-opportunities", &(set_of(&states), missing));
    let page = page_request(&mut params, &scope);
    params.finish()?;
    let page = page.map_err(|issue| ApiError::InvalidInput(vec![issue]))?;
    let author = (!staff.is_editor()).then_some(staff.id);
    let (items, total, next) = database::run(&pool, move |conn| {
        let result = curation::list_by_state(
            conn,
            &states,
            author,
            missing,
            page.after.as_ref(),
            page.limit,
        )?;
        let items = result
            .items
            .iter()
            .map(|o| load(conn, &o.id.to_string()).map(|l| l.view()))
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok::<_, ApiError>((items, result.total, result.next))
    })
    .await?;
    let next = next.map(|k| encode(&k, &scope));
    Ok(
        page_response(&req, next.as_deref()).json(StaffOpportunityList {
            items,
            total,
            limit: page.limit,
            next_url: next_url(&req, next.as_deref()),
            next,
        }),
    )
}

/// One entry in any state, with its workflow, provenance and possible duplicates.
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(("id_or_slug" = String, Path, description = "The entry's UUID or slug.", example = "castile-ceramics-residency")),
    responses(
        (status = 200, description = "The entry.", body = StaffOpportunity, headers(("etag" = String, description = "The version, for If-Match."))),
        CommonErrors,
        AuthErrors,
        NotFoundResponse,
    )
)]
#[get("/staff/opportunities/{id_or_slug}")]
pub async fn get_staff_opportunity(
    req: HttpRequest,
    staff: Staff,
    path: Path<String>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(req.query_string(), &[]).finish()?;
    let key = path.into_inner();
    let loaded = database::run(&pool, move |conn| {
        let loaded = load(conn, &key)?;
        loaded.check_view(&staff)?;
        Ok::<_, ApiError>(loaded)
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, &loaded))
}

/// Pairs of entries of one organizer with near-identical titles (editors).
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every flagged pair.", body = DuplicateList),
        CommonErrors,
        AuthErrors,
    )
)]
#[get("/staff/duplicates")]
pub async fn list_duplicates(
    req: HttpRequest,
    staff: Staff,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse(req.query_string(), &[]).finish()?;
    staff.require(&[Role::Admin, Role::Editor])?;
    let pairs = database::run(&pool, |conn| Ok(curation::duplicate_pairs(conn)?)).await?;
    Ok(HttpResponse::Ok().json(DuplicateList {
        items: pairs
            .iter()
            .map(|(a, b)| DuplicatePair {
                first: PossibleDuplicate::from(a),
                second: PossibleDuplicate::from(b),
            })
            .collect(),
    }))
}
