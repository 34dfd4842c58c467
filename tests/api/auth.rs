//! Sign-in, tokens and the accounts API: every forged token fails, throttling holds,
//! and a changed account loses its old tokens at once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use mobility_directory::domain::vocabulary::Role;

use crate::helpers::{TEST_JWT_SECRET, TestApp, spawn_app};

pub fn sign_in_reply(app: &TestApp, email: &str, password: &str) -> crate::helpers::Reply {
    app.json(
        "POST",
        "/api/v1/auth/token",
        None,
        &json!({"email": email, "password": password}),
        &[],
    )
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[test]
fn sign_in_returns_a_pinned_hs256_token_with_the_required_claims() {
    let app = spawn_app();
    let password = app.create_user("Editor@Example.org", Role::Editor);
    let reply = sign_in_reply(&app, "editor@example.org", &password);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["role"], "editor");
    assert!(body["expires_in"].as_i64().unwrap() <= 3600);
    let token = body["access_token"].as_str().unwrap();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "HS256");
    let claims = claims_of(token);
    for claim in ["sub", "role", "iat", "exp", "iss", "aud", "jti"] {
        assert!(!claims[claim].is_null(), "claim {claim}");
    }
    assert!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap() <= 3600);
    assert_eq!(claims["role"], "editor");
    assert!(!reply.body.contains("argon2"));
}

#[test]
fn a_wrong_password_and_an_unknown_email_look_the_same() {
    let app = spawn_app();
    app.create_user("known@example.org", Role::Editor);
    let time = |email: &str| {
        let start = std::time::Instant::now();
        let reply = sign_in_reply(&app, email, "not the password at all");
        (reply, start.elapsed())
    };
    let (wrong, _) = time("known@example.org");
    let (unknown, _) = time("nobody@example.org");
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.header("www-authenticate").as_deref(), Some("Bearer"));
    // Both paths verify an argon2 hash: medians of a few tries stay within a factor of 4.
    let median = |email: &str| {
        let mut d: Vec<_> = (0..3).map(|_| time(email).1).collect();
        d.sort();
        d[1].as_secs_f64()
    };
    let (known, nobody) = (median("known@example.org"), median("nobody@example.org"));
    assert!(
        nobody > known / 4.0 && nobody < known * 4.0,
        "known {known:.4}s, unknown {nobody:.4}s"
    );
}

#[test]
fn repeated_failures_are_throttled_per_account_with_retry_after() {
    let app = spawn_app();
    let password = app.create_user("target@example.org", Role::Editor);
    for _ in 0..5 {
        assert_eq!(
            sign_in_reply(&app, "target@example.org", "guess-guess-guess").status,
            401
        );
    }
    let blocked = sign_in_reply(&app, "target@example.org", &password);
    assert_eq!(blocked.status, 429, "even the right password waits");
    let retry: i64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900);
    assert_eq!(
        blocked.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    // Another account from the same address is not blocked yet.
    let other = app.create_user("other@example.org", Role::Editor);
    assert_eq!(sign_in_reply(&app, "other@example.org", &other).status, 200);
}

#[test]
fn repeated_failures_are_throttled_per_address() {
    let app = spawn_app();
    let password = app.create_user("fresh@example.org", Role::Editor);
    for i in 0..20 {
        assert_eq!(
            sign_in_reply(&app, &format!("spray{i}@example.org"), "guess-guess-guess").status,
            401
        );
    }
    assert_eq!(
        sign_in_reply(&app, "fresh@example.org", &password).status,
        429
    );
}

#[test]
fn bad_sign_in_bodies_are_named() {
    let app = spawn_app();
    let malformed = app.send(
        "POST",
        "/api/v1/auth/token",
        &[("content-type", "application/json")],
        Some(b"{\"email\":"),
    );
    assert_eq!(malformed.status, 400);
    assert_eq!(
        malformed.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let missing = app.json(
        "POST",
        "/api/v1/auth/token",
        None,
        &json!({"email": "x@example.org", "admin": true}),
        &[],
    );
    assert_eq!(missing.status, 422);
    let body = missing.json();
    let names: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["/admin", "/password"]);
}

