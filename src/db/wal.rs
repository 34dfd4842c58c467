//! SQLite's write-ahead log, guarded against being removed while the service runs.
//!
//! A committed write stays in `<db>-wal` until a checkpoint copies it into the database
//! file. When that file and `<db>-shm` are removed (a backup script, a careless `rm`), the
//! open connections go on writing to the removed files and answering 201, and the next
//! crash loses everything since the last checkpoint; a connection opened meanwhile sees an
//! older database or fails with an I/O error.
//!
//! So each process notes which files (device and inode) its connections to a database
//! share, and looks again before every commit ([`commit_allowed`], from a commit hook on
//! every connection), whenever a connection goes back to the pool ([`retire`]) and in
//! `/readyz` ([`loss`]). Once they have changed:
//!
//! 1. every commit is refused (503, [`Unavailable::WalLost`]), and no connection is opened;
//! 2. the next connection that comes back, which still holds the removed log, copies it
//!    into the database file (`PRAGMA wal_checkpoint(TRUNCATE)`): nothing acknowledged is
//!    lost, and a 201 is only sent after its connection came back;
//! 3. connections are closed as they come back, serving reads until then;
//! 4. when the last one has closed, connections open again, with a new log of their own.
//!
//! Opening a new connection while an old one is still open would share the removed
//! shared-memory file with it (SQLite keeps one per database and process), while another
//! process would make a file of its own: two logs with no common lock. Hence step 4 waits
//! for the last old connection.

use std::collections::HashMap;
use std::ffi::{CStr, c_int, c_void};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, MutexGuard};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};

use super::limits::{Deadline, Unavailable};

/// A file by device and inode: what stays the same however it is named, and changes when
/// it is removed and made again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FileId {
    device: u64,
    inode: u64,
}

fn file_id(path: &Path) -> Option<FileId> {
    std::fs::metadata(path).ok().map(|m| FileId {
        device: m.dev(),
        inode: m.ino(),
    })
}

/// The log and shared-memory files of a database, as found on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LogFiles {
    wal: Option<FileId>,
    shm: Option<FileId>,
}

impl LogFiles {
    fn of(db: &Path) -> LogFiles {
        let beside = |suffix: &str| {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            file_id(&PathBuf::from(name))
        };
        LogFiles {
            wal: beside("-wal"),
            shm: beside("-shm"),
        }
    }
}

/// What this process knows of one database's log.
struct Watch {
    /// The files its open connections share.
    files: LogFiles,
    /// Its connections open in this process.
    open: usize,
    /// Since the files changed, until the last connection that used them has closed.
    lost: Option<Loss>,
}

/// The log of a database was removed or replaced under its open connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loss {
    /// Whether what the removed log held has been copied into the database file.
    pub saved: bool,
}

/// Every database this process has open, by the identity of its file.
static WATCHES: LazyLock<Mutex<HashMap<FileId, Watch>>> = LazyLock::new(Default::default);

fn watches() -> MutexGuard<'static, HashMap<FileId, Watch>> {
    WATCHES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Compares the files on disk with those the open connections share, and notes a loss the
/// first time they differ. `None` for a database with no connection open here.
fn examine<'a>(
    watches: &'a mut HashMap<FileId, Watch>,
    db: &Path,
) -> Option<(FileId, &'a mut Watch)> {
    let key = file_id(db)?;
    let watch = watches.get_mut(&key).filter(|w| w.open > 0)?;
    let now = LogFiles::of(db);
    // A file that did not exist yet when the first connection opened has been made since
    // by one of them: it is theirs.
    watch.files.wal = watch.files.wal.or(now.wal);
    watch.files.shm = watch.files.shm.or(now.shm);
    if watch.lost.is_none() && now != watch.files {
        tracing::error!(
            database = %db.display(),
            "the write-ahead log of the database was removed or replaced while the service ran: \
             writes are refused until what it held is saved and every connection is reopened"
        );
        watch.lost = Some(Loss { saved: false });
    }
    Some((key, watch))
}

/// Refuses to open a connection while connections that used a lost log are still open.
pub fn before_open(db: &Path) -> Result<(), Unavailable> {
    let mut watches = watches();
    match examine(&mut watches, db) {
        Some((_, watch)) if watch.lost.is_some() => Err(Unavailable::WalLost),
        _ => Ok(()),
    }
}

/// Counts a connection that has just opened `db` (and its log), and notes the log files
/// if it is the first. Dropping the answer uncounts it: tie it to the connection with
/// [`OpenConnection::tie_to`].
pub fn opened(db: &Path) -> Result<Option<OpenConnection>, Unavailable> {
    let Some(key) = file_id(db) else {
        return Ok(None);
    };
    let mut watches = watches();
    if let Some((_, watch)) = examine(&mut watches, db)
        && watch.lost.is_some()
    {
        return Err(Unavailable::WalLost);
    }
    let watch = watches.entry(key).or_insert(Watch {
        files: LogFiles::of(db),
        open: 0,
        lost: None,
    });
    watch.open += 1;
    Ok(Some(OpenConnection { key }))
}

