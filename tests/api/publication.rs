//! What an entry needs to be published — titles and summaries in English and Slovenian,
//! a destination, a deadline unless rolling, where to apply — asked by every way into the
//! published state: the publish operation, an edit of a published entry, a public
//! submission on its way to publication, and an import with `publish=true`, whose new and
//! updated rows are published alike.

use serde_json::{Value, json};

use mobility_directory::domain::vocabulary::Role;

use crate::curation::{create, valid_input, with_org};
use crate::helpers::{Reply, TestApp, assert_problem, spawn_app};

fn publish(app: &TestApp, token: &str, slug: &str) -> Reply {
    app.send(
        "POST",
        &format!("/api/v1/opportunities/{slug}/publish"),
        &[("authorization", &format!("Bearer {token}"))],
        None,
    )
}

fn patch(app: &TestApp, token: &str, slug: &str, body: &Value) -> Reply {
    let version = app
        .get_as(&format!("/api/v1/staff/opportunities/{slug}"), token)
        .header("etag")
        .unwrap();
    app.send(
        "PATCH",
        &format!("/api/v1/opportunities/{slug}"),
        &[
            ("authorization", &format!("Bearer {token}")),
            ("content-type", "application/merge-patch+json"),
            ("if-match", &version),
        ],
        Some(body.to_string().as_bytes()),
    )
}

fn names(reply: &Reply) -> Vec<String> {
    reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect()
}

fn state(app: &TestApp, token: &str, slug: &str) -> Value {
    app.get_as(&format!("/api/v1/staff/opportunities/{slug}"), token)
        .json()["workflow"]["state"]
        .clone()
}

#[test]
fn publishing_needs_texts_in_both_languages_a_destination_and_where_to_apply() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let bare = json!({"type": "award", "organization": "lumen",
                      "title": {"en": "Bare Award"}, "rolling": true});
    assert_eq!(create(&app, &editor, &bare).status, 201);

    let refused = publish(&app, &editor, "bare-award");
    let problem = assert_problem(&refused, 422);
    assert_eq!(
        problem["type"],
        "urn:mobility-directory:problem:not-publishable"
    );
    assert_eq!(
        names(&refused),
        vec![
            "/title/sl",
            "/summary/en",
            "/summary/sl",
            "/destination/countries",
            "/application_url"
        ]
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("/summary/sl"),
        "{problem}"
    );
    assert_eq!(state(&app, &editor, "bare-award"), "draft");
    assert_eq!(app.get("/api/v1/opportunities/bare-award").status, 404);

    let completed = patch(
        &app,
        &editor,
        "bare-award",
        &json!({"title": {"sl": "Gola nagrada"},
                "summary": {"en": "An award for bare work.", "sl": "Nagrada za golo delo."},
                "destination": {"online": true},
                "source_url": "https://example.org/calls/bare-award"}),
    );
    assert_eq!(completed.status, 200, "{}", completed.body);
    assert_eq!(publish(&app, &editor, "bare-award").status, 200);
    assert_eq!(app.get("/api/v1/opportunities/bare-award").status, 200);

    // A published entry keeps what publication needs.
    let taken_away = patch(
        &app,
        &editor,
        "bare-award",
        &json!({"summary": {"sl": null}, "destination": {"online": false}}),
    );
    assert_problem(&taken_away, 422);
    assert_eq!(
        names(&taken_away),
        vec!["/summary/sl", "/destination/countries"]
    );
    assert_eq!(
        app.get_json("/api/v1/opportunities/bare-award")["summary"]["sl"],
        "Nagrada za golo delo."
    );

    // The contract says so, from the same rule.
    let document = app.get_json("/openapi.json");
    let described =
        document["paths"]["/api/v1/opportunities/{id_or_slug}/publish"]["post"]["responses"]["422"]
            ["description"]
            .as_str()
            .unwrap()
            .to_owned();
    for pointer in [
        "/title/sl",
        "/summary/en",
        "/destination/countries",
        "/application_url",
    ] {
        assert!(described.contains(pointer), "{described}");
    }
}

