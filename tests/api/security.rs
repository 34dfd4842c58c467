//! Who may do what, and what never leaks.

use serde_json::{Value, json};

use mobility_directory::domain::vocabulary::Role;

use crate::curation::{create, valid_input, with_org};
use crate::helpers::{TestApp, spawn_app};

#[derive(Clone, Copy, Debug)]
enum Caller {
    Anonymous,
    Contributor,
    Editor,
    Admin,
}

const CALLERS: [Caller; 4] = [
    Caller::Anonymous,
    Caller::Contributor,
    Caller::Editor,
    Caller::Admin,
];

struct World {
    app: TestApp,
    editor: String,
    tokens: Vec<Option<String>>,
}

impl World {
    fn new() -> World {
        let app = spawn_app();
        with_org(&app, "lumen");
        let editor = app.token_for(Role::Editor);
        let tokens = vec![
            None,
            Some(app.token_for(Role::Contributor)),
            Some(app.token_for(Role::Editor)),
            Some(app.token_for(Role::Admin)),
        ];
        World {
            app,
            editor,
            tokens,
        }
    }

    /// A fresh draft by another staff member; returns its slug and ETag.
    fn draft(&self, name: &str) -> (String, String) {
        let reply = create(&self.app, &self.editor, &valid_input("lumen", name));
        assert_eq!(reply.status, 201, "{}", reply.body);
        (
            reply.json()["entry"]["slug"].as_str().unwrap().to_owned(),
            reply.header("etag").unwrap(),
        )
    }

    fn call(
        &self,
        caller: Caller,
        method: &str,
        path: &str,
        body: Option<&Value>,
        etag: Option<&str>,
    ) -> u16 {
        let token = self.tokens[caller as usize].as_deref();
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = vec![("content-type", "application/json")];
        if let Some(b) = &bearer {
            headers.push(("authorization", b));
        }
        if let Some(e) = etag {
            headers.push(("if-match", e));
        }
        let bytes = body.map(|b| b.to_string());
        self.app
            .send(method, path, &headers, bytes.as_deref().map(str::as_bytes))
            .status
    }
}

