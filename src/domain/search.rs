//! What a search box's text means: words, quoted phrases, `-exclusions` and `or`, read
//! the way web search engines read them, and how inflected forms are matched.
//!
//! No stemmer exists for Slovenian in Snowball, PostgreSQL or SQLite, so every word of
//! three letters or more is matched as a prefix of its stem: a common inflectional
//! ending is cut off first (`keramiko` → `keramik…`, `rezidence` → `rezidenc…`,
//! `residencies` → `residenc…`) as long as four letters remain. That finds the cases and
//! numbers of Slovenian nouns and English plurals alike, and lets the last word be
//! half-typed. A single word also matches by its Slovenian lemma ([`lemmas`], from
//! LemmaGen's model in [`super::lemma`]): the lemmas of the Slovenian texts are stored in
//! the search document beside the words ([`lemma_text`]), so that `crna gora` finds
//! "v Črni gori" and `prevajalec` finds "prevajalce". Both backends get the same parsed query, rendered in their own syntax,
//! so that they find the same entries.

use std::collections::HashMap;

use super::opportunity::Lang;

/// The longest `q` accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 300;
/// The most words of a query that are read; later ones are ignored.
pub const MAX_WORDS: usize = 32;

/// One word as it is matched: `text` exactly, or every word starting with it; or,
/// outside phrases, any of its Slovenian `lemmas` (folded) among the lemmas of a
/// document's Slovenian texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub prefix: bool,
    pub lemmas: Vec<String>,
}

/// What marks a lemma token in a search document, so that no surface word matches it.
pub const LEMMA_MARK: &str = "0l";
/// Raised whenever [`lemma_text`] changes: documents written before are rebuilt at start.
pub const LEMMAS_VERSION: i32 = 1;

/// The Slovenian lemmas of a word, folded: of the word in lower case and capitalized
/// (the model knows names by their capital: `Dunaju` → `Dunaj`, `dunaju` → `dunaj`,
/// `Sloveniji` → `Slovenija`), and of the same without diacritics, as people often type
/// them (`crni` and `crna` share a lemma as `črni` and `črna` do). Words of fewer than
/// three letters, or with anything but letters, have none. The same for a query's words
/// and a document's, so that they meet.
pub fn lemmas(word: &str) -> Vec<String> {
    if word.chars().count() < MIN_PREFIX || !word.chars().all(char::is_alphabetic) {
        return Vec::new();
    }
    let capitalized = |w: &str| -> String {
        let mut chars = w.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    };
    let lower = word.to_lowercase();
    let folded = fold(&lower);
    let mut forms = vec![capitalized(&lower), lower];
    if folded != forms[1] {
        forms.push(capitalized(&folded));
        forms.push(folded);
    }
    let mut out: Vec<String> = Vec::with_capacity(forms.len());
    for form in &forms {
        let lemma = fold(&super::lemma::lemma(form));
        if !lemma.is_empty() && lemma.chars().all(char::is_alphanumeric) && !out.contains(&lemma) {
            out.push(lemma);
        }
    }
    out.sort();
    out
}

/// The lemma tokens of a Slovenian text as stored in a search document: each lemma of its
/// words once, marked with [`LEMMA_MARK`], separated by spaces; `None` for no text.
pub fn lemma_text(text: Option<&str>) -> Option<String> {
    LemmaTexts::default().of(text)
}

/// Computes [`lemma_text`]s and remembers the lemmas of every word it met: texts repeat
/// their words, and an import of a directory meets millions of them (lemmatizing each
/// again made it twice as slow).
pub struct LemmaTexts {
    known: HashMap<String, Vec<String>>,
    /// How many words are remembered at most; past it, the memory starts again.
    most_words: usize,
}

impl Default for LemmaTexts {
    fn default() -> Self {
        LemmaTexts::remembering(50_000)
    }
}

impl LemmaTexts {
    pub fn remembering(most_words: usize) -> LemmaTexts {
        LemmaTexts {
            known: HashMap::new(),
            most_words,
        }
    }

