//! Bulk import of opportunities from JSON or CSV, over HTTP (`POST /api/v1/import`) and
//! from the command line (`mobility-directory import FILE`), through one code path:
//! [`rows`] reads what was sent, [`importer`] checks and writes it, all or nothing.
//!
//! CSV columns are those of the table export ([`crate::api::columns`]), so that an
//! exported table, edited in a spreadsheet, imports back onto the same entries.

pub mod encoding;
pub mod importer;
pub mod rows;

use std::io::{Cursor, Read, Seek};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, post, web};
use uuid::Uuid;

use crate::api::http::database;
use crate::api::http::identity::Staff;
use crate::api::http::query::{QueryParams, is_identifier};
use crate::db::{DbConn, Pool, limits};
use crate::domain::vocabulary::Role;
use crate::error::{ApiError, AuthErrors, CommonErrors, FieldIssue};
use crate::store::{self, StoreError, importing};

use importer::Importer;
pub use importer::{ImportReport, ImportedRow};
pub use rows::Rows;

pub struct ImportOptions {
    /// Names where the entries come from; with `external_id` it identifies an entry.
    pub source: String,
    pub dry_run: bool,
    /// Publish every entry of the import, new or updated.
    pub publish: bool,
    /// Accept new entries whose deadline has passed (to load an archive).
    pub accept_closed: bool,
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

/// Reads, checks and writes the rows, in one write transaction: all or nothing. Every
/// row is checked even after a failure (the first 50 problems are reported, and a count
/// of the rest); writing stops at the first failure, and the transaction is rolled back.
/// A dry run writes everything and rolls it back, so it finds exactly what a real run
/// would.
pub fn run<R: Read + Seek>(
    conn: &mut DbConn,
    rows: Rows<R>,
    options: &ImportOptions,
    actor: Option<Uuid>,
) -> Result<ImportReport, ApiError> {
    let outcome = limits::write_transaction::<_, Abort, _>(conn, |conn| {
        importing::begin(conn).map_err(ApiError::from)?;
        let mut importer = Importer::new(options, actor);
        rows::each_row(rows, &mut |row| importer.row(conn, row))?;
        let report = importer.finish(conn)?;
        if options.dry_run {
            return Err(Abort::DryRun(report));
        }
        Ok(report)
    });
    if let Err(error) = importing::end(conn) {
        // The import's outcome stands: only dropping the prepared statements can fail
        // here, on a lost connection.
        tracing::warn!(%error, "could not reset the connection after an import");
    }
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

fn is_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"))
}

/// The encoding `Content-Type` declares with `charset`, if it declares one.
fn declared_charset(req: &HttpRequest) -> Result<Option<&'static encoding_rs::Encoding>, ApiError> {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let charset = value.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_owned())
    });
    match charset {
        None => Ok(None),
        Some(label) => encoding::named(&label).map(Some).ok_or_else(|| {
            ApiError::InvalidInput(vec![FieldIssue::new(
                "content-type",
                format!("declares charset `{label}`, which is not an encoding this service reads (utf-8 or windows-1250, for instance)"),
            )])
        }),
    }
}

/// What a refused import's 422 says; the publication rule comes from the domain.
fn refusal_description() -> String {
    format!(
        "Rows break the rules; nothing was written. `errors` names each problem: for JSON by `/{{index}}/pointer`, for CSV by spreadsheet row (the header is row 1), column and cell (`row`, `column`, `value`). Besides the rules of the writable representation: a row with `id` needs the `version` it was exported at, and is refused when the entry has changed since; a new entry whose deadline has passed is refused unless `accept_closed=true`; a row whose source URL is another row's or another entry's is refused; and with `publish=true` every row must have what publication needs. {}",
        crate::domain::publication::RULE
    )
}

/// Import entries in bulk (editors): a JSON array, or CSV with `Content-Type: text/csv`.
/// A row with `id` (and the `version` it was exported at) updates that entry: an edited
/// table export imports back onto the same entries. A row with `external_id` creates the
/// entry the source calls so, or updates it when an earlier import created it. New
/// entries land in review; `publish=true` publishes every entry of the import, new or
/// updated. A CSV row that updates changes the columns its table has; a JSON row is the
/// whole entry. All or nothing; `dry_run=true` reports without writing, with the same
/// checks.
#[utoipa::path(
    tag = "curation",
    security(("bearer" = [])),
    params(
        ("source" = String, Query, pattern = "^[A-Za-z0-9._-]{1,100}$", description = "Where the entries come from: letters, digits, `.`, `_` and `-`, e.g. `on-the-move`. With `external_id` it identifies an entry.", example = "partner-feed"),
        ("dry_run" = Option<bool>, Query, description = "Check and report, write nothing."),
        ("publish" = Option<bool>, Query, description = "Publish every entry of the import, new or updated, instead of leaving new ones in review and updated ones in their state. Each must have what publication needs (see the 422 answer)."),
        ("accept_closed" = Option<bool>, Query, description = "Accept new entries whose deadline has passed, to load closed calls (an archive); otherwise such a row is refused."),
    ),
    request_body(
        description = "Entries in the writable representation, each with an `external_id`, or an `id` and the `version` it is based on; or a table (`text/csv`, optionally with `charset`) in the columns of the CSV export, listed in the README: separated by `,`, `;` or tabs, in UTF-8 (with or without a byte order mark) or Windows-1250, told apart unless `charset` says.",
        content(
            (Vec<Object> = "application/json"),
            (String = "text/csv", example = "external_id,type,organization,title_en,title_sl,summary_en,summary_sl,destination_countries,rolling,application_url\r\np-1,residency,karst-residency-house,Karst Summer Studio,Poletni atelje na Krasu,Four weeks in stone.,Štirje tedni v kamnu.,SI,true,https://example.org/apply\r\n"),
        )
    ),
    responses(
        (status = 200, description = "Imported (or, in a dry run, checked).", body = ImportReport),
        CommonErrors,
        AuthErrors,
        (status = 413, description = "The body is larger than the operation accepts.", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = refusal_description(), body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/import")]
pub async fn import(
    req: HttpRequest,
    staff: Staff,
    body: Bytes,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::parse(
        req.query_string(),
        &["source", "dry_run", "publish", "accept_closed"],
    );
    let source = params.one("source", "1 to 100 letters, digits, `.`, `_` or `-`", |v| {
        is_identifier(v, 100, &['.', '_', '-']).then(|| v.to_owned())
    });
    let dry_run = params.boolean("dry_run").unwrap_or(false);
    let publish = params.boolean("publish").unwrap_or(false);
    let accept_closed = params.boolean("accept_closed").unwrap_or(false);
    params.finish()?;
    let Some(source) = source else {
        return Err(ApiError::InvalidInput(vec![FieldIssue::new(
            "source",
            "is required",
        )]));
    };
    staff.require(&[Role::Admin, Role::Editor])?;
    let csv = is_csv(&req);
    let charset = if csv { declared_charset(&req)? } else { None };
    let options = ImportOptions {
        source,
        dry_run,
        publish,
        accept_closed,
    };
    let report = database::run_within(&pool, limits::IMPORT_TIMEOUT, move |conn| {
        let reader = Cursor::new(body);
        let rows = if csv {
            Rows::Csv { reader, charset }
        } else {
            Rows::Json(reader)
        };
        run(conn, rows, &options, Some(staff.id))
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
