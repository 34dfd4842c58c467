//! One `Vary` per answer, naming every request header the answer depends on.
//!
//! Handlers say what they negotiate (`Accept`, `Accept-Language`), the response cache and
//! the compression layer each add `Accept-Encoding`, and each writes its own header line;
//! a shared cache that reads only one of them (or a layer that replaces the others) would
//! hand one reader's answer to another. [`name_every_negotiated_header`] runs outside
//! all of them and merges what they said into one header, adding `Accept-Encoding`,
//! which every answer that passes the compression layer depends on, 304s included.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// The request headers every answer depends on: compression is negotiated for all.
const ALWAYS: &[&str] = &["Accept-Encoding"];

/// Merges every `Vary` line of the answer into one, with `Accept-Encoding` added and each
/// name once (compared without case), in the order first named.
pub async fn name_every_negotiated_header(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    let named: Vec<String> = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(canonical)
        .chain(ALWAYS.iter().map(|n| (*n).to_owned()))
        .collect();
    let mut merged: Vec<String> = Vec::with_capacity(named.len());
    for name in named {
        if name == "*" {
            merged = vec![name];
            break;
        }
        if !merged.iter().any(|m| m.eq_ignore_ascii_case(&name)) {
            merged.push(name);
        }
    }
    if let Ok(value) = HeaderValue::from_str(&merged.join(", ")) {
        headers.insert(header::VARY, value);
    }
    Ok(response)
}

/// A header name as RFC 9110 writes it: `accept-encoding` → `Accept-Encoding`.
fn canonical(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn header_names_are_written_as_the_standard_writes_them() {
        assert_eq!(canonical("accept-encoding"), "Accept-Encoding");
        assert_eq!(canonical("ACCEPT"), "Accept");
        assert_eq!(canonical("Accept-Language"), "Accept-Language");
    }
}
