//! The table export and the import as one round trip through a spreadsheet: an exported
//! table, edited and saved the ways spreadsheets save CSV (UTF-8 with or without a byte
//! order mark, Windows-1250, `,` or `;`), imports back onto the same entries, guarded by
//! each row's version; and import errors name the spreadsheet row, the column and the cell.

use serde_json::{Value, json};

use mobility_directory::api::columns::{COLUMNS, Cell};
use mobility_directory::domain::geography::Area;
use mobility_directory::domain::opportunity::{Opportunity, Texts};
use mobility_directory::domain::vocabulary::Role;

use crate::helpers::{Reply, TestApp, opportunity, organization, spawn_app};
use crate::parsers::{parse, spreadsheet};

/// Three published entries of an organizer whose name a spreadsheet would take for a
/// formula: one with a long, multi-line description and eligibility limits, one rolling
/// with a title a spreadsheet would take for a formula too.
fn directory() -> (TestApp, String, Vec<Opportunity>) {
    let app = spawn_app();
    let mut org = organization("lumen");
    org.name = "@Lumen Collective".into();
    app.insert_organization(&org);
    let mut karst = opportunity("karst-stone-residency", &org);
    karst.title = Texts::both("Karst Stone Residency", "Kraška kamnita rezidenca");
    karst.description = Texts::both(
        "Six weeks in a stone house.\nBring warm clothes; the \"bora\" blows.",
        "Šest tednov v kamniti hiši.\nPrinesite toplo obleko.",
    );
    karst.eligibility.nationalities = vec![Area::parse("SI").unwrap(), Area::parse("HR").unwrap()];
    karst.eligibility.age_max = Some(35);
    karst.source_url = Some("https://lumen.example.org/calls/karst".into());
    let mut winter = opportunity("winter-residency", &org);
    winter.title = Texts::both("-40° Winter Residency", "Zimska rezidenca pri -40°");
    winter.rolling = true;
    winter.deadline = None;
    winter.funding = None;
    let dance = opportunity("drava-dance-lab", &org);
    for o in [&karst, &winter, &dance] {
        app.insert(o);
    }
    let editor = app.token_for(Role::Editor);
    (app, editor, vec![karst, winter, dance])
}

fn import(app: &TestApp, token: &str, query: &str, file: &[u8], content_type: &str) -> Reply {
    app.send(
        "POST",
        &format!("/api/v1/import?{query}"),
        &[
            ("authorization", &format!("Bearer {token}")),
            ("content-type", content_type),
        ],
        Some(file),
    )
}

fn staff_entry(app: &TestApp, token: &str, slug: &str) -> Value {
    app.get_as(&format!("/api/v1/staff/opportunities/{slug}"), token)
        .json()
}

