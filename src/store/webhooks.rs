//! The webhook outbox: deliveries written in the transaction of the change they announce,
//! claimed by one worker at a time, retried on a schedule, logged attempt by attempt.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDateTime, SecondsFormat, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::db::{DbConn, limits, on_backend, rows_per_statement};
use crate::domain::change_feed::Position;
use crate::domain::webhooks;

use super::changes::Change;
use super::partners::{self, Endpoint};
use super::{StoreError, StoreResult, from_db_time, to_db_time};

/// A delivery's state.
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
/// Retries exhausted.
pub const FAILED: &str = "failed";
/// Its endpoint was disabled before it could be delivered.
pub const DROPPED: &str = "dropped";

/// One event for one endpoint.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub payload: String,
    pub created_at: NaiveDateTime,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = webhook_deliveries)]
struct NewDelivery {
    id: String,
    endpoint_id: String,
    event_type: String,
    payload: String,
    created_at: NaiveDateTime,
    status: &'static str,
    attempts: i32,
    next_attempt_at: Option<NaiveDateTime>,
}

/// One attempt to deliver, as the log shows it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub delivery_id: String,
    pub attempt: i32,
    pub at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub error: Option<String>,
    pub duration_ms: i32,
}

impl AttemptRow {
    pub fn at(&self) -> DateTime<Utc> {
        from_db_time(self.at)
    }
}

/// The thin event a receiver gets: what happened, to which entry, and the change-feed
/// cursor to catch up from with `GET /api/v1/changes?after=…`.
fn payload(event_type: &str, change: &Change, position: Position, now: DateTime<Utc>) -> String {
    serde_json::json!({
        "type": event_type,
        "timestamp": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "data": {
            "id": change.opportunity_id,
            "slug": change.slug,
            "href": format!("/api/v1/opportunities/{}", change.slug),
            "cursor": position.cursor(),
        },
    })
    .to_string()
}

/// Writes a delivery of each change to every enabled endpoint subscribed to its type, in
/// the caller's transaction: the change and its announcements commit together or not
/// at all.
pub fn enqueue(conn: &mut DbConn, changes: &[(&Change, Position)]) -> StoreResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let endpoints = partners::enabled_endpoints(conn)?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let mut rows = Vec::new();
    for (change, position) in changes {
        let event_type = webhooks::event_type(change.kind);
        for endpoint in endpoints
            .iter()
            .filter(|e| e.event_types.iter().any(|t| t == event_type))
        {
            rows.push(NewDelivery {
                id: format!("msg_{}", Uuid::now_v7().simple()),
                endpoint_id: endpoint.id.to_string(),
                event_type: event_type.to_owned(),
                payload: payload(event_type, change, *position, now),
                created_at: to_db_time(now),
                status: PENDING,
                attempts: 0,
                next_attempt_at: Some(to_db_time(now)),
            });
        }
    }
    for chunk in rows.chunks(rows_per_statement(8)) {
        on_backend!(&mut *conn, c => diesel::insert_into(webhook_deliveries::table)
            .values(chunk)
            .execute(c)?);
    }
    Ok(())
}

