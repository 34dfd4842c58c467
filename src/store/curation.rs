//! The curation side of opportunities: provenance, workflow states, staff listings and
//! duplicate detection.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use std::collections::HashMap;

use crate::db::schema::{opportunities, opportunity_provenance, opportunity_texts};
use crate::db::{DbConn, on_backend};
use crate::domain::duplicates::{ComparableTitle, near_identical};
use crate::domain::opportunity::{Lang, Opportunity};
use crate::domain::vocabulary::WorkflowState;

use super::{Keyset, Page, StoreError, StoreResult, parse_time_key, time_key, to_db_time};

/// Where an entry came from and who stands behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    pub created_by: Option<Uuid>,
    pub source_url_key: Option<String>,
    pub import_source: Option<String>,
    pub external_id: Option<String>,
    pub submitter_name: Option<String>,
    pub submitter_email: Option<String>,
    pub rejection_reason: Option<String>,
}

type ProvenanceRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub fn provenance(conn: &mut DbConn, id: &str) -> StoreResult<Provenance> {
    use opportunity_provenance::dsl as p;
    let row: Option<ProvenanceRow> = p::opportunity_provenance
        .filter(p::opportunity_id.eq(id))
        .select((
            p::created_by,
            p::source_url_key,
            p::import_source,
            p::external_id,
            p::submitter_name,
            p::submitter_email,
            p::rejection_reason,
        ))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => Provenance::default(),
        Some((
            created_by,
            source_url_key,
            import_source,
            external_id,
            submitter_name,
            submitter_email,
            rejection_reason,
        )) => Provenance {
            created_by: created_by.and_then(|c| Uuid::parse_str(&c).ok()),
            source_url_key,
            import_source,
            external_id,
            submitter_name,
            submitter_email,
            rejection_reason,
        },
    })
}

pub fn save_provenance(conn: &mut DbConn, id: &str, p: &Provenance) -> StoreResult<()> {
    use opportunity_provenance::dsl as t;
    diesel::delete(t::opportunity_provenance.filter(t::opportunity_id.eq(id))).execute(conn)?;
    insert_provenances(conn, &[(id, p)])
}

/// Stores the provenance of new entries, in multi-row statements.
pub fn insert_provenances(conn: &mut DbConn, new: &[(&str, &Provenance)]) -> StoreResult<()> {
    use opportunity_provenance::dsl as t;
    let rows: Vec<_> = new
        .iter()
        .map(|(id, p)| {
            (
                t::opportunity_id.eq(*id),
                t::created_by.eq(p.created_by.map(|c| c.to_string())),
                t::source_url_key.eq(&p.source_url_key),
                t::import_source.eq(&p.import_source),
                t::external_id.eq(&p.external_id),
                t::submitter_name.eq(&p.submitter_name),
                t::submitter_email.eq(&p.submitter_email),
                t::rejection_reason.eq(&p.rejection_reason),
            )
        })
        .collect();
    for chunk in rows.chunks(crate::db::rows_per_statement(8)) {
        on_backend!(&mut *conn, c => diesel::insert_into(t::opportunity_provenance)
            .values(chunk)
            .execute(c)?);
    }
    Ok(())
}

/// The (id, slug) of another entry whose normalised source URL is `key`.
pub fn find_by_source_key(
    conn: &mut DbConn,
    key: &str,
    except: Option<&str>,
) -> StoreResult<Option<(String, String)>> {
    let found: Option<(String, String)> = opportunity_provenance::table
        .inner_join(
            opportunities::table.on(opportunities::id.eq(opportunity_provenance::opportunity_id)),
        )
        .filter(opportunity_provenance::source_url_key.eq(key))
        .filter(opportunities::id.ne(except.unwrap_or("")))
        .select((opportunities::id, opportunities::slug))
        .first(conn)
        .optional()?;
    Ok(found)
}

/// The (id, slug) of the entry holding each of `keys` as its normalised source URL.
pub fn find_by_source_keys(
    conn: &mut DbConn,
    keys: &[String],
) -> StoreResult<HashMap<String, (String, String)>> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(crate::db::rows_per_statement(1)) {
        let rows: Vec<(Option<String>, String, String)> = opportunity_provenance::table
            .inner_join(
                opportunities::table
                    .on(opportunities::id.eq(opportunity_provenance::opportunity_id)),
            )
            .filter(opportunity_provenance::source_url_key.eq_any(chunk))
            .select((
                opportunity_provenance::source_url_key,
                opportunities::id,
                opportunities::slug,
            ))
            .load(conn)?;
        found.extend(
            rows.into_iter()
                .filter_map(|(key, id, slug)| Some((key?, (id, slug)))),
        );
    }
    Ok(found)
}

