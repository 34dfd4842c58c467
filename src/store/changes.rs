//! The change feed's log: one event per change to the public list, in commit order.
//!
//! **Order.** An event's position is the directory generation of the transaction that
//! wrote it, and an ordinal within that transaction. Every writer raises the generation
//! first ([`super::directory::touch`]) and so holds its row until it commits: on
//! PostgreSQL the next writer waits for that lock, and SQLite has one writer at a time.
//! Generations therefore commit in the order they are taken, and a reader that sees an
//! event has already seen every event before it: no transaction still open can commit
//! below what is visible. (A PostgreSQL sequence would not do: its values are taken at
//! insert time and can commit out of order, so a reader could skip one that commits
//! later.)
//!
//! **Compaction.** Recording an entry's event deletes its earlier ones, so the log holds
//! one event per entry: a replay from the start is the current list, plus the
//! tombstones of entries that left it. Tombstones are pruned after [`RETENTION_DAYS`];
//! the last position pruned is kept, and a cursor older than it may have missed one.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::dsl::max;
use diesel::prelude::*;

use crate::db::schema::{change_events, change_feed, directory_generation, opportunities};
use crate::db::{DbConn, on_backend, rows_per_statement};
use crate::domain::change_feed::ChangeKind;
pub use crate::domain::change_feed::Position;
use crate::domain::opportunity::Opportunity;
use crate::domain::vocabulary::WorkflowState;

use super::{StoreError, StoreResult, from_db_time, to_db_time};

/// How long a tombstone stays in the feed at least.
pub const RETENTION_DAYS: i64 = 90;

/// One change to the public list.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeEvent {
    pub position: Position,
    pub opportunity_id: String,
    pub slug: String,
    pub kind: ChangeKind,
    pub at: DateTime<Utc>,
}

#[derive(Insertable, Queryable, Selectable)]
#[diesel(table_name = change_events)]
struct EventRow {
    generation: i64,
    position: i32,
    opportunity_id: String,
    slug: String,
    kind: String,
    tombstone: bool,
    at: NaiveDateTime,
}

impl EventRow {
    fn into_event(self) -> StoreResult<ChangeEvent> {
        Ok(ChangeEvent {
            position: Position {
                generation: self.generation,
                ordinal: self.position,
            },
            kind: ChangeKind::from_slug(&self.kind)
                .ok_or_else(|| StoreError::Internal(format!("unknown change {}", self.kind)))?,
            opportunity_id: self.opportunity_id,
            slug: self.slug,
            at: from_db_time(self.at),
        })
    }
}

/// A change to record: the entry and what happened to it.
pub struct Change<'a> {
    pub opportunity_id: &'a str,
    pub slug: &'a str,
    pub kind: ChangeKind,
}

/// Records `changes` in the calling transaction, after its [`super::directory::touch`]:
/// each replaces the entry's earlier events (`new_entries` skips that, for entries that
/// have none), and goes into the webhook outbox for every endpoint that wants it. Also
/// prunes tombstones past the retention.
pub fn record(conn: &mut DbConn, changes: &[Change], new_entries: bool) -> StoreResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    super::directory::touch(conn)?;
    let generation: i64 = directory_generation::table
        .filter(directory_generation::id.eq(1))
        .select(directory_generation::generation)
        .first(conn)?;
    let taken: Option<i32> = change_events::table
        .filter(change_events::generation.eq(generation))
        .select(max(change_events::position))
        .first(conn)?;
    let now = to_db_time(Utc::now());
    if !new_entries {
        let ids: Vec<&str> = changes.iter().map(|c| c.opportunity_id).collect();
        for chunk in ids.chunks(rows_per_statement(1)) {
            diesel::delete(
                change_events::table.filter(change_events::opportunity_id.eq_any(chunk)),
            )
            .execute(conn)?;
        }
    }
    let rows: Vec<EventRow> = changes
        .iter()
        .zip(taken.unwrap_or(0) + 1..)
        .map(|(c, position)| EventRow {
            generation,
            position,
            opportunity_id: c.opportunity_id.to_owned(),
            slug: c.slug.to_owned(),
            kind: c.kind.slug().to_owned(),
            tombstone: c.kind.is_tombstone(),
            at: now,
        })
        .collect();
    for chunk in rows.chunks(rows_per_statement(7)) {
        on_backend!(&mut *conn, c => diesel::insert_into(change_events::table)
            .values(chunk)
            .execute(c)?);
    }
    let announced: Vec<(&Change, Position)> = changes
        .iter()
        .zip(&rows)
        .map(|(c, row)| {
            (
                c,
                Position {
                    generation: row.generation,
                    ordinal: row.position,
                },
            )
        })
        .collect();
    super::webhooks::enqueue(conn, &announced)?;
    prune(conn, Utc::now() - Duration::days(RETENTION_DAYS))
}