/// Claims due deliveries for `lease`: no other worker (of this or another instance) takes
/// them until the lease ends. At most `limit` in all, and never so many that one endpoint
/// has more than `per_endpoint` claimed at once (live claims of every instance count), so
/// that a receiver that hangs holds only that many. Endpoints whose last attempt did not
/// fail go first, then the one whose oldest due delivery is oldest: receivers that fail
/// cannot crowd out the others. The claim is one conditional UPDATE, which a concurrent
/// claimer's re-checks after the row lock, so each delivery goes to one worker only.
pub fn claim(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    lease: Duration,
    limit: usize,
    per_endpoint: usize,
) -> StoreResult<Vec<DeliveryRow>> {
    use crate::db::schema::webhook_deliveries::dsl::*;
    use diesel::dsl::{count_star, min};
    let token = format!("claim-{}", Uuid::new_v4().simple());
    let at = to_db_time(now);
    // Reads first, so that an outbox with nothing to claim never takes the write lock
    // (SQLite has one).
    let mut due: Vec<(String, Option<NaiveDateTime>)> = webhook_deliveries
        .filter(status.eq(PENDING))
        .filter(next_attempt_at.le(at))
        .filter(claimed_until.is_null().or(claimed_until.lt(at)))
        .group_by(endpoint_id)
        .select((endpoint_id, min(next_attempt_at)))
        .load(conn)?;
    if due.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let busy: HashMap<String, i64> = webhook_deliveries
        .filter(status.eq(PENDING))
        .filter(claimed_until.ge(at))
        .group_by(endpoint_id)
        .select((endpoint_id, count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let failing: HashSet<String> = webhook_endpoints::table
        .filter(webhook_endpoints::failing_since.is_not_null())
        .select(webhook_endpoints::id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    due.sort_by_key(|(endpoint, oldest)| (failing.contains(endpoint), *oldest));
    let mut picked: Vec<String> = Vec::new();
    for (endpoint, _) in &due {
        let free = (per_endpoint as i64 - busy.get(endpoint).copied().unwrap_or(0))
            .min((limit - picked.len()) as i64);
        if free <= 0 {
            continue;
        }
        picked.extend(
            webhook_deliveries
                .filter(endpoint_id.eq(endpoint))
                .filter(status.eq(PENDING))
                .filter(next_attempt_at.le(at))
                .filter(claimed_until.is_null().or(claimed_until.lt(at)))
                .order((next_attempt_at.asc(), id.asc()))
                .limit(free)
                .select(id)
                .load::<String>(conn)?,
        );
        if picked.len() >= limit {
            break;
        }
    }
    if picked.is_empty() {
        return Ok(Vec::new());
    }
    limits::write_transaction(conn, |conn| {
        diesel::update(
            webhook_deliveries
                .filter(id.eq_any(&picked))
                .filter(status.eq(PENDING))
                .filter(claimed_until.is_null().or(claimed_until.lt(at))),
        )
        .set((
            claimed_by.eq(&token),
            claimed_until.eq(to_db_time(now + lease)),
        ))
        .execute(conn)?;
        Ok(webhook_deliveries
            .filter(claimed_by.eq(&token))
            .select(DeliveryRow::as_select())
            .load(conn)?)
    })
}

/// What came of one attempt.
pub enum Outcome {
    /// 2xx.
    Delivered,
    /// 410 Gone: the receiver wants no more; the endpoint is disabled.
    Gone,
    /// Anything else: try again later, if the schedule allows.
    Failed,
}

/// Records an attempt and its consequences: the delivery's next step, and the endpoint's
/// failing streak (which disables it past [`webhooks::disable_after`]).
pub fn finish(
    conn: &mut DbConn,
    delivery: &DeliveryRow,
    attempt: AttemptRow,
    outcome: Outcome,
    jitter: f64,
) -> StoreResult<()> {
    use crate::db::schema::webhook_deliveries::dsl as d;
    let now = from_db_time(attempt.at);
    let attempts = delivery.attempts + 1;
    limits::write_transaction(conn, |conn| {
        diesel::insert_into(webhook_attempts::table)
            .values(&attempt)
            .execute(conn)?;
        let mut endpoint = partners::endpoint(conn, &delivery.endpoint_id)?;
        let (new_status, next) = match outcome {
            Outcome::Delivered => (DELIVERED, None),
            Outcome::Gone => (DROPPED, None),
            Outcome::Failed => match webhooks::next_wait(attempts as usize, jitter) {
                Some(wait) => (PENDING, Some(now + wait)),
                None => (FAILED, None),
            },
        };
        diesel::update(d::webhook_deliveries.filter(d::id.eq(&delivery.id)))
            .set((
                d::status.eq(new_status),
                d::attempts.eq(attempts),
                d::next_attempt_at.eq(next.map(to_db_time)),
                d::claimed_by.eq(None::<String>),
                d::claimed_until.eq(None::<NaiveDateTime>),
                d::delivered_at.eq(matches!(outcome, Outcome::Delivered).then_some(attempt.at)),
            ))
            .execute(conn)?;
        match outcome {
            Outcome::Delivered => endpoint.failing_since = None,
            Outcome::Gone => {
                disable(conn, &mut endpoint, "the receiver answered 410 Gone", now)?;
            }
            Outcome::Failed => {
                let since = *endpoint.failing_since.get_or_insert(now);
                if now - since >= webhooks::disable_after() {
                    disable(
                        conn,
                        &mut endpoint,
                        "every attempt failed for 24 hours",
                        now,
                    )?;
                }
            }
        }
        endpoint.updated_at = now;
        partners::update_endpoint(conn, &endpoint)
    })
}

/// Disables an endpoint and drops what it has pending.
fn disable(
    conn: &mut DbConn,
    endpoint: &mut Endpoint,
    reason: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    use crate::db::schema::webhook_deliveries::dsl as d;
    endpoint.enabled = false;
    endpoint.disabled_reason = Some(format!(
        "{reason} ({})",
        now.to_rfc3339_opts(SecondsFormat::Secs, true)
    ));
    diesel::update(
        d::webhook_deliveries
            .filter(d::endpoint_id.eq(endpoint.id.to_string()))
            .filter(d::status.eq(PENDING)),
    )
    .set((
        d::status.eq(DROPPED),
        d::next_attempt_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

/// An endpoint's latest deliveries, newest first, each with its attempts.
pub fn log(
    conn: &mut DbConn,
    endpoint_id: &Uuid,
    limit: i64,
) -> StoreResult<Vec<(DeliveryRow, Vec<AttemptRow>)>> {
    use crate::db::schema::webhook_deliveries::dsl as d;
    let deliveries: Vec<DeliveryRow> = d::webhook_deliveries
        .filter(d::endpoint_id.eq(endpoint_id.to_string()))
        .order((d::created_at.desc(), d::id.desc()))
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?;
    let ids: Vec<&str> = deliveries.iter().map(|x| x.id.as_str()).collect();
    let attempts: Vec<AttemptRow> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(&ids))
        .order((
            webhook_attempts::delivery_id.asc(),
            webhook_attempts::attempt.asc(),
        ))
        .select(AttemptRow::as_select())
        .load(conn)?;
    Ok(deliveries
        .into_iter()
        .map(|delivery| {
            let mine = attempts
                .iter()
                .filter(|a| a.delivery_id == delivery.id)
                .cloned()
                .collect();
            (delivery, mine)
        })
        .collect())
}

/// Queues a delivery again, now, with the same message id (receivers deduplicate by it).
pub fn redeliver(conn: &mut DbConn, endpoint_id: &Uuid, delivery_id: &str) -> StoreResult<()> {
    use crate::db::schema::webhook_deliveries::dsl as d;
    let endpoint_enabled: bool = webhook_endpoints::table
        .filter(webhook_endpoints::id.eq(endpoint_id.to_string()))
        .select(webhook_endpoints::enabled)
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    if !endpoint_enabled {
        return Err(StoreError::Conflict(
            "the endpoint is disabled: enable it first".into(),
        ));
    }
    let changed = diesel::update(
        d::webhook_deliveries
            .filter(d::id.eq(delivery_id))
            .filter(d::endpoint_id.eq(endpoint_id.to_string())),
    )
    .set((
        d::status.eq(PENDING),
        d::next_attempt_at.eq(Some(to_db_time(Utc::now()))),
        d::claimed_by.eq(None::<String>),
        d::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// How many deliveries wait to be sent: the depth of the webhook queue.
pub fn pending_count(conn: &mut DbConn) -> StoreResult<i64> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::status.eq(PENDING))
        .count()
        .get_result(conn)?)
}
