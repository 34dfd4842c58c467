//! The formats a resource is offered in, and which one `Accept` picks (RFC 9110 §12.5.1).

use actix_web::HttpRequest;
use actix_web::http::header::{self, Accept, Header, Quality};
use actix_web::mime::{self, Mime};

use crate::error::ApiError;

/// A representation format of the directory's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    JsonLd,
    Atom,
    Calendar,
    Csv,
}

impl Format {
    /// The media type the format is sent as.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::JsonLd => "application/ld+json",
            Format::Atom => "application/atom+xml",
            Format::Calendar => "text/calendar",
            Format::Csv => "text/csv",
        }
    }

    /// The media type with its parameters, for `Content-Type`.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::JsonLd => "application/ld+json",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Calendar => "text/calendar; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8; header=present",
        }
    }

    /// The file extension of the format's explicit URL (`/api/v1/opportunities.ics`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::JsonLd => "jsonld",
            Format::Atom => "atom",
            Format::Calendar => "ics",
            Format::Csv => "csv",
        }
    }
}

/// Marks a response to a negotiated resource: its answer depends on `Accept`.
pub fn mark(response: &mut actix_web::HttpResponseBuilder, format: Format) {
    response
        .insert_header((header::CONTENT_TYPE, format.content_type()))
        .append_header((header::VARY, "Accept"));
}

/// How well a media range of `Accept` matches a media type: exact, `type/*` or `*/*`.
fn specificity(range: &Mime, offered: &Mime) -> Option<u8> {
    match (range.type_(), range.subtype()) {
        (mime::STAR, mime::STAR) => Some(0),
        (t, mime::STAR) if t == offered.type_() => Some(1),
        (t, s) if t == offered.type_() && s == offered.subtype() => Some(2),
        _ => None,
    }
}

/// The format `Accept` prefers among `offered` (listed in the server's order of
/// preference, which breaks ties). Without `Accept`, or with one that does not parse, the
/// first; with one that rules every offered format out, a 406 naming them.
pub fn negotiate(req: &HttpRequest, offered: &[Format]) -> Result<Format, ApiError> {
    let first = offered[0];
    if !req.headers().contains_key(header::ACCEPT) {
        return Ok(first);
    }
    let Ok(accept) = Accept::parse(req) else {
        return Ok(first);
    };
    if accept.0.is_empty() {
        return Ok(first);
    }
    let quality_of = |format: Format| -> Quality {
        let Ok(offered) = format.media_type().parse::<Mime>() else {
            return Quality::ZERO;
        };
        accept
            .0
            .iter()
            .filter_map(|item| Some((specificity(&item.item, &offered)?, item.quality)))
            .max_by_key(|(specific, _)| *specific)
            .map_or(Quality::ZERO, |(_, quality)| quality)
    };
    let mut best: Option<(Format, Quality)> = None;
    for &format in offered {
        let quality = quality_of(format);
        if quality > Quality::ZERO && best.is_none_or(|(_, q)| quality > q) {
            best = Some((format, quality));
        }
    }
    best.map(|(format, _)| format).ok_or_else(|| {
        ApiError::NotAcceptable(offered.iter().map(|f| f.media_type().to_owned()).collect())
    })
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    const LIST: &[Format] = &[Format::Json, Format::Atom, Format::Calendar, Format::Csv];

    fn pick(accept: &str) -> Result<Format, ApiError> {
        let req = TestRequest::default()
            .insert_header((header::ACCEPT, accept))
            .to_http_request();
        negotiate(&req, LIST)
    }

    #[test]
    fn the_best_quality_wins_and_ties_go_to_the_servers_order() {
        assert_eq!(pick("text/calendar").unwrap(), Format::Calendar);
        assert_eq!(
            pick("text/csv;q=0.5, application/atom+xml").unwrap(),
            Format::Atom
        );
        assert_eq!(pick("*/*").unwrap(), Format::Json);
        assert_eq!(pick("text/*").unwrap(), Format::Calendar);
        assert_eq!(
            pick("text/html,application/xhtml+xml,*/*;q=0.8").unwrap(),
            Format::Json
        );
        assert_eq!(pick("application/json;q=0, */*").unwrap(), Format::Atom);
    }

    #[test]
    fn nothing_acceptable_is_a_406_naming_what_is_offered() {
        match pick("image/png") {
            Err(ApiError::NotAcceptable(offered)) => assert!(offered.contains(&"text/csv".into())),
            other => panic!("{other:?}"),
        }
        assert!(pick("text/csv;q=0, application/*;q=0, text/*;q=0").is_err());
    }
}
