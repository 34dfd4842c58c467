//! Conditional GETs: strong entity tags computed from the representation, `Last-Modified`,
//! `Cache-Control`, and the 304 that answers `If-None-Match` or `If-Modified-Since`.
//!
//! Three layers, from the handler outwards:
//! - [`tag_representation`] hashes each public `200` answer (its body, its media type and
//!   its language) into an `ETag`, so the tag changes exactly when the bytes a client
//!   gets change: after an edit, an organizer's rename, or a status flipping at a
//!   deadline. It runs inside the response cache, so a kept answer keeps its tag.
//! - [`answer_not_modified`] answers a matching `If-None-Match` (or, without one, an
//!   `If-Modified-Since` not older than `Last-Modified`) with 304 and no body.
//! - [`name_coding_in_etag`], outside compression: a gzip or brotli body is another
//!   representation (RFC 9110 §8.8.3), so its tag gets the coding as a suffix
//!   (`"…-gzip"`, `"…-br"`); [`same_entity`] sees through the suffix, so a tag a client
//!   got compressed still validates and still serves as `If-Match`.

use std::time::SystemTime;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue, HttpDate};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sha2::{Digest, Sha256};

/// The paths whose answers are public representations.
const PUBLIC_PREFIXES: &[&str] = &[
    "/api/v1/opportunities",
    "/api/v1/organizations",
    "/api/v1/taxonomies",
    "/api/v1/dataset",
    "/openapi.json",
    "/widget.js",
];
/// How long a browser or shared cache may reuse a public answer without asking again; a
/// client that must see a deadline's status flip at once revalidates with the `ETag`.
pub const PUBLIC_MAX_AGE_SECONDS: u32 = 60;
/// Bodies larger than this are not hashed (no public answer comes near it).
const LARGEST_TAGGED_BYTES: u64 = 16 * 1024 * 1024;
/// The content codings whose tags carry a suffix.
const CODINGS: &[&str] = &["gzip", "br", "deflate", "zstd"];

/// The answer to a conditional `GET` whose representation the client already holds.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 304,
    description = "Not modified: the `If-None-Match` tag, or the `If-Modified-Since` date, still describes the representation. No body; the headers are those of the 200.",
    headers(
        ("etag" = String, description = "The tag the client sent, which is still current."),
        ("cache-control" = String, description = "As on the 200."),
    )
)]
#[allow(dead_code)] // only describes a response for the OpenAPI document
pub struct NotModifiedResponse;

/// Whether two entity tags name the same entity, ignoring a weak marker and a content
/// coding suffix (the weak comparison of RFC 9110 §8.8.3.2, which `If-None-Match` uses).
pub fn same_entity(a: &str, b: &str) -> bool {
    let a = strip_coding(a.trim().trim_start_matches("W/"));
    let b = strip_coding(b.trim().trim_start_matches("W/"));
    !a.is_empty() && a == b
}

fn strip_coding(tag: &str) -> &str {
    let Some(opaque) = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
        return tag;
    };
    CODINGS
        .iter()
        .find_map(|c| opaque.strip_suffix(c).and_then(|t| t.strip_suffix('-')))
        .unwrap_or(opaque)
}

/// The `Last-Modified` header for a representation that last changed at `at`: rounded up
/// to the whole second (HTTP dates have no fractions, and a change later in the same
/// second must not look older), and left out while that second has not passed, since a
/// second change in it could not be told apart.
pub fn last_modified(response: &mut HttpResponseBuilder, at: DateTime<Utc>, now: DateTime<Utc>) {
    let whole = at.duration_trunc(TimeDelta::seconds(1)).unwrap_or(at);
    let rounded = if whole == at {
        whole
    } else {
        whole + TimeDelta::seconds(1)
    };
    if rounded <= now {
        response.insert_header((
            header::LAST_MODIFIED,
            HttpDate::from(SystemTime::from(rounded)),
        ));
    }
}

fn is_public(req: &ServiceRequest) -> bool {
    PUBLIC_PREFIXES.iter().any(|p| req.path().starts_with(p))
}

