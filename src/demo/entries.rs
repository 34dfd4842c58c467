//! The demo organizations and calls. Invented for this project: any likeness to a real
//! programme is a coincidence of the field's vocabulary.

use crate::domain::vocabulary::CareerStage::{self, Any, Emerging, Established, MidCareer};
use crate::domain::vocabulary::CoveredCost::{
    self, Accessibility, Accommodation, Childcare, Fee, GreenTravel, Insurance, PerDiem, Production, Travel, Visa,
};
use crate::domain::vocabulary::Discipline::{self, *};
use crate::domain::vocabulary::OpportunityType::{self, *};
use crate::domain::vocabulary::OrganizationKind::{self, *};

pub struct OrganizationSpec {
    pub name: &'static str,
    pub kind: OrganizationKind,
    pub country: &'static str,
    pub city: &'static str,
    pub timezone: &'static str,
    /// The organizer's own language, accepted besides English.
    pub language: &'static str,
}

const fn org(
    name: &'static str,
    kind: OrganizationKind,
    country: &'static str,
    city: &'static str,
    timezone: &'static str,
    language: &'static str,
) -> OrganizationSpec {
    OrganizationSpec { name, kind, country, city, timezone, language }
}

pub const ORGANIZATIONS: &[OrganizationSpec] = &[
    org("Sava Arts Mobility Fund", PublicFunder, "SI", "Ljubljana", "Europe/Ljubljana", "sl"),         // 0
    org("Karst Residency House", ResidencyCentre, "SI", "Sežana", "Europe/Ljubljana", "sl"),           // 1
    org("Drava Dance Platform", Festival, "SI", "Maribor", "Europe/Ljubljana", "sl"),                 // 2
    org("Nordlys Kunstnerhus", ResidencyCentre, "NO", "Tromsø", "Europe/Oslo", "no"),                 // 3
    org("Spreeufer Atelierprogramm", ResidencyCentre, "DE", "Berlin", "Europe/Berlin", "de"),         // 4
    org("Fondation Lumière des Alpes", Foundation, "FR", "Grenoble", "Europe/Paris", "fr"),           // 5
    org("Casa del Lino", ResidencyCentre, "IT", "Lecce", "Europe/Rome", "it"),                         // 6
    org("Tejo Cultural Exchange", CulturalInstitute, "PT", "Lisbon", "Europe/Lisbon", "pt"),          // 7
    org("Baltic Sound Network", Network, "EE", "Tallinn", "Europe/Tallinn", "et"),                    // 8
    org("Vltava Literary Centre", Ngo, "CZ", "Prague", "Europe/Prague", "cs"),                       // 9
    org("Danube Stage Collective", Venue, "AT", "Vienna", "Europe/Vienna", "de"),                     // 10
    org("Adriatic Crafts Initiative", Ngo, "HR", "Split", "Europe/Zagreb", "hr"),                    // 11
    org("Balkan Screen Lab", Festival, "RS", "Novi Sad", "Europe/Belgrade", "sr"),                   // 12
    org("Ohrid Summer Academy", University, "MK", "Ohrid", "Europe/Skopje", "mk"),                    // 13
    org("Tirana Art Space", Ngo, "AL", "Tirana", "Europe/Tirane", "sq"),                              // 14
    org("Polder Design Foundation", Foundation, "NL", "Rotterdam", "Europe/Amsterdam", "nl"),         // 15
    org("Flanders Stage Exchange", PublicFunder, "BE", "Ghent", "Europe/Brussels", "nl"),             // 16
    org("Vistula Curatorial Forum", CulturalInstitute, "PL", "Kraków", "Europe/Warsaw", "pl"),       // 17
    org("Aurora Circus Hub", Venue, "FI", "Helsinki", "Europe/Helsinki", "fi"),                       // 18
    org("Meseta Creative Fund", Foundation, "ES", "Valladolid", "Europe/Madrid", "es"),              // 19
    org("Liffey Writers' Retreat", ResidencyCentre, "IE", "Dublin", "Europe/Dublin", "ga"),           // 20
    org("Aegean Heritage Workshop", University, "GR", "Thessaloniki", "Europe/Athens", "el"),        // 21
    org("Caucasus Contemporary", Ngo, "GE", "Tbilisi", "Asia/Tbilisi", "ka"),                         // 22
    org("Dnipro Culture Bridge", Network, "UA", "Kyiv", "Europe/Kyiv", "uk"),                         // 23
    org("Pacific Rim Arts Council", PublicFunder, "CA", "Vancouver", "America/Vancouver", "fr"),     // 24
    org("Kansai Art Exchange", CulturalInstitute, "JP", "Kyoto", "Asia/Tokyo", "ja"),                 // 25
    org("Atlas Residency Morocco", ResidencyCentre, "MA", "Marrakesh", "Africa/Casablanca", "ar"),   // 26
    org("Rio Grande Music Foundation", Foundation, "MX", "Oaxaca", "America/Mexico_City", "es"),     // 27
];

