//! Changing opportunities: each change is one transaction that checks for a duplicate
//! source, keeps the version, and records a revision.

use chrono::Utc;
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::limits;
use crate::domain::changes::{Change, diff};
use crate::domain::duplicates::normalize_url;
use crate::domain::opportunity::Opportunity;
use crate::domain::publication;
use crate::domain::vocabulary::WorkflowState;

use super::curation::{self, Provenance};
use super::revisions::{self, Event};
use super::{StoreError, StoreResult, opportunities};

/// Refuses to leave `o` published when it lacks what publication needs.
pub fn refuse_unpublishable(o: &Opportunity, state: WorkflowState) -> StoreResult<()> {
    let missing = publication::missing(o);
    if state == WorkflowState::Published && !missing.is_empty() {
        return Err(StoreError::Unpublishable(missing));
    }
    Ok(())
}

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
/// records which fields changed. A published entry must stay complete enough to publish.
pub fn replace(
    conn: &mut DbConn,
    current: &Opportunity,
    next: &Opportunity,
    actor: Option<Uuid>,
    action: &'static str,
) -> StoreResult<Vec<Change>> {
    refuse_unpublishable(next, next.state)?;
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

/// Moves `o` to another workflow state. Publishing needs what [`publication::missing`]
/// asks for and stamps `published_at` (first publication only); a rejection keeps its
/// reason.
pub fn transition(
    conn: &mut DbConn,
    o: &Opportunity,
    to: WorkflowState,
    actor: Option<Uuid>,
    action: &'static str,
    note: Option<String>,
) -> StoreResult<()> {
    refuse_unpublishable(o, to)?;
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
