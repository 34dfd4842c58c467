//! The demo directory is plausible: texts that fit each type, Slovenian place names in
//! the Slovenian texts, stays as long as their kind, cities inside the destination,
//! calls published before their deadline, and each with what publication needs.

use std::collections::HashSet;

use mobility_directory::domain::vocabulary::OpportunityType;
use mobility_directory::store;

use crate::helpers::spawn_app;

#[test]
fn the_demo_entries_are_plausible_and_written_for_their_type() {
    let app = spawn_app();
    let mut conn = app.pool.get().unwrap();
    let now = chrono::Utc::now();
    let added = mobility_directory::demo::load(&mut conn, now).unwrap();
    assert!(added >= 80);
    let filter = store::opportunities::OpportunityFilter {
        statuses: mobility_directory::domain::status::Status::ALL.to_vec(),
        ..Default::default()
    };
    let page = store::opportunities::list(
        &mut conn,
        &filter,
        store::opportunities::Sort::Deadline,
        None,
        1000,
        now,
    )
    .unwrap();
    assert_eq!(page.items.len(), added);

    let english_names = [
        "Vienna",
        "Lisbon",
        "Prague",
        "Kyiv",
        "Thessaloniki",
        "Marrakesh",
        "Kyoto",
        "Kraków",
        "Tallinn",
        "Ghent",
    ];
    let mut descriptions = HashSet::new();
    let mut openings_by_type: Vec<(OpportunityType, String)> = Vec::new();
    for listed in &page.items {
        let o = store::opportunities::find_any(&mut conn, &listed.slug).unwrap();
        let org = store::organizations::find(&mut conn, &o.organization_id.to_string()).unwrap();
        assert_eq!(
            mobility_directory::domain::publication::missing(&o),
            vec![],
            "{}: published without what publication needs",
            o.slug
        );
        let sl = o.description.sl.clone().unwrap();
        let en = o.description.en.clone().unwrap();
        for name in english_names {
            assert!(
                !sl.contains(name) && !o.summary.sl.clone().unwrap().contains(name),
                "{}: the Slovenian text says {name}",
                o.slug
            );
        }
        assert!(
            descriptions.insert(en.clone()),
            "{}: a repeated description",
            o.slug
        );
        openings_by_type.push((o.kind, en.split('.').next().unwrap().to_owned()));
        // Every description says who may apply and how.
        assert!(
            en.to_lowercase().contains("appl") && sl.to_lowercase().contains("prijav"),
            "{}: {en}",
            o.slug
        );
        if let (Some(deadline), Some(published)) = (o.deadline, o.published_at) {
            assert!(
                published < deadline.at,
                "{}: published after its deadline",
                o.slug
            );
        }
        if matches!(
            o.kind,
            OpportunityType::Networking
                | OpportunityType::GoAndSee
                | OpportunityType::MarketDevelopment
        ) {
            assert!(
                o.activity.duration_max_days.unwrap_or(0) <= 7,
                "{}: a {} of {:?} days",
                o.slug,
                o.kind.slug(),
                o.activity.duration_max_days
            );
        }
        if let Some(city) = &o.destination.city {
            assert_eq!(Some(city), org.city.as_ref(), "{}", o.slug);
            assert!(
                o.destination.countries.contains(&org.country),
                "{}: {city} lies outside {:?}",
                o.slug,
                o.destination.countries
            );
        }
    }
    // Different types open with different words.
    let residency = openings_by_type
        .iter()
        .find(|(k, _)| *k == OpportunityType::Residency)
        .unwrap();
    let award = openings_by_type
        .iter()
        .find(|(k, _)| *k == OpportunityType::Award)
        .unwrap();
    assert!(residency.1.starts_with("A residency"), "{}", residency.1);
    assert!(award.1.starts_with("An award"), "{}", award.1);
}
