//! Staff writes: validation, If-Match, the review workflow, revisions and duplicates.

use serde_json::{Value, json};

use mobility_directory::domain::vocabulary::Role;

use crate::helpers::{Reply, TestApp, organization, spawn_app};

pub fn valid_input(org: &str, title: &str) -> Value {
    json!({
        "type": "residency",
        "organization": org,
        "title": {"en": title, "sl": format!("{title} (sl)")},
        "summary": {"en": "A summary.", "sl": "Povzetek."},
        "disciplines": ["visual_arts", "crafts"],
        "destination": {"countries": ["SI"], "city": "Ljubljana"},
        "eligibility": {"nationalities": ["eu"], "career_stage": "emerging", "age_max": 35},
        "opens_at": "2026-01-01T00:00:00Z",
        "deadline": "2099-03-01T23:59:00+01:00",
        "deadline_timezone": "Europe/Ljubljana",
        "funding": {"min": 1000, "max": 3000, "currency": "EUR"},
        "covered_costs": ["travel", "accommodation"],
        "application_url": "https://example.org/apply",
        "source_url": format!("https://example.org/calls/{}", title.to_lowercase().replace(' ', "-")),
        "contact_email": "calls@example.org",
        "languages": ["en", "sl"]
    })
}

pub fn with_org(app: &TestApp, slug: &str) {
    app.insert_organization(&organization(slug));
}

pub fn create(app: &TestApp, token: &str, body: &Value) -> Reply {
    app.json("POST", "/api/v1/opportunities", Some(token), body, &[])
}

fn etag(reply: &Reply) -> String {
    reply.header("etag").expect("an ETag")
}

fn names(reply: &Reply) -> Vec<String> {
    reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_created_entry_is_a_draft_that_the_public_cannot_see() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let created = create(&app, &editor, &valid_input("lumen", "Lumen Residency"));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(etag(&created), "\"1\"");
    let body = created.json();
    assert_eq!(body["workflow"]["state"], "draft");
    assert_eq!(body["entry"]["slug"], "lumen-residency");
    assert_eq!(body["entry"]["deadline"], "2099-03-01T22:59:00Z");
    let location = created.header("location").unwrap();
    assert_eq!(app.get_as(&location, &editor).status, 200);
    assert_eq!(
        app.get("/api/v1/opportunities/lumen-residency").status,
        404,
        "a draft is 404 to the public"
    );
    assert!(app.slugs("").is_empty());
}

