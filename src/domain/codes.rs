//! ISO 4217 currencies and ISO 639-1 languages: codes that can only be built from the table.

use super::iso_tables::{CURRENCIES, LANGUAGES};

/// An ISO 4217 currency code such as `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(&'static str);

impl Currency {
    pub fn parse(code: &str) -> Option<Currency> {
        let upper = code.to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _, _)| *c == upper)
            .map(|(c, _, _)| Currency(c))
    }

    pub fn code(self) -> &'static str {
        self.0
    }
}

/// An ISO 639-1 language code such as `sl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language(&'static str);

impl Language {
    pub fn parse(code: &str) -> Option<Language> {
        let lower = code.to_ascii_lowercase();
        LANGUAGES
            .iter()
            .find(|(c, _, _)| *c == lower)
            .map(|(c, _, _)| Language(c))
    }

    pub fn code(self) -> &'static str {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_case_insensitively_and_reject_unknowns() {
        assert_eq!(Currency::parse("eur").unwrap().code(), "EUR");
        assert!(Currency::parse("XXY").is_none());
        assert_eq!(Language::parse("SL").unwrap().code(), "sl");
        assert!(Language::parse("zz").is_none());
    }
}
