//! Whether the database answers, carries every migration, and can take writes.

use crate::db::{self, DbConn};

use super::{StoreError, StoreResult};

/// Ready when every migration is applied (the pool has already proven, in making the
/// connection, that the database answers); then `Some` reason when writes cannot be
/// served now although reads can.
pub fn check_ready(conn: &mut DbConn) -> StoreResult<Option<String>> {
    match db::is_migrated(conn) {
        Ok(true) => {}
        Ok(false) => {
            return Err(StoreError::Unavailable(
                "the database has pending migrations; run `mobility-directory migrate`".into(),
            ));
        }
        Err(e) => {
            return Err(StoreError::Unavailable(format!(
                "database unavailable: {e}"
            )));
        }
    }
    Ok(db::writable::refusal(conn)?)
}
