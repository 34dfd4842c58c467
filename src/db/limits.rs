//! Every bound database work runs under, in one place: how long a statement may run, how
//! long a request waits for a pooled connection or a write lock, how a write takes its
//! lock, and which database failures mean "unavailable, retry" rather than a bug.
//!
//! - PostgreSQL enforces `statement_timeout` and `lock_timeout` on every pooled connection
//!   (set when the connection is made) and refuses to wait longer than
//!   [`CONNECT_TIMEOUT`] for a new connection.
//! - SQLite has no statement timeout: a progress handler, installed on every connection
//!   the process opens, interrupts any statement that runs past the deadline of the work
//!   in progress on its thread ([`Deadline`]).
//! - Writes on SQLite take the write lock when their transaction begins
//!   ([`write_transaction`]), so overlapping writes queue on the busy timeout instead of
//!   failing the moment a deferred read turns into a write.

use std::cell::Cell;
use std::ffi::{c_char, c_int, c_void};
use std::sync::Once;
use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error};

use super::{DbConn, wal};

/// How long one request's database work may run, statement by statement on PostgreSQL
/// and in all on SQLite.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a bulk import over HTTP may run.
pub const IMPORT_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a request waits for a pooled connection.
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a new connection may take to establish (PostgreSQL).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a write waits for another write's lock before it gives up with 503.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(5);
/// What a 503 tells the client to wait before retrying, in seconds.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// How many SQLite virtual-machine steps run between two looks at the clock.
const PROGRESS_STEPS: c_int = 10_000;

/// The per-connection settings of PostgreSQL that bound every statement.
///
/// Merge joins are off. The filters are semi-joins on the entry id, and PostgreSQL would
/// answer a count by walking the primary key in order to merge it with a short sorted list
/// of ids, expecting to stop after the list's last id; but it stops only at the next entry
/// that passes the other conditions. With many unpublished entries after the last
/// published one, that walk reads all of them: in the soak, 17,000 drafts made the count
/// of `type=residency&covers=travel` take 30 ms instead of 0.2 ms, and throughput fell to
/// a fifth. Hash joins serve every query of the service.
pub fn postgres_session_settings() -> String {
    format!(
        "SET statement_timeout = {}; SET lock_timeout = {}; SET idle_in_transaction_session_timeout = {}; SET jit = off; SET enable_mergejoin = off;",
        STATEMENT_TIMEOUT.as_millis(),
        LOCK_TIMEOUT.as_millis(),
        (IMPORT_TIMEOUT * 2).as_millis(),
    )
}

/// A PostgreSQL URL with a `connect_timeout` unless it names one itself.
pub fn postgres_url_with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!(
        "{url}{separator}connect_timeout={}",
        CONNECT_TIMEOUT.as_secs()
    )
}

/// The SQLite pragmas of every connection: the busy timeout is how long a write waits
/// for the write lock.
pub fn sqlite_pragmas() -> String {
    format!(
        "PRAGMA busy_timeout = {};
         PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;",
        LOCK_TIMEOUT.as_millis()
    )
}

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static CONNECTION_LOST: Cell<bool> = const { Cell::new(false) };
}

/// Notes that the connection in use on this thread is lost, so that the pool discards it
/// when it comes back instead of handing it to the next request.
pub fn note_connection_lost() {
    CONNECTION_LOST.with(|c| c.set(true));
}

/// Whether work on this thread found its connection lost since the last call.
pub fn take_connection_lost() -> bool {
    CONNECTION_LOST.with(|c| c.replace(false))
}

/// The deadline of the database work running on this thread. SQLite statements that run
/// past it are interrupted (and fail as [`Unavailable::Timeout`]); when the guard is
/// dropped, the previous deadline (usually none) applies again.
pub struct Deadline {
    previous: Option<Instant>,
}

impl Deadline {
    pub fn start(budget: Duration) -> Deadline {
        let previous = DEADLINE.with(|d| d.replace(Some(Instant::now() + budget)));
        Deadline { previous }
    }

    /// No deadline until the guard is dropped: for maintenance that must finish.
    pub fn lift() -> Deadline {
        let previous = DEADLINE.with(|d| d.replace(None));
        Deadline { previous }
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.previous));
    }
}

unsafe extern "C" fn past_deadline(_: *mut c_void) -> c_int {
    DEADLINE.with(|d| match d.get() {
        Some(deadline) if Instant::now() >= deadline => 1,
        _ => 0,
    })
}

/// Runs for every SQLite connection the process opens: refuses a database file that
/// opened read-only (SQLite falls back to that without a word when the file cannot be
/// written, and every write would then fail until a restart), installs the progress
/// handler that enforces [`Deadline`], and the commit hook that refuses commits while the
/// database's write-ahead log is lost (`wal`).
unsafe extern "C" fn prepare_connection(
    db: *mut libsqlite3_sys::sqlite3,
    _error: *mut *mut c_char,
    _api: *const libsqlite3_sys::sqlite3_api_routines,
) -> c_int {
    // SAFETY: SQLite calls this with the handle of a connection it is opening; the
    // handler takes no user data.
    unsafe {
        if libsqlite3_sys::sqlite3_db_readonly(db, c"main".as_ptr()) == 1 {
            return libsqlite3_sys::SQLITE_READONLY;
        }
        libsqlite3_sys::sqlite3_progress_handler(
            db,
            PROGRESS_STEPS,
            Some(past_deadline),
            std::ptr::null_mut(),
        );
        libsqlite3_sys::sqlite3_commit_hook(db, Some(wal::refuse_commit_while_lost), db.cast());
    }
    libsqlite3_sys::SQLITE_OK
}

