//! HTTP caching: strong `ETag`s computed from the representation, `Last-Modified`,
//! `Cache-Control`, and 304 for `If-None-Match` and `If-Modified-Since`.

use chrono::Duration;
use serde_json::json;

use mobility_directory::domain::vocabulary::Role;
use mobility_directory::store;

use crate::helpers::{TestApp, deadline_in, opportunity, organization, spawn_app};

fn etag(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> String {
    let reply = app.request_with("GET", path, headers);
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.header("etag").expect("an ETag on a public answer")
}

/// A list and an entry, with the organizer's change a second in the past (so that
/// `Last-Modified` is sent: it is left out during the second of a change).
fn directory() -> TestApp {
    let app = spawn_app();
    let org = organization("lumen");
    app.insert_organization(&org);
    app.insert(&opportunity("first-call", &org));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    app
}

#[test]
fn lists_and_entries_answer_304_to_their_own_validators() {
    let app = directory();
    for path in [
        "/api/v1/opportunities",
        "/api/v1/opportunities/first-call",
        "/api/v1/organizations",
        "/api/v1/organizations/lumen",
        "/api/v1/taxonomies",
    ] {
        let first = app.get(path);
        assert_eq!(first.status, 200, "{path}");
        let tag = first.header("etag").unwrap();
        assert!(tag.starts_with('"') && tag.ends_with('"'), "strong: {tag}");
        assert_eq!(
            first.header("cache-control").as_deref(),
            Some("public, max-age=60"),
            "{path}"
        );
        for head in ["GET", "HEAD"] {
            let again = app.request_with(head, path, &[("if-none-match", &tag)]);
            assert_eq!(again.status, 304, "{head} {path}");
            assert!(again.bytes.is_empty());
            assert_eq!(again.header("etag").as_deref(), Some(tag.as_str()));
            assert_eq!(
                again.header("cache-control").as_deref(),
                Some("public, max-age=60")
            );
        }
        let listed = format!("\"not-this-one\", {tag}");
        assert_eq!(
            app.request_with("GET", path, &[("if-none-match", &listed)])
                .status,
            304,
            "any listed tag matches"
        );
        assert_eq!(
            app.request_with("GET", path, &[("if-none-match", "*")])
                .status,
            304
        );
        let other = app.request_with("GET", path, &[("if-none-match", "\"stale\"")]);
        assert_eq!(other.status, 200);
        assert_eq!(other.body, first.body);
        if path.starts_with("/api/v1/taxonomies") {
            continue;
        }
        let modified = first
            .header("last-modified")
            .unwrap_or_else(|| panic!("{path} has Last-Modified"));
        assert_eq!(
            app.request_with("GET", path, &[("if-modified-since", &modified)])
                .status,
            304,
            "{path}"
        );
        assert_eq!(
            app.request_with(
                "GET",
                path,
                &[("if-modified-since", "Mon, 01 Jan 2024 00:00:00 GMT")]
            )
            .status,
            200
        );
        // If-None-Match decides when both are sent (RFC 9110 §13.2.2).
        assert_eq!(
            app.request_with(
                "GET",
                path,
                &[
                    ("if-none-match", "\"stale\""),
                    ("if-modified-since", &modified)
                ]
            )
            .status,
            200
        );
        // A date that is not an HTTP date is ignored, not an error.
        assert_eq!(
            app.request_with("GET", path, &[("if-modified-since", "yesterday")])
                .status,
            200
        );
    }
}

#[test]
fn the_tag_changes_when_and_only_when_the_representation_does() {
    let app = directory();
    let other = app.second_instance();
    let list = "/api/v1/opportunities";
    let entry = "/api/v1/opportunities/first-call";
    let before = (etag(&app, list, &[]), etag(&app, entry, &[]));
    // Computed again, by another process with caches of its own: the same tags.
    assert_eq!(before, (etag(&other, list, &[]), etag(&other, entry, &[])));
    let modified_before = app.get(entry).header("last-modified").unwrap();

    // The organizer's rename changes no version of the entry, but its representation.
    let mut conn = app.pool.get().unwrap();
    let mut org = store::organizations::find(&mut conn, "lumen").unwrap();
    org.name = "Lumen Collective".into();
    org.updated_at = chrono::Utc::now();
    org.version += 1;
    store::organizations::update(&mut conn, &org, org.version - 1).unwrap();
    let after = (etag(&app, list, &[]), etag(&app, entry, &[]));
    assert_ne!(after.0, before.0);
    assert_ne!(after.1, before.1);
    assert_eq!(
        app.request_with("GET", entry, &[("if-none-match", &before.1)])
            .status,
        200
    );
    assert_eq!(
        app.request_with("GET", entry, &[("if-modified-since", &modified_before)])
            .status,
        200,
        "the rename is newer than the old Last-Modified"
    );
    assert_eq!(after, (etag(&other, list, &[]), etag(&other, entry, &[])));
}

#[test]
fn the_tag_changes_when_a_status_flips_at_a_deadline() {
    let app = spawn_app();
    let org = organization("lumen");
    app.insert_organization(&org);
    let mut soon = opportunity("closes-in-two-seconds", &org);
    soon.deadline = Some(deadline_in(Duration::seconds(2), "Europe/Ljubljana"));
    app.insert(&soon);
    let entry = "/api/v1/opportunities/closes-in-two-seconds";
    let archive = "/api/v1/opportunities?status=closing_soon,closed";
    let before = (etag(&app, entry, &[]), etag(&app, archive, &[]));
    std::thread::sleep(std::time::Duration::from_millis(3200));
    let reply = app.request_with("GET", entry, &[("if-none-match", &before.0)]);
    assert_eq!(reply.status, 200, "the status is now closed");
    assert_eq!(reply.json()["status"], "closed");
    assert_ne!(reply.header("etag").unwrap(), before.0);
    let list = app.request_with("GET", archive, &[("if-none-match", &before.1)]);
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["items"][0]["status"], "closed");
    // Last-Modified is the deadline itself: nothing was edited since.
    let modified = reply.header("last-modified").unwrap();
    assert_eq!(
        app.request_with("GET", entry, &[("if-modified-since", &modified)])
            .status,
        304
    );
}

