//! Keyset pagination on the wire: opaque cursors, the `Link` header and the list envelope.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::FieldIssue;
use crate::store::Keyset;

use crate::api::http::query::QueryParams;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;
/// No cursor the server issues is longer; a longer one is refused before it is decoded.
const MAX_CURSOR_BYTES: usize = 1000;

/// Where a list page starts: after the row a cursor names, in the order the cursor was made for.
pub struct PageRequest {
    pub after: Option<Keyset>,
    pub limit: i64,
}

/// Reads `limit` and `cursor`. A cursor is only valid for the list (`scope`) that issued it;
/// it names a row, so it stays valid when the client changes the sort order or filters.
pub fn page_request(params: &mut QueryParams, scope: &str) -> Result<PageRequest, FieldIssue> {
    page_request_up_to(params, scope, DEFAULT_LIMIT, MAX_LIMIT)
}

/// As [`page_request`], with a page size of `default` and at most `max`.
pub fn page_request_up_to(
    params: &mut QueryParams,
    scope: &str,
    default: i64,
    max: i64,
) -> Result<PageRequest, FieldIssue> {
    let limit = params.integer("limit", 1, max).unwrap_or(default);
    let after = match params.text("cursor") {
        Some(cursor) if cursor.len() > MAX_CURSOR_BYTES => {
            return Err(FieldIssue::new(
                "cursor",
                "is not a cursor this list issued",
            ));
        }
        Some(cursor) => Some(
            decode(&cursor, scope)
                .ok_or_else(|| FieldIssue::new("cursor", "is not a cursor this list issued"))?,
        ),
        None => None,
    };
    Ok(PageRequest { after, limit })
}

pub fn encode(keyset: &Keyset, scope: &str) -> String {
    let raw = serde_json::json!([scope, keyset.keys, keyset.id]).to_string();
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode(cursor: &str, scope: &str) -> Option<Keyset> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let (s, keys, id): (String, Vec<String>, String) = serde_json::from_slice(&raw).ok()?;
    (s == scope).then_some(Keyset { keys, id })
}

/// A 200 response for a page, with the RFC 8288 `Link` header to the next page if there is one.
pub fn page_response(req: &HttpRequest, next: Option<&str>) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    if let Some(next) = next {
        response.insert_header((header::LINK, next_link(req, next)));
    }
    response
}

/// The `Link` header value pointing at the next page: the same query with the new cursor.
fn next_link(req: &HttpRequest, next: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if k != "cursor" {
            query.append_pair(&k, &v);
        }
    }
    query.append_pair("cursor", next);
    format!("<{}?{}>; rel=\"next\"", req.path(), query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_only_in_its_own_scope() {
        let k = Keyset {
            keys: vec!["2027-01-01T00:00:00.000000".into()],
            id: "abc".into(),
        };
        let c = encode(&k, "opportunities");
        assert_eq!(decode(&c, "opportunities"), Some(k));
        assert_eq!(decode(&c, "organizations"), None);
        assert_eq!(decode("not-a-cursor", "opportunities"), None);
    }
}
