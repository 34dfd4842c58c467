//! Full-text search: the search documents, and the backend-specific SQL that matches,
//! ranks and quotes them. SQLite uses its FTS5 index (`opportunity_search_index`),
//! PostgreSQL a `tsvector` with a GIN index; both get the same parsed query
//! ([`TextQuery`]), so that they find the same entries.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Double, Nullable, Text};

use crate::db::DbConn;
use crate::db::schema::{opportunities, opportunity_search, organizations};
use crate::domain::opportunity::Opportunity;
use crate::domain::search::TextQuery;

use super::StoreResult;

/// Which SQL dialect a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(conn: &DbConn) -> Backend {
        match conn {
            DbConn::Sqlite(_) => Backend::Sqlite,
            DbConn::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Writes the search documents of `entries`, replacing any they had.
pub fn write(conn: &mut DbConn, entries: &[Opportunity], replace: bool) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = entries.iter().map(|o| o.id.to_string()).collect();
    if replace {
        diesel::delete(
            opportunity_search::table.filter(opportunity_search::opportunity_id.eq_any(&ids)),
        )
        .execute(conn)?;
    }
    let mut org_ids: Vec<String> = entries
        .iter()
        .map(|o| o.organization_id.to_string())
        .collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let names: HashMap<String, String> = organizations::table
        .filter(organizations::id.eq_any(&org_ids))
        .select((organizations::id, organizations::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let rows: Vec<_> = entries
        .iter()
        .zip(&ids)
        .map(|(o, id)| {
            (
                opportunity_search::opportunity_id.eq(id.clone()),
                opportunity_search::title_en.eq(o.title.en.clone()),
                opportunity_search::title_sl.eq(o.title.sl.clone()),
                opportunity_search::summary_en.eq(o.summary.en.clone()),
                opportunity_search::summary_sl.eq(o.summary.sl.clone()),
                opportunity_search::description_en.eq(o.description.en.clone()),
                opportunity_search::description_sl.eq(o.description.sl.clone()),
                opportunity_search::organizer.eq(names
                    .get(&o.organization_id.to_string())
                    .cloned()
                    .unwrap_or_default()),
            )
        })
        .collect();
    for chunk in rows.chunks(crate::db::rows_per_statement(8)) {
        crate::db::on_backend!(&mut *conn, c => diesel::insert_into(opportunity_search::table)
            .values(chunk)
            .execute(c)?);
    }
    Ok(())
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

/// Entries whose document matches `query`.
pub fn matching(backend: Backend, query: &TextQuery) -> Predicate {
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

/// A relevance score, higher for a better match, for an entry that matches `query`:
/// BM25 on SQLite, `ts_rank` on PostgreSQL, both weighting titles most, then summaries
/// and the organizer, then descriptions.
pub type Score =
    Box<dyn BoxableExpression<opportunities::table, crate::db::MultiBackend, SqlType = Double>>;

pub fn score(backend: Backend, query: &TextQuery) -> Score {
    match backend {
        Backend::Sqlite => Box::new(
            diesel::dsl::sql::<Double>(
                "(SELECT round(-bm25(opportunity_search_index, 10.0, 10.0, 4.0, 4.0, 1.0, 1.0, 4.0), 6) \
                 FROM opportunity_search_index WHERE opportunity_search_index MATCH ",
            )
            .bind::<Text, _>(query.to_fts5())
            .sql(
                " AND rowid = (SELECT key FROM opportunity_search \
                 WHERE opportunity_id = opportunities.id))",
            ),
        ),
        Backend::Postgres => Box::new(
            diesel::dsl::sql::<Double>(
                "(SELECT round(ts_rank(document, to_tsquery('md_search', ",
            )
            .bind::<Text, _>(query.to_tsquery())
            .sql(
                "))::numeric, 6)::float8 FROM opportunity_search \
                 WHERE opportunity_id = opportunities.id)",
            ),
        ),
    }
}

/// Where a snippet was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Summary,
    Description,
    Organizer,
}

/// A short passage of an entry around the words a query matched. `text` marks each
/// matched word with [`MARK_START`] and [`MARK_END`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// `en` or `sl`; none for the organizer's name.
    pub language: Option<&'static str>,
    pub field: Field,
}

/// Private-use characters around a matched word; the API turns them into markup.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

#[derive(QueryableByName)]
struct SnippetRow {
    #[diesel(sql_type = Text)]
    opportunity_id: String,
    #[diesel(sql_type = Nullable<Text>)]
    title_en: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    title_sl: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    summary_en: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    summary_sl: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    description_en: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    description_sl: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    organizer: Option<String>,
}

/// How many words a snippet holds at most.
const SNIPPET_WORDS: usize = 24;

/// One snippet per entry of `ids` that matches `query`: from the language and field
/// where most words matched, preferring `language` when both match as well.
pub fn snippets(
    conn: &mut DbConn,
    query: &TextQuery,
    ids: &[String],
    language: Option<&str>,
) -> StoreResult<HashMap<String, Snippet>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<SnippetRow> = match conn {
        DbConn::Sqlite(c) => {
            let columns = [
                "title_en",
                "title_sl",
                "summary_en",
                "summary_sl",
                "description_en",
                "description_sl",
                "organizer",
            ]
            .iter()
            .enumerate()
            .map(|(i, name)| {
                format!(
                    "snippet(opportunity_search_index, {i}, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_WORDS}) AS {name}"
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
            let placeholders = vec!["?"; ids.len()].join(", ");
            let sql = format!(
                "SELECT s.opportunity_id, {columns} FROM opportunity_search_index \
                 JOIN opportunity_search s ON s.key = opportunity_search_index.rowid \
                 WHERE opportunity_search_index MATCH ? AND opportunity_search_index.rowid IN \
                 (SELECT key FROM opportunity_search WHERE opportunity_id IN ({placeholders}))"
            );
            let mut q = diesel::sql_query(sql)
                .into_boxed()
                .bind::<Text, _>(query.to_fts5());
            for id in ids {
                q = q.bind::<Text, _>(id.clone());
            }
            q.load(c)?
        }
        DbConn::Postgres(c) => {
            let options = format!(
                "StartSel=\"{MARK_START}\", StopSel=\"{MARK_END}\", MaxWords={SNIPPET_WORDS}, \
                 MinWords=8, ShortWord=2, MaxFragments=1, FragmentDelimiter=\" … \""
            );
            let columns = [
                "title_en",
                "title_sl",
                "summary_en",
                "summary_sl",
                "description_en",
                "description_sl",
                "organizer",
            ]
            .iter()
            .map(|name| format!("ts_headline('md_search', {name}, q, $2) AS {name}"))
            .collect::<Vec<_>>()
            .join(", ");
            let sql = format!(
                "SELECT opportunity_id, {columns} FROM opportunity_search, \
                 to_tsquery('md_search', $1) q WHERE opportunity_id = ANY($3)"
            );
            diesel::sql_query(sql)
                .bind::<Text, _>(query.to_tsquery())
                .bind::<Text, _>(options)
                .bind::<Array<Text>, _>(ids)
                .load(c)?
        }
    };
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let id = row.opportunity_id.clone();
            best_snippet(row, language).map(|s| (id, s))
        })
        .collect())
}

fn marks(text: &Option<String>) -> usize {
    text.as_deref().map_or(0, |t| t.matches(MARK_START).count())
}

/// The snippet of the language with the most matched words, and in it the field with
/// the most (a description before a summary before a title when they tie); the
/// organizer's name when no text matched.
fn best_snippet(row: SnippetRow, preferred: Option<&str>) -> Option<Snippet> {
    let en = [
        (Field::Description, row.description_en),
        (Field::Summary, row.summary_en),
        (Field::Title, row.title_en),
    ];
    let sl = [
        (Field::Description, row.description_sl),
        (Field::Summary, row.summary_sl),
        (Field::Title, row.title_sl),
    ];
    let total =
        |fields: &[(Field, Option<String>)]| fields.iter().map(|(_, t)| marks(t)).sum::<usize>();
    let (en_marks, sl_marks) = (total(&en), total(&sl));
    let (language, fields) =
        if sl_marks > en_marks || (sl_marks == en_marks && preferred == Some("sl")) {
            ("sl", sl)
        } else {
            ("en", en)
        };
    let best = fields.into_iter().filter(|(_, t)| marks(t) > 0).fold(
        None::<(Field, String, usize)>,
        |best, (field, text)| {
            let n = marks(&text);
            match best {
                Some(b) if b.2 >= n => Some(b),
                _ => text.map(|t| (field, t, n)),
            }
        },
    );
    match best {
        Some((field, text, _)) => Some(Snippet {
            text,
            language: Some(language),
            field,
        }),
        None => row.organizer.map(|text| Snippet {
            text,
            language: None,
            field: Field::Organizer,
        }),
    }
}