#[test]
fn each_language_is_a_representation_of_its_own() {
    let app = directory();
    let entry = "/api/v1/opportunities/first-call";
    let both = etag(&app, entry, &[]);
    let sl = etag(&app, entry, &[("accept-language", "sl")]);
    let en = etag(&app, entry, &[("accept-language", "en")]);
    assert_eq!(sl, etag(&app, &format!("{entry}?lang=sl"), &[]));
    assert!(both != sl && sl != en && both != en);
    let reply = app.request_with(
        "GET",
        entry,
        &[("accept-language", "en"), ("if-none-match", &sl)],
    );
    assert_eq!(
        reply.status, 200,
        "the Slovenian tag does not validate English"
    );
    assert_eq!(reply.header("content-language").as_deref(), Some("en"));
    let vary = reply.header_values("vary").to_lowercase();
    assert!(vary.contains("accept-language"), "{vary}");
}

#[test]
fn answers_to_signed_in_requests_are_not_stored_and_writes_are_never_304() {
    let app = directory();
    let editor = app.token_for(Role::Editor);
    let staff = app.get_as("/api/v1/staff/opportunities/first-call", &editor);
    assert_eq!(staff.status, 200);
    assert_eq!(staff.header("cache-control").as_deref(), Some("no-store"));
    let version = staff.header("etag").unwrap();
    // A write that names the current version in If-None-Match is a write, not a 304.
    let patched = app.json(
        "PATCH",
        "/api/v1/opportunities/first-call",
        Some(&editor),
        &json!({"summary": {"en": "Changed."}}),
        &[
            ("if-match", version.as_str()),
            ("if-none-match", version.as_str()),
            ("content-type", "application/merge-patch+json"),
        ],
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.header("cache-control").as_deref(), Some("no-store"));
}
