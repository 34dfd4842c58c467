//! Starts the real application on port 0 with a fresh database per test, and talks HTTP to it.
//!
//! The database is SQLite in a temporary directory, or, when `TEST_POSTGRES_URL` is set,
//! a new PostgreSQL database created for the test and dropped after it.

use std::sync::mpsc;

use actix_web::dev::ServerHandle;
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::Value;
use uuid::Uuid;

use mobility_directory::api::http::client_address::TrustedProxies;
use mobility_directory::app::Application;
use mobility_directory::config::{LogFormat, Settings};
use mobility_directory::db::{self, Pool};
use mobility_directory::domain::codes::{Currency, Language};
use mobility_directory::domain::deadline::{Deadline, parse_timezone};
use mobility_directory::domain::geography::Country;
use mobility_directory::domain::networks::Networks;
use mobility_directory::domain::opportunity::{
    Activity, ApplicationFee, Destination, Eligibility, Funding, Opportunity, Organization, Texts,
};
use mobility_directory::domain::vocabulary::{
    CareerStage, OpportunityType, OrganizationKind, Role, WorkflowState,
};
use mobility_directory::store;

/// The one origin whose browser code may call write endpoints on a test server.
pub const STAFF_ORIGIN: &str = "https://staff.example";

/// The signing secret of every test server (tests forge tokens with it and with others).
pub const TEST_JWT_SECRET: &str = "test-secret-that-is-long-enough-for-hs256-0123456789";

pub(crate) enum TestDb {
    /// Owned by another `TestApp`.
    Shared,
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut conn);
        }
    }
}

/// A database URL for a fresh, empty database on the backend the environment selects.
pub(crate) fn fresh_database() -> (String, TestDb) {
    match std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(admin_url) => {
            let name = format!("md_test_{}", Uuid::now_v7().simple());
            let mut conn = PgConnection::establish(&admin_url).unwrap_or_else(|e| {
                panic!("TEST_POSTGRES_URL is set but PostgreSQL cannot be reached ({e}); the PostgreSQL suite fails rather than skips")
            });
            diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .expect("create the test database");
            let (base, query) = match admin_url.split_once('?') {
                Some((b, q)) => (b.to_owned(), format!("?{q}")),
                None => (admin_url.clone(), String::new()),
            };
            let prefix = &base[..base.rfind('/').expect("a database URL has a path")];
            (
                format!("{prefix}/{name}{query}"),
                TestDb::Postgres { admin_url, name },
            )
        }
        None => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}/test.sqlite3", dir.path().display());
            (url, TestDb::Sqlite(dir))
        }
    }
}

pub struct TestApp {
    pub base: String,
    /// Where `/metrics` is served when the settings give it a listener of its own.
    pub metrics_base: Option<String>,
    pub pool: Pool,
    pub database_url: String,
    handle: ServerHandle,
    agent: ureq::Agent,
    _db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        actix_web::rt::System::new().block_on(self.handle.stop(false));
    }
}

/// The application on a migrated, empty database.
pub fn spawn_app() -> TestApp {
    spawn_app_with(|_| {})
}

/// The application on a migrated, empty database, with settings changed from the tests'.
pub fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn(true, configure)
}

/// The application on a database whose migrations were never applied.
pub fn spawn_unmigrated_app() -> TestApp {
    spawn(false, |_| {})
}

/// The application behind a reverse proxy at `trusted` (e.g. 127.0.0.1).
pub fn spawn_app_behind_proxy(trusted: &str) -> TestApp {
    let trusted = TrustedProxies::parse(trusted).unwrap();
    spawn_app_with(|s| s.trusted_proxies = trusted)
}

fn spawn(migrate: bool, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let (database_url, test_db) = fresh_database();
    let pool = db::connect(&database_url, 4).expect("open the test database");
    if migrate {
        db::migrate(&mut pool.get().unwrap()).expect("migrate the test database");
    }
    start(database_url, pool, migrate, configure, test_db)
}

impl TestApp {
    /// Stops this instance's server (and its webhook worker), keeping its database for
    /// the other instances.
    pub fn stop(&self) {
        actix_web::rt::System::new().block_on(self.handle.stop(true));
    }

    /// Another instance of the service, with its own pool and workers, on this one's
    /// database (as behind a load balancer).
    pub fn second_instance(&self) -> TestApp {
        self.second_instance_with(|_| {})
    }

    /// [`TestApp::second_instance`], with settings changed from the tests'.
    pub fn second_instance_with(&self, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let pool = db::connect(&self.database_url, 4).expect("open the database again");
        start(
            self.database_url.clone(),
            pool,
            true,
            configure,
            TestDb::Shared,
        )
    }
}

