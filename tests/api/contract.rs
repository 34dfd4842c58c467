//! The OpenAPI contract: committed, served, and in step with the code.

use crate::helpers::spawn_app;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn the_committed_document_matches_the_code() {
    let generated = mobility_directory::openapi::document_json();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is out of date; regenerate it with\n    cargo run -- openapi > openapi/openapi.json"
    );
}

#[test]
fn the_served_document_is_the_committed_one() {
    let app = spawn_app();
    let served = app.get_json("/openapi.json");
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(served, committed);
    assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[test]
fn every_operation_documents_its_error_statuses_as_problems() {
    let doc: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/api/v1/opportunities",
        "/api/v1/opportunities/{id_or_slug}",
        "/api/v1/organizations",
        "/api/v1/organizations/{id_or_slug}",
        "/api/v1/taxonomies",
        "/api/v1/taxonomies/{name}",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(expected), "{expected} is documented");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path} documents success"
            );
            for (status, response) in responses {
                if status == "304" {
                    assert!(response.get("content").is_none(), "a 304 has no body");
                    continue;
                }
                let content = response["content"]
                    .as_object()
                    .unwrap_or_else(|| panic!("{method} {path} {status} has a body"));
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        content.contains_key("application/problem+json"),
                        "{method} {path} {status}"
                    );
                }
            }
            if path.starts_with("/api/v1/") {
                assert!(
                    responses.contains_key("400"),
                    "{method} {path} documents 400"
                );
            }
            if path.contains('{') {
                assert!(
                    responses.contains_key("404"),
                    "{method} {path} documents 404"
                );
            }
        }
    }
}

#[test]
fn swagger_ui_is_served_offline_at_docs() {
    let app = spawn_app();
    let redirect = app.get("/docs");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location").as_deref(), Some("/docs/"));
    let page = app.get("/docs/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("swagger-ui"),
        "{}",
        &page.body[..page.body.len().min(300)]
    );
    let config = app.get("/docs/swagger-initializer.js");
    assert_eq!(config.status, 200);
    assert!(config.body.contains("/openapi.json"));
    let bundle = app.get("/docs/swagger-ui-bundle.js");
    assert_eq!(
        bundle.status, 200,
        "the UI's script is vendored in the binary"
    );
    assert!(bundle.body.len() > 100_000);
}

#[test]
fn every_schema_reference_resolves() {
    let doc: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut missing = Vec::new();
    for part in COMMITTED.split("\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        if !schemas.contains_key(name) {
            missing.push(name.to_owned());
        }
    }
    assert!(missing.is_empty(), "dangling references: {missing:?}");
}

#[test]
fn every_staff_operation_declares_bearer_security_and_public_ones_do_not() {
    let doc: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let public = [
        ("get", "/api/v1/opportunities"),
        ("get", "/api/v1/opportunities/{id_or_slug}"),
        ("get", "/api/v1/organizations"),
        ("get", "/api/v1/organizations/{id_or_slug}"),
        ("get", "/api/v1/taxonomies"),
        ("get", "/api/v1/taxonomies/{name}"),
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/submissions"),
        ("get", "/healthz"),
        ("get", "/readyz"),
    ];
    let mut protected = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let secured = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            let is_public = public.contains(&(method.as_str(), path.as_str()));
            assert_eq!(secured, !is_public, "{method} {path}");
            protected += usize::from(secured);
        }
    }
    assert!(protected >= 20, "{protected} protected operations");
}
