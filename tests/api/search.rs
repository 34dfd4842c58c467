//! Full-text search: the committed quality set, snippets, relevance, hostile input, and
//! the index following every change.

use std::collections::BTreeSet;

use serde_json::Value;

use mobility_directory::domain::opportunity::Texts;
use mobility_directory::domain::vocabulary::WorkflowState;
use mobility_directory::store;

use crate::helpers::{TestApp, assert_problem, opportunity, organization, spawn_app};

const EVERY_STATUS: &str = "status=upcoming,open,closing_soon,rolling,closed";

fn with_demo() -> TestApp {
    let app = spawn_app();
    let mut conn = app.pool.get().unwrap();
    mobility_directory::demo::load(&mut conn, chrono::Utc::now()).expect("load the demo set");
    app
}

fn encoded(q: &str) -> String {
    form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

fn backend() -> &'static str {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => "PostgreSQL",
        _ => "SQLite",
    }
}

/// Every query of `tests/data/search_queries.json` returns exactly its committed hits
/// (so both backends return the same), and every entry it must find. Paging through the
/// relevance order (`limit=7`) must neither repeat nor lose an entry.
#[test]
fn the_query_set_finds_every_must_find_entry_and_the_same_hits_on_each_backend() {
    let app = with_demo();
    let set: Value = serde_json::from_str(include_str!("../data/search_queries.json")).unwrap();
    let queries = set["queries"].as_array().unwrap();
    assert!(queries.len() >= 40, "the set holds at least 40 queries");
    let (mut wanted, mut found, mut returned) = (0, 0, 0);
    let mut failures = Vec::new();
    for query in queries {
        let q = query["q"].as_str().unwrap();
        let paged = app.all_pages(&format!("q={}&limit=7&{EVERY_STATUS}", encoded(q)));
        let slugs: Vec<String> = paged
            .iter()
            .map(|o| o["slug"].as_str().unwrap().to_owned())
            .collect();
        let hits: BTreeSet<String> = slugs.iter().cloned().collect();
        assert_eq!(hits.len(), slugs.len(), "{q:?}: paging repeated an entry");
        returned += hits.len();
        let expected: BTreeSet<String> = query["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect();
        for must in query["must_find"].as_array().unwrap() {
            wanted += 1;
            if hits.contains(must.as_str().unwrap()) {
                found += 1;
            } else {
                failures.push(format!("{q:?} did not find {must}"));
            }
        }
        if hits != expected {
            failures.push(format!(
                "{q:?}: found {:?} the set does not list, missed {:?}",
                hits.difference(&expected).collect::<Vec<_>>(),
                expected.difference(&hits).collect::<Vec<_>>()
            ));
        }
    }
    // Precision: of the entries returned, the share a reader expects (`must_find`).
    println!(
        "search quality on {}: {} queries, recall {found}/{wanted} = {:.3}, \
         precision {found}/{returned} = {:.3}",
        backend(),
        queries.len(),
        found as f64 / wanted as f64,
        found as f64 / returned.max(1) as f64
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn each_hit_carries_an_escaped_snippet_with_the_matched_words_marked_in_its_language() {
    let app = spawn_app();
    let org = organization("snippets");
    app.insert_organization(&org);
    let mut o = opportunity("glass-residency", &org);
    o.title = Texts::both(
        "Glass <b>&</b> Light Residency",
        "Rezidenca steklo in svetloba",
    );
    o.description = Texts::both(
        "Work with hot glass for a month.",
        "Mesec dni dela s pihanim steklom v delavnici na Krasu.",
    );
    app.insert(&o);

    let page = app.get_json("/api/v1/opportunities?q=steklom");
    let snippet = &page["items"][0]["snippet"];
    assert_eq!(snippet["language"], "sl", "{page}");
    assert_eq!(snippet["field"], "description");
    assert!(
        snippet["html"]
            .as_str()
            .unwrap()
            .contains("s pihanim <mark>steklom</mark> v"),
        "{snippet}"
    );

    let page = app.get_json("/api/v1/opportunities?q=light");
    let snippet = &page["items"][0]["snippet"];
    assert_eq!(snippet["language"], "en");
    assert_eq!(snippet["field"], "title");
    assert_eq!(
        snippet["html"], "Glass &lt;b&gt;&amp;&lt;/b&gt; <mark>Light</mark> Residency",
        "the text is escaped, only the marks are markup"
    );
    assert!(
        app.get_json("/api/v1/opportunities")["items"][0]
            .get("snippet")
            .is_none(),
        "no snippet without a search"
    );
}

#[test]
fn a_title_match_ranks_above_a_description_match_and_sort_can_be_overridden() {
    let app = spawn_app();
    let org = organization("ranking");
    app.insert_organization(&org);
    // BM25 weighs a word by how rare it is: in a directory where every entry has it,
    // it says nothing, so the others do not.
    for i in 0..4 {
        app.insert(&opportunity(&format!("other-{i}"), &org));
    }
    let mut in_description = opportunity("a-described", &org);
    in_description.description = Texts::both("Some puppetry is welcome.", "");
    in_description.deadline = Some(crate::helpers::deadline_in(
        chrono::Duration::days(5),
        "Europe/Ljubljana",
    ));
    app.insert(&in_description);
    let mut in_title = opportunity("b-titled", &org);
    in_title.title = Texts::both("Puppetry Residency", "Lutkovna rezidenca");
    app.insert(&in_title);

    let in_order = |query: &str| -> Vec<String> {
        app.all_pages(query)
            .iter()
            .map(|o| o["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    let relevant = in_order("q=puppetry");
    assert_eq!(relevant, ["b-titled", "a-described"]);
    let by_deadline = in_order("q=puppetry&sort=deadline");
    assert_eq!(by_deadline, ["a-described", "b-titled"]);
}

#[test]
fn hostile_or_empty_queries_get_a_clear_400_or_a_sane_answer() {
    let app = with_demo();
    let everything = app.get_json("/api/v1/opportunities")["total"].clone();
    for blank in ["", "%20%20", "***", "%22%22", "or", "-", "()%5B%5D%7B%7D"] {
        let page = app.get_json(&format!("/api/v1/opportunities?q={blank}"));
        assert_eq!(
            page["total"], everything,
            "q={blank} names no word: no search"
        );
    }
    for hostile in [
        "NEAR(dance residency)",
        "dance AND OR NOT",
        "title_en:dance",
        "\"unclosed phrase",
        "^dance*",
        "'; DROP TABLE opportunities; --",
        "dance)) OR ((1=1",
        "a & b | !c <-> d:*",
        "\u{E000}mark\u{E001}",
        "résidence 日本 🎭",
    ] {
        let reply = app.get(&format!("/api/v1/opportunities?q={}", encoded(hostile)));
        assert_eq!(reply.status, 200, "q={hostile:?}: {}", reply.body);
    }
    // Exclusions alone leave everything else; words past the 32nd are ignored.
    let without = app.get_json(&format!(
        "/api/v1/opportunities?q=-dance%20-berlin&{EVERY_STATUS}"
    ));
    let all = app.get_json(&format!("/api/v1/opportunities?{EVERY_STATUS}"))["total"]
        .as_i64()
        .unwrap();
    let dance_or_berlin = app.get_json(&format!(
        "/api/v1/opportunities?q=dance%20or%20berlin&{EVERY_STATUS}"
    ))["total"]
        .as_i64()
        .unwrap();
    assert!(dance_or_berlin > 0);
    assert_eq!(without["total"].as_i64().unwrap(), all - dance_or_berlin);
    let long = format!("residency {}", "zzzz ".repeat(40));
    assert_eq!(
        app.get(&format!("/api/v1/opportunities?q={}", encoded(&long)))
            .status,
        200
    );
    let cases = [("a".repeat(301), "at most 300 characters")];
    for (q, message) in cases {
        let reply = app.get(&format!("/api/v1/opportunities?q={}", encoded(&q)));
        assert_eq!(reply.status, 400, "{}", reply.body);
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        let problem = reply.json();
        assert_eq!(problem["errors"][0]["name"], "q", "{problem}");
        assert!(
            problem["errors"][0]["reason"]
                .as_str()
                .unwrap()
                .contains(message),
            "{problem}"
        );
    }
    // Beyond what any URL may carry, the request line itself is refused.
    let huge = app.get(&format!("/api/v1/opportunities?q={}", "x".repeat(60_000)));
    assert_eq!(huge.status, 414);
    // A cursor issued before cursors were bound to their search is refused with the
    // reason, so the client starts again instead of paging another list.
    let old_cursor = "WyJvcHBvcnR1bml0aWVzIixbIjIwMjctMDEtMDFUMDA6MDA6MDAuMDAwMDAwIiwiMjAyNi0wMS0wMVQwMDowMDowMC4wMDAwMDAiLCIyMDI2LTAxLTAxVDAwOjAwOjAwLjAwMDAwMCJdLCIwMTkwMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDAiXQ";
    for sort in ["relevance", "deadline", "newest"] {
        let reply = app.get(&format!(
            "/api/v1/opportunities?q=residency&sort={sort}&cursor={old_cursor}"
        ));
        let problem = assert_problem(&reply, 400);
        assert_eq!(problem["errors"][0]["name"], "cursor", "{problem}");
        assert!(
            problem["errors"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("leave it out to start from the first page"),
            "{problem}"
        );
    }
    let twice = app.get("/api/v1/opportunities?q=dance&q=music");
    assert_eq!(twice.status, 400);
}

#[test]
fn twenty_parallel_prefix_searches_all_answer() {
    let app = with_demo();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let app = &app;
                s.spawn(move || {
                    let prefix = ["re", "res", "da", "gl", "st"][i % 5];
                    app.get(&format!(
                        "/api/v1/opportunities?q={prefix}&limit=100&{EVERY_STATUS}"
                    ))
                    .status
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), 200);
        }
    });
}

#[test]
fn the_index_follows_edits_renames_and_withdrawals() {
    let app = spawn_app();
    let mut org = organization("follows");
    app.insert_organization(&org);
    let mut o = opportunity("follows-entry", &org);
    o.title = Texts::both("Marionette Workshop", "Delavnica marionet");
    app.insert(&o);
    assert_eq!(app.slugs("q=marionette"), ["follows-entry"]);

    let mut conn = app.pool.get().unwrap();
    let mut edited = o.clone();
    edited.title = Texts::both("Shadow Theatre Workshop", "Delavnica senčnega gledališča");
    edited.version = 2;
    store::opportunities::update(&mut conn, &edited, 1).unwrap();
    assert!(
        app.slugs("q=marionette").is_empty(),
        "the old title is gone"
    );
    assert_eq!(app.slugs("q=sencnega"), ["follows-entry"]);

    org.name = "Lanterna Magica Collective".into();
    org.version = 2;
    store::organizations::update(&mut conn, &org, 1).unwrap();
    assert_eq!(app.slugs("q=lanterna%20magica"), ["follows-entry"]);
    assert!(app.slugs("q=follows").is_empty(), "the old name is gone");

    let current = store::opportunities::find_any(&mut conn, "follows-entry").unwrap();
    store::curation::set_state(&mut conn, &current, WorkflowState::Withdrawn, None).unwrap();
    assert!(
        app.slugs("q=shadow").is_empty(),
        "withdrawn entries are not found"
    );
}

/// A word typed in the nominative finds its inflected forms by their lemma (`crna gora`
/// → "v Črni gori", `boka kotorska` → "v Boki Kotorski", `prevajalec` → "prevajalce"),
/// an inflected query finds the nominative; and documents written before lemmas existed
/// (as right after the migration) get theirs when an instance starts.
#[test]
fn nominatives_find_every_case_by_lemma_also_in_documents_written_before_lemmas() {
    let app = spawn_app();
    let org = organization("lemmas");
    app.insert_organization(&org);
    let mut kotor = opportunity("kotor-residency", &org);
    kotor.title = Texts::both("Kotor Residency", "Rezidenca v Boki Kotorski v Črni gori");
    app.insert(&kotor);
    let mut vienna = opportunity("vienna-translators", &org);
    vienna.title = Texts::both("Vienna Translators", "Štipendija za prevajalce na Dunaju");
    app.insert(&vienna);
    let mut ljubljana = opportunity("ljubljana-studio", &org);
    ljubljana.title = Texts::both("Ljubljana Studio", "Ljubljana in Slovenija");
    app.insert(&ljubljana);
    let check = |app: &TestApp| {
        for (q, slug) in [
            ("crna gora", "kotor-residency"),
            ("Črna gora", "kotor-residency"),
            ("boka kotorska", "kotor-residency"),
            ("prevajalec", "vienna-translators"),
            ("Dunaj", "vienna-translators"),
            ("v Ljubljani", "ljubljana-studio"),
            ("iz Slovenije", "ljubljana-studio"),
        ] {
            assert_eq!(app.slugs(&format!("q={}", encoded(q))), vec![slug], "{q:?}");
        }
        // A quoted phrase is matched as written.
        assert!(app.slugs("q=%22crna+gora%22").is_empty());
    };
    check(&app);

    // As the migration leaves them: no lemmas, an older version.
    {
        use diesel::RunQueryDsl;
        let mut conn = app.pool.get().unwrap();
        diesel::sql_query(
            "UPDATE opportunity_search SET lemmas_title_sl = NULL, lemmas_summary_sl = NULL, \
             lemmas_description_sl = NULL, lemmas_version = 0",
        )
        .execute(&mut conn)
        .unwrap();
    }
    let database_only = app.second_instance_with(|s| s.search_index = false);
    {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Old {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = app.pool.get().unwrap();
        let old: Vec<Old> = diesel::sql_query(
            "SELECT count(*) AS n FROM opportunity_search \
             WHERE lemmas_version = 0 OR lemmas_title_sl IS NULL",
        )
        .load(&mut conn)
        .unwrap();
        assert_eq!(old[0].n, 0, "the start rebuilt every document's lemmas");
    }
    check(&database_only);
    let indexed = app.second_instance();
    check(&indexed);
}