pub struct OpportunitySpec {
    pub org: usize,
    pub kind: OpportunityType,
    pub title_en: &'static str,
    pub title_sl: &'static str,
    pub disciplines: &'static [Discipline],
    pub destination: &'static [&'static str],
    pub city: &'static str,
    pub online: bool,
    /// Days from today to the deadline (negative: closed); `None`: rolling.
    pub deadline_in_days: Option<i64>,
    /// Days from today until applications open, for calls not yet open.
    pub opens_in_days: Option<i64>,
    pub nationalities: &'static [&'static str],
    pub residences: &'static [&'static str],
    pub stage: CareerStage,
    pub max_age: Option<i32>,
    /// (minimum, maximum, currency); a minimum of 0 means no stated minimum.
    pub funding: Option<(i64, i64, &'static str)>,
    pub covers: &'static [CoveredCost],
    pub fee: i64,
}

#[allow(clippy::too_many_arguments)]
const fn call(
    org: usize,
    kind: OpportunityType,
    title_en: &'static str,
    title_sl: &'static str,
    disciplines: &'static [Discipline],
    destination: &'static [&'static str],
    city: &'static str,
    deadline_in_days: Option<i64>,
    nationalities: &'static [&'static str],
    residences: &'static [&'static str],
    stage: CareerStage,
    funding: Option<(i64, i64, &'static str)>,
    covers: &'static [CoveredCost],
    fee: i64,
) -> OpportunitySpec {
    OpportunitySpec {
        org,
        kind,
        title_en,
        title_sl,
        disciplines,
        destination,
        city,
        online: false,
        deadline_in_days,
        opens_in_days: None,
        nationalities,
        residences,
        stage,
        max_age: None,
        funding,
        covers,
        fee,
    }
}

const fn online(mut spec: OpportunitySpec) -> OpportunitySpec {
    spec.online = true;
    spec
}

const fn opens_in(days: i64, mut spec: OpportunitySpec) -> OpportunitySpec {
    spec.opens_in_days = Some(days);
    spec
}

const fn up_to_age(age: i32, mut spec: OpportunitySpec) -> OpportunitySpec {
    spec.max_age = Some(age);
    spec
}

const NONE: &[&str] = &[];
const RESEARCH_STAY: OpportunityType = OpportunityType::Research;
const PRODUCTION_SUPPORT: OpportunityType = OpportunityType::Production;
const ARTISTIC_RESEARCH: Discipline = Discipline::Research;
const EUR: &str = "EUR";

