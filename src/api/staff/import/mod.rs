//! Bulk import of opportunities from JSON or CSV, over HTTP (`POST /api/v1/import`) and
//! from the command line (`mobility-directory import FILE`), through one code path.
//!
//! CSV columns are the JSON field names, nested members joined with dots (`title.en`,
//! `funding.max`); list fields hold `;`-separated values; each row needs `external_id`.

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Serialize;
use serde_json::{Map, Number, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::http::database;
use std::collections::{HashMap, HashSet};
use std::io::Read;

use crate::db::{DbConn, Pool, limits};
use crate::domain::vocabulary::Role;
use crate::error::{ApiError, AuthErrors, BodyErrors, CommonErrors, FieldIssue};
use crate::store::importing::{self, ImportAction, ImportItem, ImportRun};
use crate::store::{self, StoreError, organizations};

use crate::api::http::identity::Staff;
use crate::api::http::query::{QueryParams, bounded, is_identifier};
use crate::api::staff::opportunity_input;

/// CSV columns whose cells hold `;`-separated lists.
const LIST_COLUMNS: &[&str] = &[
    "disciplines",
    "destination.countries",
    "eligibility.nationalities",
    "eligibility.residences",
    "covered_costs",
    "languages",
];
const BOOLEAN_COLUMNS: &[&str] = &["rolling", "destination.online"];
const INTEGER_COLUMNS: &[&str] = &[
    "eligibility.age_min",
    "eligibility.age_max",
    "activity.duration_min_days",
    "activity.duration_max_days",
    "funding.min",
    "funding.max",
    "application_fee.amount",
];

pub struct ImportOptions {
    /// Names where the entries come from; with `external_id` it identifies an entry.
    pub source: String,
    pub dry_run: bool,
    pub publish: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ImportedRow {
    /// The row's index in the payload, from 0.
    pub row: usize,
    /// The entry's id at its source, as sent.
    pub external_id: String,
    /// `created` or `updated`.
    pub action: String,
    /// The entry's id in this directory.
    pub id: Uuid,
    /// The entry's slug in this directory.
    pub slug: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// True when nothing was written.
    pub dry_run: bool,
    /// How many entries the import created (or, in a dry run, would create).
    pub created: usize,
    /// How many existing entries it changed (or would change).
    pub updated: usize,
    /// One line per entry of the body, in order.
    pub rows: Vec<ImportedRow>,
}

/// Where the rows of an import come from: JSON (an array, or `{"items": [...]}`) or CSV.
/// Both are read as a stream, one row at a time, so an import of any size needs memory
/// for one row (and the report), not for the whole file.
pub enum Rows<R: Read> {
    Json(R),
    Csv(R),
}

/// Calls `on_row` with each row, turned into the JSON object the writable representation
/// reads; stops at the first error `on_row` returns.
fn each_row<R: Read>(
    rows: Rows<R>,
    on_row: &mut dyn FnMut(usize, Map<String, Value>) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    match rows {
        Rows::Json(reader) => each_json_row(reader, on_row),
        Rows::Csv(reader) => each_csv_row(reader, on_row),
    }
}

fn each_csv_row<R: Read>(
    reader: R,
    on_row: &mut dyn FnMut(usize, Map<String, Value>) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = reader
        .headers()
        .map_err(|e| ApiError::MalformedBody(format!("the CSV header cannot be read: {e}")))?
        .clone();
    for (index, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| ApiError::MalformedBody(format!("the CSV is malformed: {e}")))?;
        let mut object = Map::new();
        for (column, cell) in headers.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            let value = if LIST_COLUMNS.contains(&column) {
                Value::Array(
                    cell.split(';')
                        .map(|v| Value::String(v.trim().to_owned()))
                        .collect(),
                )
            } else if BOOLEAN_COLUMNS.contains(&column) && matches!(cell, "true" | "false") {
                Value::Bool(cell == "true")
            } else if let (true, Ok(n)) = (INTEGER_COLUMNS.contains(&column), cell.parse::<i64>()) {
                Value::Number(Number::from(n))
            } else {
                Value::String(cell.to_owned())
            };
            insert_dotted(&mut object, column, value);
        }
        on_row(index, object)?;
    }
    Ok(())
}