#[test]
fn invalid_entries_get_422_naming_every_field() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let mut body = valid_input("lumen", "Broken");
    let o = body.as_object_mut().unwrap();
    o.insert("type".into(), json!("castle"));
    o.insert("id".into(), json!("01a20000-0000-7000-8000-000000000000"));
    o.insert("status".into(), json!("open"));
    o.insert("version".into(), json!(7));
    o.insert("created_at".into(), json!("2020-01-01T00:00:00Z"));
    o.insert("opens_at".into(), json!("2099-06-01T00:00:00Z"));
    o.insert("destination".into(), json!({"countries": ["SI", "ZZ"]}));
    o.insert(
        "funding".into(),
        json!({"min": 5000, "max": 100, "currency": "EURO"}),
    );
    o.insert("application_url".into(), json!("javascript:alert(1)"));
    o.insert("contact_email".into(), json!("not-an-email"));
    o.insert("summary".into(), json!({"en": "x".repeat(1001)}));
    o.insert("disciplines".into(), json!(["visual_arts", "juggling"]));
    let reply = create(&app, &editor, &body);
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let mut got = names(&reply);
    got.sort();
    let mut want = vec![
        "/id",
        "/status",
        "/version",
        "/created_at",
        "/type",
        "/summary/en",
        "/disciplines/1",
        "/destination/countries/1",
        "/deadline",
        "/funding/min",
        "/funding/currency",
        "/application_url",
        "/contact_email",
    ];
    want.sort();
    assert_eq!(got, want);

    // A URL whose encoded form is too long to index is refused, not a server error.
    let mut long_url = valid_input("lumen", "Long URL");
    long_url["source_url"] = json!(format!("https://example.org/{}", "ž".repeat(900)));
    let refused = create(&app, &editor, &long_url);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(names(&refused), vec!["/source_url"]);

    let no_title = create(
        &app,
        &editor,
        &json!({"type": "award", "organization": "lumen", "title": {}, "rolling": true}),
    );
    assert_eq!(names(&no_title), vec!["/title"]);
    let no_org = create(
        &app,
        &editor,
        &json!({"type": "award", "organization": "nobody", "title": {"en": "X"}, "rolling": true}),
    );
    assert_eq!(no_org.status, 422);
    assert_eq!(names(&no_org), vec!["/organization"]);
    let malformed = app.send(
        "POST",
        "/api/v1/opportunities",
        &[
            ("authorization", &format!("Bearer {editor}")),
            ("content-type", "application/json"),
        ],
        Some(b"{\"type\": "),
    );
    assert_eq!(malformed.status, 400);
    assert_eq!(
        malformed.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let huge = format!("{{\"type\": \"{}\"}}", "x".repeat(300 * 1024));
    let too_big = app.send(
        "POST",
        "/api/v1/opportunities",
        &[
            ("authorization", &format!("Bearer {editor}")),
            ("content-type", "application/json"),
        ],
        Some(huge.as_bytes()),
    );
    assert_eq!(too_big.status, 413);
    assert_eq!(
        too_big.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let huger = vec![b' '; 6 * 1024 * 1024];
    let way_too_big = app.send(
        "POST",
        "/api/v1/opportunities",
        &[
            ("authorization", &format!("Bearer {editor}")),
            ("content-type", "application/json"),
        ],
        Some(&huger),
    );
    assert_eq!(way_too_big.status, 413);
    assert_eq!(
        way_too_big.header("content-type").as_deref(),
        Some("application/problem+json")
    );
}

#[test]
fn changes_need_the_current_etag_so_no_edit_is_lost() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let created = create(&app, &editor, &valid_input("lumen", "Guarded Call"));
    let path = "/api/v1/opportunities/guarded-call";
    let body = valid_input("lumen", "Guarded Call");

    assert_eq!(app.json("PUT", path, Some(&editor), &body, &[]).status, 428);
    assert_eq!(
        app.json("PATCH", path, Some(&editor), &json!({"rolling": true}), &[])
            .status,
        428
    );
    assert_eq!(
        app.request_with(
            "DELETE",
            path,
            &[("authorization", &format!("Bearer {editor}"))]
        )
        .status,
        428
    );

    let first = etag(&created);
    let put = app.json("PUT", path, Some(&editor), &body, &[("if-match", &first)]);
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(etag(&put), "\"2\"");
    // A second writer still holding version 1 is refused.
    let stale = app.json(
        "PATCH",
        path,
        Some(&editor),
        &json!({"deadline": "2099-04-01T23:59:00+02:00"}),
        &[("if-match", &first)],
    );
    assert_eq!(stale.status, 412);

    let patched = app.json(
        "PATCH",
        path,
        Some(&editor),
        &json!({"deadline": "2099-04-01T23:59:00+02:00", "summary": null, "funding": {"max": 4000}}),
        &[("if-match", "\"2\"")],
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    let entry = &patched.json()["entry"];
    assert_eq!(entry["deadline"], "2099-04-01T21:59:00Z");
    assert!(entry["summary"]["en"].is_null());
    assert_eq!(
        entry["funding"],
        json!({"min": 1000, "max": 4000, "currency": "EUR"})
    );
    assert_eq!(
        entry["title"]["en"], "Guarded Call",
        "untouched fields stay"
    );
    let bad_patch = app.json(
        "PATCH",
        path,
        Some(&editor),
        &json!({"funding": {"min": 9000}}),
        &[("if-match", "\"3\"")],
    );
    assert_eq!(bad_patch.status, 422);
    assert_eq!(names(&bad_patch), vec!["/funding/min"]);
    // Clearing a member the operation does not know is refused, not silently accepted.
    let unknown_cleared = app.json(
        "PATCH",
        path,
        Some(&editor),
        &json!({"": null, "eligibility": {"bogus": null}}),
        &[("if-match", "\"3\"")],
    );
    assert_eq!(unknown_cleared.status, 422, "{}", unknown_cleared.body);
    let mut got = names(&unknown_cleared);
    got.sort();
    assert_eq!(got, vec!["/", "/eligibility/bogus"]);

    let withdrawn = app.request_with(
        "DELETE",
        path,
        &[
            ("authorization", &format!("Bearer {editor}")),
            ("if-match", "\"3\""),
        ],
    );
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(withdrawn.json()["workflow"]["state"], "withdrawn");
    let kept = app.get_as("/api/v1/staff/opportunities/guarded-call", &editor);
    assert_eq!(kept.status, 200, "a withdrawn entry is kept");
    assert_eq!(kept.json()["workflow"]["state"], "withdrawn");
    assert_eq!(
        app.get(path).status,
        404,
        "an entry never published stays unknown to the public when withdrawn"
    );
}

#[test]
fn the_review_workflow_moves_entries_and_checks_roles() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let contributor = app.token_for(Role::Contributor);
    let other = app.token_for(Role::Contributor);
    let editor = app.token_for(Role::Editor);
    assert_eq!(
        create(&app, &contributor, &valid_input("lumen", "Proposed Call")).status,
        201
    );
    let path = "/api/v1/opportunities/proposed-call";
    let post = |token: &str, action: &str, body: Option<Value>| match body {
        Some(b) => app.json("POST", &format!("{path}/{action}"), Some(token), &b, &[]),
        None => app.send(
            "POST",
            &format!("{path}/{action}"),
            &[("authorization", &format!("Bearer {token}"))],
            None,
        ),
    };

    assert_eq!(
        app.get_as("/api/v1/staff/opportunities/proposed-call", &other)
            .status,
        404,
        "another contributor's draft"
    );
    assert_eq!(post(&other, "submit", None).status, 404);
    assert_eq!(post(&contributor, "publish", None).status, 403);
    let submitted = post(&contributor, "submit", None);
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    assert_eq!(submitted.json()["workflow"]["state"], "in_review");
    assert_eq!(
        app.json(
            "PATCH",
            path,
            Some(&contributor),
            &json!({"rolling": true}),
            &[("if-match", &etag(&submitted))]
        )
        .status,
        403,
        "in review, the contributor's entry is locked"
    );
    let queue = app
        .get_as("/api/v1/staff/opportunities?state=in_review", &editor)
        .json();
    assert_eq!(queue["total"], 1);
    assert_eq!(
        post(&editor, "reject", Some(json!({}))).status,
        422,
        "a rejection needs a reason"
    );
    let rejected = post(
        &editor,
        "reject",
        Some(json!({"reason": "Please add the fee."})),
    );
    assert_eq!(rejected.status, 200);
    assert_eq!(rejected.json()["workflow"]["state"], "draft");
    assert_eq!(
        rejected.json()["workflow"]["rejection_reason"],
        "Please add the fee."
    );
    let fixed = app.json(
        "PATCH",
        path,
        Some(&contributor),
        &json!({"application_fee": {"amount": 10, "currency": "EUR"}}),
        &[("if-match", &etag(&rejected))],
    );
    assert_eq!(fixed.status, 200, "{}", fixed.body);
    assert_eq!(post(&contributor, "submit", None).status, 200);
    assert_eq!(
        post(&editor, "archive", None).status,
        409,
        "only published entries are archived"
    );
    let published = post(&editor, "publish", None);
    assert_eq!(published.status, 200);
    assert!(published.json()["entry"]["published_at"].is_string());
    assert_eq!(app.get("/api/v1/opportunities/proposed-call").status, 200);
    assert_eq!(app.slugs(""), vec!["proposed-call"]);
    assert_eq!(post(&editor, "archive", None).status, 200);
    let gone = app.get("/api/v1/opportunities/proposed-call");
    assert_eq!(gone.status, 410, "a published entry, archived, is gone");
    assert_eq!(gone.json()["type"], "urn:mobility-directory:problem:gone");
    assert_eq!(app.slugs(""), Vec::<String>::new());
    let mine = app
        .get_as("/api/v1/staff/opportunities", &contributor)
        .json();
    assert_eq!(mine["total"], 1);
    assert_eq!(
        app.get_as("/api/v1/staff/opportunities", &other).json()["total"],
        0
    );
    let archived = app.get_as("/api/v1/staff/opportunities/proposed-call", &editor);
    let withdrawn = app.request_with(
        "DELETE",
        path,
        &[
            ("authorization", &format!("Bearer {editor}")),
            ("if-match", &etag(&archived)),
        ],
    );
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(
        app.get(path).status,
        410,
        "a published entry, withdrawn, is gone too"
    );
    let changed = app.json(
        "PATCH",
        path,
        Some(&editor),
        &json!({"rolling": true}),
        &[("if-match", "*")],
    );
    assert_eq!(
        changed.status, 409,
        "a withdrawn entry cannot be changed: {}",
        changed.body
    );
}