/// The id of the entry an import created for (`source`, `external_id`).
pub fn find_by_external_id(
    conn: &mut DbConn,
    source: &str,
    external_id: &str,
) -> StoreResult<Option<String>> {
    Ok(
        find_by_external_ids(conn, source, &[external_id.to_owned()])?
            .into_values()
            .next(),
    )
}

/// The ids of the entries an import from `source` created, by their `external_id`.
pub fn find_by_external_ids(
    conn: &mut DbConn,
    source: &str,
    external_ids: &[String],
) -> StoreResult<HashMap<String, String>> {
    let mut found = HashMap::new();
    for chunk in external_ids.chunks(crate::db::rows_per_statement(1) - 1) {
        let rows: Vec<(Option<String>, String)> = opportunity_provenance::table
            .filter(opportunity_provenance::import_source.eq(source))
            .filter(opportunity_provenance::external_id.eq_any(chunk))
            .select((
                opportunity_provenance::external_id,
                opportunity_provenance::opportunity_id,
            ))
            .load(conn)?;
        found.extend(rows.into_iter().filter_map(|(key, id)| Some((key?, id))));
    }
    Ok(found)
}

/// Moves an entry to `state` if it is still at `expected_version`, raising the version.
pub fn set_state(
    conn: &mut DbConn,
    o: &Opportunity,
    state: WorkflowState,
    published_at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    super::directory::touch(conn)?;
    let changed = diesel::update(
        opportunities::table
            .filter(opportunities::id.eq(o.id.to_string()))
            .filter(opportunities::version.eq(o.version)),
    )
    .set((
        opportunities::state.eq(state.slug()),
        opportunities::version.eq(o.version + 1),
        opportunities::published_at.eq(published_at.map(to_db_time)),
        opportunities::updated_at.eq(to_db_time(Utc::now())),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::Stale);
    }
    super::changes::record_transition(conn, o, state)
}

