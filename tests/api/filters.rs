//! Every filter of `GET /api/v1/opportunities`, against a small world built for it.

use chrono::Duration;

use mobility_directory::domain::codes::Currency;
use mobility_directory::domain::geography::{Area, Country};
use mobility_directory::domain::opportunity::{ApplicationFee, Funding};
use mobility_directory::domain::vocabulary::{
    CareerStage, CoveredCost, Discipline, OpportunityType,
};

use crate::helpers::{TestApp, deadline_in, opportunity, organization, spawn_app};

fn areas(codes: &[&str]) -> Vec<Area> {
    codes.iter().map(|c| Area::parse(c).unwrap()).collect()
}

/// Seven calls, each different from the others in the way one filter looks at.
fn world() -> TestApp {
    let app = spawn_app();
    let alpha = organization("alpha-foundation");
    let beta = organization("beta-festival");
    app.insert_organization(&alpha);
    app.insert_organization(&beta);

    let mut residency = opportunity("residency-si-nationals", &alpha);
    residency.disciplines = vec![Discipline::VisualArts, Discipline::Crafts];
    residency.covered_costs = vec![CoveredCost::Travel, CoveredCost::Accommodation];
    residency.eligibility.nationalities = areas(&["SI"]);
    residency.eligibility.career_stage = CareerStage::Emerging;
    residency.deadline = Some(deadline_in(Duration::days(10), "Europe/Ljubljana"));
    app.insert(&residency);

    let mut grant = opportunity("grant-si-residents", &alpha);
    grant.kind = OpportunityType::ProjectGrant;
    grant.disciplines = vec![Discipline::Music];
    grant.covered_costs = vec![CoveredCost::Travel];
    grant.eligibility.residences = areas(&["SI"]);
    grant.eligibility.career_stage = CareerStage::MidCareer;
    grant.funding = Some(Funding {
        min: Some(5000),
        max: Some(20000),
        currency: Currency::parse("EUR").unwrap(),
    });
    grant.deadline = Some(deadline_in(Duration::days(20), "Europe/Ljubljana"));
    app.insert(&grant);

    let mut eu = opportunity("fellowship-eu-nationals", &beta);
    eu.kind = OpportunityType::Fellowship;
    eu.disciplines = vec![Discipline::Literature];
    eu.eligibility.nationalities = areas(&["eu"]);
    eu.destination.countries = vec![Country::parse("DE").unwrap()];
    eu.application_fee = ApplicationFee {
        amount: 25,
        currency: Currency::parse("EUR"),
    };
    eu.funding = Some(Funding {
        min: Some(3000),
        max: None,
        currency: Currency::parse("EUR").unwrap(),
    });
    eu.deadline = Some(deadline_in(Duration::days(40), "Europe/Berlin"));
    app.insert(&eu);

    let mut balkans = opportunity("lab-western-balkans", &beta);
    balkans.kind = OpportunityType::Training;
    balkans.disciplines = vec![Discipline::FilmAudiovisual];
    balkans.eligibility.nationalities = areas(&["western_balkans"]);
    balkans.eligibility.residences = areas(&["western_balkans"]);
    balkans.destination.countries = vec![Country::parse("RS").unwrap()];
    balkans.funding = None;
    balkans.deadline = Some(deadline_in(Duration::days(50), "Europe/Belgrade"));
    app.insert(&balkans);

    let mut open_to_all = opportunity("open-to-everyone", &beta);
    open_to_all.kind = OpportunityType::Residency;
    open_to_all.disciplines = vec![Discipline::VisualArts];
    open_to_all.covered_costs = vec![
        CoveredCost::Travel,
        CoveredCost::Accommodation,
        CoveredCost::Fee,
    ];
    open_to_all.eligibility.career_stage = CareerStage::Any;
    open_to_all.destination.countries = vec![Country::parse("FR").unwrap()];
    open_to_all.funding = Some(Funding {
        min: None,
        max: Some(500),
        currency: Currency::parse("EUR").unwrap(),
    });
    open_to_all.deadline = Some(deadline_in(Duration::days(60), "Europe/Paris"));
    app.insert(&open_to_all);

    let mut rolling = opportunity("rolling-travel-fund", &alpha);
    rolling.kind = OpportunityType::TravelGrant;
    rolling.rolling = true;
    rolling.deadline = None;
    rolling.eligibility.residences = areas(&["NO"]);
    rolling.destination.countries = vec![Country::parse("NO").unwrap()];
    app.insert(&rolling);

    let mut closed = opportunity("closed-award", &alpha);
    closed.kind = OpportunityType::Award;
    closed.deadline = Some(deadline_in(-Duration::days(3), "Europe/Ljubljana"));
    app.insert(&closed);

    let mut draft = opportunity("unpublished-draft", &alpha);
    draft.published_at = None;
    draft.state = mobility_directory::domain::vocabulary::WorkflowState::Draft;
    app.insert(&draft);
    app
}

