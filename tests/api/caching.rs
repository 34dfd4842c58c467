//! The response cache never serves a stale answer: not after a change through this or
//! another instance, and not after a computed status changes at a deadline.

use chrono::Duration;
use serde_json::json;

use mobility_directory::db::DbConn;
use mobility_directory::domain::vocabulary::Role;

use crate::helpers::{deadline_in, opportunity, organization, spawn_app};

#[test]
fn a_change_through_another_instance_is_seen_at_once() {
    let app = spawn_app();
    let org = organization("lumen");
    app.insert_organization(&org);
    app.insert(&opportunity("first-call", &org));
    let other = app.second_instance();
    // Both instances have answered (and kept) the list and the detail.
    for instance in [&app, &other] {
        assert_eq!(instance.get_json("/api/v1/opportunities")["total"], 1);
        assert_eq!(
            instance.get_json("/api/v1/opportunities/first-call")["summary"],
            json!({"en": "An open call for artists.", "sl": "Javni poziv za umetnike."})
        );
    }
    let editor = other.token_for(Role::Editor);
    let etag = other
        .get_as("/api/v1/staff/opportunities/first-call", &editor)
        .header("etag")
        .unwrap();
    let patched = other.json(
        "PATCH",
        "/api/v1/opportunities/first-call",
        Some(&editor),
        &json!({"summary": {"en": "Changed elsewhere."}}),
        &[
            ("if-match", etag.as_str()),
            ("content-type", "application/merge-patch+json"),
        ],
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    app.insert(&opportunity("second-call", &org));
    assert_eq!(app.get_json("/api/v1/opportunities")["total"], 2);
    assert_eq!(
        app.get_json("/api/v1/opportunities/first-call")["summary"]["en"],
        "Changed elsewhere."
    );
}

#[test]
fn a_status_that_changes_at_a_deadline_is_never_served_from_before() {
    let app = spawn_app();
    let org = organization("lumen");
    app.insert_organization(&org);
    let mut soon = opportunity("closes-in-two-seconds", &org);
    soon.deadline = Some(deadline_in(Duration::seconds(2), "Europe/Ljubljana"));
    app.insert(&soon);
    let before = app.get_json("/api/v1/opportunities/closes-in-two-seconds");
    assert_eq!(before["status"], "closing_soon");
    assert_eq!(app.get_json("/api/v1/opportunities")["total"], 1);
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let after = app.get_json("/api/v1/opportunities/closes-in-two-seconds");
    assert_eq!(after["status"], "closed");
    assert_eq!(app.get_json("/api/v1/opportunities")["total"], 0);
    assert_eq!(
        app.get_json("/api/v1/opportunities?status=closed")["total"],
        1
    );
}

/// A write costs the answers it can change, not every answer: an entry's kept detail
/// outlives a change to another entry, and is dropped by a change to itself or to its
/// organizer. (Its text is changed behind the service's back, without a change of
/// generation, so that only a kept answer can still show the old one.)
#[test]
fn a_change_to_one_entry_keeps_the_other_entries_kept_details() {
    let app = spawn_app();
    let org = organization("lumen");
    app.insert_organization(&org);
    let kept = opportunity("kept-call", &org);
    app.insert(&kept);
    app.insert(&opportunity("edited-call", &org));
    let summary = |slug: &str| {
        app.get_json(&format!("/api/v1/opportunities/{slug}"))["summary"]["en"].clone()
    };
    assert_eq!(summary("kept-call"), "An open call for artists.");
    assert_eq!(summary("edited-call"), "An open call for artists.");
    assert_eq!(app.get_json("/api/v1/opportunities")["total"], 2);
    {
        use diesel::prelude::*;
        let mut conn = app.pool.get().unwrap();
        let sneak = diesel::sql_query(format!(
            "UPDATE opportunity_texts SET summary = 'Changed behind its back.' \
             WHERE opportunity_id = '{}' AND language = 'en'",
            kept.id
        ));
        let changed = match &mut *conn {
            DbConn::Sqlite(c) => sneak.execute(c),
            DbConn::Postgres(c) => sneak.execute(c),
        };
        assert_eq!(changed.unwrap(), 1);
    }
    let editor = app.token_for(Role::Editor);
    let etag = app
        .get_as("/api/v1/staff/opportunities/edited-call", &editor)
        .header("etag")
        .unwrap();
    let patched = app.json(
        "PATCH",
        "/api/v1/opportunities/edited-call",
        Some(&editor),
        &json!({"summary": {"en": "Edited."}}),
        &[("if-match", etag.as_str())],
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(
        summary("edited-call"),
        "Edited.",
        "its own answer is dropped"
    );
    assert_eq!(
        summary("kept-call"),
        "An open call for artists.",
        "the other entry's answer is kept across the write"
    );
    let renamed = app.json(
        "PATCH",
        "/api/v1/organizations/lumen",
        Some(&editor),
        &json!({"name": "Lumen Renamed"}),
        &[("if-match", "*")],
    );
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(
        summary("kept-call"),
        "Changed behind its back.",
        "a change to its organizer drops it"
    );
    assert_eq!(
        app.get_json("/api/v1/opportunities/kept-call")["organization"]["name"],
        "Lumen Renamed"
    );
}
