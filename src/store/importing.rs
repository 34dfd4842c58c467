//! Bulk import: entries created, or updated in place, inside the caller's transaction.
//! New entries are written a batch at a time, in a few multi-row statements per table,
//! instead of some twenty round trips each.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use diesel::connection::{CacheSize, SimpleConnection};
use diesel::{Connection, RunQueryDsl};
use uuid::Uuid;

use crate::db::DbConn;
use crate::domain::changes::diff;
use crate::domain::duplicates::normalize_url;
use crate::domain::opportunity::Opportunity;
use crate::domain::vocabulary::WorkflowState;

use super::curation::{self, Provenance};
use super::editing;
use super::revisions::{self, Event};
use super::{StoreError, StoreResult, opportunities};

/// One entry of a bulk import, checked, with its organization resolved: new, or the
/// content that replaces a stored entry.
pub struct ImportItem {
    /// The entry's id at the import's source; provenance of a new entry.
    pub external_id: Option<String>,
    /// The stored entry the row updates, as it was read for the checks.
    pub current: Option<Opportunity>,
    pub opportunity: Opportunity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAction {
    Created,
    Updated,
    /// The row says what the entry already is: nothing was written.
    Unchanged,
}

/// What the import did (or, in a dry run, would do) with one entry.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub action: ImportAction,
    pub id: Uuid,
    pub slug: String,
    /// The entry's workflow state afterwards.
    pub state: WorkflowState,
}

/// How one import writes: where its entries come from, who runs it, and whether its
/// entries are published at once (otherwise new ones land in review, and updated ones
/// keep their state).
pub struct ImportRun<'a> {
    pub source: &'a str,
    pub actor: Option<Uuid>,
    pub publish: bool,
}

/// Readies the caller's import transaction; [`end`] undoes it once the transaction is over.
///
/// On PostgreSQL an import grows its tables by thousands of rows inside one transaction,
/// where the planner's statistics do not see them, so a plan made early, while a table
/// was small, may scan it whole by the end (batches of 500 new entries took 0.5 s each,
/// not 0.05 s, by the end of a 100,000-entry import). Two settings keep every plan on the
/// indexes:
///
/// - The connection stops caching prepared statements: each statement of ours is then
///   planned once, with its values, for the tables as they are when it runs.
/// - `enable_seqscan = off` for the transaction, for the statements PostgreSQL itself
///   prepares and caches: the foreign-key checks, one per inserted row. Their cached plan
///   is made on the connection's first check, and for a table that is small then (a
///   directory of a few entries) it is a sequential scan: the rest of the import would
///   read the whole table once per inserted row. Every lookup of an import goes by key,
///   so an index is always the right way.
///
/// Until #15 the transaction set `plan_cache_mode = force_custom_plan` instead. That also
/// re-planned every foreign-key check, each inserted row of each table: at 100,000
/// entries, about a million plans, nearly a third of the import's time.
pub fn begin(conn: &mut DbConn) -> StoreResult<()> {
    if let DbConn::Postgres(pg) = conn {
        pg.set_prepared_statement_cache_size(CacheSize::Disabled);
        diesel::sql_query("SET LOCAL enable_seqscan = off").execute(pg)?;
    }
    Ok(())
}

/// Gives the connection its statement cache back after an import's transaction, committed
/// or not. The statements it had prepared are dropped on the server too: the cache that
/// knew their names is gone.
pub fn end(conn: &mut DbConn) -> StoreResult<()> {
    if let DbConn::Postgres(pg) = conn {
        pg.set_prepared_statement_cache_size(CacheSize::Unbounded);
        pg.batch_execute("DEALLOCATE ALL")?;
    }
    Ok(())
}

