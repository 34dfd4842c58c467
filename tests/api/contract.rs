//! The OpenAPI contract: committed, served, and in step with the code.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use mobility_directory::domain::vocabulary::Role;

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
                if status == "304" || status == "204" {
                    assert!(response.get("content").is_none(), "a {status} has no body");
                    continue;
                }
                if status == "202" && response.get("content").is_none() {
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
        ("get", "/api/v1/opportunities.atom"),
        ("get", "/api/v1/opportunities.ics"),
        ("get", "/api/v1/opportunities.csv"),
        ("get", "/api/v1/dataset"),
        ("get", "/api/v1/changes"),
        ("get", "/widget.js"),
        ("post", "/api/v1/auth/token"),
        ("post", "/api/v1/submissions"),
        ("get", "/healthz"),
        ("get", "/readyz"),
    ];
    let mut protected = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let security = op["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path} declares its security"));
            let secured = security.iter().any(|r| r.get("bearer").is_some());
            let is_public = public.contains(&(method.as_str(), path.as_str()));
            assert_eq!(secured, !is_public, "{method} {path}");
            if is_public && path.starts_with("/api/") {
                // A partner's key is honoured (optionally) by every public API operation,
                // so generated clients offer `X-API-Key`.
                assert_eq!(
                    op["security"],
                    serde_json::json!([{}, {"partner_key": []}]),
                    "{method} {path}"
                );
            } else if is_public {
                assert!(security.is_empty(), "{method} {path}: `security: []`");
            }
            protected += usize::from(secured);
        }
    }
    assert!(protected >= 20, "{protected} protected operations");
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            all.push((method.clone(), path.clone(), op));
        }
    }
    all
}

#[test]
fn every_error_answer_references_one_problem_schema_with_an_example_of_its_status() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    assert!(
        doc["components"]["schemas"]["Problem"]["properties"]["type"].is_object(),
        "the one Problem schema"
    );
    assert!(doc["components"]["schemas"]["Problem"]["example"].is_null());
    let mut examples: HashMap<String, Value> = HashMap::new();
    for (method, path, op) in operations(&doc) {
        for (status, response) in op["responses"].as_object().unwrap() {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            let content = response["content"].as_object().unwrap();
            assert_eq!(content.len(), 1, "{method} {path} {status}");
            let problem = &content["application/problem+json"];
            assert_eq!(
                problem["schema"],
                serde_json::json!({"$ref": "#/components/schemas/Problem"}),
                "{method} {path} {status} references the schema"
            );
            let example = &problem["example"];
            assert_eq!(
                example["status"].as_u64().map(|s| s.to_string()).as_deref(),
                Some(status.as_str()),
                "{method} {path} {status}: an example of its own status"
            );
            assert!(
                example["type"]
                    .as_str()
                    .unwrap()
                    .starts_with("urn:mobility-directory:problem:")
            );
            examples.insert(status.clone(), example.clone());
        }
    }
    let distinct: BTreeSet<String> = examples.values().map(|e| e["type"].to_string()).collect();
    assert_eq!(
        distinct.len(),
        examples.len(),
        "one problem type per status: {examples:?}"
    );
    assert!(examples.len() >= 12, "{:?}", examples.keys());
}

#[test]
fn tags_are_declared_and_a_server_is_named() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let declared: BTreeSet<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert!(t["description"].is_string());
            t["name"].as_str().unwrap()
        })
        .collect();
    for (method, path, op) in operations(&doc) {
        let tags = op["tags"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} has tags"));
        for tag in tags {
            assert!(
                declared.contains(tag.as_str().unwrap()),
                "{method} {path}: {tag}"
            );
        }
    }
    assert!(declared.contains("curation") && declared.contains("submissions"));
    assert_eq!(doc["servers"][0]["url"], "/");
}

/// A property's description, beside a reference or on its first `oneOf` branch (where the
/// generator puts it for optional references).
fn described(property: &Value) -> bool {
    property.get("description").is_some()
        || property["oneOf"]
            .as_array()
            .is_some_and(|branches| branches.iter().any(|b| b.get("description").is_some()))
}