/// Entries in the given workflow states (all when empty), optionally only one author's,
/// most recently updated first.
pub fn list_by_state(
    conn: &mut DbConn,
    states: &[WorkflowState],
    created_by: Option<Uuid>,
    missing_translation: Option<Lang>,
    after: Option<&Keyset>,
    limit: i64,
) -> StoreResult<Page<Opportunity>> {
    let filtered = || {
        let mut q = opportunities::table.into_boxed();
        if !states.is_empty() {
            q = q.filter(
                opportunities::state.eq_any(states.iter().map(|s| s.slug()).collect::<Vec<_>>()),
            );
        }
        // Entries with a title, summary or description in the other language but not
        // in this one.
        use crate::db::schema::opportunity_search::dsl::*;
        match missing_translation {
            Some(Lang::Sl) => {
                q = q.filter(
                    opportunities::id.eq_any(
                        opportunity_search
                            .filter(
                                (title_sl.is_null().and(title_en.is_not_null()))
                                    .or(summary_sl.is_null().and(summary_en.is_not_null()))
                                    .or(description_sl.is_null().and(description_en.is_not_null())),
                            )
                            .select(opportunity_id),
                    ),
                )
            }
            Some(Lang::En) => {
                q = q.filter(
                    opportunities::id.eq_any(
                        opportunity_search
                            .filter(
                                (title_en.is_null().and(title_sl.is_not_null()))
                                    .or(summary_en.is_null().and(summary_sl.is_not_null()))
                                    .or(description_en.is_null().and(description_sl.is_not_null())),
                            )
                            .select(opportunity_id),
                    ),
                )
            }
            None => {}
        }
        if let Some(author) = created_by {
            q = q.filter(
                opportunities::id.eq_any(
                    opportunity_provenance::table
                        .filter(opportunity_provenance::created_by.eq(author.to_string()))
                        .select(opportunity_provenance::opportunity_id),
                ),
            );
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let mut query = filtered()
        .order((opportunities::updated_at.desc(), opportunities::id.desc()))
        .select(opportunities::id);
    if let Some(position) = after {
        let [updated] = position.keys::<1>()?;
        let at = parse_time_key(updated)?;
        query = query.filter(
            opportunities::updated_at
                .lt(at)
                .or(opportunities::updated_at
                    .eq(at)
                    .and(opportunities::id.lt(position.id.clone()))),
        );
    }
    let mut ids: Vec<String> = query.limit(limit + 1).load(conn)?;
    let more = ids.len() as i64 > limit;
    ids.truncate(limit as usize);
    let items = ids
        .iter()
        .map(|id| super::opportunities::find_any(conn, id))
        .collect::<StoreResult<Vec<_>>>()?;
    let next = if more {
        items.last().map(|o| Keyset {
            keys: vec![time_key(to_db_time(o.updated_at))],
            id: o.id.to_string(),
        })
    } else {
        None
    };
    Ok(Page { items, total, next })
}

/// Another entry whose title is near-identical to one of `o`'s.
#[derive(Debug, Clone)]
pub struct Similar {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub similarity: f64,
}

/// How many of an organizer's most recently changed entries a new or changed entry is
/// compared with, so that the cost of a write does not grow with the organizer's history.
pub const SIMILAR_AMONG_LATEST: i64 = 1000;

/// Entries of the same organizer (not withdrawn), among its [`SIMILAR_AMONG_LATEST`] most
/// recently changed, whose title in either language is at least
/// [`TITLE_SIMILARITY_THRESHOLD`](crate::domain::duplicates::TITLE_SIMILARITY_THRESHOLD) similar to a title of `o`.
pub fn similar_titles(conn: &mut DbConn, o: &Opportunity) -> StoreResult<Vec<Similar>> {
    let candidates = latest_titles(conn, o.organization_id, Some(o.id))?;
    let own: Vec<&str> = [o.title.en.as_deref(), o.title.sl.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let mut found: Vec<Similar> = Vec::new();
    for (id, slug, title) in candidates {
        let score = own
            .iter()
            .filter_map(|t| near_identical(t, &title))
            .reduce(f64::max);
        if let Some(score) = score {
            match found.iter_mut().find(|s| s.id == id) {
                Some(existing) if existing.similarity >= score => {}
                Some(existing) => {
                    *existing = Similar {
                        id,
                        slug,
                        title,
                        similarity: score,
                    }
                }
                None => found.push(Similar {
                    id,
                    slug,
                    title,
                    similarity: score,
                }),
            }
        }
    }
    found.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    Ok(found)
}

/// The (id, slug, title) of each title of the organizer's [`SIMILAR_AMONG_LATEST`] most
/// recently changed entries (not withdrawn), but `except`.
pub fn latest_titles(
    conn: &mut DbConn,
    organization: Uuid,
    except: Option<Uuid>,
) -> StoreResult<Vec<(String, String, String)>> {
    let except = except.map(|id| id.to_string()).unwrap_or_default();
    Ok(opportunities::table
        .inner_join(
            opportunity_texts::table.on(opportunity_texts::opportunity_id.eq(opportunities::id)),
        )
        .filter(opportunities::organization_id.eq(organization.to_string()))
        .filter(opportunities::id.ne(except))
        .filter(opportunities::state.ne(WorkflowState::Withdrawn.slug()))
        .order((opportunities::updated_at.desc(), opportunities::id.desc()))
        // Up to two titles (English and Slovenian) per entry.
        .limit(SIMILAR_AMONG_LATEST * 2)
        .select((
            opportunities::id,
            opportunities::slug,
            opportunity_texts::title,
        ))
        .load(conn)?)
}

/// How many neighbours, in title order within an organizer, each title is compared with.
const PAIR_WINDOW: usize = 50;

/// Pairs of entries (not withdrawn) of one organizer with near-identical titles. Titles
/// are compared with their [`PAIR_WINDOW`] neighbours in alphabetical order within the
/// organizer, so the work grows with the number of entries, not with its square; a pair
/// whose titles differ in their first words can be missed.
pub fn duplicate_pairs(conn: &mut DbConn) -> StoreResult<Vec<(Similar, Similar)>> {
    let rows: Vec<(String, String, String, String)> = opportunities::table
        .inner_join(
            opportunity_texts::table.on(opportunity_texts::opportunity_id.eq(opportunities::id)),
        )
        .filter(opportunities::state.ne(WorkflowState::Withdrawn.slug()))
        .select((
            opportunities::organization_id,
            opportunities::id,
            opportunities::slug,
            opportunity_texts::title,
        ))
        .load(conn)?;
    let mut rows = rows;
    rows.sort_by_cached_key(|r| (r.0.clone(), r.3.to_lowercase()));
    let titles: Vec<ComparableTitle> = rows.iter().map(|r| ComparableTitle::new(&r.3)).collect();
    let mut pairs: Vec<(Similar, Similar)> = Vec::new();
    let mut seen: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    for (i, a) in rows.iter().enumerate() {
        for (b, b_title) in rows[i + 1..]
            .iter()
            .zip(&titles[i + 1..])
            .take(PAIR_WINDOW)
            .take_while(|(b, _)| b.0 == a.0)
        {
            let key = if a.1 < b.1 {
                (a.1.clone(), b.1.clone())
            } else {
                (b.1.clone(), a.1.clone())
            };
            if a.1 == b.1 || seen.contains(&key) {
                continue;
            }
            if let Some(score) = titles[i].near_identical(b_title) {
                let side = |r: &(String, String, String, String)| Similar {
                    id: r.1.clone(),
                    slug: r.2.clone(),
                    title: r.3.clone(),
                    similarity: score,
                };
                seen.insert(key);
                let (first, second) = if a.1 < b.1 { (a, b) } else { (b, a) };
                pairs.push((side(first), side(second)));
            }
        }
    }
    pairs.sort_by(|x, y| (&x.0.id, &x.1.id).cmp(&(&y.0.id, &y.1.id)));
    Ok(pairs)
}