/// Records what a move of `o` to the state `to` does to the list, if anything.
pub fn record_transition(conn: &mut DbConn, o: &Opportunity, to: WorkflowState) -> StoreResult<()> {
    match ChangeKind::of_transition(o.state, to) {
        Some(kind) => record(
            conn,
            &[Change {
                opportunity_id: &o.id.to_string(),
                slug: &o.slug,
                kind,
            }],
            false,
        ),
        None => Ok(()),
    }
}

/// Records an `updated` event for every listed entry of an organization (its name and
/// slug are part of their representation).
pub fn record_organizer_change(conn: &mut DbConn, organization_id: &str) -> StoreResult<()> {
    let listed: Vec<(String, String)> = opportunities::table
        .filter(opportunities::organization_id.eq(organization_id))
        .filter(opportunities::state.eq(WorkflowState::Published.slug()))
        .select((opportunities::id, opportunities::slug))
        .load(conn)?;
    let changes: Vec<Change> = listed
        .iter()
        .map(|(id, slug)| Change {
            opportunity_id: id,
            slug,
            kind: ChangeKind::Updated,
        })
        .collect();
    record(conn, &changes, false)
}

/// The entries whose public representation changed in a generation after `generation`,
/// or `None` when there are more than `most`.
pub fn entries_changed_after(
    conn: &mut DbConn,
    generation: i64,
    most: i64,
) -> StoreResult<Option<Vec<String>>> {
    let ids: Vec<String> = change_events::table
        .filter(change_events::generation.gt(generation))
        .select(change_events::opportunity_id)
        .limit(most + 1)
        .load(conn)?;
    Ok((ids.len() as i64 <= most).then_some(ids))
}

/// Deletes tombstones recorded before `before`, remembering the last position pruned.
fn prune(conn: &mut DbConn, before: DateTime<Utc>) -> StoreResult<()> {
    let expired = || {
        change_events::table
            .filter(change_events::tombstone.eq(true))
            .filter(change_events::at.lt(to_db_time(before)))
    };
    let last: Option<(i64, i32)> = expired()
        .order((
            change_events::generation.desc(),
            change_events::position.desc(),
        ))
        .select((change_events::generation, change_events::position))
        .first(conn)
        .optional()?;
    let Some((generation, position)) = last else {
        return Ok(());
    };
    let pruned = horizon(conn)?;
    if (Position {
        generation,
        ordinal: position,
    }) > pruned
    {
        diesel::update(change_feed::table.filter(change_feed::id.eq(1)))
            .set((
                change_feed::pruned_generation.eq(generation),
                change_feed::pruned_position.eq(position),
            ))
            .execute(conn)?;
    }
    diesel::delete(expired()).execute(conn)?;
    Ok(())
}

/// The last position whose tombstones were pruned: a cursor before it may have missed
/// one.
pub fn horizon(conn: &mut DbConn) -> StoreResult<Position> {
    let (generation, ordinal): (i64, i32) = change_feed::table
        .filter(change_feed::id.eq(1))
        .select((change_feed::pruned_generation, change_feed::pruned_position))
        .first(conn)?;
    Ok(Position {
        generation,
        ordinal,
    })
}

/// The events after `from`, in order, at most `limit`.
pub fn after(conn: &mut DbConn, from: Position, limit: i64) -> StoreResult<Vec<ChangeEvent>> {
    use crate::db::schema::change_events::dsl::*;
    let rows: Vec<EventRow> = change_events
        .filter(
            generation.gt(from.generation).or(generation
                .eq(from.generation)
                .and(position.gt(from.ordinal))),
        )
        .order((generation.asc(), position.asc()))
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)?;
    rows.into_iter().map(EventRow::into_event).collect()
}
