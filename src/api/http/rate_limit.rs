//! Request limits: per partner key across every instance, per client address within one
//! instance. Every answer under `/api/` says where its client stands, with the
//! `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers; over the
//! limit the answer is 429 with `Retry-After`.
//!
//! - A key's limit is a promise to a partner, so it holds across instances: each request
//!   increments the key's counter for the current minute in the database, in one atomic
//!   statement (a fixed window: at most the limit in each calendar minute).
//! - Anonymous clients (neither a key nor a valid staff token) are limited per address
//!   with an in-process GCRA limiter
//!   (`governor`): no database write per request, and a burst up to the limit then a
//!   steady rate. The limit holds per instance: behind N instances an address gets up
//!   to N times it, which is what a protection against floods needs. IPv6 addresses
//!   count per /64, which one client can rotate through.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use chrono::Utc;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::api::http::client_address::client_address;
use crate::api::http::database;
use crate::auth::token::TokenKeys;
use crate::db::Pool;
use crate::error::ApiError;
use crate::store;

/// The header a partner's key comes in.
pub const API_KEY_HEADER: &str = "x-api-key";
/// Addresses remembered before the idle ones are forgotten.
const MAX_TRACKED_ADDRESSES: usize = 100_000;

type AddressLimiter =
    RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;

/// The limits of this process.
pub struct RateLimits {
    /// Anonymous requests per address and minute; `None` is no limit.
    anonymous: Option<(AddressLimiter, u32)>,
}

impl RateLimits {
    /// `anonymous_per_minute` of 0 turns the per-address limit off.
    pub fn new(anonymous_per_minute: u32) -> RateLimits {
        RateLimits {
            anonymous: NonZeroU32::new(anonymous_per_minute).map(|n| {
                (
                    RateLimiter::keyed(Quota::per_minute(n))
                        .with_middleware::<StateInformationMiddleware>(),
                    n.get(),
                )
            }),
        }
    }
}

/// Where a client stands: its limit, what is left, and seconds until it is whole again.
struct Standing {
    limit: u32,
    remaining: u32,
    reset_seconds: u64,
}

fn mark(headers: &mut HeaderMap, standing: &Standing) {
    for (name, value) in [
        ("ratelimit-limit", standing.limit.to_string()),
        ("ratelimit-remaining", standing.remaining.to_string()),
        ("ratelimit-reset", standing.reset_seconds.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

/// The address an anonymous client is counted under: IPv6 by its /64.
fn counted_address(req: &ServiceRequest) -> IpAddr {
    match client_address(req.request()).parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
        Ok(ip) => ip,
        Err(_) => IpAddr::from([0, 0, 0, 0]),
    }
}

/// Whether the request carries a staff token this service signed (and that has not
/// expired): staff are few and known, and their tools make many requests from one
/// office address. A forged or expired token counts as anonymous.
fn signed_in(req: &ServiceRequest) -> bool {
    let Some(keys) = req.app_data::<web::Data<TokenKeys>>() else {
        return false;
    };
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| keys.verify(token.trim()).is_some())
}

/// What the limits say about a request: go on with this standing, or stop with this
/// answer.
async fn judge(req: &ServiceRequest) -> Result<Option<Standing>, (ApiError, Option<Standing>)> {
    let Some(limits) = req.app_data::<web::Data<RateLimits>>() else {
        return Ok(None);
    };
    if let Some(key) = req.headers().get(API_KEY_HEADER) {
        let key = key.to_str().unwrap_or_default().to_owned();
        let Some(pool) = req.app_data::<web::Data<Pool>>() else {
            return Ok(None);
        };
        let now = Utc::now();
        let counted = database::run(pool, move |conn| {
            Ok(store::partner_keys::count_request(conn, &key, now)?)
        })
        .await
        .map_err(|e| (e, None))?;
        let Some(counted) = counted else {
            return Err((
                ApiError::Unauthorized(format!(
                    "the {API_KEY_HEADER} header holds no live key of this service: check it, or ask for a new one"
                )),
                None,
            ));
        };
        let reset = (counted.resets_at - now).num_seconds().max(1) as u64;
        let standing = Standing {
            limit: counted.limit.max(0) as u32,
            remaining: (counted.limit - counted.count).max(0) as u32,
            reset_seconds: reset,
        };
        if counted.count > counted.limit {
            return Err((
                ApiError::TooManyRequests {
                    retry_after: reset as i64,
                },
                Some(standing),
            ));
        }
        return Ok(Some(standing));
    }
    let Some((limiter, limit)) = &limits.anonymous else {
        return Ok(None);
    };
    if signed_in(req) {
        return Ok(None);
    }
    if limiter.len() > MAX_TRACKED_ADDRESSES {
        limiter.retain_recent();
    }
    let per_request = 60.0 / f64::from(*limit);
    match limiter.check_key(&counted_address(req)) {
        Ok(snapshot) => {
            let remaining = snapshot.remaining_burst_capacity();
            Ok(Some(Standing {
                limit: *limit,
                remaining,
                reset_seconds: (f64::from(limit - remaining) * per_request).ceil() as u64,
            }))
        }
        Err(not_until) => {
            let wait = not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs_f64()
                .ceil()
                .max(1.0) as u64;
            Err((
                ApiError::TooManyRequests {
                    retry_after: wait as i64,
                },
                Some(Standing {
                    limit: *limit,
                    remaining: 0,
                    reset_seconds: wait,
                }),
            ))
        }
    }
}

/// Counts every request under `/api/` against its key or its address.
pub async fn limit_rate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !req.path().starts_with("/api/") {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    match judge(&req).await {
        Ok(standing) => {
            let mut response = next.call(req).await?.map_into_boxed_body();
            if let Some(standing) = standing {
                mark(response.headers_mut(), &standing);
            }
            Ok(response)
        }
        Err((refusal, standing)) => {
            let mut response = actix_web::ResponseError::error_response(&refusal);
            if let Some(standing) = standing {
                mark(response.headers_mut(), &standing);
            }
            Ok(req.into_response(response))
        }
    }
}
