//! What a partner developer meets first: "Try it out" in the interactive documentation
//! (Swagger UI, pressed in headless Chromium on every GET operation, with the values the
//! document pre-fills) answers 2xx in a documented media type; and the clients the common
//! generators make from the document work without narrowing: openapi-typescript with
//! openapi-fetch types a list call under `tsc --strict`, and openapi-python-client
//! generates without a warning. The tools come from npm and PyPI, pinned, installed once
//! under the cache directory.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::Utc;
use serde_json::Value;
use uuid::Uuid;

use mobility_directory::domain::vocabulary::Role;
use mobility_directory::store;
use mobility_directory::store::partners::{Endpoint, Partner};

use crate::helpers::{TestApp, spawn_app};
use crate::widget::{chromium, npm_dir, playwright};

const NPM_TOOLS: &[&str] = &[
    "openapi-typescript@7.13.0",
    "openapi-fetch@0.17.0",
    "typescript@5.9.3",
];
const PYTHON_CLIENT: &str = "openapi-python-client==0.29.1";

/// Runs `command`, failing the test with its output unless it succeeds; returns stdout
/// and stderr together.
fn run(command: &mut Command) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{command:?} failed:\n{text}");
    text
}

/// A directory under the cache made once by `make`, guarded by a lock file and a marker
/// naming what it holds.
fn installed(name: &str, wanted: &str, make: impl FnOnce(&Path)) -> PathBuf {
    let dir = npm_dir().with_file_name(name);
    fs::create_dir_all(&dir).unwrap();
    let lock = File::create(dir.with_extension("lock")).unwrap();
    lock.lock().unwrap();
    let marker = dir.join(".installed");
    if fs::read_to_string(&marker).ok().as_deref() != Some(wanted) {
        make(&dir);
        fs::write(&marker, wanted).unwrap();
    }
    dir
}

/// The example a path parameter of `path`'s GET carries in the document.
fn example(doc: &Value, path: &str, name: &str) -> String {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["example"].as_str())
        .unwrap_or_else(|| panic!("{path}: no example for {name}"))
        .to_owned()
}

/// The demo directory, plus the partner and endpoint the document's examples name.
fn documented_world() -> (TestApp, Value) {
    let app = spawn_app();
    let mut conn = app.pool.get().unwrap();
    mobility_directory::demo::load(&mut conn, Utc::now()).unwrap();
    let doc = app.get_json("/openapi.json");
    let deliveries = "/api/v1/partners/{id}/endpoints/{endpoint}/deliveries";
    let partner_id: Uuid = example(&doc, deliveries, "id").parse().unwrap();
    let endpoint_id: Uuid = example(&doc, deliveries, "endpoint").parse().unwrap();
    assert_eq!(
        partner_id.to_string(),
        example(&doc, "/api/v1/partners/{id}/keys", "id")
    );
    let now = Utc::now();
    store::partners::insert(
        &mut conn,
        &Partner {
            id: partner_id,
            name: "TransArtists".into(),
            contact_email: None,
            created_at: now,
            updated_at: now,
        },
    )
    .unwrap();
    store::partners::insert_endpoint(
        &mut conn,
        &Endpoint {
            id: endpoint_id,
            partner_id,
            url: "https://partner.example.org/hooks".into(),
            event_types: vec!["opportunity.published".into()],
            secret: "whsec_dGVzdC1zZWNyZXQtdGhhdC1pcy1sb25nLWVub3VnaA==".into(),
            previous_secret: None,
            previous_secret_until: None,
            enabled: true,
            disabled_reason: None,
            failing_since: None,
            created_at: now,
            updated_at: now,
        },
    )
    .unwrap();
    drop(conn);
    (app, doc)
}

#[test]
fn try_it_out_answers_every_get_operation_in_a_documented_media_type() {
    let (app, doc) = documented_world();
    let token = app.token_for(Role::Admin);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/contract/swagger.mjs");
    let out = Command::new("node")
        .arg(script)
        .arg(&app.base)
        .arg(chromium())
        .arg(&token)
        .env("PLAYWRIGHT_CORE_FROM", playwright().join("playwright-core"))
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "the browser run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seen: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let errors = seen.pop().unwrap();
    assert_eq!(
        errors["errors"],
        serde_json::json!([]),
        "script errors in Swagger UI"
    );
    let gets: Vec<(&String, &Value)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(path, item)| item.get("get").map(|op| (path, op)))
        .collect();
    assert_eq!(
        seen.len(),
        gets.len(),
        "every GET operation was tried: {seen:?}"
    );
    for (path, op) in gets {
        let tried = seen
            .iter()
            .find(|s| s["path"] == path.as_str())
            .unwrap_or_else(|| panic!("{path} was not tried"));
        let status = tried["status"].as_u64().unwrap();
        assert!(
            (200..300).contains(&status),
            "{path}: Execute gave {status} ({})",
            tried["url"]
        );
        let media = tried["contentType"]
            .as_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .trim();
        let documented = &op["responses"][status.to_string()]["content"];
        assert!(
            documented.get(media).is_some(),
            "{path}: {media} is not documented for {status}: {documented}"
        );
    }
}

