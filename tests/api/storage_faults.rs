//! Faults of the storage under a running service: SQLite's write-ahead log removed (on
//! PostgreSQL, the service's sessions killed), then the process killed; a database that
//! takes no writes. No acknowledged write is lost, reads go on, and `/readyz` says what is
//! degraded.

use std::process::Command;
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{Value, json};

use mobility_directory::domain::vocabulary::Role;

use crate::curation::{create, valid_input, with_org};
use crate::helpers::{TestApp, spawn_app};
use crate::process::ServiceProcess;

/// The file of a SQLite database URL, `None` for PostgreSQL.
fn sqlite_file(database_url: &str) -> Option<String> {
    database_url.strip_prefix("sqlite://").map(str::to_owned)
}

/// Runs `sql` on the PostgreSQL server of the test suite, as its administrator.
fn as_postgres_admin(sql: &str) {
    let admin = std::env::var("TEST_POSTGRES_URL").expect("TEST_POSTGRES_URL");
    let mut conn = PgConnection::establish(&admin).expect("connect as administrator");
    diesel::sql_query(sql).execute(&mut conn).expect(sql);
}

fn database_name(database_url: &str) -> String {
    let path = database_url.rsplit('/').next().unwrap();
    path.split('?').next().unwrap().to_owned()
}

/// Ends every session of the service on its PostgreSQL database.
fn terminate_sessions(database_url: &str) {
    as_postgres_admin(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{}' AND pid <> pg_backend_pid()",
        database_name(database_url)
    ));
}

fn new_call(service: &ServiceProcess, token: &str, n: usize) -> (u16, Value) {
    let reply = service.json(
        "POST",
        "/api/v1/opportunities",
        Some(token),
        &json!({
            "type": "residency",
            "organization": "wal-org",
            "title": {"en": format!("Call number {n}")},
            "rolling": true,
            "source_url": format!("https://wal.example.org/{n}"),
        }),
    );
    if reply.status == 503 {
        assert!(reply.header("retry-after").is_some(), "{}", reply.body);
    }
    (reply.status, reply.json())
}

