//! Detail lookups, organizations and taxonomies.

use mobility_directory::domain::codes::Currency;
use mobility_directory::domain::opportunity::ApplicationFee;

use crate::helpers::{opportunity, organization, spawn_app};

#[test]
fn an_opportunity_is_found_by_id_and_by_slug_with_every_field() {
    let app = spawn_app();
    let org = organization("lumen");
    app.insert_organization(&org);
    let mut o = opportunity("lumen-residency", &org);
    o.summary.en = Some("A summary".into());
    o.summary.sl = None;
    o.application_fee = ApplicationFee {
        amount: 30,
        currency: Currency::parse("EUR"),
    };
    app.insert(&o);

    let by_slug = app.get_json("/api/v1/opportunities/lumen-residency");
    let by_id = app.get_json(&format!("/api/v1/opportunities/{}", o.id));
    assert_eq!(by_slug["id"], o.id.to_string());
    assert_eq!(by_slug["slug"], by_id["slug"]);
    assert_eq!(by_slug["type"], "residency");
    assert_eq!(by_slug["title"]["sl"], "Naslov lumen-residency");
    assert_eq!(by_slug["summary"]["en"], "A summary");
    assert!(by_slug["summary"]["sl"].is_null());
    assert_eq!(by_slug["organization"]["slug"], "lumen");
    assert_eq!(
        by_slug["destination"]["countries"],
        serde_json::json!(["SI"])
    );
    assert_eq!(
        by_slug["funding"],
        serde_json::json!({"min": null, "max": 1000, "currency": "EUR"})
    );
    assert_eq!(
        by_slug["application_fee"],
        serde_json::json!({"amount": 30, "currency": "EUR"})
    );
    assert_eq!(by_slug["free_to_apply"], false);
    assert_eq!(by_slug["deadline_timezone"], "Europe/Ljubljana");
    assert!(by_slug["deadline"].as_str().unwrap().ends_with('Z'));
    assert_eq!(by_slug["languages"], serde_json::json!(["en"]));
    uuid::Uuid::parse_str(by_slug["id"].as_str().unwrap()).unwrap();
}

#[test]
fn organizations_are_listed_filtered_and_found() {
    let app = spawn_app();
    let mut oslo = organization("oslo-house");
    oslo.country = mobility_directory::domain::geography::Country::parse("NO").unwrap();
    oslo.kind = mobility_directory::domain::vocabulary::OrganizationKind::ResidencyCentre;
    app.insert_organization(&oslo);
    app.insert_organization(&organization("ljubljana-fund"));
    assert_eq!(app.get_json("/api/v1/organizations")["total"], 2);
    let norwegian = app.get_json("/api/v1/organizations?country=NO");
    assert_eq!(norwegian["total"], 1);
    assert_eq!(norwegian["items"][0]["slug"], "oslo-house");
    assert_eq!(
        app.get_json("/api/v1/organizations?kind=residency_centre")["items"][0]["slug"],
        "oslo-house"
    );
    let by_id = app.get_json(&format!("/api/v1/organizations/{}", oslo.id));
    assert_eq!(by_id["slug"], "oslo-house");
    assert_eq!(by_id["country"], "NO");
    assert_eq!(by_id["kind"], "residency_centre");
}

#[test]
fn taxonomies_list_terms_in_english_and_slovenian() {
    let app = spawn_app();
    let names = app.get_json("/api/v1/taxonomies")["names"].clone();
    for name in names.as_array().unwrap() {
        let taxonomy = app.get_json(&format!("/api/v1/taxonomies/{}", name.as_str().unwrap()));
        for term in taxonomy["terms"].as_array().unwrap() {
            assert!(!term["name"]["en"].as_str().unwrap().is_empty(), "{term}");
            assert!(!term["name"]["sl"].as_str().unwrap().is_empty(), "{term}");
        }
    }
    let types = app.get_json("/api/v1/taxonomies/types");
    let slugs: Vec<&str> = types["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    for wanted in [
        "residency",
        "fellowship",
        "project_grant",
        "travel_grant",
        "commission",
        "presenting",
        "competition",
        "award",
        "training",
        "networking",
        "go_and_see",
        "market_development",
        "touring",
        "research",
        "production",
        "job",
    ] {
        assert!(slugs.contains(&wanted), "{wanted}");
    }
    assert!(
        app.get_json("/api/v1/taxonomies/disciplines")["terms"]
            .as_array()
            .unwrap()
            .len()
            >= 15
    );
    let countries = app.get_json("/api/v1/taxonomies/countries");
    assert!(countries["terms"].as_array().unwrap().len() >= 249);
    let si = countries["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "SI")
        .unwrap();
    assert_eq!(si["name"]["sl"], "Slovenija");
    let regions = app.get_json("/api/v1/taxonomies/regions");
    let wb = regions["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "western_balkans")
        .unwrap();
    assert_eq!(
        wb["countries"],
        serde_json::json!(["AL", "BA", "ME", "MK", "RS", "XK"])
    );
    let region_slugs: Vec<&str> = regions["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        region_slugs,
        vec!["eu", "eea", "creative_europe", "western_balkans"]
    );
}

#[test]
fn a_list_item_carries_what_a_list_shows_and_the_detail_the_rest() {
    let app = spawn_app();
    let org = organization("lumen");
    app.insert_organization(&org);
    let mut o = opportunity("long-read", &org);
    o.summary.en = Some("Short.".into());
    o.description.en = Some("A long description. ".repeat(200));
    o.contact_email = Some("calls@example.org".into());
    o.application_url = Some("https://lumen.example.org/apply".into());
    app.insert(&o);
    let item = app.get_json("/api/v1/opportunities")["items"][0].clone();
    assert_eq!(item["slug"], "long-read");
    assert_eq!(item["summary"]["en"], "Short.");
    assert_eq!(item["organization"]["slug"], "lumen");
    // Where to apply, so that a list (the widget's) links there.
    assert_eq!(item["application_url"], "https://lumen.example.org/apply");
    for absent in [
        "description",
        "contact_email",
        "languages",
        "activity",
        "changes",
    ] {
        assert!(
            item.get(absent).is_none(),
            "a list item has no {absent}: {item}"
        );
    }
    let detail = app.get_json("/api/v1/opportunities/long-read");
    assert!(detail["description"]["en"].as_str().unwrap().len() > 3000);
    assert_eq!(detail["contact_email"], "calls@example.org");
    assert_eq!(detail["languages"], serde_json::json!(["en"]));
}