/// Makes every SQLite connection this process opens from now on honour [`Deadline`],
/// refuse to open a database file it cannot write, and refuse commits while the
/// database's write-ahead log is lost.
pub fn install_sqlite_deadlines() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a function with the signature SQLite expects for an automatic
        // extension; it only installs a progress handler and a commit hook on the
        // connection.
        unsafe {
            libsqlite3_sys::sqlite3_auto_extension(Some(prepare_connection));
        }
    });
}

/// Runs `f` in a transaction that may write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so the busy timeout applies; a transaction that began as a read
/// would fail at once with "database is locked" when it came to write.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<Error>,
{
    let DbConn::Sqlite(sqlite) = conn else {
        return conn.transaction(f);
    };
    if AnsiTransactionManager::transaction_manager_status_mut(sqlite)
        .transaction_depth()?
        .is_some()
    {
        // Already inside a write transaction: a savepoint, under the lock already held.
        return conn.transaction(f);
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    let result = f(conn);
    let DbConn::Sqlite(sqlite) = conn else {
        return result;
    };
    match result {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(sqlite)?;
            Ok(value)
        }
        Err(e) => match AnsiTransactionManager::rollback_transaction(sqlite) {
            Ok(()) | Err(Error::BrokenTransactionManager) => Err(e),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// Why the database cannot serve a request now, though nothing is wrong with the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// Another write holds the lock longer than [`LOCK_TIMEOUT`].
    Busy,
    /// The work ran past its deadline and was stopped.
    Timeout,
    /// The SQLite file (or its directory) cannot be written.
    ReadOnly,
    /// The disk holding the database is full.
    DiskFull,
    /// Reading or writing the database file failed.
    Io,
    /// The SQLite write-ahead log was removed or replaced under the open connections.
    WalLost,
    /// The schema is missing: migrations were not applied.
    NotMigrated,
    /// The connection broke or the server is shutting down.
    ConnectionLost,
}

impl Unavailable {
    pub fn explanation(self) -> &'static str {
        match self {
            Unavailable::Busy => "the database is busy with other writes; retry shortly",
            Unavailable::Timeout => "the database did not answer in time; retry shortly",
            Unavailable::ReadOnly => {
                "the database file is read-only, so nothing can be written; retry once an operator has fixed its permissions"
            }
            Unavailable::DiskFull => {
                "the disk holding the database is full; retry once an operator has freed space"
            }
            Unavailable::Io => {
                "the database file could not be read or written (an I/O error); retry once an operator has checked its storage"
            }
            Unavailable::WalLost => {
                "the database's write-ahead log (its -wal file) was removed or replaced while the service ran; writes are refused until what it held is saved into the database file and the database is reopened; retry shortly"
            }
            Unavailable::NotMigrated => {
                "the database has not been migrated; run `mobility-directory migrate`"
            }
            Unavailable::ConnectionLost => "the connection to the database was lost; retry shortly",
        }
    }

    /// Classifies a database error; `None` for errors that are not about availability.
    /// A lost connection is noted ([`note_connection_lost`]).
    pub fn of(error: &Error) -> Option<Unavailable> {
        if wal::take_refused_commit() {
            return Some(Unavailable::WalLost);
        }
        let found = match error {
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                Some(Unavailable::ConnectionLost)
            }
            Error::DatabaseError(_, info) => Unavailable::of_message(info.message()),
            Error::BrokenTransactionManager => Some(Unavailable::ConnectionLost),
            _ => None,
        };
        // A read-only session (PostgreSQL's `default_transaction_read_only`) stays read-only:
        // its connection is replaced, so writes work again once the database takes them.
        if matches!(
            found,
            Some(Unavailable::ConnectionLost | Unavailable::Io | Unavailable::ReadOnly)
        ) {
            note_connection_lost();
        }
        if found == Some(Unavailable::Busy) {
            crate::metrics::database_busy();
        }
        found
    }

    /// Classifies an error message of SQLite or PostgreSQL.
    pub fn of_message(message: &str) -> Option<Unavailable> {
        let m = message.to_ascii_lowercase();
        let any = |needles: &[&str]| needles.iter().any(|n| m.contains(n));
        if m.contains("write-ahead log") {
            Some(Unavailable::WalLost)
        } else if any(&[
            "database is locked",
            "database table is locked",
            "lock timeout",
        ]) {
            Some(Unavailable::Busy)
        } else if any(&["interrupted", "statement timeout", "canceling statement"]) {
            Some(Unavailable::Timeout)
        } else if any(&["readonly database", "read-only", "unable to open database"]) {
            Some(Unavailable::ReadOnly)
        } else if any(&["disk is full", "no space left", "could not extend file"]) {
            Some(Unavailable::DiskFull)
        } else if any(&["no such table", "does not exist"]) && !m.contains("column") {
            Some(Unavailable::NotMigrated)
        } else if any(&[
            "server closed the connection",
            "no connection to the server",
            "could not receive data",
            "could not send data",
            "terminating connection",
            "connection to server",
            "the database system is",
        ]) {
            Some(Unavailable::ConnectionLost)
        } else if any(&["disk i/o error", "i/o error"]) {
            Some(Unavailable::Io)
        } else {
            None
        }
    }
}