    /// The [`lemma_text`] of `text`.
    pub fn of(&mut self, text: Option<&str>) -> Option<String> {
        let text = text?;
        let mut seen = std::collections::HashSet::new();
        let mut out = String::new();
        for word in text
            .split(|c: char| !is_word_char(c))
            .filter(|w| !w.is_empty())
        {
            for lemma in self.of_word(word) {
                if !seen.contains(lemma) {
                    seen.insert(lemma.clone());
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(LEMMA_MARK);
                    out.push_str(lemma);
                }
            }
        }
        Some(out)
    }

    /// The [`lemmas`] of `word`, remembered.
    pub fn of_word(&mut self, word: &str) -> &[String] {
        if !self.known.contains_key(word) {
            if self.known.len() >= self.most_words {
                self.known.clear();
            }
            self.known.insert(word.to_owned(), lemmas(word));
        }
        &self.known[word]
    }
}

thread_local! {
    /// The lemmas of the words [`TextQuery::highlight`] met on this thread: every result
    /// of a search that has lemmas is highlighted, and lemmatizing each of its words
    /// again was a fifth of the time of answering a search (BENCHMARKS.md, #15).
    /// A few thousand words hold what most texts say; at most about a megabyte a thread.
    static HIGHLIGHTED: std::cell::RefCell<LemmaTexts> =
        std::cell::RefCell::new(LemmaTexts::remembering(8_000));
}

/// A word, or words that must follow each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word(Word),
    Phrase(Vec<Word>),
}

/// A parsed query: every group must match (a group matches when any of its terms does),
/// and no excluded term may. A query of exclusions alone matches every entry that has
/// none of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextQuery {
    pub groups: Vec<Vec<Term>>,
    pub excluded: Vec<Term>,
}

/// Why a query cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryProblem {
    TooLong,
}

impl QueryProblem {
    pub fn message(&self) -> String {
        match self {
            QueryProblem::TooLong => format!("at most {MAX_QUERY_CHARS} characters"),
        }
    }
}

/// Words left out of a query that has other words: they are in nearly every entry.
const STOP_WORDS: &[&str] = &[
    // English
    "a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to", "with",
    // Slovenian
    "ali", "do", "iz", "ki", "na", "o", "od", "po", "pri", "s", "so", "ter", "v", "z", "za",
];

/// Inflectional endings cut off before prefix matching, longest first: Slovenian noun
/// and adjective cases, English plurals.
const ENDINGS: &[&str] = &[
    "ega", "emu", "ies", "ama", "ami", "ah", "em", "es", "ev", "ih", "im", "ov", "om", "a", "e",
    "i", "o", "u", "y", "s",
];
/// The shortest stem an ending may leave.
const MIN_STEM: usize = 4;
/// The shortest word matched as a prefix.
const MIN_PREFIX: usize = 3;

/// A raw piece of the query before words are split out of it.
#[derive(Debug)]
enum Piece {
    Text {
        text: String,
        negated: bool,
        quoted: bool,
    },
    Or,
}

/// Reads `q`. `Ok(None)` means it names no word at all (blank, or only symbols): the
/// caller treats that as no search.
pub fn parse(q: &str) -> Result<Option<TextQuery>, QueryProblem> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryProblem::TooLong);
    }
    let pieces = pieces(q);
    let last_open = last_word_piece(&pieces);
    let mut groups: Vec<Vec<Term>> = Vec::new();
    let mut excluded = Vec::new();
    let mut join_next = false;
    let mut words = 0;
    for (index, piece) in pieces.iter().enumerate() {
        let (text, negated, quoted) = match piece {
            Piece::Or => {
                join_next = !groups.is_empty();
                continue;
            }
            Piece::Text {
                text,
                negated,
                quoted,
            } => (text, *negated, *quoted),
        };
        let mut split = split_words(text);
        split.truncate(MAX_WORDS - words);
        if split.is_empty() {
            continue;
        }
        words += split.len();
        let typing = Some(index) == last_open;
        let Some(term) = term(&split, quoted, typing) else {
            continue;
        };
        if negated {
            excluded.push(term);
            join_next = false;
        } else if join_next {
            groups
                .last_mut()
                .expect("join_next needs a group")
                .push(term);
            join_next = false;
        } else {
            groups.push(vec![term]);
        }
    }
    drop_stop_words(&mut groups);
    if groups.is_empty() && excluded.is_empty() {
        return Ok(None);
    }
    Ok(Some(TextQuery { groups, excluded }))
}