#[test]
fn openapi_typescript_and_openapi_fetch_type_a_list_call_under_strict() {
    let tools = installed("npm-clients", &NPM_TOOLS.join(" "), |dir| {
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(dir)
            .args(NPM_TOOLS));
    });
    let work = tempfile::tempdir().unwrap();
    let bin = tools.join("node_modules/.bin");
    run(Command::new(bin.join("openapi-typescript"))
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json"))
        .arg("-o")
        .arg(work.path().join("schema.d.ts")));
    // A partner's first call: the JSON list, without naming a media type. With a second
    // media type on the 200, `data` would be a union and `data.items` would not compile.
    fs::write(
        work.path().join("client.ts"),
        r#"import createClient from "openapi-fetch";
import type { paths } from "./schema";

const client = createClient<paths>({ baseUrl: "https://directory.example.org" });

export async function residencies(): Promise<string[]> {
  const { data, error } = await client.GET("/api/v1/opportunities", {
    params: { query: { type: ["residency"], limit: 5, sort: "deadline_desc" } },
  });
  if (error) throw new Error(error.detail ?? error.title);
  const next: string | null | undefined = data.next_url;
  void next;
  return data.items.map((call) => `${call.slug}: ${call.status}`);
}
"#,
    )
    .unwrap();
    fs::write(
        work.path().join("tsconfig.json"),
        r#"{"compilerOptions": {"strict": true, "noEmit": true, "target": "es2022",
  "module": "nodenext", "moduleResolution": "nodenext", "typeRoots": []},
  "files": ["client.ts"]}"#,
    )
    .unwrap();
    fs::create_dir_all(work.path().join("node_modules")).unwrap();
    std::os::unix::fs::symlink(
        tools.join("node_modules/openapi-fetch"),
        work.path().join("node_modules/openapi-fetch"),
    )
    .unwrap();
    run(Command::new(bin.join("tsc")).arg("-p").arg(work.path()));
}

#[test]
fn openapi_python_client_generates_without_a_warning() {
    let venv = installed("venv-clients", PYTHON_CLIENT, |dir| {
        run(Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(dir));
        run(Command::new(dir.join("bin/pip")).args([
            "install",
            "-q",
            "--disable-pip-version-check",
            PYTHON_CLIENT,
        ]));
    });
    let work = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = format!(
        "{}:{}",
        venv.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let said = run(Command::new(venv.join("bin/openapi-python-client"))
        .arg("generate")
        .arg("--path")
        .arg(root.join("openapi/openapi.json"))
        .arg("--config")
        .arg(root.join("openapi/python-client.yaml"))
        .arg("--output-path")
        .arg(work.path().join("client"))
        .env("PATH", path));
    assert!(!said.to_lowercase().contains("warning"), "{said}");
    let package = work.path().join("client/mobility_directory_client");
    assert!(
        package
            .join("api/opportunities/list_opportunities.py")
            .exists(),
        "{said}"
    );
    // The generated package imports, and the list call returns the list's own model.
    let said = run(Command::new(venv.join("bin/python"))
        .args([
            "-c",
            "import typing\n\
             from mobility_directory_client.api.opportunities import list_opportunities as op\n\
             print(typing.get_type_hints(op.sync)['return'])",
        ])
        .current_dir(work.path().join("client")));
    assert!(said.contains("OpportunityList"), "{said}");
}

/// The documentation page, opened at a public host name, asks nothing of another origin:
/// Swagger UI's default validator badge would send the document's address to
/// validator.swagger.io. Chromium resolves only the test's name (to the test server), so
/// a request elsewhere is seen by the page and fails before it connects.
#[test]
fn the_documentation_page_loads_nothing_from_another_origin() {
    let app = spawn_app();
    let host = "docs.example.test";
    let port = app.base.rsplit(':').next().unwrap();
    let origin = format!("http://{host}:{port}");
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/contract/swagger_origins.mjs");
    let out = Command::new("node")
        .arg(script)
        .arg(format!("{origin}/docs/"))
        .arg(chromium())
        .arg(host)
        .env("PLAYWRIGHT_CORE_FROM", playwright().join("playwright-core"))
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "the browser run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        seen["operations"].as_u64().unwrap() > 0,
        "the page shows no operation: {seen}"
    );
    let requests: Vec<&str> = seen["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        requests.contains(&format!("{origin}/openapi.json").as_str()),
        "the page did not load the document from {origin}: {requests:?}"
    );
    let elsewhere: Vec<&&str> = requests
        .iter()
        .filter(|r| !r.starts_with(&format!("{origin}/")) && !r.starts_with("data:"))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "the documentation asked another origin: {elsewhere:?}"
    );
}
