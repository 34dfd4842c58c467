//! Limits on repeated events (failed sign-ins, submissions) per key, kept in the database
//! so that they hold across every instance of the service.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::schema::throttle_events;

use super::{StoreResult, from_db_time, to_db_time};

/// How many events a key may have in a sliding window.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub bucket: &'static str,
    pub max: i64,
    pub window: Duration,
}

/// Seconds until `key` may act again, or `None` if it is under the limit.
pub fn retry_after(
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
pub fn record(conn: &mut DbConn, limit: Limit, key: &str, now: DateTime<Utc>) -> StoreResult<()> {
    diesel::delete(
        throttle_events::table
            .filter(throttle_events::bucket.eq(limit.bucket))
            .filter(throttle_events::key.eq(key))
            .filter(throttle_events::at.le(to_db_time(now - limit.window))),
    )
    .execute(conn)?;
    diesel::insert_into(throttle_events::table)
        .values((
            throttle_events::id.eq(Uuid::now_v7().to_string()),
            throttle_events::bucket.eq(limit.bucket),
            throttle_events::key.eq(key),
            throttle_events::at.eq(to_db_time(now)),
        ))
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
