//! Human-readable, URL-safe identifiers.

/// Lower-case ASCII letters and digits in words joined by single hyphens, at most 120 characters.
pub fn is_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 120
        && slug.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Turns a title into a slug, transliterating the diacritics of Slovenian and its neighbours.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars().flat_map(char::to_lowercase) {
        let ascii = match ch {
            'č' | 'ć' => "c",
            'š' => "s",
            'ž' => "z",
            'đ' => "dj",
            'á' | 'à' | 'â' | 'ä' | 'å' | 'ã' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => "o",
            'ú' | 'ù' | 'û' | 'ü' => "u",
            'ñ' => "n",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        out.push_str(ascii);
    }
    let words: Vec<&str> = out.split('-').filter(|w| !w.is_empty()).collect();
    let mut slug = words.join("-");
    slug.truncate(100);
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_transliterates_and_validates() {
        assert_eq!(
            slugify("Rezidenca v Žalcu — 2027!"),
            "rezidenca-v-zalcu-2027"
        );
        assert!(is_valid(&slugify("Ćuprija & Đakovo")));
        assert!(!is_valid("Bad Slug"));
        assert!(!is_valid("double--hyphen"));
    }
}
