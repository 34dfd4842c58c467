//! Full-text search: the search documents, and the backend-specific SQL that matches,
//! ranks and quotes them. SQLite uses its FTS5 index (`opportunity_search_index`),
//! PostgreSQL a `tsvector` with a GIN index; both get the same parsed query
//! ([`TextQuery`]), so that they find the same entries.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Double, Text};

use crate::db::schema::{opportunities, opportunity_search};
use crate::db::{Backend, DbConn};
use crate::domain::opportunity::Opportunity;
use crate::domain::search::{Document, LEMMAS_VERSION, LemmaTexts, TextQuery};

use super::StoreResult;

/// Writes the search documents of `entries` from their stored texts and organizer,
/// replacing any they had. The texts are copied inside the database rather than sent
/// again: at 100,000 entries that halves what an import transfers. The lemmas of the
/// Slovenian texts, which no database can compute, are computed here and written by the
/// same statement (a second statement per entry made an import five times slower).
pub fn write(conn: &mut DbConn, entries: &[Opportunity], replace: bool) -> StoreResult<()> {
    let mut lemma_texts = LemmaTexts::default();
    // A few hundred lemma texts in memory at a time, however many entries are written.
    for chunk in entries.chunks(crate::db::rows_per_statement(4).min(500)) {
        let ids: Vec<String> = chunk.iter().map(|o| o.id.to_string()).collect();
        if replace {
            diesel::delete(
                opportunity_search::table.filter(opportunity_search::opportunity_id.eq_any(&ids)),
            )
            .execute(conn)?;
        }
        let lemmas: Vec<[Option<String>; 3]> = chunk
            .iter()
            .map(|o| {
                [&o.title, &o.summary, &o.description].map(|t| lemma_texts.of(t.sl.as_deref()))
            })
            .collect();
        let copy = |lemmas_source: &str| {
            format!(
                "INSERT INTO opportunity_search (opportunity_id, title_en, title_sl, \
                 summary_en, summary_sl, description_en, description_sl, organizer, \
                 lemmas_title_sl, lemmas_summary_sl, lemmas_description_sl, lemmas_version) \
                 SELECT o.id, en.title, sl.title, en.summary, sl.summary, en.description, \
                 sl.description, g.name, l.t, l.s, l.d, {LEMMAS_VERSION} \
                 FROM {lemmas_source} JOIN opportunities o ON o.id = l.id \
                 JOIN organizations g ON g.id = o.organization_id \
                 LEFT JOIN opportunity_texts en ON en.opportunity_id = o.id AND en.language = 'en' \
                 LEFT JOIN opportunity_texts sl ON sl.opportunity_id = o.id AND sl.language = 'sl'"
            )
        };
        match conn {
            DbConn::Postgres(c) => {
                use diesel::sql_types::{Array, Nullable};
                let column = |i: usize| lemmas.iter().map(|l| l[i].clone()).collect::<Vec<_>>();
                diesel::sql_query(copy(
                    "unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS l(id, t, s, d)",
                ))
                .bind::<Array<Text>, _>(&ids)
                .bind::<Array<Nullable<Text>>, _>(column(0))
                .bind::<Array<Nullable<Text>>, _>(column(1))
                .bind::<Array<Nullable<Text>>, _>(column(2))
                .execute(c)?;
            }
            DbConn::Sqlite(c) => {
                use diesel::sql_types::Nullable;
                let rows = vec!["(?, ?, ?, ?)"; ids.len()].join(", ");
                let mut query = diesel::sql_query(format!(
                    "WITH l(id, t, s, d) AS (VALUES {rows}) {}",
                    copy("l")
                ))
                .into_boxed();
                for (id, [t, s, d]) in ids.iter().zip(&lemmas) {
                    query = query
                        .bind::<Text, _>(id)
                        .bind::<Nullable<Text>, _>(t)
                        .bind::<Nullable<Text>, _>(s)
                        .bind::<Nullable<Text>, _>(d);
                }
                query.execute(c)?;
            }
        }
    }
    Ok(())
}

/// An entry's id and its Slovenian title, summary and description.
type SlovenianTexts = (String, Option<String>, Option<String>, Option<String>);

