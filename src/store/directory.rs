//! What tells whether a public answer computed earlier is still exact: the directory's
//! generation, which every change to entries or organizations raises inside its own
//! transaction, and the next instant at which a computed status changes by the clock.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{max, min};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{directory_generation, opportunities};
use crate::domain::status::closing_soon_window;
use crate::domain::vocabulary::WorkflowState;

use super::{StoreResult, from_db_time, to_db_time};

/// How long an answer is trusted at most when no status is due to change.
const LONGEST_EPOCH: chrono::Duration = chrono::Duration::hours(1);

/// Raises the generation. Call it first in a transaction that changes entries or
/// organizations: it commits with the change, and it orders writers on PostgreSQL.
///
/// On PostgreSQL a transaction raises it once, however often it is called: every UPDATE
/// of the row inside one transaction would add a row version that the next must walk.
/// SQLite updates in place.
pub fn touch(conn: &mut DbConn) -> StoreResult<()> {
    let now = to_db_time(Utc::now());
    match conn {
        DbConn::Postgres(pg) => {
            diesel::sql_query(
                "UPDATE directory_generation
                 SET generation = generation + 1, raised_by = txid_current(), changed_at = $1
                 WHERE id = 1 AND raised_by IS DISTINCT FROM txid_current()",
            )
            .bind::<diesel::sql_types::Timestamp, _>(now)
            .execute(pg)?;
        }
        DbConn::Sqlite(_) => {
            diesel::update(directory_generation::table.filter(directory_generation::id.eq(1)))
                .set((
                    directory_generation::generation.eq(directory_generation::generation + 1),
                    directory_generation::changed_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The current generation.
pub fn generation(conn: &mut DbConn) -> StoreResult<i64> {
    Ok(directory_generation::table
        .filter(directory_generation::id.eq(1))
        .select(directory_generation::generation)
        .first(conn)?)
}

/// When anything the public sees last changed, as of `now`: the last change to entries or
/// organizations, or the last instant a published entry's computed status changed by the
/// clock, whichever is later. It is never earlier than the last change of any list.
pub fn last_modified(conn: &mut DbConn, now: DateTime<Utc>) -> StoreResult<DateTime<Utc>> {
    let at = to_db_time(now);
    let window = closing_soon_window();
    let published = || opportunities::state.eq(WorkflowState::Published.slug());
    let changed: NaiveDateTime = directory_generation::table
        .filter(directory_generation::id.eq(1))
        .select(directory_generation::changed_at)
        .first(conn)?;
    let closed: Option<NaiveDateTime> = opportunities::table
        .filter(published())
        .filter(opportunities::sort_deadline.le(at))
        .select(max(opportunities::sort_deadline))
        .first(conn)?;
    let closing_soon: Option<NaiveDateTime> = opportunities::table
        .filter(published())
        .filter(opportunities::sort_deadline.le(at + window))
        .select(max(opportunities::sort_deadline))
        .first(conn)?;
    let opened: Option<NaiveDateTime> = opportunities::table
        .filter(published())
        .filter(opportunities::opens_at.le(at))
        .select(max(opportunities::opens_at))
        .first(conn)?;
    Ok([
        Some(from_db_time(changed)),
        closed.map(from_db_time),
        closing_soon.map(|t| from_db_time(t) - window),
        opened.map(from_db_time),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(from_db_time(changed)))
}

/// The first instant after `now` at which some published entry's computed status changes
/// (it opens, starts closing soon, or closes), or an hour from now if that is sooner.
pub fn next_status_change(conn: &mut DbConn, now: DateTime<Utc>) -> StoreResult<DateTime<Utc>> {
    let at = to_db_time(now);
    let window = closing_soon_window();
    let published = || opportunities::state.eq(WorkflowState::Published.slug());
    let closes: Option<NaiveDateTime> = opportunities::table
        .filter(published())
        .filter(opportunities::sort_deadline.gt(at))
        .select(min(opportunities::sort_deadline))
        .first(conn)?;
    let closing_soon: Option<NaiveDateTime> = opportunities::table
        .filter(published())
        .filter(opportunities::sort_deadline.gt(at + window))
        .select(min(opportunities::sort_deadline))
        .first(conn)?;
    let opens: Option<NaiveDateTime> = opportunities::table
        .filter(published())
        .filter(opportunities::opens_at.gt(at))
        .select(min(opportunities::opens_at))
        .first(conn)?;
    Ok([
        closes.map(from_db_time),
        closing_soon.map(|t| from_db_time(t) - window),
        opens.map(from_db_time),
        Some(now + LONGEST_EPOCH),
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(now + LONGEST_EPOCH))
}
