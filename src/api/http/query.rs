//! Query-string parsing that names every unknown, repeated or malformed parameter.
//!
//! Several values may be given by repeating a parameter (`type=a&type=b`) or with commas
//! (`type=a,b`). A parameter that takes one value may appear once.
//!
//! Every request's cost is bounded: a many-valued parameter takes at most
//! [`MAX_VALUES`] values (repeats are merged), and an error names at most
//! [`MAX_REPORTED`] parameters, with a count of the rest.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::search::{self, TextQuery};
use crate::error::{ApiError, FieldIssue};

/// The most values a many-valued parameter takes, counted as sent (repeats included).
pub const MAX_VALUES: usize = 50;
/// The most parameters one error response names; it counts the rest.
pub const MAX_REPORTED: usize = 50;
/// How much of a rejected value an error message quotes.
const QUOTED_CHARS: usize = 80;

fn quoted(value: &str) -> String {
    let mut shown: String = value.chars().take(QUOTED_CHARS).collect();
    if shown.len() < value.len() {
        shown.push('…');
    }
    shown
}

/// Parameters that browsers, analytics and script libraries add to any link, and that a
/// public read ignores: `utm_*` (campaign tags), `fbclid` and `gclid` (click ids), `_`
/// (the cache-buster jQuery and others append).
pub fn is_tracking(name: &str) -> bool {
    name.starts_with("utm_") || matches!(name, "fbclid" | "gclid" | "_")
}

pub struct QueryParams {
    pairs: Vec<(String, String)>,
    errors: Vec<FieldIssue>,
}

impl QueryParams {
    /// Parses `query` and reports every parameter whose name is not in `known`, and every
    /// value with a NUL character (which no database column can hold).
    pub fn parse(query: &str, known: &[&str]) -> QueryParams {
        Self::parse_pairs(
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            known,
        )
    }

    /// As [`QueryParams::parse`], for a public read: tracking and cache-busting
    /// parameters ([`is_tracking`]) are ignored, every other unknown one is reported.
    pub fn parse_public(query: &str, known: &[&str]) -> QueryParams {
        Self::parse_pairs(
            form_urlencoded::parse(query.as_bytes())
                .filter(|(k, _)| !is_tracking(k))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            known,
        )
    }

    fn parse_pairs(pairs: Vec<(String, String)>, known: &[&str]) -> QueryParams {
        let mut errors = Vec::new();
        let mut reported: HashSet<&str> = HashSet::new();
        for (name, value) in &pairs {
            if reported.contains(name.as_str()) {
                continue;
            }
            if !known.contains(&name.as_str()) {
                errors.push(FieldIssue::new(
                    quoted(name),
                    format!(
                        "is not a known parameter; known parameters are: {}",
                        known.join(", ")
                    ),
                ));
                reported.insert(name);
            } else if value.contains('\0') {
                errors.push(FieldIssue::new(
                    name.clone(),
                    "must not contain NUL characters",
                ));
                reported.insert(name);
            }
        }
        // Values already reported are not read again.
        let reported: HashSet<String> = reported.into_iter().map(str::to_owned).collect();
        let pairs = pairs
            .into_iter()
            .filter(|(name, _)| !reported.contains(name))
            .collect();
        QueryParams { pairs, errors }
    }

    /// Accepts `name` without reading it.
    pub fn ignore(&mut self, name: &str) {
        self.pairs.retain(|(k, _)| k != name);
    }

