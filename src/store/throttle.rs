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

/// One recorded attempt, which [`release`] can forget again or [`fail`] can make count.
#[derive(Debug, Clone)]
pub struct Attempt(String);

/// How long a sign-in's check may stay pending before it counts as a failure: longer than
/// any sign-in runs (a wait for a hashing slot, three short transactions and a hash), so a
/// pending attempt this old was left by a process that stopped during the check.
pub const STALE_CHECK: Duration = Duration::seconds(60);

/// What [`begin_check`] found.
#[derive(Debug)]
pub enum Check {
    /// Recorded as pending under every key: check the password, then [`fail`] the
    /// attempts or [`release`] them.
    Started(Vec<Attempt>),
    /// A key has reached its limit of failures: the seconds to wait.
    Refused(i64),
    /// Failures and the checks still in progress together reach a limit: whether this
    /// attempt may run depends on how those end, so wait for them.
    Busy,
}

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
    under_key_locks(conn, keys, |conn| {
        if let Some(seconds) = refusal(conn, keys, now)? {
            return Ok(Err(seconds));
        }
        record_all(conn, keys, now, false).map(Ok)
    })
}

/// Like [`acquire`], for an attempt whose outcome is not known yet (a password being
/// checked): it is recorded as pending, and pending attempts do not count against a limit.
/// They only make later attempts wait ([`Check::Busy`]) while failures and pending
/// attempts together reach it, so that parallel guesses still cannot get past the limit
/// together, and parallel correct sign-ins are never refused.
pub fn begin_check(
    conn: &mut DbConn,
    keys: &[(Limit, &str)],
    now: DateTime<Utc>,
) -> StoreResult<Check> {
    under_key_locks(conn, keys, |conn| {
        if let Some(seconds) = refusal(conn, keys, now)? {
            return Ok(Check::Refused(seconds));
        }
        for (limit, key) in keys {
            let counted = counted(conn, *limit, key, now)?.len() as i64;
            if counted + pending(conn, *limit, key, now)? >= limit.max {
                return Ok(Check::Busy);
            }
        }
        record_all(conn, keys, now, true).map(Check::Started)
    })
}

/// The seconds to wait if one of the keys has reached its limit, without recording
/// anything: a cheap refusal before any work is queued.
pub fn refusal(
    conn: &mut DbConn,
    keys: &[(Limit, &str)],
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    let mut wait = None;
    for (limit, key) in keys {
        let recent = counted(conn, *limit, key, now)?;
        if recent.len() as i64 >= limit.max {
            let oldest_counted = from_db_time(*recent.last().expect("max is positive"));
            let seconds = ((oldest_counted + limit.window) - now).num_seconds().max(1);
            wait = Some(wait.unwrap_or(0).max(seconds));
        }
    }
    Ok(wait)
}

/// Runs `f` in a write transaction holding a lock for each key.
fn under_key_locks<T>(
    conn: &mut DbConn,
    keys: &[(Limit, &str)],
    f: impl FnOnce(&mut DbConn) -> StoreResult<T>,
) -> StoreResult<T> {
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
        f(conn)
    })
}

/// The times of `key`'s most recent events that count, newest first, at most `limit.max`:
/// settled ones, and pending ones left for longer than [`STALE_CHECK`].
fn counted(
    conn: &mut DbConn,
    limit: Limit,
    key: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<chrono::NaiveDateTime>> {
    Ok(throttle_events::table
        .filter(throttle_events::bucket.eq(limit.bucket))
        .filter(throttle_events::key.eq(key))
        .filter(throttle_events::at.gt(to_db_time(now - limit.window)))
        .filter(
            throttle_events::pending
                .eq(false)
                .or(throttle_events::at.le(to_db_time(now - STALE_CHECK))),
        )
        .order(throttle_events::at.desc())
        .select(throttle_events::at)
        .limit(limit.max)
        .load(conn)?)
}

/// How many of `key`'s attempts are being checked now.
fn pending(conn: &mut DbConn, limit: Limit, key: &str, now: DateTime<Utc>) -> StoreResult<i64> {
    Ok(throttle_events::table
        .filter(throttle_events::bucket.eq(limit.bucket))
        .filter(throttle_events::key.eq(key))
        .filter(throttle_events::pending.eq(true))
        .filter(throttle_events::at.gt(to_db_time(now - STALE_CHECK)))
        .count()
        .get_result(conn)?)
}

fn record_all(
    conn: &mut DbConn,
    keys: &[(Limit, &str)],
    now: DateTime<Utc>,
    pending: bool,
) -> StoreResult<Vec<Attempt>> {
    let mut attempts = Vec::new();
    for (limit, key) in keys {
        attempts.push(record(conn, *limit, key, now, pending)?);
    }
    Ok(attempts)
}

/// Records one event for `key`, and forgets this key's events older than the window.
fn record(
    conn: &mut DbConn,
    limit: Limit,
    key: &str,
    now: DateTime<Utc>,
    pending: bool,
) -> StoreResult<Attempt> {
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
            throttle_events::pending.eq(pending),
        ))
        .execute(conn)?;
    Ok(Attempt(id))
}

/// Makes pending attempts count: their check failed.
pub fn fail(conn: &mut DbConn, attempts: &[Attempt]) -> StoreResult<()> {
    let ids: Vec<&str> = attempts.iter().map(|a| a.0.as_str()).collect();
    diesel::update(throttle_events::table.filter(throttle_events::id.eq_any(ids)))
        .set(throttle_events::pending.eq(false))
        .execute(conn)?;
    Ok(())
}

/// Forgets one recorded attempt: it turned out not to count (a sign-in that succeeded,
/// a submission that was refused).
pub fn release(conn: &mut DbConn, attempt: &Attempt) -> StoreResult<()> {
    diesel::delete(throttle_events::table.filter(throttle_events::id.eq(&attempt.0)))
        .execute(conn)?;
    Ok(())
}

/// Forgets every settled event of `key`, e.g. after a successful sign-in; the attempts of
/// checks still in progress stay, to count if they fail.
pub fn clear(conn: &mut DbConn, limit: Limit, key: &str) -> StoreResult<()> {
    diesel::delete(
        throttle_events::table
            .filter(throttle_events::bucket.eq(limit.bucket))
            .filter(throttle_events::key.eq(key))
            .filter(throttle_events::pending.eq(false)),
    )
    .execute(conn)?;
    Ok(())
}