#[test]
fn a_submission_is_published_only_once_it_has_what_publication_needs() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let submitted = app.json(
        "POST",
        "/api/v1/submissions",
        None,
        &json!({"submitter": {"name": "Ana Novak", "email": "ana@organizer.example"},
                "entry": {"type": "presenting", "organization": "lumen",
                          "title": {"en": "Autumn Showcase Call"}, "rolling": true}}),
        &[],
    );
    assert_eq!(submitted.status, 202, "{}", submitted.body);
    let refused = publish(&app, &editor, "autumn-showcase-call");
    assert_problem(&refused, 422);
    assert_eq!(
        names(&refused),
        vec![
            "/title/sl",
            "/summary/en",
            "/summary/sl",
            "/destination/countries",
            "/application_url"
        ]
    );
    assert_eq!(state(&app, &editor, "autumn-showcase-call"), "in_review");
    let completed = patch(
        &app,
        &editor,
        "autumn-showcase-call",
        &json!({"title": {"sl": "Jesenska predstavitev"},
                "summary": {"en": "Show your piece.", "sl": "Pokažite svoje delo."},
                "destination": {"countries": ["SI"]},
                "application_url": "https://example.org/apply"}),
    );
    assert_eq!(completed.status, 200, "{}", completed.body);
    assert_eq!(publish(&app, &editor, "autumn-showcase-call").status, 200);
}

#[test]
fn publish_true_publishes_new_and_updated_rows_alike_and_refuses_incomplete_ones() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let rows: Vec<Value> = ["Moss Residency", "Fern Grant"]
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let mut row = valid_input("lumen", title);
            row["external_id"] = json!(format!("p-{i}"));
            row
        })
        .collect();
    let queued = app.json(
        "POST",
        "/api/v1/import?source=p",
        Some(&editor),
        &json!(rows),
        &[],
    );
    assert_eq!(queued.status, 200, "{}", queued.body);
    assert_eq!(queued.json()["rows"][0]["state"], "in_review");
    assert_eq!(app.get("/api/v1/opportunities/moss-residency").status, 404);

    // The same rows with publish=true, one of them changed: both are published.
    let mut again = rows.clone();
    again[1]["funding"] = json!({"max": 800, "currency": "EUR"});
    let published = app.json(
        "POST",
        "/api/v1/import?source=p&publish=true",
        Some(&editor),
        &json!(again),
        &[],
    );
    assert_eq!(published.status, 200, "{}", published.body);
    let report = published.json();
    assert_eq!(report["updated"], 2, "{report}");
    for (i, slug) in ["moss-residency", "fern-grant"].iter().enumerate() {
        assert_eq!(report["rows"][i]["action"], "updated");
        assert_eq!(report["rows"][i]["state"], "published");
        assert_eq!(
            app.get(&format!("/api/v1/opportunities/{slug}")).status,
            200,
            "{slug} is public"
        );
    }
    assert_eq!(
        app.get_json("/api/v1/opportunities/fern-grant")["funding"]["max"],
        800
    );

    // With publish=true a row must have what publication needs, new or updated.
    let mut stripped = rows[0].clone();
    stripped["summary"] = json!({"en": "Only English."});
    let mut bare = json!({"type": "award", "organization": "lumen",
                          "title": {"en": "Bare Award"}, "rolling": true, "external_id": "p-9"});
    bare["destination"] = json!({"online": true});
    for dry_run in ["true", "false"] {
        let refused = app.json(
            "POST",
            &format!("/api/v1/import?source=p&publish=true&dry_run={dry_run}"),
            Some(&editor),
            &json!([stripped, bare]),
            &[],
        );
        assert_problem(&refused, 422);
        assert_eq!(
            names(&refused),
            vec![
                "/0/summary/sl",
                "/1/title/sl",
                "/1/summary/en",
                "/1/summary/sl",
                "/1/application_url"
            ]
        );
    }
    // As CSV, by column.
    let table = "external_id,type,organization,title_en,title_sl,summary_en,destination_online,rolling\r\n\
                 p-9,award,lumen,Bare Award,Gola nagrada,An award.,true,true\r\n";
    let refused = app.send(
        "POST",
        "/api/v1/import?source=p&publish=true&dry_run=true",
        &[
            ("authorization", &format!("Bearer {editor}")),
            ("content-type", "text/csv"),
        ],
        Some(table.as_bytes()),
    );
    assert_problem(&refused, 422);
    let columns: Vec<(u64, String)> = refused.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        vec![
            (2, "summary_sl".to_owned()),
            (2, "application_url".to_owned())
        ]
    );
}
