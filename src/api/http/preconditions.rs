//! Versions on the wire: the `ETag` of an entry and the `If-Match` that guards its changes.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::api::http::conditional::same_entity;
use crate::error::ApiError;

/// The strong entity tag of a version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The request's `If-Match` header, if any.
pub fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
}

/// Checks `If-Match` against the current version: 428 when it is missing (if `required`),
/// 412 when it names another version.
pub fn check_if_match(
    if_match: Option<&str>,
    current: i32,
    required: bool,
) -> Result<(), ApiError> {
    let Some(value) = if_match else {
        return if required {
            Err(ApiError::PreconditionRequired)
        } else {
            Ok(())
        };
    };
    let current_tag = etag(current);
    let matches = value
        .split(',')
        .map(str::trim)
        // Strong comparison (RFC 9110 §13.1.1): a weak tag never matches; a tag sent with a
        // content coding suffix names the same version.
        .any(|tag| tag == "*" || (!tag.starts_with("W/") && same_entity(tag, &current_tag)));
    if matches {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed(format!(
            "the entry is at version {current_tag}; read it again and reapply your change"
        )))
    }
}

/// 428 when `If-Match` is absent: checked before the body, so that a client learns first
/// that it must send the version it edits.
pub fn require_if_match(req: &HttpRequest) -> Result<(), ApiError> {
    if req.headers().contains_key(header::IF_MATCH) {
        Ok(())
    } else {
        Err(ApiError::PreconditionRequired)
    }
}
