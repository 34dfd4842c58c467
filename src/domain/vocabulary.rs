//! Closed vocabularies: code enums with stable slugs and names in English and Slovenian.

/// Declares a vocabulary enum: stable `snake_case` slugs, English and Slovenian names.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $slug:literal, $en:literal, $sl:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn slug(self) -> &'static str {
                match self { $($name::$variant => $slug),+ }
            }

            pub fn name_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }

            pub fn name_sl(self) -> &'static str {
                match self { $($name::$variant => $sl),+ }
            }

            pub fn from_slug(slug: &str) -> Option<Self> {
                match slug { $($slug => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

vocabulary! {
    /// What kind of opportunity an entry is (covers On the Move's categories and mobility types).
    OpportunityType {
        Residency => "residency", "Residency", "Rezidenca";
        Fellowship => "fellowship", "Fellowship", "Štipendija";
        ProjectGrant => "project_grant", "Project grant", "Projektna podpora";
        TravelGrant => "travel_grant", "Travel grant", "Potna štipendija";
        Commission => "commission", "Commission", "Naročilo";
        Presenting => "presenting", "Festival or showcase", "Festival ali predstavitev";
        Competition => "competition", "Competition", "Natečaj";
        Award => "award", "Award", "Nagrada";
        Training => "training", "Training", "Usposabljanje";
        Networking => "networking", "Networking", "Mreženje";
        GoAndSee => "go_and_see", "Go-and-see visit", "Ogledni obisk";
        MarketDevelopment => "market_development", "Market development", "Razvoj trga";
        Touring => "touring", "Touring", "Gostovanja";
        Research => "research", "Research", "Raziskovanje";
        Production => "production", "Production", "Produkcija";
        Job => "job", "Job", "Zaposlitev";
    }
}

vocabulary! {
    /// Artistic and cultural disciplines an entry is open to.
    Discipline {
        VisualArts => "visual_arts", "Visual arts", "Vizualne umetnosti";
        PerformingArts => "performing_arts", "Performing arts", "Uprizoritvene umetnosti";
        Dance => "dance", "Dance", "Ples";
        Theatre => "theatre", "Theatre", "Gledališče";
        Music => "music", "Music", "Glasba";
        Literature => "literature", "Literature", "Književnost";
        FilmAudiovisual => "film_audiovisual", "Film and audiovisual", "Film in avdiovizualne umetnosti";
        Architecture => "architecture", "Architecture", "Arhitektura";
        Design => "design", "Design", "Oblikovanje";
        CulturalHeritage => "cultural_heritage", "Cultural heritage", "Kulturna dediščina";
        Crafts => "crafts", "Crafts", "Rokodelstvo";
        Curating => "curating", "Curating", "Kuratorstvo";
        Research => "research", "Artistic research", "Umetniško raziskovanje";
        DigitalArts => "digital_arts", "Digital arts", "Digitalne umetnosti";
        CrossDisciplinary => "cross_disciplinary", "Cross-disciplinary", "Interdisciplinarno";
        Circus => "circus", "Circus and street arts", "Cirkus in ulične umetnosti";
        Photography => "photography", "Photography", "Fotografija";
        Translation => "translation", "Literary translation", "Literarno prevajanje";
    }
}

vocabulary! {
    /// Costs an opportunity pays for.
    CoveredCost {
        Travel => "travel", "Travel", "Potni stroški";
        Accommodation => "accommodation", "Accommodation", "Nastanitev";
        PerDiem => "per_diem", "Per diem", "Dnevnice";
        Production => "production", "Production costs", "Produkcijski stroški";
        Fee => "fee", "Artist fee", "Honorar";
        Visa => "visa", "Visa", "Vizum";
        Insurance => "insurance", "Insurance", "Zavarovanje";
        Childcare => "childcare", "Childcare", "Varstvo otrok";
        Accessibility => "accessibility", "Accessibility costs", "Stroški dostopnosti";
        GreenTravel => "green_travel", "Green travel top-up", "Dodatek za zeleno potovanje";
    }
}

vocabulary! {
    /// The career stage an opportunity is aimed at.
    CareerStage {
        Emerging => "emerging", "Emerging", "Na začetku poti";
        MidCareer => "mid_career", "Mid-career", "V srednjem obdobju kariere";
        Established => "established", "Established", "Uveljavljeni";
        Any => "any", "Any stage", "Katera koli stopnja";
    }
}

vocabulary! {
    /// What kind of body an organization is.
    OrganizationKind {
        PublicFunder => "public_funder", "Public funder", "Javni financer";
        Foundation => "foundation", "Foundation", "Fundacija";
        ResidencyCentre => "residency_centre", "Residency centre", "Rezidenčni center";
        Festival => "festival", "Festival", "Festival";
        Venue => "venue", "Venue", "Prizorišče";
        Network => "network", "Network", "Mreža";
        CulturalInstitute => "cultural_institute", "Cultural institute", "Kulturni inštitut";
        University => "university", "University or academy", "Univerza ali akademija";
        Ngo => "ngo", "Non-governmental organization", "Nevladna organizacija";
    }
}

vocabulary! {
    /// Where an opportunity stands at a given moment; computed, never stored.
    Status {
        Upcoming => "upcoming", "Upcoming", "Kmalu";
        Open => "open", "Open", "Odprto";
        ClosingSoon => "closing_soon", "Closing soon", "Kmalu se zapre";
        Closed => "closed", "Closed", "Zaprto";
        Rolling => "rolling", "Rolling", "Sprotno";
    }
}

vocabulary! {
    /// What a staff account may do.
    Role {
        Admin => "admin", "Administrator", "Skrbnik";
        Editor => "editor", "Editor", "Urednik";
        Contributor => "contributor", "Contributor", "Sodelavec";
    }
}

vocabulary! {
    /// Where an entry stands in the review workflow; only `published` entries are public.
    WorkflowState {
        Draft => "draft", "Draft", "Osnutek";
        InReview => "in_review", "In review", "V pregledu";
        Published => "published", "Published", "Objavljeno";
        Archived => "archived", "Archived", "Arhivirano";
        Withdrawn => "withdrawn", "Withdrawn", "Umaknjeno";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_match_serde() {
        for t in OpportunityType::ALL {
            assert_eq!(OpportunityType::from_slug(t.slug()), Some(*t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.slug());
        }
        for d in Discipline::ALL {
            assert_eq!(serde_json::to_value(d).unwrap(), d.slug());
        }
        assert_eq!(
            serde_json::to_value(CoveredCost::PerDiem).unwrap(),
            "per_diem"
        );
        assert_eq!(
            serde_json::to_value(Status::ClosingSoon).unwrap(),
            "closing_soon"
        );
        assert!(Discipline::ALL.len() >= 15);
    }
}
