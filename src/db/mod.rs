//! The database: a connection enum over SQLite and PostgreSQL, its pool and its migrations,
//! the limits database work runs under, the guard of SQLite's write-ahead log, and whether
//! the database can take writes now.

pub mod limits;
pub mod schema;
pub mod wal;
pub mod writable;

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// One connection to whichever backend `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection inside a [`DbConn`], for
/// statements the connection enum cannot express: multi-row INSERTs.
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// Which SQL dialect a connection speaks, for the few statements written per backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(conn: &DbConn) -> Backend {
        match conn {
            DbConn::Sqlite(_) => Backend::Sqlite,
            DbConn::Postgres(_) => Backend::Postgres,
        }
    }
}

/// How many bound values one statement may carry: SQLite allows 32,766, PostgreSQL 65,535.
const MAX_BINDS: usize = 30_000;

/// How many rows of `binds_per_row` values each fit in one multi-row INSERT.
pub fn rows_per_statement(binds_per_row: usize) -> usize {
    (MAX_BINDS / binds_per_row.max(1)).max(1)
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Which backend a database URL names, decided by its scheme alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    /// A file path, or `:memory:`.
    Sqlite(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseUrl::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("DATABASE_URL `sqlite://` names no file".into());
            }
            Ok(DatabaseUrl::Sqlite(path.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite:") {
            Ok(DatabaseUrl::Sqlite(path.to_owned()))
        } else {
            Err(format!(
                "DATABASE_URL must start with sqlite:// or postgres:// (got `{}`)",
                url.split(':').next().unwrap_or_default()
            ))
        }
    }
}

/// Makes pooled connections of the backend the URL's scheme names, so that a failure
/// reports its real cause, and sets SQLite's per-connection pragmas.
pub struct Manager {
    url: DatabaseUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                let mut conn =
                    PgConnection::establish(&limits::postgres_url_with_connect_timeout(url))
                        .map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(&limits::postgres_session_settings())
                    .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Postgres(conn))
            }
            DatabaseUrl::Sqlite(path) => {
                limits::install_sqlite_deadlines();
                let refused = |reason: limits::Unavailable| {
                    r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(
                        reason.explanation().into(),
                    ))
                };
                wal::before_open(Path::new(path)).map_err(refused)?;
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // A file that cannot be written is refused when it is opened (see
                // `limits::install_sqlite_deadlines`); the pool tries again on the next
                // request, so writes work again once the file can be written. The pragmas
                // open the write-ahead log, which `wal` notes.
                conn.batch_execute(&limits::sqlite_pragmas())
                    .map_err(r2d2::Error::QueryError)?;
                if let Some(open) = wal::opened(Path::new(path)).map_err(refused)? {
                    open.tie_to(&mut conn).map_err(r2d2::Error::QueryError)?;
                }
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    /// A connection is discarded when work on it found it lost (noted by the error
    /// classification in `limits`, on the thread that used it), left a transaction
    /// broken, or used a SQLite write-ahead log that has been removed since (`wal`, which
    /// first saves what that log held). Checking this instead of a `SELECT 1` at every
    /// checkout saves a round trip per request.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::r2d2::R2D2Connection;
        let lost = limits::take_connection_lost() || conn.is_broken();
        match (&self.url, conn) {
            (DatabaseUrl::Sqlite(path), DbConn::Sqlite(sqlite)) => {
                wal::retire(Path::new(path), sqlite) || lost
            }
            _ => lost,
        }
    }
}

/// Opens a pool and makes its first connection here, so that a wrong URL or an
/// unreachable database fails at once with its real cause (for one-shot commands).
pub fn connect(url: &str, size: u32) -> Result<Pool, String> {
    let manager = manager(url)?;
    let first = manager
        .connect()
        .map_err(|e| format!("cannot open the database: {e}"))?;
    drop(first);
    builder(size)
        .build(manager)
        .map_err(|e| format!("cannot open the database pool: {e}"))
}

/// Opens a pool without waiting for the database: connections are made when needed,
/// so a service can start before its database is reachable and serve 503 until it is.
/// Only a malformed URL is an error here.
pub fn connect_lazily(url: &str, size: u32) -> Result<Pool, String> {
    Ok(builder(size).build_unchecked(manager(url)?))
}

fn manager(url: &str) -> Result<Manager, String> {
    let url = DatabaseUrl::parse(url)?;
    if let DatabaseUrl::Sqlite(path) = &url
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
    }
    Ok(Manager { url })
}

fn builder(size: u32) -> r2d2::Builder<Manager> {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(limits::CHECKOUT_TIMEOUT)
        .test_on_check_out(false)
        .error_handler(Box::new(LogConnectionErrors))
}

/// Connection failures are logged once per attempt at warning level (r2d2's default
/// logs them as errors through the `log` facade, which nothing here reads).
#[derive(Debug)]
struct LogConnectionErrors;

impl r2d2::HandleError<r2d2::Error> for LogConnectionErrors {
    fn handle_error(&self, error: r2d2::Error) {
        tracing::warn!(%error, "cannot open a database connection");
    }
}

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Applies every pending migration of the connection's backend; returns how many ran.
pub fn migrate(conn: &mut DbConn) -> Result<usize, String> {
    let applied = match conn {
        DbConn::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| format!("migration failed: {e}"))
}

/// Whether every embedded migration has been applied. It only reads, so that it answers
/// for a database that takes no writes too (diesel's harness first creates its table).
pub fn is_migrated(conn: &mut DbConn) -> Result<bool, String> {
    use diesel::migration::MigrationSource;

    #[derive(QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let embedded = match conn {
        DbConn::Postgres(_) => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .map(|m| {
                m.iter()
                    .map(|m| m.name().version().to_string())
                    .collect::<Vec<_>>()
            }),
        DbConn::Sqlite(_) => {
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                .map(|m| m.iter().map(|m| m.name().version().to_string()).collect())
        }
    }
    .map_err(|e| e.to_string())?;
    let applied: Vec<Applied> =
        match diesel::sql_query("SELECT version FROM __diesel_schema_migrations").load(conn) {
            Ok(applied) => applied,
            Err(e) if limits::Unavailable::of(&e) == Some(limits::Unavailable::NotMigrated) => {
                return Ok(false);
            }
            Err(e) => return Err(e.to_string()),
        };
    Ok(embedded
        .iter()
        .all(|version| applied.iter().any(|a| &a.version == version)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_decides_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.sqlite3"),
            Ok(DatabaseUrl::Sqlite("data/x.sqlite3".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db"),
            Ok(DatabaseUrl::Sqlite("/tmp/x.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://localhost/x"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(DatabaseUrl::parse("mysql://localhost/x").is_err());
    }
}