/// Writes the lemma columns of the stored documents of entries `ids` from their
/// Slovenian texts (computed here: no database can), and marks them as of
/// [`LEMMAS_VERSION`]: for documents written before it.
fn write_lemmas(conn: &mut DbConn, ids: &[String]) -> StoreResult<()> {
    let mut lemma_texts = LemmaTexts::default();
    // A few hundred texts in memory at a time, however many entries an import writes.
    for batch in ids.chunks(500) {
        let rows: Vec<SlovenianTexts> = opportunity_search::table
            .filter(opportunity_search::opportunity_id.eq_any(batch))
            .select((
                opportunity_search::opportunity_id,
                opportunity_search::title_sl,
                opportunity_search::summary_sl,
                opportunity_search::description_sl,
            ))
            .load(conn)?;
        for (id, title, summary, description) in rows {
            diesel::update(
                opportunity_search::table.filter(opportunity_search::opportunity_id.eq(id)),
            )
            .set((
                opportunity_search::lemmas_title_sl.eq(lemma_texts.of(title.as_deref())),
                opportunity_search::lemmas_summary_sl.eq(lemma_texts.of(summary.as_deref())),
                opportunity_search::lemmas_description_sl
                    .eq(lemma_texts.of(description.as_deref())),
                opportunity_search::lemmas_version.eq(LEMMAS_VERSION),
            ))
            .execute(conn)?;
        }
    }
    Ok(())
}

/// Gives the lemmas of the current [`LEMMAS_VERSION`] to every document written before
/// it (after the migration that added them, every document), a batch at a time; reads
/// only those rows, by an index, so that a start with nothing to do costs one lookup.
/// Returns how many were rebuilt.
pub fn rebuild_old_lemmas(conn: &mut DbConn) -> StoreResult<usize> {
    const BATCH: i64 = 500;
    let mut done = 0;
    loop {
        let ids: Vec<String> = opportunity_search::table
            .filter(opportunity_search::lemmas_version.lt(LEMMAS_VERSION))
            .select(opportunity_search::opportunity_id)
            .limit(BATCH)
            .load(conn)?;
        if ids.is_empty() {
            return Ok(done);
        }
        conn.transaction(|conn| write_lemmas(conn, &ids))?;
        done += ids.len();
    }
}

/// Gives every entry of organization `id` its new name in the search documents.
pub fn rename_organizer(conn: &mut DbConn, id: &str, name: &str) -> StoreResult<()> {
    diesel::update(
        opportunity_search::table.filter(
            opportunity_search::opportunity_id.eq_any(
                opportunities::table
                    .filter(opportunities::organization_id.eq(id))
                    .select(opportunities::id),
            ),
        ),
    )
    .set(opportunity_search::organizer.eq(name))
    .filter(opportunity_search::organizer.ne(name))
    .execute(conn)?;
    Ok(())
}

type Predicate =
    Box<dyn BoxableExpression<opportunities::table, crate::db::MultiBackend, SqlType = Bool>>;

/// Entries whose document matches `query`; for a query that only excludes, entries whose
/// document has none of the excluded words.
pub fn matching(backend: Backend, query: &TextQuery) -> Predicate {
    if query.only_excludes() {
        return Box::new(diesel::dsl::not(matching(
            backend,
            &query.excluded_as_wanted(),
        )));
    }
    match backend {
        Backend::Sqlite => Box::new(
            diesel::dsl::sql::<Bool>(
                "opportunities.id IN (SELECT s.opportunity_id FROM opportunity_search s \
                 WHERE s.key IN (SELECT rowid FROM opportunity_search_index \
                 WHERE opportunity_search_index MATCH ",
            )
            .bind::<Text, _>(query.to_fts5())
            .sql("))"),
        ),
        Backend::Postgres => Box::new(
            diesel::dsl::sql::<Bool>(
                "opportunities.id IN (SELECT opportunity_id FROM opportunity_search \
                 WHERE document @@ to_tsquery('md_search', ",
            )
            .bind::<Text, _>(query.to_tsquery())
            .sql("))"),
        ),
    }
}