#[test]
fn every_change_is_in_the_history_and_the_public_sees_changes_after_publication() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    create(&app, &editor, &valid_input("lumen", "Tracked Call"));
    let path = "/api/v1/opportunities/tracked-call";
    let published = app.send(
        "POST",
        &format!("{path}/publish"),
        &[("authorization", &format!("Bearer {editor}"))],
        None,
    );
    assert_eq!(published.status, 200);
    let before = app.get(path);
    assert_eq!(before.json()["changes"], json!([]));
    let moved = app.json(
        "PATCH",
        path,
        Some(&editor),
        &json!({"deadline": "2099-03-15T23:59:00+01:00", "summary": {"en": "Better."}}),
        &[("if-match", &etag(&published))],
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    let public = app.get(path);
    assert_ne!(public.header("etag"), before.header("etag"));
    let changes = public.json()["changes"].clone();
    assert_eq!(
        changes.as_array().unwrap().len(),
        1,
        "only notable fields: {changes}"
    );
    assert_eq!(changes[0]["field"], "deadline");
    assert!(
        changes[0]["from"]
            .as_str()
            .unwrap()
            .starts_with("2099-03-01T23:59:00+01:00")
    );
    assert!(
        changes[0]["to"]
            .as_str()
            .unwrap()
            .starts_with("2099-03-15T23:59:00+01:00")
    );

    let history = app.get_as(&format!("{path}/revisions"), &editor).json();
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["created", "published", "updated"]);
    let update = &history["items"][2];
    let fields: Vec<&str> = update["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["summary.en", "deadline"]);
    assert!(update["actor_id"].is_string());
    assert_eq!(update["version"], 3);
    assert_eq!(app.get(&format!("{path}/revisions")).status, 401);
}