fn forge(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

/// A correctly signed token whose header names an extension the service must understand.
fn with_critical_extension(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(
        json!({"alg": "HS256", "typ": "JWT", "crit": ["urn:example:bound"], "urn:example:bound": true})
            .to_string(),
    );
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let signature = jsonwebtoken::crypto::sign(
        signing_input.as_bytes(),
        &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
        Algorithm::HS256,
    )
    .unwrap();
    format!("{signing_input}.{signature}")
}

#[test]
fn two_authorization_headers_are_refused() {
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    let bearer = format!("Bearer {admin}");
    let reply = app.request_with(
        "GET",
        "/api/v1/users",
        &[("authorization", &bearer), ("authorization", &bearer)],
    );
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.json()["errors"][0]["name"], "authorization");
    assert_eq!(app.get_as("/api/v1/users", &admin).status, 200);
}

#[test]
fn every_forged_or_broken_token_gets_401() {
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    assert_eq!(
        app.get_as("/api/v1/users", &admin).status,
        200,
        "the genuine token works"
    );
    let genuine = claims_of(&admin);
    let now = Utc::now().timestamp();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut c = genuine.clone();
        change(&mut c);
        c
    };
    let secret = TEST_JWT_SECRET.as_bytes();
    let mut forged = vec![
        (
            "wrong key",
            forge(&genuine, b"another-secret-that-is-also-long-enough-0123"),
        ),
        (
            "expired",
            forge(
                &with(&|c| {
                    c["iat"] = json!(now - 7200);
                    c["exp"] = json!(now - 3600);
                }),
                secret,
            ),
        ),
        (
            "no exp",
            forge(
                &with(&|c| {
                    c.as_object_mut().unwrap().remove("exp");
                }),
                secret,
            ),
        ),
        (
            "wrong aud",
            forge(&with(&|c| c["aud"] = json!("someone-else")), secret),
        ),
        (
            "wrong iss",
            forge(&with(&|c| c["iss"] = json!("someone-else")), secret),
        ),
        (
            "too long-lived",
            forge(&with(&|c| c["exp"] = json!(now + 86_400)), secret),
        ),
        (
            "unknown user",
            forge(
                &with(&|c| c["sub"] = json!("01a20000-0000-7000-8000-000000000000")),
                secret,
            ),
        ),
        (
            "role raised",
            forge(&with(&|c| c["gen"] = json!(99)), secret),
        ),
        (
            "not valid before ten minutes from now",
            forge(&with(&|c| c["nbf"] = json!(now + 600)), secret),
        ),
        (
            "unknown critical extension",
            with_critical_extension(&genuine),
        ),
        ("garbage", "not.a.token".to_owned()),
        ("empty", String::new()),
    ];
    // A payload changed after signing.
    let parts: Vec<&str> = admin.split('.').collect();
    let tampered_payload = URL_SAFE_NO_PAD.encode(
        with(&|c| c["role"] = json!("admin"))
            .to_string()
            .replace("admin", "admin "),
    );
    forged.push((
        "tampered payload",
        format!("{}.{}.{}", parts[0], tampered_payload, parts[2]),
    ));
    // alg none, in any letter case, with and without a signature.
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT"}).to_string());
        let payload = URL_SAFE_NO_PAD.encode(genuine.to_string());
        forged.push(("alg none", format!("{header}.{payload}.")));
        forged.push((
            "alg none signed",
            format!("{header}.{payload}.{}", parts[2]),
        ));
    }
    for (what, token) in forged {
        let reply = app.get_as("/api/v1/users", &token);
        assert_eq!(reply.status, 401, "{what}: {}", reply.body);
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{what}"
        );
    }
    let no_scheme = app.request_with("GET", "/api/v1/users", &[("authorization", &admin)]);
    assert_eq!(no_scheme.status, 401);
    assert_eq!(app.get("/api/v1/users").status, 401);
}

#[test]
fn disabling_an_account_or_changing_its_role_ends_its_tokens_at_once() {
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    let password = app.create_user("moving@example.org", Role::Editor);
    let token = app.sign_in("moving@example.org", &password);
    let users = app.get_as("/api/v1/users", &admin).json();
    let id = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "moving@example.org")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // An editor may not list accounts, but the token is valid.
    assert_eq!(app.get_as("/api/v1/users", &token).status, 403);
    let changed = app.json(
        "PATCH",
        &format!("/api/v1/users/{id}"),
        Some(&admin),
        &json!({"role": "contributor"}),
        &[],
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["role"], "contributor");
    assert_eq!(
        app.get_as("/api/v1/users", &token).status,
        401,
        "the old token died with the old role"
    );

    let token = app.sign_in("moving@example.org", &password);
    assert_eq!(app.get_as("/api/v1/users", &token).status, 403);
    let disabled = app.json(
        "PATCH",
        &format!("/api/v1/users/{id}"),
        Some(&admin),
        &json!({"disabled": true}),
        &[],
    );
    assert_eq!(disabled.status, 200);
    assert_eq!(app.get_as("/api/v1/users", &token).status, 401);
    assert_eq!(
        sign_in_reply(&app, "moving@example.org", &password).status,
        401,
        "a disabled account cannot sign in"
    );
}