/// Splits `q` into quoted and unquoted pieces, `-` marking exclusions and `or` alternatives.
fn pieces(q: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let text: String = chars.by_ref().take_while(|&c| c != '"').collect();
            out.push(Piece::Text {
                text,
                negated,
                quoted: true,
            });
            continue;
        }
        let mut text = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '"' {
                break;
            }
            text.push(c);
            chars.next();
        }
        if !negated && text.eq_ignore_ascii_case("or") {
            out.push(Piece::Or);
        } else {
            out.push(Piece::Text {
                text,
                negated,
                quoted: false,
            });
        }
    }
    out
}

/// The index of the piece holding the word being typed: the last unquoted piece, when
/// nothing follows it.
fn last_word_piece(pieces: &[Piece]) -> Option<usize> {
    match pieces.last() {
        Some(Piece::Text { quoted: false, .. }) => Some(pieces.len() - 1),
        _ => None,
    }
}

/// The words of a piece, lower-cased: runs of letters and digits.
fn split_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The term a piece's words make: a phrase when quoted or joined by symbols
/// (`go-and-see`), a single word otherwise.
fn term(words: &[String], quoted: bool, typing: bool) -> Option<Term> {
    let last = words.len() - 1;
    let matched: Vec<Word> = words
        .iter()
        .enumerate()
        .filter_map(|(i, w)| word(w, typing && i == last, quoted || words.len() > 1))
        .collect();
    let matched = if matched.len() == 1 && !quoted {
        matched
            .into_iter()
            .map(|w| Word {
                lemmas: lemmas(&words[0]),
                ..w
            })
            .collect()
    } else {
        matched
    };
    match matched.len() {
        0 => None,
        1 => matched.into_iter().next().map(Term::Word),
        _ => Some(Term::Phrase(matched)),
    }
}

/// How one word is matched. Single letters count only inside phrases.
fn word(w: &str, typing: bool, in_phrase: bool) -> Option<Word> {
    let length = w.chars().count();
    if length == 1 && !in_phrase {
        return None;
    }
    if length < MIN_PREFIX {
        // Two letters are a prefix only while being typed.
        return Some(Word {
            text: w.to_owned(),
            prefix: typing && length == 2,
            lemmas: Vec::new(),
        });
    }
    Some(Word {
        text: stem(w).to_owned(),
        prefix: true,
        lemmas: Vec::new(),
    })
}

/// `w` without one inflectional ending, if enough of it remains.
pub fn stem(w: &str) -> &str {
    if w.chars().any(|c| c.is_numeric()) {
        return w;
    }
    for ending in ENDINGS {
        let Some(stem) = w.strip_suffix(ending) else {
            continue;
        };
        // A final `s` after `s`, `u` or `i` is no plural: class, circus, thesis.
        if *ending == "s" && (stem.ends_with('s') || stem.ends_with('u') || stem.ends_with('i')) {
            continue;
        }
        if stem.chars().count() >= MIN_STEM {
            return stem;
        }
    }
    w
}

/// Leaves out stop words standing alone, unless nothing else would be left.
fn drop_stop_words(groups: &mut Vec<Vec<Term>>) {
    let is_stop = |group: &Vec<Term>| {
        group.len() == 1
            && matches!(&group[0], Term::Word(w) if STOP_WORDS.contains(&w.text.as_str()))
    };
    if groups.iter().any(|g| !is_stop(g)) {
        groups.retain(|g| !is_stop(g));
    }
}

impl TextQuery {
    /// True when the query only excludes.
    pub fn only_excludes(&self) -> bool {
        self.groups.is_empty()
    }

    /// The query that finds what an exclusions-only query leaves out.
    pub fn excluded_as_wanted(&self) -> TextQuery {
        TextQuery {
            groups: vec![self.excluded.clone()],
            excluded: Vec::new(),
        }
    }

