//! The change feed: commit order, tombstones, retention, long polling, and a mirror that
//! replays it while others write and ends exactly equal to the public list.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use serde_json::{Value, json};

use mobility_directory::domain::vocabulary::Role;

use crate::curation::{create, valid_input, with_org};
use crate::helpers::{TestApp, assert_problem, opportunity, organization, spawn_app};

/// A copy of the public list kept by following the feed: id → the entry as fetched.
#[derive(Default)]
struct Mirror {
    entries: BTreeMap<String, Value>,
    cursor: Option<String>,
    seen: Vec<(String, String)>,
}

impl Mirror {
    /// Reads one page of the feed and applies it; says whether there was anything.
    fn step(&mut self, app: &TestApp, limit: usize) -> bool {
        let path = match &self.cursor {
            Some(c) => format!("/api/v1/changes?limit={limit}&after={c}"),
            None => format!("/api/v1/changes?limit={limit}"),
        };
        let page = app.get(&path);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
        let page = page.json();
        let events = page["events"].as_array().unwrap();
        for event in events {
            let id = event["id"].as_str().unwrap().to_owned();
            let kind = event["type"].as_str().unwrap().to_owned();
            match kind.as_str() {
                "published" | "updated" => {
                    let entry = app.get(event["href"].as_str().unwrap());
                    match entry.status {
                        200 => {
                            self.entries.insert(id.clone(), entry.json());
                        }
                        // Gone again since: its tombstone follows.
                        404 | 410 => {
                            self.entries.remove(&id);
                        }
                        other => panic!("{other}: {}", entry.body),
                    }
                }
                "withdrawn" | "unpublished" => {
                    self.entries.remove(&id);
                }
                other => panic!("unknown event type {other}"),
            }
            self.seen.push((id, kind));
        }
        self.cursor = Some(page["next"].as_str().unwrap().to_owned());
        !events.is_empty()
    }

    fn drain(&mut self, app: &TestApp) {
        while self.step(app, 50) {}
    }
}

/// The public list, every status: id → the entry's detail.
fn public_list(app: &TestApp) -> BTreeMap<String, Value> {
    app.all_pages("status=upcoming,open,closing_soon,closed,rolling&limit=100")
        .into_iter()
        .map(|item| {
            let id = item["id"].as_str().unwrap().to_owned();
            let detail = app.get_json(&format!(
                "/api/v1/opportunities/{}",
                item["slug"].as_str().unwrap()
            ));
            (id, detail)
        })
        .collect()
}

