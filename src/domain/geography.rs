//! Countries (ISO 3166-1 alpha-2) and the regions that expand to them.

use super::iso_tables::COUNTRIES;

/// Codes in use that ISO 3166-1 has not assigned: Kosovo (`XK`, used by the EU and Creative Europe).
const EXTRA_COUNTRIES: &[(&str, &str, &str)] = &[("XK", "Kosovo", "Kosovo")];

/// An ISO 3166-1 alpha-2 country code; it can only be built from a known code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(&'static str);

impl Country {
    /// Parses an upper-case code such as `SI`.
    pub fn parse(code: &str) -> Option<Country> {
        all_country_rows()
            .find(|(c, _, _)| *c == code)
            .map(|(c, _, _)| Country(c))
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    fn row(self) -> (&'static str, &'static str, &'static str) {
        all_country_rows()
            .find(|(c, _, _)| *c == self.0)
            .expect("a Country is only built from the table")
    }

    pub fn name_en(self) -> &'static str {
        self.row().1
    }

    pub fn name_sl(self) -> &'static str {
        self.row().2
    }

    /// Every country, ISO codes first, then codes in common use that ISO has not assigned.
    pub fn all() -> impl Iterator<Item = Country> {
        all_country_rows().map(|(c, _, _)| Country(c))
    }
}

fn all_country_rows() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    COUNTRIES.iter().chain(EXTRA_COUNTRIES).copied()
}

const EU: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];
const EEA_EXTRA: &[&str] = &["IS", "LI", "NO"];
/// Non-EU countries taking part in Creative Europe 2021–2027 (association agreements as of 2025).
const CREATIVE_EUROPE_EXTRA: &[&str] = &[
    "AL", "AM", "BA", "GE", "IS", "LI", "MD", "ME", "MK", "NO", "RS", "TN", "UA", "XK",
];
const WESTERN_BALKANS: &[&str] = &["AL", "BA", "ME", "MK", "RS", "XK"];

vocabulary! {
    /// Named groups of countries; an eligibility rule may name a region instead of listing countries.
    Region {
        Eu => "eu", "European Union", "Evropska unija";
        Eea => "eea", "European Economic Area", "Evropski gospodarski prostor";
        CreativeEurope => "creative_europe", "Creative Europe participating countries", "Države, ki sodelujejo v programu Ustvarjalna Evropa";
        WesternBalkans => "western_balkans", "Western Balkans", "Zahodni Balkan";
    }
}

impl Region {
    /// The countries a region expands to, sorted by code.
    pub fn countries(self) -> Vec<Country> {
        let codes: Vec<&str> = match self {
            Region::Eu => EU.to_vec(),
            Region::Eea => [EU, EEA_EXTRA].concat(),
            Region::CreativeEurope => [EU, CREATIVE_EUROPE_EXTRA].concat(),
            Region::WesternBalkans => WESTERN_BALKANS.to_vec(),
        };
        let mut countries: Vec<Country> = codes
            .into_iter()
            .map(|c| Country::parse(c).expect("region members are known countries"))
            .collect();
        countries.sort();
        countries.dedup();
        countries
    }

    pub fn contains(self, country: Country) -> bool {
        self.countries().contains(&country)
    }
}

/// A place named in an eligibility rule or a filter: one country, or a region of several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    Country(Country),
    Region(Region),
}

impl Area {
    /// Parses a country code (`SI`) or a region slug (`eu`, `western_balkans`).
    pub fn parse(code: &str) -> Option<Area> {
        Region::from_slug(code)
            .map(Area::Region)
            .or_else(|| Country::parse(code).map(Area::Country))
    }

    /// The stored form: the upper-case country code or the region slug.
    pub fn code(self) -> &'static str {
        match self {
            Area::Country(c) => c.code(),
            Area::Region(r) => r.slug(),
        }
    }

    pub fn countries(self) -> Vec<Country> {
        match self {
            Area::Country(c) => vec![c],
            Area::Region(r) => r.countries(),
        }
    }

    /// Every stored area code that admits someone from this area: its countries,
    /// and every region containing at least one of them.
    pub fn matching_codes(self) -> Vec<&'static str> {
        let countries = self.countries();
        let mut codes: Vec<&'static str> = countries.iter().map(|c| c.code()).collect();
        codes.extend(
            Region::ALL
                .iter()
                .filter(|r| countries.iter().any(|c| r.contains(*c)))
                .map(|r| r.slug()),
        );
        codes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_iso_country_is_known_with_both_names() {
        assert!(Country::all().count() >= 249);
        assert!(Country::parse("si").is_none(), "codes are upper case");
        let si = Country::parse("SI").unwrap();
        assert_eq!(si.code(), "SI");
        assert_eq!(si.name_sl(), "Slovenija");
        assert!(Country::parse("ZZ").is_none());
    }

    #[test]
    fn regions_expand_to_countries() {
        assert_eq!(Region::Eu.countries().len(), 27);
        assert_eq!(Region::Eea.countries().len(), 30);
        assert!(Region::CreativeEurope.contains(Country::parse("UA").unwrap()));
        assert!(!Region::Eu.contains(Country::parse("RS").unwrap()));
        assert_eq!(Region::WesternBalkans.countries().len(), 6);
    }

    #[test]
    fn a_country_matches_the_regions_it_belongs_to() {
        let codes = Area::parse("RS").unwrap().matching_codes();
        assert!(codes.contains(&"RS"));
        assert!(codes.contains(&"western_balkans"));
        assert!(codes.contains(&"creative_europe"));
        assert!(!codes.contains(&"eu"));
    }
}