#[test]
fn admins_manage_accounts_and_nobody_sees_a_password_hash() {
    let app = spawn_app();
    let admin = app.token_for(Role::Admin);
    let created = app.json(
        "POST",
        "/api/v1/users",
        Some(&admin),
        &json!({"email": "new.contributor@example.org", "password": "a long enough password", "role": "contributor"}),
        &[],
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(!created.body.contains("argon2") && !created.body.contains("password"));
    assert!(
        !app.sign_in("new.contributor@example.org", "a long enough password")
            .is_empty()
    );
    let again = app.json(
        "POST",
        "/api/v1/users",
        Some(&admin),
        &json!({"email": "NEW.contributor@example.org", "password": "a long enough password", "role": "editor"}),
        &[],
    );
    assert_eq!(again.status, 409);
    let invalid = app.json(
        "POST",
        "/api/v1/users",
        Some(&admin),
        &json!({"email": "nope", "password": "short", "role": "boss", "id": "x"}),
        &[],
    );
    assert_eq!(invalid.status, 422);
    let names: Vec<String> = invalid.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, vec!["/id", "/email", "/role", "/password"]);
    let list = app.get_as("/api/v1/users", &admin);
    assert!(!list.body.contains("argon2"));
    let unknown = app.json(
        "PATCH",
        "/api/v1/users/01a20000-0000-7000-8000-000000000000",
        Some(&admin),
        &json!({"disabled": true}),
        &[],
    );
    assert_eq!(unknown.status, 404);
}

#[test]
fn an_admin_cannot_demote_or_disable_their_own_account() {
    let app = spawn_app();
    let password = app.create_user("only.admin@example.org", Role::Admin);
    let admin = app.sign_in("only.admin@example.org", &password);
    let me = app.get_as("/api/v1/users", &admin).json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/users/{me}");
    for change in [json!({"role": "editor"}), json!({"disabled": true})] {
        let refused = app.json("PATCH", &path, Some(&admin), &change, &[]);
        assert_eq!(refused.status, 409, "{change}: {}", refused.body);
        assert_eq!(
            refused.header("content-type").as_deref(),
            Some("application/problem+json")
        );
    }
    let unchanged = app.json("PATCH", &path, Some(&admin), &json!({"role": "admin"}), &[]);
    assert_eq!(unchanged.status, 200, "{}", unchanged.body);
    assert_eq!(
        app.get_as("/api/v1/users", &admin).status,
        200,
        "the admin still holds a working admin token"
    );
}

#[test]
fn behind_a_trusted_proxy_each_client_has_its_own_limit_and_others_cannot_spoof_it() {
    let proxied = crate::helpers::spawn_app_behind_proxy("127.0.0.1");
    let password = proxied.create_user("behind@example.org", Role::Editor);
    let from = |client: &str, email: &str, secret: &str| {
        proxied
            .json(
                "POST",
                "/api/v1/auth/token",
                None,
                &json!({"email": email, "password": secret}),
                &[("x-forwarded-for", client)],
            )
            .status
    };
    for i in 0..20 {
        assert_eq!(
            from(
                "203.0.113.7",
                &format!("spray{i}@example.org"),
                "guess-guess-guess"
            ),
            401
        );
    }
    assert_eq!(
        from("203.0.113.7", "behind@example.org", &password),
        429,
        "the spraying client is limited"
    );
    assert_eq!(
        from("198.51.100.9, 203.0.113.8", "behind@example.org", &password),
        200,
        "another client is not"
    );

    // Without trust, X-Forwarded-For is ignored: a client cannot dodge its limit with it.
    let direct = spawn_app();
    let password = direct.create_user("direct@example.org", Role::Editor);
    for i in 0..20 {
        let reply = direct.json(
            "POST",
            "/api/v1/auth/token",
            None,
            &json!({"email": format!("spray{i}@example.org"), "password": "guess-guess-guess"}),
            &[("x-forwarded-for", &format!("192.0.2.{i}"))],
        );
        assert_eq!(reply.status, 401);
    }
    assert_eq!(
        sign_in_reply(&direct, "direct@example.org", &password).status,
        429
    );
}
