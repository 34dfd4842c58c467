//! How entries arrive besides the staff editor: public submissions and bulk import.

use std::process::Command;

use serde_json::{Value, json};

use mobility_directory::domain::vocabulary::Role;

use crate::curation::{valid_input, with_org};
use crate::helpers::spawn_app;

fn submission(title: &str) -> Value {
    json!({"submitter": {"name": "Ana Novak", "email": "ana@organizer.example"}, "entry": valid_input("lumen", title)})
}

#[test]
fn a_public_submission_lands_in_the_review_queue_and_reveals_nothing_else() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let reply = app.json(
        "POST",
        "/api/v1/submissions",
        None,
        &submission("Open Studio Call"),
        &[],
    );
    assert_eq!(reply.status, 202, "{}", reply.body);
    let receipt = reply.json();
    assert_eq!(receipt["state"], "in_review");
    assert_eq!(
        receipt.as_object().unwrap().len(),
        2,
        "only id and state: {receipt}"
    );
    assert_eq!(
        app.get("/api/v1/opportunities/open-studio-call").status,
        404,
        "not public until published"
    );

    let queue = app
        .get_as("/api/v1/staff/opportunities?state=in_review", &editor)
        .json();
    assert_eq!(queue["total"], 1);
    let entry = &queue["items"][0];
    assert_eq!(
        entry["workflow"]["submitter"],
        json!({"name": "Ana Novak", "email": "ana@organizer.example"})
    );
    assert!(entry["workflow"]["created_by"].is_null());

    // The same call again: refused without naming the existing entry.
    let mut again = submission("Another Title Entirely");
    again["entry"]["source_url"] =
        json!("https://example.org/calls/open-studio-call/?utm_medium=social");
    let conflict = app.json("POST", "/api/v1/submissions", None, &again, &[]);
    assert_eq!(conflict.status, 409);
    assert!(conflict.json().get("existing").is_none());
    assert!(!conflict.body.contains("open-studio-call"));

    let invalid = app.json(
        "POST",
        "/api/v1/submissions",
        None,
        &json!({"type": "residency", "state": "published"}),
        &[],
    );
    assert_eq!(invalid.status, 422);
    let names: Vec<String> = invalid.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        names.contains(&"/submitter".to_owned()) && names.contains(&"/state".to_owned()),
        "{names:?}"
    );
}

#[test]
fn submissions_are_limited_per_address() {
    let app = spawn_app();
    with_org(&app, "lumen");
    for i in 0..5 {
        let reply = app.json(
            "POST",
            "/api/v1/submissions",
            None,
            &submission(&format!("Call number {i}")),
            &[],
        );
        assert_eq!(reply.status, 202, "{}", reply.body);
    }
    let blocked = app.json(
        "POST",
        "/api/v1/submissions",
        None,
        &submission("One too many"),
        &[],
    );
    assert_eq!(blocked.status, 429);
    assert!(
        blocked
            .header("retry-after")
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > 0
    );
}

fn import_rows() -> Value {
    let mut a = valid_input("lumen", "Imported Residency");
    a["external_id"] = json!("otm-1");
    let mut b = valid_input("lumen", "Imported Grant");
    b["type"] = json!("project_grant");
    b["external_id"] = json!("otm-2");
    json!([a, b])
}