fn insert_dotted(object: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            object.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = object
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                insert_dotted(inner, rest, value);
            }
        }
    }
}

/// Streams the entries of a JSON array, or of the `items` array of an object, to a
/// callback; the first error (of the callback or of the JSON) ends the stream.
fn each_json_row<R: Read>(
    reader: R,
    on_row: &mut dyn FnMut(usize, Map<String, Value>) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let mut failure: Option<ApiError> = None;
    let mut deserializer = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let outcome = serde::de::DeserializeSeed::deserialize(
        Top {
            on_row,
            failure: &mut failure,
        },
        &mut deserializer,
    )
    .and_then(|()| deserializer.end());
    match (failure, outcome) {
        (Some(e), _) => Err(e),
        (None, Ok(())) => Ok(()),
        (None, Err(e)) => Err(ApiError::MalformedBody(format!(
            "the body is not valid JSON: {e}"
        ))),
    }
}

/// A failure of the callback, carried out of serde as a custom error.
const STOPPED: &str = "import stopped";

struct Top<'a> {
    on_row: &'a mut dyn FnMut(usize, Map<String, Value>) -> Result<(), ApiError>,
    failure: &'a mut Option<ApiError>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of entries or {\"items\": [...]}")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(item) = seq.next_element::<Value>()? {
            let outcome = match item {
                Value::Object(map) => (self.on_row)(index, map),
                _ => Err(ApiError::Unprocessable(vec![FieldIssue::new(
                    format!("/{index}"),
                    "must be an object",
                )])),
            };
            if let Err(e) = outcome {
                *self.failure = Some(e);
                return Err(serde::de::Error::custom(STOPPED));
            }
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        let Top { on_row, failure } = self;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" && !seen {
                seen = true;
                map.next_value_seed(Items {
                    on_row: &mut *on_row,
                    failure: &mut *failure,
                })?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        if !seen {
            *failure = Some(not_entries());
            return Err(serde::de::Error::custom(STOPPED));
        }
        Ok(())
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        *self.failure = Some(not_entries());
        Err(E::custom(STOPPED))
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        *self.failure = Some(not_entries());
        Err(E::custom(STOPPED))
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        *self.failure = Some(not_entries());
        Err(E::custom(STOPPED))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        *self.failure = Some(not_entries());
        Err(E::custom(STOPPED))
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        *self.failure = Some(not_entries());
        Err(E::custom(STOPPED))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        *self.failure = Some(not_entries());
        Err(E::custom(STOPPED))
    }
}

/// The `items` array of `{"items": [...]}`.
struct Items<'a> {
    on_row: &'a mut dyn FnMut(usize, Map<String, Value>) -> Result<(), ApiError>,
    failure: &'a mut Option<ApiError>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Items<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(Top {
            on_row: self.on_row,
            failure: self.failure,
        })
    }
}

fn not_entries() -> ApiError {
    ApiError::Unprocessable(vec![FieldIssue::new(
        "",
        "must be an array of entries or {\"items\": [...]}",
    )])
}

/// Why an import's transaction ends without committing.
enum Abort {
    /// Every row was checked (and written) but this is a dry run.
    DryRun(ImportReport),
    /// Rows broke the rules; nothing is kept.
    Refused(ApiError),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Abort::Refused(StoreError::from(e).into())
    }
}

impl From<ApiError> for Abort {
    fn from(e: ApiError) -> Self {
        Abort::Refused(e)
    }
}

