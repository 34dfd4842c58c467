//! Whether the database answers and carries every migration.

use crate::db::{self, DbConn};

use super::{StoreError, StoreResult};

/// Ready when every migration is applied; the pool has already proven, in making the
/// connection, that the database answers and (SQLite) can be written.
pub fn check_ready(conn: &mut DbConn) -> StoreResult<()> {
    match db::is_migrated(conn) {
        Ok(true) => Ok(()),
        Ok(false) => Err(StoreError::Unavailable(
            "the database has pending migrations; run `mobility-directory migrate`".into(),
        )),
        Err(e) => Err(StoreError::Unavailable(format!(
            "database unavailable: {e}"
        ))),
    }
}
