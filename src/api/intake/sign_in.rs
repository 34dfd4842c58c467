//! `POST /api/v1/auth/token`: sign in with e-mail and password, get a bearer token.

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::http::database;
use crate::auth::password;
use crate::auth::token::TokenKeys;
use crate::db::Pool;
use crate::domain::vocabulary::Role;
use crate::error::{ApiError, BodyErrors, CommonErrors, Problem, TooManyRequestsResponse};
use crate::store::throttle::{self, Limit};
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
/// Repeated failures for one account or from one address give 429 with `Retry-After`.
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
    let address = client_address(&req);
    let account_key = store::users::normalize_email(&email);

    let outcome = database::run(&pool, move |conn| {
        let keys = [
            (ACCOUNT_LIMIT, account_key.as_str()),
            (ADDRESS_LIMIT, address.as_str()),
        ];
        let attempts = match throttle::acquire(conn, &keys, Utc::now())? {
            Ok(attempts) => attempts,
            Err(retry_after) => return Err(ApiError::TooManyRequests { retry_after }),
        };
        let user = match store::users::find_by_email(conn, &account_key) {
            Ok(user) => Some(user),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let matches = password::verify(&secret, user.as_ref().map(|u| u.password_hash.as_str()));
        match user {
            Some(user) if matches && !user.disabled => {
                // A success is no failed attempt: neither the account nor the address
                // keeps it.
                throttle::clear(conn, ACCOUNT_LIMIT, &account_key)?;
                for attempt in &attempts {
                    throttle::release(conn, attempt)?;
                }
                Ok(Some(user))
            }
            _ => Ok(None),
        }
    })
    .await?;
    match outcome {
        None => Err(ApiError::Unauthorized("wrong e-mail or password".into())),
        Some(user) => {
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
    }
}