/// One open connection, counted; uncounted when dropped.
pub struct OpenConnection {
    key: FileId,
}

impl OpenConnection {
    /// Lets the connection own this count: SQLite drops the function it is registered
    /// with, and so the count, when the connection closes, however it is closed.
    pub fn tie_to(self, conn: &mut SqliteConnection) -> QueryResult<()> {
        conn.register_sql_function::<Integer, Integer, _, _, _>(
            "wal_watch_connection",
            true,
            move |x: i32| {
                let _ = &self;
                x
            },
        )
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        let mut watches = watches();
        let Some(watch) = watches.get_mut(&self.key) else {
            return;
        };
        watch.open -= 1;
        if watch.open == 0
            && let Some(watch) = watches.remove(&self.key)
            && watch.lost.is_some()
        {
            tracing::warn!(
                "every connection that used the removed write-ahead log has closed: the database opens again with a new log"
            );
        }
    }
}

/// Whether a commit to `db` may go ahead: not while its log is lost.
pub fn commit_allowed(db: &Path) -> bool {
    let mut watches = watches();
    !matches!(examine(&mut watches, db), Some((_, w)) if w.lost.is_some())
}

/// The loss of `db`'s log, if it has lost it (noticing it now, if it has just happened).
/// A connection that comes back to the pool, or that `/readyz` uses, is an old one then:
/// it saves what the log held if that is not done yet.
pub fn loss(db: &Path, conn: &mut SqliteConnection) -> Option<Loss> {
    let lost = {
        let mut watches = watches();
        let (key, watch) = examine(&mut watches, db)?;
        watch.lost.map(|loss| (key, loss))
    };
    let (key, loss) = lost?;
    if loss.saved {
        return Some(loss);
    }
    let saved = save(db, conn);
    let mut watches = watches();
    let watch = watches.get_mut(&key)?;
    if let Some(loss) = watch.lost.as_mut() {
        loss.saved |= saved;
    }
    watch.lost.or(Some(Loss { saved }))
}

/// Whether a connection coming back to the pool must be closed: one that used a lost log.
pub fn retire(db: &Path, conn: &mut SqliteConnection) -> bool {
    loss(db, conn).is_some()
}

#[derive(QueryableByName)]
struct Checkpoint {
    #[diesel(sql_type = Integer)]
    busy: i32,
    #[diesel(sql_type = BigInt)]
    log: i64,
    #[diesel(sql_type = BigInt)]
    checkpointed: i64,
}

/// Copies what the removed log holds into the database file, through a connection that
/// still has it open, and truncates it.
fn save(db: &Path, conn: &mut SqliteConnection) -> bool {
    let _no_deadline = Deadline::lift();
    match diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result::<Checkpoint>(conn) {
        Ok(c) if c.busy == 0 => {
            tracing::warn!(
                database = %db.display(),
                "what the removed write-ahead log held is saved in the database file"
            );
            true
        }
        Ok(c) => {
            tracing::error!(
                database = %db.display(),
                log = c.log,
                checkpointed = c.checkpointed,
                "the removed write-ahead log could not be saved yet (busy); trying again at the next connection"
            );
            false
        }
        Err(error) => {
            tracing::error!(database = %db.display(), %error, "the removed write-ahead log could not be saved");
            false
        }
    }
}

thread_local! {
    /// Set by the commit hook on the thread whose commit it refused, so that the error
    /// SQLite reports ("constraint failed") is read as the loss it is.
    static REFUSED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the commit hook refused a commit on this thread since the last call.
pub fn take_refused_commit() -> bool {
    REFUSED.with(|r| r.replace(false))
}

/// The commit hook of every SQLite connection the process opens (`arg` is the
/// connection): refuses the commit while the database's log is lost.
///
/// # Safety
/// SQLite calls it with the handle it was registered with, during a commit on it.
pub unsafe extern "C" fn refuse_commit_while_lost(arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the handle of the connection that is committing; the name it
    // returns lives as long as the connection.
    let name = unsafe {
        let name = libsqlite3_sys::sqlite3_db_filename(arg.cast(), c"main".as_ptr());
        if name.is_null() {
            return 0;
        }
        CStr::from_ptr(name)
    };
    let Ok(name) = name.to_str() else {
        return 0;
    };
    if name.is_empty() || commit_allowed(Path::new(name)) {
        0
    } else {
        REFUSED.with(|r| r.set(true));
        1
    }
}