    /// The query in SQLite FTS5's syntax: every word a quoted string, so that no word
    /// is read as an operator.
    pub fn to_fts5(&self) -> String {
        fn word(w: &Word) -> String {
            format!("\"{}\"{}", w.text, if w.prefix { "*" } else { "" })
        }
        fn term(t: &Term) -> String {
            match t {
                Term::Word(w) if !w.lemmas.is_empty() => format!(
                    "({}{})",
                    word(w),
                    w.lemmas
                        .iter()
                        .map(|l| format!(" OR \"{LEMMA_MARK}{l}\""))
                        .collect::<String>()
                ),
                Term::Word(w) => word(w),
                Term::Phrase(ws) => ws.iter().map(word).collect::<Vec<_>>().join(" + "),
            }
        }
        fn any(terms: &[Term]) -> String {
            format!(
                "({})",
                terms.iter().map(term).collect::<Vec<_>>().join(" OR ")
            )
        }
        let wanted = self
            .groups
            .iter()
            .map(|g| any(g))
            .collect::<Vec<_>>()
            .join(" AND ");
        if self.excluded.is_empty() {
            wanted
        } else {
            format!("({wanted}) NOT {}", any(&self.excluded))
        }
    }

    /// The query as PostgreSQL `to_tsquery` input: every word a quoted lexeme.
    pub fn to_tsquery(&self) -> String {
        fn word(w: &Word) -> String {
            format!("'{}'{}", w.text, if w.prefix { ":*" } else { "" })
        }
        fn term(t: &Term) -> String {
            match t {
                Term::Word(w) if !w.lemmas.is_empty() => format!(
                    "({}{})",
                    word(w),
                    w.lemmas
                        .iter()
                        .map(|l| format!(" | '{LEMMA_MARK}{l}'"))
                        .collect::<String>()
                ),
                Term::Word(w) => word(w),
                Term::Phrase(ws) => format!(
                    "({})",
                    ws.iter().map(word).collect::<Vec<_>>().join(" <-> ")
                ),
            }
        }
        fn any(terms: &[Term]) -> String {
            format!(
                "({})",
                terms.iter().map(term).collect::<Vec<_>>().join(" | ")
            )
        }
        let mut parts: Vec<String> = self.groups.iter().map(|g| any(g)).collect();
        if !self.excluded.is_empty() {
            parts.push(format!("!{}", any(&self.excluded)));
        }
        parts.join(" & ")
    }
}

/// Private-use characters around a matched word in a snippet; the API turns them into
/// markup.
pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';
/// How many words a snippet holds at most.
const SNIPPET_WORDS: usize = 24;
/// How many words of context a snippet shows before the first match.
const LEAD_WORDS: usize = 4;

/// The texts of one entry a search looks in: title, summary and description in each
/// language, and the organizer's name.
pub struct Document {
    pub en: [Option<String>; 3],
    pub sl: [Option<String>; 3],
    pub organizer: String,
}

/// Where a snippet was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Summary,
    Description,
    Organizer,
}

/// A short passage around the words a query matched; each matched word is wrapped in
/// [`MARK_START`] and [`MARK_END`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// `en` or `sl`; none for the organizer's name.
    pub language: Option<Lang>,
    pub field: Field,
}

/// A word as both search engines compare it: lower case, without diacritics.
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let decomposed = icu_normalizer::DecomposingNormalizerBorrowed::new_nfd().normalize(word);
    decomposed
        .chars()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ø' => 'o',
            'ł' => 'l',
            'đ' => 'd',
            'ħ' => 'h',
            'ı' => 'i',
            other => other,
        })
        .collect()
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// The words of a document's text as both search engines index them: runs of letters
/// and digits, folded.
pub fn document_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.is_ascii() {
                w.to_ascii_lowercase()
            } else {
                fold(w)
            }
        })
}

impl TextQuery {
    /// The words a text may match, folded: every word the query wants (excluded ones
    /// never appear in a match).
    fn wanted_words(&self) -> Vec<Word> {
        self.groups
            .iter()
            .flatten()
            .flat_map(|term| match term {
                Term::Word(w) => vec![w.clone()],
                Term::Phrase(ws) => ws.clone(),
            })
            .map(|w| Word {
                text: fold(&w.text),
                prefix: w.prefix,
                lemmas: w.lemmas,
            })
            .collect()
    }

