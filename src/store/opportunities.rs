//! Opportunities: filtered, keyset-paginated lists, lookups by id or slug, and inserts.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Nullable, Text};

use crate::db::limits;
use crate::db::schema::{
    opportunities, opportunity_covered_costs, opportunity_destinations, opportunity_disciplines,
    opportunity_languages, opportunity_nationalities, opportunity_residences, opportunity_texts,
    organizations,
};
use crate::db::{Backend, DbConn, MultiBackend, on_backend};
use crate::domain::geography::Area;
use crate::domain::opportunity::Opportunity;
use crate::domain::search::TextQuery;
use crate::domain::status::{DEFAULT_LISTED, Status, closing_soon_window};
use crate::domain::vocabulary::{
    CareerStage, CoveredCost, Discipline, OpportunityType, WorkflowState,
};

use super::rows::{OpportunityLists, OpportunityRow, TextRow, text_rows};
use super::search;
use super::{Keyset, Page, StoreError, StoreResult, parse_time_key, time_key, to_db_time};

/// What a client asked a list for. Several values of one filter mean any of them,
/// except `covers`, where every named cost must be covered; filters combine with AND.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpportunityFilter {
    pub kinds: Vec<OpportunityType>,
    pub disciplines: Vec<Discipline>,
    pub covers: Vec<CoveredCost>,
    /// An applicant who is a national of, or resident in, any of these areas.
    pub eligible: Vec<Area>,
    pub nationalities: Vec<Area>,
    pub residences: Vec<Area>,
    pub destinations: Vec<Area>,
    /// Deadline at or after this instant.
    pub deadline_after: Option<DateTime<Utc>>,
    /// Deadline strictly before this instant.
    pub deadline_before: Option<DateTime<Utc>>,
    pub statuses: Vec<Status>,
    pub free_to_apply: Option<bool>,
    pub min_amount: Option<i64>,
    pub career_stages: Vec<CareerStage>,
    /// An organization's id or slug.
    pub organization: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
    /// Words to find in the entry's texts and its organizer's name.
    pub text: Option<TextQuery>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Soonest deadline first; calls without a deadline last.
    Deadline,
    /// Latest deadline first (the archive's most recently closed first); calls without a
    /// deadline first.
    DeadlineDesc,
    /// Most recently published first.
    Newest,
    /// Most recently updated first.
    Updated,
    /// Best match for the filter's text first; without text, as `Deadline`.
    Relevance,
}

type Predicate = Box<dyn BoxableExpression<opportunities::table, MultiBackend, SqlType = Bool>>;

/// Rolling calls without a deadline sort after every dated call.
const NO_DEADLINE: &str = "9999-12-31T23:59:59.000000";

/// The sort key of calls without a deadline: after every dated call.
pub(super) fn no_deadline() -> NaiveDateTime {
    NaiveDateTime::parse_from_str(NO_DEADLINE, "%Y-%m-%dT%H:%M:%S%.6f").expect("a valid constant")
}

/// A status as predicates an index on (`state`, `sort_deadline`) serves: a range over
/// the sort key, with the opening date and the rolling flag checked on the rows in it.
/// A call without a deadline has the far-future sort key, so it is never closed.
fn status_predicate(status: Status, now: NaiveDateTime) -> Predicate {
    use crate::db::schema::opportunities::dsl::*;
    let soon = now + closing_soon_window();
    let started = || opens_at.is_null().or(opens_at.assume_not_null().le(now));
    match status {
        Status::Closed => Box::new(sort_deadline.le(now)),
        Status::Upcoming => Box::new(
            sort_deadline
                .gt(now)
                .and(opens_at.is_not_null())
                .and(opens_at.assume_not_null().gt(now)),
        ),
        Status::Rolling => Box::new(sort_deadline.gt(now).and(rolling.eq(true)).and(started())),
        Status::ClosingSoon => Box::new(
            sort_deadline
                .gt(now)
                .and(sort_deadline.le(soon))
                .and(rolling.eq(false))
                .and(started()),
        ),
        Status::Open => Box::new(
            sort_deadline
                .gt(now)
                .and(rolling.eq(false))
                .and(sort_deadline.gt(soon))
                .and(started()),
        ),
    }
}

