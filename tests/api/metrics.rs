//! `/metrics`, read by Prometheus' own parser (`prometheus_client`'s OpenMetrics parser,
//! from PyPI):
//! requests and latency by route pattern and status, the pool, the wait for a connection,
//! the response cache, the webhook queue and the build. Counters are per process, and
//! tests run side by side in one, so they are compared before and after as lower bounds.

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::parsers::parse;

fn scrape(base: &str) -> Value {
    let reply = crate::helpers::exchange(
        &crate::helpers::plain_agent(),
        &format!("{base}/metrics"),
        "GET",
        &[],
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    parse("prometheus", &reply.body)
}

/// The value of the sample `name` whose labels include every pair of `labels` (0 when
/// there is none yet).
fn sample(metrics: &Value, family: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    metrics[family]["samples"]
        .as_array()
        .map(|samples| {
            samples
                .iter()
                .filter(|s| s["name"] == name)
                .filter(|s| labels.iter().all(|(k, v)| s["labels"][*k] == *v))
                .map(|s| s["value"].as_f64().unwrap())
                .sum()
        })
        .unwrap_or(0.0)
}

fn with_demo() -> TestApp {
    let app = spawn_app();
    let mut conn = app.pool.get().unwrap();
    mobility_directory::demo::load(&mut conn, chrono::Utc::now()).unwrap();
    app
}

#[test]
fn requests_latency_pool_cache_queue_and_build_are_exposed() {
    let app = with_demo();
    let before = scrape(&app.base);
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/opportunities?limit=2").status, 200);
    }
    assert_eq!(app.get("/api/v1/opportunities/no-such-call").status, 404);
    assert_eq!(app.get("/no/such/route/4711").status, 404);
    let after = scrape(&app.base);

    let requests = "mobility_http_requests";
    assert_eq!(after[requests]["type"], "counter");
    let listed = [
        ("route", "/api/v1/opportunities"),
        ("method", "GET"),
        ("status", "200"),
    ];
    assert!(
        sample(&after, requests, "mobility_http_requests_total", &listed)
            - sample(&before, requests, "mobility_http_requests_total", &listed)
            >= 3.0
    );
    let missing = [
        ("route", "/api/v1/opportunities/{id_or_slug}"),
        ("status", "404"),
    ];
    assert!(
        sample(&after, requests, "mobility_http_requests_total", &missing)
            > sample(&before, requests, "mobility_http_requests_total", &missing)
    );
    // An unknown path is counted under `unmatched`, never under its own name.
    let body = serde_json::to_string(&after).unwrap();
    assert!(!body.contains("4711"), "a path became a label");
    assert!(
        sample(
            &after,
            requests,
            "mobility_http_requests_total",
            &[("route", "unmatched")]
        ) >= 1.0
    );

    let latency = "mobility_http_request_duration_seconds";
    assert_eq!(after[latency]["type"], "histogram");
    let route = [("route", "/api/v1/opportunities")];
    let count = sample(&after, latency, &format!("{latency}_count"), &route);
    let infinite = sample(
        &after,
        latency,
        &format!("{latency}_bucket"),
        &[("route", "/api/v1/opportunities"), ("le", "+Inf")],
    );
    assert!(count >= 3.0 && count == infinite, "{count} {infinite}");

    // The first list was made, the next two were kept answers.
    assert!(
        sample(
            &after,
            "mobility_response_cache_hits",
            "mobility_response_cache_hits_total",
            &[]
        ) - sample(
            &before,
            "mobility_response_cache_hits",
            "mobility_response_cache_hits_total",
            &[]
        ) >= 2.0
    );
    assert!(
        sample(
            &after,
            "mobility_response_cache_misses",
            "mobility_response_cache_misses_total",
            &[]
        ) > sample(
            &before,
            "mobility_response_cache_misses",
            "mobility_response_cache_misses_total",
            &[]
        )
    );
    assert_eq!(after["mobility_db_pool_wait_seconds"]["type"], "histogram");
    assert_eq!(
        sample(
            &after,
            "mobility_db_pool_size",
            "mobility_db_pool_size",
            &[]
        ),
        4.0,
        "the tests' pool size"
    );
    let open = sample(
        &after,
        "mobility_db_pool_connections",
        "mobility_db_pool_connections",
        &[],
    );
    let in_use = sample(
        &after,
        "mobility_db_pool_in_use",
        "mobility_db_pool_in_use",
        &[],
    );
    assert!(
        (1.0..=4.0).contains(&open) && in_use <= open,
        "{open} {in_use}"
    );
    assert_eq!(after["mobility_db_busy"]["type"], "counter");
    assert_eq!(
        sample(
            &after,
            "mobility_webhook_deliveries_pending",
            "mobility_webhook_deliveries_pending",
            &[]
        ),
        0.0
    );
    assert!(
        after["mobility_webhook_deliveries_pending"]["samples"]
            .as_array()
            .is_some()
    );
    assert_eq!(
        sample(
            &after,
            "mobility_build_info",
            "mobility_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
}

#[test]
fn a_metrics_address_of_its_own_takes_metrics_off_the_main_port() {
    let app = spawn_app_with(|s| s.metrics_bind = Some("127.0.0.1:0".into()));
    let metrics = app.metrics_base.clone().expect("a metrics listener");
    assert!(scrape(&metrics)["mobility_build_info"].is_object());
    assert_eq!(app.get("/metrics").status, 404);
    let elsewhere = crate::helpers::exchange(
        &crate::helpers::plain_agent(),
        &format!("{metrics}/api/v1/opportunities"),
        "GET",
        &[],
        None,
    );
    assert_eq!(elsewhere.status, 404);
    assert_eq!(
        elsewhere.header("content-type").as_deref(),
        Some("application/problem+json")
    );
}
