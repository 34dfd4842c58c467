//! The binary itself: first start on the embedded default, `seed`, `migrate`, `openapi`,
//! JSON logs, graceful shutdown on SIGTERM, the configuration it refuses, and what the
//! container image runs (its health check, its build steps).

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{free_port, spawn_app};

const BIN: &str = env!("CARGO_BIN_EXE_mobility-directory");

fn wait_until_ready(base: &str) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if let Ok(r) = agent.get(&format!("{base}/readyz")).call()
            && r.status() == 200
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the service did not become ready");
}

fn all_statuses(base: &str) -> Vec<serde_json::Value> {
    let agent = ureq::Agent::new_with_defaults();
    let mut items = Vec::new();
    let mut url = format!(
        "{base}/api/v1/opportunities?status=upcoming,open,closing_soon,closed,rolling&limit=100"
    );
    loop {
        let page: serde_json::Value = agent
            .get(&url)
            .call()
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => {
                url = format!(
                    "{base}/api/v1/opportunities?status=upcoming,open,closing_soon,closed,rolling&limit=100&cursor={next}"
                )
            }
            None => return items,
        }
    }
}

/// The demo set is as rich as promised: every type, ten disciplines, twenty countries,
/// both languages, and calls in every phase.
fn assert_living_directory(items: &[serde_json::Value]) {
    assert!(items.len() >= 80, "{} demo entries", items.len());
    let types: HashSet<&str> = items.iter().map(|o| o["type"].as_str().unwrap()).collect();
    assert_eq!(types.len(), 16, "every type: {types:?}");
    let disciplines: HashSet<&str> = items
        .iter()
        .flat_map(|o| o["disciplines"].as_array().unwrap())
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(disciplines.len() >= 10, "{disciplines:?}");
    let countries: HashSet<&str> = items
        .iter()
        .flat_map(|o| o["destination"]["countries"].as_array().unwrap())
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(countries.len() >= 20, "{countries:?}");
    assert!(
        items
            .iter()
            .all(|o| o["title"]["en"].is_string() && o["title"]["sl"].is_string())
    );
    assert!(
        items
            .iter()
            .all(|o| o["summary"]["en"].is_string() && o["summary"]["sl"].is_string())
    );
    let statuses: HashSet<&str> = items
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    for status in ["upcoming", "open", "closing_soon", "closed", "rolling"] {
        assert!(statuses.contains(status), "a {status} call in {statuses:?}");
    }
}

#[test]
fn first_start_on_the_default_database_shows_the_demo_and_sigterm_stops_it_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("log.jsonl")).unwrap();
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("MOBILITY_JWT_SECRET")
        .env("MOBILITY_BIND", format!("127.0.0.1:{port}"))
        .env("MOBILITY_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    wait_until_ready(&base);
    assert!(
        dir.path().join("data/mobility.sqlite3").exists(),
        "the embedded database is a file under ./data"
    );
    assert_living_directory(&all_statuses(&base));
    let request_id = ureq::get(format!("{base}/api/v1/taxonomies/types"))
        .call()
        .unwrap()
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "SIGTERM did not stop the server"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");

    // Every log line is JSON, and the request's line carries its id, method and path.
    let logs = std::fs::read_to_string(dir.path().join("log.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON log line"))
        .collect();
    let answered = lines
        .iter()
        .find(|l| l["span"]["request_id"] == request_id.as_str())
        .expect("a log line with the request id");
    assert_eq!(answered["message"], "answered");
    assert_eq!(answered["status"], 200);
    assert_eq!(answered["span"]["http.target"], "/api/v1/taxonomies/types");
    // Without MOBILITY_JWT_SECRET the service runs in development mode and says so.
    assert!(
        lines.iter().any(|l| l["level"] == "WARN"
            && l["message"]
                .as_str()
                .unwrap_or("")
                .contains("MOBILITY_JWT_SECRET")),
        "a development-mode warning"
    );
}