#[test]
fn the_export_has_the_import_columns_and_offers_a_byte_order_mark() {
    let (app, _, _) = directory();
    let plain = app.get("/api/v1/opportunities.csv");
    assert!(!plain.bytes.starts_with(b"\xEF\xBB\xBF"));
    let marked = app.get("/api/v1/opportunities.csv?bom=true");
    assert_eq!(marked.status, 200, "{}", marked.body);
    assert!(
        marked.bytes.starts_with(b"\xEF\xBB\xBF"),
        "a UTF-8 byte order mark"
    );
    assert_eq!(&marked.bytes[3..], &plain.bytes[..]);
    let table = parse("csv", &plain.body);
    let header: Vec<&str> = table["header"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    let columns: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
    assert_eq!(header, columns);
    let rows = table["rows"].as_array().unwrap();
    let karst = rows
        .iter()
        .find(|r| r["slug"] == "karst-stone-residency")
        .unwrap();
    assert_eq!(karst["nationalities"], "HR;SI");
    assert_eq!(
        karst["residences"], "any",
        "an empty eligibility cell says so"
    );
    assert_eq!(
        karst["description_sl"],
        "Šest tednov v kamniti hiši.\nPrinesite toplo obleko."
    );
    assert_eq!(karst["organization"], "lumen");
    assert_eq!(
        karst["organization_name"], "'@Lumen Collective",
        "read-only cells are defused too"
    );
    assert_eq!(karst["version"], "1");
    let winter = rows
        .iter()
        .find(|r| r["slug"] == "winter-residency")
        .unwrap();
    assert_eq!(winter["title_en"], "'-40° Winter Residency");
    assert_eq!(winter["nationalities"], "any");
    // The list takes no `bom`: it belongs to the table's own URL.
    assert_eq!(
        app.request_with(
            "GET",
            "/api/v1/opportunities?bom=true",
            &[("accept", "text/csv")]
        )
        .status,
        400
    );
}

#[test]
fn an_edited_export_saved_as_spreadsheets_save_it_updates_the_same_entries() {
    let (app, editor, entries) = directory();
    let ids: Vec<(String, String)> = entries
        .iter()
        .map(|o| (o.slug.clone(), o.id.to_string()))
        .collect();
    let variants = [
        ("utf-8-sig", ",", None),
        ("utf-8", ";", None),
        ("cp1250", ";", None),
        ("cp1250", ";", Some("windows-1250")),
        ("cp1250", ",", Some("cp1250")),
    ];
    for (n, (encoding, delimiter, charset)) in variants.into_iter().enumerate() {
        let export = app.get("/api/v1/opportunities.csv?bom=true");
        assert_eq!(export.status, 200);
        let exported = parse("csv", export.body.trim_start_matches('\u{feff}'));
        let position = exported["rows"]
            .as_array()
            .unwrap()
            .iter()
            .position(|r| r["slug"] == "karst-stone-residency")
            .unwrap();
        let version_before =
            staff_entry(&app, &editor, "karst-stone-residency")["workflow"]["version"].clone();
        let title = format!("Kraška rezidenca, različica {n}: čšž ČŠŽ");
        let file = spreadsheet(&json!({
            "csv": export.body,
            "edits": [{"where": {"slug": "karst-stone-residency"},
                       "set": {"title_sl": title, "funding_max": (2000 + n).to_string()}}],
            "encoding": encoding,
            "delimiter": delimiter,
        }));
        assert_eq!(
            std::str::from_utf8(&file).is_ok(),
            encoding != "cp1250",
            "{encoding}: the file is in the encoding a spreadsheet saved it in"
        );
        assert_eq!(file.starts_with(b"\xEF\xBB\xBF"), encoding == "utf-8-sig");
        let content_type = match charset {
            Some(c) => format!("text/csv; charset={c}"),
            None => "text/csv".to_owned(),
        };
        let context = format!("{encoding} with `{delimiter}`, charset {charset:?}");

        let dry = import(
            &app,
            &editor,
            "source=sheet&dry_run=true",
            &file,
            &content_type,
        );
        assert_eq!(dry.status, 200, "{context}: {}", dry.body);
        let report = dry.json();
        assert_eq!(
            (&report["created"], &report["updated"], &report["unchanged"]),
            (&json!(0), &json!(1), &json!(2)),
            "{context}: {report}"
        );
        assert_ne!(
            app.get_json("/api/v1/opportunities/karst-stone-residency")["title"]["sl"],
            json!(title),
            "{context}: a dry run writes nothing"
        );

        let real = import(&app, &editor, "source=sheet", &file, &content_type);
        assert_eq!(real.status, 200, "{context}: {}", real.body);
        let report = real.json();
        assert_eq!(
            (&report["created"], &report["updated"], &report["unchanged"]),
            (&json!(0), &json!(1), &json!(2)),
            "{context}: {report}"
        );
        let updated: Vec<&Value> = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["action"] == "updated")
            .collect();
        assert_eq!(updated.len(), 1);
        assert_eq!(updated[0]["id"], json!(entries[0].id.to_string()));
        assert_eq!(
            updated[0]["row"],
            json!(position + 2),
            "{context}: the spreadsheet row, the header being row 1"
        );
        assert_eq!(updated[0]["state"], "published");
        let entry = app.get_json("/api/v1/opportunities/karst-stone-residency");
        assert_eq!(entry["title"]["sl"], json!(title), "{context}");
        assert_eq!(entry["funding"]["max"], json!(2000 + n), "{context}");
        assert_eq!(
            entry["description"]["en"],
            "Six weeks in a stone house.\nBring warm clothes; the \"bora\" blows."
        );
        assert_eq!(entry["eligibility"]["nationalities"], json!(["HR", "SI"]));
        assert_eq!(
            app.get_json("/api/v1/opportunities/winter-residency")["title"]["en"],
            "-40° Winter Residency",
            "the formula guard is taken off again"
        );
        assert_eq!(
            app.get_as("/api/v1/staff/opportunities", &editor).json()["total"],
            3,
            "{context}: no entry was added"
        );
        for (slug, id) in &ids {
            assert_eq!(
                &app.get_json(&format!("/api/v1/opportunities/{slug}"))["id"],
                &json!(id),
                "{context}: {slug} keeps its id"
            );
        }

        // The same file again is stale: the entry moved on since it was exported.
        let stale = import(&app, &editor, "source=sheet", &file, &content_type);
        assert_eq!(stale.status, 422, "{context}: {}", stale.body);
        let errors = stale.json()["errors"].clone();
        assert_eq!(errors.as_array().unwrap().len(), 1, "{errors}");
        assert_eq!(errors[0]["row"], json!(position + 2));
        assert_eq!(errors[0]["column"], "version");
        assert_eq!(errors[0]["value"], json!(version_before.to_string()));
        assert_eq!(
            errors[0]["name"],
            json!(format!("row {}, column version", position + 2))
        );
        assert!(
            errors[0]["reason"]
                .as_str()
                .unwrap()
                .contains("export it again"),
            "{errors}"
        );
        assert_eq!(
            app.get_json("/api/v1/opportunities/karst-stone-residency")["title"]["sl"],
            json!(title),
            "{context}: the stale row overwrote nothing"
        );
    }
}

