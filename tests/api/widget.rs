//! The embeddable widget, end to end: a partner page on another origin loads
//! `/widget.js` from the real server in headless Chromium (Debian's, driven by
//! playwright-core from npm). Needs `chromium` (or `MOBILITY_TEST_CHROMIUM`), Node.js and
//! npm; without them the test fails rather than skips.

use std::fs::{self, File};
use std::path::PathBuf;
use std::process::Command;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::helpers::spawn_app;

const PLAYWRIGHT: &str = "playwright-core@1.49.1";

pub fn npm_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache"));
    base.join("mobility-directory").join("npm")
}

/// playwright-core under the cache directory, installed once.
pub fn playwright() -> PathBuf {
    let dir = npm_dir();
    fs::create_dir_all(&dir).unwrap();
    let lock = File::create(dir.join(".lock")).unwrap();
    lock.lock().unwrap();
    let marker = dir.join("node_modules/playwright-core/package.json");
    let installed = fs::read_to_string(&marker)
        .ok()
        .is_some_and(|p| p.contains("\"version\": \"1.49.1\""));
    if !installed {
        let done = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&dir)
            .arg(PLAYWRIGHT)
            .status()
            .expect("npm runs (the widget test needs Node.js and npm)");
        assert!(done.success(), "npm could not install {PLAYWRIGHT}");
    }
    dir.join("node_modules")
}

pub fn chromium() -> String {
    if let Ok(path) = std::env::var("MOBILITY_TEST_CHROMIUM") {
        return path;
    }
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if fs::metadata(candidate).is_ok() {
            return candidate.into();
        }
    }
    panic!("no Chromium: apt-get install chromium, or set MOBILITY_TEST_CHROMIUM");
}

#[test]
fn a_partner_page_shows_calls_in_its_language_and_the_readers_time() {
    let app = spawn_app();
    let mut conn = app.pool.get().unwrap();
    mobility_directory::demo::load(&mut conn, Utc::now()).unwrap();
    drop(conn);
    let modules = playwright();
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("widget-sl.png");
    let _ = fs::remove_file(&shot);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/widget/check.mjs");
    let out = Command::new("node")
        .arg(script)
        .arg(&app.base)
        .arg(&shot)
        .arg(chromium())
        .env("PLAYWRIGHT_CORE_FROM", modules.join("playwright-core"))
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "the browser check failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();

    let query = "type=residency,fellowship,travel_grant,project_grant&limit=4";
    for lang in ["sl", "en"] {
        let page = &seen[lang];
        assert_eq!(
            page["errors"],
            serde_json::json!([]),
            "{lang}: no script errors"
        );
        assert_eq!(page["frameworks"], serde_json::json!([]));
        assert_eq!(page["role"], "UL", "a semantic list");
        let expected = app.get_json(&format!("/api/v1/opportunities?{query}&lang={lang}"));
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 4, "{lang}: {page}");
        for (shown, call) in items.iter().zip(expected["items"].as_array().unwrap()) {
            // The link's text is the call's title in the page's language.
            assert_eq!(shown["text"], call["title"]["text"], "{lang}");
            let meta = shown["meta"].as_str().unwrap();
            assert!(meta.contains(call["organization"]["name"].as_str().unwrap()));
            assert!(
                meta.contains(call["names"]["type"].as_str().unwrap()),
                "{meta}"
            );
            // The deadline, in the reader's time zone (New York), as the reader reads it.
            let deadline: DateTime<Utc> = call["deadline"].as_str().unwrap().parse().unwrap();
            assert_eq!(shown["datetime"], call["deadline"]);
            let local = deadline.with_timezone(&chrono_tz::America::New_York);
            let clock = local.format("%H:%M").to_string();
            let time = shown["shown"].as_str().unwrap();
            assert!(
                time.contains(&clock),
                "{lang}: {time} shows {clock} New York time"
            );
            assert!(time.contains(&local.format("%Y").to_string()));
        }
    }
    assert_eq!(seen["sl"]["label"], "Odprti razpisi");
    assert!(
        seen["sl"]["items"][0]["meta"]
            .as_str()
            .unwrap()
            .contains("Rok:")
    );
    assert_eq!(seen["en"]["label"], "Open calls");
    assert!(
        seen["en"]["items"][0]["meta"]
            .as_str()
            .unwrap()
            .contains("Deadline:")
    );
    assert_eq!(
        seen["empty"]["status"],
        "No open calls match this search at the moment."
    );
    // Tracking and cache-busting parameters on a shared link change nothing.
    assert_eq!(seen["tracked"]["errors"], serde_json::json!([]));
    let tracked = app.get_json("/api/v1/opportunities?type=residency&limit=5&lang=en");
    assert_eq!(
        seen["tracked"]["items"].as_array().unwrap().len(),
        tracked["items"].as_array().unwrap().len()
    );
    assert_eq!(
        seen["tracked"]["items"][0]["text"],
        tracked["items"][0]["title"]["text"]
    );
    // A list that cannot load says why, in the page's language, quoting the service.
    let broken = seen["broken"]["status"].as_str().unwrap();
    assert!(
        broken.starts_with("Razpisov ni bilo mogoče naložiti. Imenik sporoča:")
            && broken.contains("colour"),
        "{broken}"
    );
    let png = fs::read(&shot).expect("the screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 5_000,
        "{} bytes",
        png.len()
    );
}