/// The strong tag of a representation: a SHA-256 of what tells it apart (media type,
/// language, body), 128 bits in hex.
fn representation_tag(headers: &HeaderMap, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    for name in [header::CONTENT_TYPE, header::CONTENT_LANGUAGE] {
        hash.update(headers.get(&name).map_or(&b""[..], HeaderValue::as_bytes));
        hash.update([0]);
    }
    hash.update(body);
    let digest = hash.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Gives every successful `GET` of a public resource an `ETag` from its bytes (unless the
/// handler set one) and a `Cache-Control`: public and short for anonymous readers,
/// `no-store` for anything asked with credentials.
pub async fn tag_representation(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let public = is_public(&req);
    let signed_in = req.headers().contains_key(header::AUTHORIZATION);
    let get = req.method() == Method::GET;
    let mut response = next.call(req).await?.map_into_boxed_body();
    if signed_in {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !(get && public && response.status() == StatusCode::OK) {
        return Ok(response);
    }
    if !signed_in && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_str(&format!("public, max-age={PUBLIC_MAX_AGE_SECONDS}"))
                .expect("a header value"),
        );
    }
    let sized = matches!(response.response().body().size(), BodySize::Sized(n) if n <= LARGEST_TAGGED_BYTES);
    if response.headers().contains_key(header::ETAG) || !sized {
        return Ok(response);
    }
    let (req, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let body = actix_web::body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?;
    let tag = representation_tag(head.headers(), &body);
    let mut response = head.set_body(BoxBody::new(body));
    response.headers_mut().insert(
        header::ETAG,
        HeaderValue::from_str(&tag).expect("hex is a header value"),
    );
    Ok(ServiceResponse::new(req, response))
}

/// Answers a `GET` whose validators show the client already has the representation
/// with 304 Not Modified: `If-None-Match` when sent (any listed tag, or `*`), else
/// `If-Modified-Since` against `Last-Modified` (RFC 9110 §13.2.2).
pub async fn answer_not_modified(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let if_modified_since = req
        .headers()
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok()?.parse::<HttpDate>().ok());
    let get = req.method() == Method::GET;
    let response = next.call(req).await?.map_into_boxed_body();
    if !get || response.status() != StatusCode::OK {
        return Ok(response);
    }
    let headers = response.headers();
    let matched: Option<Option<String>> = match &if_none_match {
        Some(listed) => headers
            .get(header::ETAG)
            .and_then(|t| t.to_str().ok())
            .and_then(|current| {
                listed
                    .split(',')
                    .map(str::trim)
                    .find(|tag| *tag == "*" || same_entity(tag, current))
                    .map(|tag| (tag != "*").then(|| tag.to_owned()))
            }),
        None => {
            let modified = headers
                .get(header::LAST_MODIFIED)
                .and_then(|v| v.to_str().ok()?.parse::<HttpDate>().ok());
            match (if_modified_since, modified) {
                (Some(since), Some(modified)) if modified <= since => Some(None),
                _ => None,
            }
        }
    };
    let Some(client_tag) = matched else {
        return Ok(response);
    };
    let mut not_modified = HttpResponse::NotModified();
    for name in [
        header::CACHE_CONTROL,
        header::CONTENT_LOCATION,
        header::ETAG,
        header::EXPIRES,
        header::VARY,
        header::LAST_MODIFIED,
        header::CONTENT_LANGUAGE,
    ] {
        for value in headers.get_all(&name) {
            not_modified.append_header((name.clone(), value.clone()));
        }
    }
    // The tag the client holds, coding suffix included, is the one its cache updates.
    if let Some(tag) = client_tag
        && let Ok(value) = HeaderValue::from_str(&tag)
    {
        not_modified.insert_header((header::ETAG, value));
    }
    let (req, _) = response.into_parts();
    Ok(ServiceResponse::new(req, not_modified.finish()))
}

/// Adds the content coding to the `ETag` of a compressed answer: `"abc"` sent gzipped is
/// `"abc-gzip"`.
pub async fn name_coding_in_etag(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    let coding = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .filter(|c| CODINGS.contains(c))
        .map(str::to_owned);
    if let Some(coding) = coding
        && let Some(tag) = response
            .headers()
            .get(header::ETAG)
            .and_then(|t| t.to_str().ok())
        && let Some(opaque) = tag.strip_suffix('"')
        && let Ok(value) = HeaderValue::from_str(&format!("{opaque}-{coding}\""))
    {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_coding_suffix_and_a_weak_marker_name_the_same_entity() {
        assert!(same_entity("\"abc\"", "\"abc\""));
        assert!(same_entity("\"abc-gzip\"", "\"abc\""));
        assert!(same_entity("W/\"abc-br\"", "\"abc-gzip\""));
        assert!(same_entity("\"7-br\"", "\"7\""));
        assert!(!same_entity("\"abc\"", "\"abd\""));
        assert!(!same_entity("\"abc-gzip\"", "\"abcgzip\""));
        assert!(!same_entity("", ""));
    }

    #[test]
    fn last_modified_rounds_up_and_waits_for_its_second_to_pass() {
        let header_of = |at: &str, now: &str| {
            let mut builder = HttpResponse::Ok();
            last_modified(&mut builder, at.parse().unwrap(), now.parse().unwrap());
            builder
                .finish()
                .headers()
                .get(header::LAST_MODIFIED)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header_of("2026-11-25T10:00:00.300Z", "2026-11-25T10:00:05Z").as_deref(),
            Some("Wed, 25 Nov 2026 10:00:01 GMT")
        );
        assert_eq!(
            header_of("2026-11-25T10:00:00Z", "2026-11-25T10:00:00Z").as_deref(),
            Some("Wed, 25 Nov 2026 10:00:00 GMT")
        );
        assert_eq!(
            header_of("2026-11-25T10:00:00.300Z", "2026-11-25T10:00:00.900Z"),
            None
        );
    }
}
