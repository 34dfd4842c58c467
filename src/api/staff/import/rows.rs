//! The rows of an import, read one at a time so that a file of any size needs memory
//! for one row: the entries of a JSON array (or of `{"items": [...]}`), or the rows of a
//! CSV table in the columns of [`crate::api::columns`], as spreadsheets write it — `,`,
//! `;` or tab between cells (told apart by the header), in UTF-8 or Windows-1250 (see
//! [`super::encoding`]).

use std::io::{BufRead, BufReader, Cursor, Read, Seek};

use encoding_rs::Encoding;
use serde_json::{Map, Value};

use super::encoding::{self, Utf8Reader};
use crate::api::columns::{self, Cell, Column};
use crate::error::{ApiError, FieldIssue};

/// Where the rows of an import come from.
pub enum Rows<R> {
    /// A JSON array of entries, or `{"items": [...]}`.
    Json(R),
    /// A CSV table; `charset` is the encoding the request declared, if it did.
    Csv {
        reader: R,
        charset: Option<&'static Encoding>,
    },
}

/// Where a row is in what was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// An entry of a JSON array, counted from 0.
    Index(usize),
    /// A row of a spreadsheet, as a person counts it: the header is row 1.
    Line(u64),
}

impl Place {
    /// The number reports give the row: its index, or its spreadsheet row.
    pub fn number(self) -> u64 {
        match self {
            Place::Index(i) => i as u64,
            Place::Line(n) => n,
        }
    }

    /// How a message refers to the row.
    pub fn describe(self) -> String {
        match self {
            Place::Index(i) => format!("entry {i}"),
            Place::Line(n) => format!("row {n}"),
        }
    }
}

/// One row, read.
pub struct Row {
    pub place: Place,
    /// The entry in the writable representation, with the members that identify it
    /// (`id`, `version`, `external_id`). A CSV row has every column of its table, an
    /// empty cell as null.
    pub object: Map<String, Value>,
    /// For a CSV row: each column of the table, with the cell's text.
    pub cells: Option<Vec<(&'static Column, String)>>,
    /// What is wrong with the row as read, before its content is checked.
    pub issues: Vec<FieldIssue>,
}

impl Row {
    /// The text of the cell of `column`, when the table has that column.
    pub fn cell(&self, column: &str) -> Option<&str> {
        self.cells
            .as_ref()?
            .iter()
            .find(|(c, _)| c.name == column)
            .map(|(_, text)| text.as_str())
    }
}

/// Calls `on_row` with each row; stops at the first error `on_row` returns.
pub fn each_row<R: Read + Seek>(
    rows: Rows<R>,
    on_row: &mut dyn FnMut(Row) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    match rows {
        Rows::Json(reader) => each_json_row(reader, &mut |index, object| {
            on_row(Row {
                place: Place::Index(index),
                object,
                cells: None,
                issues: Vec::new(),
            })
        }),
        Rows::Csv { reader, charset } => each_csv_row(reader, charset, on_row),
    }
}

/// The longest header line read to tell the separator.
const HEADER_MAX_BYTES: u64 = 64 * 1024;

/// The separator of a table: whichever of `,`, `;` and tab its header line has most of,
/// outside quotes (column names have none of them); `,` when it has none.
fn separator(header: &[u8]) -> u8 {
    let mut quoted = false;
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    for &byte in header {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(count) = counts.iter_mut().find(|(s, _)| *s == byte) {
            count.1 += 1;
        }
    }
    counts
        .iter()
        .fold((b',', 0), |best, &c| if c.1 > best.1 { c } else { best })
        .0
}

fn unreadable(e: csv::Error) -> ApiError {
    match e.kind() {
        csv::ErrorKind::Io(io) => {
            ApiError::MalformedBody(format!("the table cannot be read: {io}"))
        }
        _ => match e.position() {
            Some(p) => ApiError::MalformedBody(format!(
                "the CSV is malformed at row {}: {e}",
                p.record() + 1
            )),
            None => ApiError::MalformedBody(format!("the CSV is malformed: {e}")),
        },
    }
}

/// The column each header cell names (`None` for an unnamed one), or every problem of
/// the header.
fn header_columns(header: &csv::StringRecord) -> Result<Vec<Option<&'static Column>>, ApiError> {
    let mut issues = Vec::new();
    let mut columns: Vec<Option<&'static Column>> = Vec::new();
    for name in header.iter() {
        if name.is_empty() {
            columns.push(None);
            continue;
        }
        match columns::find(name) {
            Some(column) if columns.contains(&Some(column)) => {
                issues.push(FieldIssue::cell(
                    1,
                    name,
                    Some(name),
                    "appears twice in the header",
                ));
            }
            Some(column) => columns.push(Some(column)),
            None => {
                let dotted = format!("/{}", name.replace('.', "/"));
                let reason = match columns::COLUMNS.iter().find(|c| c.member == dotted) {
                    Some(c) => format!("is not a column of the table; did you mean `{}`?", c.name),
                    None => "is not a column of the table (the README lists them)".to_owned(),
                };
                issues.push(FieldIssue::cell(1, name, Some(name), reason));
            }
        }
    }
    let has = |name: &str| columns.iter().flatten().any(|c| c.name == name);
    if !has("id") && !has(columns::EXTERNAL_ID.name) {
        issues.push(FieldIssue::cell(
            1,
            columns::EXTERNAL_ID.name,
            None,
            "is missing, and so is `id`: each row needs `id` (to update that entry) or `external_id` (its id at the source)",
        ));
    }
    if issues.is_empty() {
        Ok(columns)
    } else {
        Err(ApiError::Unprocessable(issues))
    }
}

