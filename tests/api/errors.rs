//! Every error is RFC 9457 problem+json that names what is wrong.

use crate::helpers::{assert_problem, spawn_app};

fn named(body: &serde_json::Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn unknown_and_malformed_parameters_are_each_named() {
    let app = spawn_app();
    let cases = [
        ("colour=red", "colour"),
        ("type=castle", "type"),
        ("discipline=juggling", "discipline"),
        ("covers=yacht", "covers"),
        ("eligible_country=ZZ", "eligible_country"),
        ("nationality=europe", "nationality"),
        ("residence=1", "residence"),
        ("destination_country=", "destination_country"),
        ("deadline_after=tomorrow", "deadline_after"),
        ("deadline_before=2027-13-01", "deadline_before"),
        ("status=pending", "status"),
        ("free_to_apply=yes", "free_to_apply"),
        ("min_amount=-5", "min_amount"),
        ("min_amount=99999999999999999999", "min_amount"),
        ("career_stage=student", "career_stage"),
        ("organization=", "organization"),
        ("organization=a%20b", "organization"),
        ("updated_since=0", "updated_since"),
        ("sort=random", "sort"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("cursor=%%%", "cursor"),
        ("limit=5&limit=6", "limit"),
    ];
    for (query, name) in cases {
        let body = assert_problem(&app.get(&format!("/api/v1/opportunities?{query}")), 400);
        assert_eq!(named(&body), vec![name], "query `{query}`");
    }
    let body = assert_problem(
        &app.get("/api/v1/opportunities?colour=red&type=castle&limit=0"),
        400,
    );
    assert_eq!(named(&body), vec!["colour", "type", "limit"]);
}

#[test]
fn other_operations_reject_unknown_parameters_too() {
    let app = spawn_app();
    for path in [
        "/api/v1/opportunities/x?colour=red",
        "/api/v1/organizations?colour=red",
        "/api/v1/organizations?country=XX",
        "/api/v1/organizations?kind=castle",
        "/api/v1/organizations/x?lang=en",
        "/api/v1/taxonomies?lang=en",
        "/api/v1/taxonomies/disciplines?lang=en",
    ] {
        assert_problem(&app.get(path), 400);
    }
}

#[test]
fn public_reads_ignore_tracking_and_cache_busting_parameters_and_nothing_else() {
    let app = spawn_app();
    let mut conn = app.pool.get().unwrap();
    mobility_directory::demo::load(&mut conn, chrono::Utc::now()).unwrap();
    drop(conn);
    let tracking = "utm_source=newsletter&utm_medium=email&utm_campaign=spring&utm_content=a&utm_term=b&utm_id=7&fbclid=IwAR0xyz&gclid=Cj0KCQ&_=1733300000000";
    for path in [
        "/api/v1/opportunities?type=residency&limit=3",
        "/api/v1/opportunities.atom?type=residency&limit=3",
        "/api/v1/opportunities.ics?type=residency&limit=3",
        "/api/v1/opportunities.csv?type=residency&limit=3",
        "/api/v1/opportunities/castile-ceramics-residency?lang=sl",
        "/api/v1/organizations?limit=2",
        "/api/v1/organizations/meseta-creative-fund",
        "/api/v1/taxonomies",
        "/api/v1/taxonomies/disciplines",
        "/api/v1/dataset",
        "/api/v1/changes?limit=2",
        "/widget.js",
    ] {
        let plain = app.get(path);
        assert_eq!(plain.status, 200, "{path}: {}", plain.body);
        let separator = if path.contains('?') { '&' } else { '?' };
        let tracked = app.get(&format!("{path}{separator}{tracking}"));
        assert_eq!(
            tracked.status, 200,
            "{path} with tracking: {}",
            tracked.body
        );
        assert_eq!(tracked.header("content-type"), plain.header("content-type"));
        // Lists and feeds repeat their own query in their links; everything else is the
        // same representation.
        let echoes_query = path.contains("opportunities?")
            || path.contains("opportunities.")
            || path.contains("organizations?");
        if !echoes_query {
            assert_eq!(tracked.header("etag"), plain.header("etag"), "{path}");
        } else if path.contains("opportunities?") {
            assert_eq!(tracked.json()["items"], plain.json()["items"], "{path}");
        }
    }
    // Look-alikes and every other unknown parameter are still refused, by name.
    for name in ["utm", "utmsource", "fbclid2", "__", "gclid_"] {
        let reply = app.get(&format!("/api/v1/opportunities?{name}=1&utm_source=x"));
        let problem = assert_problem(&reply, 400);
        assert_eq!(named(&problem), vec![name.to_owned()], "{problem}");
    }
    // Staff operations are not public reads: they name every parameter they do not take.
    let editor = app.token_for(mobility_directory::domain::vocabulary::Role::Editor);
    let staff = app.get_as("/api/v1/staff/opportunities?utm_source=x", &editor);
    assert_eq!(named(&assert_problem(&staff, 400)), vec!["utm_source"]);
}

#[test]
fn unknown_ids_routes_and_methods_get_their_status() {
    let app = spawn_app();
    assert_problem(&app.get("/api/v1/opportunities/no-such-call"), 404);
    assert_problem(
        &app.get("/api/v1/opportunities/01a211dd-4e84-7014-bf37-9a0e29f2c6b9"),
        404,
    );
    assert_problem(&app.get("/api/v1/organizations/no-such-org"), 404);
    assert_problem(&app.get("/api/v1/taxonomies/colours"), 404);
    assert_problem(&app.get("/api/v1/nothing-here"), 404);
    assert_problem(&app.get("/api/v2/opportunities"), 404);
    assert_problem(&app.get("/api/v1/opportunities/"), 404);
    assert_problem(&app.get("/api/v1/opportunities/%FF%FE"), 404);
    for (method, path, allow) in [
        ("PUT", "/api/v1/opportunities", "GET, HEAD, POST"),
        (
            "POST",
            "/api/v1/opportunities/some-slug",
            "GET, HEAD, PUT, PATCH, DELETE",
        ),
        ("DELETE", "/api/v1/auth/token", "POST"),
        ("HEAD", "/api/v1/auth/token", "POST"),
        ("PATCH", "/api/v1/taxonomies/disciplines", "GET, HEAD"),
        ("POST", "/healthz", "GET, HEAD"),
    ] {
        let reply = app.request(method, path);
        if method == "HEAD" {
            assert_eq!(reply.status, 405);
            assert_eq!(reply.body, "");
        } else {
            assert_problem(&reply, 405);
        }
        let mut got: Vec<String> = reply
            .header("allow")
            .unwrap()
            .split(", ")
            .map(str::to_owned)
            .collect();
        let mut want: Vec<String> = allow.split(", ").map(str::to_owned).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{method} {path}");
    }
}

#[test]
fn head_answers_like_get_without_a_body() {
    let app = spawn_app();
    for path in [
        "/api/v1/opportunities?limit=2",
        "/api/v1/organizations",
        "/api/v1/taxonomies/disciplines",
        "/healthz",
        "/openapi.json",
    ] {
        let get = app.get(path);
        let head = app.request("HEAD", path);
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert_eq!(head.body, "", "HEAD {path} has no body");
        assert_eq!(
            head.header("content-type"),
            get.header("content-type"),
            "HEAD {path}"
        );
        assert_eq!(
            head.header("content-length"),
            Some(get.body.len().to_string()),
            "HEAD {path} announces the GET body's length"
        );
    }
    let missing = app.request("HEAD", "/api/v1/opportunities/no-such-call");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type").as_deref(),
        Some("application/problem+json")
    );
}

#[test]
fn every_response_carries_a_request_id() {
    let app = spawn_app();
    let ok = app.get("/healthz");
    let missing = app.get("/nowhere");
    let a = ok.header("x-request-id").expect("x-request-id on success");
    let b = missing
        .header("x-request-id")
        .expect("x-request-id on errors");
    assert_ne!(a, b);
    assert!(uuid::Uuid::parse_str(&a).is_ok());
}

#[test]
fn nul_characters_are_refused_everywhere_not_crashes() {
    let app = spawn_app();
    let body = assert_problem(&app.get("/api/v1/opportunities?organization=%0C%00"), 400);
    assert_eq!(named(&body), vec!["organization"]);
    assert_problem(&app.get("/api/v1/opportunities/abc%00def"), 404);
    assert_problem(&app.get("/api/v1/organizations/%00"), 404);
    let reply = app.json(
        "POST",
        "/api/v1/auth/token",
        None,
        &serde_json::json!({"email": "a\u{0}b@example.org", "password": "x"}),
        &[],
    );
    assert_problem(&reply, 422);
}

/// Sends raw bytes and reads the whole answer (the server closes after a parse error).
fn raw(app: &crate::helpers::TestApp, request: &[u8]) -> (u16, String, String) {
    use std::io::{Read, Write};
    let address = app.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    // The server may answer and close before it has read everything.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"));
    (status, head.to_ascii_lowercase(), body.to_owned())
}

#[test]
fn requests_the_http_parser_refuses_get_problem_documents() {
    let app = spawn_app();
    let big_header = format!(
        "GET /api/v1/opportunities HTTP/1.1\r\nhost: x\r\nx-padding: {}\r\n\r\n",
        "a".repeat(140 * 1024)
    );
    let long_target = format!(
        "GET /api/v1/opportunities?status={} HTTP/1.1\r\nhost: x\r\n\r\n",
        "open,".repeat(30_000)
    );
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "a malformed Content-Length",
            b"POST /api/v1/auth/token HTTP/1.1\r\nhost: x\r\ncontent-length: twelve\r\n\r\n".to_vec(),
            400,
        ),
        (
            "two different Content-Lengths",
            b"POST /api/v1/auth/token HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}".to_vec(),
            400,
        ),
        (
            "bytes that are not UTF-8 in the request target",
            b"GET /api/v1/opportunities/\xff\xfe HTTP/1.1\r\nhost: x\r\n\r\n".to_vec(),
            400,
        ),
        ("headers larger than the parser reads", big_header.into_bytes(), 431),
        ("a request target of 150 KB", long_target.into_bytes(), 431),
    ];
    for (what, request, status) in cases {
        let (got, head, body) = raw(&app, &request);
        assert_eq!(got, status, "{what}: {head}\n{body}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{what}: {head}"
        );
        let problem: serde_json::Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{what}: not a problem document ({e}): {body:?}"));
        assert_eq!(problem["status"], status, "{what}");
    }
    assert_eq!(app.get("/healthz").status, 200, "the server keeps serving");
}
