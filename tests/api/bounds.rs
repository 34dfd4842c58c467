//! Every request's cost is bounded: many values, long queries, many unknown parameters,
//! slow statements and an exhausted pool all end in a small problem document.

use std::time::{Duration, Instant};

use diesel::RunQueryDsl;

use mobility_directory::db::limits::{Deadline, Unavailable};
use mobility_directory::db::{self, DbConn};
use mobility_directory::store::StoreError;

use crate::helpers::{TestApp, assert_problem, opportunity, organization, spawn_app};

fn repeated(name: &str, value: &str, n: usize) -> String {
    vec![format!("{name}={value}"); n].join("&")
}

fn with_entries(app: &TestApp) {
    let org = organization("lumen");
    app.insert_organization(&org);
    for i in 0..3 {
        app.insert(&opportunity(&format!("call-{i}"), &org));
    }
}

#[test]
fn a_huge_query_is_a_414_and_the_server_keeps_serving() {
    let app = spawn_app();
    with_entries(&app);
    // 12,000 values: the request that used to overflow a worker's stack.
    let huge = format!(
        "/api/v1/opportunities?status={}",
        vec!["open"; 12_000].join(",")
    );
    let reply = app.get(&huge);
    assert_problem(&reply, 414);
    assert!(reply.body.len() < 1_000, "{}", reply.body.len());
    for name in ["eligible_country", "nationality", "residence"] {
        let values = vec!["SI"; 10_000].join(",");
        assert_problem(
            &app.get(&format!("/api/v1/opportunities?{name}={values}")),
            414,
        );
    }
    // 160 repeated costs in 2 KB: once minutes of PostgreSQL time, now a 400.
    let covers = app.get(&format!(
        "/api/v1/opportunities?{}",
        repeated("covers", "travel", 160)
    ));
    assert_problem(&covers, 400);
    assert_eq!(app.get_json("/api/v1/opportunities")["total"], 3);
}

#[test]
fn each_many_valued_filter_takes_at_most_50_values_and_merges_repeats() {
    let app = spawn_app();
    with_entries(&app);
    for (name, value) in [
        ("type", "residency"),
        ("discipline", "dance"),
        ("covers", "travel"),
        ("eligible_country", "SI"),
        ("nationality", "SI"),
        ("residence", "SI"),
        ("destination_country", "SI"),
        ("status", "open"),
        ("career_stage", "emerging"),
    ] {
        let fifty = app.get(&format!(
            "/api/v1/opportunities?{}",
            vec![format!("{name}={value}"); 50].join("&")
        ));
        assert_eq!(fifty.status, 200, "{name}: {}", fifty.body);
        let one = app.get(&format!("/api/v1/opportunities?{name}={value}"));
        assert_eq!(
            fifty.json()["total"],
            one.json()["total"],
            "{name}: repeats are merged"
        );
        let too_many = app.get(&format!(
            "/api/v1/opportunities?{name}={}",
            vec![value; 51].join(",")
        ));
        assert_problem(&too_many, 400);
        let errors = too_many.json()["errors"].clone();
        assert_eq!(errors[0]["name"], name);
        assert!(
            errors[0]["reason"].as_str().unwrap().contains("at most 50"),
            "{errors}"
        );
    }
}

#[test]
fn an_error_names_at_most_50_parameters_and_counts_the_rest() {
    let app = spawn_app();
    let query: Vec<String> = (0..500).map(|i| format!("x{i}=1")).collect();
    let reply = app.get(&format!("/api/v1/opportunities?{}", query.join("&")));
    assert_problem(&reply, 400);
    let errors = reply.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 51);
    assert!(
        errors[50]["reason"].as_str().unwrap().contains("450 more"),
        "{}",
        errors[50]
    );
    assert!(reply.body.len() < 30_000, "{} bytes", reply.body.len());
}

#[test]
fn the_link_header_stays_within_the_uri_limit() {
    let app = spawn_app();
    with_entries(&app);
    let query = [
        repeated("eligible_country", "SI", 50),
        repeated("destination_country", "SI", 50),
        repeated("status", "open", 50),
        "limit=1".to_owned(),
    ]
    .join("&");
    let reply = app.get(&format!("/api/v1/opportunities?{query}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let link = reply.header("link").expect("a next link");
    assert!(link.len() < 16 * 1024 + 300, "{} bytes", link.len());
}

/// A statement that would run for a very long time.
fn endless(conn: &mut DbConn) -> Result<usize, diesel::result::Error> {
    match conn {
        DbConn::Sqlite(c) => diesel::sql_query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
        )
        .execute(c),
        DbConn::Postgres(c) => diesel::sql_query("SELECT pg_sleep(60)").execute(c),
    }
}

#[test]
fn a_statement_that_runs_past_its_deadline_is_stopped_as_unavailable() {
    let app = spawn_app();
    let pool = db::connect(&app.database_url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let started = Instant::now();
    let error = {
        let _deadline = Deadline::start(Duration::from_millis(200));
        endless(&mut conn).unwrap_err()
    };
    assert_eq!(
        Unavailable::of(&error),
        Some(Unavailable::Timeout),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(
        StoreError::from(error),
        StoreError::Unavailable(_)
    ));
}

#[test]
fn an_exhausted_pool_answers_503_with_retry_after_instead_of_hanging() {
    let app = spawn_app();
    with_entries(&app);
    // The test holds every connection of the server's pool.
    let held: Vec<_> = (0..4).map(|_| app.pool.get().unwrap()).collect();
    let reply = app.get("/api/v1/opportunities");
    assert_problem(&reply, 503);
    assert!(reply.header("retry-after").is_some());
    drop(held);
    assert_eq!(app.get("/api/v1/opportunities").status, 200);
}