pub const SPECS: &[OpportunitySpec] = &[
    // Slovenia
    call(0, TravelGrant, "Sava Mobility Travel Grants 2027", "Potne štipendije Sava 2027", &[VisualArts, PerformingArts, Music, Literature], &["SI"], "Ljubljana", Some(3), NONE, &["SI"], Any, Some((300, 1500, EUR)), &[Travel, GreenTravel], 0),
    call(0, ProjectGrant, "International Co-production Support", "Podpora mednarodnim koprodukcijam", &[PerformingArts, Dance, Theatre], &["SI"], "Ljubljana", Some(41), &["SI"], &["SI"], MidCareer, Some((5000, 20000, EUR)), &[Production, Fee], 0),
    call(0, GoAndSee, "Go and See: Festival Scouting Visits", "Oglejte si: ogledni obiski festivalov", &[PerformingArts, Music, Curating], &["SI"], "Ljubljana", None, NONE, &["SI"], Any, Some((0, 800, EUR)), &[Travel, Accommodation], 0),
    call(0, MarketDevelopment, "Export Ready: Music Market Delegations", "Pripravljeni na izvoz: glasbene delegacije", &[Music], &["DE", "FR", "NL"], "Ljubljana", Some(-12), &["SI"], &["SI"], Established, Some((1000, 3000, EUR)), &[Travel, Accommodation, PerDiem], 0),
    call(1, Residency, "Karst Stone and Wind Residency", "Rezidenca Kras: kamen in veter", &[VisualArts, Crafts, Architecture], &["SI"], "Sežana", Some(26), NONE, NONE, Emerging, Some((0, 1200, EUR)), &[Accommodation, Production], 25),
    call(1, Residency, "Writing the Border: Karst Literary Residency", "Pisati mejo: literarna rezidenca na Krasu", &[Literature, Translation], &["SI"], "Sežana", Some(6), &["creative_europe"], NONE, Any, Some((0, 900, EUR)), &[Accommodation, PerDiem], 0),
    opens_in(14, call(1, Residency, "Winter Silence Residency", "Zimska rezidenca tišine", &[VisualArts, Music, Literature], &["SI"], "Sežana", Some(75), NONE, NONE, Any, None, &[Accommodation], 0)),
    call(2, Presenting, "Drava Dance Platform Showcase Call", "Razpis za predstavitev na Plesni platformi Drava", &[Dance, PerformingArts], &["SI"], "Maribor", Some(18), &["eu", "western_balkans"], NONE, Any, Some((0, 2500, EUR)), &[Travel, Accommodation, Fee], 0),
    call(2, Training, "Choreographic Lab for Young Makers", "Koreografski laboratorij za mlade ustvarjalce", &[Dance], &["SI", "AT", "HR"], "Maribor", Some(-40), NONE, NONE, Emerging, None, &[Accommodation, PerDiem], 0),
    up_to_age(30, call(2, Commission, "New Solo Commission", "Naročilo novega solo dela", &[Dance, PerformingArts], &["SI"], "Maribor", Some(9), NONE, &["SI", "HR", "AT", "IT", "HU"], Emerging, Some((3000, 3000, EUR)), &[Fee, Production, Childcare], 0)),
    // Nordic and Baltic
    call(3, Residency, "Polar Night Artist Residency", "Umetniška rezidenca polarne noči", &[VisualArts, Photography, DigitalArts], &["NO"], "Tromsø", Some(52), NONE, NONE, Any, Some((0, 20000, "NOK")), &[Accommodation, Travel, GreenTravel], 0),
    call(3, RESEARCH_STAY, "Arctic Ecologies Research Stay", "Raziskovalno bivanje o arktičnih ekologijah", &[ARTISTIC_RESEARCH, CrossDisciplinary], &["NO"], "Tromsø", Some(-5), NONE, NONE, MidCareer, Some((10000, 40000, "NOK")), &[Accommodation, Travel], 0),
    call(3, Fellowship, "Sámi and Northern Arts Fellowship", "Štipendija za samijske in severne umetnosti", &[VisualArts, Crafts, Music], &["NO", "SE", "FI"], "Tromsø", None, &["NO", "SE", "FI"], &["NO", "SE", "FI"], Any, Some((0, 60000, "NOK")), &[Fee, Travel], 0),
    call(8, Networking, "Baltic Sound Network Meeting", "Srečanje mreže Baltic Sound", &[Music], &["EE"], "Tallinn", Some(12), &["eea"], NONE, Any, Some((0, 700, EUR)), &[Travel, Accommodation], 0),
    online(call(8, Training, "Online Course: Touring Sustainably", "Spletni tečaj: trajnostna gostovanja", &[Music, PerformingArts], &["EE"], "Tallinn", None, NONE, NONE, Any, None, &[], 0)),
    call(8, Touring, "Nordic-Baltic Touring Support", "Podpora gostovanjem v nordijsko-baltski regiji", &[Music], &["EE", "LV", "LT", "FI"], "Tallinn", Some(33), NONE, &["EE", "LV", "LT"], Any, Some((1000, 8000, EUR)), &[Travel, Accommodation, PerDiem, Visa], 0),
    call(18, Residency, "Aurora Circus Creation Residency", "Rezidenca za cirkuško ustvarjanje Aurora", &[Circus, PerformingArts], &["FI"], "Helsinki", Some(21), NONE, NONE, Any, Some((2000, 6000, EUR)), &[Accommodation, Production, Insurance], 0),
    call(18, Presenting, "Street Arts Festival Open Call", "Odprti razpis festivala uličnih umetnosti", &[Circus, Theatre], &["FI"], "Helsinki", Some(-20), NONE, NONE, Any, Some((0, 3500, EUR)), &[Fee, Travel], 0),
    call(18, Award, "Aurora Award for Contemporary Circus", "Nagrada Aurora za sodobni cirkus", &[Circus], &["FI"], "Helsinki", Some(88), &["eu"], NONE, Established, Some((10000, 10000, EUR)), &[], 0),
    // Central Europe
    call(4, Residency, "Spreeufer Studio Residency", "Ateljejska rezidenca Spreeufer", &[VisualArts, Curating], &["DE"], "Berlin", Some(37), NONE, NONE, MidCareer, Some((0, 4500, EUR)), &[Accommodation, Production], 30),
    call(4, Residency, "Sound Art Residency at the Riverside", "Rezidenca zvočne umetnosti ob reki", &[Music, DigitalArts], &["DE"], "Berlin", Some(4), NONE, NONE, Any, Some((0, 3000, EUR)), &[Accommodation, Fee], 0),
    call(4, Job, "Residency Programme Coordinator", "Koordinator rezidenčnega programa", &[Curating], &["DE"], "Berlin", Some(15), NONE, &["eu"], MidCareer, Some((38000, 44000, EUR)), &[], 0),
    call(10, PRODUCTION_SUPPORT, "Danube Stage Production Fund", "Produkcijski sklad Danube Stage", &[Theatre, PerformingArts], &["AT"], "Vienna", Some(29), NONE, NONE, Any, Some((5000, 15000, EUR)), &[Production, Fee, Accessibility], 0),
    call(10, Presenting, "Young Directors' Showcase", "Predstavitev mladih režiserjev", &[Theatre], &["AT"], "Vienna", Some(2), NONE, NONE, Emerging, Some((0, 2000, EUR)), &[Travel, Accommodation, Fee], 0),
    call(10, Touring, "Danube Touring Circuit", "Gostovalni krog ob Donavi", &[Theatre, Dance], &["AT", "SK", "HU", "RS"], "Vienna", Some(-60), NONE, NONE, Any, Some((0, 12000, EUR)), &[Travel, PerDiem], 0),
    call(9, Residency, "Vltava Translators' Residency", "Rezidenca za prevajalce Vltava", &[Translation, Literature], &["CZ"], "Prague", Some(44), NONE, NONE, Any, Some((0, 1800, EUR)), &[Accommodation, PerDiem, Travel], 0),
    call(9, Fellowship, "Central European Writers' Fellowship", "Štipendija za srednjeevropske pisatelje", &[Literature], &["CZ"], "Prague", Some(7), &["CZ", "SK", "PL", "HU", "SI", "AT"], NONE, Any, Some((2000, 2000, EUR)), &[Fee, Accommodation], 0),
    call(9, Competition, "Short Story Translation Prize", "Nagrada za prevod kratke zgodbe", &[Translation], &["CZ"], "Prague", Some(-2), NONE, NONE, Any, Some((1000, 1000, EUR)), &[], 10),
    call(17, Training, "Vistula Curatorial Intensive", "Intenzivni kuratorski program Vistula", &[Curating, VisualArts], &["PL"], "Kraków", Some(19), NONE, NONE, Emerging, None, &[Accommodation, Travel], 0),
    call(17, RESEARCH_STAY, "Archives of the Avant-garde Research Grant", "Raziskovalna štipendija za arhive avantgarde", &[ARTISTIC_RESEARCH, CulturalHeritage, Curating], &["PL"], "Kraków", Some(58), NONE, NONE, MidCareer, Some((3000, 7000, "PLN")), &[Accommodation], 0),
    opens_in(30, call(17, Networking, "Curators' Exchange East-West", "Izmenjava kuratorjev vzhod-zahod", &[Curating], &["PL", "UA", "GE"], "Kraków", Some(90), NONE, NONE, Any, Some((0, 1500, EUR)), &[Travel, Accommodation, Visa], 0)),
    // Western Europe
    call(5, Fellowship, "Alpine Light Fellowship", "Štipendija Alpska svetloba", &[VisualArts, Photography], &["FR"], "Grenoble", Some(30), NONE, NONE, Established, Some((8000, 15000, EUR)), &[Fee, Travel, Accommodation], 0),
    call(5, ProjectGrant, "Mountain Heritage Project Grants", "Projektne podpore za gorsko dediščino", &[CulturalHeritage, Crafts], &["FR", "IT", "CH", "AT", "SI"], "Grenoble", Some(63), NONE, &["FR", "IT", "CH", "AT", "SI", "DE", "LI"], Any, Some((2000, 25000, EUR)), &[Production], 0),
    call(5, Residency, "Residency for Artist-Parents", "Rezidenca za umetnike starše", &[VisualArts, Literature, Music], &["FR"], "Grenoble", Some(11), NONE, NONE, Any, Some((0, 2500, EUR)), &[Accommodation, Childcare, Travel], 0),
    call(15, Commission, "Circular Design Commission", "Naročilo za krožno oblikovanje", &[Design, Architecture], &["NL"], "Rotterdam", Some(24), NONE, NONE, MidCareer, Some((12000, 12000, EUR)), &[Fee, Production], 0),
    call(15, Competition, "Polder Young Designers Competition", "Natečaj za mlade oblikovalce Polder", &[Design], &["NL"], "Rotterdam", Some(-33), NONE, NONE, Emerging, Some((2500, 5000, EUR)), &[Travel], 15),
    call(15, Residency, "Harbour Architecture Residency", "Arhitekturna rezidenca v pristanišču", &[Architecture, ARTISTIC_RESEARCH], &["NL"], "Rotterdam", Some(49), NONE, NONE, Any, Some((0, 3500, EUR)), &[Accommodation, Production, GreenTravel], 0),
    call(16, TravelGrant, "Flanders Stage Travel Support", "Podpora potovanjem Flanders Stage", &[Theatre, Dance], &["BE"], "Ghent", None, NONE, &["BE"], Any, Some((0, 1000, EUR)), &[Travel, GreenTravel], 0),
    call(16, Presenting, "International Showcase Ghent", "Mednarodna predstavitev v Gentu", &[Theatre, Dance, PerformingArts], &["BE"], "Ghent", Some(5), NONE, NONE, Any, None, &[Accommodation, Fee], 0),
    call(16, MarketDevelopment, "Presenters' Visitor Programme", "Program obiskov za programske vodje", &[PerformingArts], &["BE"], "Ghent", Some(27), NONE, NONE, Established, None, &[Travel, Accommodation, PerDiem], 0),
    call(20, Residency, "Liffey Writers' Retreat", "Pisateljski umik ob reki Liffey", &[Literature], &["IE"], "Dublin", Some(39), NONE, NONE, Any, None, &[Accommodation], 40),
    call(20, Award, "First Novel Award", "Nagrada za prvi roman", &[Literature], &["IE"], "Dublin", Some(-90), NONE, NONE, Emerging, Some((5000, 5000, EUR)), &[], 20),
    call(7, Residency, "Tejo Riverside Residency", "Rezidenca ob reki Tejo", &[VisualArts, FilmAudiovisual], &["PT"], "Lisbon", Some(22), NONE, NONE, Any, Some((0, 2000, EUR)), &[Accommodation, Travel], 0),
    call(7, Fellowship, "Lusophone Exchange Fellowship", "Štipendija za luzofonsko izmenjavo", &[Literature, Music, FilmAudiovisual], &["PT", "BR"], "Lisbon", Some(66), &["PT", "BR", "AO", "MZ", "CV"], NONE, Any, Some((4000, 9000, EUR)), &[Travel, Fee, Visa, Insurance], 0),
    call(7, GoAndSee, "Lisbon Go-and-See for Programmers", "Ogledni obisk Lizbone za programske vodje", &[PerformingArts, Music], &["PT"], "Lisbon", Some(-8), NONE, NONE, Any, Some((0, 1200, EUR)), &[Travel, Accommodation], 0),
    call(19, ProjectGrant, "Meseta Rural Creation Grants", "Podpore za ustvarjanje na podeželju Meseta", &[CrossDisciplinary, CulturalHeritage], &["ES"], "Valladolid", Some(35), NONE, NONE, Any, Some((3000, 18000, EUR)), &[Production, Fee], 0),
    call(19, Residency, "Castile Ceramics Residency", "Keramična rezidenca v Kastilji", &[Crafts, Design], &["ES"], "Valladolid", Some(1), NONE, NONE, Any, Some((0, 1500, EUR)), &[Accommodation, Production], 0),
    call(6, Residency, "Casa del Lino Textile Residency", "Tekstilna rezidenca Casa del Lino", &[Crafts, Design, VisualArts], &["IT"], "Lecce", Some(17), NONE, NONE, Any, Some((0, 1800, EUR)), &[Accommodation, Production], 35),
    call(6, Training, "Baroque Stone Restoration School", "Šola restavriranja baročnega kamna", &[CulturalHeritage, Crafts], &["IT"], "Lecce", Some(46), NONE, NONE, Emerging, None, &[Accommodation, PerDiem], 0),
    call(6, RESEARCH_STAY, "Salento Oral Histories Research Grant", "Raziskovalna štipendija za ustno zgodovino Salenta", &[ARTISTIC_RESEARCH, CulturalHeritage, Music], &["IT"], "Lecce", None, NONE, NONE, Any, Some((0, 4000, EUR)), &[Travel, Accommodation], 0),
    // Southeast Europe and Western Balkans
    call(11, Residency, "Adriatic Boat-building Residency", "Rezidenca za gradnjo ladij na Jadranu", &[Crafts, CulturalHeritage], &["HR"], "Split", Some(28), NONE, NONE, Any, Some((0, 1600, EUR)), &[Accommodation, Production, Travel], 0),
    call(11, Training, "Island Crafts Summer School", "Poletna šola otoških obrti", &[Crafts, Design], &["HR"], "Split", Some(-14), NONE, NONE, Emerging, None, &[Accommodation], 50),
    call(11, ProjectGrant, "Coastal Communities Arts Grants", "Podpore za umetnost v obalnih skupnostih", &[CrossDisciplinary, VisualArts], &["HR", "ME", "AL"], "Split", Some(54), NONE, &["HR", "ME", "AL", "BA"], Any, Some((2000, 10000, EUR)), &[Production, Fee, Accessibility], 0),
    call(12, Presenting, "Balkan Screen Lab Pitching Forum", "Forum za predstavitev projektov Balkan Screen Lab", &[FilmAudiovisual], &["RS"], "Novi Sad", Some(13), &["western_balkans"], &["western_balkans"], Emerging, Some((0, 5000, EUR)), &[Travel, Accommodation], 0),
    call(12, PRODUCTION_SUPPORT, "Documentary Development Fund", "Sklad za razvoj dokumentarnih filmov", &[FilmAudiovisual], &["RS"], "Novi Sad", Some(70), &["western_balkans", "SI", "HR"], NONE, MidCareer, Some((5000, 20000, EUR)), &[Production], 0),
    call(12, Training, "Screenwriting Masterclass Series", "Serija mojstrskih tečajev scenaristike", &[FilmAudiovisual, Literature], &["RS"], "Novi Sad", Some(-25), NONE, NONE, Emerging, None, &[Accommodation], 0),
    call(13, Training, "Ohrid Summer Academy of Early Music", "Poletna akademija stare glasbe Ohrid", &[Music, CulturalHeritage], &["MK"], "Ohrid", Some(20), NONE, NONE, Emerging, None, &[Accommodation, PerDiem], 60),
    call(13, Residency, "Lakeside Composers' Residency", "Rezidenca za skladatelje ob jezeru", &[Music], &["MK"], "Ohrid", Some(57), &["creative_europe"], NONE, Any, Some((0, 1000, EUR)), &[Accommodation, Travel], 0),
    call(14, Residency, "Tirana Urban Interventions Residency", "Rezidenca urbanih intervencij v Tirani", &[VisualArts, Architecture], &["AL"], "Tirana", Some(8), NONE, NONE, Emerging, Some((0, 1500, EUR)), &[Accommodation, Production, Travel], 0),
    call(14, Networking, "Western Balkans Young Curators Meeting", "Srečanje mladih kuratorjev Zahodnega Balkana", &[Curating], &["AL"], "Tirana", Some(31), &["western_balkans"], NONE, Emerging, None, &[Travel, Accommodation], 0),
    call(21, Training, "Aegean Heritage Field School", "Terenska šola dediščine Egejskega morja", &[CulturalHeritage, ARTISTIC_RESEARCH], &["GR"], "Thessaloniki", Some(42), NONE, NONE, Emerging, None, &[Accommodation], 0),
    call(21, Fellowship, "Byzantine Music Research Fellowship", "Raziskovalna štipendija za bizantinsko glasbo", &[Music, ARTISTIC_RESEARCH], &["GR"], "Thessaloniki", Some(-45), NONE, NONE, MidCareer, Some((6000, 6000, EUR)), &[Fee, Accommodation], 0),
    call(21, Residency, "Thessaloniki Photography Residency", "Fotografska rezidenca v Solunu", &[Photography], &["GR"], "Thessaloniki", None, NONE, NONE, Any, None, &[Accommodation], 0),
    // Eastern Partnership and Ukraine
    call(22, Residency, "Tbilisi Contemporary Residency", "Rezidenca sodobne umetnosti v Tbilisiju", &[VisualArts, Curating], &["GE"], "Tbilisi", Some(36), NONE, NONE, Any, Some((0, 2000, "USD")), &[Accommodation, Travel, Visa], 0),
    call(22, Commission, "Public Art Commission: Old Town Walls", "Naročilo javne umetnosti: obzidje starega mesta", &[VisualArts, Architecture], &["GE"], "Tbilisi", Some(16), NONE, NONE, Established, Some((15000, 15000, "USD")), &[Fee, Production], 0),
    call(23, ProjectGrant, "Culture Bridge Partnership Grants", "Partnerske podpore Culture Bridge", &[CrossDisciplinary, PerformingArts, VisualArts], &["UA", "PL", "DE"], "Kyiv", Some(23), &["UA"], &["UA"], Any, Some((5000, 30000, EUR)), &[Production, Fee, Travel, Insurance], 0),
    call(23, TravelGrant, "Mobility Grants for Ukrainian Artists", "Mobilnostne štipendije za ukrajinske umetnike", &[VisualArts, PerformingArts, Music, Literature, FilmAudiovisual], &["UA"], "Kyiv", None, &["UA"], NONE, Any, Some((0, 1500, EUR)), &[Travel, Visa, Insurance], 0),
    online(call(23, Networking, "Online Forum for Cultural Managers", "Spletni forum za kulturne menedžerje", &[Curating, CulturalHeritage], &["UA"], "Kyiv", Some(10), NONE, NONE, Any, None, &[], 0)),
    // Beyond Europe
    call(24, Residency, "Pacific Rim Artist Exchange", "Izmenjava umetnikov Pacifiškega obroča", &[VisualArts, DigitalArts], &["CA"], "Vancouver", Some(47), NONE, NONE, MidCareer, Some((3000, 8000, "CAD")), &[Travel, Accommodation, Fee], 0),
    call(24, Touring, "Canada Touring Partnerships", "Gostovalna partnerstva v Kanadi", &[Music, Theatre, Dance], &["CA"], "Vancouver", Some(-3), NONE, NONE, Established, Some((5000, 25000, "CAD")), &[Travel, Visa, PerDiem], 0),
    call(25, Residency, "Kyoto Crafts and Design Residency", "Rezidenca obrti in oblikovanja v Kjotu", &[Crafts, Design], &["JP"], "Kyoto", Some(60), NONE, NONE, MidCareer, Some((300000, 600000, "JPY")), &[Accommodation, Travel, Production], 0),
    call(25, RESEARCH_STAY, "Kansai Performing Arts Research Visit", "Raziskovalni obisk uprizoritvenih umetnosti Kansai", &[PerformingArts, ARTISTIC_RESEARCH], &["JP"], "Kyoto", Some(14), NONE, NONE, Any, Some((0, 250000, "JPY")), &[Travel, Accommodation], 0),
    call(26, Residency, "Atlas Mountains Writing Residency", "Pisateljska rezidenca v gorovju Atlas", &[Literature, Translation], &["MA"], "Marrakesh", Some(32), NONE, NONE, Any, None, &[Accommodation, PerDiem], 0),
    call(26, Presenting, "Marrakesh Sound Gathering", "Zvočno srečanje v Marakešu", &[Music, DigitalArts], &["MA"], "Marrakesh", Some(-10), NONE, NONE, Any, Some((0, 1500, EUR)), &[Travel, Accommodation, Fee], 0),
    call(27, Residency, "Oaxaca Music and Community Residency", "Rezidenca glasbe in skupnosti v Oaxaci", &[Music, CulturalHeritage], &["MX"], "Oaxaca", Some(50), NONE, NONE, Any, Some((0, 40000, "MXN")), &[Accommodation, PerDiem], 0),
    up_to_age(35, call(27, Competition, "Young Composers Competition", "Natečaj za mlade skladatelje", &[Music], &["MX"], "Oaxaca", Some(25), NONE, NONE, Emerging, Some((50000, 100000, "MXN")), &[Travel], 0)),
    // Multi-country and European programmes
    call(16, Networking, "Creative Europe Partner Search Days", "Dnevi iskanja partnerjev Ustvarjalne Evrope", &[CrossDisciplinary], &["BE"], "Ghent", Some(4), &["creative_europe"], &["creative_europe"], Any, None, &[Travel, Accommodation], 0),
    online(call(0, Training, "Mobility Info Webinars", "Spletni seminarji o mobilnosti", &[CrossDisciplinary], &["SI"], "Ljubljana", None, NONE, NONE, Any, None, &[], 0)),
    call(0, ProjectGrant, "Green Touring Top-up", "Dodatek za zeleno gostovanje", &[Music, PerformingArts, Theatre, Dance], &["SI"], "Ljubljana", Some(48), NONE, &["SI"], Any, Some((0, 2000, EUR)), &[GreenTravel, Travel], 0),
    call(4, Award, "Riverside Prize for Digital Art", "Nagrada ob reki za digitalno umetnost", &[DigitalArts], &["DE"], "Berlin", Some(38), &["eea"], &["eea"], Any, Some((7500, 7500, EUR)), &[Travel], 0),
    call(15, Job, "Curator of Design Collections", "Kurator oblikovalskih zbirk", &[Design, Curating, CulturalHeritage], &["NL"], "Rotterdam", Some(20), NONE, NONE, Established, Some((52000, 61000, EUR)), &[], 0),
    call(5, Touring, "Alpine Touring Circuit for Small Venues", "Alpski gostovalni krog za mala prizorišča", &[Music, Theatre], &["FR", "CH", "IT"], "Grenoble", Some(69), NONE, NONE, Any, Some((0, 6000, EUR)), &[Travel, Fee, PerDiem], 0),
    opens_in(5, call(9, Residency, "Prague Spring Poetry Residency", "Pesniška rezidenca Praška pomlad", &[Literature], &["CZ"], "Prague", Some(55), NONE, NONE, Emerging, None, &[Accommodation], 0)),
    call(12, Award, "Balkan Screen Lab Jury Award", "Nagrada žirije Balkan Screen Lab", &[FilmAudiovisual], &["RS"], "Novi Sad", Some(-70), &["western_balkans"], NONE, Any, Some((3000, 3000, EUR)), &[], 0),
    call(8, MarketDevelopment, "Showcase Delegation to Tallinn Music Days", "Delegacija na Talinske glasbene dneve", &[Music], &["EE"], "Tallinn", Some(34), &["eu"], NONE, MidCareer, Some((0, 1200, EUR)), &[Travel, Accommodation], 0),
    call(3, GoAndSee, "Arctic Festivals Go-and-See", "Ogledni obisk arktičnih festivalov", &[Music, PerformingArts], &["NO"], "Tromsø", Some(27), NONE, NONE, Any, Some((0, 9000, "NOK")), &[Travel, Accommodation], 0),
    call(19, Job, "Rural Residency Host (Seasonal)", "Gostitelj podeželske rezidence (sezonsko)", &[CrossDisciplinary], &["ES"], "Valladolid", Some(6), NONE, &["eu"], Any, Some((1500, 1800, EUR)), &[Accommodation], 0),
];
