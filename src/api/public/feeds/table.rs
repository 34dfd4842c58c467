//! The list as CSV (RFC 4180), written with the `csv` crate: UTF-8 (with a byte order
//! mark on request, for Excel), CRLF line ends, one header row, fields quoted where they
//! need it. The columns are [`crate::api::columns::COLUMNS`], the same the import reads:
//! an exported table, edited, imports back onto the same entries.
//!
//! Multi-valued columns join their values with `;`, which no slug or code contains. A cell
//! that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return) gets a leading `'`, so that a submitted title cannot become a formula
//! on a partner's machine.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use super::Feed;
use crate::api::columns::{COLUMNS, Cell, Column, write_cell};
use crate::api::staff::opportunity_input;
use crate::domain::opportunity::{Opportunity, Organization};
use crate::error::ApiError;

/// The UTF-8 byte order mark, by which Excel knows the file is UTF-8.
const BOM: &str = "\u{feff}";

fn instant(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// A cell that is not a member of the writable representation.
fn own_cell(feed: &Feed, o: &Opportunity, org: &Organization, column: &Column) -> String {
    match column.name {
        "id" => o.id.to_string(),
        "version" => o.version.to_string(),
        "url" => feed.entry_url(o),
        "status" => o.status_at(feed.now).slug().to_owned(),
        "organization_name" => write_cell(column, Some(&Value::String(org.name.clone()))),
        "published_at" => instant(o.published_at),
        "updated_at" => instant(Some(o.updated_at)),
        _ => String::new(),
    }
}

fn row(feed: &Feed, o: &Opportunity, org: &Organization) -> Vec<String> {
    let writable = opportunity_input::write(o, &org.slug);
    COLUMNS
        .iter()
        .map(|column| match column.cell {
            Cell::Identity | Cell::ReadOnly => own_cell(feed, o, org, column),
            _ => write_cell(column, writable.pointer(column.member)),
        })
        .collect()
}

/// The table of `entries`, in the order given; with `bom`, preceded by a byte order mark.
pub fn render(
    feed: &Feed,
    entries: &[(Opportunity, Organization)],
    bom: bool,
) -> Result<String, ApiError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let failed = |e: csv::Error| ApiError::Internal(format!("the CSV did not serialize: {e}"));
    writer
        .write_record(COLUMNS.iter().map(|c| c.name))
        .map_err(failed)?;
    for (o, org) in entries {
        writer.write_record(row(feed, o, org)).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ApiError::Internal(format!("the CSV did not serialize: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(if bom { format!("{BOM}{text}") } else { text })
}