/// The statuses asked for, as one predicate. Every status but `closed` lies in the range
/// after `now`, and those four together are exactly that range, which is how the
/// default list is asked: one index range, nothing else to check.
fn statuses_predicate(statuses: &[Status], now: NaiveDateTime) -> Option<Predicate> {
    use crate::db::schema::opportunities::dsl::sort_deadline;
    let not_closed = DEFAULT_LISTED;
    if not_closed.iter().all(|s| statuses.contains(s)) {
        // With `closed` too, every status is asked for: nothing to filter.
        return (!statuses.contains(&Status::Closed))
            .then(|| Box::new(sort_deadline.gt(now)) as Predicate);
    }
    let any = any_of(statuses.iter().map(|s| status_predicate(*s, now)).collect())?;
    Some(if statuses.contains(&Status::Closed) {
        any
    } else {
        // The range bound stated once more on its own, so that a planner uses the index.
        Box::new(sort_deadline.gt(now).and(any))
    })
}

fn any_of(predicates: Vec<Predicate>) -> Option<Predicate> {
    predicates.into_iter().reduce(|a, b| Box::new(a.or(b)))
}

fn codes_matching(areas: &[Area]) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = areas.iter().flat_map(|a| a.matching_codes()).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// Calls open to an applicant whose nationality is among `nationalities` or whose
/// residence is among `residences`; calls with no rule on either side are open to all.
fn eligibility_predicate(nationalities: &[Area], residences: &[Area]) -> Predicate {
    use opportunities::dsl::{id, open_to_all};
    let mut predicate: Predicate = Box::new(open_to_all.eq(true));
    if !nationalities.is_empty() {
        let codes = codes_matching(nationalities);
        predicate = Box::new(
            predicate.or(id.eq_any(
                opportunity_nationalities::table
                    .filter(opportunity_nationalities::area.eq_any(codes))
                    .select(opportunity_nationalities::opportunity_id),
            )),
        );
    }
    if !residences.is_empty() {
        let codes = codes_matching(residences);
        predicate = Box::new(
            predicate.or(id.eq_any(
                opportunity_residences::table
                    .filter(opportunity_residences::area.eq_any(codes))
                    .select(opportunity_residences::opportunity_id),
            )),
        );
    }
    predicate
}

/// Every predicate a filter implies, for published entries only.
fn predicates(filter: &OpportunityFilter, now: NaiveDateTime, backend: Backend) -> Vec<Predicate> {
    use crate::db::schema::opportunities::dsl::*;
    let mut out: Vec<Predicate> = vec![Box::new(state.eq(WorkflowState::Published.slug()))];
    let statuses = if filter.statuses.is_empty() {
        DEFAULT_LISTED
    } else {
        &filter.statuses
    };
    if let Some(p) = statuses_predicate(statuses, now) {
        out.push(p);
    }
    out.extend(content_predicates(filter, backend));
    out
}