/// Writes `items` in order, inside the caller's transaction, and says for each what it
/// did or why it was refused. Entries the rows update are replaced one by one; new entries
/// are gathered and written together. A refused item writes nothing, but the others of the
/// batch may be written: the caller rolls the whole import back.
pub fn import_batch(
    conn: &mut DbConn,
    run: &ImportRun,
    items: Vec<ImportItem>,
) -> StoreResult<Vec<Result<ImportOutcome, StoreError>>> {
    let mut outcomes: Vec<Option<Result<ImportOutcome, StoreError>>> = Vec::new();
    let mut fresh: Vec<(usize, ImportItem)> = Vec::new();
    for item in items {
        match item.current {
            Some(ref current) => {
                // Earlier rows of the import are written first, so that the slugs and
                // source URLs this entry is checked against include them.
                create_all(conn, run, std::mem::take(&mut fresh), &mut outcomes)?;
                outcomes.push(Some(update_one(conn, run, current, &item.opportunity)));
            }
            None => {
                fresh.push((outcomes.len(), item));
                outcomes.push(None);
            }
        }
    }
    create_all(conn, run, fresh, &mut outcomes)?;
    Ok(outcomes
        .into_iter()
        .map(|o| o.expect("every item has an outcome"))
        .collect())
}

/// Replaces `current` with the item's content, keeping its state and history, and with
/// `publish` publishes it (a revision each). A row that changes nothing writes nothing.
fn update_one(
    conn: &mut DbConn,
    run: &ImportRun,
    current: &Opportunity,
    content: &Opportunity,
) -> Result<ImportOutcome, StoreError> {
    let id = current.id.to_string();
    let mut claimed = HashSet::new();
    let next = Opportunity {
        id: current.id,
        slug: free_slug(conn, &content.slug, Some(&id), &mut claimed)?,
        state: current.state,
        version: current.version + 1,
        created_at: current.created_at,
        updated_at: Utc::now(),
        published_at: current.published_at,
        ..content.clone()
    };
    let changed = !diff(Some(current), &next).is_empty();
    let publish = run.publish && current.state != WorkflowState::Published;
    if !changed && !publish {
        return Ok(ImportOutcome {
            action: ImportAction::Unchanged,
            id: current.id,
            slug: current.slug.clone(),
            state: current.state,
        });
    }
    let mut latest = current.clone();
    if changed {
        editing::replace(conn, current, &next, run.actor, "imported")?;
        latest = next;
    }
    if publish {
        editing::transition(
            conn,
            &latest,
            WorkflowState::Published,
            run.actor,
            "published",
            None,
        )?;
        latest.state = WorkflowState::Published;
    }
    Ok(ImportOutcome {
        action: ImportAction::Updated,
        id: latest.id,
        slug: latest.slug,
        state: latest.state,
    })
}

