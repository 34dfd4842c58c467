//! What the in-memory search index (`crate::index`) reads from the database: every
//! published entry with the columns its filters, facets and orders use and the texts its
//! search looks in, and which entries changed after a generation.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{
    change_events, opportunities, opportunity_covered_costs, opportunity_destinations,
    opportunity_disciplines, opportunity_nationalities, opportunity_residences, opportunity_search,
    organizations,
};
use crate::domain::vocabulary::WorkflowState;

use super::StoreResult;

/// One published entry as the index holds it.
pub struct IndexedEntry {
    pub id: String,
    pub organization_id: String,
    pub kind: String,
    pub career_stage: String,
    pub sort_deadline: NaiveDateTime,
    pub deadline: Option<NaiveDateTime>,
    pub opens_at: Option<NaiveDateTime>,
    pub rolling: bool,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub application_fee: i64,
    pub funding_min: Option<i64>,
    pub funding_max: Option<i64>,
    pub open_to_all: bool,
    pub disciplines: Vec<String>,
    pub covers: Vec<String>,
    pub destinations: Vec<String>,
    pub nationalities: Vec<String>,
    pub residences: Vec<String>,
    /// Title, summary and description, in English then Slovenian.
    pub texts: [Option<String>; 6],
    pub organizer: String,
    /// The lemma tokens of the Slovenian title, summary and description, as stored.
    pub lemmas: [Option<String>; 3],
}

type EntryRow = (
    (
        String,
        String,
        String,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        bool,
    ),
    (
        Option<NaiveDateTime>,
        NaiveDateTime,
        i64,
        Option<i64>,
        Option<i64>,
        bool,
    ),
);

type SearchRow = (
    (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    ),
    (Option<String>, Option<String>, Option<String>),
);

/// The published entries with an id greater than `after` (all when `None`), in id
/// order, at most `limit`: the index is built from these pages at start.
pub fn published_page(
    conn: &mut DbConn,
    after: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<IndexedEntry>> {
    let mut query = published_rows()
        .order(opportunities::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(opportunities::id.gt(after.to_owned()));
    }
    let rows: Vec<EntryRow> = query.load(conn)?;
    with_lists(conn, rows)
}

/// Those of `ids` that are published now.
pub fn published_among(conn: &mut DbConn, ids: &[String]) -> StoreResult<Vec<IndexedEntry>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::db::rows_per_statement(1)) {
        let rows: Vec<EntryRow> = published_rows()
            .filter(opportunities::id.eq_any(chunk))
            .load(conn)?;
        out.extend(with_lists(conn, rows)?);
    }
    Ok(out)
}

/// The entries whose public representation changed in a generation after `generation`:
/// every such change is in the change log, which keeps each entry's latest event.
pub fn changed_after(conn: &mut DbConn, generation: i64) -> StoreResult<Vec<String>> {
    Ok(change_events::table
        .filter(change_events::generation.gt(generation))
        .select(change_events::opportunity_id)
        .distinct()
        .load(conn)?)
}

/// The id of the organization whose id or slug is `id_or_slug`.
pub fn organization_id(conn: &mut DbConn, id_or_slug: &str) -> StoreResult<Option<String>> {
    Ok(organizations::table
        .filter(
            organizations::id
                .eq(id_or_slug)
                .or(organizations::slug.eq(id_or_slug)),
        )
        .select(organizations::id)
        .first(conn)
        .optional()?)
}

#[allow(clippy::type_complexity)]
fn published_rows() -> diesel::dsl::Select<
    diesel::dsl::Filter<opportunities::table, diesel::dsl::Eq<opportunities::state, &'static str>>,
    (
        (
            opportunities::id,
            opportunities::organization_id,
            opportunities::kind,
            opportunities::career_stage,
            opportunities::sort_deadline,
            opportunities::deadline,
            opportunities::opens_at,
            opportunities::rolling,
        ),
        (
            opportunities::published_at,
            opportunities::updated_at,
            opportunities::application_fee,
            opportunities::funding_min,
            opportunities::funding_max,
            opportunities::open_to_all,
        ),
    ),