#[test]
fn a_json_import_upserts_by_source_and_external_id_and_a_dry_run_writes_nothing() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let dry = app.json(
        "POST",
        "/api/v1/import?source=otm&dry_run=true",
        Some(&editor),
        &import_rows(),
        &[],
    );
    assert_eq!(dry.status, 200, "{}", dry.body);
    assert_eq!(dry.json()["dry_run"], true);
    assert_eq!(dry.json()["created"], 2);
    assert_eq!(
        app.get_as("/api/v1/staff/opportunities", &editor).json()["total"],
        0,
        "a dry run writes nothing"
    );

    let real = app.json(
        "POST",
        "/api/v1/import?source=otm&publish=true",
        Some(&editor),
        &import_rows(),
        &[],
    );
    assert_eq!(real.status, 200, "{}", real.body);
    assert_eq!(real.json()["created"], 2);
    assert_eq!(app.slugs(""), vec!["imported-grant", "imported-residency"]);

    let mut changed = import_rows();
    changed[0]["funding"] = json!({"min": 1000, "max": 9000, "currency": "EUR"});
    let again = app.json(
        "POST",
        "/api/v1/import?source=otm",
        Some(&editor),
        &changed,
        &[],
    );
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["updated"], 1);
    assert_eq!(
        again.json()["unchanged"],
        1,
        "a row that changes nothing writes nothing"
    );
    assert_eq!(again.json()["created"], 0);
    assert_eq!(
        app.get_json("/api/v1/opportunities/imported-residency")["funding"]["max"],
        9000
    );
    // The same external id from another source is another entry.
    let other = app.json("POST", "/api/v1/import?source=elsewhere", Some(&editor), &json!([{"type": "award", "organization": "lumen", "title": {"en": "Imported Residency"}, "rolling": true, "external_id": "otm-1"}]), &[]);
    assert_eq!(other.status, 200, "{}", other.body);
    assert_eq!(other.json()["rows"][0]["slug"], "imported-residency-2");
}

#[test]
fn an_import_with_one_bad_row_writes_nothing_and_names_every_problem() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let mut rows = import_rows();
    rows[1]["funding"] = json!({"min": 10, "max": 1, "currency": "EUR"});
    rows[1]["organization"] = json!("nobody");
    rows.as_array_mut().unwrap().push(json!({"type": "award", "title": {"en": "No id"}, "organization": "lumen", "rolling": true}));
    for dry_run in ["true", "false"] {
        let reply = app.json(
            "POST",
            &format!("/api/v1/import?source=otm&dry_run={dry_run}"),
            Some(&editor),
            &rows,
            &[],
        );
        assert_eq!(reply.status, 422, "{}", reply.body);
        let mut names: Vec<String> = reply.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        assert_eq!(names, vec!["/1/funding/min", "/2/external_id"]);
    }
    let nul_id = json!([{"type": "award", "title": {"en": "X"}, "organization": "lumen", "rolling": true, "external_id": "a\u{0}b"}]);
    let reply = app.json(
        "POST",
        "/api/v1/import?source=otm",
        Some(&editor),
        &nul_id,
        &[],
    );
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.json()["errors"][0]["name"], "/0/external_id");
    let bad_org = json!([{"type": "award", "title": {"en": "X"}, "organization": "nobody", "rolling": true, "external_id": "x"}]);
    let reply = app.json(
        "POST",
        "/api/v1/import?source=otm",
        Some(&editor),
        &bad_org,
        &[],
    );
    assert_eq!(reply.json()["errors"][0]["name"], "/0/organization");
    assert_eq!(
        app.get_as("/api/v1/staff/opportunities", &editor).json()["total"],
        0,
        "all or nothing"
    );
    let contributor = app.token_for(Role::Contributor);
    assert_eq!(
        app.json(
            "POST",
            "/api/v1/import?source=otm",
            Some(&contributor),
            &import_rows(),
            &[]
        )
        .status,
        403
    );
    assert_eq!(
        app.json("POST", "/api/v1/import", Some(&editor), &import_rows(), &[])
            .status,
        400,
        "source is required"
    );
}

