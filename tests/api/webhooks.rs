//! Webhooks, against a real receiver that verifies every message with the Standard
//! Webhooks library from PyPI: signed thin events with the change-feed cursor, retries
//! to a receiver that comes back, a 410 that disables, the delivery log and
//! redelivery, a restart, and two instances that deliver each event once.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use mobility_directory::domain::vocabulary::{Role, WorkflowState};
use mobility_directory::store;

use crate::helpers::{TestApp, assert_problem, opportunity, organization, spawn_app};
use crate::parsers::python;

/// The Python receiver, listening on its port; stopped when dropped.
struct Receiver {
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Receiver {
    fn start(port: u16, secret: &str, mode: &str) -> Receiver {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("received.jsonl");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/webhooks/receiver.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(port.to_string())
            .arg(secret)
            .arg(&log)
            .arg(mode)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the receiver starts");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready");
        Receiver {
            child,
            log,
            _dir: dir,
        }
    }

    fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Waits until `n` messages came (or panics after `within`).
    fn wait_for(&self, n: usize, within: Duration) -> Vec<Value> {
        let until = Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < until,
                "{} of {n} messages came: {got:?}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A partner with one endpoint at `port` for `types`: (partner id, endpoint id, secret).
fn register(app: &TestApp, admin: &str, port: u16, types: &[&str]) -> (String, String, String) {
    let partner = app.json(
        "POST",
        "/api/v1/partners",
        Some(admin),
        &json!({"name": "TransArtists", "contact_email": "tech@transartists.example"}),
        &[],
    );
    assert_eq!(partner.status, 201, "{}", partner.body);
    let partner = partner.json()["id"].as_str().unwrap().to_owned();
    let endpoint = app.json(
        "POST",
        &format!("/api/v1/partners/{partner}/endpoints"),
        Some(admin),
        &json!({"url": format!("http://127.0.0.1:{port}/hook"), "event_types": types}),
        &[],
    );
    assert_eq!(endpoint.status, 201, "{}", endpoint.body);
    let endpoint = endpoint.json();
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    (partner, endpoint["id"].as_str().unwrap().to_owned(), secret)
}

fn deliveries(app: &TestApp, admin: &str, partner: &str, endpoint: &str) -> Vec<Value> {
    let log = app.get_as(
        &format!("/api/v1/partners/{partner}/endpoints/{endpoint}/deliveries"),
        admin,
    );
    assert_eq!(log.status, 200, "{}", log.body);
    log.json()["items"].as_array().unwrap().clone()
}

const ALL: &[&str] = &[
    "opportunity.published",
    "opportunity.updated",
    "opportunity.withdrawn",
    "opportunity.unpublished",
];

#[test]
fn changes_are_posted_signed_with_the_feed_cursor_and_logged() {
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    let port = free_port();
    let (partner, endpoint, secret) = register(&app, &admin, port, ALL);
    let receiver = Receiver::start(port, &secret, "ok");
    let org = organization("lumen");
    app.insert_organization(&org);
    app.insert(&opportunity("first-call", &org));
    let got = receiver.wait_for(1, Duration::from_secs(15));
    assert_eq!(got[0]["verified"], true, "{got:?}");
    let event = &got[0]["payload"];
    assert_eq!(event["type"], "opportunity.published");
    assert_eq!(event["data"]["slug"], "first-call");
    assert_eq!(event["data"]["href"], "/api/v1/opportunities/first-call");
    // The cursor is the change feed's: a receiver that missed deliveries catches up
    // from it exactly.
    let feed = app.get_json("/api/v1/changes");
    assert_eq!(feed["events"][0]["cursor"], event["data"]["cursor"]);
    let after = app.get_json(&format!(
        "/api/v1/changes?after={}",
        event["data"]["cursor"].as_str().unwrap()
    ));
    assert_eq!(after["events"], json!([]));

    let mut conn = app.pool.get().unwrap();
    let current = store::opportunities::find_any(&mut conn, "first-call").unwrap();
    store::editing::transition(
        &mut conn,
        &current,
        WorkflowState::Withdrawn,
        None,
        "withdrawn",
        None,
    )
    .unwrap();
    let got = receiver.wait_for(2, Duration::from_secs(15));
    assert_eq!(got[1]["payload"]["type"], "opportunity.withdrawn");
    assert_eq!(got[1]["verified"], true);

    let log = deliveries(&app, &admin, &partner, &endpoint);
    assert_eq!(log.len(), 2);
    for delivery in &log {
        assert_eq!(delivery["status"], "delivered");
        assert_eq!(delivery["attempts"][0]["status_code"], 204);
    }
    assert_eq!(log[0]["id"], got[1]["id"], "newest first, by message id");
    // The secret is shown once.
    let partners = app.get_as("/api/v1/partners", &admin).json();
    assert!(partners["items"][0]["endpoints"][0].get("secret").is_none());
    assert_problem(
        &app.get_as("/api/v1/partners", &app.token_for(Role::Editor)),
        403,
    );
}

#[test]
fn a_receiver_that_is_down_at_first_gets_the_event_when_it_is_back() {
    // The receiver must be able to start within the 5 s before the retry (the one after
    // is 5 minutes later), so its environment is made first.
    python();
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    let port = free_port();
    let (partner, endpoint, secret) = register(&app, &admin, port, &["opportunity.published"]);
    let org = organization("lumen");
    app.insert_organization(&org);
    app.insert(&opportunity("patient-call", &org));
    // The first attempt finds nobody listening; the retry is due 5 s later.
    let until = Instant::now() + Duration::from_secs(10);
    let failed = loop {
        let log = deliveries(&app, &admin, &partner, &endpoint);
        if log[0]["attempts"].as_array().is_some_and(|a| !a.is_empty()) {
            break log[0].clone();
        }
        assert!(Instant::now() < until, "no attempt was made");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(failed["status"], "pending");
    assert!(failed["attempts"][0]["error"].is_string());
    assert!(failed["next_attempt_at"].is_string());
    let receiver = Receiver::start(port, &secret, "ok");
    let got = receiver.wait_for(1, Duration::from_secs(15));
    assert_eq!(got[0]["verified"], true);
    assert_eq!(got[0]["payload"]["data"]["slug"], "patient-call");
    let log = deliveries(&app, &admin, &partner, &endpoint);
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 2);
}

#[test]
fn a_410_disables_the_endpoint_and_a_redelivery_repeats_the_message() {
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    let port = free_port();
    let (partner, endpoint, secret) = register(&app, &admin, port, ALL);
    let org = organization("lumen");
    app.insert_organization(&org);
    {
        let receiver = Receiver::start(port, &secret, "ok");
        app.insert(&opportunity("once", &org));
        let got = receiver.wait_for(1, Duration::from_secs(15));
        let delivered = deliveries(&app, &admin, &partner, &endpoint);
        let id = delivered[0]["id"].as_str().unwrap().to_owned();
        let again = app.send(
            "POST",
            &format!("/api/v1/partners/{partner}/endpoints/{endpoint}/deliveries/{id}/redeliver"),
            &[("authorization", &format!("Bearer {admin}"))],
            None,
        );
        assert_eq!(again.status, 202, "{}", again.body);
        let got_again = receiver.wait_for(2, Duration::from_secs(15));
        assert_eq!(got_again[1]["id"], got[0]["id"], "the same message id");
        assert_eq!(got_again[1]["payload"], got[0]["payload"]);
    }
    let receiver = Receiver::start(port, &secret, "gone");
    app.insert(&opportunity("unwanted", &org));
    receiver.wait_for(1, Duration::from_secs(15));
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let partners = app.get_as("/api/v1/partners", &admin).json();
        let e = &partners["items"][0]["endpoints"][0];
        if e["enabled"] == false {
            assert!(e["disabled_reason"].as_str().unwrap().contains("410"));
            break;
        }
        assert!(Instant::now() < until, "the endpoint stays enabled: {e}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let before = deliveries(&app, &admin, &partner, &endpoint).len();
    app.insert(&opportunity("unheard", &org));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        deliveries(&app, &admin, &partner, &endpoint).len(),
        before,
        "nothing more is queued"
    );
    assert_eq!(receiver.received().len(), 1);
    // Enabled again by an admin, it receives again.
    let enabled = app.json(
        "PATCH",
        &format!("/api/v1/partners/{partner}/endpoints/{endpoint}"),
        Some(&admin),
        &json!({"enabled": true}),
        &[],
    );
    assert_eq!(enabled.status, 200, "{}", enabled.body);
    assert_eq!(enabled.json()["enabled"], true);
}

#[test]
fn a_rotation_signs_with_both_secrets_for_a_day() {
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    let port = free_port();
    let (partner, endpoint, old) = register(&app, &admin, port, ALL);
    let rotated = app.send(
        "POST",
        &format!("/api/v1/partners/{partner}/endpoints/{endpoint}/secret"),
        &[("authorization", &format!("Bearer {admin}"))],
        None,
    );
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new = rotated.json()["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let org = organization("lumen");
    app.insert_organization(&org);
    for (secret, slug) in [(&old, "for-the-old"), (&new, "for-the-new")] {
        let receiver = Receiver::start(port, secret, "ok");
        app.insert(&opportunity(slug, &org));
        let got = receiver.wait_for(1, Duration::from_secs(15));
        assert_eq!(got[0]["verified"], true, "{got:?}");
        assert_eq!(got[0]["signatures"], 2);
    }
}

#[test]
fn deliveries_survive_a_restart_and_two_instances_send_each_once() {
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    let port = free_port();
    let (_, _, secret) = register(&app, &admin, port, &["opportunity.published"]);
    let org = organization("lumen");
    app.insert_organization(&org);
    // Queued while the receiver is down; the instance that tried stops.
    app.insert(&opportunity("queued-before-restart", &org));
    std::thread::sleep(Duration::from_millis(1500));
    app.stop();
    let first = app.second_instance();
    let second = app.second_instance();
    let receiver = Receiver::start(port, &secret, "ok");
    let got = receiver.wait_for(1, Duration::from_secs(20));
    assert_eq!(got[0]["payload"]["data"]["slug"], "queued-before-restart");
    // Two instances, one outbox: each message once.
    for i in 0..12 {
        let target = if i % 2 == 0 { &first } else { &second };
        target.insert(&opportunity(&format!("burst-{i}"), &org));
    }
    receiver.wait_for(13, Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(2));
    let got_all = receiver.received();
    assert_eq!(got_all.len(), 13, "{got_all:?}");
    let mut times: HashMap<String, usize> = HashMap::new();
    for message in &got_all {
        assert_eq!(message["verified"], true);
        *times
            .entry(message["id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(times.len(), 13);
    assert!(times.values().all(|n| *n == 1), "{times:?}");
}

#[test]
fn an_endpoint_failing_for_a_day_is_disabled() {
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    // Nobody listens on this port.
    let port = free_port();
    let (partner, endpoint, _) = register(&app, &admin, port, ALL);
    // Its failures began 25 hours ago, as far as the service knows.
    let mut conn = app.pool.get().unwrap();
    let long_ago = (chrono::Utc::now() - chrono::Duration::hours(25)).naive_utc();
    {
        use diesel::RunQueryDsl;
        let sql = match &mut *conn {
            mobility_directory::db::DbConn::Sqlite(_) => {
                "UPDATE webhook_endpoints SET failing_since = ?"
            }
            mobility_directory::db::DbConn::Postgres(_) => {
                "UPDATE webhook_endpoints SET failing_since = $1"
            }
        };
        match &mut *conn {
            mobility_directory::db::DbConn::Sqlite(c) => diesel::sql_query(sql)
                .bind::<diesel::sql_types::Timestamp, _>(long_ago)
                .execute(c)
                .unwrap(),
            mobility_directory::db::DbConn::Postgres(c) => diesel::sql_query(sql)
                .bind::<diesel::sql_types::Timestamp, _>(long_ago)
                .execute(c)
                .unwrap(),
        };
    }
    drop(conn);
    let org = organization("lumen");
    app.insert_organization(&org);
    app.insert(&opportunity("into-the-void", &org));
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let partners = app.get_as("/api/v1/partners", &admin).json();
        let e = &partners["items"][0]["endpoints"][0];
        if e["enabled"] == false {
            assert!(
                e["disabled_reason"].as_str().unwrap().contains("24 hours"),
                "{e}"
            );
            break;
        }
        assert!(Instant::now() < until, "still enabled: {e}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = deliveries(&app, &admin, &partner, &endpoint);
    assert_eq!(log[0]["status"], "dropped");
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 1);
}
