//! Limits on repeated events (failed sign-ins, submissions) per key, kept in the database
//! so that they hold across every instance of the service.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::throttle_events;
use crate::db::{DbConn, limits};

use super::{StoreResult, from_db_time, to_db_time};

/// How many events a key may have in a sliding window.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub bucket: &'static str,
    pub max: i64,
    pub window: Duration,
}

/// One recorded attempt, which [`release`] can forget again.
#[derive(Debug, Clone)]
pub struct Attempt(String);

/// Records an attempt under every `(limit, key)` given, unless one of the keys has
/// reached its limit: then nothing is recorded and the answer is the seconds to wait.
/// Counting and recording happen in one write transaction that holds a lock for each key
/// (the write lock on SQLite, an advisory lock per key on PostgreSQL), so parallel
/// requests, on any number of instances, cannot get past a limit together.
pub fn acquire(
    conn: &mut DbConn,
    keys: &[(Limit, &str)],
    now: DateTime<Utc>,
) -> StoreResult<Result<Vec<Attempt>, i64>> {
    limits::write_transaction(conn, |conn| {
        if let DbConn::Postgres(pg) = conn {
            let mut names: Vec<String> = keys
                .iter()
                .map(|(limit, key)| format!("{}:{key}", limit.bucket))
                .collect();
            // The same order in every transaction, so that two never wait on each other.
            names.sort();
            for name in names {
                diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind::<diesel::sql_types::Text, _>(name)
                    .execute(pg)?;
            }
        }
        let mut wait = None;
        for (limit, key) in keys {
            if let Some(seconds) = retry_after(conn, *limit, key, now)? {
                wait = Some(wait.unwrap_or(0).max(seconds));
            }
        }
        if let Some(seconds) = wait {
            return Ok(Err(seconds));
        }
        let mut attempts = Vec::new();
        for (limit, key) in keys {
            attempts.push(record(conn, *limit, key, now)?);
        }
        Ok(Ok(attempts))
    })
}

/// Seconds until `key` may act again, or `None` if it is under the limit.
fn retry_after(
    conn: &mut DbConn,
    limit: Limit,
    key: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    let since = to_db_time(now - limit.window);
    let recent: Vec<chrono::NaiveDateTime> = throttle_events::table
        .filter(throttle_events::bucket.eq(limit.bucket))
        .filter(throttle_events::key.eq(key))
        .filter(throttle_events::at.gt(since))
        .order(throttle_events::at.desc())
        .select(throttle_events::at)
        .limit(limit.max)
        .load(conn)?;
    if (recent.len() as i64) < limit.max {
        return Ok(None);
    }
    let oldest_counted = from_db_time(*recent.last().expect("max is positive"));
    Ok(Some(
        ((oldest_counted + limit.window) - now).num_seconds().max(1),
    ))
}

/// Records one event for `key`, and forgets this key's events older than the window.
fn record(conn: &mut DbConn, limit: Limit, key: &str, now: DateTime<Utc>) -> StoreResult<Attempt> {
    diesel::delete(
        throttle_events::table
            .filter(throttle_events::bucket.eq(limit.bucket))
            .filter(throttle_events::key.eq(key))
            .filter(throttle_events::at.le(to_db_time(now - limit.window))),
    )
    .execute(conn)?;
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(throttle_events::table)
        .values((
            throttle_events::id.eq(&id),
            throttle_events::bucket.eq(limit.bucket),
            throttle_events::key.eq(key),
            throttle_events::at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    Ok(Attempt(id))
}

/// Forgets one recorded attempt: it turned out not to count (a sign-in that succeeded,
/// a submission that was refused).
pub fn release(conn: &mut DbConn, attempt: &Attempt) -> StoreResult<()> {
    diesel::delete(throttle_events::table.filter(throttle_events::id.eq(&attempt.0)))
        .execute(conn)?;
    Ok(())
}

/// Forgets every event of `key`, e.g. after a successful sign-in.
pub fn clear(conn: &mut DbConn, limit: Limit, key: &str) -> StoreResult<()> {
    diesel::delete(
        throttle_events::table
            .filter(throttle_events::bucket.eq(limit.bucket))
            .filter(throttle_events::key.eq(key)),
    )
    .execute(conn)?;
    Ok(())
}
