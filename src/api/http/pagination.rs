//! Keyset pagination on the wire: opaque cursors, the `Link` header and the list envelope.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use sha2::{Digest, Sha256};

use crate::app::PublicUrl;
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

/// The list a cursor belongs to: which resource, and which search of it (its filters and
/// order). A cursor names the last row of a page of one search; sent with another, it would
/// continue a list the client never asked for, so it is refused instead.
pub struct CursorScope {
    list: &'static str,
    search: String,
}

impl CursorScope {
    /// The scope of `list` searched with `search`: anything whose `Debug` form is the same
    /// exactly when the search is (filters with their values in a canonical order, and the
    /// order of the list).
    pub fn new(list: &'static str, search: &impl std::fmt::Debug) -> CursorScope {
        let digest = Sha256::digest(format!("{search:?}").as_bytes());
        let search = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        CursorScope { list, search }
    }
}

/// A filter's values in a canonical order, for a [`CursorScope`]: `a,b` and `b&a` are
/// one search.
pub fn set_of<T: std::fmt::Debug>(values: &[T]) -> Vec<String> {
    let mut shown: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    shown.sort();
    shown
}

/// Reads `limit` and `cursor`. A cursor is only valid for the list and the search
/// (`scope`) that issued it.
pub fn page_request(
    params: &mut QueryParams,
    scope: &CursorScope,
) -> Result<PageRequest, FieldIssue> {
    page_request_up_to(params, scope, DEFAULT_LIMIT, MAX_LIMIT)
}

/// As [`page_request`], with a page size of `default` and at most `max`.
pub fn page_request_up_to(
    params: &mut QueryParams,
    scope: &CursorScope,
    default: i64,
    max: i64,
) -> Result<PageRequest, FieldIssue> {
    let limit = params.integer("limit", 1, max).unwrap_or(default);
    let after = match params.text("cursor") {
        Some(cursor) => {
            Some(decode(&cursor, scope).map_err(|reason| FieldIssue::new("cursor", reason))?)
        }
        None => None,
    };
    Ok(PageRequest { after, limit })
}

pub fn encode(keyset: &Keyset, scope: &CursorScope) -> String {
    let raw = serde_json::json!([scope.list, scope.search, keyset.keys, keyset.id]).to_string();
    URL_SAFE_NO_PAD.encode(raw)
}

const NOT_ISSUED: &str = "is not a cursor this list issued";
const OTHER_SEARCH: &str = "belongs to another search: the filters or the sort of this request differ from those of the page that gave it. Send the cursor with the same parameters (`next_url` and the `Link` header carry them), or leave it out to start from the first page";
const UNBOUND: &str = "was issued before cursors were bound to their search; leave it out to start from the first page";

fn decode(cursor: &str, scope: &CursorScope) -> Result<Keyset, &'static str> {
    if cursor.len() > MAX_CURSOR_BYTES {
        return Err(NOT_ISSUED);
    }
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| NOT_ISSUED)?;
    if let Ok((list, search, keys, id)) =
        serde_json::from_slice::<(String, String, Vec<String>, String)>(&raw)
    {
        return match (list == scope.list, search == scope.search) {
            (true, true) => Ok(Keyset { keys, id }),
            (true, false) => Err(OTHER_SEARCH),
            (false, _) => Err(NOT_ISSUED),
        };
    }
    match serde_json::from_slice::<(String, Vec<String>, String)>(&raw) {
        Ok((list, _, _)) if list == scope.list => Err(UNBOUND),
        _ => Err(NOT_ISSUED),
    }
}

/// A 200 response for a page, with the RFC 8288 `Link` header to the next page if there is one.
pub fn page_response(req: &HttpRequest, next: Option<&str>) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    if let Some(next) = next {
        response.insert_header((
            header::LINK,
            format!("<{}>; rel=\"next\"", next_target(req, next)),
        ));
    }
    response
}

/// The absolute URL of the next page, for the body's `next_url`: the service's public
/// address, the same path and query, and the new cursor.
pub fn next_url(req: &HttpRequest, next: Option<&str>) -> Option<String> {
    let base = req
        .app_data::<web::Data<PublicUrl>>()
        .map_or("", |p| p.0.as_str());
    next.map(|next| format!("{base}{}", next_target(req, next)))
}

/// The path and query of the next page: the same query with the new cursor.
fn next_target(req: &HttpRequest, next: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if k != "cursor" {
            query.append_pair(&k, &v);
        }
    }
    query.append_pair("cursor", next);
    format!("{}?{}", req.path(), query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_only_in_its_own_list_and_search() {
        let k = Keyset {
            keys: vec!["2027-01-01T00:00:00.000000".into()],
            id: "abc".into(),
        };
        let music = CursorScope::new("opportunities", &("music", "deadline"));
        let c = encode(&k, &music);
        assert_eq!(decode(&c, &music), Ok(k.clone()));
        assert_eq!(
            decode(
                &c,
                &CursorScope::new("opportunities", &("dance", "deadline"))
            ),
            Err(OTHER_SEARCH)
        );
        assert_eq!(
            decode(
                &c,
                &CursorScope::new("organizations", &("music", "deadline"))
            ),
            Err(NOT_ISSUED)
        );
        assert_eq!(decode("not-a-cursor", &music), Err(NOT_ISSUED));
        let unbound =
            URL_SAFE_NO_PAD.encode(serde_json::json!(["opportunities", k.keys, k.id]).to_string());
        assert_eq!(decode(&unbound, &music), Err(UNBOUND));
    }
}
