//! `POST /api/v1/auth/token`: sign in with e-mail and password, get a bearer token.

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::http::database;
use crate::auth::checks::{PasswordChecks, SLOT_WAIT};
use crate::auth::token::TokenKeys;
use crate::db::Pool;
use crate::domain::vocabulary::Role;
use crate::error::{ApiError, BodyErrors, CommonErrors, Problem, TooManyRequestsResponse};
use crate::store::throttle::{self, Attempt, Check, Limit};
use crate::store::{self, StoreError};

use crate::api::http::body::{Fields, check_size, parse_object};
use crate::api::http::client_address::client_address;

/// Failed sign-ins allowed per account in the window before 429.
pub const ACCOUNT_LIMIT: Limit = Limit {
    bucket: "sign-in-account",
    max: 5,
    window: Duration::minutes(15),
};

/// Failed sign-ins allowed per client address in the window before 429.
pub const ADDRESS_LIMIT: Limit = Limit {
    bucket: "sign-in-address",
    max: 20,
    window: Duration::minutes(15),
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the body for the OpenAPI document; it is read by `Fields`
pub struct Credentials {
    #[schema(
        example = "editor@example.org",
        min_length = 1,
        max_length = 254,
        pattern = "\\S"
    )]
    /// The account's e-mail address.
    pub email: String,
    /// The account's password.
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct AccessToken {
    /// The bearer token: send it as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires (at most 3600).
    pub expires_in: i64,
    /// The role of the signed-in account, which decides what the token may do.
    pub role: Role,
}

/// Exchange e-mail and password for a bearer token.
///
/// A wrong password and an unknown e-mail give the same 401 in about the same time.
/// Repeated failures for one account or from one address give 429 with `Retry-After`;
/// correct sign-ins never count against that limit, however many run at once. Passwords
/// are checked two at a time per instance: a sign-in that finds no free check within
/// 10 seconds gets 503 with `Retry-After`.
#[utoipa::path(
    tag = "auth",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in.", body = AccessToken),
        (status = 401, description = "Wrong e-mail or password, or a disabled account.", body = Problem, content_type = "application/problem+json"),
        CommonErrors,
        BodyErrors,
        TooManyRequestsResponse,
    )
)]
#[post("/auth/token")]
pub async fn issue_token(
    req: HttpRequest,
    body: Bytes,
    pool: web::Data<Pool>,
    keys: web::Data<TokenKeys>,
    checks: web::Data<PasswordChecks>,
) -> Result<HttpResponse, ApiError> {
    check_size(&body)?;
    let object = parse_object(&body)?;
    let mut fields = Fields::new(&object, "", &["email", "password"]);
    let email = fields.text("email", 254);
    let email = fields.require("email", email);
    let secret = match object.get("password") {
        Some(serde_json::Value::String(s)) if !s.is_empty() && s.len() <= 1024 => Some(s.clone()),
        _ => {
            fields.fail("password", "is required: a string of at most 1024 bytes");
            None
        }
    };
    fields.finish()?;
    let (email, secret) = (email.unwrap_or_default(), secret.unwrap_or_default());
    let throttled = Throttled {
        account: store::users::normalize_email(&email),
        address: client_address(&req),
    };

    // A key already over its limit is refused before it waits for a slot, so that a flood
    // of refused attempts never queues ahead of anyone.
    let looked_up = throttled.clone();
    let user = database::run(&pool, move |conn| {
        if let Some(retry_after) = throttle::refusal(conn, &looked_up.keys(), Utc::now())? {
            return Err(ApiError::TooManyRequests { retry_after });
        }
        match store::users::find_by_email(conn, &looked_up.account) {
            Ok(user) => Ok(Some(user)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    })
    .await?;

    // The slot is held from recording the attempt to settling it, so that an instance has
    // at most two checks pending, whatever the number of sign-ins waiting.
    let slot = checks.slot().await?;
    let attempts = begin_check(&pool, &throttled).await?;
    let matches = slot
        .verify(secret, user.as_ref().map(|u| u.password_hash.clone()))
        .await;
    let user = user.filter(|u| matches && !u.disabled);
    let signed_in = user.is_some();
    database::run(&pool, move |conn| {
        if signed_in {
            // A success is no failed attempt: neither the account nor the address
            // keeps it, and the account's earlier failures are forgotten.
            throttle::clear(conn, ACCOUNT_LIMIT, &throttled.account)?;
            for attempt in &attempts {
                throttle::release(conn, attempt)?;
            }
        } else {
            throttle::fail(conn, &attempts)?;
        }
        Ok(())
    })
    .await?;
    drop(slot);

    let Some(user) = user else {
        return Err(ApiError::Unauthorized("wrong e-mail or password".into()));
    };
    let token = keys
        .issue(&user.id.to_string(), user.role, user.token_generation)
        .map_err(ApiError::Internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(AccessToken {
            access_token: token,
            token_type: "Bearer".into(),
            expires_in: keys.ttl_seconds(),
            role: user.role,
        }))
}

/// The keys a sign-in is limited by.
#[derive(Clone)]
struct Throttled {
    account: String,
    address: String,
}

impl Throttled {
    fn keys(&self) -> [(Limit, &str); 2] {
        [
            (ACCOUNT_LIMIT, self.account.as_str()),
            (ADDRESS_LIMIT, self.address.as_str()),
        ]
    }
}

/// How often a sign-in looks again whether the checks it waits for have ended.
const BUSY_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// Records the check as pending under both keys. While failures and other checks in
/// progress together reach a limit, it waits for those checks to end (at most
/// [`SLOT_WAIT`]), then either starts or is refused with 429.
async fn begin_check(
    pool: &web::Data<Pool>,
    throttled: &Throttled,
) -> Result<Vec<Attempt>, ApiError> {
    let waiting_since = std::time::Instant::now();
    loop {
        let throttled = throttled.clone();
        let check = database::run(pool, move |conn| {
            Ok(throttle::begin_check(conn, &throttled.keys(), Utc::now())?)
        })
        .await?;
        match check {
            Check::Started(attempts) => return Ok(attempts),
            Check::Refused(retry_after) => return Err(ApiError::TooManyRequests { retry_after }),
            Check::Busy if waiting_since.elapsed() < SLOT_WAIT => {
                actix_web::rt::time::sleep(BUSY_POLL).await;
            }
            Check::Busy => {
                return Err(ApiError::Unavailable(
                    "other sign-ins of this account or address are still being checked; retry shortly"
                        .into(),
                ));
            }
        }
    }
}
