//! The response cache never serves a stale answer: not after a change through this or
//! another instance, and not after a computed status changes at a deadline.

use chrono::Duration;
use serde_json::json;

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
