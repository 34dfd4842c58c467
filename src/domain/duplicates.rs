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

/// How alike two titles are, from 0 to 1, if they are near-identical (at least
/// [`TITLE_SIMILARITY_THRESHOLD`]): the normalised Levenshtein similarity of the titles
/// lower-cased with punctuation and repeated spaces removed.
pub fn near_identical(a: &str, b: &str) -> Option<f64> {
    ComparableTitle::new(a).near_identical(&ComparableTitle::new(b))
}

/// A title simplified once, to be compared with many others ([`near_identical`]).
pub struct ComparableTitle(Vec<char>);

impl ComparableTitle {
    pub fn new(title: &str) -> ComparableTitle {
        ComparableTitle(simplify(title).chars().collect())
    }

    /// The similarity of the two titles, if they are near-identical.
    pub fn near_identical(&self, other: &ComparableTitle) -> Option<f64> {
        thread_local! {
            static ROWS: std::cell::RefCell<Rows> = std::cell::RefCell::new(Rows::default());
        }
        ROWS.with_borrow_mut(|rows| similarity_at_least(&self.0, &other.0, rows))
    }
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
        let key: Vec<char> = key.chars().collect();
        let mut other = Vec::new();
        let mut rows = Rows::default();
        let mut found: Vec<(&L, f64)> = before
            .chain(after)
            .filter_map(|(title, labels)| {
                other.clear();
                other.extend(title.chars());
                let score = similarity_at_least(&key, &other, &mut rows)?;
                Some(labels.iter().map(move |l| (l, score)))
            })
            .flatten()
            .collect();
        found.sort_by(|a, b| b.1.total_cmp(&a.1));
        found
    }
}

/// The normalised Levenshtein similarity of `a` and `b` (as `strsim` computes it), if it
/// is at least [`TITLE_SIMILARITY_THRESHOLD`]. Only the distances that can still reach
/// it are computed: the cells within as many edits of the diagonal as the threshold
/// allows, and none once a row has none left within it. An import compares every title
/// with ten neighbours, and the full table was a quarter of its time; the duplicates
/// report compares each with fifty.
fn similarity_at_least(a: &[char], b: &[char], rows: &mut Rows) -> Option<f64> {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return Some(1.0);
    }
    let score = |distance: usize| 1.0 - (distance as f64) / (longest as f64);
    let most = (0..=longest)
        .rev()
        .find(|&d| score(d) >= TITLE_SIMILARITY_THRESHOLD)?;
    levenshtein_within(a, b, most, rows).map(score)
}

/// The two rows of the Levenshtein table that [`levenshtein_within`] reuses.
#[derive(Default)]
struct Rows {
    previous: Vec<usize>,
    current: Vec<usize>,
}

/// The Levenshtein distance of `a` and `b` if it is at most `most`.
fn levenshtein_within(a: &[char], b: &[char], most: usize, rows: &mut Rows) -> Option<usize> {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if b.len() - a.len() > most {
        return None;
    }
    // Past `most`, a cell's exact value does not matter: it is only ever too far.
    let far = most + 1;
    let Rows { previous, current } = rows;
    previous.clear();
    previous.extend((0..=b.len()).map(|j| j.min(far)));
    current.clear();
    current.resize(b.len() + 1, far);
    for i in 1..=a.len() {
        let first = i.saturating_sub(most).max(1);
        let last = (i + most).min(b.len());
        current[first - 1] = if first == 1 { i.min(far) } else { far };
        let mut nearest = current[first - 1];
        for j in first..=last {
            let replace = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let value = replace
                .min(previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(far);
            current[j] = value;
            nearest = nearest.min(value);
        }
        if last < b.len() {
            current[last + 1] = far;
        }
        if nearest > most {
            return None;
        }
        std::mem::swap(previous, current);
    }
    let distance = previous[b.len()];
    (distance <= most).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bounded comparison says what `strsim` says, for pairs near and far, short and
    /// long, in scripts of one and several bytes per character.
    #[test]
    fn the_bounded_similarity_is_strsims() {
        let alphabet: Vec<char> = "abcčdeš z".chars().collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut rows = Rows::default();
        let (mut similar, mut compared) = (0, 0);
        for _ in 0..20_000 {
            let len = next(40);
            let a: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            // Mostly a few edits of `a`, sometimes a string of its own.
            let b: String = if next(4) == 0 {
                (0..next(40))
                    .map(|_| alphabet[next(alphabet.len())])
                    .collect()
            } else {
                let mut b: Vec<char> = a.chars().collect();
                for _ in 0..next(6) {
                    let at = next(b.len() + 1);
                    match next(3) {
                        0 => b.insert(at, alphabet[next(alphabet.len())]),
                        1 if at < b.len() => {
                            b.remove(at);
                        }
                        _ if at < b.len() => b[at] = alphabet[next(alphabet.len())],
                        _ => {}
                    }
                }
                b.into_iter().collect()
            };
            let expected = strsim::normalized_levenshtein(&a, &b);
            let a_chars: Vec<char> = a.chars().collect();
            let b_chars: Vec<char> = b.chars().collect();
            let got = similarity_at_least(&a_chars, &b_chars, &mut rows);
            compared += 1;
            if expected >= TITLE_SIMILARITY_THRESHOLD {
                similar += 1;
                assert_eq!(got, Some(expected), "{a:?} / {b:?}");
            } else {
                assert_eq!(got, None, "{a:?} / {b:?} ({expected})");
            }
        }
        // Both sides of the threshold were tried, many times.
        assert!(
            similar > 2_000 && compared - similar > 2_000,
            "{similar} of {compared}"
        );
    }

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
        assert_eq!(
            near_identical(
                "Polar Night Artist Residency 2027",
                "Polar Night Artist-Residency, 2027!"
            ),
            Some(1.0)
        );
        let score = near_identical(
            "Polar Night Artist Residency",
            "Polar Nite Artist Residency",
        );
        assert!(score.is_some_and(|s| (TITLE_SIMILARITY_THRESHOLD..1.0).contains(&s)));
        assert_eq!(
            near_identical("Polar Night Artist Residency", "Summer Dance Festival"),
            None
        );
    }
}