> {
    use crate::db::schema::opportunities::dsl::*;
    opportunities
        .filter(state.eq(WorkflowState::Published.slug()))
        .select((
            (
                id,
                organization_id,
                kind,
                career_stage,
                sort_deadline,
                deadline,
                opens_at,
                rolling,
            ),
            (
                published_at,
                updated_at,
                application_fee,
                funding_min,
                funding_max,
                open_to_all,
            ),
        ))
}

macro_rules! values_of {
    ($conn:expr, $table:ident, $column:ident, $ids:expr) => {{
        let mut grouped: HashMap<String, Vec<String>> = HashMap::new();
        let pairs: Vec<(String, String)> = $table::table
            .filter($table::opportunity_id.eq_any($ids))
            .select(($table::opportunity_id, $table::$column))
            .load($conn)?;
        for (id, value) in pairs {
            grouped.entry(id).or_default().push(value);
        }
        grouped
    }};
}

fn with_lists(conn: &mut DbConn, rows: Vec<EntryRow>) -> StoreResult<Vec<IndexedEntry>> {
    let ids: Vec<&str> = rows.iter().map(|((id, ..), _)| id.as_str()).collect();
    let mut disciplines = values_of!(conn, opportunity_disciplines, discipline, &ids);
    let mut covers = values_of!(conn, opportunity_covered_costs, cost, &ids);
    let mut destinations = values_of!(conn, opportunity_destinations, country, &ids);
    let mut nationalities = values_of!(conn, opportunity_nationalities, area, &ids);
    let mut residences = values_of!(conn, opportunity_residences, area, &ids);
    let documents: Vec<SearchRow> = opportunity_search::table
        .filter(opportunity_search::opportunity_id.eq_any(&ids))
        .select((
            (
                opportunity_search::opportunity_id,
                opportunity_search::title_en,
                opportunity_search::summary_en,
                opportunity_search::description_en,
                opportunity_search::title_sl,
                opportunity_search::summary_sl,
                opportunity_search::description_sl,
                opportunity_search::organizer,
            ),
            (
                opportunity_search::lemmas_title_sl,
                opportunity_search::lemmas_summary_sl,
                opportunity_search::lemmas_description_sl,
            ),
        ))
        .load(conn)?;
    let mut documents: HashMap<String, SearchRow> =
        documents.into_iter().map(|d| (d.0.0.clone(), d)).collect();
    Ok(rows
        .into_iter()
        .map(|(first, second)| {
            let (
                id,
                organization_id,
                kind,
                career_stage,
                sort_deadline,
                deadline,
                opens_at,
                rolling,
            ) = first;
            let (published_at, updated_at, application_fee, funding_min, funding_max, open_to_all) =
                second;
            let (texts, organizer, lemmas) = match documents.remove(&id) {
                Some(((_, te, se, de, ts, ss, ds, organizer), (lt, ls, ld))) => {
                    ([te, se, de, ts, ss, ds], organizer, [lt, ls, ld])
                }
                None => (Default::default(), String::new(), Default::default()),
            };
            IndexedEntry {
                disciplines: disciplines.remove(&id).unwrap_or_default(),
                covers: covers.remove(&id).unwrap_or_default(),
                destinations: destinations.remove(&id).unwrap_or_default(),
                nationalities: nationalities.remove(&id).unwrap_or_default(),
                residences: residences.remove(&id).unwrap_or_default(),
                id,
                organization_id,
                kind,
                career_stage,
                sort_deadline,
                deadline,
                opens_at,
                rolling,
                published_at,
                updated_at,
                application_fee,
                funding_min,
                funding_max,
                open_to_all,
                texts,
                organizer,
                lemmas,
            }
        })
        .collect())
}
