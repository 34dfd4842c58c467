//! Keeping the database in shape after bulk changes.

use diesel::connection::SimpleConnection;

use crate::db::{DbConn, limits};

use super::StoreResult;

/// Refreshes the planner's statistics for the tables a bulk import fills, so that later
/// queries are planned for the data as it is (a plan made for an empty table can scan
/// the whole table on every call). On PostgreSQL it also vacuums them, which marks their
/// pages all-visible so that counts can be answered from the indexes alone; that cannot
/// run inside a transaction, so call it after the import's has committed. It may take
/// longer than a request's statement deadline, which is lifted for it and restored.
pub fn refresh_statistics(conn: &mut DbConn) -> StoreResult<()> {
    match conn {
        DbConn::Postgres(pg) => {
            pg.batch_execute("SET statement_timeout = 0")?;
            let done = pg.batch_execute(
                "VACUUM (ANALYZE) opportunities, opportunity_texts, opportunity_disciplines,
                         opportunity_covered_costs, opportunity_destinations,
                         opportunity_nationalities, opportunity_residences,
                         opportunity_languages, opportunity_provenance",
            );
            pg.batch_execute(&limits::postgres_session_settings())?;
            done?;
        }
        DbConn::Sqlite(sqlite) => {
            let _unbounded = limits::Deadline::lift();
            sqlite.batch_execute("ANALYZE")?;
        }
    }
    Ok(())
}
