//! Whether the database answers and carries every migration.

use crate::db::{self, Pool};

use super::{StoreError, StoreResult};

pub fn check_ready(pool: &Pool) -> StoreResult<()> {
    let mut conn = pool.get()?;
    match db::is_migrated(&mut conn) {
        Ok(true) => Ok(()),
        Ok(false) => Err(StoreError::Unavailable(
            "the database has pending migrations; run `mobility-directory migrate`".into(),
        )),
        Err(e) => Err(StoreError::Unavailable(format!(
            "database unavailable: {e}"
        ))),
    }
}
