//! Public answers behind a real shared cache: nginx's `proxy_cache` (Debian's nginx,
//! started by the test on a loopback port in front of the test server) keeps one copy per
//! variant that `Vary` names. Readers in different languages, formats and content codings
//! never receive each other's answers, and repeated identical requests are served from
//! the cache. Without nginx the test fails rather than skips.

use std::fs;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::helpers::{Reply, exchange, free_port, plain_agent, spawn_app};

fn nginx_binary() -> String {
    if let Ok(path) = std::env::var("MOBILITY_TEST_NGINX") {
        return path;
    }
    for candidate in ["/usr/sbin/nginx", "/usr/bin/nginx"] {
        if fs::metadata(candidate).is_ok() {
            return candidate.into();
        }
    }
    panic!("no nginx: apt-get install nginx-light (tools/test does), or set MOBILITY_TEST_NGINX");
}

/// nginx in the foreground, one process, everything under a temporary directory.
struct SharedCache {
    base: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for SharedCache {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn shared_cache_in_front_of(upstream: &str) -> SharedCache {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().display().to_string();
    let port = free_port();
    let conf = format!(
        r#"daemon off;
master_process off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    proxy_cache_path {root}/cache keys_zone=public:1m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {upstream};
            proxy_cache public;
            proxy_cache_revalidate on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"#
    );
    let conf_path = PathBuf::from(&root).join("nginx.conf");
    fs::write(&conf_path, conf).unwrap();
    let child = Command::new(nginx_binary())
        .arg("-p")
        .arg(&root)
        .arg("-c")
        .arg(&conf_path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nginx starts");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nginx did not listen: {}",
            fs::read_to_string(PathBuf::from(&root).join("error.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    SharedCache {
        base: format!("http://127.0.0.1:{port}"),
        child,
        _dir: dir,
    }
}

/// What tells one representation from another, as a reader sees it.
fn seen(
    reply: &Reply,
) -> (
    u16,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
) {
    (
        reply.status,
        reply.header("etag"),
        reply.header("content-type"),
        reply.header("content-language"),
        reply.header("content-encoding"),
    )
}

#[test]
fn readers_in_other_languages_formats_and_codings_never_get_each_others_answers() {
    let app = spawn_app();
    let mut conn = app.pool.get().unwrap();
    mobility_directory::demo::load(&mut conn, Utc::now()).unwrap();
    drop(conn);
    let cache = shared_cache_in_front_of(&app.base);
    let agent = plain_agent();
    let paths = [
        "/api/v1/opportunities?limit=5",
        "/api/v1/opportunities/castile-ceramics-residency",
        "/api/v1/organizations/meseta-creative-fund",
        "/api/v1/taxonomies/disciplines",
        "/api/v1/dataset",
        "/api/v1/opportunities.atom?limit=5",
    ];
    let languages = [None, Some("sl"), Some("en-GB, en;q=0.9")];
    let formats = [None, Some("application/atom+xml")];
    let codings = [None, Some("gzip"), Some("br")];
    let mut variants = Vec::new();
    for language in languages {
        for format in formats {
            for coding in codings {
                variants.push((language, format, coding));
            }
        }
    }
    let mut hits = 0;
    for path in paths {
        // Every variant once (each after others were cached), then every variant again.
        for round in 0..2 {
            for (language, format, coding) in &variants {
                let mut headers = Vec::new();
                if let Some(language) = language {
                    headers.push(("accept-language", *language));
                }
                if let Some(format) = format {
                    headers.push(("accept", *format));
                }
                if let Some(coding) = coding {
                    headers.push(("accept-encoding", *coding));
                }
                let direct = app.request_with("GET", path, &headers);
                let through = exchange(
                    &agent,
                    &format!("{}{path}", cache.base),
                    "GET",
                    &headers,
                    None,
                );
                assert_eq!(
                    seen(&through),
                    seen(&direct),
                    "{path} with {headers:?} (round {round}) through the shared cache differs from the service's own answer"
                );
                assert_eq!(through.bytes, direct.bytes, "{path} with {headers:?}");
                let vary = direct.header_values("vary");
                assert_eq!(
                    direct.headers.get_all("vary").count(),
                    1,
                    "one Vary header: {vary}"
                );
                let status = through.header("x-cache-status").unwrap_or_default();
                if round == 1 && direct.status == 200 {
                    assert_eq!(status, "HIT", "{path} with {headers:?} asked again");
                    hits += 1;
                }
            }
        }
    }
    assert!(hits > 0, "nothing was served from the shared cache");
    // The cache kept a copy of each language: a Slovenian and an English reader of one
    // entry got different texts.
    let sl = exchange(
        &agent,
        &format!(
            "{}/api/v1/opportunities/castile-ceramics-residency",
            cache.base
        ),
        "GET",
        &[("accept-language", "sl")],
        None,
    );
    let en = exchange(
        &agent,
        &format!(
            "{}/api/v1/opportunities/castile-ceramics-residency",
            cache.base
        ),
        "GET",
        &[("accept-language", "en")],
        None,
    );
    assert_eq!(sl.header("content-language").as_deref(), Some("sl"));
    assert_eq!(en.header("content-language").as_deref(), Some("en"));
    assert_ne!(sl.json()["title"], en.json()["title"]);
}

#[test]
fn every_negotiated_answer_names_all_it_depends_on_in_one_vary_304s_included() {
    let app = spawn_app();
    let mut conn = app.pool.get().unwrap();
    mobility_directory::demo::load(&mut conn, Utc::now()).unwrap();
    drop(conn);
    for (path, depends_on) in [
        (
            "/api/v1/opportunities?limit=5",
            &["accept", "accept-language", "accept-encoding"][..],
        ),
        (
            "/api/v1/opportunities/castile-ceramics-residency",
            &["accept", "accept-language", "accept-encoding"][..],
        ),
        (
            "/api/v1/opportunities.ics",
            &["accept-language", "accept-encoding"][..],
        ),
        (
            "/api/v1/organizations/meseta-creative-fund",
            &["accept-encoding"][..],
        ),
        ("/api/v1/taxonomies/countries", &["accept-encoding"][..]),
        ("/api/v1/dataset", &["accept-encoding"][..]),
    ] {
        for coding in ["identity", "gzip", "br"] {
            let first = app.request_with("GET", path, &[("accept-encoding", coding)]);
            assert_eq!(first.status, 200, "{path}");
            let tag = first.header("etag").unwrap();
            let again = app.request_with(
                "GET",
                path,
                &[("accept-encoding", coding), ("if-none-match", &tag)],
            );
            assert_eq!(again.status, 304, "{path}");
            for reply in [&first, &again] {
                assert_eq!(reply.headers.get_all("vary").count(), 1, "{path}: one Vary");
                let vary: Vec<String> = reply
                    .header("vary")
                    .unwrap()
                    .split(',')
                    .map(|n| n.trim().to_lowercase())
                    .collect();
                for name in depends_on {
                    assert!(
                        vary.iter().any(|v| v == name),
                        "{path} ({coding}, {}): Vary {vary:?} lacks {name}",
                        reply.status
                    );
                }
            }
        }
    }
}