#[test]
fn a_write_ahead_log_removed_under_the_service_loses_no_acknowledged_write() {
    let mut service = ServiceProcess::start();
    let password = service.add_user("wal@example.org", "editor");
    let token = service.sign_in("wal@example.org", &password);
    let org = service.json(
        "POST",
        "/api/v1/organizations",
        Some(&token),
        &json!({"slug": "wal-org", "name": "WAL Organization", "kind": "foundation", "country": "SI"}),
    );
    assert_eq!(org.status, 201, "{}", org.body);
    let mut acknowledged = Vec::new();
    for n in 0..10 {
        let (status, body) = new_call(&service, &token, n);
        assert_eq!(status, 201, "{body}");
        acknowledged.push(body["entry"]["slug"].as_str().unwrap().to_owned());
    }

    match sqlite_file(&service.database_url) {
        Some(db) => {
            // What a careless `rm` or a backup script does.
            std::fs::remove_file(format!("{db}-wal")).unwrap();
            std::fs::remove_file(format!("{db}-shm")).unwrap();
            let ready = service.get("/readyz");
            assert_eq!(ready.status, 200, "reads go on: {}", ready.body);
            let ready = ready.json();
            assert_eq!(ready["status"], "degraded", "{ready}");
            assert_eq!(ready["writable"], false, "{ready}");
            assert!(
                ready["detail"]
                    .as_str()
                    .unwrap()
                    .contains("write-ahead log"),
                "{ready}"
            );
        }
        None => terminate_sessions(&service.database_url),
    }

    // Each write is acknowledged only if it is safe, or refused with 503 saying why, until
    // the database is reopened; then writes go on.
    let mut refused = 0;
    for n in 10..40 {
        let (status, body) = new_call(&service, &token, n);
        match status {
            201 => acknowledged.push(body["entry"]["slug"].as_str().unwrap().to_owned()),
            503 => refused += 1,
            other => panic!("a create answered {other}: {body}"),
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        refused < 30,
        "writes never resumed: {refused} of 30 refused"
    );
    assert_eq!(service.get("/readyz").json()["status"], "ok");

    service.kill9();
    service.restart();
    let token = service.sign_in("wal@example.org", &password);
    for slug in &acknowledged {
        let reply = service.get_as(&format!("/api/v1/staff/opportunities/{slug}"), &token);
        assert_eq!(
            reply.status,
            200,
            "{slug}, acknowledged with 201, is lost after kill -9 ({} acknowledged in all)",
            acknowledged.len()
        );
    }
}

/// Makes the SQLite database file and its log immutable (`chattr +i`) until dropped.
struct Immutable(Vec<String>);

impl Immutable {
    fn make(files: Vec<String>) -> Immutable {
        let status = Command::new("chattr")
            .arg("+i")
            .args(&files)
            .status()
            .expect("chattr (e2fsprogs) runs");
        assert!(
            status.success(),
            "chattr +i failed: this test makes a file immutable, which needs root"
        );
        Immutable(files)
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").args(&self.0).status();
    }
}

/// Polls `/readyz` until its `status` is `want`, for at most 15 s; returns its body.
fn readyz_until(app: &TestApp, want: &str) -> Value {
    let start = Instant::now();
    loop {
        let reply = app.get("/readyz");
        if reply.status == 200 && reply.json()["status"] == want {
            return reply.json();
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "/readyz never said {want}: {} {}",
            reply.status,
            reply.body
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Reads until five in a row answer 200, for at most 15 s: connections the fault broke
/// are replaced on the way.
fn reads_until_steady(app: &TestApp) {
    let start = Instant::now();
    let mut in_a_row = 0;
    while in_a_row < 5 {
        let reply = app.get("/api/v1/organizations");
        in_a_row = if reply.status == 200 { in_a_row + 1 } else { 0 };
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "reads did not go on: {} {}",
            reply.status,
            reply.body
        );
    }
}

/// Creates calls until one answers 201, for at most 15 s.
fn create_until_accepted(app: &TestApp, token: &str, title: &str) {
    let start = Instant::now();
    loop {
        let reply = create(app, token, &valid_input("lumen", title));
        if reply.status == 201 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "writes did not resume: {} {}",
            reply.status,
            reply.body
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn readyz_says_degraded_while_the_database_takes_no_writes_and_reads_go_on() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    assert_eq!(
        create(&app, &editor, &valid_input("lumen", "Before the fault")).status,
        201
    );
    assert_eq!(app.get_json("/readyz")["status"], "ok");

    let fault = match sqlite_file(&app.database_url) {
        Some(db) => Some(Immutable::make(vec![db.clone(), format!("{db}-wal")])),
        None => {
            as_postgres_admin(&format!(
                "ALTER DATABASE \"{}\" SET default_transaction_read_only = on",
                database_name(&app.database_url)
            ));
            terminate_sessions(&app.database_url);
            None
        }
    };
    reads_until_steady(&app);
    let ready = readyz_until(&app, "degraded");
    assert_eq!(ready["writable"], false, "{ready}");
    let detail = ready["detail"].as_str().unwrap();
    assert!(
        detail.contains("cannot be written") || detail.contains("read-only"),
        "{detail}"
    );
    let write = create(&app, &editor, &valid_input("lumen", "During the fault"));
    assert_eq!(write.status, 503, "{}", write.body);
    assert!(write.header("retry-after").is_some());
    for _ in 0..5 {
        let read = app.get("/api/v1/organizations");
        assert_eq!(read.status, 200, "reads go on: {}", read.body);
    }

    match fault {
        Some(immutable) => drop(immutable),
        None => {
            as_postgres_admin(&format!(
                "ALTER DATABASE \"{}\" RESET default_transaction_read_only",
                database_name(&app.database_url)
            ));
            terminate_sessions(&app.database_url);
        }
    }
    let ready = readyz_until(&app, "ok");
    assert_eq!(ready["writable"], true, "{ready}");
    assert!(ready.get("detail").is_none(), "{ready}");
    create_until_accepted(&app, &editor, "After the fault");
}
