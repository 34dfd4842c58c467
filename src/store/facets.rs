//! Facet counts: how many of a list's matches have each type, discipline, destination,
//! covered cost, career stage and status, for filter menus.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use crate::db::schema::opportunities;
use crate::db::{Backend, DbConn};
use crate::domain::status::{Schedule, Status};

use super::opportunities::{OpportunityFilter, filtered, no_deadline};
use super::{StoreResult, from_db_time, to_db_time};

/// A property of entries a list can count its matches by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    Type,
    Discipline,
    DestinationCountry,
    Covers,
    CareerStage,
    Status,
}

/// The values of one facet with how many matches have each, most first.
pub type Counts = Vec<(String, i64)>;

/// How many matches of `filter` have each value of each facet in `wanted`, most first.
/// Each facet is counted without the filter's own condition on it (disjunctive
/// faceting): counting types ignores `type`, so that a menu shows every type the other
/// filters leave. Values without matches are left out.
///
/// Facets whose filters are the same share one pass over the matching entries, which
/// reads each entry's own columns and its lists folded into one text per list.
pub fn count(
    conn: &mut DbConn,
    filter: &OpportunityFilter,
    wanted: &[Facet],
    now: DateTime<Utc>,
) -> StoreResult<Vec<(Facet, Counts)>> {
    let mut passes: Vec<(OpportunityFilter, Vec<Facet>)> = Vec::new();
    for &facet in wanted {
        let base = without_own_filter(filter, facet);
        match passes.iter_mut().find(|(f, _)| *f == base) {
            Some((_, facets)) => facets.push(facet),
            None => passes.push((base, vec![facet])),
        }
    }
    let mut counted: HashMap<Facet, Counts> = HashMap::new();
    for (base, facets) in passes {
        for (facet, counts) in one_pass(conn, &base, &facets, now)? {
            counted.insert(facet, counts);
        }
    }
    Ok(wanted
        .iter()
        .map(|f| (*f, counted.remove(f).unwrap_or_default()))
        .collect())
}

fn without_own_filter(filter: &OpportunityFilter, facet: Facet) -> OpportunityFilter {
    let mut base = filter.clone();
    match facet {
        Facet::Type => base.kinds.clear(),
        Facet::Discipline => base.disciplines.clear(),
        Facet::DestinationCountry => base.destinations.clear(),
        Facet::Covers => base.covers.clear(),
        Facet::CareerStage => base.career_stages.clear(),
        Facet::Status => base.statuses = Status::ALL.to_vec(),
    }
    base
}

/// One child list of every matching entry, as one comma-separated text, or NULL when
/// the pass does not need it.
fn list_of(backend: Backend, needed: bool, table: &str, column: &str) -> String {
    if !needed {
        return "NULL".into();
    }
    let aggregate = match backend {
        Backend::Sqlite => format!("group_concat({column}, ',')"),
        Backend::Postgres => format!("string_agg({column}, ',')"),
    };
    format!("(SELECT {aggregate} FROM {table} WHERE opportunity_id = opportunities.id)")
}

type Row = (
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    bool,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn one_pass(
    conn: &mut DbConn,
    base: &OpportunityFilter,
    facets: &[Facet],
    now: DateTime<Utc>,
) -> StoreResult<Vec<(Facet, Counts)>> {
    let backend = Backend::of(conn);
    let needs = |f: Facet| facets.contains(&f);
    let rows: Vec<Row> = filtered(base, to_db_time(now), backend)
        .select((
            opportunities::kind,
            opportunities::career_stage,
            opportunities::sort_deadline,
            opportunities::opens_at,
            opportunities::rolling,
            diesel::dsl::sql::<Nullable<Text>>(&list_of(
                backend,
                needs(Facet::Discipline),
                "opportunity_disciplines",
                "discipline",
            )),
            diesel::dsl::sql::<Nullable<Text>>(&list_of(
                backend,
                needs(Facet::DestinationCountry),
                "opportunity_destinations",
                "country",
            )),
            diesel::dsl::sql::<Nullable<Text>>(&list_of(
                backend,
                needs(Facet::Covers),
                "opportunity_covered_costs",
                "cost",
            )),
        ))
        .load(conn)?;
    let mut tallies: Vec<(Facet, HashMap<String, i64>)> =
        facets.iter().map(|f| (*f, HashMap::new())).collect();
    let far = no_deadline();
    for (kind, stage, sort_deadline, opens_at, rolling, disciplines, countries, costs) in &rows {
        for (facet, tally) in tallies.iter_mut() {
            let mut add = |value: &str| *tally.entry(value.to_owned()).or_insert(0) += 1;
            match facet {
                Facet::Type => add(kind),
                Facet::CareerStage => add(stage),
                Facet::Status => {
                    let schedule = Schedule {
                        opens_at: opens_at.map(from_db_time),
                        deadline: (*sort_deadline != far).then(|| from_db_time(*sort_deadline)),
                        rolling: *rolling,
                    };
                    add(schedule.status_at(now).slug());
                }
                Facet::Discipline => split(disciplines).for_each(add),
                Facet::DestinationCountry => split(countries).for_each(add),
                Facet::Covers => split(costs).for_each(add),
            }
        }
    }
    Ok(tallies
        .into_iter()
        .map(|(facet, tally)| {
            let mut counts: Counts = tally.into_iter().filter(|(_, n)| *n > 0).collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            (facet, counts)
        })
        .collect())
}

fn split(list: &Option<String>) -> impl Iterator<Item = &str> {
    list.as_deref()
        .into_iter()
        .flat_map(|l| l.split(','))
        .filter(|v| !v.is_empty())
}
