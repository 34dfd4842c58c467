//! Partners and their webhook endpoints.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::schema::{partners, webhook_endpoints};

use super::{StoreError, StoreResult, from_db_time, to_db_time};

/// An organization that builds on the directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Partner {
    pub id: Uuid,
    pub name: String,
    pub contact_email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a partner receives events, and which.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub id: Uuid,
    pub partner_id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Endpoint {
    /// The secrets that sign a message sent at `now`: the current one, and the previous
    /// one while a rotation overlaps.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_secret_until)
            && now < until
        {
            secrets.push(previous);
        }
        secrets
    }
}

#[derive(Insertable, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = partners)]
struct PartnerRow {
    id: String,
    name: String,
    contact_email: Option<String>,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl PartnerRow {
    fn into_domain(self) -> StoreResult<Partner> {
        Ok(Partner {
            id: parse_id(&self.id)?,
            name: self.name,
            contact_email: self.contact_email,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
        })
    }
}

#[derive(Insertable, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = webhook_endpoints)]
#[diesel(treat_none_as_null = true)]
struct EndpointRow {
    id: String,
    partner_id: String,
    url: String,
    event_types: String,
    secret: String,
    previous_secret: Option<String>,
    previous_secret_until: Option<chrono::NaiveDateTime>,
    enabled: bool,
    disabled_reason: Option<String>,
    failing_since: Option<chrono::NaiveDateTime>,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl EndpointRow {
    fn from_domain(e: &Endpoint) -> EndpointRow {
        EndpointRow {
            id: e.id.to_string(),
            partner_id: e.partner_id.to_string(),
            url: e.url.clone(),
            event_types: e.event_types.join(" "),
            secret: e.secret.clone(),
            previous_secret: e.previous_secret.clone(),
            previous_secret_until: e.previous_secret_until.map(to_db_time),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason.clone(),
            failing_since: e.failing_since.map(to_db_time),
            created_at: to_db_time(e.created_at),
            updated_at: to_db_time(e.updated_at),
        }
    }

    fn into_domain(self) -> StoreResult<Endpoint> {
        Ok(Endpoint {
            id: parse_id(&self.id)?,
            partner_id: parse_id(&self.partner_id)?,
            url: self.url,
            event_types: self
                .event_types
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            secret: self.secret,
            previous_secret: self.previous_secret,
            previous_secret_until: self.previous_secret_until.map(from_db_time),
            enabled: self.enabled,
            disabled_reason: self.disabled_reason,
            failing_since: self.failing_since.map(from_db_time),
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
        })
    }
}

fn parse_id(id: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| StoreError::Internal(format!("stored id {id:?} is not a UUID")))
}

pub fn insert(conn: &mut DbConn, p: &Partner) -> StoreResult<()> {
    diesel::insert_into(partners::table)
        .values(&PartnerRow {
            id: p.id.to_string(),
            name: p.name.clone(),
            contact_email: p.contact_email.clone(),
            created_at: to_db_time(p.created_at),
            updated_at: to_db_time(p.updated_at),
        })
        .execute(conn)?;
    Ok(())
}

/// Every partner, by name.
pub fn list(conn: &mut DbConn) -> StoreResult<Vec<Partner>> {
    let rows: Vec<PartnerRow> = partners::table
        .order((partners::name.asc(), partners::id.asc()))
        .limit(1000)
        .select(PartnerRow::as_select())
        .load(conn)?;
    rows.into_iter().map(PartnerRow::into_domain).collect()
}

pub fn find(conn: &mut DbConn, id: &Uuid) -> StoreResult<Partner> {
    let row: Option<PartnerRow> = partners::table
        .filter(partners::id.eq(id.to_string()))
        .select(PartnerRow::as_select())
        .first(conn)
        .optional()?;
    row.ok_or(StoreError::NotFound)?.into_domain()
}

pub fn insert_endpoint(conn: &mut DbConn, e: &Endpoint) -> StoreResult<()> {
    diesel::insert_into(webhook_endpoints::table)
        .values(&EndpointRow::from_domain(e))
        .execute(conn)?;
    Ok(())
}

pub fn update_endpoint(conn: &mut DbConn, e: &Endpoint) -> StoreResult<()> {
    let changed =
        diesel::update(webhook_endpoints::table.filter(webhook_endpoints::id.eq(e.id.to_string())))
            .set(&EndpointRow::from_domain(e))
            .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub fn delete_endpoint(conn: &mut DbConn, partner: &Uuid, id: &Uuid) -> StoreResult<()> {
    let deleted = diesel::delete(
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id.to_string()))
            .filter(webhook_endpoints::partner_id.eq(partner.to_string())),
    )
    .execute(conn)?;
    if deleted == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A partner's endpoints.
pub fn endpoints_of(conn: &mut DbConn, partner: &Uuid) -> StoreResult<Vec<Endpoint>> {
    let rows: Vec<EndpointRow> = webhook_endpoints::table
        .filter(webhook_endpoints::partner_id.eq(partner.to_string()))
        .order(webhook_endpoints::created_at.asc())
        .select(EndpointRow::as_select())
        .load(conn)?;
    rows.into_iter().map(EndpointRow::into_domain).collect()
}

/// One endpoint of one partner.
pub fn find_endpoint(conn: &mut DbConn, partner: &Uuid, id: &Uuid) -> StoreResult<Endpoint> {
    let row: Option<EndpointRow> = webhook_endpoints::table
        .filter(webhook_endpoints::id.eq(id.to_string()))
        .filter(webhook_endpoints::partner_id.eq(partner.to_string()))
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()?;
    row.ok_or(StoreError::NotFound)?.into_domain()
}

/// An endpoint by its id alone, for the delivery worker.
pub fn endpoint(conn: &mut DbConn, id: &str) -> StoreResult<Endpoint> {
    let row: Option<EndpointRow> = webhook_endpoints::table
        .filter(webhook_endpoints::id.eq(id))
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()?;
    row.ok_or(StoreError::NotFound)?.into_domain()
}

/// The enabled endpoints, for the outbox to address events to.
pub fn enabled_endpoints(conn: &mut DbConn) -> StoreResult<Vec<Endpoint>> {
    let rows: Vec<EndpointRow> = webhook_endpoints::table
        .filter(webhook_endpoints::enabled.eq(true))
        .select(EndpointRow::as_select())
        .load(conn)?;
    rows.into_iter().map(EndpointRow::into_domain).collect()
}
