//! Revision history: who changed which fields of an entry, and when.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::revisions;
use crate::db::{DbConn, on_backend};
use crate::domain::changes::Change;

use super::{StoreError, StoreResult, from_db_time, to_db_time};

#[derive(Debug, Clone)]
pub struct Revision {
    pub id: String,
    pub version: i32,
    pub actor_id: Option<String>,
    pub action: String,
    pub changes: Vec<Change>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What happened to an entry, by whom (`None`: a public submission or the command line).
pub struct Event<'a> {
    pub entity: &'static str,
    pub entity_id: &'a str,
    pub version: i32,
    pub actor: Option<Uuid>,
    pub action: &'static str,
    pub changes: Vec<Change>,
    pub note: Option<String>,
}

pub fn record(conn: &mut DbConn, event: Event) -> StoreResult<()> {
    record_many(conn, vec![event])
}

/// Records events in multi-row statements.
pub fn record_many(conn: &mut DbConn, events: Vec<Event>) -> StoreResult<()> {
    let now = to_db_time(Utc::now());
    let mut rows = Vec::with_capacity(events.len());
    for event in events {
        let changes = serde_json::to_string(&event.changes)
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        rows.push((
            revisions::id.eq(Uuid::now_v7().to_string()),
            revisions::entity.eq(event.entity),
            revisions::entity_id.eq(event.entity_id),
            revisions::version.eq(event.version),
            revisions::actor_id.eq(event.actor.map(|a| a.to_string())),
            revisions::action.eq(event.action),
            revisions::changes.eq(changes),
            revisions::note.eq(event.note),
            revisions::created_at.eq(now),
        ));
    }
    for chunk in rows.chunks(crate::db::rows_per_statement(9)) {
        on_backend!(&mut *conn, c => diesel::insert_into(revisions::table)
            .values(chunk)
            .execute(c)?);
    }
    Ok(())
}

type RevisionRow = (
    String,
    i32,
    Option<String>,
    String,
    String,
    Option<String>,
    chrono::NaiveDateTime,
);

/// The history of one entry, oldest first.
pub fn list(conn: &mut DbConn, entity: &str, entity_id: &str) -> StoreResult<Vec<Revision>> {
    let rows: Vec<RevisionRow> = revisions::table
        .filter(revisions::entity.eq(entity))
        .filter(revisions::entity_id.eq(entity_id))
        .order((revisions::created_at.asc(), revisions::id.asc()))
        .select((
            revisions::id,
            revisions::version,
            revisions::actor_id,
            revisions::action,
            revisions::changes,
            revisions::note,
            revisions::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(id, version, actor_id, action, changes, note, created_at)| {
                Ok(Revision {
                    id,
                    version,
                    actor_id,
                    action,
                    changes: serde_json::from_str(&changes)
                        .map_err(|e| StoreError::Internal(e.to_string()))?,
                    note,
                    created_at: from_db_time(created_at),
                })
            },
        )
        .collect()
}
