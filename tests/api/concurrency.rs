//! Requests that overlap: writes queue instead of failing, an If-Match race has exactly
//! one winner, and limits hold against parallel requests.

use serde_json::json;

use mobility_directory::domain::vocabulary::Role;

use crate::auth::sign_in_reply;
use crate::curation::{create, valid_input, with_org};
use crate::helpers::{Reply, spawn_app};

/// Runs `n` requests at once, each on its own thread, and returns their replies.
fn in_parallel(n: usize, request: impl Fn(usize) -> Reply + Sync) -> Vec<Reply> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let request = &request;
                scope.spawn(move || request(i))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn count(replies: &[Reply], status: u16) -> usize {
    replies.iter().filter(|r| r.status == status).count()
}

fn statuses(replies: &[Reply]) -> Vec<u16> {
    replies.iter().map(|r| r.status).collect()
}

#[test]
fn parallel_creates_all_succeed() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let replies = in_parallel(24, |i| {
        create(
            &app,
            &editor,
            &valid_input("lumen", &format!("Parallel call {i}")),
        )
    });
    assert_eq!(count(&replies, 201), 24, "{:?}", statuses(&replies));
    let staff = app.get_as("/api/v1/staff/opportunities?limit=100", &editor);
    assert_eq!(staff.json()["total"], 24);
}

#[test]
fn an_if_match_race_has_exactly_one_winner_and_the_rest_get_412() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let created = create(&app, &editor, &valid_input("lumen", "Contested call"));
    assert_eq!(created.status, 201, "{}", created.body);
    let path = "/api/v1/opportunities/contested-call";
    let etag = created.header("etag").unwrap();
    let replies = in_parallel(20, |i| {
        app.json(
            "PATCH",
            path,
            Some(&editor),
            &json!({"summary": {"en": format!("Version {i}")}}),
            &[
                ("if-match", etag.as_str()),
                ("content-type", "application/merge-patch+json"),
            ],
        )
    });
    assert_eq!(count(&replies, 200), 1, "{:?}", statuses(&replies));
    assert_eq!(count(&replies, 412), 19, "{:?}", statuses(&replies));
    for reply in replies.iter().filter(|r| r.status == 412) {
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("application/problem+json")
        );
    }
}

#[test]
fn a_write_during_a_bulk_import_waits_for_it_instead_of_failing() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let editor = app.token_for(Role::Editor);
    let rows: Vec<_> = (0..300)
        .map(|i| {
            let mut row = valid_input("lumen", &format!("Imported call {i}"));
            row["external_id"] = json!(format!("bulk-{i}"));
            row
        })
        .collect();
    let replies = in_parallel(6, |i| {
        if i == 0 {
            app.json(
                "POST",
                "/api/v1/import?source=bulk",
                Some(&editor),
                &json!(rows),
                &[],
            )
        } else {
            std::thread::sleep(std::time::Duration::from_millis(20 * i as u64));
            create(
                &app,
                &editor,
                &valid_input("lumen", &format!("Meanwhile {i}")),
            )
        }
    });
    assert_eq!(replies[0].status, 200, "the import: {}", replies[0].body);
    assert_eq!(replies[0].json()["created"], 300);
    for reply in &replies[1..] {
        assert_eq!(
            reply.status, 201,
            "a create during the import: {}",
            reply.body
        );
    }
}

#[test]
fn parallel_wrong_passwords_cannot_get_past_the_account_limit() {
    let app = spawn_app();
    app.create_user("target@example.org", Role::Editor);
    let replies = in_parallel(30, |_| {
        sign_in_reply(&app, "target@example.org", "wrong-guess-123")
    });
    assert_eq!(count(&replies, 401), 5, "{:?}", statuses(&replies));
    assert_eq!(count(&replies, 429), 25, "{:?}", statuses(&replies));
}

#[test]
fn parallel_correct_sign_ins_are_never_throttled_on_any_instance() {
    let app = spawn_app();
    let other = app.second_instance();
    let password = app.create_user("busy@example.org", Role::Editor);
    // Three failures first: with the checks in progress on both instances they reach the
    // limit of five, so sign-ins must wait for each other's outcome, not be refused.
    for _ in 0..3 {
        let reply = sign_in_reply(&app, "busy@example.org", "wrong-guess-123");
        assert_eq!(reply.status, 401, "{}", reply.body);
    }
    let replies = in_parallel(256, |i| {
        let instance = if i % 2 == 0 { &app } else { &other };
        sign_in_reply(instance, "busy@example.org", &password)
    });
    assert_eq!(count(&replies, 429), 0, "{:?}", statuses(&replies));
    for reply in &replies {
        assert!(
            reply.status == 200 || (reply.status == 503 && reply.header("retry-after").is_some()),
            "{}: {}",
            reply.status,
            reply.body
        );
    }
    assert!(count(&replies, 200) > 0, "{:?}", statuses(&replies));
}

#[test]
fn parallel_failed_sign_ins_cannot_get_past_the_address_limit() {
    let app = spawn_app();
    let replies = in_parallel(60, |i| {
        sign_in_reply(&app, &format!("spray{i}@example.org"), "wrong-guess-123")
    });
    assert_eq!(count(&replies, 401), 20, "{:?}", statuses(&replies));
    assert_eq!(count(&replies, 429), 40, "{:?}", statuses(&replies));
}

#[test]
fn parallel_submissions_cannot_get_past_the_address_limit() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let replies = in_parallel(20, |i| {
        app.json(
            "POST",
            "/api/v1/submissions",
            None,
            &json!({
                "submitter": {"name": "Ana Novak", "email": "ana@organizer.example"},
                "entry": valid_input("lumen", &format!("Submitted call {i}"))
            }),
            &[],
        )
    });
    assert_eq!(count(&replies, 202), 5, "{:?}", statuses(&replies));
    assert_eq!(count(&replies, 429), 15, "{:?}", statuses(&replies));
}