/// More rows than one write batch: slugs and source URLs stay unique across batches,
/// within a batch and against stored entries, and rows that update come in between.
#[test]
fn a_large_import_keeps_slugs_and_sources_unique_within_and_across_batches() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let same_title = |external_id: &str| {
        let mut row = valid_input("lumen", "Same Title");
        row["title"]["sl"] = json!("Enak naslov");
        row["external_id"] = json!(external_id);
        row
    };
    let first = app.json(
        "POST",
        "/api/v1/import?source=otm&publish=true",
        Some(&editor),
        &json!([same_title("old")]),
        &[],
    );
    assert_eq!(first.status, 200, "{}", first.body);

    let rows: Vec<Value> = (0..1300)
        .map(|i| {
            let mut row = valid_input("lumen", &format!("Call {i}"));
            row["external_id"] = json!(format!("row-{i}"));
            if i % 100 == 7 {
                row["title"] = json!({"en": "Same Title", "sl": "Enak naslov"});
                row["source_url"] = json!(format!("https://example.org/same/{i}"));
            }
            row
        })
        .chain([{
            let mut old = same_title("old");
            old["funding"] = json!({"max": 5, "currency": "EUR"});
            old
        }])
        .collect();
    let reply = app.json(
        "POST",
        "/api/v1/import?source=otm&publish=true",
        Some(&editor),
        &Value::Array(rows),
        &[],
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        &reply.body[..reply.body.len().min(2000)]
    );
    let report = reply.json();
    assert_eq!(report["created"], 1300);
    assert_eq!(report["updated"], 1);
    let reported = report["rows"].as_array().unwrap();
    let order: Vec<u64> = reported
        .iter()
        .map(|r| r["row"].as_u64().unwrap())
        .collect();
    assert_eq!(
        order,
        (0..1301).collect::<Vec<u64>>(),
        "rows are reported in order"
    );
    let mut same: Vec<&str> = reported
        .iter()
        .filter(|r| r["external_id"] != "old")
        .map(|r| r["slug"].as_str().unwrap())
        .filter(|s| s.starts_with("same-title"))
        .collect();
    assert_eq!(same.len(), 13);
    same.sort_by_key(|s| s.rsplit('-').next().unwrap().parse::<usize>().unwrap());
    let expected: Vec<String> = (2..15).map(|n| format!("same-title-{n}")).collect();
    assert_eq!(
        same, expected,
        "the stored `same-title` keeps its slug; the new ones count on"
    );
    assert_eq!(reported[1300]["action"], "updated");
    assert_eq!(reported[1300]["slug"], "same-title");
    assert_eq!(
        app.get_json("/api/v1/opportunities/same-title")["funding"]["max"],
        5
    );
    let total = app.get_as("/api/v1/staff/opportunities", &editor).json()["total"].clone();
    assert_eq!(total, 1301);
    let stored = app.get_json(&format!(
        "/api/v1/opportunities/{}",
        reported[1299]["id"].as_str().unwrap()
    ));
    assert_eq!(stored["title"]["en"], "Call 1299");
    assert_eq!(stored["disciplines"], json!(["crafts", "visual_arts"]));
    assert_eq!(stored["covered_costs"], json!(["accommodation", "travel"]));

    // Two new rows with one source URL, in one import: the second names the first.
    let mut twins = vec![
        valid_input("lumen", "Twin A"),
        valid_input("lumen", "Twin B"),
    ];
    twins[0]["external_id"] = json!("twin-a");
    twins[1]["external_id"] = json!("twin-b");
    twins[1]["source_url"] = twins[0]["source_url"].clone();
    let mut stored_source = valid_input("lumen", "Twin C");
    stored_source["external_id"] = json!("twin-c");
    stored_source["source_url"] = json!("https://example.org/calls/call-5");
    twins.push(stored_source);
    let reply = app.json(
        "POST",
        "/api/v1/import?source=twins",
        Some(&editor),
        &Value::Array(twins),
        &[],
    );
    assert_eq!(reply.status, 422, "{}", reply.body);
    let errors = reply.json()["errors"].clone();
    assert_eq!(errors[0]["name"], "/1/source_url");
    assert!(
        errors[0]["reason"].as_str().unwrap().contains("twin-a"),
        "{errors}"
    );
    assert_eq!(errors[1]["name"], "/2/source_url");
    assert!(
        errors[1]["reason"].as_str().unwrap().contains("`call-5`"),
        "{errors}"
    );
    assert_eq!(
        app.get_as("/api/v1/staff/opportunities", &editor).json()["total"],
        1301,
        "all or nothing"
    );
}

