//! What every list of opportunities shares, in JSON and in the feeds: its filters and
//! order, read from the query, and one page of entries with their organizers.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::api::http::database;
use crate::api::http::pagination::{CursorScope, PageRequest, encode, set_of};
use crate::api::http::query::{QueryParams, is_identifier};
use crate::db::Pool;
use crate::domain::geography::Area;
use crate::domain::opportunity::{Lang, Opportunity, Organization};
use crate::domain::status::Status;
use crate::domain::vocabulary::{CareerStage, CoveredCost, Discipline, OpportunityType};
use crate::error::ApiError;
use crate::index::{Listed, Lists};
use crate::store;
use crate::store::facets::{Counts, Facet};
use crate::store::opportunities::{Depth, OpportunityFilter, Sort};

/// The filters of `GET /api/v1/opportunities`, which every feed takes too.
pub const FILTER_PARAMS: &[&str] = &[
    "q",
    "type",
    "discipline",
    "covers",
    "eligible_country",
    "nationality",
    "residence",
    "destination_country",
    "deadline_after",
    "deadline_before",
    "status",
    "free_to_apply",
    "min_amount",
    "career_stage",
    "organization",
    "updated_since",
    "sort",
    "limit",
    "cursor",
    "lang",
];

const AREA: &str =
    "an ISO 3166-1 alpha-2 country code or a region (eu, eea, creative_europe, western_balkans)";

pub fn parse_lang(params: &mut QueryParams) -> Option<Lang> {
    params.one("lang", "sl or en", Lang::parse)
}

pub fn parse_filter(params: &mut QueryParams) -> OpportunityFilter {
    OpportunityFilter {
        kinds: params.many(
            "type",
            "a known opportunity type",
            OpportunityType::from_slug,
        ),
        disciplines: params.many("discipline", "a known discipline", Discipline::from_slug),
        covers: params.many("covers", "a known covered cost", CoveredCost::from_slug),
        eligible: params.many("eligible_country", AREA, Area::parse),
        nationalities: params.many("nationality", AREA, Area::parse),
        residences: params.many("residence", AREA, Area::parse),
        destinations: params.many("destination_country", AREA, Area::parse),
        deadline_after: params.instant("deadline_after"),
        deadline_before: params.instant("deadline_before"),
        statuses: params.many("status", "a known status", Status::from_slug),
        free_to_apply: params.boolean("free_to_apply"),
        min_amount: params.integer("min_amount", 0, 1_000_000_000_000),
        career_stages: params.many(
            "career_stage",
            "a known career stage",
            CareerStage::from_slug,
        ),
        organization: params.one("organization", "an organization's id or slug", |v| {
            is_identifier(v, 120, &['-']).then(|| v.to_owned())
        }),
        updated_since: params.instant("updated_since"),
        text: params.search("q"),
    }
}

/// The order asked for, else `default`.
pub fn parse_sort(params: &mut QueryParams, default: Sort) -> Sort {
    params
        .one(
            "sort",
            "one of relevance, deadline, deadline_desc, newest, updated",
            |v| match v {
                "relevance" => Some(Sort::Relevance),
                "deadline" => Some(Sort::Deadline),
                "deadline_desc" => Some(Sort::DeadlineDesc),
                "newest" => Some(Sort::Newest),
                "updated" => Some(Sort::Updated),
                _ => None,
            },
        )
        .unwrap_or(default)
}

/// The scope of the cursors a search of the opportunities issues: its filters (each
/// filter's values in a canonical order, since `type=a,b` and `type=b&type=a` are one
/// search) and its order. Lists and feeds of one search share their cursors.
pub fn cursor_scope(filter: &OpportunityFilter, sort: Sort) -> CursorScope {
    // Named one by one, so that a new filter cannot be left out of the scope.
    let OpportunityFilter {
        kinds,
        disciplines,
        covers,
        eligible,
        nationalities,
        residences,
        destinations,
        deadline_after,
        deadline_before,
        statuses,
        free_to_apply,
        min_amount,
        career_stages,
        organization,
        updated_since,
        text,
    } = filter;
    let places = (
        set_of(eligible),
        set_of(nationalities),
        set_of(residences),
        set_of(destinations),
    );
    let dates = (deadline_after, deadline_before, updated_since);
    let kinds = (
        set_of(kinds),
        set_of(disciplines),
        set_of(covers),
        set_of(career_stages),
    );
    let rest = (
        set_of(statuses),
        free_to_apply,
        min_amount,
        organization,
        text,
    );
    CursorScope::new("opportunities", &(kinds, places, dates, rest, sort))
}

/// One page of published entries, each with its organizer, as of `now`.
pub struct LoadedPage {
    pub entries: Vec<(Opportunity, Organization)>,
    pub total: i64,
    /// The cursor of the next page.
    pub next: Option<String>,
    /// When anything a list shows last changed (see `store::directory::last_modified`).
    pub modified: DateTime<Utc>,
    /// The counts of the facets the query asked for.
    pub facets: Vec<(Facet, Counts)>,
}

/// What one list asks: its filters, order, page, the scope of its cursors and the facets
/// to count (none for feeds).
pub struct ListQuery {
    pub filter: OpportunityFilter,
    pub sort: Sort,
    pub page: PageRequest,
    pub scope: CursorScope,
    pub facets: Vec<Facet>,
}

/// Loads one page of the entries a query matches, to `depth`, from the index or the
/// database as the service is configured.
pub async fn load_page(
    req: &actix_web::HttpRequest,
    pool: &actix_web::web::Data<Pool>,
    query: ListQuery,
    now: DateTime<Utc>,
    depth: Depth,
) -> Result<LoadedPage, ApiError> {
    let ListQuery {
        filter,
        sort,
        page,
        scope,
        facets,
    } = query;
    let lists = lists(req)?;
    let (
        Listed {
            page: result,
            facets,
        },
        organizations,
        modified,
    ) = database::run(pool, move |conn| {
        let modified = store::directory::last_modified(conn, now)?;
        let listed = lists.page(
            conn,
            &filter,
            sort,
            page.after.as_ref(),
            page.limit,
            now,
            depth,
            &facets,
        )?;
        let result = &listed.page;
        let org_ids: Vec<String> = result
            .items
            .iter()
            .map(|o| o.organization_id.to_string())
            .collect();
        let organizations = store::organizations::find_many(conn, &org_ids)?;
        Ok((listed, organizations, modified))
    })
    .await?;
    let by_id: HashMap<_, _> = organizations.into_iter().map(|o| (o.id, o)).collect();
    let entries = result
        .items
        .into_iter()
        .map(|o| {
            let org = by_id.get(&o.organization_id).cloned().ok_or_else(|| {
                ApiError::Internal(format!("organization of {} is missing", o.id))
            })?;
            Ok((o, org))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(LoadedPage {
        entries,
        total: result.total,
        next: result.next.map(|k| encode(&k, &scope)),
        modified,
        facets,
    })
}

/// How this service answers lists: from its search index or the database.
pub fn lists(req: &actix_web::HttpRequest) -> Result<actix_web::web::Data<Lists>, ApiError> {
    req.app_data::<actix_web::web::Data<Lists>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("the lists are not configured".into()))
}

/// The language asked for by `lang`, else by `Accept-Language`.
pub fn language(req: &actix_web::HttpRequest, params: &mut QueryParams) -> Option<Lang> {
    crate::api::http::language::negotiate(req, parse_lang(params))
}

/// The order of a list by default: the best match first when searching, else the
/// soonest deadline.
pub fn default_sort(searching: bool) -> Sort {
    if searching {
        Sort::Relevance
    } else {
        Sort::Deadline
    }
}
