//! What a stored text may hold: printable characters, tabs and line breaks. Control
//! characters (C0 and C1, and DEL) are invisible to readers and break the formats the
//! directory is published in: XML forbids most of them outright, and iCalendar forbids all
//! but tab. Texts are refused with them on the way in ([`accepted`]), and every serializer
//! can drop them from whatever is stored ([`printable`]).

use std::borrow::Cow;

/// Whether `c` is a control character a text must not hold (line breaks and tabs are
/// allowed; a carriage return is read as a line break).
fn forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The text as it is stored, with line breaks written `\n` (Windows' `\r\n` and a lone
/// `\r` become `\n`), or, when it holds a control character, why not: the character's
/// code point and where it is.
pub fn accepted(text: &str) -> Result<Cow<'_, str>, String> {
    if let Some((at, c)) = text.chars().enumerate().find(|(_, c)| forbidden(*c)) {
        return Err(format!(
            "contains the control character U+{:04X} at character {}; only printable characters, tabs and line breaks are allowed",
            u32::from(c),
            at + 1
        ));
    }
    Ok(line_breaks(text))
}

fn line_breaks(text: &str) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The text with every control character but tab and line feed removed and line breaks
/// written `\n`: what any format can carry, whatever was stored.
pub fn printable(text: &str) -> Cow<'_, str> {
    let text = line_breaks(text);
    if text.chars().any(forbidden) {
        Cow::Owned(text.chars().filter(|c| !forbidden(*c)).collect())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_by_code_point_and_line_breaks_kept() {
        for (text, code) in [
            ("a\u{1}b", "U+0001 at character 2"),
            ("tab\u{b}", "U+000B at character 4"),
            ("\u{1b}[31mred", "U+001B at character 1"),
            ("del\u{7f}", "U+007F"),
            ("c1\u{85}", "U+0085"),
            ("nul\0", "U+0000"),
        ] {
            let reason = accepted(text).unwrap_err();
            assert!(reason.contains(code), "{text:?}: {reason}");
        }
        assert_eq!(accepted("a\tb\nc").unwrap(), "a\tb\nc");
        assert_eq!(
            accepted("Windows\r\nline\rbreaks").unwrap(),
            "Windows\nline\nbreaks"
        );
        assert_eq!(accepted("Črna gora — «ž»").unwrap(), "Črna gora — «ž»");
    }

    #[test]
    fn printable_drops_what_no_format_may_carry() {
        assert_eq!(printable("a\u{1}b\u{b}c\u{1b}d\u{9f}e\u{7f}"), "abcde");
        assert_eq!(printable("one\r\ntwo\tthree"), "one\ntwo\tthree");
        assert!(matches!(printable("clean"), Cow::Borrowed(_)));
    }
}
