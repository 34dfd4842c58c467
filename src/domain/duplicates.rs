//! Recognising the same call entered twice: a normalised source URL, and title similarity.

use std::collections::BTreeMap;

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

/// How many neighbours on each side, in alphabetical order, a title is compared with.
pub const TITLE_NEIGHBOURS: usize = 5;

/// Titles (of one organizer), each with a label saying whose it is, kept in the order of
/// their simplified form, so that a new title is compared with its
/// [`TITLE_NEIGHBOURS`] nearest neighbours on each side only: the work per title stays
/// the same however many titles there are. A pair whose titles differ in their first
/// words can be missed.
pub struct TitleNeighbours<L> {
    titles: BTreeMap<String, Vec<L>>,
}

impl<L> Default for TitleNeighbours<L> {
    fn default() -> Self {
        TitleNeighbours {
            titles: BTreeMap::new(),
        }
    }
}

impl<L> TitleNeighbours<L> {
    pub fn insert(&mut self, title: &str, label: L) {
        self.titles.entry(simplify(title)).or_default().push(label);
    }

    /// The labels of the neighbours of `title` at least [`TITLE_SIMILARITY_THRESHOLD`]
    /// similar to it, with their similarity, most similar first.
    pub fn similar(&self, title: &str) -> Vec<(&L, f64)> {
        let key = simplify(title);
        let before = self
            .titles
            .range(..key.clone())
            .rev()
            .take(TITLE_NEIGHBOURS);
        let after = self.titles.range(key.clone()..).take(TITLE_NEIGHBOURS);
        let mut found: Vec<(&L, f64)> = before
            .chain(after)
            .map(|(other, labels)| (labels, strsim::normalized_levenshtein(&key, other)))
            .filter(|(_, score)| *score >= TITLE_SIMILARITY_THRESHOLD)
            .flat_map(|(labels, score)| labels.iter().map(move |l| (l, score)))
            .collect();
        found.sort_by(|a, b| b.1.total_cmp(&a.1));
        found
    }
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
    fn a_title_is_compared_with_its_alphabetical_neighbours() {
        let mut titles = TitleNeighbours::default();
        titles.insert("Polar Night Artist Residency", "polar");
        titles.insert("Summer Dance Festival", "summer");
        for n in 0..100 {
            titles.insert(&format!("Unrelated call number {n:03} of many"), "other");
        }
        let found = titles.similar("Polar Night Artist-Residency!");
        assert_eq!(found.len(), 1);
        assert_eq!(*found[0].0, "polar");
        assert!(found[0].1 > 0.99);
        assert!(titles.similar("Winter Writing Retreat").is_empty());
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
