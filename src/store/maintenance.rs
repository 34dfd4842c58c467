//! Keeping the database in shape after bulk changes.

use diesel::connection::SimpleConnection;

use crate::db::DbConn;

use super::StoreResult;

/// Refreshes the planner's statistics for the tables a bulk import fills, so that later
/// queries are planned for the data as it is (a plan made for an empty table can scan
/// the whole table on every call). On PostgreSQL it also vacuums them, which marks their
/// pages all-visible so that counts can be answered from the indexes alone; that cannot
/// run inside a transaction, so call it after the import's has committed.
pub fn refresh_statistics(conn: &mut DbConn) -> StoreResult<()> {
    match conn {
        DbConn::Postgres(pg) => pg.batch_execute(
            "VACUUM (ANALYZE) opportunities, opportunity_texts, opportunity_disciplines,
                     opportunity_covered_costs, opportunity_destinations,
                     opportunity_nationalities, opportunity_residences,
                     opportunity_languages, opportunity_provenance",
        )?,
        DbConn::Sqlite(sqlite) => sqlite.batch_execute("ANALYZE")?,
    }
    Ok(())
}