/// The predicates of a filter about what entries say, whatever their state and status.
fn content_predicates(filter: &OpportunityFilter, backend: Backend) -> Vec<Predicate> {
    use crate::db::schema::opportunities::dsl::*;
    let mut out: Vec<Predicate> = Vec::new();
    if let Some(text) = &filter.text {
        out.push(search::matching(backend, text));
    }
    if !filter.kinds.is_empty() {
        out.push(Box::new(kind.eq_any(
            filter.kinds.iter().map(|k| k.slug()).collect::<Vec<_>>(),
        )));
    }
    if !filter.disciplines.is_empty() {
        let wanted: Vec<&str> = filter.disciplines.iter().map(|d| d.slug()).collect();
        out.push(Box::new(
            id.eq_any(
                opportunity_disciplines::table
                    .filter(opportunity_disciplines::discipline.eq_any(wanted))
                    .select(opportunity_disciplines::opportunity_id),
            ),
        ));
    }
    for cost in &filter.covers {
        out.push(Box::new(
            id.eq_any(
                opportunity_covered_costs::table
                    .filter(opportunity_covered_costs::cost.eq(cost.slug()))
                    .select(opportunity_covered_costs::opportunity_id),
            ),
        ));
    }
    if !filter.eligible.is_empty()
        || !filter.nationalities.is_empty()
        || !filter.residences.is_empty()
    {
        let nationalities = [filter.eligible.as_slice(), &filter.nationalities].concat();
        let residences = [filter.eligible.as_slice(), &filter.residences].concat();
        out.push(eligibility_predicate(&nationalities, &residences));
    }
    if !filter.destinations.is_empty() {
        let countries: Vec<&str> = filter
            .destinations
            .iter()
            .flat_map(|a| a.countries())
            .map(|c| c.code())
            .collect();
        out.push(Box::new(
            id.eq_any(
                opportunity_destinations::table
                    .filter(opportunity_destinations::country.eq_any(countries))
                    .select(opportunity_destinations::opportunity_id),
            ),
        ));
    }
    if let Some(after) = filter.deadline_after {
        out.push(Box::new(
            deadline
                .is_not_null()
                .and(deadline.assume_not_null().ge(to_db_time(after))),
        ));
    }
    if let Some(before) = filter.deadline_before {
        out.push(Box::new(
            deadline
                .is_not_null()
                .and(deadline.assume_not_null().lt(to_db_time(before))),
        ));
    }
    match filter.free_to_apply {
        Some(true) => out.push(Box::new(application_fee.eq(0))),
        Some(false) => out.push(Box::new(application_fee.gt(0))),
        None => {}
    }
    if let Some(amount) = filter.min_amount {
        out.push(Box::new(
            funding_max
                .is_not_null()
                .and(funding_max.assume_not_null().ge(amount))
                .or(funding_max
                    .is_null()
                    .and(funding_min.is_not_null())
                    .and(funding_min.assume_not_null().ge(amount))),
        ));
    }
    if !filter.career_stages.is_empty() {
        let mut stages: Vec<&str> = filter.career_stages.iter().map(|s| s.slug()).collect();
        stages.push(CareerStage::Any.slug());
        out.push(Box::new(career_stage.eq_any(stages)));
    }
    if let Some(org) = &filter.organization {
        out.push(Box::new(
            organization_id.eq_any(
                organizations::table
                    .filter(
                        organizations::id
                            .eq(org.clone())
                            .or(organizations::slug.eq(org.clone())),
                    )
                    .select(organizations::id),
            ),
        ));
    }
    if let Some(since) = filter.updated_since {
        out.push(Box::new(updated_at.ge(to_db_time(since))));
    }
    out
}

/// Entries with a deadline that matched `filter` when they were withdrawn or archived,
/// at or after `since`: what calendars that held their deadline should cancel. Most
/// recently changed first, at most `limit`.
pub fn withdrawn_since(
    conn: &mut DbConn,
    filter: &OpportunityFilter,
    since: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<Opportunity>> {
    use crate::db::schema::opportunities::dsl::*;
    let backend = Backend::of(conn);
    let gone = [
        WorkflowState::Withdrawn.slug(),
        WorkflowState::Archived.slug(),
    ];
    let query = content_predicates(filter, backend)
        .into_iter()
        .fold(opportunities.into_boxed(), |q, p| q.filter(p))
        .filter(state.eq_any(gone))
        .filter(published_at.is_not_null())
        .filter(deadline.is_not_null())
        .filter(updated_at.ge(to_db_time(since)))
        .order((updated_at.desc(), id.desc()))
        .limit(limit)
        .select(OpportunityRow::as_select());
    let rows: Vec<OpportunityRow> = query.load(conn)?;
    with_lists(conn, rows, Depth::Summary)
}

/// How many entries are published.
pub fn count_published(conn: &mut DbConn) -> StoreResult<i64> {
    use crate::db::schema::opportunities::dsl::*;
    Ok(opportunities
        .filter(state.eq(WorkflowState::Published.slug()))
        .count()
        .get_result(conn)?)
}

pub(super) fn filtered<'a>(
    filter: &OpportunityFilter,
    now: NaiveDateTime,
    backend: Backend,
) -> opportunities::BoxedQuery<'a, MultiBackend> {
    predicates(filter, now, backend)
        .into_iter()
        .fold(opportunities::table.into_boxed(), |q, p| q.filter(p))
}

