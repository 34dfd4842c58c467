//! Computed status at the edges of the deadline, across time zones.

use chrono::{Duration, Utc};

use crate::helpers::{deadline_at_local, deadline_in, opportunity, organization, spawn_app};

fn status_of(app: &crate::helpers::TestApp, slug: &str) -> String {
    app.get_json(&format!("/api/v1/opportunities/{slug}"))["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn the_same_wall_clock_deadline_is_open_in_one_zone_and_closed_in_another() {
    let app = spawn_app();
    let org = organization("zones");
    app.insert_organization(&org);
    // Half an hour from now, as a wall-clock time in Bogotá (UTC−5)...
    let local = (Utc::now() + Duration::minutes(30))
        .with_timezone(&chrono_tz::America::Bogota)
        .naive_local();
    let mut bogota = opportunity("bogota", &org);
    bogota.deadline = Some(deadline_at_local(local, "America/Bogota"));
    app.insert(&bogota);
    // ...is fourteen hours ago in Tokyo (UTC+9).
    let mut tokyo = opportunity("tokyo", &org);
    tokyo.deadline = Some(deadline_at_local(local, "Asia/Tokyo"));
    app.insert(&tokyo);

    assert_eq!(status_of(&app, "bogota"), "closing_soon");
    assert_eq!(status_of(&app, "tokyo"), "closed");
    let listed = app.slugs("");
    assert_eq!(listed, vec!["bogota"]);
    assert_eq!(app.slugs("status=closed"), vec!["tokyo"]);

    let detail = app.get_json("/api/v1/opportunities/tokyo");
    assert_eq!(detail["deadline_timezone"], "Asia/Tokyo");
    assert!(
        detail["deadline_local"]
            .as_str()
            .unwrap()
            .ends_with("+09:00")
    );
    assert_eq!(
        detail["deadline_local"].as_str().unwrap()[..16],
        local.format("%Y-%m-%dT%H:%M").to_string()
    );
}

#[test]
fn seven_days_left_is_closing_soon_and_a_passed_deadline_is_closed() {
    let app = spawn_app();
    let org = organization("edges");
    app.insert_organization(&org);
    let cases = [
        (
            "just-passed",
            -Duration::minutes(1),
            "Pacific/Kiritimati",
            "closed",
        ),
        (
            "minutes-left",
            Duration::minutes(5),
            "Pacific/Pago_Pago",
            "closing_soon",
        ),
        (
            "inside-seven-days",
            Duration::days(7) - Duration::hours(1),
            "Pacific/Kiritimati",
            "closing_soon",
        ),
        (
            "outside-seven-days",
            Duration::days(7) + Duration::hours(1),
            "Pacific/Pago_Pago",
            "open",
        ),
    ];
    for (slug, from_now, zone, _) in cases {
        let mut o = opportunity(slug, &org);
        o.deadline = Some(deadline_in(from_now, zone));
        app.insert(&o);
    }
    for (slug, _, _, expected) in cases {
        assert_eq!(status_of(&app, slug), expected, "{slug}");
        // The status filter agrees with the computed status.
        assert!(
            app.slugs(&format!("status={expected}"))
                .contains(&slug.to_string()),
            "{slug}"
        );
    }
    assert!(
        !app.slugs("").contains(&"just-passed".to_string()),
        "closed calls leave the default list"
    );
}

#[test]
fn calls_not_yet_open_are_upcoming_and_rolling_calls_are_rolling() {
    let app = spawn_app();
    let org = organization("phases");
    app.insert_organization(&org);
    let mut upcoming = opportunity("not-open-yet", &org);
    upcoming.opens_at = Some(Utc::now() + Duration::days(3));
    app.insert(&upcoming);
    let mut rolling = opportunity("always-open", &org);
    rolling.rolling = true;
    rolling.deadline = None;
    app.insert(&rolling);
    let mut rolling_upcoming = opportunity("rolling-from-next-week", &org);
    rolling_upcoming.rolling = true;
    rolling_upcoming.deadline = None;
    rolling_upcoming.opens_at = Some(Utc::now() + Duration::days(7));
    app.insert(&rolling_upcoming);

    assert_eq!(status_of(&app, "not-open-yet"), "upcoming");
    assert_eq!(status_of(&app, "always-open"), "rolling");
    assert_eq!(status_of(&app, "rolling-from-next-week"), "upcoming");
    assert_eq!(
        app.slugs("status=upcoming"),
        vec!["not-open-yet", "rolling-from-next-week"]
    );
    assert_eq!(app.slugs("status=rolling"), vec!["always-open"]);
    assert_eq!(app.slugs("").len(), 3);
    let item = app.get_json("/api/v1/opportunities/always-open");
    assert_eq!(item["rolling"], true);
    assert!(item["deadline"].is_null());
}