fn start(
    database_url: String,
    pool: Pool,
    migrate: bool,
    configure: impl FnOnce(&mut Settings),
    test_db: TestDb,
) -> TestApp {
    let mut settings = Settings {
        bind: "127.0.0.1:0".into(),
        database_url: database_url.clone(),
        pool_size: 4,
        migrate_on_start: migrate,
        log_format: LogFormat::Text,
        workers: Some(2),
        jwt_secret: Some(TEST_JWT_SECRET.into()),
        token_ttl_seconds: 3600,
        trusted_proxies: TrustedProxies::default(),
        response_cache_mb: 32,
        search_index: true,
        metrics_bind: None,
        cors_origins: vec![STAFF_ORIGIN.into()],
        public_url: "https://directory.example".into(),
        // Tests make many requests from one address; the limit tests set their own.
        anonymous_per_minute: 0,
        key_per_minute: 6000,
        // Webhook tests receive on loopback, which the service refuses unless allowed.
        outbound_allow: Networks::parse("127.0.0.1").unwrap(),
        outbound_network: None,
    };
    configure(&mut settings);
    let (tx, rx) = mpsc::channel();
    let server_pool = pool.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(&settings, server_pool).expect("bind port 0");
            tx.send((app.port(), app.metrics_port(), app.handle()))
                .unwrap();
            app.run().await
        })
    });
    let (port, metrics_port, handle) = rx.recv().expect("the server starts");
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        metrics_base: metrics_port.map(|p| format!("http://127.0.0.1:{p}")),
        pool,
        database_url,
        handle,
        agent: plain_agent(),
        _db: test_db,
    }
}

/// Sends a request to any URL (a proxy in front of a test server, say) and reads the
/// whole answer, whatever its status.
pub fn exchange(
    agent: &ureq::Agent,
    url: &str,
    method: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Reply {
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = match body {
        Some(bytes) => agent.run(request.body(bytes.to_vec()).unwrap()),
        None => agent.run(request.body(()).unwrap()),
    };
    let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let mut headers = actix_web::http::header::HeaderMap::new();
    for (name, value) in response.headers() {
        headers.append(
            actix_web::http::header::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
            actix_web::http::header::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    let bytes = response
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .unwrap_or_default();
    Reply {
        status: response.status().as_u16(),
        headers,
        body: String::from_utf8(bytes.clone()).unwrap_or_default(),
        bytes,
    }
}

/// A loopback port nothing listens on (for a server a test starts itself).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An HTTP client that reports every status and follows no redirect.
pub fn plain_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .new_agent()
}

pub struct Reply {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    /// The body as text (empty when it is not UTF-8, as a compressed body is not).
    pub body: String,
    /// The body as it came.
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Every value of a header that may come several times, joined with ", ".
    pub fn header_values(&self, name: &str) -> String {
        self.headers
            .get_all(name)
            .map(|v| v.to_str().unwrap())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

impl TestApp {
    pub fn request(&self, method: &str, path: &str) -> Reply {
        self.request_with(method, path, &[])
    }

    pub fn request_with(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.send(method, path, headers, None)
    }

    /// Sends a request with headers and an optional body.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Reply {
        exchange(
            &self.agent,
            &format!("{}{}", self.base, path),
            method,
            headers,
            body,
        )
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path)
    }

    /// GETs a path that must answer 200 with JSON.
    pub fn get_json(&self, path: &str) -> Value {
        let reply = self.get(path);
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.body);
        reply.json()
    }

    /// The slugs a list query returns, following every page, sorted.
    pub fn slugs(&self, query: &str) -> Vec<String> {
        let mut slugs: Vec<String> = self
            .all_pages(query)
            .iter()
            .map(|o| o["slug"].as_str().unwrap().to_owned())
            .collect();
        slugs.sort();
        slugs
    }

    /// Every item of `/api/v1/opportunities?{query}`, following `next` until the end.
    pub fn all_pages(&self, query: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut path = format!("/api/v1/opportunities?{query}");
        loop {
            let page = self.get_json(&path);
            items.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next"].as_str() {
                Some(next) => path = format!("/api/v1/opportunities?{query}&cursor={next}"),
                None => break,
            }
            assert!(items.len() < 10_000, "paging does not end");
        }
        items
    }

    /// Sends JSON with an optional bearer token and extra headers.
    pub fn json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut all: Vec<(&str, &str)> = vec![("content-type", "application/json")];
        if let Some(b) = &bearer {
            all.push(("authorization", b));
        }
        all.extend_from_slice(headers);
        self.send(method, path, &all, Some(body.to_string().as_bytes()))
    }

    /// GET with a bearer token.
    pub fn get_as(&self, path: &str, token: &str) -> Reply {
        self.request_with(
            "GET",
            path,
            &[("authorization", &format!("Bearer {token}"))],
        )
    }

    /// Creates an account directly in the database; returns its password.
    pub fn create_user(&self, email: &str, role: Role) -> String {
        let password = format!("password-of-{email}");
        let hash = mobility_directory::auth::password::hash(&password).unwrap();
        let mut conn = self.pool.get().unwrap();
        store::users::create(&mut conn, email, &hash, role).expect("create user");
        password
    }

    /// Signs in and returns the bearer token.
    pub fn sign_in(&self, email: &str, password: &str) -> String {
        let reply = self.json(
            "POST",
            "/api/v1/auth/token",
            None,
            &serde_json::json!({"email": email, "password": password}),
            &[],
        );
        assert_eq!(reply.status, 200, "sign in {email}: {}", reply.body);
        reply.json()["access_token"].as_str().unwrap().to_owned()
    }

    /// A token for a new account with `role`.
    pub fn token_for(&self, role: Role) -> String {
        let email = format!("{}-{}@example.org", role.slug(), Uuid::now_v7().simple());
        let password = self.create_user(&email, role);
        self.sign_in(&email, &password)
    }

    pub fn insert_organization(&self, org: &Organization) {
        let mut conn = self.pool.get().unwrap();
        store::organizations::insert(&mut conn, org).expect("insert organization");
    }

    pub fn insert(&self, opportunity: &Opportunity) {
        let mut conn = self.pool.get().unwrap();
        store::opportunities::insert(&mut conn, opportunity).expect("insert opportunity");
    }
}

