//! One control character must not break a feed for every subscriber: texts are refused
//! with them on the way in (from editors, public submissions and organizations alike),
//! what was stored before is cleaned by a migration, and every serializer emits a valid
//! document whatever is stored. The documents are read by real parsers.

use diesel::connection::SimpleConnection;
use serde_json::json;

use mobility_directory::db::DbConn;
use mobility_directory::domain::opportunity::Texts;
use mobility_directory::domain::vocabulary::Role;

use crate::curation::{create, valid_input, with_org};
use crate::helpers::{assert_problem, opportunity, organization, spawn_app};
use crate::parsers::parse;

/// Text with the characters that broke the feeds: SOH, VT, ESC, DEL and a C1 control.
const DIRTY: &str = "Ples\u{1}na \u{b}rezidenca \u{1b}[31m \u{7f}\u{85}Piran";

#[test]
fn texts_with_control_characters_are_refused_naming_the_field() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    for (pointer, dirty) in [
        (
            "/title/en",
            json!({"title": {"en": "Bad\u{1}title", "sl": "Naslov"}}),
        ),
        ("/summary/sl", json!({"summary": {"sl": "Povzetek\u{b}"}})),
        (
            "/description/en",
            json!({"description": {"en": "\u{1b}[31mred"}}),
        ),
        (
            "/destination/city",
            json!({"destination": {"countries": ["SI"], "city": "Pi\u{85}ran"}}),
        ),
    ] {
        let mut body = valid_input("lumen", "Clean Title");
        for (k, v) in dirty.as_object().unwrap() {
            body[k] = v.clone();
        }
        let problem = assert_problem(&create(&app, &editor, &body), 422);
        let errors = problem["errors"].as_array().unwrap();
        assert!(errors.iter().all(|e| e["name"] == pointer), "{problem}");
        assert!(
            errors[0]["reason"]
                .as_str()
                .unwrap()
                .contains("control character U+"),
            "{problem}"
        );
    }
    // Line breaks from a Windows form are line breaks; tabs stay.
    let mut body = valid_input("lumen", "Windows Text");
    body["summary"] = json!({"en": "First line\r\nsecond\tline"});
    let created = create(&app, &editor, &body);
    assert_eq!(created.status, 201, "{}", created.body);
    let stored = app
        .get_as("/api/v1/staff/opportunities/windows-text", &editor)
        .json();
    assert_eq!(
        stored["entry"]["summary"]["en"], "First line\nsecond\tline",
        "{stored}"
    );
    // Organizations and public submissions are held to the same rule.
    let org = app.json(
        "POST",
        "/api/v1/organizations",
        Some(&editor),
        &json!({"name": "Bad\u{1}Org", "kind": "venue", "country": "SI"}),
        &[],
    );
    assert_eq!(assert_problem(&org, 422)["errors"][0]["name"], "/name");
    let submission = app.json(
        "POST",
        "/api/v1/submissions",
        None,
        &json!({"submitter": {"name": "Ana\u{1b}", "email": "ana@organizer.example"},
                "entry": valid_input("lumen", "Submitted")}),
        &[],
    );
    assert_eq!(
        assert_problem(&submission, 422)["errors"][0]["name"],
        "/submitter/name"
    );
}

/// An entry and its organizer whose stored texts hold control characters, as data from
/// before the rule (or written past it) would.
fn dirty_directory() -> crate::helpers::TestApp {
    let app = spawn_app();
    let mut org = organization("dirty-org");
    org.name = format!("Org {DIRTY}");
    app.insert_organization(&org);
    let mut entry = opportunity("dirty-call", &org);
    entry.title = Texts::both(&format!("Title {DIRTY}"), &format!("Naslov {DIRTY}"));
    entry.summary = Texts::both(&format!("Summary {DIRTY}\r\nnext"), DIRTY);
    entry.description = Texts::both(DIRTY, DIRTY);
    entry.destination.city = Some(format!("City {DIRTY}"));
    app.insert(&entry);
    app
}

#[test]
fn every_feed_stays_a_valid_document_whatever_is_stored() {
    let app = dirty_directory();
    let atom = app.get("/api/v1/opportunities.atom");
    assert_eq!(atom.status, 200);
    let feed = parse("atom", &atom.body);
    assert_eq!(
        feed["entries"][0]["title"],
        "Title Plesna rezidenca [31m Piran"
    );

    let ics = app.get("/api/v1/opportunities.ics");
    assert_eq!(ics.status, 200);
    // RFC 5545 forbids every control character in content but tab; lines end in CRLF.
    let stray: Vec<char> = ics
        .body
        .replace("\r\n", "")
        .chars()
        .filter(|c| c.is_control() && *c != '\t')
        .collect();
    assert!(
        stray.is_empty(),
        "control characters in the calendar: {stray:?}"
    );
    let calendar = parse("ical", &ics.body);
    assert_eq!(
        calendar["events"].as_array().unwrap().len(),
        1,
        "{calendar}"
    );

    let csv = app.get("/api/v1/opportunities.csv");
    assert_eq!(csv.status, 200);
    parse("csv", &csv.body);
    let jsonld = app.request_with(
        "GET",
        "/api/v1/opportunities/dirty-call",
        &[("accept", "application/ld+json")],
    );
    assert_eq!(jsonld.status, 200);
    parse("jsonld", &jsonld.body);
    // JSON escapes what it carries, so the list and the entry are valid JSON too.
    app.get_json("/api/v1/opportunities?lang=sl");
}

#[test]
fn the_migration_cleans_what_was_stored() {
    let app = dirty_directory();
    let mut conn = app.pool.get().unwrap();
    let migration = match &*conn {
        DbConn::Sqlite(_) => {
            include_str!("../../migrations/sqlite/2026-12-04-000010_printable_texts/up.sql")
        }
        DbConn::Postgres(_) => {
            include_str!("../../migrations/postgres/2026-12-04-000010_printable_texts/up.sql")
        }
    };
    conn.batch_execute(migration).expect("the migration runs");
    drop(conn);
    let entry = app.get_json("/api/v1/opportunities/dirty-call");
    assert_eq!(entry["title"]["en"], "Title Plesna rezidenca [31m Piran");
    assert_eq!(
        entry["summary"]["en"],
        "Summary Plesna rezidenca [31m Piran\nnext"
    );
    assert_eq!(
        entry["destination"]["city"],
        "City Plesna rezidenca [31m Piran"
    );
    assert_eq!(
        entry["organization"]["name"],
        "Org Plesna rezidenca [31m Piran"
    );
    // The search documents follow the cleaned texts: asked of a server started after the
    // migration, as migrations run before a server starts (a running one's in-memory
    // index learns of changes from the change log, which a migration does not write).
    let upgraded = app.second_instance();
    let found = upgraded.get_json("/api/v1/opportunities?q=plesna%20piran");
    assert_eq!(found["total"], 1, "{found}");
}