    fn values(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn invalid(&mut self, name: &str, reason: impl Into<String>) {
        self.errors.push(FieldIssue::new(name, reason));
    }

    /// Every distinct value of a many-valued parameter, each parsed by `parse`, in the
    /// order first given; `expected` describes a valid value for the error message. More
    /// than [`MAX_VALUES`] values is an error.
    pub fn many<T: PartialEq>(
        &mut self,
        name: &str,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Vec<T> {
        self.many_up_to(name, MAX_VALUES, expected, parse)
    }

    /// As [`QueryParams::many`], with at most `max` values (repeats included).
    pub fn many_up_to<T: PartialEq>(
        &mut self,
        name: &str,
        max: usize,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Vec<T> {
        let raw: Vec<String> = self
            .values(name)
            .iter()
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_owned())
            .collect();
        if raw.len() > max {
            self.invalid(
                name,
                format!("has {} values; at most {max} are allowed", raw.len()),
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        for value in raw {
            match parse(&value) {
                Some(v) if out.contains(&v) => {}
                Some(v) => out.push(v),
                None => {
                    let shown = quoted(&value);
                    self.invalid(name, format!("has `{shown}`, which is not {expected}"));
                    return Vec::new();
                }
            }
        }
        out
    }

    /// The value of a single-valued parameter, parsed by `parse`.
    pub fn one<T>(
        &mut self,
        name: &str,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let values = self.values(name);
        match values.as_slice() {
            [] => None,
            [value] => {
                let parsed = parse(value);
                if parsed.is_none() {
                    let shown = quoted(value);
                    self.invalid(name, format!("has `{shown}`, which is not {expected}"));
                }
                parsed
            }
            _ => {
                self.invalid(name, "may be given only once");
                None
            }
        }
    }

    pub fn text(&mut self, name: &str) -> Option<String> {
        self.one(name, "a non-empty text", |v| {
            (!v.is_empty()).then(|| v.to_owned())
        })
    }

    /// A search box's text, parsed. Blank text, or text naming no word, is no search.
    pub fn search(&mut self, name: &str) -> Option<TextQuery> {
        let values = self.values(name);
        let value = match values.as_slice() {
            [] => return None,
            [value] => (*value).to_owned(),
            _ => {
                self.invalid(name, "may be given only once");
                return None;
            }
        };
        match search::parse(&value) {
            Ok(query) => query,
            Err(problem) => {
                self.invalid(name, problem.message());
                None
            }
        }
    }

    pub fn instant(&mut self, name: &str) -> Option<DateTime<Utc>> {
        self.one(
            name,
            "an RFC 3339 date-time such as 2027-01-31T23:59:00Z or a date such as 2027-01-31",
            parse_instant,
        )
    }

    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        self.one(name, "true or false", |v| match v {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })
    }

    pub fn integer(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        self.one(name, &format!("an integer from {min} to {max}"), |v| {
            v.parse::<i64>().ok().filter(|n| (min..=max).contains(n))
        })
    }

    /// All issues found so far, as a 400 problem; or nothing if the query was valid.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::InvalidInput(bounded(self.errors)))
        }
    }
}

/// The first [`MAX_REPORTED`] issues, and one more that counts the rest.
pub fn bounded(mut issues: Vec<FieldIssue>) -> Vec<FieldIssue> {
    if issues.len() > MAX_REPORTED {
        let rest = issues.len() - MAX_REPORTED;
        issues.truncate(MAX_REPORTED);
        issues.push(FieldIssue::new(
            "…",
            format!("and {rest} more invalid parameters, not listed"),
        ));
    }
    issues
}

/// 1 to `max` ASCII letters, digits and the given punctuation: ids, slugs, source names.
pub fn is_identifier(value: &str, max: usize, punctuation: &[char]) -> bool {
    !value.is_empty()
        && value.len() <= max
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || punctuation.contains(&c))
}

/// An RFC 3339 date-time, or a calendar date meaning its first instant in UTC.
fn parse_instant(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_comma_separated_values_combine() {
        let mut q = QueryParams::parse("type=a&type=b,c", &["type"]);
        assert_eq!(
            q.many("type", "x", |v| Some(v.to_owned())),
            vec!["a", "b", "c"]
        );
        assert!(q.finish().is_ok());
    }

    #[test]
    fn unknown_repeated_and_malformed_parameters_are_named() {
        let mut q = QueryParams::parse(
            "colour=red&limit=1&limit=2&since=yesterday",
            &["limit", "since"],
        );
        q.integer("limit", 1, 100);
        q.instant("since");
        let Err(ApiError::InvalidInput(errors)) = q.finish() else {
            panic!("expected invalid input")
        };
        let names: Vec<&str> = errors.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, vec!["colour", "limit", "since"]);
    }
}
