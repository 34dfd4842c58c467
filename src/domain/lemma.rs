//! Slovenian lemmas: the dictionary form of an inflected word (`gori` → `gora`,
//! `Dunaju` → `Dunaj`, `štipendijo` → `štipendija`), read from LemmaGen's Slovenian model
//! (`data/lemmagen/sl.bin`, built from MULTEXT-East, CC BY-SA 4.0; see the NOTICE next
//! to it).
//!
//! The model is a tree of suffix nodes, compiled into one block of bytes by LemmaGen's
//! `RdrLemmatizer`; this is our own reader of that format, following the original's
//! lookup step by step, so that it answers exactly as the reference does (a unit test
//! compares it with pairs produced by the `lemmagen3` Python package).
//!
//! The file is a little-endian `u32` length and that many bytes. Every node starts with
//! a flag byte:
//! - a *rule* (flags `0`, or `4` when it only applies to an entire word): the number of
//!   bytes to cut from the word's end, the length of the string to append, the string;
//! - any other node: the address (`u32`) of its rule; with flag `1` ("additional
//!   characters") a length byte and that many more suffix bytes the word must end with;
//!   with flag `2` ("internal") a hash table: a modulus byte and that many entries of a
//!   byte (the next character, looking from the word's end) and a `u32` address. Entry 0
//!   holding character 0 points to the node for the entire word.
//!
//! It works on the word's UTF-8 bytes, as the original does on `char`s.

use std::sync::OnceLock;

static SLOVENIAN: &[u8] = include_bytes!("../../data/lemmagen/sl.bin");

const BIT_ADD_CHAR: u8 = 0x01;
const BIT_INTERNAL: u8 = 0x02;
const BIT_ENTIRE_WORD: u8 = 0x04;
const TYPE_RULE: u8 = 0x00;
const TYPE_LEAF_AC: u8 = BIT_ADD_CHAR;
/// The longest word looked up, in bytes: the original counts a word's length in a signed
/// byte.
const MAX_WORD_BYTES: usize = 120;

/// A loaded model: the tree's bytes.
pub struct Lemmatizer<'a> {
    tree: &'a [u8],
}

