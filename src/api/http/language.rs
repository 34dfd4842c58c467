//! Which language a reader wants: `lang=sl|en`, or else the best of `Accept-Language`;
//! neither means both languages, as before languages could be chosen.

use actix_web::HttpRequest;
use actix_web::HttpResponseBuilder;
use actix_web::http::header::{self, HeaderValue};

use crate::domain::opportunity::Lang;

/// How many entries of `Accept-Language` are read; the rest are ignored.
const MOST_RANGES: usize = 32;

/// The best supported language of an `Accept-Language` value (RFC 9110 §12.5.4): the
/// highest quality wins, the earlier of equals; `q=0` refuses a language; `sl-SI` counts
/// as `sl`. None when it names neither language.
pub fn from_accept_language(value: &str) -> Option<Lang> {
    let mut best: Option<(Lang, u16)> = None;
    for range in value.split(',').take(MOST_RANGES) {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let primary = tag.split('-').next().unwrap_or_default();
        let Some(lang) = Lang::parse(&primary.to_ascii_lowercase()) else {
            continue;
        };
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .map_or(Some(1000), quality);
        let Some(quality) = quality else { continue };
        if quality > 0 && best.is_none_or(|(_, q)| quality > q) {
            best = Some((lang, quality));
        }
    }
    best.map(|(lang, _)| lang)
}

/// The language of a request's `Accept-Language` header, if it names one.
pub fn accepted(req: &HttpRequest) -> Option<Lang> {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(from_accept_language)
}

/// A quality value (`0`, `0.5`, `1.000`) in thousandths; none when malformed.
fn quality(q: &str) -> Option<u16> {
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    if fraction.len() > 3 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The language a response is in: the `lang` parameter, or else `Accept-Language`.
pub fn negotiate(req: &HttpRequest, param: Option<Lang>) -> Option<Lang> {
    param.or_else(|| accepted(req))
}

/// Marks a response as negotiated on `Accept-Language`, in `lang` or in both languages.
pub fn mark(builder: &mut HttpResponseBuilder, lang: Option<Lang>) {
    builder.insert_header((
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.map_or("en, sl", Lang::code)),
    ));
    builder.insert_header((header::VARY, HeaderValue::from_static("Accept-Language")));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_quality_wins_and_zero_refuses() {
        assert_eq!(
            from_accept_language("sl-SI,sl;q=0.9,en;q=0.8"),
            Some(Lang::Sl)
        );
        assert_eq!(
            from_accept_language("de, en;q=0.5, sl;q=0.7"),
            Some(Lang::Sl)
        );
        assert_eq!(from_accept_language("sl;q=0, en;q=0.1"), Some(Lang::En));
        assert_eq!(from_accept_language("EN-gb"), Some(Lang::En));
        assert_eq!(from_accept_language("de, fr;q=0.9, *;q=0.1"), None);
        assert_eq!(from_accept_language("sl;q=2, en;q=abc"), None);
        assert_eq!(from_accept_language(""), None);
    }
}