const CSV: &str = "external_id,type,organization,title_en,title_sl,summary_en,summary_sl,disciplines,destination_countries,deadline,deadline_timezone,funding_max,funding_currency,rolling,source_url\n\
csv-1,residency,lumen,CSV Residency,Rezidenca CSV,A residency.,Rezidenca.,visual_arts;crafts,SI;HR,2099-05-01T23:59:00+02:00,Europe/Ljubljana,2500,EUR,false,https://example.org/csv-1\n\
csv-2,travel_grant,lumen,CSV Travel Fund,Potni sklad CSV,A fund.,Sklad.,music,AT,,,800,EUR,true,https://example.org/csv-2\n";

#[test]
fn a_csv_import_uses_the_columns_of_the_export() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let reply = app.send(
        "POST",
        "/api/v1/import?source=csv&publish=true",
        &[
            ("authorization", &format!("Bearer {editor}")),
            ("content-type", "text/csv"),
        ],
        Some(CSV.as_bytes()),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["created"], 2);
    let entry = app.get_json("/api/v1/opportunities/csv-residency");
    assert_eq!(entry["disciplines"], json!(["crafts", "visual_arts"]));
    assert_eq!(entry["destination"]["countries"], json!(["HR", "SI"]));
    assert_eq!(entry["funding"]["max"], 2500);
    assert_eq!(
        app.get_json("/api/v1/opportunities/csv-travel-fund")["rolling"],
        true
    );
}

#[test]
fn the_command_line_import_runs_the_same_code() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calls.csv");
    std::fs::write(&file, CSV).unwrap();
    let bin = env!("CARGO_BIN_EXE_mobility-directory");
    let dry = Command::new(bin)
        .args([
            "import",
            file.to_str().unwrap(),
            "--source",
            "csv",
            "--dry-run",
        ])
        .env("DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let report: Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(report["dry_run"], true);
    let real = Command::new(bin)
        .args([
            "import",
            file.to_str().unwrap(),
            "--source",
            "csv",
            "--publish",
        ])
        .env("DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(
        real.status.success(),
        "{}",
        String::from_utf8_lossy(&real.stderr)
    );
    assert_eq!(app.slugs(""), vec!["csv-residency", "csv-travel-fund"]);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"[{"type": "castle", "external_id": "1"}]"#).unwrap();
    let failed = Command::new(bin)
        .args(["import", bad.to_str().unwrap(), "--source", "x"])
        .env("DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("/0/type"));

    // A Windows-1250 table with `;`, its encoding named on the command line.
    let sheet = dir.path().join("sheet.csv");
    std::fs::write(
        &sheet,
        crate::parsers::spreadsheet(&json!({
            "header": ["external_id", "type", "organization", "title_en", "title_sl", "rolling"],
            "rows": [["cp-1", "award", "lumen", "Karst Award", "Kraška nagrada", "true"]],
            "encoding": "cp1250",
            "delimiter": ";",
        })),
    )
    .unwrap();
    let import = |charset: &str| {
        Command::new(bin)
            .args([
                "import",
                sheet.to_str().unwrap(),
                "--source",
                "cp",
                "--dry-run",
            ])
            .args(["--charset", charset])
            .env("DATABASE_URL", &app.database_url)
            .output()
            .unwrap()
    };
    let read = import("windows-1250");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let report: Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(report["created"], 1);
    assert_eq!(report["rows"][0]["row"], 2);
    let declared = import("utf-8");
    assert!(
        !declared.status.success(),
        "the named encoding is the one read"
    );
    assert!(String::from_utf8_lossy(&declared.stderr).contains("UTF-8"));
    let unknown = import("klingon");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("klingon"));
}