impl<'a> Lemmatizer<'a> {
    /// Reads a model file's bytes; `None` when they do not hold one.
    pub fn new(file: &'a [u8]) -> Option<Lemmatizer<'a>> {
        let len = u32::from_le_bytes(file.get(..4)?.try_into().ok()?) as usize;
        let tree = file.get(4..4 + len)?;
        Some(Lemmatizer { tree })
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.tree.get(at).copied()
    }

    fn address(&self, at: usize) -> Option<usize> {
        let b = self.tree.get(at..at + 4)?;
        Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
    }

    /// The lemma of `word` (lower case for the Slovenian model), or `word` itself when
    /// the model has no rule for it or the rule does not leave valid text.
    pub fn lemmatize(&self, word: &str) -> String {
        self.lemma_bytes(word.as_bytes())
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_else(|| word.to_owned())
    }

    /// `RdrLemmatizer::Lemmatize`, with every read checked.
    fn lemma_bytes(&self, word: &[u8]) -> Option<Vec<u8>> {
        if word.is_empty() || word.len() > MAX_WORD_BYTES || word.contains(&0) {
            return None;
        }
        let mut addr = 0usize;
        let mut parent = 0usize;
        // The position of the character looked at next, from the word's start.
        let mut look = word.len() as isize;
        let mut kind = self.byte(addr)?;
        loop {
            let mut at = addr + 1 + 4;
            if kind & BIT_ADD_CHAR == BIT_ADD_CHAR {
                let len = self.byte(at)? as usize;
                at += 1;
                look -= len as isize;
                let matches = look >= 0
                    && (0..len).all(|i| self.byte(at + i) == Some(word[look as usize + i]));
                if !matches {
                    addr = parent;
                    break;
                }
                if kind & !BIT_ENTIRE_WORD == TYPE_LEAF_AC {
                    break;
                }
                at += len;
            }
            look -= 1;
            if look < 0 {
                if kind & BIT_INTERNAL == BIT_INTERNAL {
                    let entry = at + 1;
                    let c = self.byte(entry)?;
                    let next = self.address(entry + 1)?;
                    if c == 0 && next != 0 {
                        parent = addr;
                        addr = next;
                        kind = self.byte(addr)?;
                        look += 1;
                    }
                }
                break;
            }
            if kind & BIT_INTERNAL == BIT_INTERNAL {
                let modulus = self.byte(at)?;
                if modulus == 0 {
                    return None;
                }
                let c = word[look as usize];
                let entry = at + 1 + (c % modulus) as usize * 5;
                let pointer = if self.byte(entry)? == c {
                    entry + 1
                } else {
                    addr + 1
                };
                parent = addr;
                addr = self.address(pointer)?;
                kind = self.byte(addr)?;
                if kind & !BIT_ENTIRE_WORD == TYPE_RULE {
                    break;
                }
            }
        }
        if kind & BIT_ENTIRE_WORD == BIT_ENTIRE_WORD && look != 0 {
            addr = parent;
            kind = self.byte(addr)?;
        }
        if kind & !BIT_ENTIRE_WORD != TYPE_RULE {
            addr = self.address(addr + 1)?;
        }
        let cut = self.byte(addr + 1)? as usize;
        let add = self.byte(addr + 2)? as usize;
        let append = self.tree.get(addr + 3..addr + 3 + add)?;
        let stem = word.len().checked_sub(cut)?;
        let mut out = Vec::with_capacity(stem + add);
        out.extend_from_slice(&word[..stem]);
        out.extend_from_slice(append);
        Some(out)
    }
}

/// The Slovenian model, read once.
pub fn slovenian() -> &'static Lemmatizer<'static> {
    static MODEL: OnceLock<Lemmatizer<'static>> = OnceLock::new();
    MODEL.get_or_init(|| Lemmatizer::new(SLOVENIAN).expect("the embedded model is whole"))
}

/// The Slovenian lemma of `word`, given in lower case.
pub fn lemma(word: &str) -> String {
    slovenian().lemmatize(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_slovenian_words_find_their_dictionary_form() {
        assert_eq!(lemma("Črni"), "Črna");
        assert_eq!(lemma("črni"), "črn");
        assert_eq!(lemma("gori"), "gora");
        assert_eq!(lemma("dunaju"), "dunaj");
        assert_eq!(lemma("štipendijo"), "štipendija");
        assert_eq!(lemma("prevajalce"), "prevajalec");
    }

    /// Pairs the reference (the `lemmagen3` Python package, 3.5.2, `Lemmatizer('sl')`)
    /// gave for words of the demo texts and generated inflections: see
    /// `data/lemmagen/reference_pairs.tsv`.
    #[test]
    fn answers_as_the_reference_implementation_does() {
        let mut pairs = include_str!("../../data/lemmagen/reference_pairs.tsv").to_owned();
        // A longer list for a one-off check: LEMMAGEN_REFERENCE=path/to/pairs.tsv.
        if let Ok(path) = std::env::var("LEMMAGEN_REFERENCE") {
            pairs = std::fs::read_to_string(path).expect("readable pairs");
        }
        let mut checked = 0;
        for line in pairs.lines().filter(|l| !l.is_empty()) {
            let (word, expected) = line.split_once('\t').expect("word<TAB>lemma");
            assert_eq!(lemma(word), expected, "lemma of {word:?}");
            checked += 1;
        }
        assert!(checked >= 1000, "{checked} pairs");
    }

    #[test]
    fn words_the_model_cannot_take_come_back_unchanged() {
        let long = "a".repeat(200);
        assert_eq!(lemma(&long), long);
        assert_eq!(lemma(""), "");
    }
}
