//! CORS: browser code on any origin may read; only the configured origins may write.

use serde_json::json;

use mobility_directory::domain::vocabulary::Role;

use crate::helpers::{STAFF_ORIGIN, TestApp, assert_problem, spawn_app};

const PARTNER: &str = "https://partner.example";

fn preflight(
    app: &TestApp,
    path: &str,
    origin: &str,
    method: &str,
    headers: Option<&str>,
) -> crate::helpers::Reply {
    let mut sent = vec![
        ("Origin", origin),
        ("Access-Control-Request-Method", method),
    ];
    if let Some(h) = headers {
        sent.push(("Access-Control-Request-Headers", h));
    }
    app.request_with("OPTIONS", path, &sent)
}

#[test]
fn browsers_on_any_origin_may_read_the_api() {
    let app = spawn_app();
    let reply = app.request_with("GET", "/api/v1/taxonomies", &[("Origin", PARTNER)]);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(
        !reply
            .header_values("vary")
            .to_lowercase()
            .contains("origin"),
        "the answer is the same for every origin, so shared caches keep one copy"
    );
    let exposed = reply
        .header("access-control-expose-headers")
        .unwrap()
        .to_lowercase();
    for name in [
        "link",
        "x-request-id",
        "etag",
        "last-modified",
        "content-language",
    ] {
        assert!(exposed.contains(name), "{name} in {exposed}");
    }
    let answered = preflight(&app, "/api/v1/opportunities", PARTNER, "GET", None);
    assert_eq!(answered.status, 200);
    assert!(
        answered
            .header("access-control-allow-methods")
            .unwrap()
            .contains("GET")
    );
    // A preflight naming the conditional, language, XHR and tracing headers is answered.
    let common = "if-none-match, if-modified-since, accept, accept-language, x-requested-with, traceparent, tracestate";
    let answered = preflight(&app, "/api/v1/opportunities", PARTNER, "GET", Some(common));
    assert_eq!(answered.status, 200, "{}", answered.body);
    let allowed = answered
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    for name in common.split(", ") {
        assert!(allowed.contains(name), "{name} in {allowed}");
    }
    let unknown = preflight(
        &app,
        "/api/v1/opportunities",
        PARTNER,
        "GET",
        Some("x-something-else"),
    );
    assert_problem(&unknown, 400);
}

#[test]
fn only_the_configured_origins_may_write() {
    let app = spawn_app();
    let token = app.token_for(Role::Editor);
    let path = "/api/v1/organizations";
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let staff = preflight(
            &app,
            path,
            STAFF_ORIGIN,
            method,
            Some("authorization, content-type, if-match"),
        );
        assert_eq!(staff.status, 200, "{method}: {}", staff.body);
        assert!(staff.header("access-control-allow-origin").is_some());
        let partner = preflight(
            &app,
            path,
            PARTNER,
            method,
            Some("authorization, content-type"),
        );
        assert_problem(&partner, 400);
        assert_eq!(
            partner.header("access-control-allow-origin"),
            None,
            "{method}"
        );
    }
    // The write itself, sent anyway from elsewhere, carries no permission for the page to
    // read its answer; from the staff origin it does.
    let body = json!({"name": "Lumen", "kind": "festival", "country": "SI"});
    let sent = app.json("POST", path, Some(&token), &body, &[("Origin", PARTNER)]);
    assert_eq!(sent.header("access-control-allow-origin"), None);
    let body = json!({"name": "Kino", "kind": "venue", "country": "SI"});
    let sent = app.json(
        "POST",
        path,
        Some(&token),
        &body,
        &[("Origin", STAFF_ORIGIN)],
    );
    assert_eq!(sent.status, 201, "{}", sent.body);
    assert!(sent.header("access-control-allow-origin").is_some());
}
