//! Staff accounts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::limits;
use crate::db::schema::users;
use crate::domain::vocabulary::Role;

use super::rows::parse;
use super::{StoreError, StoreResult, from_db_time, to_db_time};

#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    pub token_generation: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    email: String,
    password_hash: String,
    role: String,
    disabled: bool,
    token_generation: i32,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl UserRow {
    fn into_domain(self) -> StoreResult<User> {
        Ok(User {
            id: Uuid::parse_str(&self.id).map_err(|e| StoreError::Internal(e.to_string()))?,
            role: parse("role", &self.role, Role::from_slug)?,
            email: self.email,
            password_hash: self.password_hash,
            disabled: self.disabled,
            token_generation: self.token_generation,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
        })
    }
}

/// E-mail addresses are compared without regard to case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn create(
    conn: &mut DbConn,
    email: &str,
    password_hash: &str,
    role: Role,
) -> StoreResult<User> {
    let now = to_db_time(Utc::now());
    let row = UserRow {
        id: Uuid::now_v7().to_string(),
        email: normalize_email(email),
        password_hash: password_hash.to_owned(),
        role: role.slug().to_owned(),
        disabled: false,
        token_generation: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)?;
    row.into_domain()
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> StoreResult<User> {
    users::table
        .filter(users::email.eq(normalize_email(email)))
        .select(UserRow::as_select())
        .first(conn)?
        .into_domain()
}

pub fn find(conn: &mut DbConn, id: &str) -> StoreResult<User> {
    users::table
        .filter(users::id.eq(id))
        .select(UserRow::as_select())
        .first(conn)?
        .into_domain()
}

pub fn list(conn: &mut DbConn) -> StoreResult<Vec<User>> {
    users::table
        .order(users::email.asc())
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(UserRow::into_domain)
        .collect()
}

/// Changes a role or the disabled flag; either change ends every token issued before it.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    role: Option<Role>,
    disabled: Option<bool>,
) -> StoreResult<User> {
    limits::write_transaction(conn, |conn| {
        let current = find(conn, id)?;
        let role = role.unwrap_or(current.role);
        let disabled = disabled.unwrap_or(current.disabled);
        if role == current.role && disabled == current.disabled {
            return Ok(current);
        }
        diesel::update(users::table.filter(users::id.eq(id)))
            .set((
                users::role.eq(role.slug()),
                users::disabled.eq(disabled),
                users::token_generation.eq(current.token_generation + 1),
                users::updated_at.eq(to_db_time(Utc::now())),
            ))
            .execute(conn)?;
        find(conn, id)
    })
}
