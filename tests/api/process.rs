//! The real binary as a process of its own, on a fresh database: for what only a process
//! of its own shows honestly (its memory) or goes through (`kill -9` and a restart).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{Reply, TEST_JWT_SECRET, TestDb, fresh_database, send_to};

const BIN: &str = env!("CARGO_BIN_EXE_mobility-directory");

pub struct ServiceProcess {
    pub base: String,
    pub database_url: String,
    /// The working directory of the process, with its log.
    pub dir: tempfile::TempDir,
    child: Option<Child>,
    agent: ureq::Agent,
    _db: TestDb,
}

/// What the kernel says about a process's memory, in MB.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// The most it ever held (`VmHWM`).
    pub peak: u64,
    /// What it holds now (`VmRSS`).
    pub now: u64,
}

impl ServiceProcess {
    /// The service on a fresh database, migrated and ready.
    pub fn start() -> ServiceProcess {
        let (database_url, db) = fresh_database();
        let mut service = ServiceProcess {
            base: String::new(),
            database_url,
            dir: tempfile::tempdir().unwrap(),
            child: None,
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .timeout_global(Some(Duration::from_secs(60)))
                .build()
                .new_agent(),
            _db: db,
        };
        let migrated = service.command().arg("migrate").output().unwrap();
        assert!(
            migrated.status.success(),
            "{}",
            String::from_utf8_lossy(&migrated.stderr)
        );
        service.restart();
        service
    }

    fn command(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .current_dir(self.dir.path())
            .env("DATABASE_URL", &self.database_url)
            .env("MOBILITY_JWT_SECRET", TEST_JWT_SECRET)
            .env("MOBILITY_RATE_LIMIT_ANONYMOUS", "0")
            .env("RUST_LOG", "warn");
        command
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("service.log")
    }

    /// Starts the service (again, after [`Self::kill9`]) on a new port, and waits until
    /// `/readyz` answers 200.
    pub fn restart(&mut self) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log())
            .unwrap();
        self.child = Some(
            self.command()
                .env("MOBILITY_BIND", format!("127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap(),
        );
        self.base = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(r) = self.agent.get(format!("{}/readyz", self.base)).call()
                && r.status() == 200
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "the service did not become ready:\n{}",
            std::fs::read_to_string(self.log()).unwrap_or_default()
        );
    }

    /// Kills the process at once, as a crash would.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn memory(&self) -> Memory {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let field = |name: &str| -> u64 {
            let line = status
                .lines()
                .find(|l| l.starts_with(name))
                .unwrap_or_else(|| panic!("{name} in /proc/<pid>/status"));
            let kb: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse().ok())
                .unwrap();
            kb / 1024
        };
        Memory {
            peak: field("VmHWM:"),
            now: field("VmRSS:"),
        }
    }

    /// Adds an account with the command line, as an operator would; returns its password.
    pub fn add_user(&self, email: &str, role: &str) -> String {
        let password = format!("password-of-{email}");
        let mut child = self
            .command()
            .args(["user", "add", "--email", email, "--role", role])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        password
    }

    pub fn get(&self, path: &str) -> Reply {
        send_to(&self.agent, &self.base, "GET", path, &[], None)
    }

    /// GET with a bearer token.
    pub fn get_as(&self, path: &str, token: &str) -> Reply {
        let bearer = format!("Bearer {token}");
        send_to(
            &self.agent,
            &self.base,
            "GET",
            path,
            &[("authorization", &bearer)],
            None,
        )
    }

    /// Sends JSON with an optional bearer token.
    pub fn json(&self, method: &str, path: &str, token: Option<&str>, body: &Value) -> Reply {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = vec![("content-type", "application/json")];
        if let Some(b) = &bearer {
            headers.push(("authorization", b));
        }
        send_to(
            &self.agent,
            &self.base,
            method,
            path,
            &headers,
            Some(body.to_string().as_bytes()),
        )
    }

    pub fn sign_in_reply(&self, email: &str, password: &str) -> Reply {
        self.json(
            "POST",
            "/api/v1/auth/token",
            None,
            &json!({"email": email, "password": password}),
        )
    }

    pub fn sign_in(&self, email: &str, password: &str) -> String {
        let reply = self.sign_in_reply(email, password);
        assert_eq!(reply.status, 200, "sign in {email}: {}", reply.body);
        reply.json()["access_token"].as_str().unwrap().to_owned()
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        self.kill9();
    }
}
