//! Request bodies: JSON parsed by hand so that every unknown, missing or invalid member
//! is reported at once, by JSON pointer, and a body can only set what an operation allows.

use serde_json::{Map, Value};

use crate::domain::text;
use crate::error::{ApiError, FieldIssue};

/// The largest JSON body accepted (imports have their own, larger limit).
pub const MAX_JSON_BYTES: usize = 256 * 1024;

/// Refuses a JSON body above [`MAX_JSON_BYTES`] with 413.
pub fn check_size(bytes: &[u8]) -> Result<(), ApiError> {
    if bytes.len() > MAX_JSON_BYTES {
        Err(ApiError::PayloadTooLarge(MAX_JSON_BYTES))
    } else {
        Ok(())
    }
}

/// Parses a JSON object; malformed JSON is a 400, anything but an object a 422.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::MalformedBody(format!("the body is not valid JSON: {e}")))?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::Unprocessable(vec![FieldIssue::new(
            "",
            "must be a JSON object",
        )])),
    }
}

/// Reads the members of one JSON object, collecting every problem under a pointer prefix.
pub struct Fields<'a> {
    object: &'a Map<String, Value>,
    prefix: String,
    pub errors: Vec<FieldIssue>,
}

impl<'a> Fields<'a> {
    /// Starts reading `object`, reporting each member not in `known`.
    pub fn new(object: &'a Map<String, Value>, prefix: &str, known: &[&str]) -> Fields<'a> {
        let mut errors = Vec::new();
        for key in object.keys() {
            if !known.contains(&key.as_str()) {
                errors.push(FieldIssue::new(
                    format!("{prefix}/{}", escape(key)),
                    "is not a field this operation accepts",
                ));
            }
        }
        Fields {
            object,
            prefix: prefix.to_owned(),
            errors,
        }
    }

    pub fn pointer(&self, key: &str) -> String {
        format!("{}/{}", self.prefix, escape(key))
    }

    pub fn fail(&mut self, key: &str, reason: impl Into<String>) {
        let pointer = self.pointer(key);
        self.errors.push(FieldIssue::new(pointer, reason));
    }

    /// The member's value when present and not null.
    pub fn value(&self, key: &str) -> Option<&'a Value> {
        self.object.get(key).filter(|v| !v.is_null())
    }

    /// `value`, reporting "is required" when it is missing (absent, null or blank) and
    /// no other problem was reported for the member.
    pub fn require<T>(&mut self, key: &str, value: Option<T>) -> Option<T> {
        let pointer = self.pointer(key);
        if value.is_none() && !self.errors.iter().any(|e| e.name == pointer) {
            self.fail(key, "is required");
        }
        value
    }

    /// A string of at most `max` characters (trimmed; empty counts as absent), without
    /// control characters other than tabs and line breaks (see [`text::accepted`]).
    pub fn text(&mut self, key: &str, max: usize) -> Option<String> {
        match self.value(key)? {
            Value::String(s) => {
                let s = match text::accepted(s) {
                    Ok(s) => s,
                    Err(reason) => {
                        self.fail(key, reason);
                        return None;
                    }
                };
                let s = s.trim();
                if s.chars().count() > max {
                    self.fail(key, format!("is longer than {max} characters"));
                    None
                } else if s.is_empty() {
                    None
                } else {
                    Some(s.to_owned())
                }
            }
            _ => {
                self.fail(key, "must be a string");
                None
            }
        }
    }

    /// A string parsed by `parse`; `expected` describes a valid value. An empty string is
    /// not a valid code, date or address, so it is refused rather than taken as absent.
    pub fn parsed<T>(
        &mut self,
        key: &str,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let blank = matches!(self.value(key), Some(Value::String(s)) if s.trim().is_empty());
        let parsed = match self.text(key, 2000) {
            Some(raw) => parse(&raw),
            None if blank => None,
            None => return None,
        };
        if parsed.is_none() {
            self.fail(key, format!("must be {expected}"));
        }
        parsed
    }

    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.value(key)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.fail(key, "must be true or false");
                None
            }
        }
    }

    pub fn integer(&mut self, key: &str, min: i64, max: i64) -> Option<i64> {
        match self.value(key)?.as_i64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.fail(key, format!("must be an integer from {min} to {max}"));
                None
            }
        }
    }

    /// An array of strings, each parsed by `parse`; duplicates are dropped.
    pub fn list<T: PartialEq>(
        &mut self,
        key: &str,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Vec<T> {
        let Some(value) = self.value(key) else {
            return Vec::new();
        };
        let Some(items) = value.as_array() else {
            self.fail(key, "must be an array");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str().and_then(&parse) {
                Some(v) if !out.contains(&v) => out.push(v),
                Some(_) => {}
                None => {
                    let pointer = format!("{}/{i}", self.pointer(key));
                    self.errors
                        .push(FieldIssue::new(pointer, format!("must be {expected}")));
                }
            }
        }
        out
    }

    /// A nested object, read with the same rules; absent or null gives `None`.
    pub fn object(&mut self, key: &str) -> Option<&'a Map<String, Value>> {
        match self.value(key)? {
            Value::Object(map) => Some(map),
            _ => {
                self.fail(key, "must be an object");
                None
            }
        }
    }

    /// Reads a nested object with its own known members, merging its errors into these.
    pub fn nested<T>(
        &mut self,
        key: &str,
        known: &[&str],
        read: impl FnOnce(&mut Fields<'a>) -> T,
    ) -> Option<T> {
        let map = self.object(key)?;
        let mut inner = Fields::new(map, &self.pointer(key), known);
        let out = read(&mut inner);
        self.errors.append(&mut inner.errors);
        Some(out)
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Unprocessable(self.errors))
        }
    }
}

/// RFC 6901 escaping of one pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A well-formed e-mail address: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && s.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The longest URL accepted, in characters (its normalised form is indexed for duplicates).
pub const URL_MAX: usize = 1000;

/// An absolute http(s) URL with a host, at most [`URL_MAX`] characters, also once encoded.
pub fn is_web_url(s: &str) -> bool {
    s.chars().count() <= URL_MAX
        && url::Url::parse(s).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some_and(|h| !h.is_empty())
                && u.as_str().len() <= 2 * URL_MAX
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_with_its_pointer() {
        let body =
            parse_object(br#"{"name": 5, "extra": true, "inner": {"x": "y", "n": "z"}}"#).unwrap();
        let mut fields = Fields::new(&body, "", &["name", "inner", "missing"]);
        fields.text("name", 10);
        fields.require::<String>("missing", None);
        fields.nested("inner", &["n"], |f| f.integer("n", 0, 1));
        let names: Vec<String> = fields.errors.iter().map(|e| e.name.clone()).collect();
        assert_eq!(
            names,
            vec!["/extra", "/name", "/missing", "/inner/x", "/inner/n"]
        );
    }

    #[test]
    fn emails_and_urls() {
        assert!(is_email("calls@example.org"));
        assert!(!is_email("calls@example"));
        assert!(!is_email("a b@example.org"));
        assert!(is_web_url("https://example.org/x"));
        assert!(!is_web_url("ftp://example.org"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(matches!(
            parse_object(b"{nope"),
            Err(ApiError::MalformedBody(_))
        ));
    }
}
