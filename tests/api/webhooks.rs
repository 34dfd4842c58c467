//! Webhooks, against a real receiver that verifies every message with the Standard
//! Webhooks library from PyPI: signed thin events with an absolute `href` and the
//! change-feed cursor, which change sends which event, retries to a receiver that comes
//! back, a 410 that disables, the delivery log and redelivery, a restart, and two
//! instances that deliver each event once. And what a receiver cannot do: be reached
//! inside (refused at registration, and at connect time on a test network that maps
//! names to forbidden addresses and records every connection attempt, so that no packet
//! leaves loopback), make the worker read a long answer, or delay other receivers by
//! never answering.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use mobility_directory::domain::networks::Networks;
use mobility_directory::domain::vocabulary::{Role, WorkflowState};
use mobility_directory::jobs::webhook_delivery;
use mobility_directory::outbound::{self, TestNetwork};
use mobility_directory::store;

use crate::helpers::{
    TestApp, assert_problem, free_port, opportunity, organization, spawn_app, spawn_app_with,
};
use crate::parsers::python;

/// The Python receiver, listening on its port; stopped when dropped.
struct Receiver {
    child: Child,
    stdout: Option<BufReader<std::process::ChildStdout>>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Receiver {
    fn start(port: u16, secret: &str, mode: &str) -> Receiver {
        let mut receiver = Receiver::spawn(port, secret, mode, false);
        receiver.expect_line("ready");
        receiver
    }

    /// A receiver whose interpreter and libraries are loaded but which does not listen
    /// yet: [`Receiver::listen`] brings it up within milliseconds, however loaded the
    /// machine is.
    fn loaded(port: u16, secret: &str, mode: &str) -> Receiver {
        let mut receiver = Receiver::spawn(port, secret, mode, true);
        receiver.expect_line("loaded");
        receiver
    }

    fn listen(&mut self) {
        writeln!(self.child.stdin.as_mut().unwrap()).unwrap();
        self.expect_line("ready");
    }

    fn expect_line(&mut self, expected: &str) {
        let mut line = String::new();
        let stdout = self.stdout.as_mut().unwrap();
        stdout.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), expected);
    }

    fn spawn(port: u16, secret: &str, mode: &str, on_cue: bool) -> Receiver {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("received.jsonl");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/webhooks/receiver.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(port.to_string())
            .arg(secret)
            .arg(&log)
            .arg(mode)
            .envs(on_cue.then_some(("RECEIVER_ON_CUE", "1")))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the receiver starts");
        let stdout = child.stdout.take().map(BufReader::new);
        Receiver {
            child,
            stdout,
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
    // The link is absolute, from MOBILITY_PUBLIC_URL: a receiver has no base URL for a
    // POST it got. Its path is the entry's.
    let href = event["data"]["href"].as_str().unwrap();
    assert_eq!(
        href,
        "https://directory.example/api/v1/opportunities/first-call"
    );
    let path = href.strip_prefix("https://directory.example").unwrap();
    assert_eq!(app.get_json(path)["slug"], "first-call");
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
    assert_eq!(
        log[1]["payload"], got[0]["payload"],
        "the log shows the event as sent"
    );
    // The secret is shown once.
    let partners = app.get_as("/api/v1/partners", &admin).json();
    assert!(partners["items"][0]["endpoints"][0].get("secret").is_none());
    assert_problem(
        &app.get_as("/api/v1/partners", &app.token_for(Role::Editor)),
        403,
    );

    // Archiving a published entry is `withdrawn` (gone for good, as withdrawing is);
    // sending one back to draft is `unpublished` (it may come back).
    for (slug, to, expected) in [
        (
            "archived-call",
            WorkflowState::Archived,
            "opportunity.withdrawn",
        ),
        (
            "reworked-call",
            WorkflowState::Draft,
            "opportunity.unpublished",
        ),
    ] {
        app.insert(&opportunity(slug, &org));
        let seen = receiver.received().len() + 1;
        receiver.wait_for(seen, Duration::from_secs(15));
        let current = store::opportunities::find_any(&mut conn, slug).unwrap();
        store::editing::transition(&mut conn, &current, to, None, "moved", None).unwrap();
        let got = receiver.wait_for(seen + 1, Duration::from_secs(15));
        assert_eq!(got[seen]["payload"]["type"], expected, "{slug}");
        assert_eq!(got[seen]["payload"]["data"]["slug"], slug);
    }
}

#[test]
fn a_receiver_that_is_down_at_first_gets_the_event_when_it_is_back() {
    // The receiver must listen within the 5 s before the retry (the one after is 5
    // minutes later), so it is loaded first and only starts listening on cue.
    python();
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    let port = free_port();
    let (partner, endpoint, secret) = register(&app, &admin, port, &["opportunity.published"]);
    let mut receiver = Receiver::loaded(port, &secret, "ok");
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
    receiver.listen();
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

/// A server on a loopback port that hands each connection to `answer`; stops (and drops
/// every connection it holds) when dropped.
struct Loopback {
    port: u16,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

type Answer = Arc<dyn Fn(TcpStream, &AtomicBool) + Send + Sync>;

impl Loopback {
    fn start(answer: Answer) -> Loopback {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (counted, stopping) = (connections.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stopping.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        counted.fetch_add(1, Ordering::SeqCst);
                        stream.set_nonblocking(false).unwrap();
                        let (answer, stopping) = (answer.clone(), stopping.clone());
                        std::thread::spawn(move || answer(stream, &stopping));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Loopback {
            port,
            connections,
            stop,
        }
    }

    /// Accepts and never answers.
    fn silent() -> Loopback {
        Loopback::start(Arc::new(|_stream, stop| hold(stop)))
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn hold(stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads a request's head and body; its path.
fn read_request(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = stream.read_exact(&mut body);
    head.split(' ').nth(1).unwrap_or("/").to_owned()
}

/// An application whose outbound client runs on a test network: names resolve from its
/// table, and only loopback is ever connected to. `allow` is MOBILITY_OUTBOUND_ALLOW.
fn spawn_on_test_network(allow: &str) -> (TestApp, Arc<TestNetwork>) {
    let network = TestNetwork::new();
    let on = network.clone();
    let allow = Networks::parse(allow).unwrap();
    let app = spawn_app_with(move |s| {
        s.outbound_network = Some(on);
        s.outbound_allow = allow;
    });
    (app, network)
}

/// Registers a partner with one endpoint at `url`; (partner id, endpoint id).
fn register_url(app: &TestApp, admin: &str, url: &str) -> (String, String) {
    let partner = app.json(
        "POST",
        "/api/v1/partners",
        Some(admin),
        &json!({"name": "Partner"}),
        &[],
    );
    assert_eq!(partner.status, 201, "{}", partner.body);
    let partner = partner.json()["id"].as_str().unwrap().to_owned();
    let endpoint = app.json(
        "POST",
        &format!("/api/v1/partners/{partner}/endpoints"),
        Some(admin),
        &json!({"url": url, "event_types": ALL}),
        &[],
    );
    assert_eq!(endpoint.status, 201, "{}", endpoint.body);
    (partner, endpoint.json()["id"].as_str().unwrap().to_owned())
}

/// The first delivery's attempts, once there is at least one (or panics after `within`).
fn first_attempts(
    app: &TestApp,
    admin: &str,
    (partner, endpoint): &(String, String),
    within: Duration,
) -> Vec<Value> {
    let until = Instant::now() + within;
    loop {
        let log = deliveries(app, admin, partner, endpoint);
        if let Some(attempts) = log
            .last()
            .and_then(|d| d["attempts"].as_array())
            .filter(|a| !a.is_empty())
        {
            return attempts.clone();
        }
        assert!(Instant::now() < until, "no attempt was recorded: {log:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn endpoints_that_name_an_inside_address_or_carry_a_line_break_are_refused() {
    // Nothing is allowed here, loopback included.
    let app = spawn_app_with(|s| s.outbound_allow = Networks::default());
    let admin = app.token_for(Role::Admin);
    let partner = app.json(
        "POST",
        "/api/v1/partners",
        Some(&admin),
        &json!({"name": "Partner"}),
        &[],
    );
    let partner = partner.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/partners/{partner}/endpoints");
    for (url, says) in [
        ("http://127.0.0.1:8080/hook", "loopback"),
        // Decimal, hex, octal and short IPv4 forms are read as the URL standard reads them.
        ("http://2130706433/", "loopback"),
        ("http://0x7f.0.0.1/", "loopback"),
        ("http://0177.0.0.1/", "loopback"),
        ("http://127.1/", "loopback"),
        ("http://0/", "unspecified"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.1/", "private"),
        ("http://172.16.5.4/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped"),
        ("http://[::ffff:a9fe:a9fe]/", "link-local"),
        ("http://[fd00::1]/", "unique local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://localhost:8080/", "loopback"),
        ("ftp://partner.example/hook", "http or https"),
        ("file:///etc/passwd", "http or https"),
        (
            "https://partner.example/hook\r\nX-Injected: 1",
            "line breaks",
        ),
        ("https://partner.example/ho\nok", "line breaks"),
        ("https://partner.example/a b", "spaces"),
    ] {
        let reply = app.json(
            "POST",
            &path,
            Some(&admin),
            &json!({"url": url, "event_types": ALL}),
            &[],
        );
        let problem = assert_problem(&reply, 422);
        assert_eq!(problem["errors"][0]["name"], "/url", "{url:?}: {problem}");
        let reason = problem["errors"][0]["reason"].as_str().unwrap();
        assert!(reason.contains(says), "{url:?}: {reason}");
    }
    // A change of URL is held to the same rule.
    let (other, endpoint) = register_url(&app, &admin, "https://Partner.Example:443/hook");
    let changed = app.json(
        "PATCH",
        &format!("/api/v1/partners/{other}/endpoints/{endpoint}"),
        Some(&admin),
        &json!({"url": "http://[::ffff:10.0.0.1]/"}),
        &[],
    );
    assert_eq!(assert_problem(&changed, 422)["errors"][0]["name"], "/url");
    let partners = app.get_as("/api/v1/partners", &admin).json();
    let urls: Vec<&Value> = partners["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["endpoints"].as_array().unwrap())
        .map(|e| &e["url"])
        .collect();
    assert_eq!(
        urls,
        vec!["https://partner.example/hook"],
        "stored as the URL standard writes it, and nothing refused was stored"
    );
}

#[test]
fn a_name_that_resolves_inside_is_refused_at_connect_time_without_a_connection() {
    // Names cannot be judged when they are registered; the address they resolve to is
    // judged when the connection is made. Nothing is allowed here, loopback included.
    let (app, network) = spawn_on_test_network("");
    let admin = app.token_for(Role::Admin);
    let mapped: [(&str, IpAddr, &str); 4] = [
        ("internal.test", "10.0.0.1".parse().unwrap(), "private"),
        (
            "metadata.test",
            "169.254.169.254".parse().unwrap(),
            "link-local",
        ),
        (
            "mapped.test",
            "::ffff:127.0.0.1".parse().unwrap(),
            "IPv4-mapped",
        ),
        ("nat64.test", "64:ff9b::a00:1".parse().unwrap(), "NAT64"),
    ];
    let mut endpoints = Vec::new();
    for (name, address, _) in &mapped {
        network.map(name, &[*address]);
        endpoints.push(register_url(&app, &admin, &format!("http://{name}/hook")));
    }
    let org = organization("lumen");
    app.insert_organization(&org);
    app.insert(&opportunity("for-the-inside", &org));
    for ((name, address, kind), endpoint) in mapped.iter().zip(&endpoints) {
        let attempts = first_attempts(&app, &admin, endpoint, Duration::from_secs(15));
        let error = attempts[0]["error"].as_str().unwrap();
        assert!(error.starts_with("refused: "), "{error}");
        assert!(error.contains(name), "{error}");
        assert!(error.contains(&address.to_string()), "{error}");
        assert!(error.contains(kind), "{error}");
        assert_eq!(attempts[0]["status_code"], Value::Null);
    }
    assert_eq!(network.attempts(), vec![], "no connection was attempted");
}

#[test]
fn a_redirect_is_followed_only_to_where_the_rule_allows() {
    python();
    let (app, network) = spawn_on_test_network("127.0.0.1");
    network.map("internal.test", &["169.254.169.254".parse().unwrap()]);
    let admin = app.token_for(Role::Admin);
    let receiver_port = free_port();
    // A loopback server that redirects, keeping the method: /out to an inside name,
    // anything else to the receiver.
    let to_receiver = format!("http://127.0.0.1:{receiver_port}/hook");
    let redirector = Loopback::start(Arc::new(move |mut stream, _| {
        let path = read_request(&mut stream);
        let location = if path == "/out" {
            "http://internal.test/latest/meta-data/"
        } else {
            to_receiver.as_str()
        };
        let _ = write!(
            stream,
            "HTTP/1.1 307 Temporary Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
    }));
    // Registered at the redirector; its events go on to the receiver.
    let (_, _, secret) = register(&app, &admin, redirector.port, ALL);
    let org = organization("lumen");
    app.insert_organization(&org);
    let receiver = Receiver::start(receiver_port, &secret, "ok");
    app.insert(&opportunity("redirected", &org));
    // Followed to the receiver, with the method, body and signatures intact.
    let got = receiver.wait_for(1, Duration::from_secs(15));
    assert_eq!(got[0]["verified"], true, "{got:?}");
    assert_eq!(got[0]["payload"]["data"]["slug"], "redirected");

    // A redirect to a name that resolves inside is refused, and nothing connects there.
    let refused = register_url(
        &app,
        &admin,
        &format!("http://127.0.0.1:{}/out", redirector.port),
    );
    app.insert(&opportunity("redirected-inside", &org));
    let attempts = first_attempts(&app, &admin, &refused, Duration::from_secs(15));
    let error = attempts[0]["error"].as_str().unwrap();
    assert!(error.starts_with("refused: redirect 1"), "{error}");
    assert!(error.contains("internal.test"), "{error}");
    assert!(error.contains("169.254.169.254"), "{error}");
    let outside: Vec<_> = network
        .attempts()
        .into_iter()
        .filter(|a| !a.ip().is_loopback())
        .collect();
    assert_eq!(outside, vec![], "no connection left loopback");
    assert!(
        network
            .attempts()
            .iter()
            .all(|a| [redirector.port, receiver_port].contains(&a.port())),
        "{:?}",
        network.attempts()
    );
}

#[test]
fn a_receiver_can_cost_the_worker_only_a_little_of_its_answer() {
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    // Answers 200 with a body it says is 100 MB long, sends 64 KB of it and stalls.
    let endless = Loopback::start(Arc::new(|mut stream, stop| {
        read_request(&mut stream);
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-length: 100000000\r\n\r\n"
        );
        let _ = stream.write_all(&[b'x'; 64 * 1024]);
        hold(stop);
    }));
    let endpoint = register_url(
        &app,
        &admin,
        &format!("http://127.0.0.1:{}/hook", endless.port),
    );
    let org = organization("lumen");
    app.insert_organization(&org);
    app.insert(&opportunity("long-answer", &org));
    let attempts = first_attempts(&app, &admin, &endpoint, Duration::from_secs(15));
    assert_eq!(attempts[0]["status_code"], 200);
    // The worker read the start of the body and stopped: no waiting for the rest until
    // the 10-second timeout.
    let took = attempts[0]["duration_ms"].as_i64().unwrap();
    assert!(took < 5000, "the attempt took {took} ms");
    let log = deliveries(&app, &admin, &endpoint.0, &endpoint.1);
    assert_eq!(log[0]["status"], "delivered");
}

#[test]
fn an_https_endpoint_that_fails_its_handshake_is_logged_and_the_others_go_on() {
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    // Speaks plain HTTP where TLS is expected, and notes whether a TLS handshake came
    // (a record of type 22).
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counted = handshakes.clone();
    let plain = Loopback::start(Arc::new(move |mut stream, _| {
        let mut hello = [0u8; 512];
        if stream.read(&mut hello).unwrap_or(0) > 0 && hello[0] == 22 {
            counted.fetch_add(1, Ordering::SeqCst);
        }
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    }));
    let tls = register_url(
        &app,
        &admin,
        &format!("https://127.0.0.1:{}/hook", plain.port),
    );
    let port = free_port();
    let (_, _, secret) = register(&app, &admin, port, ALL);
    let receiver = Receiver::start(port, &secret, "ok");
    let org = organization("lumen");
    app.insert_organization(&org);
    app.insert(&opportunity("over-tls", &org));
    let attempts = first_attempts(&app, &admin, &tls, Duration::from_secs(15));
    assert_eq!(attempts[0]["status_code"], Value::Null);
    assert!(attempts[0]["error"].is_string(), "{attempts:?}");
    assert!(plain.connections() >= 1, "{attempts:?}");
    assert_eq!(handshakes.load(Ordering::SeqCst), 1, "{attempts:?}");
    // The worker is alive: the other endpoint gets this event and the next.
    receiver.wait_for(1, Duration::from_secs(15));
    app.insert(&opportunity("after-tls", &org));
    let got = receiver.wait_for(2, Duration::from_secs(15));
    assert_eq!(got[1]["payload"]["data"]["slug"], "after-tls");
}

#[test]
fn forty_receivers_that_never_answer_do_not_delay_a_healthy_one() {
    python();
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    let silent: Vec<Loopback> = (0..40).map(|_| Loopback::silent()).collect();
    let hanging: Vec<(String, String)> = silent
        .iter()
        .map(|s| register_url(&app, &admin, &format!("http://127.0.0.1:{}/hook", s.port)))
        .collect();
    let port = free_port();
    let (_, _, secret) = register(&app, &admin, port, ALL);
    let receiver = Receiver::start(port, &secret, "ok");
    let org = organization("lumen");
    app.insert_organization(&org);

    // Each event goes to 41 endpoints; 40 of them hang until the 10-second timeout.
    let published = Instant::now();
    app.insert(&opportunity("event-0", &org));
    receiver.wait_for(1, Duration::from_secs(5));
    let until = Instant::now() + Duration::from_secs(5);
    while silent.iter().any(|s| s.connections() == 0) {
        assert!(Instant::now() < until, "the 40 were not all tried at once");
        std::thread::sleep(Duration::from_millis(50));
    }
    // While all 40 hang, five more events: each reaches the healthy receiver within
    // seconds, long before any of the hanging attempts times out.
    for n in 1..=5 {
        let sent = Instant::now();
        app.insert(&opportunity(&format!("event-{n}"), &org));
        receiver.wait_for(n + 1, Duration::from_secs(3));
        let latency = sent.elapsed();
        assert!(
            latency < Duration::from_secs(3),
            "event {n} took {latency:?}"
        );
    }
    // No more than the bound per endpoint were under way to any hanging receiver.
    let most = silent.iter().map(Loopback::connections).max().unwrap();
    assert!(
        published.elapsed() < outbound::TIMEOUT,
        "the events were measured while the others hung ({:?})",
        published.elapsed()
    );
    assert_eq!(most, webhook_delivery::PER_ENDPOINT, "per endpoint at once");
    // A receiver that never answers costs one timeout per attempt, recorded as such.
    for endpoint in &hanging {
        let attempts = first_attempts(&app, &admin, endpoint, Duration::from_secs(20));
        let error = attempts[0]["error"].as_str().unwrap();
        assert!(
            error.contains("no complete answer within 10 seconds"),
            "{error}"
        );
        let took = attempts[0]["duration_ms"].as_i64().unwrap();
        assert!((9_500..15_000).contains(&took), "{took} ms");
    }
    let got = receiver.received();
    assert_eq!(got.len(), 6, "{got:?}");
    assert!(got.iter().all(|m| m["verified"] == true));
}
