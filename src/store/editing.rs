//! Changing opportunities: each change is one transaction that checks for a duplicate
//! source, keeps the version, and records a revision.

use chrono::Utc;
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::limits;
use crate::domain::changes::{Change, diff};
use crate::domain::duplicates::normalize_url;
use crate::domain::opportunity::Opportunity;
use crate::domain::vocabulary::WorkflowState;

use super::curation::{self, Provenance};
use super::revisions::{self, Event};
use super::{StoreError, StoreResult, opportunities};

fn refuse_duplicate_source(conn: &mut DbConn, o: &Opportunity) -> StoreResult<Option<String>> {
    let Some(key) = o.source_url.as_deref().and_then(normalize_url) else {
        return Ok(None);
    };
    match curation::find_by_source_key(conn, &key, Some(&o.id.to_string()))? {
        Some((id, slug)) => Err(StoreError::DuplicateSource { id, slug }),
        None => Ok(Some(key)),
    }
}

/// Stores a new entry with its provenance and a `created` revision.
pub fn create(
    conn: &mut DbConn,
    o: &Opportunity,
    mut provenance: Provenance,
    actor: Option<Uuid>,
    action: &'static str,
) -> StoreResult<()> {
    limits::write_transaction(conn, |conn| {
        provenance.source_url_key = refuse_duplicate_source(conn, o)?;
        opportunities::insert(conn, o)?;
        let id = o.id.to_string();
        curation::save_provenance(conn, &id, &provenance)?;
        revisions::record(
            conn,
            Event {
                entity: "opportunity",
                entity_id: &id,
                version: o.version,
                actor,
                action,
                changes: diff(None, o),
                note: None,
            },
        )
    })
}

/// Replaces `current` with `next` (same id; `next.version` is `current.version + 1`) and
/// records which fields changed.
pub fn replace(
    conn: &mut DbConn,
    current: &Opportunity,
    next: &Opportunity,
    actor: Option<Uuid>,
    action: &'static str,
) -> StoreResult<Vec<Change>> {
    limits::write_transaction(conn, |conn| {
        let key = refuse_duplicate_source(conn, next)?;
        opportunities::update(conn, next, current.version)?;
        let id = next.id.to_string();
        let mut provenance = curation::provenance(conn, &id)?;
        provenance.source_url_key = key;
        curation::save_provenance(conn, &id, &provenance)?;
        let changes = diff(Some(current), next);
        revisions::record(
            conn,
            Event {
                entity: "opportunity",
                entity_id: &id,
                version: next.version,
                actor,
                action,
                changes: changes.clone(),
                note: None,
            },
        )?;
        Ok(changes)
    })
}

/// Moves `o` to another workflow state. Publishing stamps `published_at` (first
/// publication only); a rejection keeps its reason.
pub fn transition(
    conn: &mut DbConn,
    o: &Opportunity,
    to: WorkflowState,
    actor: Option<Uuid>,
    action: &'static str,
    note: Option<String>,
) -> StoreResult<()> {
    limits::write_transaction(conn, |conn| {
        let published_at = match to {
            WorkflowState::Published => Some(o.published_at.unwrap_or_else(Utc::now)),
            _ => o.published_at,
        };
        curation::set_state(conn, o, to, published_at)?;
        let id = o.id.to_string();
        if action == "rejected" || action == "submitted" {
            let mut provenance = curation::provenance(conn, &id)?;
            provenance.rejection_reason = note.clone().filter(|_| action == "rejected");
            curation::save_provenance(conn, &id, &provenance)?;
        }
        revisions::record(
            conn,
            Event {
                entity: "opportunity",
                entity_id: &id,
                version: o.version + 1,
                actor,
                action,
                changes: vec![Change {
                    field: "state".into(),
                    from: Some(o.state.slug().into()),
                    to: Some(to.slug().into()),
                }],
                note,
            },
        )
    })
}

/// One entry of a bulk import, checked, with its organization resolved.
pub struct ImportItem {
    pub external_id: String,
    pub opportunity: Opportunity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAction {
    Created,
    Updated,
}

/// What the import did (or, in a dry run, would do) with one entry.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub action: ImportAction,
    pub id: Uuid,
    pub slug: String,
}

/// Upserts one item by (`source`, `external_id`) inside the caller's transaction. New
/// entries land in review, or published with `publish`.
pub fn import_one(
    conn: &mut DbConn,
    source: &str,
    item: &ImportItem,
    actor: Option<Uuid>,
    publish: bool,
) -> StoreResult<ImportOutcome> {
    let now = Utc::now();
    match curation::find_by_external_id(conn, source, &item.external_id)? {
        Some(id) => {
            let current = opportunities::find_any(conn, &id)?;
            let next = Opportunity {
                id: current.id,
                slug: unique_slug(conn, &item.opportunity.slug, Some(&id))?,
                state: current.state,
                version: current.version + 1,
                created_at: current.created_at,
                updated_at: now,
                published_at: current.published_at,
                ..item.opportunity.clone()
            };
            replace(conn, &current, &next, actor, "imported")?;
            Ok(ImportOutcome {
                action: ImportAction::Updated,
                id: next.id,
                slug: next.slug,
            })
        }
        None => {
            let o = Opportunity {
                id: Uuid::now_v7(),
                slug: unique_slug(conn, &item.opportunity.slug, None)?,
                state: if publish {
                    WorkflowState::Published
                } else {
                    WorkflowState::InReview
                },
                version: 1,
                created_at: now,
                updated_at: now,
                published_at: publish.then_some(now),
                ..item.opportunity.clone()
            };
            let provenance = Provenance {
                created_by: actor,
                import_source: Some(source.to_owned()),
                external_id: Some(item.external_id.clone()),
                ..Provenance::default()
            };
            create(conn, &o, provenance, actor, "imported")?;
            Ok(ImportOutcome {
                action: ImportAction::Created,
                id: o.id,
                slug: o.slug,
            })
        }
    }
}

/// `base`, or `base-2`, `base-3`… whichever no other entry uses.
fn unique_slug(conn: &mut DbConn, base: &str, owner: Option<&str>) -> StoreResult<String> {
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.to_owned()
        } else {
            format!("{base}-{n}")
        };
        match opportunities::find_any(conn, &candidate) {
            Err(StoreError::NotFound) => return Ok(candidate),
            Ok(o) if Some(o.id.to_string().as_str()) == owner => return Ok(candidate),
            Ok(_) => {}
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict(format!("no free slug near `{base}`")))
}