/// Sends a request to `path` on the server at `base` (see [`exchange`]).
pub fn send_to(
    agent: &ureq::Agent,
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Reply {
    exchange(agent, &format!("{base}{path}"), method, headers, body)
}

pub fn organization(slug: &str) -> Organization {
    let now = Utc::now();
    Organization {
        id: Uuid::now_v7(),
        slug: slug.into(),
        name: format!("Organization {slug}"),
        kind: OrganizationKind::Foundation,
        country: Country::parse("SI").unwrap(),
        city: Some("Ljubljana".into()),
        website: Some(format!("https://{slug}.example.org")),
        created_at: now,
        updated_at: now,
        version: 1,
        withdrawn: false,
    }
}

/// A valid, published, open residency in Slovenia, 30 days before its deadline, with
/// what publication needs.
pub fn opportunity(slug: &str, org: &Organization) -> Opportunity {
    let now = Utc::now();
    Opportunity {
        id: Uuid::now_v7(),
        slug: slug.into(),
        kind: OpportunityType::Residency,
        organization_id: org.id,
        title: Texts::both(&format!("Title {slug}"), &format!("Naslov {slug}")),
        summary: Texts::both("An open call for artists.", "Javni poziv za umetnike."),
        description: Texts::default(),
        disciplines: vec![],
        destination: Destination {
            countries: vec![Country::parse("SI").unwrap()],
            city: Some("Ljubljana".into()),
            online: false,
        },
        eligibility: Eligibility {
            nationalities: vec![],
            residences: vec![],
            career_stage: CareerStage::Any,
            age_min: None,
            age_max: None,
        },
        opens_at: None,
        deadline: Some(deadline_in(Duration::days(30), "Europe/Ljubljana")),
        rolling: false,
        activity: Activity::default(),
        funding: Some(Funding {
            min: None,
            max: Some(1000),
            currency: Currency::parse("EUR").unwrap(),
        }),
        covered_costs: vec![],
        application_fee: ApplicationFee {
            amount: 0,
            currency: None,
        },
        application_url: Some(format!("https://{}.example.org/apply/{slug}", org.slug)),
        source_url: None,
        contact_email: None,
        languages: vec![Language::parse("en").unwrap()],
        created_at: now,
        updated_at: now,
        published_at: Some(now),
        state: WorkflowState::Published,
        version: 1,
    }
}

/// A deadline `from_now` away, announced in `zone`.
pub fn deadline_in(from_now: Duration, zone: &str) -> Deadline {
    Deadline {
        at: Utc::now() + from_now,
        timezone: parse_timezone(zone).unwrap(),
    }
}

/// A deadline announced as the wall-clock time `local` in `zone`.
pub fn deadline_at_local(local: NaiveDateTime, zone: &str) -> Deadline {
    Deadline::from_local(local, parse_timezone(zone).unwrap())
}

/// Asserts an RFC 9457 problem document with this status, and returns it.
pub fn assert_problem(reply: &Reply, status: u16) -> serde_json::Value {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let body = reply.json();
    assert_eq!(body["status"], status);
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:mobility-directory:problem:")
    );
    assert!(!body["title"].as_str().unwrap().is_empty());
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}
