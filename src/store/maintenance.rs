//! Keeping the database in shape after bulk changes.

use diesel::connection::SimpleConnection;

use crate::db::DbConn;

use super::StoreResult;

/// Refreshes the planner's statistics for the tables a bulk import fills, so that later
/// queries are planned for the data as it is (a plan made for an empty table can scan
/// the whole table on every call). Runs inside the caller's transaction.
pub fn refresh_statistics(conn: &mut DbConn) -> StoreResult<()> {
    match conn {
        DbConn::Postgres(pg) => pg.batch_execute(
            "ANALYZE opportunities, opportunity_texts, opportunity_disciplines,
                     opportunity_covered_costs, opportunity_destinations,
                     opportunity_nationalities, opportunity_residences,
                     opportunity_languages, opportunity_provenance",
        )?,
        DbConn::Sqlite(sqlite) => sqlite.batch_execute("ANALYZE")?,
    }
    Ok(())
}