#[test]
fn each_role_gets_exactly_what_it_may() {
    let w = World::new();
    // (what, method, expected for anonymous, contributor, editor, admin)
    type Case<'a> = (&'a str, &'a str, [u16; 4]);
    let fixed: Vec<(Case, String, Option<Value>)> = vec![
        (
            ("list accounts", "GET", [401, 403, 403, 200]),
            "/api/v1/users".into(),
            None,
        ),
        (
            ("staff list", "GET", [401, 200, 200, 200]),
            "/api/v1/staff/opportunities".into(),
            None,
        ),
        (
            ("duplicate report", "GET", [401, 403, 200, 200]),
            "/api/v1/staff/duplicates".into(),
            None,
        ),
        (
            ("import dry run", "POST", [401, 403, 200, 200]),
            "/api/v1/import?source=m&dry_run=true".into(),
            Some(json!([])),
        ),
    ];
    for ((what, method, expected), path, body) in &fixed {
        for caller in CALLERS {
            assert_eq!(
                w.call(caller, method, path, body.as_ref(), None),
                expected[caller as usize],
                "{what} as {caller:?}"
            );
        }
    }
    for caller in CALLERS {
        let i = caller as usize;
        let n = format!("{caller:?}").to_lowercase();
        let expect = |e: [u16; 4]| e[i];
        let who = format!("as {caller:?}");
        let account = json!({"email": format!("{n}.made@example.org"), "password": "long enough password", "role": "editor"});
        assert_eq!(
            w.call(caller, "POST", "/api/v1/users", Some(&account), None),
            expect([401, 403, 403, 201]),
            "create account {who}"
        );
        let entry = valid_input("lumen", &format!("Made by {n}"));
        assert_eq!(
            w.call(caller, "POST", "/api/v1/opportunities", Some(&entry), None),
            expect([401, 201, 201, 201]),
            "create entry {who}"
        );
        let org = json!({"name": format!("Org by {n}"), "kind": "venue", "country": "SI"});
        assert_eq!(
            w.call(caller, "POST", "/api/v1/organizations", Some(&org), None),
            expect([401, 403, 201, 201]),
            "create organization {who}"
        );

        // Someone else's draft: a contributor cannot even see it.
        let (slug, etag) = w.draft(&format!("Draft for {n}"));
        let entry_path = format!("/api/v1/opportunities/{slug}");
        assert_eq!(
            w.app.get(&entry_path).status,
            404,
            "a draft is public to nobody"
        );
        assert_eq!(
            w.call(
                caller,
                "GET",
                &format!("/api/v1/staff/opportunities/{slug}"),
                None,
                None
            ),
            expect([401, 404, 200, 200]),
            "view draft {who}"
        );
        assert_eq!(
            w.call(
                caller,
                "GET",
                &format!("{entry_path}/revisions"),
                None,
                None
            ),
            expect([401, 404, 200, 200]),
            "history {who}"
        );
        assert_eq!(
            w.call(
                caller,
                "PATCH",
                &entry_path,
                Some(&json!({"rolling": true})),
                Some(&etag)
            ),
            expect([401, 404, 200, 200]),
            "edit draft {who}"
        );
        let (slug, _) = w.draft(&format!("Review for {n}"));
        let entry_path = format!("/api/v1/opportunities/{slug}");
        assert_eq!(
            w.call(caller, "POST", &format!("{entry_path}/submit"), None, None),
            expect([401, 404, 200, 200]),
            "submit {who}"
        );
        let (slug, _) = w.draft(&format!("Publish for {n}"));
        let entry_path = format!("/api/v1/opportunities/{slug}");
        assert_eq!(
            w.call(caller, "POST", &format!("{entry_path}/publish"), None, None),
            expect([401, 404, 200, 200]),
            "publish {who}"
        );
        // Published (by an editor if the caller could not): a contributor sees it but may
        // not change or archive it.
        w.app.send(
            "POST",
            &format!("{entry_path}/publish"),
            &[("authorization", &format!("Bearer {}", w.editor))],
            None,
        );
        let published = w
            .app
            .get_as(&format!("/api/v1/staff/opportunities/{slug}"), &w.editor)
            .header("etag")
            .unwrap();
        assert_eq!(
            w.call(
                caller,
                "PATCH",
                &entry_path,
                Some(&json!({"rolling": true})),
                Some(&published)
            ),
            expect([401, 403, 200, 200]),
            "edit published {who}"
        );
        assert_eq!(
            w.call(caller, "POST", &format!("{entry_path}/archive"), None, None),
            expect([401, 403, 200, 200]),
            "archive {who}"
        );
        let current = w
            .app
            .get_as(&format!("/api/v1/staff/opportunities/{slug}"), &w.editor)
            .header("etag")
            .unwrap();
        assert_eq!(
            w.call(caller, "DELETE", &entry_path, None, Some(&current)),
            expect([401, 403, 200, 200]),
            "withdraw {who}"
        );
    }
}

#[test]
fn no_password_hash_and_no_staff_email_ever_reaches_the_public() {
    let app = spawn_app();
    with_org(&app, "lumen");
    let password = app.create_user("secret.editor@staff.example", Role::Editor);
    let editor = app.sign_in("secret.editor@staff.example", &password);
    let submission = json!({
        "submitter": {"name": "Ana Novak", "email": "ana@organizer.example"},
        "entry": valid_input("lumen", "Submitted Call"),
    });
    assert_eq!(
        app.json("POST", "/api/v1/submissions", None, &submission, &[])
            .status,
        202
    );
    let publish = |slug: &str| {
        let path = format!("/api/v1/opportunities/{slug}/publish");
        app.send(
            "POST",
            &path,
            &[("authorization", &format!("Bearer {editor}"))],
            None,
        )
        .status
    };
    assert_eq!(publish("submitted-call"), 200);
    assert_eq!(
        create(&app, &editor, &valid_input("lumen", "Staff Call")).status,
        201
    );
    assert_eq!(publish("staff-call"), 200);
    let mut public = String::new();
    for path in [
        "/api/v1/opportunities",
        "/api/v1/opportunities?status=upcoming,open,closing_soon,closed,rolling&sort=updated",
        "/api/v1/opportunities/submitted-call",
        "/api/v1/opportunities/staff-call",
        "/api/v1/organizations",
        "/api/v1/organizations/lumen",
        "/openapi.json",
    ] {
        let reply = app.get(path);
        assert_eq!(reply.status, 200, "{path}");
        public.push_str(&reply.body);
    }
    assert_eq!(app.slugs("").len(), 2);
    for secret in [
        "secret.editor",
        "staff.example",
        "ana@organizer.example",
        "Ana Novak",
        "$argon2",
        &password,
    ] {
        assert!(!public.contains(secret), "`{secret}` leaked");
    }
}