#[test]
fn the_same_source_url_is_a_conflict_and_similar_titles_are_flagged() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let mut first = valid_input("lumen", "Polar Night Residency 2027");
    first["source_url"] = json!("https://Example.org/calls/polar/?utm_source=x");
    let created = create(&app, &editor, &first);
    assert_eq!(created.status, 201, "{}", created.body);

    let mut same_page = valid_input("lumen", "Something Else Entirely");
    same_page["source_url"] = json!("http://example.org:80/calls/polar#apply");
    let conflict = create(&app, &editor, &same_page);
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    assert_eq!(
        conflict.json()["existing"]["slug"],
        "polar-night-residency-2027"
    );

    let mut similar = valid_input("lumen", "Polar Night Residency, 2027!");
    similar["slug"] = json!("polar-night-again");
    let flagged = create(&app, &editor, &similar);
    assert_eq!(flagged.status, 201, "similar titles are accepted");
    let duplicates = flagged.json()["possible_duplicates"].clone();
    assert_eq!(duplicates[0]["slug"], "polar-night-residency-2027");
    assert!(duplicates[0]["similarity"].as_f64().unwrap() >= 0.85);
    let report = app.get_as("/api/v1/staff/duplicates", &editor).json();
    assert_eq!(report["items"].as_array().unwrap().len(), 1);

    let mut same_slug = valid_input("lumen", "Polar Night Residency 2027");
    same_slug["source_url"] = json!("https://example.org/other");
    assert_eq!(
        create(&app, &editor, &same_slug).status,
        409,
        "the slug is taken"
    );
}

