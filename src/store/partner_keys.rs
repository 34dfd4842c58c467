//! Partner API keys, and the per-key request counters every instance shares.

use chrono::{DateTime, Duration, DurationRound, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};
use uuid::Uuid;

use crate::db::schema::{partner_keys, rate_windows};
use crate::db::{Backend, DbConn};
use crate::domain::api_keys;

use super::{StoreError, StoreResult, from_db_time, to_db_time};

/// A key as staff see it: never the key itself.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = partner_keys)]
pub struct PartnerKey {
    pub id: String,
    pub partner_id: String,
    pub prefix: String,
    pub name: String,
    pub requests_per_minute: i32,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = partner_keys)]
struct NewKey<'a> {
    id: String,
    partner_id: String,
    prefix: &'a str,
    hash: String,
    name: &'a str,
    requests_per_minute: i32,
    created_at: NaiveDateTime,
}

/// Stores a new key for `partner`, and returns it with the key itself (shown once).
pub fn create(
    conn: &mut DbConn,
    partner: &Uuid,
    name: &str,
    requests_per_minute: i32,
) -> StoreResult<(PartnerKey, String)> {
    let (key, prefix) = api_keys::new_key();
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(partner_keys::table)
        .values(&NewKey {
            id: id.clone(),
            partner_id: partner.to_string(),
            prefix: &prefix,
            hash: api_keys::hash(&key),
            name,
            requests_per_minute,
            created_at: to_db_time(Utc::now()),
        })
        .execute(conn)?;
    let stored = partner_keys::table
        .filter(partner_keys::id.eq(&id))
        .select(PartnerKey::as_select())
        .first(conn)?;
    Ok((stored, key))
}

/// A partner's keys, newest first.
pub fn of_partner(conn: &mut DbConn, partner: &Uuid) -> StoreResult<Vec<PartnerKey>> {
    Ok(partner_keys::table
        .filter(partner_keys::partner_id.eq(partner.to_string()))
        .order(partner_keys::created_at.desc())
        .select(PartnerKey::as_select())
        .load(conn)?)
}

/// Revokes a key at once (every instance looks keys up on every request).
pub fn revoke(conn: &mut DbConn, partner: &Uuid, id: &Uuid) -> StoreResult<()> {
    let changed = diesel::update(
        partner_keys::table
            .filter(partner_keys::id.eq(id.to_string()))
            .filter(partner_keys::partner_id.eq(partner.to_string()))
            .filter(partner_keys::revoked_at.is_null()),
    )
    .set(partner_keys::revoked_at.eq(Some(to_db_time(Utc::now()))))
    .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// One request counted against a key's quota.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    pub limit: i32,
    /// Requests in this window, this one included.
    pub count: i32,
    /// When the window ends and the count starts again.
    pub resets_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Integer)]
    count: i32,
}

/// Finds the live key `key` and counts a request against it in the current minute, in
/// one atomic statement that every instance shares; `None` for an unknown or revoked
/// key.
pub fn count_request(
    conn: &mut DbConn,
    key: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Counted>> {
    let Some(prefix) = api_keys::prefix_of(key) else {
        return Ok(None);
    };
    let found: Option<(String, String, i32)> = partner_keys::table
        .filter(partner_keys::prefix.eq(prefix))
        .filter(partner_keys::revoked_at.is_null())
        .select((
            partner_keys::id,
            partner_keys::hash,
            partner_keys::requests_per_minute,
        ))
        .first(conn)
        .optional()?;
    let Some((id, _, limit)) = found.filter(|(_, hash, _)| api_keys::matches(key, hash)) else {
        return Ok(None);
    };
    let window = now
        .duration_trunc(Duration::minutes(1))
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    let sql = match Backend::of(conn) {
        Backend::Sqlite => {
            "INSERT INTO rate_windows (key_id, window_start, count) VALUES (?, ?, 1)
             ON CONFLICT (key_id, window_start) DO UPDATE SET count = rate_windows.count + 1
             RETURNING count"
        }
        Backend::Postgres => {
            "INSERT INTO rate_windows (key_id, window_start, count) VALUES ($1, $2, 1)
             ON CONFLICT (key_id, window_start) DO UPDATE SET count = rate_windows.count + 1
             RETURNING count"
        }
    };
    let counted: CountRow = crate::db::on_backend!(&mut *conn, c => diesel::sql_query(sql)
        .bind::<Text, _>(&id)
        .bind::<Timestamp, _>(to_db_time(window))
        .get_result(c)?);
    if counted.count == 1 {
        // The first request of a window clears the key's older ones.
        diesel::delete(
            rate_windows::table
                .filter(rate_windows::key_id.eq(&id))
                .filter(rate_windows::window_start.lt(to_db_time(window))),
        )
        .execute(conn)?;
    }
    Ok(Some(Counted {
        limit,
        count: counted.count,
        resets_at: from_db_time(to_db_time(window)) + Duration::minutes(1),
    }))
}
