//! The one set of CSV columns of an opportunity, shared by the table export
//! (`GET /api/v1/opportunities.csv`) and the import (`POST /api/v1/import`), so that an
//! exported table, edited in a spreadsheet, imports as it is. Each writable column holds
//! one member of the writable representation (by JSON pointer); the export fills it from
//! that representation and the import builds the representation back from it. The README
//! lists the columns once, with what each means.

use serde_json::{Map, Value};

/// How a column's cells are written and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Identifies the entry a row updates: `id` and `version`.
    Identity,
    /// Text: free text, a code, a slug, a date or a URL. A cell a spreadsheet would run as
    /// a formula is written with a leading `'`, which the import takes off again.
    Text,
    /// Values separated by `;` (the import also takes `,`).
    List,
    /// Countries and regions separated by `;`; `any` when the list is empty.
    Areas,
    /// `true` or `false` (the import takes any letter case, as spreadsheets write it).
    Boolean,
    /// A whole number.
    Integer,
    /// Written by the export, ignored by the import.
    ReadOnly,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    /// The member of the writable representation the column holds; empty for identity
    /// and read-only columns.
    pub member: &'static str,
    pub cell: Cell,
}

const fn column(name: &'static str, member: &'static str, cell: Cell) -> Column {
    Column { name, member, cell }
}

use Cell::{Areas, Boolean, Identity, Integer, List, ReadOnly, Text};

/// The columns of the export, in order. The import reads each of them, and also
/// [`EXTERNAL_ID`].
pub const COLUMNS: &[Column] = &[
    column("id", "", Identity),
    column("version", "", Identity),
    column("slug", "/slug", Text),
    column("url", "", ReadOnly),
    column("type", "/type", Text),
    column("status", "", ReadOnly),
    column("title_en", "/title/en", Text),
    column("title_sl", "/title/sl", Text),
    column("summary_en", "/summary/en", Text),
    column("summary_sl", "/summary/sl", Text),
    column("description_en", "/description/en", Text),
    column("description_sl", "/description/sl", Text),
    column("organization", "/organization", Text),
    column("organization_name", "", ReadOnly),
    column("disciplines", "/disciplines", List),
    column("destination_countries", "/destination/countries", List),
    column("destination_city", "/destination/city", Text),
    column("destination_online", "/destination/online", Boolean),
    column("nationalities", "/eligibility/nationalities", Areas),
    column("residences", "/eligibility/residences", Areas),
    column("career_stage", "/eligibility/career_stage", Text),
    column("age_min", "/eligibility/age_min", Integer),
    column("age_max", "/eligibility/age_max", Integer),
    column("opens_at", "/opens_at", Text),
    column("deadline", "/deadline", Text),
    column("deadline_timezone", "/deadline_timezone", Text),
    column("rolling", "/rolling", Boolean),
    column("activity_starts_on", "/activity/starts_on", Text),
    column("activity_ends_on", "/activity/ends_on", Text),
    column("duration_min_days", "/activity/duration_min_days", Integer),
    column("duration_max_days", "/activity/duration_max_days", Integer),
    column("funding_min", "/funding/min", Integer),
    column("funding_max", "/funding/max", Integer),
    column("funding_currency", "/funding/currency", Text),
    column("covered_costs", "/covered_costs", List),
    column("application_fee", "/application_fee/amount", Integer),
    column(
        "application_fee_currency",
        "/application_fee/currency",
        Text,
    ),
    column("application_url", "/application_url", Text),
    column("source_url", "/source_url", Text),
    column("contact_email", "/contact_email", Text),
    column("languages", "/languages", List),
    column("published_at", "", ReadOnly),
    column("updated_at", "", ReadOnly),
];

/// The import's own column: the entry's id at the import's `source`.
pub const EXTERNAL_ID: Column = column("external_id", "", Identity);

/// The column named `name`, as the import reads it.
pub fn find(name: &str) -> Option<&'static Column> {
    COLUMNS
        .iter()
        .chain(std::iter::once(&EXTERNAL_ID))
        .find(|c| c.name == name)
}