fn error_names(reply: &crate::helpers::Reply) -> Vec<String> {
    reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect()
}

/// A row that is another row, or a stored entry, under another external id, and a new
/// call already closed, are refused by a dry run as by a real run, also after a bad row;
/// near-identical titles are reported as possible duplicates.
#[test]
fn a_dry_run_flags_duplicates_and_past_deadlines_even_after_a_bad_row() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let stored =
        crate::curation::create(&app, &editor, &valid_input("lumen", "Karst Summer Studio"));
    assert_eq!(stored.status, 201, "{}", stored.body);

    let row = |external_id: &str, title: &str| {
        let mut row = valid_input("lumen", title);
        row["external_id"] = json!(external_id);
        row
    };
    let mut bad = row("a", "Bad Type");
    bad["type"] = json!("castle");
    let mut stored_twin = row("b", "Karst Stone Workshop");
    stored_twin["source_url"] =
        json!("https://EXAMPLE.org/calls/karst-summer-studio/?utm_source=newsletter");
    let lake = row("c", "Lake Residency");
    let mut lake_again = row("d", "Lake Writing Retreat");
    lake_again["source_url"] = lake["source_url"].clone();
    let mut closed = row("e", "Closed Call");
    closed["deadline"] = json!("2020-03-01T23:59:00+01:00");
    closed.as_object_mut().unwrap().remove("opens_at");
    let rows = json!([bad, stored_twin, lake, lake_again, closed]);
    for dry_run in ["true", "false"] {
        let reply = app.json(
            "POST",
            &format!("/api/v1/import?source=sheet&dry_run={dry_run}"),
            Some(&editor),
            &rows,
            &[],
        );
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(
            error_names(&reply),
            vec!["/0/type", "/1/source_url", "/3/source_url", "/4/deadline"],
            "dry_run={dry_run}: {}",
            reply.body
        );
        let errors = reply.json()["errors"].clone();
        assert!(
            errors[1]["reason"]
                .as_str()
                .unwrap()
                .contains("`karst-summer-studio`"),
            "{errors}"
        );
        assert!(
            errors[2]["reason"]
                .as_str()
                .unwrap()
                .contains("entry 2 (external_id c)"),
            "{errors}"
        );
        assert!(
            errors[3]["reason"].as_str().unwrap().contains("has passed"),
            "{errors}"
        );
    }
    // Closed calls load as an archive when the import says so.
    let archive = app.json(
        "POST",
        "/api/v1/import?source=sheet&dry_run=true&accept_closed=true",
        Some(&editor),
        &json!([rows[4]]),
        &[],
    );
    assert_eq!(archive.status, 200, "{}", archive.body);

    // Titles near-identical to a stored entry's, or to an earlier row's, are accepted with
    // a warning.
    let mut echo = row("f", "Karst Summer Studio!");
    echo["title"]["sl"] = json!("Kraški poletni atelje");
    let mut first = row("g", "Lake Residency 2027");
    first["title"]["sl"] = json!("Jezerska rezidenca 2027");
    let mut second = row("h", "Lake Residency, 2027");
    second["title"]["sl"] = json!("Gorska rezidenca");
    let reply = app.json(
        "POST",
        "/api/v1/import?source=sheet&dry_run=true",
        Some(&editor),
        &json!([echo, first, second]),
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let warnings = reply.json()["warnings"].clone();
    let named: Vec<(&str, &str)> = warnings
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["name"].as_str().unwrap(), w["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(named.len(), 2, "{warnings}");
    assert_eq!(named[0].0, "/0/title/en");
    assert!(named[0].1.contains("`karst-summer-studio`"), "{warnings}");
    assert_eq!(named[1].0, "/2/title/en");
    assert!(named[1].1.contains("entry 1"), "{warnings}");
}
