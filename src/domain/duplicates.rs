//! Recognising the same call entered twice: a normalised source URL, and title similarity.

use url::Url;

/// Query parameters that only track where a visitor came from.
const TRACKING: &[&str] = &[
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc",
    "_hsmi", "ref", "ref_src",
];

/// The URL with case-insensitive parts lowered, the default port, fragment, trailing slash
/// and tracking parameters (`utm_*` and the like) removed, and the remaining query sorted.
/// `None` when it is not an absolute http(s) URL.
pub fn normalize_url(raw: &str) -> Option<String> {
    let mut url = Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    // The url crate already lowers scheme and host and drops a default port.
    url.set_fragment(None);
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING.contains(&k.as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(if path.is_empty() { "/" } else { &path });
    // http and https name the same page.
    let text = url.to_string();
    Some(
        text.strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .unwrap_or(&text)
            .trim_end_matches('/')
            .to_owned(),
    )
}

/// Titles at least this similar (normalised Levenshtein, 0 to 1) are flagged.
pub const TITLE_SIMILARITY_THRESHOLD: f64 = 0.85;

fn simplify(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// How alike two titles are, from 0 to 1: the normalised Levenshtein similarity of the
/// titles lower-cased with punctuation and repeated spaces removed.
pub fn title_similarity(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(&simplify(a), &simplify(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_normalise_to_one_key() {
        let key = normalize_url("https://Example.org/calls/residency").unwrap();
        for variant in [
            "HTTPS://EXAMPLE.ORG/calls/residency/",
            "https://example.org:443/calls/residency#apply",
            "http://example.org/calls/residency?utm_source=newsletter&utm_medium=email",
            "https://example.org/calls/residency?fbclid=abc",
        ] {
            assert_eq!(normalize_url(variant).unwrap(), key, "{variant}");
        }
        assert_ne!(
            normalize_url("https://example.org/calls/residency?id=2").unwrap(),
            key
        );
        assert_eq!(
            normalize_url("https://example.org/x?b=2&a=1").unwrap(),
            normalize_url("https://example.org/x?a=1&b=2&utm_campaign=z").unwrap()
        );
        assert!(normalize_url("ftp://example.org").is_none());
    }

    #[test]
    fn near_identical_titles_are_similar() {
        assert!(
            title_similarity(
                "Polar Night Artist Residency 2027",
                "Polar Night Artist-Residency, 2027!"
            ) >= TITLE_SIMILARITY_THRESHOLD
        );
        assert!(
            title_similarity(
                "Polar Night Artist Residency",
                "Polar Nite Artist Residency"
            ) >= TITLE_SIMILARITY_THRESHOLD
        );
        assert!(
            title_similarity("Polar Night Artist Residency", "Summer Dance Festival")
                < TITLE_SIMILARITY_THRESHOLD
        );
    }
}