/// The column holding the member at `pointer`, or the member it lies in (`/disciplines/2`
/// is in `disciplines`), or else the first column inside it (`/title` → `title_en`).
pub fn holding(pointer: &str) -> Option<&'static Column> {
    let writable = || COLUMNS.iter().filter(|c| !c.member.is_empty());
    writable()
        .find(|c| c.member == pointer)
        .or_else(|| {
            writable().find(|c| {
                pointer
                    .strip_prefix(c.member)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
        })
        .or_else(|| {
            writable().find(|c| {
                c.member
                    .strip_prefix(pointer)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
        })
        .or_else(|| find(pointer.trim_start_matches('/')))
}

/// Formula characters: a cell starting with one is run by spreadsheets.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A free-text cell, defused for spreadsheets.
fn defused(text: &str) -> String {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The cell of `column` for the member `value` of the writable representation.
pub fn write_cell(column: &Column, value: Option<&Value>) -> String {
    let scalar = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    match (column.cell, value) {
        (_, None | Some(Value::Null)) => String::new(),
        (_, Some(Value::String(s))) => defused(s),
        (Cell::List | Cell::Areas, Some(Value::Array(items))) => {
            if items.is_empty() && column.cell == Cell::Areas {
                ANY.to_owned()
            } else {
                items.iter().map(scalar).collect::<Vec<_>>().join(";")
            }
        }
        (_, Some(v)) => scalar(v),
    }
}

/// What an `Areas` cell says when every country and region is eligible.
pub const ANY: &str = "any";

/// The value a cell gives the member its column holds: `None` for an empty cell. A cell
/// that is not what the column takes is passed on as text, for the representation's
/// reader to refuse with its usual reason.
pub fn read_cell(column: &Column, cell: &str) -> Option<Value> {
    let cell = cell.trim();
    if cell.is_empty() {
        return None;
    }
    let text = |s: &str| Some(Value::String(s.to_owned()));
    match column.cell {
        Cell::Text => match cell.strip_prefix('\'') {
            Some(rest) if rest.starts_with(FORMULA_STARTS) => text(rest),
            _ => text(cell),
        },
        Cell::Areas if cell.eq_ignore_ascii_case(ANY) => Some(Value::Array(vec![])),
        Cell::List | Cell::Areas => Some(Value::Array(
            cell.split([';', ','])
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| Value::String(v.to_owned()))
                .collect(),
        )),
        Cell::Boolean if cell.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
        Cell::Boolean if cell.eq_ignore_ascii_case("false") => Some(Value::Bool(false)),
        Cell::Integer => match cell.parse::<i64>() {
            Ok(n) => Some(Value::from(n)),
            Err(_) => text(cell),
        },
        _ => text(cell),
    }
}

/// Sets the member at `pointer` (`/funding/max`) of `object`, making the objects on the way.
pub fn set_member(object: &mut Map<String, Value>, pointer: &str, value: Value) {
    let mut segments = pointer.trim_start_matches('/').split('/').peekable();
    let mut current = object;
    while let Some(segment) = segments.next() {
        if segments.peek().is_none() {
            current.insert(segment.to_owned(), value);
            return;
        }
        let next = current
            .entry(segment.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        let Value::Object(inner) = next else {
            return;
        };
        current = inner;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::staff::opportunity_input::FIELDS;

    #[test]
    fn every_writable_member_has_exactly_one_column() {
        for field in FIELDS {
            assert!(
                COLUMNS.iter().any(|c| c.member == format!("/{field}")
                    || c.member.starts_with(&format!("/{field}/"))),
                "{field} has no column"
            );
        }
        let mut members: Vec<&str> = COLUMNS
            .iter()
            .map(|c| c.member)
            .filter(|m| !m.is_empty())
            .collect();
        let count = members.len();
        members.sort();
        members.dedup();
        assert_eq!(members.len(), count, "a member has two columns");
    }

    #[test]
    fn cells_are_read_back_as_they_were_written() {
        let title = find("title_en").unwrap();
        for text in ["=SUM(A1)", "-5 degrees", "'quoted", "plain"] {
            let cell = write_cell(title, Some(&Value::String(text.into())));
            assert_eq!(read_cell(title, &cell), Some(Value::String(text.into())));
        }
        let nationalities = find("nationalities").unwrap();
        assert_eq!(
            write_cell(nationalities, Some(&Value::Array(vec![]))),
            "any"
        );
        assert_eq!(read_cell(nationalities, "ANY"), Some(Value::Array(vec![])));
        assert_eq!(
            read_cell(find("disciplines").unwrap(), "dance; music,theatre"),
            Some(serde_json::json!(["dance", "music", "theatre"]))
        );
        assert_eq!(
            read_cell(find("rolling").unwrap(), "TRUE"),
            Some(Value::Bool(true))
        );
        assert_eq!(read_cell(find("funding_max").unwrap(), " "), None);
    }

    #[test]
    fn a_pointer_names_the_column_that_holds_it() {
        let name = |p: &str| holding(p).map(|c| c.name);
        assert_eq!(name("/funding/max"), Some("funding_max"));
        assert_eq!(name("/disciplines/2"), Some("disciplines"));
        assert_eq!(name("/title"), Some("title_en"));
        assert_eq!(name("/external_id"), Some("external_id"));
    }
}