/// Reads, checks and writes the rows one at a time, in one write transaction: all or
/// nothing. Every row is checked even after a failure (reporting every problem by
/// `/{row}/pointer`, the first 50 and a count of the rest); writing stops at the first
/// failure, and the transaction is rolled back. A dry run writes everything and rolls it
/// back, so it finds exactly what a real run would.
pub fn run<R: Read>(
    conn: &mut DbConn,
    rows: Rows<R>,
    options: &ImportOptions,
    actor: Option<Uuid>,
) -> Result<ImportReport, ApiError> {
    let outcome = limits::write_transaction::<_, Abort, _>(conn, |conn| {
        importing::begin(conn).map_err(ApiError::from)?;
        let mut importer = Importer {
            options,
            actor,
            errors: Vec::new(),
            seen: HashSet::new(),
            organizations: HashMap::new(),
            pending: Vec::new(),
            report: ImportReport {
                dry_run: options.dry_run,
                created: 0,
                updated: 0,
                rows: Vec::new(),
            },
        };
        each_row(rows, &mut |index, object| importer.row(conn, index, object))?;
        importer.flush(conn)?;
        if !importer.errors.is_empty() {
            return Err(Abort::Refused(ApiError::Unprocessable(bounded(
                importer.errors,
            ))));
        }
        if options.dry_run {
            return Err(Abort::DryRun(importer.report));
        }
        Ok(importer.report)
    });
    match outcome {
        Ok(report) => {
            // The import has committed: a failure here is no reason to report it failed.
            if report.rows.len() >= REFRESH_STATISTICS_AFTER
                && let Err(error) = store::maintenance::refresh_statistics(conn)
            {
                tracing::warn!(%error, "imported, but the statistics could not be refreshed");
            }
            Ok(report)
        }
        Err(Abort::DryRun(report)) => Ok(report),
        Err(Abort::Refused(e)) => Err(e),
    }
}

/// An import this large refreshes the planner's statistics, so that the next queries
/// are planned for the table as it now is.
const REFRESH_STATISTICS_AFTER: usize = 1000;

struct Importer<'a> {
    options: &'a ImportOptions,
    actor: Option<Uuid>,
    errors: Vec<FieldIssue>,
    seen: HashSet<String>,
    /// Organizations by the id or slug rows name them with; `None` when none matches.
    organizations: HashMap<String, Option<Uuid>>,
    /// Checked rows not yet written, with their index.
    pending: Vec<(usize, ImportItem)>,
    report: ImportReport,
}

/// How many checked rows are written together.
const ROWS_PER_BATCH: usize = 500;

