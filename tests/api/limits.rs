//! Request limits: per partner key across instances, per address within one instance,
//! with the RateLimit headers on every answer and 429 past the limit.

use chrono::{Timelike, Utc};
use serde_json::json;

use mobility_directory::domain::vocabulary::Role;

use crate::helpers::{TestApp, assert_problem, spawn_app_with};

fn header_number(reply: &crate::helpers::Reply, name: &str) -> i64 {
    reply
        .header(name)
        .unwrap_or_else(|| panic!("{name} on {}", reply.status))
        .parse()
        .unwrap()
}

/// A partner's new key with this limit: (partner id, key id, key).
fn key(app: &TestApp, per_minute: i64) -> (String, String, String) {
    let admin = app.token_for(Role::Admin);
    let partner = app.json(
        "POST",
        "/api/v1/partners",
        Some(&admin),
        &json!({"name": "On the Move"}),
        &[],
    );
    let partner = partner.json()["id"].as_str().unwrap().to_owned();
    let made = app.json(
        "POST",
        &format!("/api/v1/partners/{partner}/keys"),
        Some(&admin),
        &json!({"name": "site", "requests_per_minute": per_minute}),
        &[],
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let made = made.json();
    let secret = made["key"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("mdk_"));
    (partner, made["id"].as_str().unwrap().to_owned(), secret)
}

#[test]
fn an_address_without_a_key_gets_its_allowance_then_429_with_the_headers() {
    let app = spawn_app_with(|s| s.anonymous_per_minute = 5);
    // Signing in is an anonymous request too: the first of the five.
    let editor = app.token_for(Role::Editor);
    for left in (0..4).rev() {
        let reply = app.get("/api/v1/taxonomies");
        assert_eq!(reply.status, 200);
        assert_eq!(header_number(&reply, "ratelimit-limit"), 5);
        assert_eq!(header_number(&reply, "ratelimit-remaining"), left);
        assert!(header_number(&reply, "ratelimit-reset") >= 1);
    }
    let refused = app.get("/api/v1/opportunities");
    let body = assert_problem(&refused, 429);
    assert_eq!(
        body["type"],
        "urn:mobility-directory:problem:too-many-requests"
    );
    let retry = header_number(&refused, "retry-after");
    assert!((1..=12).contains(&retry), "one request's worth: {retry}");
    assert_eq!(header_number(&refused, "ratelimit-remaining"), 0);
    // Staff with a token this service signed are not held to it; a forged token is.
    assert_eq!(
        app.get_as("/api/v1/staff/opportunities", &editor).status,
        200
    );
    assert_problem(
        &app.get_as("/api/v1/opportunities", "forged.token.value"),
        429,
    );
    // Probes and documentation are not counted.
    assert_eq!(app.get("/healthz").status, 200);
    assert_eq!(app.get("/openapi.json").status, 200);
    // The limit is per instance, as documented: another instance counts on its own.
    let other = app.second_instance();
    assert_eq!(other.get("/api/v1/taxonomies").status, 200);
}

#[test]
fn addresses_behind_a_trusted_proxy_are_counted_apart() {
    let app = spawn_app_with(|s| {
        s.anonymous_per_minute = 2;
        s.trusted_proxies =
            mobility_directory::api::http::client_address::TrustedProxies::parse("127.0.0.1")
                .unwrap();
    });
    let from = |ip: &str| {
        app.request_with("GET", "/api/v1/taxonomies", &[("x-forwarded-for", ip)])
            .status
    };
    assert_eq!(
        [
            from("203.0.113.7"),
            from("203.0.113.7"),
            from("203.0.113.7")
        ],
        [200, 200, 429]
    );
    assert_eq!(from("198.51.100.1"), 200);
    // IPv6 counts per /64: rotating the last bits does not help.
    assert_eq!(
        [
            from("2001:db8::1"),
            from("2001:db8::2"),
            from("2001:db8::3")
        ],
        [200, 200, 429]
    );
}

#[test]
fn a_key_keeps_its_limit_across_two_instances_under_concurrent_load() {
    let app = spawn_app_with(|s| s.anonymous_per_minute = 2);
    let (partner, key_id, secret) = key(&app, 10);
    let other = app.second_instance();
    // A minute boundary in the middle would start a new window: then try again.
    for _ in 0..3 {
        let minute = Utc::now().minute();
        let statuses: Vec<u16> = std::thread::scope(|scope| {
            let sent: Vec<_> = (0..20)
                .map(|i| {
                    let target = if i % 2 == 0 { &app } else { &other };
                    let secret = &secret;
                    scope.spawn(move || {
                        target
                            .request_with("GET", "/api/v1/opportunities", &[("x-api-key", secret)])
                            .status
                    })
                })
                .collect();
            sent.into_iter().map(|h| h.join().unwrap()).collect()
        });
        if Utc::now().minute() != minute {
            std::thread::sleep(std::time::Duration::from_secs(1));
            continue;
        }
        let ok = statuses.iter().filter(|s| **s == 200).count();
        let refused = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!((ok, refused), (10, 10), "{statuses:?}");
        // The key's own headers; and the key is not held to the address's 2 a minute.
        let reply = app.request_with("GET", "/api/v1/taxonomies", &[("x-api-key", &secret)]);
        assert_eq!(header_number(&reply, "ratelimit-limit"), 10);
        assert_eq!(header_number(&reply, "ratelimit-remaining"), 0);
        // Revoked, the key stops working at once, everywhere.
        let admin = app.token_for(Role::Admin);
        let revoked = app.request_with(
            "DELETE",
            &format!("/api/v1/partners/{partner}/keys/{key_id}"),
            &[("authorization", &format!("Bearer {admin}"))],
        );
        assert_eq!(revoked.status, 204);
        for instance in [&app, &other] {
            let refused =
                instance.request_with("GET", "/api/v1/taxonomies", &[("x-api-key", &secret)]);
            assert_problem(&refused, 401);
        }
        let listed = app
            .get_as(&format!("/api/v1/partners/{partner}/keys"), &admin)
            .json();
        assert!(listed["items"][0]["revoked_at"].is_string());
        assert!(
            listed["items"][0].get("key").is_none(),
            "a key is shown once"
        );
        return;
    }
    panic!("three attempts each crossed a minute boundary");
}

#[test]
fn a_key_that_is_not_ours_is_a_401_not_an_anonymous_request() {
    let app = spawn_app_with(|s| s.anonymous_per_minute = 100);
    for bad in [
        "nonsense",
        "mdk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        &"x".repeat(5000),
    ] {
        let reply = app.request_with("GET", "/api/v1/opportunities", &[("x-api-key", bad)]);
        let body = assert_problem(&reply, 401);
        assert!(
            body["detail"].as_str().unwrap().contains("X-API-Key")
                || body["detail"].as_str().unwrap().contains("x-api-key")
        );
    }
}
