//! Keyset pagination: every entry exactly once, in order, for each sort, even with ties.

use std::collections::HashSet;

use chrono::Duration;

use crate::helpers::{TestApp, assert_problem, deadline_in, opportunity, organization, spawn_app};

/// 23 calls: groups of them share a deadline, publication time and update time exactly.
fn tied_world() -> TestApp {
    let app = spawn_app();
    let org = organization("tie-org");
    app.insert_organization(&org);
    let base = chrono::Utc::now();
    for i in 0..23 {
        let mut o = opportunity(&format!("call-{i:02}"), &org);
        let group = Duration::days(10 + (i % 4));
        o.deadline = Some(mobility_directory::domain::deadline::Deadline {
            at: base + group,
            ..deadline_in(group, "Europe/Ljubljana")
        });
        o.published_at = Some(base - Duration::days(i % 3));
        o.updated_at = base - Duration::hours(i % 5);
        if i == 22 {
            o.rolling = true;
            o.deadline = None;
        }
        app.insert(&o);
    }
    app
}

/// (has no value, the instant, the id) of each item: the order the API promises, with
/// entries lacking the field last.
fn keys(
    items: &[serde_json::Value],
    field: &str,
) -> Vec<(bool, Option<chrono::DateTime<chrono::Utc>>, String)> {
    items
        .iter()
        .map(|o| {
            let at = o[field].as_str().map(|s| s.parse().unwrap());
            (at.is_none(), at, o["id"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn every_sort_pages_through_all_entries_once_in_order() {
    let app = tied_world();
    for (sort, field, descending) in [
        ("deadline", "deadline", false),
        ("deadline_desc", "deadline", true),
        ("newest", "published_at", true),
        ("updated", "updated_at", true),
    ] {
        for limit in [1, 4, 7, 100] {
            let items = app.all_pages(&format!("sort={sort}&limit={limit}"));
            assert_eq!(items.len(), 23, "sort={sort} limit={limit}");
            let ids: HashSet<&str> = items.iter().map(|o| o["id"].as_str().unwrap()).collect();
            assert_eq!(
                ids.len(),
                23,
                "no entry repeated: sort={sort} limit={limit}"
            );
            let got = keys(&items, field);
            let mut expected = got.clone();
            expected.sort();
            if descending {
                expected.reverse();
            }
            assert_eq!(got, expected, "order for sort={sort} limit={limit}");
        }
    }
}

#[test]
fn the_rolling_call_without_deadline_comes_last_by_deadline() {
    let app = tied_world();
    let items = app.all_pages("limit=5");
    assert_eq!(items.last().unwrap()["slug"], "call-22");
    assert!(items.last().unwrap()["deadline"].is_null());
}

#[test]
fn pages_carry_total_limit_next_and_a_link_header() {
    let app = tied_world();
    let first = app.get("/api/v1/opportunities?limit=10&type=residency");
    assert_eq!(first.status, 200);
    let body = first.json();
    assert_eq!(body["total"], 23);
    assert_eq!(body["limit"], 10);
    assert_eq!(body["items"].as_array().unwrap().len(), 10);
    let next = body["next"].as_str().unwrap();
    let link = first.header("link").expect("a Link header");
    assert_eq!(
        link,
        format!("</api/v1/opportunities?limit=10&type=residency&cursor={next}>; rel=\"next\"")
    );
    // Following the Link header gives the same page as following `next`.
    let target = link.trim_start_matches('<').split('>').next().unwrap();
    let second = app.get_json(target);
    assert_eq!(second["total"], 23);
    assert_eq!(second["items"].as_array().unwrap().len(), 10);
    let third = app.get(&format!(
        "/api/v1/opportunities?limit=10&type=residency&cursor={}",
        second["next"].as_str().unwrap()
    ));
    assert_eq!(third.json()["items"].as_array().unwrap().len(), 3);
    assert!(third.json()["next"].is_null());
    assert!(
        third.header("link").is_none(),
        "no Link header on the last page"
    );
}

#[test]
fn the_default_limit_is_20_and_100_is_the_most() {
    let app = tied_world();
    assert_eq!(
        app.get_json("/api/v1/opportunities")["items"]
            .as_array()
            .unwrap()
            .len(),
        20
    );
    assert_eq!(
        app.get_json("/api/v1/opportunities?limit=100")["items"]
            .as_array()
            .unwrap()
            .len(),
        23
    );
    assert_eq!(app.get("/api/v1/opportunities?limit=101").status, 400);
}

/// Asserts a 400 naming `cursor`, whose reason contains `says`.
fn refused_cursor(reply: &crate::helpers::Reply, says: &str) {
    let problem = assert_problem(reply, 400);
    assert_eq!(problem["errors"][0]["name"], "cursor", "{problem}");
    let reason = problem["errors"][0]["reason"].as_str().unwrap();
    assert!(reason.contains(says), "{reason}");
}

#[test]
fn a_cursor_continues_only_the_search_it_came_from() {
    let app = tied_world();
    let first = app.get_json("/api/v1/opportunities?type=residency&limit=3");
    let next = first["next"].as_str().unwrap();
    // Other filters, none, or another order: refused, saying why.
    for other in [
        "type=fellowship&limit=3".to_owned(),
        "type=residency,fellowship&limit=3".to_owned(),
        "limit=3".to_owned(),
        "type=residency&limit=3&sort=newest".to_owned(),
        "type=residency&limit=3&free_to_apply=true".to_owned(),
        "type=residency&limit=3&q=residency".to_owned(),
    ] {
        refused_cursor(
            &app.get(&format!("/api/v1/opportunities?{other}&cursor={next}")),
            "belongs to another search",
        );
    }
    // The same search, its values written otherwise, another page size or language:
    // the next page of the same list.
    let expected = app.get_json(&format!(
        "/api/v1/opportunities?type=residency&limit=3&cursor={next}"
    ));
    for same in [
        "type=residency&limit=3",
        "type=residency,residency&limit=3&lang=sl",
        "limit=3&type=residency&sort=deadline",
    ] {
        let page = app.get_json(&format!("/api/v1/opportunities?{same}&cursor={next}"));
        assert_eq!(page["items"][0]["id"], expected["items"][0]["id"], "{same}");
    }
    // `next_url` is the next page's request, absolute, ready to follow.
    let next_url = first["next_url"].as_str().unwrap();
    let path = next_url
        .strip_prefix("https://directory.example")
        .unwrap_or_else(|| panic!("absolute from MOBILITY_PUBLIC_URL: {next_url}"));
    assert_eq!(app.get_json(path)["items"], expected["items"]);
    let last = app.get_json("/api/v1/opportunities?limit=100");
    assert!(last["next"].is_null() && last["next_url"].is_null());

    // Feeds share the cursors of the same search and order, and no other.
    let csv = app.get(&format!(
        "/api/v1/opportunities.csv?type=residency&limit=3&cursor={next}"
    ));
    assert_eq!(csv.status, 200, "{}", csv.body);
    refused_cursor(
        &app.get(&format!(
            "/api/v1/opportunities.atom?type=residency&cursor={next}"
        )),
        "belongs to another search",
    );
    refused_cursor(
        &app.get(&format!(
            "/api/v1/opportunities.ics?type=fellowship&cursor={next}"
        )),
        "belongs to another search",
    );
    let atom = app.get("/api/v1/opportunities.atom?type=residency&limit=3");
    let link = atom.header("link").unwrap();
    let target = link.trim_start_matches('<').split('>').next().unwrap();
    assert_eq!(app.get(target).status, 200);
    let atom_cursor = target.split("cursor=").nth(1).unwrap();
    refused_cursor(
        &app.get(&format!(
            "/api/v1/opportunities?type=residency&cursor={atom_cursor}"
        )),
        "belongs to another search",
    );

    // Another list's cursors, and the change feed's, are not this list's, and the other
    // way round.
    app.insert_organization(&crate::helpers::organization("second-org"));
    let orgs = app.get_json("/api/v1/organizations?limit=1");
    let org_cursor = orgs["next"].as_str().unwrap().to_owned();
    refused_cursor(
        &app.get(&format!(
            "/api/v1/organizations?limit=1&kind=venue&cursor={org_cursor}"
        )),
        "belongs to another search",
    );
    assert_eq!(
        app.get(
            orgs["next_url"]
                .as_str()
                .unwrap()
                .strip_prefix("https://directory.example")
                .unwrap()
        )
        .status,
        200
    );
    let change = app.get_json("/api/v1/changes?limit=1")["next"]
        .as_str()
        .unwrap()
        .to_owned();
    for cursor in [org_cursor.as_str(), change.as_str(), "bm90LWEtY3Vyc29y"] {
        refused_cursor(
            &app.get(&format!("/api/v1/opportunities?cursor={cursor}")),
            "is not a cursor this list issued",
        );
    }
    // A cursor of this list from before cursors named their search.
    refused_cursor(
        &app.get("/api/v1/opportunities?cursor=WyJvcHBvcnR1bml0aWVzIixbXSwieCJd"),
        "leave it out to start from the first page",
    );
    let reply = app.get(&format!("/api/v1/changes?after={next}"));
    let problem = assert_problem(&reply, 400);
    assert_eq!(problem["errors"][0]["name"], "after", "{problem}");
}

#[test]
fn organizations_page_alphabetically() {
    let app = spawn_app();
    for name in ["delta", "alpha", "charlie", "bravo", "echo"] {
        app.insert_organization(&organization(name));
    }
    let mut names = Vec::new();
    let mut path = "/api/v1/organizations?limit=2".to_owned();
    loop {
        let page = app.get_json(&path);
        assert_eq!(page["total"], 5);
        names.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["slug"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/organizations?limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(names, vec!["alpha", "bravo", "charlie", "delta", "echo"]);
}