#[test]
fn seed_loads_the_demo_into_any_database_once() {
    let app = spawn_app();
    for _ in 0..2 {
        let out = Command::new(BIN)
            .arg("seed")
            .env("DATABASE_URL", &app.database_url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let items = all_statuses(&app.base);
    assert_living_directory(&items);
    let slugs: HashSet<&str> = items.iter().map(|o| o["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs.len(), items.len(), "seeding twice adds nothing");
}

#[test]
fn migrate_prepares_a_new_database_and_logs_json_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/fresh.sqlite3", dir.path().display());
    let out = Command::new(BIN)
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .env("MOBILITY_LOG_FORMAT", "json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let logs = String::from_utf8(out.stderr).unwrap();
    let line: serde_json::Value =
        serde_json::from_str(logs.lines().last().unwrap()).expect("a JSON log line");
    let migrations = std::fs::read_dir("migrations/sqlite").unwrap().count();
    assert_eq!(line["applied"], migrations as u64);
    let pool = mobility_directory::db::connect(&url, 1).unwrap();
    assert!(mobility_directory::db::is_migrated(&mut pool.get().unwrap()).unwrap());
}

#[test]
fn openapi_prints_the_committed_document() {
    let out = Command::new(BIN).arg("openapi").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        include_str!("../../openapi/openapi.json")
    );
}

#[test]
fn bad_configuration_fails_with_the_reason() {
    let out = Command::new(BIN)
        .arg("migrate")
        .env("DATABASE_URL", "mysql://localhost/x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("DATABASE_URL must start with sqlite:// or postgres://")
    );
    let out = Command::new(BIN).arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
}

#[test]
fn user_add_reads_the_password_from_standard_input() {
    let app = spawn_app();
    let mut child = Command::new(BIN)
        .args([
            "user",
            "add",
            "--email",
            "cli.admin@example.org",
            "--role",
            "admin",
        ])
        .env("DATABASE_URL", &app.database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a password from stdin\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = app.sign_in("cli.admin@example.org", "a password from stdin");
    assert_eq!(app.get_as("/api/v1/users", &token).status, 200);

    let short = Command::new(BIN)
        .args([
            "user",
            "add",
            "--email",
            "x@example.org",
            "--role",
            "editor",
        ])
        .env("DATABASE_URL", &app.database_url)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!short.status.success(), "an empty password is refused");
}

#[test]
fn serve_refuses_a_short_signing_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("serve")
        .current_dir(dir.path())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/x.sqlite3", dir.path().display()),
        )
        .env("MOBILITY_BIND", "127.0.0.1:0")
        .env("MOBILITY_PUBLIC_URL", "https://directory.example")
        .env("MOBILITY_JWT_SECRET", "too-short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("MOBILITY_JWT_SECRET must be at least 32 bytes")
    );
}

#[test]
fn openapi_into_a_reader_that_stops_early_is_no_error() {
    // `mobility-directory openapi | head -c 100`: the pipe closes after 100 bytes.
    let mut child = Command::new(BIN)
        .arg("openapi")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
}

#[test]
fn a_wildcard_bind_without_a_public_url_is_refused_with_the_variable_to_set() {
    for bind in ["0.0.0.0:8080", "[::]:8080"] {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(BIN)
            .arg("serve")
            .current_dir(dir.path())
            .env("MOBILITY_BIND", bind)
            .env_remove("MOBILITY_PUBLIC_URL")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bind}: started");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("Set MOBILITY_PUBLIC_URL") && stderr.contains(bind),
            "{bind}: {stderr}"
        );
    }
}

#[test]
fn the_container_health_check_probes_readyz_on_the_bind_address() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = Command::new(BIN)
        .arg("serve")
        .current_dir(dir.path())
        .env("MOBILITY_BIND", format!("0.0.0.0:{port}"))
        .env("MOBILITY_PUBLIC_URL", "https://directory.example")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until_ready(&format!("http://127.0.0.1:{port}"));
    // The Dockerfile's HEALTHCHECK, run as the image runs it (same environment).
    let dockerfile = include_str!("../../Dockerfile");
    let check = dockerfile
        .lines()
        .skip_while(|l| !l.starts_with("HEALTHCHECK"))
        .find_map(|l| l.trim().strip_prefix("CMD "))
        .expect("a HEALTHCHECK with a CMD");
    let argv: Vec<String> = serde_json::from_str(check).expect("CMD in exec form");
    assert_eq!(argv[0], "mobility-directory");
    let probe = |bind: String| {
        Command::new(BIN)
            .args(&argv[1..])
            .env("MOBILITY_BIND", bind)
            .output()
            .unwrap()
    };
    let healthy = probe(format!("0.0.0.0:{port}"));
    assert!(healthy.status.success(), "{healthy:?}");
    let _ = server.kill();
    let _ = server.wait();
    let down = probe(format!("0.0.0.0:{port}"));
    assert!(
        !down.status.success(),
        "the probe fails when nothing answers"
    );
}

#[test]
fn the_dockerfile_copies_what_exists_and_ships_ca_certificates() {
    // No container engine runs here (CI builds the image where one does): the steps that
    // can be checked without one are.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dockerfile = include_str!("../../Dockerfile");
    for line in dockerfile
        .lines()
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from"))
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        for source in &parts[1..parts.len() - 1] {
            assert!(
                root.join(source).exists(),
                "{line}: {source} does not exist"
            );
        }
    }
    let runtime = dockerfile.rsplit("FROM ").next().unwrap();
    assert!(
        runtime.contains("ca-certificates"),
        "the runtime stage installs CA certificates"
    );
    assert!(runtime.contains("HEALTHCHECK"));
    // The dependency layer is built from the manifest alone, before the sources come in.
    let manifest = dockerfile.find("COPY Cargo.toml Cargo.lock").unwrap();
    let first_build = dockerfile.find("cargo build").unwrap();
    let sources = dockerfile.find("COPY src src").unwrap();
    assert!(manifest < first_build && first_build < sources);
    // What the build needs is not kept out of its context.
    let ignored = include_str!("../../.dockerignore");
    for needed in ["src", "migrations", "Cargo.toml", "Cargo.lock"] {
        assert!(
            !ignored.lines().any(|l| l.trim() == needed),
            "{needed} is ignored"
        );
    }
}