fn sorted(slugs: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = slugs.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

const LISTED: &[&str] = &[
    "residency-si-nationals",
    "grant-si-residents",
    "fellowship-eu-nationals",
    "lab-western-balkans",
    "open-to-everyone",
    "rolling-travel-fund",
];

#[test]
fn filters_each_narrow_the_list_exactly() {
    let app = world();
    let cases: &[(&str, &[&str])] = &[
        ("", LISTED),
        (
            "type=residency",
            &["residency-si-nationals", "open-to-everyone"],
        ),
        (
            "type=residency&type=training",
            &[
                "residency-si-nationals",
                "open-to-everyone",
                "lab-western-balkans",
            ],
        ),
        (
            "type=project_grant,fellowship",
            &["grant-si-residents", "fellowship-eu-nationals"],
        ),
        (
            "discipline=visual_arts",
            &["residency-si-nationals", "open-to-everyone"],
        ),
        (
            "discipline=music&discipline=literature",
            &["grant-si-residents", "fellowship-eu-nationals"],
        ),
        (
            "covers=travel",
            &[
                "residency-si-nationals",
                "grant-si-residents",
                "open-to-everyone",
            ],
        ),
        (
            "covers=travel&covers=accommodation",
            &["residency-si-nationals", "open-to-everyone"],
        ),
        ("covers=fee,travel", &["open-to-everyone"]),
        ("destination_country=DE", &["fellowship-eu-nationals"]),
        (
            "destination_country=western_balkans",
            &["lab-western-balkans"],
        ),
        (
            "destination_country=eu",
            &[
                "residency-si-nationals",
                "grant-si-residents",
                "fellowship-eu-nationals",
                "open-to-everyone",
            ],
        ),
        ("free_to_apply=false", &["fellowship-eu-nationals"]),
        (
            "min_amount=3000",
            &["grant-si-residents", "fellowship-eu-nationals"],
        ),
        ("min_amount=20001", &[]),
        (
            "career_stage=emerging",
            &[
                "residency-si-nationals",
                "fellowship-eu-nationals",
                "lab-western-balkans",
                "open-to-everyone",
                "rolling-travel-fund",
            ],
        ),
        (
            "career_stage=mid_career",
            &[
                "grant-si-residents",
                "fellowship-eu-nationals",
                "lab-western-balkans",
                "open-to-everyone",
                "rolling-travel-fund",
            ],
        ),
        (
            "organization=beta-festival",
            &[
                "fellowship-eu-nationals",
                "lab-western-balkans",
                "open-to-everyone",
            ],
        ),
        ("organization=nobody", &[]),
        ("status=closed", &["closed-award"]),
        ("status=rolling", &["rolling-travel-fund"]),
        (
            "status=closed,rolling",
            &["closed-award", "rolling-travel-fund"],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(app.slugs(query), sorted(expected), "query `{query}`");
    }
    let free = app.slugs("free_to_apply=true");
    assert!(!free.contains(&"fellowship-eu-nationals".to_string()));
    assert_eq!(free.len(), LISTED.len() - 1);
}

#[test]
fn organization_filter_takes_an_id_as_well_as_a_slug() {
    let app = world();
    let id = app.get_json("/api/v1/organizations/beta-festival")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.slugs(&format!("organization={id}")),
        app.slugs("organization=beta-festival")
    );
}

#[test]
fn nationality_and_residence_are_different_routes_to_eligibility() {
    let app = world();
    // A Slovenian national: the nationals-only residency, the EU fellowship, and calls with no rule.
    assert_eq!(
        app.slugs("nationality=SI"),
        sorted(&[
            "residency-si-nationals",
            "fellowship-eu-nationals",
            "open-to-everyone"
        ])
    );
    // A resident of Slovenia who is not Slovenian: the residents' grant, not the nationals' residency.
    assert_eq!(
        app.slugs("residence=SI"),
        sorted(&["grant-si-residents", "open-to-everyone"])
    );
    // Someone Slovenian by nationality or residence qualifies for both.
    assert_eq!(
        app.slugs("eligible_country=SI"),
        sorted(&[
            "residency-si-nationals",
            "grant-si-residents",
            "fellowship-eu-nationals",
            "open-to-everyone"
        ])
    );
    // A Serbian national living in Slovenia: the Balkans lab by nationality, the grant by residence.
    assert_eq!(
        app.slugs("nationality=RS&residence=SI"),
        sorted(&[
            "lab-western-balkans",
            "grant-si-residents",
            "open-to-everyone"
        ])
    );
    // Residence in Norway opens the rolling fund; Norwegian nationality alone does not.
    assert!(
        app.slugs("residence=NO")
            .contains(&"rolling-travel-fund".to_string())
    );
    assert!(
        !app.slugs("nationality=NO")
            .contains(&"rolling-travel-fund".to_string())
    );
}

#[test]
fn regions_expand_in_both_directions() {
    let app = world();
    // A German national matches the call for EU nationals.
    assert_eq!(
        app.slugs("nationality=DE"),
        sorted(&["fellowship-eu-nationals", "open-to-everyone"])
    );
    // Someone from Montenegro matches the Western Balkans call by nationality and by residence.
    assert_eq!(
        app.slugs("eligible_country=ME"),
        sorted(&["lab-western-balkans", "open-to-everyone"])
    );
    // Asking with a region matches calls naming any of its countries or an overlapping region.
    assert_eq!(
        app.slugs("eligible_country=western_balkans"),
        sorted(&["lab-western-balkans", "open-to-everyone"])
    );
    assert_eq!(
        app.slugs("nationality=eea"),
        sorted(&[
            "residency-si-nationals",
            "fellowship-eu-nationals",
            "open-to-everyone"
        ])
    );
    // Country codes are upper case, as in ISO 3166-1.
    assert_eq!(
        app.get("/api/v1/opportunities?eligible_country=me").status,
        400
    );
}

#[test]
fn deadline_window_and_updated_since() {
    let app = world();
    let now = chrono::Utc::now();
    let fmt = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let after = fmt(now + Duration::days(15));
    let before = fmt(now + Duration::days(45));
    assert_eq!(
        app.slugs(&format!("deadline_after={after}&deadline_before={before}")),
        sorted(&["grant-si-residents", "fellowship-eu-nationals"])
    );
    // Offsets other than Z are understood (the + must be percent-encoded in a URL).
    let after_offset =
        (now + Duration::days(45)).with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap());
    let encoded = after_offset
        .format("%Y-%m-%dT%H:%M:%S%%2B02:00")
        .to_string();
    assert_eq!(
        app.slugs(&format!("deadline_after={encoded}")),
        sorted(&["lab-western-balkans", "open-to-everyone"])
    );
    assert_eq!(
        app.slugs(&format!("updated_since={}", fmt(now + Duration::days(1)))),
        Vec::<String>::new()
    );
    assert_eq!(
        app.slugs(&format!("updated_since={}", fmt(now - Duration::days(1))))
            .len(),
        LISTED.len()
    );
}

#[test]
fn unpublished_entries_are_neither_listed_nor_found() {
    let app = world();
    assert!(
        !app.slugs("status=upcoming,open,closing_soon,closed,rolling")
            .contains(&"unpublished-draft".to_string())
    );
    assert_eq!(
        app.get("/api/v1/opportunities/unpublished-draft").status,
        404
    );
}