fn each_csv_row<R: Read + Seek>(
    mut reader: R,
    charset: Option<&'static Encoding>,
    on_row: &mut dyn FnMut(Row) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let encoding = encoding::detect(&mut reader, charset)
        .map_err(|e| ApiError::MalformedBody(format!("the table cannot be read: {e}")))?;
    let mut text = BufReader::new(Utf8Reader::new(reader, encoding));
    let mut first_line = Vec::new();
    (&mut text)
        .take(HEADER_MAX_BYTES)
        .read_until(b'\n', &mut first_line)
        .map_err(|e| ApiError::MalformedBody(format!("the table cannot be read: {e}")))?;
    let delimiter = separator(&first_line);
    let mut table = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(Cursor::new(first_line).chain(text));
    let header = table.headers().map_err(unreadable)?.clone();
    let columns = header_columns(&header)?;
    for (index, record) in table.records().enumerate() {
        let record = record.map_err(unreadable)?;
        if record.iter().all(str::is_empty) {
            // An empty row, as spreadsheets leave them under a table.
            continue;
        }
        // The header is row 1.
        let line = index as u64 + 2;
        let mut row = Row {
            place: Place::Line(line),
            object: Map::new(),
            cells: Some(Vec::new()),
            issues: Vec::new(),
        };
        let mut cells = Vec::new();
        for (position, cell) in record.iter().enumerate() {
            match columns.get(position).copied().flatten() {
                Some(column) => cells.push((column, cell.to_owned())),
                None if cell.is_empty() => {}
                None => row.issues.push(FieldIssue {
                    name: format!("row {line}"),
                    reason: format!(
                        "has a cell in column {} of the table, which has no name in the header",
                        position + 1
                    ),
                    row: Some(line),
                    column: None,
                    value: Some(cell.to_owned()),
                }),
            }
        }
        // Cells a short row leaves out are empty.
        for column in columns.iter().skip(record.len()).flatten() {
            cells.push((column, String::new()));
        }
        for (column, cell) in &cells {
            match column.cell {
                Cell::ReadOnly => {}
                Cell::Identity => {
                    if !cell.is_empty() {
                        row.object
                            .insert(column.name.to_owned(), Value::String(cell.clone()));
                    }
                }
                _ => columns::set_member(
                    &mut row.object,
                    column.member,
                    columns::read_cell(column, cell).unwrap_or(Value::Null),
                ),
            }
        }
        row.cells = Some(cells);
        on_row(row)?;
    }
    Ok(())
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