#[test]
fn every_property_has_a_description() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let mut undescribed = Vec::new();
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        let branches = schema["oneOf"].as_array().cloned().unwrap_or_default();
        for part in std::iter::once(schema).chain(branches.iter()) {
            for (property, value) in part["properties"].as_object().into_iter().flatten() {
                if !described(value) {
                    undescribed.push(format!("{name}.{property}"));
                }
            }
        }
    }
    assert!(
        undescribed.is_empty(),
        "{} undescribed: {undescribed:?}",
        undescribed.len()
    );
}

/// A query parameter's example as Swagger UI's "Try it out" sends it (`style: form`,
/// exploded: an array is the parameter repeated).
fn as_query(name: &str, example: &Value) -> Vec<String> {
    let encode = |v: &Value| {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
    };
    match example {
        Value::Array(items) => items
            .iter()
            .map(|i| format!("{name}={}", encode(i)))
            .collect(),
        single => vec![format!("{name}={}", encode(single))],
    }
}

#[test]
fn every_example_of_a_read_operation_can_be_sent_as_it_is() {
    let app = spawn_app();
    let mut conn = app.pool.get().unwrap();
    mobility_directory::demo::load(&mut conn, chrono::Utc::now()).unwrap();
    let admin = app.token_for(Role::Admin);
    // Partners and endpoints have ids the server makes, which no example can know: the
    // examples of their path parameters stand for the ones made here.
    let partner = app
        .json(
            "POST",
            "/api/v1/partners",
            Some(&admin),
            &serde_json::json!({"name": "Partner"}),
            &[],
        )
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let endpoint = app
        .json(
            "POST",
            &format!("/api/v1/partners/{partner}/endpoints"),
            Some(&admin),
            &serde_json::json!({"url": "http://127.0.0.1:9/hook", "event_types": ["opportunity.published"]}),
            &[],
        )
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let mut sent = 0;
    for (method, path, op) in operations(&doc) {
        if method != "get" {
            continue;
        }
        let mut target = path.clone();
        let mut query = Vec::new();
        for parameter in op["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap();
            let example = parameter.get("example");
            let is_array = parameter["schema"]["type"] == "array";
            if let Some(example) = example {
                assert_eq!(example.is_array(), is_array, "{path} {name}: {example}");
            }
            match (parameter["in"].as_str().unwrap(), example) {
                ("path", Some(Value::String(value))) => {
                    target = target.replace(&format!("{{{name}}}"), value);
                }
                ("path", _) => panic!("{path}: path parameter {name} has an example"),
                ("query", Some(example)) => query.extend(as_query(name, example)),
                _ => {}
            }
        }
        if path.starts_with("/api/v1/partners/") {
            let ids: Vec<&str> = path.split('/').collect();
            let examples: Vec<String> = target.split('/').map(str::to_owned).collect();
            target = ids
                .iter()
                .zip(&examples)
                .map(|(template, example)| match *template {
                    "{id}" => partner.clone(),
                    "{endpoint}" => endpoint.clone(),
                    _ => example.clone(),
                })
                .collect::<Vec<_>>()
                .join("/");
        }
        if !query.is_empty() {
            target = format!("{target}?{}", query.join("&"));
        }
        let reply = app.get_as(&target, &admin);
        assert_eq!(reply.status, 200, "GET {target}: {}", reply.body);
        sent += 1;
        // The list's examples hold together in every format `Accept` can ask for.
        if path == "/api/v1/opportunities" {
            for format in ["application/atom+xml", "text/calendar", "text/csv"] {
                let reply = app.request_with("GET", &target, &[("accept", format)]);
                assert_eq!(
                    reply.status, 200,
                    "GET {target} as {format}: {}",
                    reply.body
                );
                assert!(reply.header("content-type").unwrap().starts_with(format));
            }
        }
    }
    assert!(sent >= 10, "{sent} read operations sent");
}