/// One page of published opportunities matching `filter`, as of `now`, as a list shows
/// them: without descriptions and languages (the detail has them).
pub fn list(
    conn: &mut DbConn,
    filter: &OpportunityFilter,
    sort: Sort,
    after: Option<&Keyset>,
    limit: i64,
    now: DateTime<Utc>,
) -> StoreResult<Page<Opportunity>> {
    list_to_depth(conn, filter, sort, after, limit, now, Depth::Summary)
}

/// [`list`], with entries loaded to `depth`.
pub fn list_to_depth(
    conn: &mut DbConn,
    filter: &OpportunityFilter,
    sort: Sort,
    after: Option<&Keyset>,
    limit: i64,
    now: DateTime<Utc>,
    depth: Depth,
) -> StoreResult<Page<Opportunity>> {
    use crate::db::schema::opportunities::dsl::*;
    let now = to_db_time(now);
    let backend = Backend::of(conn);
    let total: i64 = filtered(filter, now, backend).count().get_result(conn)?;
    let ranked = match (&filter.text, sort) {
        (Some(text), Sort::Relevance) if !text.only_excludes() => Some(text),
        _ => None,
    };
    if let Some(text) = ranked {
        search::rank_matches(conn, text)?;
    }
    let score = || match ranked {
        Some(text) => search::score(backend, text),
        None => Box::new(diesel::dsl::sql::<Double>("0.0")) as search::Score,
    };
    let query = filtered(filter, now, backend).select((OpportunityRow::as_select(), score()));
    let query = match (sort, ranked) {
        (Sort::Relevance, Some(_)) => query.order((score().desc(), id.asc())),
        (Sort::Deadline | Sort::Relevance, _) => query.order((sort_deadline.asc(), id.asc())),
        (Sort::DeadlineDesc, _) => query.order((sort_deadline.desc(), id.desc())),
        (Sort::Newest, _) => query.order((published_at.desc(), id.desc())),
        (Sort::Updated, _) => query.order((updated_at.desc(), id.desc())),
    };
    let query = match after {
        None => query,
        Some(position) => {
            let [deadline_at, published, updated, relevance] = position.keys.as_slice() else {
                return Err(super::invalid_cursor());
            };
            let after_id = position.id.clone();
            match (sort, ranked) {
                (Sort::Relevance, Some(_)) => {
                    let at: f64 = relevance.parse().map_err(|_| super::invalid_cursor())?;
                    query.filter(score().le(at).and(score().lt(at).or(id.gt(after_id))))
                }
                (Sort::Deadline | Sort::Relevance, _) => {
                    let at = parse_time_key(deadline_at)?;
                    // The first bound alone is a range an index serves.
                    query.filter(
                        sort_deadline
                            .ge(at)
                            .and(sort_deadline.gt(at).or(id.gt(after_id))),
                    )
                }
                (Sort::DeadlineDesc, _) => {
                    let at = parse_time_key(deadline_at)?;
                    query.filter(
                        sort_deadline
                            .le(at)
                            .and(sort_deadline.lt(at).or(id.lt(after_id))),
                    )
                }
                (Sort::Newest, _) => {
                    let at = parse_time_key(published)?;
                    let key = published_at.assume_not_null();
                    query.filter(key.le(at).and(key.lt(at).or(id.lt(after_id))))
                }
                (Sort::Updated, _) => {
                    let at = parse_time_key(updated)?;
                    query.filter(updated_at.le(at).and(updated_at.lt(at).or(id.lt(after_id))))
                }
            }
        }
    };
    let mut rows: Vec<(OpportunityRow, f64)> = query.limit(limit + 1).load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|(last, relevance)| Keyset {
            keys: vec![
                time_key(last.sort_deadline),
                time_key(last.published_at.unwrap_or(last.updated_at)),
                time_key(last.updated_at),
                relevance.to_string(),
            ],
            id: last.id.clone(),
        })
    } else {
        None
    };
    let rows = rows.into_iter().map(|(row, _)| row).collect();
    Ok(Page {
        items: with_lists(conn, rows, depth)?,
        total,
        next,
    })
}

