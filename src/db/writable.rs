//! Whether the database can take writes now, and if not, why: what `/readyz` reports when
//! reads are served but every write would be a 503.
//!
//! Nothing here writes. On SQLite it looks at the files (the write-ahead log's identity,
//! whether the database file, its log and its directory may be written, the free space of
//! their file system), never opening them: closing a descriptor of the database file would
//! drop the locks SQLite holds on it. On PostgreSQL it asks whether the server is a standby
//! or the session read-only.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::{DbConn, wal};

/// Below this much free space, the file system of a SQLite database counts as full: a
/// write needs a page of log per page it changes, and a checkpoint may grow the file.
pub const MIN_FREE_BYTES: u64 = 1024 * 1024;

/// Why writes cannot be served now, or `None` when they can.
pub fn refusal(conn: &mut DbConn) -> QueryResult<Option<String>> {
    match conn {
        DbConn::Sqlite(sqlite) => Ok(main_file(sqlite)?.and_then(|db| sqlite_refusal(&db, sqlite))),
        DbConn::Postgres(pg) => postgres_refusal(pg),
    }
}

#[derive(QueryableByName)]
struct Attached {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    file: String,
}

/// The file of the main database, `None` for one in memory.
fn main_file(conn: &mut SqliteConnection) -> QueryResult<Option<PathBuf>> {
    let attached: Vec<Attached> = diesel::sql_query("PRAGMA database_list").load(conn)?;
    Ok(attached
        .into_iter()
        .find(|a| a.name == "main" && !a.file.is_empty())
        .map(|a| PathBuf::from(a.file)))
}

fn sqlite_refusal(db: &Path, conn: &mut SqliteConnection) -> Option<String> {
    if let Some(loss) = wal::loss(db, conn) {
        return Some(format!(
            "the write-ahead log of {} was removed or replaced while the service ran; {}, and writes resume once every connection that used it has been reopened",
            db.display(),
            if loss.saved {
                "what it held has been saved into the database file"
            } else {
                "what it held could not be saved into the database file yet"
            }
        ));
    }
    let wal = {
        let mut name = db.as_os_str().to_owned();
        name.push("-wal");
        PathBuf::from(name)
    };
    let directory = db.parent().unwrap_or(Path::new("."));
    for file in [db, wal.as_path(), directory] {
        if let Err(error) = may_write(file) {
            return Some(format!(
                "{} cannot be written ({error}): writes answer 503 until an operator makes it writable",
                file.display()
            ));
        }
    }
    match free_bytes(directory) {
        Ok(free) if free < MIN_FREE_BYTES => Some(format!(
            "the disk holding the database is full ({free} bytes free): writes answer 503 until an operator frees space"
        )),
        _ => None,
    }
}

/// `access(2)` for writing: refused for an immutable file, a read-only file system or
/// missing permission; a file that does not exist (a log not made yet) may be written.
fn may_write(path: &Path) -> std::io::Result<()> {
    let name = CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: `name` is a NUL-terminated path that outlives the call.
    if unsafe { libc::access(name.as_ptr(), libc::W_OK) } == 0 {
        return Ok(());
    }
    match std::io::Error::last_os_error() {
        e if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        e => Err(e),
    }
}

/// The bytes an unprivileged process may still write on the file system holding `path`.
fn free_bytes(path: &Path) -> std::io::Result<u64> {
    let name = CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: `statvfs` fills the zeroed struct it is given for the NUL-terminated path.
    unsafe {
        let mut stats: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(name.as_ptr(), &mut stats) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(stats.f_bavail as u64 * stats.f_frsize as u64)
    }
}

#[derive(QueryableByName)]
struct ServerState {
    #[diesel(sql_type = Bool)]
    standby: bool,
    #[diesel(sql_type = Text)]
    read_only: String,
}

fn postgres_refusal(conn: &mut PgConnection) -> QueryResult<Option<String>> {
    let state: ServerState = diesel::sql_query(
        "SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') AS read_only",
    )
    .get_result(conn)?;
    Ok(if state.standby {
        Some("the PostgreSQL server is a standby (in recovery): it takes no writes".into())
    } else if state.read_only == "on" {
        Some(
            "the PostgreSQL sessions are read-only (default_transaction_read_only): writes answer 503"
                .into(),
        )
    } else {
        None
    })
}
