//! The feeds, each read by a parser made for its format: Atom, iCalendar, CSV, JSON-LD.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde_json::Value;

use mobility_directory::domain::opportunity::{Opportunity, Organization, Texts};
use mobility_directory::domain::vocabulary::{Discipline, WorkflowState};
use mobility_directory::store;

use crate::helpers::{
    TestApp, assert_problem, deadline_at_local, opportunity, organization, spawn_app,
};
use crate::parsers::parse;

const BASE: &str = "https://directory.example";

fn local(s: &str) -> NaiveDateTime {
    s.parse().unwrap()
}

/// Three calls with deadlines in three zones (one in summer time, one without daylight
/// saving), one dance call in Slovenian and English.
fn directory() -> (TestApp, Organization, Vec<Opportunity>) {
    let app = spawn_app();
    let org = organization("lumen");
    app.insert_organization(&org);
    let mut dance = opportunity("summer-dance-lab", &org);
    dance.title = Texts::both("Summer Dance Lab", "Poletni plesni laboratorij");
    dance.summary = Texts::both(
        "Two weeks of dance in Ljubljana.",
        "Dva tedna plesa v Ljubljani.",
    );
    dance.disciplines = vec![Discipline::from_slug("dance").unwrap()];
    dance.deadline = Some(deadline_at_local(
        local("2027-07-15T23:59:00"),
        "Europe/Ljubljana",
    ));
    dance.application_url = Some("https://lumen.example.org/apply".into());
    let mut harbour = opportunity("harbour-residency", &org);
    harbour.deadline = Some(deadline_at_local(
        local("2027-03-01T17:00:00"),
        "America/New_York",
    ));
    let mut valley = opportunity("valley-fellowship", &org);
    valley.deadline = Some(deadline_at_local(
        local("2027-05-01T12:00:00"),
        "Asia/Kathmandu",
    ));
    for o in [&dance, &harbour, &valley] {
        app.insert(o);
    }
    (app, org, vec![dance, harbour, valley])
}

fn slugs_of_list(app: &TestApp, query: &str) -> Vec<String> {
    app.get_json(&format!("/api/v1/opportunities?limit=100&{query}"))["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["slug"].as_str().unwrap().to_owned())
        .collect()
}

fn get_ok(app: &TestApp, path: &str, content_type: &str) -> String {
    let reply = app.get(path);
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some(content_type),
        "{path}"
    );
    reply.body
}

#[test]
fn the_calendar_has_one_event_per_deadline_in_its_own_zone_with_reminders() {
    let (app, _, entries) = directory();
    let text = get_ok(
        &app,
        "/api/v1/opportunities.ics",
        "text/calendar; charset=utf-8",
    );
    let calendar = parse("ical", &text);
    let events = calendar["events"].as_array().unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(
        calendar["timezones"],
        serde_json::json!(["America/New_York", "Asia/Kathmandu", "Europe/Ljubljana"])
    );
    for o in &entries {
        let uid = format!("{}@deadline.mobility-directory", o.id);
        let event = events.iter().find(|e| e["uid"] == uid.as_str()).unwrap();
        let deadline = o.deadline.unwrap();
        // The instant, as the parser computes it from the calendar's own VTIMEZONE.
        let utc: DateTime<Utc> = event["utc"].as_str().unwrap().parse().unwrap();
        assert_eq!(utc, deadline.at, "{}", o.slug);
        assert_eq!(event["tzid"], deadline.timezone.name());
        assert_eq!(
            event["local"],
            deadline
                .local()
                .naive_local()
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string()
        );
        assert_eq!(event["status"], "CONFIRMED");
        assert_eq!(
            event["url"],
            format!("{BASE}/api/v1/opportunities/{}", o.slug)
        );
        let mut before: Vec<i64> = event["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                assert_eq!(a["action"], "DISPLAY");
                a["before_seconds"].as_i64().unwrap()
            })
            .collect();
        before.sort_unstable();
        assert_eq!(before, vec![86_400, 7 * 86_400]);
    }
    // In Slovenian, the calendar speaks Slovenian.
    let sl = parse("ical", &app.get("/api/v1/opportunities.ics?lang=sl").body);
    let dance = sl["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["uid"]
                .as_str()
                .unwrap()
                .starts_with(&entries[0].id.to_string())
        })
        .unwrap()
        .clone();
    assert_eq!(dance["summary"], "Rok: Poletni plesni laboratorij");
    assert!(
        dance["description"]
            .as_str()
            .unwrap()
            .contains("Dva tedna plesa")
    );
    assert!(
        dance["alarms"][0]["description"]
            .as_str()
            .unwrap()
            .starts_with("Še ")
    );
}