/// The entries `ids` that are published, in the order of `ids`, loaded to `depth`.
pub fn published_in_order(
    conn: &mut DbConn,
    ids: &[String],
    depth: Depth,
) -> StoreResult<Vec<Opportunity>> {
    use crate::db::schema::opportunities::dsl::*;
    let rows: Vec<OpportunityRow> = opportunities
        .filter(id.eq_any(ids))
        .filter(state.eq(WorkflowState::Published.slug()))
        .select(OpportunityRow::as_select())
        .load(conn)?;
    let mut by_id: HashMap<String, OpportunityRow> =
        rows.into_iter().map(|r| (r.id.clone(), r)).collect();
    let ordered = ids.iter().filter_map(|i| by_id.remove(i)).collect();
    with_lists(conn, ordered, depth)
}

/// An opportunity in any workflow state, by its id or its slug.
pub fn find_any(conn: &mut DbConn, id_or_slug: &str) -> StoreResult<Opportunity> {
    use crate::db::schema::opportunities::dsl::*;
    // Two plain lookups rather than `id = $1 OR slug = $1`, whose cached plan can scan
    // the whole table.
    let by_id = if uuid::Uuid::parse_str(id_or_slug).is_ok() {
        opportunities
            .filter(id.eq(id_or_slug))
            .select(OpportunityRow::as_select())
            .first(conn)
            .optional()?
    } else {
        None
    };
    let row: OpportunityRow = match by_id {
        Some(row) => row,
        None => opportunities
            .filter(slug.eq(id_or_slug))
            .select(OpportunityRow::as_select())
            .first(conn)?,
    };
    with_lists(conn, vec![row], Depth::Full)?
        .pop()
        .ok_or(StoreError::NotFound)
}

fn group(rows: Vec<(String, String)>) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (owner, value) in rows {
        map.entry(owner).or_default().push(value);
    }
    map
}

/// Loads one child table's values for a set of opportunities, grouped by opportunity.
macro_rules! load_values {
    ($conn:expr, $table:ident, $column:ident, $ids:expr) => {
        group(
            $table::table
                .filter($table::opportunity_id.eq_any($ids))
                .select(($table::opportunity_id, $table::$column))
                .order(($table::opportunity_id, $table::$column))
                .load::<(String, String)>($conn)?,
        )
    };
}

/// Inserts one child table's `(opportunity_id, value)` pairs in multi-row statements.
macro_rules! insert_values {
    ($conn:expr, $table:ident, $column:ident, $pairs:expr) => {{
        let rows: Vec<_> = $pairs
            .map(|(id, value)| ($table::opportunity_id.eq(id), $table::$column.eq(value)))
            .collect();
        for chunk in rows.chunks(crate::db::rows_per_statement(2)) {
            on_backend!(&mut *$conn, c => diesel::insert_into($table::table)
                .values(chunk)
                .execute(c)?);
        }
    }};
}

/// How much of an entry a caller needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Everything (the detail, and the table export, whose rows import back).
    Full,
    /// What a list shows: no descriptions, no languages.
    Summary,
}