fn assert_mirror_is_the_list(mirror: &Mirror, app: &TestApp) {
    let list = public_list(app);
    assert_eq!(
        mirror.entries.keys().collect::<Vec<_>>(),
        list.keys().collect::<Vec<_>>(),
        "the same entries"
    );
    for (id, entry) in &list {
        assert_eq!(&mirror.entries[id], entry, "the same content for {id}");
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[test]
fn a_replay_is_the_list_and_every_change_follows_in_order() {
    let app = spawn_app();
    let org = organization("lumen");
    app.insert_organization(&org);
    for slug in ["alpha", "beta"] {
        app.insert(&opportunity(slug, &org));
    }
    let mut mirror = Mirror::default();
    mirror.drain(&app);
    assert_eq!(mirror.seen.len(), 2);
    assert!(mirror.seen.iter().all(|(_, kind)| kind == "published"));
    assert_mirror_is_the_list(&mirror, &app);

    let editor = app.token_for(Role::Editor);
    let created = create(&app, &editor, &valid_input("lumen", "Gamma Call"));
    assert_eq!(created.status, 201, "{}", created.body);
    mirror.drain(&app);
    assert_eq!(mirror.seen.len(), 2, "a draft is not in the list");
    let publish = app.send(
        "POST",
        "/api/v1/opportunities/gamma-call/publish",
        &[("authorization", &bearer(&editor))],
        None,
    );
    assert_eq!(publish.status, 200, "{}", publish.body);
    mirror.drain(&app);
    let patched = app.json(
        "PATCH",
        "/api/v1/opportunities/gamma-call",
        Some(&editor),
        &json!({"summary": {"en": "Changed."}}),
        &[
            ("if-match", publish.header("etag").unwrap().as_str()),
            ("content-type", "application/merge-patch+json"),
        ],
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    mirror.drain(&app);
    let withdrawn = app.request_with(
        "DELETE",
        "/api/v1/opportunities/alpha",
        &[("authorization", &bearer(&editor)), ("if-match", "\"1\"")],
    );
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    mirror.drain(&app);
    // The organizer's rename changes every listed entry's representation.
    let renamed = app.json(
        "PATCH",
        "/api/v1/organizations/lumen",
        Some(&editor),
        &json!({"name": "Lumen Collective"}),
        &[("if-match", "\"1\"")],
    );
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    mirror.drain(&app);
    let kinds: Vec<&str> = mirror.seen[2..].iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(kinds[..3], ["published", "updated", "withdrawn"]);
    assert_eq!(
        kinds[3..],
        ["updated", "updated"],
        "beta and gamma, renamed"
    );
    assert_mirror_is_the_list(&mirror, &app);
    assert_eq!(mirror.entries.len(), 2);
    // Nothing new: the same cursor back, no events.
    let cursor = mirror.cursor.clone().unwrap();
    let idle = app.get_json(&format!("/api/v1/changes?after={cursor}"));
    assert_eq!(idle["events"], json!([]));
    assert_eq!(idle["next"], cursor.as_str());
    // A fresh replay is compacted: each entry once (its latest event), the withdrawn one
    // as a tombstone.
    let mut fresh = Mirror::default();
    fresh.drain(&app);
    assert_eq!(fresh.seen.len(), 3);
    assert_mirror_is_the_list(&fresh, &app);
}

#[test]
fn a_mirror_replaying_while_others_write_ends_equal_to_the_list() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let org = organization("seed-org");
    app.insert_organization(&org);
    for i in 0..5 {
        app.insert(&opportunity(&format!("seed-{i}"), &org));
    }
    let editor = app.token_for(Role::Editor);
    let writing = AtomicBool::new(true);
    let mut mirror = Mirror::default();
    std::thread::scope(|scope| {
        let writers: Vec<_> = (0..3)
            .map(|w| {
                let (app, editor) = (&app, &editor);
                scope.spawn(move || {
                    for i in 0..6 {
                        let title = format!("Writer {w} Call {i}");
                        let slug = format!("writer-{w}-call-{i}");
                        let created = create(app, editor, &valid_input("lumen", &title));
                        assert_eq!(created.status, 201, "{}", created.body);
                        let path = format!("/api/v1/opportunities/{slug}");
                        let published = app.send(
                            "POST",
                            &format!("{path}/publish"),
                            &[("authorization", &bearer(editor))],
                            None,
                        );
                        assert_eq!(published.status, 200, "{}", published.body);
                        let mut version = published.header("etag").unwrap();
                        if i % 2 == 0 {
                            let patched = app.json(
                                "PATCH",
                                &path,
                                Some(editor),
                                &json!({"summary": {"en": format!("Edited by {w}.")}}),
                                &[
                                    ("if-match", version.as_str()),
                                    ("content-type", "application/merge-patch+json"),
                                ],
                            );
                            assert_eq!(patched.status, 200, "{}", patched.body);
                            version = patched.header("etag").unwrap();
                        }
                        if i % 3 == 1 {
                            let gone = app.request_with(
                                "DELETE",
                                &path,
                                &[("authorization", &bearer(editor)), ("if-match", &version)],
                            );
                            assert_eq!(gone.status, 200, "{}", gone.body);
                        }
                    }
                })
            })
            .collect();
        let reader = scope.spawn(|| {
            let mut mirror = Mirror::default();
            while writing.load(Ordering::SeqCst) {
                mirror.step(&app, 4);
            }
            mirror
        });
        for w in writers {
            w.join().unwrap();
        }
        writing.store(false, Ordering::SeqCst);
        mirror = reader.join().unwrap();
    });
    assert!(
        mirror.seen.len() > 5,
        "the mirror followed the writes while they happened ({} events)",
        mirror.seen.len()
    );
    mirror.drain(&app);
    assert_mirror_is_the_list(&mirror, &app);
    assert_eq!(
        mirror.entries.len(),
        5 + 3 * 4,
        "seeds, and four of six per writer"
    );
}

#[test]
fn a_long_poll_answers_when_something_happens_or_when_its_time_is_up() {
    let app = spawn_app();
    let org = organization("lumen");
    app.insert_organization(&org);
    app.insert(&opportunity("first", &org));
    let start = app.get_json("/api/v1/changes");
    let cursor = start["next"].as_str().unwrap().to_owned();

    let began = Instant::now();
    let idle = app.get_json(&format!("/api/v1/changes?after={cursor}&wait=1"));
    assert!(began.elapsed() >= Duration::from_millis(950));
    assert_eq!(idle["events"], json!([]));

    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(700));
            app.insert(&opportunity("second", &org));
        });
        let began = Instant::now();
        let woken = app.get_json(&format!("/api/v1/changes?after={cursor}&wait=20"));
        let waited = began.elapsed();
        writer.join().unwrap();
        assert_eq!(woken["events"][0]["slug"], "second");
        assert!(waited >= Duration::from_millis(600), "{waited:?}");
        assert!(
            waited < Duration::from_secs(10),
            "answered at the change: {waited:?}"
        );
    });
    assert_problem(&app.get("/api/v1/changes?wait=31"), 400);
}