/// The ids of the entries, in any state, whose document matches `query`.
pub fn ids_matching(conn: &mut DbConn, query: &TextQuery) -> StoreResult<Vec<String>> {
    Ok(match conn {
        DbConn::Sqlite(c) => diesel::sql_query(
            "SELECT s.opportunity_id AS id FROM opportunity_search s \
             WHERE s.key IN (SELECT rowid FROM opportunity_search_index \
             WHERE opportunity_search_index MATCH ?)",
        )
        .bind::<Text, _>(query.to_fts5())
        .load::<IdRow>(c)?,
        DbConn::Postgres(c) => diesel::sql_query(
            "SELECT opportunity_id AS id FROM opportunity_search \
             WHERE document @@ to_tsquery('md_search', $1)",
        )
        .bind::<Text, _>(query.to_tsquery())
        .load::<IdRow>(c)?,
    }
    .into_iter()
    .map(|r| r.id)
    .collect())
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// A relevance score, higher for a better match, for an entry that matches `query`:
/// BM25 on SQLite, `ts_rank` on PostgreSQL, both weighting titles most, then summaries
/// and the organizer, then descriptions.
pub type Score =
    Box<dyn BoxableExpression<opportunities::table, crate::db::MultiBackend, SqlType = Double>>;

/// Ranks every match of `query` once before a list is ordered by [`score`]. On SQLite,
/// BM25 can only be computed while FTS5 runs the query, and running it again for each
/// row re-reads every term a prefix matches (seconds at 100,000 entries), so the scores
/// go into a temporary table of this connection that [`score`] reads by key.
/// PostgreSQL ranks the stored `tsvector` of each row directly.
pub fn rank_matches(conn: &mut DbConn, query: &TextQuery) -> StoreResult<()> {
    if let DbConn::Sqlite(c) = conn {
        use diesel::connection::SimpleConnection;
        c.batch_execute(
            "CREATE TEMP TABLE IF NOT EXISTS search_scores \
             (key INTEGER PRIMARY KEY, score REAL NOT NULL); \
             DELETE FROM temp.search_scores;",
        )?;
        diesel::sql_query(
            "INSERT INTO temp.search_scores (key, score) \
             SELECT rowid, round(-bm25(opportunity_search_index, 10.0, 10.0, 4.0, 4.0, 1.0, 1.0, 4.0, 10.0, 4.0, 1.0), 6) \
             FROM opportunity_search_index WHERE opportunity_search_index MATCH ?",
        )
        .bind::<Text, _>(query.to_fts5())
        .execute(c)?;
    }
    Ok(())
}

/// The score of each entry: on SQLite as [`rank_matches`] left it.
pub fn score(backend: Backend, query: &TextQuery) -> Score {
    match backend {
        Backend::Sqlite => Box::new(diesel::dsl::sql::<Double>(
            "(SELECT t.score FROM temp.search_scores t WHERE t.key = \
             (SELECT key FROM opportunity_search WHERE opportunity_id = opportunities.id))",
        )),
        Backend::Postgres => Box::new(
            diesel::dsl::sql::<Double>("(SELECT round(ts_rank(document, to_tsquery('md_search', ")
                .bind::<Text, _>(query.to_tsquery())
                .sql(
                    "))::numeric, 6)::float8 FROM opportunity_search \
                 WHERE opportunity_id = opportunities.id)",
                ),
        ),
    }
}

/// The texts of the entries `ids` that a search looks in, by entry id.
pub fn documents(conn: &mut DbConn, ids: &[String]) -> StoreResult<HashMap<String, Document>> {
    let rows: Vec<DocumentRow> = opportunity_search::table
        .filter(opportunity_search::opportunity_id.eq_any(ids))
        .select(DocumentRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.opportunity_id,
                Document {
                    en: [r.title_en, r.summary_en, r.description_en],
                    sl: [r.title_sl, r.summary_sl, r.description_sl],
                    organizer: r.organizer,
                },
            )
        })
        .collect())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = opportunity_search)]
struct DocumentRow {
    opportunity_id: String,
    title_en: Option<String>,
    title_sl: Option<String>,
    summary_en: Option<String>,
    summary_sl: Option<String>,
    description_en: Option<String>,
    description_sl: Option<String>,
    organizer: String,
}