fn with_lists(
    conn: &mut DbConn,
    rows: Vec<OpportunityRow>,
    depth: Depth,
) -> StoreResult<Vec<Opportunity>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut texts: HashMap<String, Vec<TextRow>> = HashMap::new();
    let of_these = || {
        opportunity_texts::table
            .filter(opportunity_texts::opportunity_id.eq_any(&ids))
            .order((
                opportunity_texts::opportunity_id,
                opportunity_texts::language,
            ))
    };
    let loaded: Vec<TextRow> = match depth {
        Depth::Full => of_these().load(conn)?,
        Depth::Summary => of_these()
            .select((
                opportunity_texts::opportunity_id,
                opportunity_texts::language,
                opportunity_texts::title,
                opportunity_texts::summary,
                diesel::dsl::sql::<Nullable<Text>>("NULL"),
            ))
            .load(conn)?,
    };
    for text in loaded {
        texts
            .entry(text.opportunity_id.clone())
            .or_default()
            .push(text);
    }
    let mut disciplines = load_values!(conn, opportunity_disciplines, discipline, &ids);
    let mut costs = load_values!(conn, opportunity_covered_costs, cost, &ids);
    let mut destinations = load_values!(conn, opportunity_destinations, country, &ids);
    let mut nationalities = load_values!(conn, opportunity_nationalities, area, &ids);
    let mut residences = load_values!(conn, opportunity_residences, area, &ids);
    let mut languages = match depth {
        Depth::Full => load_values!(conn, opportunity_languages, language, &ids),
        Depth::Summary => HashMap::new(),
    };
    rows.into_iter()
        .map(|row| {
            let lists = OpportunityLists {
                texts: texts.remove(&row.id).unwrap_or_default(),
                disciplines: disciplines.remove(&row.id).unwrap_or_default(),
                covered_costs: costs.remove(&row.id).unwrap_or_default(),
                destinations: destinations.remove(&row.id).unwrap_or_default(),
                nationalities: nationalities.remove(&row.id).unwrap_or_default(),
                residences: residences.remove(&row.id).unwrap_or_default(),
                languages: languages.remove(&row.id).unwrap_or_default(),
            };
            row.into_domain(lists)
        })
        .collect()
}

/// Stores a new opportunity with all its lists, in one transaction.
pub fn insert(conn: &mut DbConn, o: &Opportunity) -> StoreResult<()> {
    insert_many(conn, std::slice::from_ref(o))
}

/// Stores new opportunities with all their lists in one transaction, a few multi-row
/// statements per table.
pub fn insert_many(conn: &mut DbConn, new: &[Opportunity]) -> StoreResult<()> {
    for o in new {
        check(o)?;
    }
    limits::write_transaction(conn, |conn| {
        super::directory::touch(conn)?;
        let rows: Vec<OpportunityRow> = new.iter().map(OpportunityRow::from_domain).collect();
        for chunk in rows.chunks(crate::db::rows_per_statement(OPPORTUNITY_COLUMNS)) {
            on_backend!(&mut *conn, c => diesel::insert_into(opportunities::table)
                .values(chunk)
                .execute(c)?);
        }
        insert_lists(conn, new)?;
        super::search::write(conn, new, false)?;
        let ids: Vec<String> = new.iter().map(|o| o.id.to_string()).collect();
        let published: Vec<super::changes::Change> = new
            .iter()
            .zip(&ids)
            .filter(|(o, _)| o.state == WorkflowState::Published)
            .map(|(o, id)| super::changes::Change {
                opportunity_id: id,
                slug: &o.slug,
                kind: crate::domain::change_feed::ChangeKind::Published,
            })
            .collect();
        super::changes::record(conn, &published, true)
    })
}

/// The columns of `opportunities`, the values one inserted row binds.
const OPPORTUNITY_COLUMNS: usize = 32;

/// Replaces a stored opportunity with `o` if it is still at `expected_version`; `o`
/// carries the next version. A stale version is a `Conflict`.
pub fn update(conn: &mut DbConn, o: &Opportunity, expected_version: i32) -> StoreResult<()> {
    check(o)?;
    limits::write_transaction(conn, |conn| {
        super::directory::touch(conn)?;
        let id = o.id.to_string();
        let before: String = opportunities::table
            .filter(opportunities::id.eq(&id))
            .select(opportunities::state)
            .first(conn)
            .optional()?
            .ok_or(StoreError::Stale)?;
        let changed = diesel::update(
            opportunities::table
                .filter(opportunities::id.eq(&id))
                .filter(opportunities::version.eq(expected_version)),
        )
        .set(&OpportunityRow::from_domain(o))
        .execute(conn)?;
        if changed == 0 {
            return Err(StoreError::Stale);
        }
        delete_lists(conn, &id)?;
        insert_lists(conn, std::slice::from_ref(o))?;
        super::search::write(conn, std::slice::from_ref(o), true)?;
        let before = WorkflowState::from_slug(&before)
            .ok_or_else(|| StoreError::Internal(format!("unknown state {before}")))?;
        let was = Opportunity {
            state: before,
            ..o.clone()
        };
        super::changes::record_transition(conn, &was, o.state)
    })
}