#[test]
fn a_cursor_older_than_the_retention_is_gone_with_the_way_back() {
    let app = spawn_app();
    let org = organization("lumen");
    app.insert_organization(&org);
    app.insert(&opportunity("kept", &org));
    app.insert(&opportunity("dropped", &org));
    let editor = app.token_for(Role::Editor);
    let early = app.get_json("/api/v1/changes?limit=1")["next"]
        .as_str()
        .unwrap()
        .to_owned();
    let gone = app.request_with(
        "DELETE",
        "/api/v1/opportunities/dropped",
        &[("authorization", &bearer(&editor)), ("if-match", "\"1\"")],
    );
    assert_eq!(gone.status, 200);
    // The tombstone ages past the retention; the next write prunes it.
    let mut conn = app.pool.get().unwrap();
    let aged = chrono::Utc::now().naive_utc() - chrono::Duration::days(91);
    match &mut *conn {
        mobility_directory::db::DbConn::Sqlite(c) => {
            diesel::sql_query("UPDATE change_events SET at = ? WHERE tombstone")
                .bind::<diesel::sql_types::Timestamp, _>(aged)
                .execute(c)
                .unwrap();
        }
        mobility_directory::db::DbConn::Postgres(c) => {
            diesel::sql_query("UPDATE change_events SET at = $1 WHERE tombstone")
                .bind::<diesel::sql_types::Timestamp, _>(aged)
                .execute(c)
                .unwrap();
        }
    }
    drop(conn);
    app.insert(&opportunity("later", &org));
    let expired = assert_problem(&app.get(&format!("/api/v1/changes?after={early}")), 410);
    assert_eq!(expired["snapshot"], "/api/v1/changes");
    let oldest = expired["oldest_cursor"].as_str().unwrap();
    // From the snapshot, a mirror is exact again; the oldest cursor is served.
    let mut mirror = Mirror::default();
    mirror.drain(&app);
    assert_mirror_is_the_list(&mirror, &app);
    assert_eq!(
        app.get(&format!("/api/v1/changes?after={oldest}")).status,
        200
    );
    // A cursor from another database (ahead of this one) is gone too; garbage is a 400.
    let foreign = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(json!(["changes", ["999999999"], "1"]).to_string())
    };
    assert_problem(&app.get(&format!("/api/v1/changes?after={foreign}")), 410);
    let bad = assert_problem(&app.get("/api/v1/changes?after=not-a-cursor"), 400);
    assert_eq!(bad["errors"][0]["name"], "after");
}
