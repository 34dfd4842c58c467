//! Health and readiness probes.

use crate::helpers::{spawn_app, spawn_unmigrated_app};

#[test]
fn healthz_and_readyz_answer_ok_on_a_migrated_database() {
    let app = spawn_app();
    assert_eq!(app.get_json("/healthz")["status"], "ok");
    assert_eq!(app.get_json("/readyz")["status"], "ok");
}

#[test]
fn readyz_is_503_until_the_database_is_migrated() {
    let app = spawn_unmigrated_app();
    assert_eq!(app.get("/healthz").status, 200);
    let reply = app.get("/readyz");
    assert_eq!(reply.status, 503);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert!(reply.json()["detail"].as_str().unwrap().contains("migrat"));
    mobility_directory::db::migrate(&mut app.pool.get().unwrap()).unwrap();
    assert_eq!(app.get("/readyz").status, 200);
}

#[test]
fn every_query_on_an_unmigrated_database_is_a_503_that_says_so() {
    let app = spawn_unmigrated_app();
    for path in [
        "/api/v1/opportunities",
        "/api/v1/opportunities/some-entry",
        "/api/v1/organizations",
    ] {
        let reply = app.get(path);
        assert_eq!(reply.status, 503, "{path}: {}", reply.body);
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        assert!(reply.header("retry-after").is_some(), "{path}");
        assert!(
            reply.json()["detail"].as_str().unwrap().contains("migrat"),
            "{path}: {}",
            reply.body
        );
    }
    assert_eq!(app.get("/healthz").status, 200, "the server keeps serving");
}