#[test]
fn a_moved_deadline_updates_the_same_event_and_a_withdrawal_cancels_it() {
    let (app, _, entries) = directory();
    let event_of = |text: &str, o: &Opportunity| -> Value {
        parse("ical", text)["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["uid"].as_str().unwrap().starts_with(&o.id.to_string()))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let path = "/api/v1/opportunities.ics";
    let before = event_of(&app.get(path).body, &entries[0]);
    let mut conn = app.pool.get().unwrap();
    let mut moved = entries[0].clone();
    moved.deadline = Some(deadline_at_local(
        local("2027-08-01T12:00:00"),
        "Europe/Ljubljana",
    ));
    moved.version = 2;
    moved.updated_at = Utc::now();
    store::opportunities::update(&mut conn, &moved, 1).unwrap();
    let after = event_of(&app.get(path).body, &entries[0]);
    assert_eq!(after["uid"], before["uid"], "the same event");
    assert!(after["sequence"].as_i64() > before["sequence"].as_i64());
    assert_eq!(after["local"], "2027-08-01T12:00:00");

    let current = store::opportunities::find_any(&mut conn, "summer-dance-lab").unwrap();
    store::editing::transition(
        &mut conn,
        &current,
        WorkflowState::Withdrawn,
        None,
        "withdrawn",
        None,
    )
    .unwrap();
    let cancelled = event_of(&app.get(path).body, &entries[0]);
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(cancelled["uid"], before["uid"]);
    assert!(cancelled["sequence"].as_i64() > after["sequence"].as_i64());
    assert!(cancelled["alarms"].as_array().unwrap().is_empty());
    // Only calendars that could hold it hear of it: another search does not.
    let other = event_of(
        &app.get("/api/v1/opportunities.ics?destination_country=US")
            .body,
        &entries[0],
    );
    assert!(other.is_null());
    let searched = event_of(
        &app.get("/api/v1/opportunities.ics?discipline=dance").body,
        &entries[0],
    );
    assert_eq!(searched["status"], "CANCELLED");
}

#[test]
fn the_atom_feed_lists_the_latest_changes_with_stable_ids() {
    let (app, _, entries) = directory();
    let mut conn = app.pool.get().unwrap();
    let mut changed = entries[1].clone();
    changed.summary = Texts::both("Now with a studio.", "Zdaj s studiem.");
    changed.version = 2;
    changed.updated_at = Utc::now() + Duration::seconds(1);
    store::opportunities::update(&mut conn, &changed, 1).unwrap();
    let text = get_ok(
        &app,
        "/api/v1/opportunities.atom",
        "application/atom+xml; charset=utf-8",
    );
    let feed = parse("atom", &text);
    assert_eq!(feed["version"], "atom10");
    let items = feed["entries"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[0]["id"],
        format!("urn:uuid:{}", entries[1].id),
        "latest change first"
    );
    assert_eq!(items[0]["summary"], "Now with a studio.");
    for (item, o) in items.iter().zip([&entries[1]]) {
        assert_eq!(item["title"], o.title.en.clone().unwrap());
        assert_eq!(item["author"], "Organization lumen");
        assert_eq!(
            item["links"][0]["href"],
            format!("{BASE}/api/v1/opportunities/{}", o.slug)
        );
    }
    let self_link = feed["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "self")
        .unwrap();
    assert_eq!(
        self_link["href"],
        format!("{BASE}/api/v1/opportunities.atom")
    );
    // Paged: the next page is linked, in the feed and in the header.
    let first = app.get("/api/v1/opportunities.atom?limit=2");
    let page = parse("atom", &first.body);
    assert_eq!(page["entries"].as_array().unwrap().len(), 2);
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(first.header("link").unwrap().contains("rel=\"next\""));
    let rest = parse("atom", &app.get(next.strip_prefix(BASE).unwrap()).body);
    assert_eq!(rest["entries"].as_array().unwrap().len(), 1);
    // Filters and search apply, as on the list.
    let danced = parse("atom", &app.get("/api/v1/opportunities.atom?q=plesni").body);
    let ids: Vec<&str> = danced["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![format!("urn:uuid:{}", entries[0].id)]);
    assert_eq!(slugs_of_list(&app, "q=plesni"), vec!["summer-dance-lab"]);
}

#[test]
fn the_csv_has_one_header_row_and_one_row_per_entry_and_defuses_formulas() {
    let (app, org, entries) = directory();
    let mut sly = opportunity("sly-call", &org);
    sly.title = Texts::both(
        "=HYPERLINK(\"https://evil.example\")",
        "Čudežni klic; z vejico, \"narekovaji\"\nin vrstico",
    );
    sly.disciplines = vec![
        Discipline::from_slug("dance").unwrap(),
        Discipline::from_slug("music").unwrap(),
    ];
    app.insert(&sly);
    let text = get_ok(
        &app,
        "/api/v1/opportunities.csv",
        "text/csv; charset=utf-8; header=present",
    );
    assert!(text.contains("\r\n"), "CRLF line ends");
    let table = parse("csv", &text);
    let header: Vec<&str> = table["header"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert_eq!(
        header[..6],
        ["id", "version", "slug", "url", "type", "status"]
    );
    let rows = table["rows"].as_array().unwrap();
    assert_eq!(rows.len(), entries.len() + 1);
    let row = rows.iter().find(|r| r["slug"] == "sly-call").unwrap();
    assert_eq!(row["title_en"], "'=HYPERLINK(\"https://evil.example\")");
    assert_eq!(
        row["title_sl"],
        "Čudežni klic; z vejico, \"narekovaji\"\nin vrstico"
    );
    assert_eq!(row["disciplines"], "dance;music");
    assert_eq!(row["funding_max"], "1000");
    assert_eq!(row["funding_currency"], "EUR");
    let dance = rows
        .iter()
        .find(|r| r["slug"] == "summer-dance-lab")
        .unwrap();
    assert_eq!(
        dance["deadline"], "2027-07-15T23:59:00+02:00",
        "the deadline as announced, at its local time"
    );
    assert_eq!(dance["deadline_timezone"], "Europe/Ljubljana");
    assert_eq!(dance["destination_countries"], "SI");
    // The same filters as the list.
    let filtered = parse(
        "csv",
        &app.get("/api/v1/opportunities.csv?discipline=music").body,
    );
    let slugs: Vec<&str> = filtered["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, slugs_of_list(&app, "discipline=music"));
}

#[test]
fn an_entry_is_a_schema_org_monetary_grant_and_the_catalogue_a_dataset() {
    let (app, _, entries) = directory();
    let path = "/api/v1/opportunities/summer-dance-lab";
    let by_param = get_ok(
        &app,
        &format!("{path}?format=jsonld"),
        "application/ld+json",
    );
    let by_accept = app.request_with("GET", path, &[("accept", "application/ld+json")]);
    assert_eq!(
        by_accept.header("content-type").as_deref(),
        Some("application/ld+json")
    );
    assert_eq!(by_accept.body, by_param);
    let vary = by_accept.header_values("vary").to_lowercase();
    assert!(vary.contains("accept"), "{vary}");
    let expanded = parse("jsonld", &by_param);
    let grant = &expanded[0];
    let schema = |term: &str| format!("https://schema.org/{term}");
    assert_eq!(grant["@type"][0], schema("MonetaryGrant"));
    assert_eq!(grant["@id"], format!("{BASE}{path}"));
    let amount = &grant[schema("amount")][0];
    assert_eq!(amount["@type"][0], schema("MonetaryAmount"));
    assert_eq!(amount[schema("currency")][0]["@value"], "EUR");
    assert_eq!(amount[schema("maxValue")][0]["@value"], 1000);
    let funder = &grant[schema("funder")][0];
    assert_eq!(funder["@type"][0], schema("Organization"));
    assert_eq!(funder[schema("name")][0]["@value"], "Organization lumen");
    let apply = &grant[schema("potentialAction")][0];
    assert_eq!(apply["@type"][0], schema("ApplyAction"));
    assert_eq!(
        apply[schema("endTime")][0]["@value"],
        "2027-07-15T23:59:00+02:00"
    );
    let names: Vec<(&str, &str)> = grant[schema("name")]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["@language"].as_str().unwrap(),
                n["@value"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(names.contains(&("sl", "Poletni plesni laboratorij")));
    let page = &grant[schema("subjectOf")][0];
    assert_eq!(page["@type"][0], schema("WebPage"));
    assert!(page[schema("dateModified")][0]["@value"].is_string());
    let place = &page[schema("spatialCoverage")][0];
    assert_eq!(place["@type"][0], schema("Place"));
    // Every property is one schema.org defines for the type it is on.
    assert_eq!(
        parse("schemaorg", &by_param)["violations"],
        serde_json::json!([])
    );
    assert_eq!(entries.len(), 3);

    let dataset = parse(
        "jsonld",
        &get_ok(&app, "/api/v1/dataset", "application/ld+json"),
    );
    assert_eq!(dataset[0]["@type"][0], schema("Dataset"));
    assert_eq!(
        dataset[0][schema("license")][0]["@value"],
        "https://creativecommons.org/licenses/by/4.0/"
    );
    assert_eq!(
        dataset[0][schema("creator")][0]["@type"][0],
        schema("Organization")
    );
    assert_eq!(
        parse(
            "schemaorg",
            &get_ok(&app, "/api/v1/dataset", "application/ld+json")
        )["violations"],
        serde_json::json!([])
    );
    let downloads = dataset[0][schema("distribution")].as_array().unwrap();
    let formats: Vec<&str> = downloads
        .iter()
        .map(|d| {
            assert_eq!(d["@type"][0], schema("DataDownload"));
            let url = d[schema("contentUrl")][0]["@value"].as_str().unwrap();
            let reply = app.get(url.strip_prefix(BASE).unwrap());
            assert_eq!(reply.status, 200, "{url}");
            d[schema("encodingFormat")][0]["@value"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        formats,
        [
            "application/json",
            "text/csv",
            "application/atom+xml",
            "text/calendar"
        ]
    );
}

#[test]
fn the_list_speaks_each_format_its_accept_header_asks_for() {
    let (app, _, _) = directory();
    let query = "discipline=dance&eligible_country=SI";
    for (accept, explicit) in [
        ("text/calendar", "/api/v1/opportunities.ics"),
        ("application/atom+xml", "/api/v1/opportunities.atom"),
        ("text/csv", "/api/v1/opportunities.csv"),
    ] {
        // Asked twice: the second answer comes from the response cache, which keeps
        // each format apart from the JSON one.
        for _ in 0..2 {
            assert_eq!(
                app.get(&format!("/api/v1/opportunities?{query}"))
                    .header("content-type")
                    .as_deref(),
                Some("application/json")
            );
            let negotiated = app.request_with(
                "GET",
                &format!("/api/v1/opportunities?{query}"),
                &[("accept", accept)],
            );
            assert_eq!(negotiated.status, 200);
            assert!(
                negotiated
                    .header("content-type")
                    .unwrap()
                    .starts_with(accept)
            );
            assert_eq!(
                negotiated.header("content-location"),
                Some(format!("{explicit}?{query}"))
            );
            assert!(negotiated.header_values("vary").contains("Accept"));
            let direct = app.get(&format!("{explicit}?{query}"));
            assert_eq!(negotiated.body, direct.body, "{accept}");
        }
    }
    assert_problem(
        &app.request_with("GET", "/api/v1/opportunities", &[("accept", "image/png")]),
        406,
    );
    // A feed takes no facets, and says so.
    let refused = assert_problem(&app.get("/api/v1/opportunities.csv?facets=type"), 400);
    assert_eq!(refused["errors"][0]["name"], "facets");
    assert_problem(&app.get("/api/v1/opportunities.ics?limit=1001"), 400);
}