#[test]
fn a_column_left_out_of_a_table_keeps_what_is_stored_and_an_empty_cell_clears() {
    let (app, editor, entries) = directory();
    let karst = &entries[0];
    let file = spreadsheet(&json!({
        "header": ["id", "version", "funding_max", "funding_currency", "age_max", "status", "url"],
        "rows": [[karst.id.to_string(), "1", "5000", "EUR", "", "closed", "https://elsewhere.example"]],
        "delimiter": ";",
    }));
    let reply = import(&app, &editor, "source=sheet", &file, "text/csv");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["updated"], 1);
    let entry = app.get_json("/api/v1/opportunities/karst-stone-residency");
    assert_eq!(entry["funding"]["max"], 5000);
    assert!(
        entry["eligibility"]["age_max"].is_null(),
        "the empty cell cleared it"
    );
    assert_eq!(
        entry["title"]["sl"], "Kraška kamnita rezidenca",
        "not in the table: kept"
    );
    assert_eq!(entry["eligibility"]["nationalities"], json!(["HR", "SI"]));
    assert_eq!(entry["status"], "open", "read-only columns are ignored");
}

#[test]
fn import_errors_name_the_spreadsheet_row_the_column_and_the_cell() {
    let app = spawn_app();
    app.insert_organization(&organization("lumen"));
    let editor = app.token_for(Role::Editor);
    let header = json!([
        "external_id",
        "type",
        "organization",
        "title_en",
        "title_sl",
        "description_sl",
        "destination_countries",
        "deadline",
        "deadline_timezone",
        "funding_max",
        "funding_currency",
        "disciplines"
    ]);
    // Row 2's description spans three lines of the file: row 3 is still row 3.
    let file = spreadsheet(&json!({
        "header": header,
        "rows": [
            ["p-1", "residency", "lumen", "Karst Studio", "Kraški atelje", "Prva vrstica\ndruga\ntretja",
             "SI", "2099-05-01T23:59:00+02:00", "Europe/Ljubljana", "1200", "EUR", "visual_arts;crafts"],
            ["p-2", "residency", "lumen", "Bad Row", "Slaba vrstica", "",
             "SI", "1.5.2099", "Europe/Ljubljana", "12 000", "EUR", "dance;painting"],
        ],
        "encoding": "cp1250",
        "delimiter": ";",
    }));
    let reply = import(
        &app,
        &editor,
        "source=sheet&dry_run=true",
        &file,
        "text/csv",
    );
    assert_eq!(reply.status, 422, "{}", reply.body);
    let errors = reply.json()["errors"].clone();
    let cells: Vec<(u64, &str, &str)> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap(),
                e["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        vec![
            (3, "disciplines", "dance;painting"),
            (3, "deadline", "1.5.2099"),
            (3, "funding_max", "12 000"),
        ],
        "{errors}"
    );
    let funding = errors
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["column"] == "funding_max")
        .unwrap();
    assert_eq!(funding["name"], "row 3, column funding_max");
    assert!(
        funding["reason"].as_str().unwrap().contains("integer"),
        "{funding}"
    );

    // The old dotted names are not columns; the answer says which is meant.
    let dotted = spreadsheet(&json!({
        "header": ["external_id", "title.en"],
        "rows": [["p-1", "Karst Studio"]],
    }));
    let reply = import(&app, &editor, "source=sheet", &dotted, "text/csv");
    assert_eq!(reply.status, 422, "{}", reply.body);
    let error = &reply.json()["errors"][0];
    assert_eq!(error["row"], 1);
    assert_eq!(error["column"], "title.en");
    assert!(
        error["reason"].as_str().unwrap().contains("`title_en`"),
        "{error}"
    );

    // Text that is not what its charset declares, and a charset nobody knows.
    let declared = import(
        &app,
        &editor,
        "source=sheet",
        &file,
        "text/csv; charset=utf-8",
    );
    assert_eq!(declared.status, 400, "{}", declared.body);
    assert!(
        declared.json()["detail"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
    let unknown = import(
        &app,
        &editor,
        "source=sheet",
        &file,
        "text/csv; charset=klingon",
    );
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert_eq!(unknown.json()["errors"][0]["name"], "content-type");
    assert_eq!(
        app.get_as("/api/v1/staff/opportunities", &editor).json()["total"],
        0
    );
}

/// The README's table of columns is the one the code exports and imports: the same names
/// in the same order, and the same read-only ones.
#[test]
fn the_readme_documents_the_columns_the_code_has() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("### The table columns")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap();
    let documented: Vec<(String, bool)> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].trim_matches('`').to_owned(), cells[3] == "ignored")
        })
        .collect();
    let mut code: Vec<(String, bool)> = COLUMNS
        .iter()
        .map(|c| (c.name.to_owned(), c.cell == Cell::ReadOnly))
        .collect();
    code.insert(2, ("external_id".to_owned(), false));
    assert_eq!(documented, code);
}