/// Creates the entries of `fresh` (each with its place in `outcomes`), after checking
/// them against the store and against each other; fills in their outcomes.
fn create_all(
    conn: &mut DbConn,
    run: &ImportRun,
    fresh: Vec<(usize, ImportItem)>,
    outcomes: &mut [Option<Result<ImportOutcome, StoreError>>],
) -> StoreResult<()> {
    if fresh.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let keys: Vec<Option<String>> = fresh
        .iter()
        .map(|(_, item)| {
            item.opportunity
                .source_url
                .as_deref()
                .and_then(normalize_url)
        })
        .collect();
    let wanted: Vec<String> = keys.iter().flatten().cloned().collect();
    let mut sources = curation::find_by_source_keys(conn, &wanted)?;
    let bases: Vec<String> = fresh
        .iter()
        .map(|(_, item)| item.opportunity.slug.clone())
        .collect();
    // Slugs taken, by stored entries or by entries of this batch: a base found free here
    // is taken without another lookup.
    let mut claimed: HashSet<String> = opportunities::slug_owners(conn, &bases)?
        .into_keys()
        .collect();
    let mut created: Vec<(Opportunity, Provenance)> = Vec::new();
    for ((place, item), key) in fresh.into_iter().zip(keys) {
        let outcome = (|| {
            if let Some((id, slug)) = key.as_ref().and_then(|k| sources.get(k)) {
                return Err(StoreError::DuplicateSource {
                    id: id.clone(),
                    slug: slug.clone(),
                });
            }
            let base = &item.opportunity.slug;
            let slug = if claimed.insert(base.clone()) {
                base.clone()
            } else {
                free_slug(conn, base, None, &mut claimed)?
            };
            let o = Opportunity {
                id: Uuid::now_v7(),
                slug,
                state: if run.publish {
                    WorkflowState::Published
                } else {
                    WorkflowState::InReview
                },
                version: 1,
                created_at: now,
                updated_at: now,
                published_at: run.publish.then_some(now),
                ..item.opportunity
            };
            if let Some((field, message)) = o.check().into_iter().next() {
                return Err(StoreError::Invalid {
                    field,
                    message: message.to_owned(),
                });
            }
            editing::refuse_unpublishable(&o, o.state)?;
            if let Some(k) = &key {
                sources.insert(k.clone(), (o.id.to_string(), o.slug.clone()));
            }
            let outcome = ImportOutcome {
                action: ImportAction::Created,
                id: o.id,
                slug: o.slug.clone(),
                state: o.state,
            };
            created.push((
                o,
                Provenance {
                    created_by: run.actor,
                    source_url_key: key.clone(),
                    import_source: Some(run.source.to_owned()),
                    external_id: item.external_id,
                    ..Provenance::default()
                },
            ));
            Ok(outcome)
        })();
        outcomes[place] = Some(outcome);
    }
    write_new(conn, run, created)
}

/// Writes new entries with their provenance and a revision each.
fn write_new(
    conn: &mut DbConn,
    run: &ImportRun,
    created: Vec<(Opportunity, Provenance)>,
) -> StoreResult<()> {
    if created.is_empty() {
        return Ok(());
    }
    let (entries, provenances): (Vec<Opportunity>, Vec<Provenance>) = created.into_iter().unzip();
    opportunities::insert_many(conn, &entries)?;
    let ids: Vec<String> = entries.iter().map(|o| o.id.to_string()).collect();
    let pairs: Vec<(&str, &Provenance)> =
        ids.iter().map(String::as_str).zip(&provenances).collect();
    curation::insert_provenances(conn, &pairs)?;
    revisions::record_many(
        conn,
        ids.iter()
            .zip(&entries)
            .map(|(id, o)| Event {
                entity: "opportunity",
                entity_id: id,
                version: o.version,
                actor: run.actor,
                action: "imported",
                changes: diff(None, o),
                note: None,
            })
            .collect(),
    )
}

/// How many candidate slugs one lookup tries.
const SLUG_CANDIDATES_PER_LOOKUP: usize = 50;

/// `base`, or `base-2`, `base-3`… whichever is neither used by another entry than
/// `owner` nor in `claimed`; claims it. `claimed` holds slugs known to be taken.
fn free_slug(
    conn: &mut DbConn,
    base: &str,
    owner: Option<&str>,
    claimed: &mut HashSet<String>,
) -> StoreResult<String> {
    let candidate = |n: usize| {
        if n == 1 {
            base.to_owned()
        } else {
            format!("{base}-{n}")
        }
    };
    for first in (1..1000).step_by(SLUG_CANDIDATES_PER_LOOKUP) {
        let candidates: Vec<String> = (first..first + SLUG_CANDIDATES_PER_LOOKUP)
            .map(candidate)
            .collect();
        let owners: HashMap<String, String> = opportunities::slug_owners(conn, &candidates)?;
        for slug in candidates {
            let free = match owners.get(&slug) {
                None => !claimed.contains(&slug),
                Some(id) => Some(id.as_str()) == owner,
            };
            if free {
                claimed.insert(slug.clone());
                return Ok(slug);
            }
        }
    }
    Err(StoreError::Conflict(format!("no free slug near `{base}`")))
}
