//! Language negotiation: `lang` and `Accept-Language`, fallbacks marked, names of the
//! vocabulary, the headers, and the staff list of missing translations.

use mobility_directory::domain::opportunity::Texts;
use mobility_directory::domain::vocabulary::{Discipline, Role};

use crate::helpers::{TestApp, opportunity, organization, spawn_app};

fn app_with_entries() -> TestApp {
    let app = spawn_app();
    let org = organization("languages");
    app.insert_organization(&org);
    let mut both = opportunity("both-languages", &org);
    both.title = Texts::both("Dance Residency", "Plesna rezidenca");
    both.disciplines = vec![Discipline::Dance];
    app.insert(&both);
    let mut english_only = opportunity("english-only", &org);
    english_only.title = Texts {
        en: Some("Glass Residency".into()),
        sl: None,
    };
    english_only.summary = Texts {
        en: Some("Hot glass.".into()),
        sl: None,
    };
    app.insert(&english_only);
    app
}

#[test]
fn without_a_language_both_come_as_before() {
    let app = app_with_entries();
    let reply = app.get("/api/v1/opportunities/both-languages");
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["title"]["en"], "Dance Residency");
    assert_eq!(body["title"]["sl"], "Plesna rezidenca");
    assert!(body.get("names").is_none());
    assert_eq!(reply.header("content-language").as_deref(), Some("en, sl"));
    assert!(reply.header("vary").unwrap().contains("Accept-Language"));
}

#[test]
fn lang_picks_the_texts_and_names_and_marks_a_fallback() {
    let app = app_with_entries();
    let reply = app.get("/api/v1/opportunities/both-languages?lang=sl");
    assert_eq!(reply.header("content-language").as_deref(), Some("sl"));
    let body = reply.json();
    assert_eq!(
        body["title"],
        serde_json::json!({"text": "Plesna rezidenca", "language": "sl", "fallback": false})
    );
    assert_eq!(body["names"]["type"], "Rezidenca");
    assert_eq!(body["names"]["status"], "Odprto");
    assert_eq!(body["names"]["disciplines"]["dance"], "Ples");
    assert_eq!(body["names"]["countries"]["SI"], "Slovenija");

    let list = app.get_json("/api/v1/opportunities?lang=sl&limit=100");
    let english_only = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["slug"] == "english-only")
        .unwrap();
    assert_eq!(
        english_only["title"],
        serde_json::json!({"text": "Glass Residency", "language": "en", "fallback": true})
    );
    assert_eq!(
        english_only["summary"],
        serde_json::json!({"text": "Hot glass.", "language": "en", "fallback": true})
    );
    assert_eq!(app.get("/api/v1/opportunities?lang=de").status, 400);
    assert_eq!(
        app.get("/api/v1/opportunities/english-only?lang=xx").status,
        400
    );
}

#[test]
fn accept_language_is_negotiated_with_quality_values_and_kept_apart_in_the_cache() {
    let app = app_with_entries();
    let get = |accept: &str| {
        let reply = app.request_with(
            "GET",
            "/api/v1/opportunities/both-languages",
            &[("accept-language", accept)],
        );
        assert_eq!(reply.status, 200);
        (
            reply.header("content-language").unwrap(),
            reply.json()["title"].clone(),
        )
    };
    // The same URL three times: each answer must follow its own header, not the cache.
    let (language, title) = get("de-AT, sl;q=0.8, en;q=0.5");
    assert_eq!(language, "sl");
    assert_eq!(title["text"], "Plesna rezidenca");
    let (language, title) = get("en-GB,en;q=0.9");
    assert_eq!(language, "en");
    assert_eq!(title["text"], "Dance Residency");
    let (language, title) = get("fr, de;q=0.5");
    assert_eq!(language, "en, sl", "no language we have: both, as before");
    assert_eq!(title["sl"], "Plesna rezidenca");
    // `lang` overrides the header.
    let reply = app.request_with(
        "GET",
        "/api/v1/opportunities/both-languages?lang=en",
        &[("accept-language", "sl")],
    );
    assert_eq!(reply.json()["title"]["text"], "Dance Residency");
    // A hostile header costs nothing and changes nothing.
    let long = "xx;q=0.1,".repeat(1500);
    let (language, _) = get(&long);
    assert_eq!(language, "en, sl");
}

#[test]
fn staff_list_the_entries_that_lack_a_translation() {
    let app = app_with_entries();
    let editor = app.token_for(Role::Editor);
    let slugs = |query: &str| -> Vec<String> {
        let reply = app.get_as(&format!("/api/v1/staff/opportunities?{query}"), &editor);
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["entry"]["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(slugs("missing_translation=sl"), ["english-only"]);
    assert!(slugs("missing_translation=en").is_empty());
    let reply = app.get_as(
        "/api/v1/staff/opportunities?missing_translation=de",
        &editor,
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        app.get("/api/v1/staff/opportunities?missing_translation=sl")
            .status,
        401
    );
}
