//! gzip and brotli, as `Accept-Encoding` asks, for the API and the documentation's assets.

use std::io::Read;

use crate::helpers::{
    TestApp, assert_problem, opportunity, organization, spawn_app, spawn_app_with,
};

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip stream");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli_decompressor::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("a brotli stream");
    out
}

fn full_page(cache_mb: usize) -> TestApp {
    let app = spawn_app_with(|s| s.response_cache_mb = cache_mb);
    let org = organization("lumen");
    app.insert_organization(&org);
    for i in 0..40 {
        app.insert(&opportunity(&format!("call-{i:02}"), &org));
    }
    app
}

#[test]
fn the_api_is_compressed_as_the_client_accepts_and_tags_say_how() {
    // Kept answers are compressed once per coding; others as they are sent.
    for cache_mb in [32, 0] {
        compressed_as_accepted(&full_page(cache_mb));
    }
}

fn compressed_as_accepted(app: &TestApp) {
    let path = "/api/v1/opportunities?limit=40";
    let plain = app.get(path);
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("content-encoding"), None);
    let plain_tag = plain.header("etag").unwrap();
    for (coding, decode) in [("gzip", gunzip as fn(&[u8]) -> Vec<u8>), ("br", unbrotli)] {
        let reply = app.request_with("GET", path, &[("accept-encoding", coding)]);
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-encoding").as_deref(), Some(coding));
        let vary = reply.header_values("vary").to_lowercase();
        assert!(vary.contains("accept-encoding"), "{vary}");
        let body = decode(&reply.bytes);
        assert_eq!(body, plain.bytes, "the same JSON");
        assert!(
            reply.bytes.len() * 4 < plain.bytes.len(),
            "{coding}: {} of {} bytes",
            reply.bytes.len(),
            plain.bytes.len()
        );
        // Another coding is another representation; its tag still validates.
        let tag = reply.header("etag").unwrap();
        assert_eq!(
            tag,
            format!("{}-{coding}\"", plain_tag.trim_end_matches('"'))
        );
        let again = app.request_with(
            "GET",
            path,
            &[("accept-encoding", coding), ("if-none-match", &tag)],
        );
        assert_eq!(again.status, 304);
        assert_eq!(again.header("etag").as_deref(), Some(tag.as_str()));
    }
    // The preferred coding wins.
    let both = app.request_with("GET", path, &[("accept-encoding", "gzip;q=0.5, br")]);
    assert_eq!(both.header("content-encoding").as_deref(), Some("br"));
}

#[test]
fn a_version_tag_got_compressed_still_guards_a_change() {
    let app = full_page(32);
    let editor = app.token_for(mobility_directory::domain::vocabulary::Role::Editor);
    let read = app.request_with(
        "GET",
        "/api/v1/organizations/lumen",
        &[("accept-encoding", "gzip")],
    );
    let tag = read.header("etag").unwrap();
    assert_eq!(tag, "\"1-gzip\"");
    let patched = app.json(
        "PATCH",
        "/api/v1/organizations/lumen",
        Some(&editor),
        &serde_json::json!({"city": "Ljubljana"}),
        &[("if-match", tag.as_str())],
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    let stale = app.json(
        "PATCH",
        "/api/v1/organizations/lumen",
        Some(&editor),
        &serde_json::json!({"city": "Maribor"}),
        &[("if-match", tag.as_str())],
    );
    assert_eq!(stale.status, 412);
}

#[test]
fn the_documentation_assets_are_compressed_too() {
    let app = spawn_app();
    for path in [
        "/docs/",
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-ui.css",
        "/openapi.json",
    ] {
        let plain = app.get(path);
        assert_eq!(plain.status, 200, "{path}");
        let reply = app.request_with("GET", path, &[("accept-encoding", "br")]);
        assert_eq!(
            reply.header("content-encoding").as_deref(),
            Some("br"),
            "{path}"
        );
        assert_eq!(unbrotli(&reply.bytes), plain.bytes, "{path}");
        assert!(reply.bytes.len() < plain.bytes.len(), "{path}");
    }
}

#[test]
fn an_accept_encoding_that_refuses_every_coding_is_a_problem() {
    let app = spawn_app();
    let reply = app.request_with(
        "GET",
        "/api/v1/taxonomies",
        &[("accept-encoding", "identity;q=0, *;q=0")],
    );
    assert_problem(&reply, 406);
    // Unknown codings alone fall back to none.
    let reply = app.request_with(
        "GET",
        "/api/v1/taxonomies",
        &[("accept-encoding", "x-unknown")],
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-encoding"), None);
}