fn check(o: &Opportunity) -> StoreResult<()> {
    match o.check().into_iter().next() {
        Some((field, message)) => Err(StoreError::Invalid {
            field,
            message: message.to_owned(),
        }),
        None => Ok(()),
    }
}

fn delete_lists(conn: &mut DbConn, id: &str) -> StoreResult<()> {
    diesel::delete(opportunity_texts::table.filter(opportunity_texts::opportunity_id.eq(id)))
        .execute(conn)?;
    diesel::delete(
        opportunity_disciplines::table.filter(opportunity_disciplines::opportunity_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        opportunity_covered_costs::table.filter(opportunity_covered_costs::opportunity_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        opportunity_destinations::table.filter(opportunity_destinations::opportunity_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        opportunity_nationalities::table.filter(opportunity_nationalities::opportunity_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        opportunity_residences::table.filter(opportunity_residences::opportunity_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        opportunity_languages::table.filter(opportunity_languages::opportunity_id.eq(id)),
    )
    .execute(conn)?;
    Ok(())
}

/// Inserts the texts and lists of `new`, a few multi-row statements per table.
fn insert_lists(conn: &mut DbConn, new: &[Opportunity]) -> StoreResult<()> {
    let ids: Vec<String> = new.iter().map(|o| o.id.to_string()).collect();
    let texts: Vec<TextRow> = new.iter().flat_map(text_rows).collect();
    let text_values: Vec<_> = texts
        .iter()
        .map(|text| {
            (
                opportunity_texts::opportunity_id.eq(&text.opportunity_id),
                opportunity_texts::language.eq(&text.language),
                opportunity_texts::title.eq(&text.title),
                opportunity_texts::summary.eq(&text.summary),
                opportunity_texts::description.eq(&text.description),
            )
        })
        .collect();
    for chunk in text_values.chunks(crate::db::rows_per_statement(5)) {
        on_backend!(&mut *conn, c => diesel::insert_into(opportunity_texts::table)
            .values(chunk)
            .execute(c)?);
    }
    let each = || ids.iter().zip(new);
    insert_values!(
        conn,
        opportunity_disciplines,
        discipline,
        each().flat_map(|(id, o)| o.disciplines.iter().map(move |d| (id, d.slug())))
    );
    insert_values!(
        conn,
        opportunity_covered_costs,
        cost,
        each().flat_map(|(id, o)| o.covered_costs.iter().map(move |c| (id, c.slug())))
    );
    insert_values!(
        conn,
        opportunity_destinations,
        country,
        each().flat_map(|(id, o)| o.destination.countries.iter().map(move |c| (id, c.code())))
    );
    insert_values!(
        conn,
        opportunity_nationalities,
        area,
        each().flat_map(|(id, o)| o
            .eligibility
            .nationalities
            .iter()
            .map(move |a| (id, a.code())))
    );
    insert_values!(
        conn,
        opportunity_residences,
        area,
        each().flat_map(|(id, o)| o.eligibility.residences.iter().map(move |a| (id, a.code())))
    );
    insert_values!(
        conn,
        opportunity_languages,
        language,
        each().flat_map(|(id, o)| o.languages.iter().map(move |l| (id, l.code())))
    );
    Ok(())
}

/// Which of `slugs` entries already use, with the id of the entry using each.
pub fn slug_owners(conn: &mut DbConn, slugs: &[String]) -> StoreResult<HashMap<String, String>> {
    let mut owners = HashMap::new();
    for chunk in slugs.chunks(crate::db::rows_per_statement(1)) {
        let found: Vec<(String, String)> = opportunities::table
            .filter(opportunities::slug.eq_any(chunk))
            .select((opportunities::slug, opportunities::id))
            .load(conn)?;
        owners.extend(found);
    }
    Ok(owners)
}

/// How many opportunities are stored, published or not.
pub fn count_all(conn: &mut DbConn) -> StoreResult<i64> {
    Ok(opportunities::table.count().get_result(conn)?)
}
