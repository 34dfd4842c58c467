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
use crate::db::{DbConn, Pool};
use crate::domain::vocabulary::Role;
use crate::error::{ApiError, AuthErrors, BodyErrors, CommonErrors, FieldIssue};
use crate::store::editing::{self, ImportAction, ImportItem};
use crate::store::{StoreError, organizations};

use crate::api::http::identity::Staff;
use crate::api::http::query::{QueryParams, is_identifier};
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
    pub external_id: String,
    /// `created` or `updated`.
    pub action: String,
    pub id: Uuid,
    pub slug: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// True when nothing was written.
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub rows: Vec<ImportedRow>,
}

/// Turns CSV into the same JSON objects a JSON import holds.
pub fn csv_rows(bytes: &[u8]) -> Result<Vec<Map<String, Value>>, ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| ApiError::MalformedBody(format!("the CSV header cannot be read: {e}")))?
        .clone();
    let mut rows = Vec::new();
    for record in reader.records() {
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
        rows.push(object);
    }
    Ok(rows)
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

/// A JSON array of entries, or an object with an `items` array.
pub fn json_rows(bytes: &[u8]) -> Result<Vec<Map<String, Value>>, ApiError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::MalformedBody(format!("the body is not valid JSON: {e}")))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("items") {
            Some(Value::Array(items)) => items,
            _ => {
                return Err(ApiError::Unprocessable(vec![FieldIssue::new(
                    "",
                    "must be an array of entries or {\"items\": [...]}",
                )]));
            }
        },
        _ => {
            return Err(ApiError::Unprocessable(vec![FieldIssue::new(
                "",
                "must be an array of entries",
            )]));
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::Object(map) => Ok(map),
            _ => Err(ApiError::Unprocessable(vec![FieldIssue::new(
                format!("/{i}"),
                "must be an object",
            )])),
        })
        .collect()
}

/// Checks every row (reporting all problems, by `/{row}/pointer`), then imports them all
/// in one transaction, or, in a dry run, rolls the work back.
pub fn run(
    conn: &mut DbConn,
    rows: Vec<Map<String, Value>>,
    options: &ImportOptions,
    actor: Option<Uuid>,
) -> Result<ImportReport, ApiError> {
    let mut errors = Vec::new();
    let mut items = Vec::new();
    for (row, mut object) in rows.into_iter().enumerate() {
        let external_id = match object.remove("external_id") {
            Some(Value::String(s))
                if !s.trim().is_empty() && s.chars().count() <= 200 && !s.contains('\0') =>
            {
                Some(s.trim().to_owned())
            }
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => {
                errors.push(FieldIssue::new(
                    format!("/{row}/external_id"),
                    "is required: the entry's id in the source, at most 200 characters",
                ));
                None
            }
        };
        match opportunity_input::read(&object) {
            Ok(input) => match organizations::find(conn, &input.organization) {
                Ok(org) if !org.withdrawn => {
                    if let Some(external_id) = external_id {
                        let mut opportunity = input.opportunity;
                        opportunity.organization_id = org.id;
                        items.push(ImportItem {
                            external_id,
                            opportunity,
                        });
                    }
                }
                Ok(_) | Err(StoreError::NotFound) => errors.push(FieldIssue::new(
                    format!("/{row}/organization"),
                    "names no organization (give its id or slug)",
                )),
                Err(e) => return Err(e.into()),
            },
            Err(ApiError::Unprocessable(issues)) => errors.extend(
                issues
                    .into_iter()
                    .map(|i| FieldIssue::new(format!("/{row}{}", i.name), i.reason)),
            ),
            Err(other) => return Err(other),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Unprocessable(errors));
    }
    let ids: Vec<String> = items.iter().map(|i| i.external_id.clone()).collect();
    if let Some(dup) = ids
        .iter()
        .enumerate()
        .find(|(i, id)| ids[..*i].contains(id))
    {
        return Err(ApiError::Unprocessable(vec![FieldIssue::new(
            format!("/{}/external_id", dup.0),
            "appears twice in this import",
        )]));
    }
    let outcomes = editing::import(
        conn,
        &options.source,
        &items,
        actor,
        options.publish,
        options.dry_run,
    )
    .map_err(|(row, e)| match (row, e) {
        (Some(row), StoreError::DuplicateSource { slug, .. }) => {
            ApiError::Unprocessable(vec![FieldIssue::new(
                format!("/{row}/source_url"),
                format!("is already the source of `{slug}`"),
            )])
        }
        (Some(row), StoreError::Invalid { field, message }) => {
            ApiError::Unprocessable(vec![FieldIssue::new(format!("/{row}/{field}"), message)])
        }
        (_, e) => e.into(),
    })?;
    let rows: Vec<ImportedRow> = outcomes
        .iter()
        .zip(&items)
        .enumerate()
        .map(|(row, (o, item))| ImportedRow {
            row,
            external_id: item.external_id.clone(),
            action: match o.action {
                ImportAction::Created => "created".into(),
                ImportAction::Updated => "updated".into(),
            },
            id: o.id,
            slug: o.slug.clone(),
        })
        .collect();
    Ok(ImportReport {
        dry_run: options.dry_run,
        created: rows.iter().filter(|r| r.action == "created").count(),
        updated: rows.iter().filter(|r| r.action == "updated").count(),
        rows,
    })
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
    let rows = if is_csv(&req) {
        csv_rows(&body)?
    } else {
        json_rows(&body)?
    };
    let options = ImportOptions {
        source,
        dry_run,
        publish,
    };
    let report =
        database::run(&pool, move |conn| run(conn, rows, &options, Some(staff.id))).await?;
    Ok(HttpResponse::Ok().json(report))
}