impl Importer<'_> {
    /// Checks one row and, while no row has failed, writes it. Only a failure of the
    /// database itself ends the import early.
    fn row(
        &mut self,
        conn: &mut DbConn,
        row: usize,
        mut object: Map<String, Value>,
    ) -> Result<(), ApiError> {
        let external_id = match object.remove("external_id") {
            Some(Value::String(s))
                if !s.trim().is_empty() && s.chars().count() <= 200 && !s.contains('\0') =>
            {
                Some(s.trim().to_owned())
            }
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => {
                self.fail(
                    row,
                    "/external_id",
                    "is required: the entry's id in the source, at most 200 characters",
                );
                None
            }
        };
        if let Some(id) = &external_id
            && !self.seen.insert(id.clone())
        {
            self.fail(row, "/external_id", "appears twice in this import");
        }
        let input = match opportunity_input::read(&object) {
            Ok(input) => Some(input),
            Err(ApiError::Unprocessable(issues)) => {
                for issue in issues {
                    self.fail(row, &issue.name, issue.reason);
                }
                None
            }
            Err(other) => return Err(other),
        };
        let Some(input) = input else {
            return Ok(());
        };
        let organization = match self.organizations.get(&input.organization) {
            Some(found) => *found,
            None => {
                let found = match organizations::find(conn, &input.organization) {
                    Ok(org) if !org.withdrawn => Some(org.id),
                    Ok(_) | Err(StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                };
                self.organizations.insert(input.organization.clone(), found);
                found
            }
        };
        let Some(organization_id) = organization else {
            self.fail(
                row,
                "/organization",
                "names no organization (give its id or slug)",
            );
            return Ok(());
        };
        let (Some(external_id), true) = (external_id, self.errors.is_empty()) else {
            return Ok(());
        };
        let mut opportunity = input.opportunity;
        opportunity.organization_id = organization_id;
        self.pending.push((
            row,
            ImportItem {
                external_id,
                opportunity,
            },
        ));
        if self.pending.len() >= ROWS_PER_BATCH {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Writes the pending rows, unless a row has failed: then nothing more is written.
    fn flush(&mut self, conn: &mut DbConn) -> Result<(), ApiError> {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() || !self.errors.is_empty() {
            return Ok(());
        }
        let run = ImportRun {
            source: &self.options.source,
            actor: self.actor,
            publish: self.options.publish,
        };
        let (rows, items): (Vec<usize>, Vec<ImportItem>) = pending.into_iter().unzip();
        let external_ids: Vec<String> = items.iter().map(|i| i.external_id.clone()).collect();
        let outcomes = importing::import_batch(conn, &run, items)?;
        for ((row, external_id), outcome) in rows.into_iter().zip(external_ids).zip(outcomes) {
            match outcome {
                Ok(outcome) => {
                    let action = match outcome.action {
                        ImportAction::Created => {
                            self.report.created += 1;
                            "created"
                        }
                        ImportAction::Updated => {
                            self.report.updated += 1;
                            "updated"
                        }
                    };
                    self.report.rows.push(ImportedRow {
                        row,
                        external_id,
                        action: action.into(),
                        id: outcome.id,
                        slug: outcome.slug,
                    });
                }
                Err(StoreError::DuplicateSource { slug, .. }) => self.fail(
                    row,
                    "/source_url",
                    format!("is already the source of `{slug}`"),
                ),
                Err(StoreError::Invalid { field, message }) => {
                    self.fail(row, &format!("/{field}"), message)
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    fn fail(&mut self, row: usize, pointer: &str, reason: impl Into<String>) {
        self.errors
            .push(FieldIssue::new(format!("/{row}{pointer}"), reason));
    }
}

fn is_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"))
}

/// Import entries in bulk (editors): a JSON array, or CSV with `Content-Type: text/csv`.
/// Entries are upserted by (`source`, `external_id`); new ones land in review (or are
/// published with `publish=true`). All or nothing; `dry_run=true` reports without writing.
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(
        ("source" = String, Query, pattern = "^[A-Za-z0-9._-]{1,100}$", description = "Where the entries come from: letters, digits, `.`, `_` and `-`, e.g. `on-the-move`.", example = "partner-feed"),
        ("dry_run" = Option<bool>, Query, description = "Check and report, write nothing."),
        ("publish" = Option<bool>, Query, description = "Publish new entries at once instead of queueing them for review."),
    ),
    request_body(content = Vec<Object>, description = "Entries in the writable representation, each with an `external_id`; or the same as CSV (text/csv) with dotted column names.", content_type = "application/json"),
    responses(
        (status = 200, description = "Imported (or, in a dry run, checked).", body = ImportReport),
        CommonErrors,
        AuthErrors,
        BodyErrors,
    )
)]
#[post("/import")]
pub async fn import(
    req: HttpRequest,
    staff: Staff,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::parse(req.query_string(), &["source", "dry_run", "publish"]);
    let source = params.one("source", "1 to 100 letters, digits, `.`, `_` or `-`", |v| {
        is_identifier(v, 100, &['.', '_', '-']).then(|| v.to_owned())
    });
    let dry_run = params.boolean("dry_run").unwrap_or(false);
    let publish = params.boolean("publish").unwrap_or(false);
    params.finish()?;
    let Some(source) = source else {
        return Err(ApiError::InvalidInput(vec![FieldIssue::new(
            "source",
            "is required",
        )]));
    };
    staff.require(&[Role::Admin, Role::Editor])?;
    let csv = is_csv(&req);
    let options = ImportOptions {
        source,
        dry_run,
        publish,
    };
    let report = database::run_within(&pool, limits::IMPORT_TIMEOUT, move |conn| {
        let rows = if csv {
            Rows::Csv(body.as_ref())
        } else {
            Rows::Json(body.as_ref())
        };
        run(conn, rows, &options, Some(staff.id))
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