#[test]
fn organizations_are_created_changed_and_withdrawn_by_editors() {
    let app = spawn_app();
    let editor = app.token_for(Role::Editor);
    let created = app.json(
        "POST",
        "/api/v1/organizations",
        Some(&editor),
        &json!({"name": "Kino Lab Maribor", "kind": "venue", "country": "SI", "website": "https://kino.example"}),
        &[],
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["slug"], "kino-lab-maribor");
    let invalid = app.json(
        "POST",
        "/api/v1/organizations",
        Some(&editor),
        &json!({"name": "", "kind": "castle", "country": "XX", "website": "ftp://x", "version": 3}),
        &[],
    );
    assert_eq!(invalid.status, 422);
    let mut got = names(&invalid);
    got.sort();
    assert_eq!(
        got,
        vec!["/country", "/kind", "/name", "/version", "/website"]
    );
    let path = "/api/v1/organizations/kino-lab-maribor";
    assert_eq!(
        app.json(
            "PATCH",
            path,
            Some(&editor),
            &json!({"city": "Maribor"}),
            &[]
        )
        .status,
        428
    );
    let patched = app.json(
        "PATCH",
        path,
        Some(&editor),
        &json!({"city": "Maribor"}),
        &[("if-match", "\"1\"")],
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["city"], "Maribor");
    let unknown_cleared = app.json(
        "PATCH",
        path,
        Some(&editor),
        &json!({"": null}),
        &[("if-match", "\"2\"")],
    );
    assert_eq!(unknown_cleared.status, 422, "{}", unknown_cleared.body);
    assert_eq!(names(&unknown_cleared), vec!["/"]);
    assert_eq!(
        app.json(
            "PUT",
            path,
            Some(&editor),
            &json!({"name": "Kino Lab", "kind": "venue", "country": "SI"}),
            &[("if-match", "\"1\"")]
        )
        .status,
        412
    );
    assert_eq!(app.get(path).header("etag").as_deref(), Some("\"2\""));
    let withdrawn = app.request_with(
        "DELETE",
        path,
        &[
            ("authorization", &format!("Bearer {editor}")),
            ("if-match", "\"2\""),
        ],
    );
    assert_eq!(withdrawn.status, 200);
    let gone = app.get(path);
    assert_eq!(
        gone.status, 410,
        "withdrawn organizations leave the public API"
    );
    assert_eq!(
        gone.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(app.get_json("/api/v1/organizations")["total"], 0);
    for (method, body) in [
        ("PATCH", json!({"name": "Back again"})),
        (
            "PUT",
            json!({"name": "Back again", "kind": "venue", "country": "SI"}),
        ),
    ] {
        let changed = app.json(method, path, Some(&editor), &body, &[("if-match", "*")]);
        assert_eq!(
            changed.status, 409,
            "{method} of a withdrawn organization: {}",
            changed.body
        );
    }
}

/// Whether an entry is open to everyone is kept with the entry: it follows every change of
/// its rules, so the eligibility filter never finds a call its rules now exclude.
#[test]
fn an_entry_that_gains_or_loses_an_eligibility_rule_is_found_accordingly() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let mut open = valid_input("lumen", "Open Call");
    open["eligibility"] = json!({"career_stage": "any"});
    open["external_id"] = json!("open-1");
    let imported = app.json(
        "POST",
        "/api/v1/import?source=otm&publish=true",
        Some(&editor),
        &json!([open]),
        &[],
    );
    assert_eq!(imported.status, 200, "{}", imported.body);
    let path = "/api/v1/opportunities/open-call";
    assert_eq!(app.slugs("eligible_country=SI"), vec!["open-call"]);

    let ruled = app.json(
        "PATCH",
        path,
        Some(&editor),
        &json!({"eligibility": {"nationalities": ["AT"], "career_stage": "any"}}),
        &[("if-match", "\"1\"")],
    );
    assert_eq!(ruled.status, 200, "{}", ruled.body);
    assert!(app.slugs("eligible_country=SI").is_empty());
    assert_eq!(app.slugs("eligible_country=AT"), vec!["open-call"]);

    let residents = app.json(
        "PATCH",
        path,
        Some(&editor),
        &json!({"eligibility": {"nationalities": [], "residences": ["HR"]}}),
        &[("if-match", "\"2\"")],
    );
    assert_eq!(residents.status, 200, "{}", residents.body);
    assert!(app.slugs("eligible_country=AT").is_empty());
    assert_eq!(app.slugs("residence=HR"), vec!["open-call"]);

    let reopened = app.json(
        "PATCH",
        path,
        Some(&editor),
        &json!({"eligibility": {"residences": []}}),
        &[("if-match", "\"3\"")],
    );
    assert_eq!(reopened.status, 200, "{}", reopened.body);
    assert_eq!(app.slugs("eligible_country=SI"), vec!["open-call"]);
}
