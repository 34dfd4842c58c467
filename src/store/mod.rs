//! Queries and transactions: the only place that knows the diesel tables.

pub mod changes;
pub mod curation;
pub mod directory;
pub mod editing;
pub mod facets;
pub mod health;
pub mod importing;
pub mod indexed;
pub mod maintenance;
pub mod opportunities;
pub mod organizations;
pub mod partner_keys;
pub mod partners;
pub mod revisions;
mod rows;
pub mod search;
pub mod throttle;
pub mod users;
pub mod webhooks;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

use crate::db::limits::Unavailable;

/// Why a store call failed, in terms the API can map to a status.
#[derive(Debug)]
pub enum StoreError {
    NotFound,
    /// A unique value (such as a slug) is already taken.
    Conflict(String),
    /// The entry is no longer at the version the change was based on.
    Stale,
    /// Another entry already has this normalised source URL.
    DuplicateSource {
        id: String,
        slug: String,
    },
    /// The request named a value the store cannot use, such as a malformed cursor.
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The entry would be published but lacks what publication needs.
    Unpublishable(Vec<crate::domain::publication::Missing>),
    /// The database could not be reached in time.
    Unavailable(String),
    Internal(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::NotFound => write!(f, "not found"),
            StoreError::Stale => write!(f, "the entry has changed since it was read"),
            StoreError::Conflict(m) | StoreError::Unavailable(m) | StoreError::Internal(m) => {
                write!(f, "{m}")
            }
            StoreError::Invalid { field, message } => write!(f, "{field}: {message}"),
            StoreError::DuplicateSource { slug, .. } => {
                write!(f, "the source URL is already that of `{slug}`")
            }
            StoreError::Unpublishable(missing) => {
                let pointers: Vec<&str> = missing.iter().map(|m| m.pointer).collect();
                write!(f, "cannot be published without {}", pointers.join(", "))
            }
        }
    }
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        if let Some(reason) = Unavailable::of(&e) {
            return StoreError::Unavailable(reason.explanation().into());
        }
        match e {
            Error::NotFound => StoreError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Conflict(info.message().to_owned())
            }
            other => StoreError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        let reason = Unavailable::of_message(&e.to_string()).unwrap_or(Unavailable::Timeout);
        StoreError::Unavailable(match reason {
            Unavailable::Timeout => format!("no database connection within the time allowed: {e}"),
            other => other.explanation().into(),
        })
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A position in a list: the last row seen, by its value for each sort key the list
/// offers and its id as the tie-breaker. It holds every sort key, so a position taken in
/// one order can continue in another: the next page starts after that row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    pub keys: Vec<String>,
    pub id: String,
}

impl Keyset {
    /// The `n` sort keys, or an error naming the cursor when it holds a different number.
    pub(crate) fn keys<const N: usize>(&self) -> StoreResult<[&str; N]> {
        let keys: Vec<&str> = self.keys.iter().map(String::as_str).collect();
        keys.try_into().map_err(|_| invalid_cursor())
    }
}

pub(crate) fn invalid_cursor() -> StoreError {
    StoreError::Invalid {
        field: "cursor",
        message: "is not a cursor this list issued".into(),
    }
}

/// One page of a list, with the total number of matches and where the next page starts.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub next: Option<Keyset>,
}

/// Timestamps are stored as UTC at microsecond precision on both backends.
/// An instant as the database stores it: UTC, to the microsecond.
pub fn to_db_time(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc().trunc_subsecs(6)
}

pub(crate) fn from_db_time(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

const KEY_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

pub(crate) fn time_key(t: NaiveDateTime) -> String {
    t.format(KEY_TIME_FORMAT).to_string()
}

pub(crate) fn parse_time_key(key: &str) -> StoreResult<NaiveDateTime> {
    NaiveDateTime::parse_from_str(key, KEY_TIME_FORMAT).map_err(|_| invalid_cursor())
}