    /// `text` cut to a snippet around the first matched word, with every matched word
    /// marked, and how many were marked; `None` when no word matches.
    pub fn highlight(&self, text: &str) -> Option<(String, usize)> {
        let wanted = self.wanted_words();
        let any_lemma = wanted.iter().any(|w| !w.lemmas.is_empty());
        // (start, end, matched) of every word, by byte offset.
        let mut words: Vec<(usize, usize, bool)> = Vec::new();
        let mut start = None;
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            match (start, is_word_char(c) && i < text.len()) {
                (None, true) => start = Some(i),
                (Some(s), false) => {
                    let folded = fold(&text[s..i]);
                    let surface = wanted.iter().any(|w| {
                        if w.prefix {
                            folded.starts_with(&w.text)
                        } else {
                            folded == w.text
                        }
                    });
                    let matched = surface
                        || (any_lemma
                            && HIGHLIGHTED.with_borrow_mut(|known| {
                                known
                                    .of_word(&text[s..i])
                                    .iter()
                                    .any(|l| wanted.iter().any(|w| w.lemmas.contains(l)))
                            }));
                    words.push((s, i, matched));
                    start = None;
                }
                _ => {}
            }
        }
        let first = words.iter().position(|w| w.2)?;
        let from = if words.len() <= SNIPPET_WORDS {
            0
        } else {
            first
                .saturating_sub(LEAD_WORDS)
                .min(words.len() - SNIPPET_WORDS)
        };
        let to = (from + SNIPPET_WORDS).min(words.len());
        let begin = if from == 0 { 0 } else { words[from].0 };
        let end = if to == words.len() {
            text.len()
        } else {
            words[to - 1].1
        };
        let mut out = String::with_capacity(end - begin + 16);
        if begin > 0 {
            out.push_str("… ");
        }
        let mut at = begin;
        let mut marked = 0;
        for &(s, e, matched) in &words[from..to] {
            out.push_str(&text[at..s]);
            if matched {
                out.push(MARK_START);
                out.push_str(&text[s..e]);
                out.push(MARK_END);
                marked += 1;
            } else {
                out.push_str(&text[s..e]);
            }
            at = e;
        }
        out.push_str(&text[at..end]);
        if end < text.len() {
            out.push_str(" …");
        }
        Some((out, marked))
    }

    /// The snippet of the language with the most matched words, and in it the field with
    /// the most (a description before a summary before a title when they tie), preferring
    /// `language` when both languages match as well; the organizer's name when no text
    /// matched.
    pub fn snippet(&self, doc: &Document, language: Option<Lang>) -> Option<Snippet> {
        const FIELDS: [Field; 3] = [Field::Title, Field::Summary, Field::Description];
        let marked = |texts: &[Option<String>; 3]| -> Vec<(Field, String, usize)> {
            texts
                .iter()
                .zip(FIELDS)
                .filter_map(|(t, f)| {
                    let (text, n) = self.highlight(t.as_deref()?)?;
                    Some((f, text, n))
                })
                .collect()
        };
        let (en, sl) = (marked(&doc.en), marked(&doc.sl));
        let total = |v: &[(Field, String, usize)]| v.iter().map(|x| x.2).sum::<usize>();
        let (code, found) = if total(&sl) > total(&en)
            || (total(&sl) == total(&en) && language == Some(Lang::Sl))
        {
            (Lang::Sl, sl)
        } else {
            (Lang::En, en)
        };
        // `max_by_key` keeps the last of equals: a description, then a summary, then a title.
        let best = found.into_iter().max_by_key(|x| x.2);
        match best {
            Some((field, text, _)) => Some(Snippet {
                text,
                language: Some(code),
                field,
            }),
            None => self.highlight(&doc.organizer).map(|(text, _)| Snippet {
                text,
                language: None,
                field: Field::Organizer,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(q: &str) -> TextQuery {
        parse(q).expect("valid").expect("has words")
    }

    #[test]
    fn inflected_slovenian_and_english_plurals_share_a_stem() {
        assert_eq!(stem("keramika"), "keramik");
        assert_eq!(stem("keramiko"), "keramik");
        assert_eq!(stem("rezidence"), "rezidenc");
        assert_eq!(stem("residencies"), "residenc");
        assert_eq!(stem("residency"), "residenc");
        assert_eq!(stem("ples"), "ples");
        assert_eq!(stem("circus"), "circus");
        assert_eq!(stem("ceramics"), "ceramic");
        assert_eq!(stem("2027"), "2027");
    }

    #[test]
    fn words_phrases_exclusions_and_or_render_for_both_engines() {
        let q = parsed("\"Črna gora\" dance or theatre -berlin");
        assert_eq!(
            q.to_fts5(),
            "((\"črna\"* + \"gora\"*) AND ((\"danc\"* OR \"0ldanec\") OR (\"theatr\"* OR \"0ltheater\"))) NOT ((\"berlin\"* OR \"0lberlin\"))"
        );
        assert_eq!(
            q.to_tsquery(),
            "(('črna':* <-> 'gora':*)) & (('danc':* | '0ldanec') | ('theatr':* | '0ltheater')) & !(('berlin':* | '0lberlin'))"
        );
    }

    #[test]
    fn a_word_outside_phrases_also_matches_its_lemmas_in_any_case() {
        let lemmas_of = |q: &str| match &parsed(q).groups[0][0] {
            Term::Word(w) => w.lemmas.clone(),
            Term::Phrase(_) => panic!("a phrase"),
        };
        assert_eq!(lemmas_of("gora"), lemmas_of("gori"));
        assert!(lemmas_of("črni").contains(&"crna".to_owned()));
        let typed_plainly = lemmas_of("crna");
        assert!(lemmas_of("Črni").iter().any(|l| typed_plainly.contains(l)));
        assert!(lemmas_of("Dunaju").contains(&"dunaj".to_owned()));
        assert!(lemmas_of("dunaj").contains(&"dunaj".to_owned()));
        assert!(lemmas_of("\"gori\"").is_empty(), "quoted: the word alone");
        assert_eq!(
            lemma_text(Some("V Črni gori, v gori.")).as_deref(),
            Some("0lcren 0lcrn 0lcrna 0lgora")
        );
    }

    #[test]
    fn stop_words_go_unless_they_are_all_there_is() {
        assert_eq!(parsed("stipendija za prevajalce").groups.len(), 2);
        assert_eq!(parsed("the").groups.len(), 1);
    }

    #[test]
    fn operators_and_symbols_alone_name_no_word() {
        assert_eq!(parse("  \"\" or - -- *** ( ) ").unwrap(), None);
        assert!(parse("-berlin").unwrap().unwrap().only_excludes());
        assert_eq!(parse(&"a".repeat(301)), Err(QueryProblem::TooLong));
        let long = parse(&"abc ".repeat(40)).unwrap().unwrap();
        assert_eq!(
            long.groups.len(),
            MAX_WORDS,
            "words past the 32nd are ignored"
        );
    }

    #[test]
    fn highlights_fold_accents_both_ways_and_cut_long_texts_around_the_match() {
        let q = parsed("crni rezidenca");
        let (text, n) = q
            .highlight("Rezidenca v Črni gori, rezidenčno bivanje")
            .unwrap();
        assert_eq!(
            text,
            "\u{E000}Rezidenca\u{E001} v \u{E000}Črni\u{E001} gori, \u{E000}rezidenčno\u{E001} bivanje"
        );
        assert_eq!(n, 3);
        let long = format!("{}keramika {}", "beseda ".repeat(40), "konec ".repeat(40));
        let (text, _) = parsed("keramiko").highlight(&long).unwrap();
        assert!(
            text.starts_with("… beseda beseda beseda beseda \u{E000}keramika\u{E001}"),
            "{text}"
        );
        assert!(text.ends_with(" …"));
        assert_eq!(text.split_whitespace().count(), 24 + 2);
        assert_eq!(
            parsed("tromso").highlight("Polar Night, Tromsø").unwrap().1,
            1
        );
        assert!(parsed("glass").highlight("Nothing here").is_none());
    }

    #[test]
    fn only_the_word_being_typed_is_a_two_letter_prefix() {
        let q = parsed("dance re");
        assert_eq!(
            q.groups[1][0],
            Term::Word(Word {
                text: "re".into(),
                prefix: true,
                lemmas: Vec::new(),
            })
        );
        let q = parsed("re dance");
        assert_eq!(
            q.groups[0][0],
            Term::Word(Word {
                text: "re".into(),
                prefix: false,
                lemmas: Vec::new(),
            })
        );
    }
}
