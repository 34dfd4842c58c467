//! The words of every entry's texts, folded as search folds them, each with the slots of
//! the entries that have it in each field: a sorted dictionary, so that a word being
//! typed finds every word it begins.

use std::collections::BTreeMap;
use std::ops::Bound;

use roaring::RoaringBitmap;

use crate::domain::search::{LEMMA_MARK, Word, document_words};

/// Where in an entry a word stands; a title weighs most in ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Summary,
    Organizer,
    Description,
}

pub const FIELDS: usize = 4;

impl Field {
    pub fn index(self) -> usize {
        self as usize
    }

    /// The weights of the database's own ranking: titles, then summaries and the
    /// organizer, then descriptions.
    pub const WEIGHTS: [f64; FIELDS] = [10.0, 4.0, 4.0, 1.0];
}

/// The entries having a word (or any of several), per field.
pub type InFields = [RoaringBitmap; FIELDS];

#[derive(Default)]
pub struct TextIndex {
    words: BTreeMap<Box<str>, InFields>,
    /// The lemmas of the Slovenian texts, as the search documents store them (without
    /// their mark): matched exactly, never as prefixes.
    lemmas: BTreeMap<Box<str>, InFields>,
}

impl TextIndex {
    pub fn add(&mut self, slot: u32, field: Field, text: &str) {
        for word in document_words(text) {
            let fields = match self.words.get_mut(word.as_str()) {
                Some(fields) => fields,
                None => self.words.entry(word.into_boxed_str()).or_default(),
            };
            fields[field.index()].insert(slot);
        }
    }

    /// Adds the lemma tokens of a search document's lemma column.
    pub fn add_lemmas(&mut self, slot: u32, field: Field, tokens: &str) {
        for token in tokens.split(' ') {
            let Some(lemma) = token.strip_prefix(LEMMA_MARK) else {
                continue;
            };
            let fields = match self.lemmas.get_mut(lemma) {
                Some(fields) => fields,
                None => self.lemmas.entry(lemma.into()).or_default(),
            };
            fields[field.index()].insert(slot);
        }
    }

    /// The entries having `lemma` (folded) among the lemmas of each field.
    pub fn find_lemma(&self, lemma: &str) -> InFields {
        self.lemmas.get(lemma).cloned().unwrap_or_default()
    }

    /// Takes the slots `gone` out of every word, and forgets words no entry has left.
    pub fn remove(&mut self, gone: &RoaringBitmap) {
        for words in [&mut self.words, &mut self.lemmas] {
            words.retain(|_, fields| {
                let mut left = false;
                for slots in fields.iter_mut() {
                    *slots -= gone;
                    left |= !slots.is_empty();
                }
                left
            });
        }
    }

    pub fn shrink(&mut self) {
        for fields in self.words.values_mut().chain(self.lemmas.values_mut()) {
            for slots in fields.iter_mut() {
                slots.optimize();
            }
        }
    }

    /// The entries having `word` (already folded) in each field: the word itself, or
    /// every word it begins when it is a prefix.
    pub fn find(&self, word: &Word) -> InFields {
        let mut out = InFields::default();
        if word.prefix {
            let from = Bound::Included(word.text.as_str());
            for fields in self
                .words
                .range::<str, _>((from, Bound::Unbounded))
                .take_while(|(text, _)| text.starts_with(word.text.as_str()))
                .map(|(_, fields)| fields)
            {
                for (out, slots) in out.iter_mut().zip(fields) {
                    *out |= slots;
                }
            }
        } else if let Some(fields) = self.words.get(word.text.as_str()) {
            out.clone_from(fields);
        }
        out
    }
}

/// The entries in any field.
pub fn anywhere(fields: &InFields) -> RoaringBitmap {
    let mut out = fields[0].clone();
    for slots in &fields[1..] {
        out |= slots;
    }
    out
}
