//! Facet counts for filter menus: each facet ignores its own filter, and every count is
//! what choosing that value would give.

use serde_json::Value;

use crate::helpers::{TestApp, deadline_in, opportunity, organization, spawn_app};
use mobility_directory::domain::vocabulary::{Discipline, OpportunityType};

const ALL_FACETS: &str = "facets=type,discipline,destination_country,covers,career_stage,status";

fn with_demo() -> TestApp {
    let app = spawn_app();
    let mut conn = app.pool.get().unwrap();
    mobility_directory::demo::load(&mut conn, chrono::Utc::now()).expect("load the demo set");
    app
}

fn counts(page: &Value, facet: &str) -> Vec<(String, i64)> {
    page["facets"][facet]
        .as_array()
        .unwrap_or_else(|| panic!("no {facet} facet in {page}"))
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_owned(),
                v["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn total(app: &TestApp, query: &str) -> i64 {
    app.get_json(&format!("/api/v1/opportunities?{query}"))["total"]
        .as_i64()
        .unwrap()
}

/// For every facet value, the count is the total the list gives when that value is
/// chosen instead of the facet's own filter, on the demo set, with and without other
/// filters and a search.
#[test]
fn every_count_is_the_total_of_choosing_that_value() {
    let app = with_demo();
    for base in [
        "",
        "q=rezidenca",
        "eligible_country=SI&type=residency",
        "discipline=music&status=closed",
    ] {
        let page = app.get_json(&format!(
            "/api/v1/opportunities?{base}&{ALL_FACETS}&limit=1"
        ));
        // The query without the facet's own parameter.
        let without = |name: &str| -> String {
            base.split('&')
                .filter(|p| !p.is_empty() && !p.starts_with(&format!("{name}=")))
                .collect::<Vec<_>>()
                .join("&")
        };
        for (facet, param) in [
            ("type", "type"),
            ("discipline", "discipline"),
            ("destination_country", "destination_country"),
            ("covers", "covers"),
            ("status", "status"),
        ] {
            let values = counts(&page, facet);
            if base.is_empty() {
                assert!(!values.is_empty(), "{facet} has values on the demo set");
            }
            for (value, count) in values {
                assert!(count > 0, "values without matches are left out");
                let chosen = format!("{}&{param}={value}", without(param));
                assert_eq!(
                    total(&app, &chosen),
                    count,
                    "{facet}={value} under {base:?}"
                );
            }
        }
        // Choosing a career stage also finds calls open to any stage.
        let stages = counts(&page, "career_stage");
        let any = stages
            .iter()
            .find(|(v, _)| v == "any")
            .map_or(0, |(_, n)| *n);
        for (value, count) in &stages {
            let chosen = format!("{}&career_stage={value}", without("career_stage"));
            let expected = if value == "any" { *count } else { count + any };
            assert_eq!(total(&app, &chosen), expected, "career_stage={value}");
        }
    }
}

#[test]
fn a_facet_ignores_its_own_filter_but_not_the_others() {
    let app = spawn_app();
    let org = organization("facets");
    app.insert_organization(&org);
    let make = |slug: &str, kind: OpportunityType, discipline: Discipline, days: i64| {
        let mut o = opportunity(slug, &org);
        o.kind = kind;
        o.disciplines = vec![discipline];
        o.deadline = Some(deadline_in(
            chrono::Duration::days(days),
            "Europe/Ljubljana",
        ));
        o
    };
    app.insert(&make(
        "r1",
        OpportunityType::Residency,
        Discipline::Dance,
        30,
    ));
    app.insert(&make(
        "r2",
        OpportunityType::Residency,
        Discipline::Dance,
        3,
    ));
    app.insert(&make(
        "f1",
        OpportunityType::Fellowship,
        Discipline::Music,
        30,
    ));
    let mut closed = make(
        "r-closed",
        OpportunityType::Residency,
        Discipline::Dance,
        30,
    );
    closed.published_at = Some(chrono::Utc::now() - chrono::Duration::days(60));
    closed.deadline = Some(deadline_in(chrono::Duration::days(-1), "Europe/Ljubljana"));
    app.insert(&closed);

    let page = app.get_json("/api/v1/opportunities?type=residency&facets=type,discipline,status");
    assert_eq!(page["total"], 2);
    assert_eq!(
        counts(&page, "type"),
        [("residency".to_owned(), 2), ("fellowship".to_owned(), 1)],
        "choosing residency leaves fellowship in the menu"
    );
    assert_eq!(
        counts(&page, "discipline"),
        [("dance".to_owned(), 2)],
        "the type filter still applies to other facets; music has no match and is left out"
    );
    assert_eq!(
        counts(&page, "status"),
        [
            ("closed".to_owned(), 1),
            ("closing_soon".to_owned(), 1),
            ("open".to_owned(), 1)
        ],
        "statuses are counted over every status"
    );
    assert!(
        page["facets"].get("covers").is_none(),
        "only facets asked for"
    );
    assert!(
        app.get_json("/api/v1/opportunities")
            .get("facets")
            .is_none(),
        "no facets unless asked"
    );
    let named = app.get_json("/api/v1/opportunities?facets=type&lang=sl");
    assert_eq!(named["facets"]["type"][0]["name"], "Rezidenca");

    let bad = app.get("/api/v1/opportunities?facets=type,colour");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("colour"), "{}", bad.body);
    let many = format!(
        "/api/v1/opportunities?facets={}",
        vec!["type"; 60].join(",")
    );
    assert_eq!(app.get(&many).status, 400);
}

#[test]
fn facets_takes_at_most_six_values_repeats_included_as_documented() {
    let app = spawn_app();
    assert_eq!(
        app.get(&format!("/api/v1/opportunities?{ALL_FACETS}"))
            .status,
        200
    );
    // Found by schemathesis: seven values naming five facets were accepted though the
    // contract says at most six.
    let reply = app.get(
        "/api/v1/opportunities?facets=covers&facets=covers&facets=type,status,type,status,status",
    );
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.json()["errors"][0]["name"], "facets");
}
