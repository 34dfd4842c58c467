//! The demo entries' summaries and descriptions, in English and in Slovenian. Each type
//! of call gets its own wording: what is offered, who may apply, what is covered and how
//! to apply, as real calls say it. The Slovenian texts are written as Slovenian, with
//! Slovenian place names (Dunaj, Lizbona, Praga, Kijev).

use crate::domain::geography::{Area, Country};
use crate::domain::vocabulary::{CareerStage, CoveredCost, Discipline, OpportunityType};

/// What the texts of one entry are made from.
pub struct Facts<'a> {
    pub index: usize,
    pub kind: OpportunityType,
    pub organizer: &'a str,
    pub disciplines: &'a [Discipline],
    pub countries: &'a [Country],
    /// The city, when the activity takes place in one.
    pub city: Option<&'a str>,
    pub online: bool,
    pub nationalities: &'a [Area],
    pub residences: &'a [Area],
    pub stage: CareerStage,
    pub max_age: Option<i32>,
    /// (minimum, maximum, currency)
    pub funding: Option<(i64, i64, &'a str)>,
    pub covers: &'a [CoveredCost],
    pub fee: i64,
    /// Days of the stay or activity, when it has a length.
    pub days: Option<i64>,
    pub rolling: bool,
}

/// English and Slovenian, in that order.
pub struct Pair {
    pub en: String,
    pub sl: String,
}

/// A city's Slovenian name and the phrase for "in" it.
fn city_sl(city: &str) -> (&str, String) {
    const NAMES: &[(&str, &str, &str)] = &[
        ("Vienna", "Dunaj", "na Dunaju"),
        ("Lisbon", "Lizbona", "v Lizboni"),
        ("Prague", "Praga", "v Pragi"),
        ("Kyiv", "Kijev", "v Kijevu"),
        ("Berlin", "Berlin", "v Berlinu"),
        ("Ljubljana", "Ljubljana", "v Ljubljani"),
        ("Maribor", "Maribor", "v Mariboru"),
        ("Sežana", "Sežana", "v Sežani"),
        ("Tromsø", "Tromsø", "v Tromsøju"),
        ("Tallinn", "Talin", "v Talinu"),
        ("Rotterdam", "Rotterdam", "v Rotterdamu"),
        ("Novi Sad", "Novi Sad", "v Novem Sadu"),
        ("Grenoble", "Grenoble", "v Grenoblu"),
        ("Ghent", "Gent", "v Gentu"),
        ("Valladolid", "Valladolid", "v Valladolidu"),
        ("Thessaloniki", "Solun", "v Solunu"),
        ("Split", "Split", "v Splitu"),
        ("Lecce", "Lecce", "v Lecceju"),
        ("Helsinki", "Helsinki", "v Helsinkih"),
        ("Vancouver", "Vancouver", "v Vancouvru"),
        ("Tirana", "Tirana", "v Tirani"),
        ("Tbilisi", "Tbilisi", "v Tbilisiju"),
        ("Ohrid", "Ohrid", "v Ohridu"),
        ("Marrakesh", "Marakeš", "v Marakešu"),
        ("Kyoto", "Kjoto", "v Kjotu"),
        ("Kraków", "Krakov", "v Krakovu"),
        ("Dublin", "Dublin", "v Dublinu"),
        ("Oaxaca", "Oaxaca", "v Oaxaci"),
    ];
    NAMES
        .iter()
        .find(|(en, _, _)| *en == city)
        .map(|(_, name, locative)| (*name, (*locative).to_owned()))
        .unwrap_or((city, format!("v kraju {city}")))
}

/// Joins names as prose: "a, b and c" / "a, b in c".
fn listed(names: &[String], and: &str) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {and} {last}", rest.join(", ")),
    }
}

fn amount(n: i64) -> (String, String) {
    let digits = n.to_string();
    let mut groups = Vec::new();
    let mut end = digits.len();
    while end > 3 {
        groups.push(&digits[end - 3..end]);
        end -= 3;
    }
    groups.push(&digits[..end]);
    groups.reverse();
    (groups.join(","), groups.join("."))
}

impl Facts<'_> {
    fn disciplines(&self) -> Pair {
        let en: Vec<String> = self
            .disciplines
            .iter()
            .map(|d| d.name_en().to_lowercase())
            .collect();
        let sl: Vec<String> = self
            .disciplines
            .iter()
            .map(|d| d.name_sl().to_lowercase())
            .collect();
        Pair {
            en: listed(&en, "and"),
            sl: listed(&sl, "in"),
        }
    }

    /// Where: "in Vienna" / "na Dunaju", or the countries when there is no one city.
    fn place(&self) -> Pair {
        if self.online {
            return Pair {
                en: "online".into(),
                sl: "na spletu".into(),
            };
        }
        match self.city {
            Some(city) => Pair {
                en: format!("in {city}"),
                sl: city_sl(city).1,
            },
            None => {
                let en: Vec<String> = self
                    .countries
                    .iter()
                    .map(|c| c.name_en().to_owned())
                    .collect();
                let sl: Vec<String> = self
                    .countries
                    .iter()
                    .map(|c| c.name_sl().to_owned())
                    .collect();
                Pair {
                    en: format!("in {}", listed(&en, "or")),
                    sl: format!("({})", listed(&sl, "ali")),
                }
            }
        }
    }

    fn money(&self) -> Option<Pair> {
        let (min, max, currency) = self.funding?;
        let (max_en, max_sl) = amount(max);
        Some(if min > 0 && min < max {
            let (min_en, min_sl) = amount(min);
            Pair {
                en: format!("between {min_en} and {max_en} {currency}"),
                sl: format!("od {min_sl} do {max_sl} {currency}"),
            }
        } else if min == max {
            Pair {
                en: format!("{max_en} {currency}"),
                sl: format!("{max_sl} {currency}"),
            }
        } else {
            Pair {
                en: format!("up to {max_en} {currency}"),
                sl: format!("do {max_sl} {currency}"),
            }
        })
    }

    fn covered(&self) -> Option<Pair> {
        if self.covers.is_empty() {
            return None;
        }
        let en: Vec<String> = self
            .covers
            .iter()
            .map(|c| c.name_en().to_lowercase())
            .collect();
        let sl: Vec<String> = self
            .covers
            .iter()
            .map(|c| c.name_sl().to_lowercase())
            .collect();
        Some(Pair {
            en: format!("The call covers {}.", listed(&en, "and")),
            sl: format!("Kritje: {}.", listed(&sl, "in")),
        })
    }

    fn who(&self) -> Pair {
        let area_en = |areas: &[Area]| {
            let names: Vec<String> = areas.iter().map(|a| area_name(*a).0).collect();
            listed(&names, "or")
        };
        let area_sl = |areas: &[Area]| {
            let names: Vec<String> = areas.iter().map(|a| area_name(*a).1).collect();
            listed(&names, "ali")
        };
        let mut en = Vec::new();
        let mut sl = Vec::new();
        match (self.nationalities.is_empty(), self.residences.is_empty()) {
            (true, true) => {
                en.push("Artists of any nationality may apply.".to_owned());
                sl.push("Prijavijo se lahko ustvarjalci katerega koli državljanstva.".to_owned());
            }
            (false, true) => {
                en.push(format!(
                    "Open to nationals of {}.",
                    area_en(self.nationalities)
                ));
                sl.push(format!(
                    "Prijavijo se lahko državljani teh držav: {}.",
                    area_sl(self.nationalities)
                ));
            }
            (true, false) => {
                en.push(format!(
                    "Open to artists based in {}.",
                    area_en(self.residences)
                ));
                sl.push(format!(
                    "Prijavijo se lahko ustvarjalci s prebivališčem v teh državah: {}.",
                    area_sl(self.residences)
                ));
            }
            (false, false) => {
                en.push(format!(
                    "Open to nationals of {}, or to artists based in {}.",
                    area_en(self.nationalities),
                    area_en(self.residences)
                ));
                sl.push(format!(
                    "Prijavijo se lahko državljani ({}) ali ustvarjalci s prebivališčem ({}).",
                    area_sl(self.nationalities),
                    area_sl(self.residences)
                ));
            }
        }
        match self.stage {
            CareerStage::Emerging => {
                en.push("It is meant for artists at the start of their career.".into());
                sl.push("Namenjen je ustvarjalcem na začetku poklicne poti.".into());
            }
            CareerStage::MidCareer => {
                en.push("It is meant for mid-career professionals with a body of work.".into());
                sl.push(
                    "Namenjen je ustvarjalcem v srednjem obdobju kariere z opaznim opusom.".into(),
                );
            }
            CareerStage::Established => {
                en.push("Applicants should have an established professional practice.".into());
                sl.push("Prijavitelji naj imajo uveljavljeno poklicno prakso.".into());
            }
            CareerStage::Any => {}
        }
        if let Some(age) = self.max_age {
            en.push(format!("Applicants must be {age} or younger."));
            sl.push(format!("Prijavitelji ne smejo biti starejši od {age} let."));
        }
        Pair {
            en: en.join(" "),
            sl: sl.join(" "),
        }
    }

    fn how(&self) -> Pair {
        let fee = (self.fee > 0).then(|| {
            let currency = self.funding.map_or("EUR", |f| f.2);
            Pair {
                en: format!(" An application fee of {} {currency} applies.", self.fee),
                sl: format!(" Prijavnina znaša {} {currency}.", self.fee),
            }
        });
        let (fee_en, fee_sl) = fee.map_or((String::new(), String::new()), |f| (f.en, f.sl));
        let variant = self.index % 3;
        if self.rolling {
            return Pair {
                en: format!(
                    "Applications are read as they arrive; send them through the online form on {}'s website.{fee_en}",
                    self.organizer
                ),
                sl: format!(
                    "Prijave obravnavamo sproti; oddate jih prek spletnega obrazca na strani organizatorja {}.{fee_sl}",
                    self.organizer
                ),
            };
        }
        let (en, sl) = match variant {
            0 => (
                "Apply through the online form with a portfolio, a short CV and a one-page motivation letter.",
                "Prijavo oddajte prek spletnega obrazca; priložite portfelj, kratek življenjepis in motivacijsko pismo na eni strani.",
            ),
            1 => (
                "Send a project outline (up to 500 words), work samples and a budget through the application form.",
                "Prek prijavnega obrazca pošljite opis projekta (do 500 besed), primere del in finančni načrt.",
            ),
            _ => (
                "Apply on the organizer's website; an independent jury reviews the applications and answers every applicant within six weeks of the deadline.",
                "Prijavite se na spletni strani organizatorja; prijave pregleda neodvisna žirija, ki vsakemu prijavitelju odgovori v šestih tednih po izteku roka.",
            ),
        };
        Pair {
            en: format!("{en}{fee_en}"),
            sl: format!("{sl}{fee_sl}"),
        }
    }

    /// What the call is, in the words its type calls for.
    fn offer(&self) -> Pair {
        use OpportunityType as T;
        let field = self.disciplines();
        let place = self.place();
        let money = self.money();
        let (money_en, money_sl) = money.map_or((String::new(), String::new()), |m| (m.en, m.sl));
        let days = self.days.unwrap_or(0);
        let (en, sl) = match self.kind {
            T::Residency => (
                format!(
                    "A residency of {days} days {} for artists working in {}. Residents get a private room with a studio and time to develop new work; at the end they share it in an open studio.",
                    place.en, field.en
                ),
                format!(
                    "{}-dnevno rezidenčno bivanje {} za ustvarjalce s področij: {}. Rezidenti dobijo sobo z ateljejem in čas za razvoj novega dela, ki ga ob koncu predstavijo v odprtem ateljeju.",
                    days, place.sl, field.sl
                ),
            ),
            T::Fellowship => (
                format!(
                    "A fellowship of {days} days {} for {}, with a monthly stipend and a mentor from the host institution.",
                    place.en, field.en
                ),
                format!(
                    "Štipendija za {days} dni bivanja {} za področja: {}. Štipendist prejme mesečno štipendijo in mentorja iz gostiteljske ustanove.",
                    place.sl, field.sl
                ),
            ),
            T::ProjectGrant => (
                format!(
                    "Project grants for {} carried out {}, for new work, co-productions and international partnerships.",
                    field.en, place.en
                ),
                format!(
                    "Projektna sredstva za področja: {}. Podprti so novi projekti, koprodukcije in mednarodna partnerstva, izvedeni {}.",
                    field.sl, place.sl
                ),
            ),
            T::TravelGrant => (
                format!(
                    "Travel grants for artists and cultural workers in {} who are invited abroad: a trip of up to {days} days {} to perform, exhibit or meet partners.",
                    field.en, place.en
                ),
                format!(
                    "Potne štipendije za ustvarjalce in kulturne delavce s področij: {}, ki so povabljeni v tujino: pot do {days} dni {} za nastop, razstavo ali srečanje s partnerji.",
                    field.sl, place.sl
                ),
            ),
            T::Commission => (
                format!(
                    "A commission for a new work in {}, created over {days} days {} and premiered by the organizer.",
                    field.en, place.en
                ),
                format!(
                    "Naročilo novega dela s področij: {}. Delo nastaja {days} dni {}, krstno izvedbo pa pripravi organizator.",
                    field.sl, place.sl
                ),
            ),
            T::Presenting => (
                format!(
                    "An open call to present work at a festival {}: {} selected for the programme, with technical support and promotion.",
                    place.en, field.en
                ),
                format!(
                    "Odprti poziv za predstavitev na festivalu {}; izbrana dela s področij {} dobijo mesto v programu, tehnično podporo in promocijo.",
                    place.sl, field.sl
                ),
            ),
            T::Competition => (
                format!(
                    "A competition for {}: entries are judged anonymously and the winning proposal is realised {}.",
                    field.en, place.en
                ),
                format!(
                    "Natečaj za področja: {}. Žirija predloge ocenjuje anonimno, zmagovalni predlog pa bo uresničen {}.",
                    field.sl, place.sl
                ),
            ),
            T::Award => (
                format!(
                    "An award for outstanding work in {}, presented at a ceremony {}. Nominations and self-nominations are both accepted.",
                    field.en, place.en
                ),
                format!(
                    "Nagrada za izjemno delo s področij: {}, podeljena na slovesnosti {}. Sprejemamo predloge in samopredloge.",
                    field.sl, place.sl
                ),
            ),
            T::Training => (
                format!(
                    "A {days}-day course {} for {}: workshops, masterclasses and one-to-one feedback from working professionals.",
                    place.en, field.en
                ),
                format!(
                    "{days}-dnevno usposabljanje {} za področja: {}. Program sestavljajo delavnice, mojstrski tečaji in individualne konzultacije s praktiki.",
                    place.sl, field.sl
                ),
            ),
            T::Networking => (
                format!(
                    "A {days}-day meeting {} for professionals in {}: partner search, pitching sessions and visits to local venues.",
                    place.en, field.en
                ),
                format!(
                    "{days}-dnevno srečanje {} za strokovnjake s področij: {}. Na programu so iskanje partnerjev, predstavitve projektov in obiski prizorišč.",
                    place.sl, field.sl
                ),
            ),
            T::GoAndSee => (
                format!(
                    "A go-and-see visit of {days} days {} for programmers and artists in {} who want to see work and meet hosts before planning a project.",
                    place.en, field.en
                ),
                format!(
                    "Ogledni obisk, dolg {days} dni, {} za programske vodje in ustvarjalce s področij: {}, ki si želijo ogledati dela in spoznati gostitelje, preden načrtujejo projekt.",
                    place.sl, field.sl
                ),
            ),
            T::MarketDevelopment => (
                format!(
                    "Support to take {} to new markets: a delegation of {days} days {} with meetings with agents, labels and presenters.",
                    field.en, place.en
                ),
                format!(
                    "Podpora za prodor na nove trge za področja: {}. Delegacija, dolga {days} dni, {} vključuje srečanja z agenti, založbami in organizatorji.",
                    field.sl, place.sl
                ),
            ),
            T::Touring => (
                format!(
                    "Touring support for {}: a tour of up to {days} days {}, with at least three performances or presentations.",
                    field.en, place.en
                ),
                format!(
                    "Podpora gostovanjem za področja: {}. Turneja traja do {days} dni {} in obsega vsaj tri nastope ali predstavitve.",
                    field.sl, place.sl
                ),
            ),
            T::Research => (
                format!(
                    "A research stay of {days} days {} for {}, with access to archives, collections and local experts.",
                    place.en, field.en
                ),
                format!(
                    "Raziskovalno bivanje, dolgo {days} dni, {} za področja: {}, z dostopom do arhivov, zbirk in lokalnih strokovnjakov.",
                    place.sl, field.sl
                ),
            ),
            T::Production => (
                format!(
                    "Production support for {}: money and {days} days of studio or stage time {} to finish a work in progress.",
                    field.en, place.en
                ),
                format!(
                    "Produkcijska podpora za področja: {}. Sredstva in {days} dni v studiu ali na odru {} za dokončanje dela v nastajanju.",
                    field.sl, place.sl
                ),
            ),
            T::Job => (
                format!(
                    "A paid position {} for a contract of {days} days, working with artists in {}.",
                    place.en, field.en
                ),
                format!(
                    "Plačano delovno mesto {} s pogodbo za {days} dni, pri delu z ustvarjalci s področij: {}.",
                    place.sl, field.sl
                ),
            ),
        };
        let (money_line_en, money_line_sl) = if money_en.is_empty() {
            (String::new(), String::new())
        } else {
            let (en_word, sl_word) = match self.kind {
                T::Award | T::Competition => ("The prize is", "Nagrada znaša"),
                T::Residency => (
                    "Residents receive a stipend of",
                    "Rezidenti prejmejo štipendijo v višini",
                ),
                T::Job => ("The salary is", "Plača znaša"),
                _ => ("Funding:", "Višina sredstev:"),
            };
            (
                format!(" {en_word} {money_en}."),
                format!(" {sl_word} {money_sl}."),
            )
        };
        Pair {
            en: format!("{en}{money_line_en}"),
            sl: format!("{sl}{money_line_sl}"),
        }
    }

    /// One sentence for lists.
    pub fn summary(&self) -> Pair {
        let place = self.place();
        let field = self.disciplines();
        Pair {
            en: format!(
                "{} {} for {}, offered by {}.",
                self.kind.name_en(),
                place.en,
                field.en,
                self.organizer
            ),
            sl: format!(
                "{} {} za področja: {}. Organizator: {}.",
                self.kind.name_sl(),
                place.sl,
                field.sl,
                self.organizer
            ),
        }
    }

    /// What a real call says: what is offered, who may apply, what is covered, how to apply.
    pub fn description(&self) -> Pair {
        let offer = self.offer();
        let who = self.who();
        let how = self.how();
        let (covered_en, covered_sl) = self.covered().map_or((String::new(), String::new()), |c| {
            (format!(" {}", c.en), format!(" {}", c.sl))
        });
        Pair {
            en: format!("{}{covered_en} {} {}", offer.en, who.en, how.en),
            sl: format!("{}{covered_sl} {} {}", offer.sl, who.sl, how.sl),
        }
    }
}

/// A country's or region's name in English and Slovenian.
fn area_name(area: Area) -> (String, String) {
    match area {
        Area::Country(c) => (c.name_en().to_owned(), c.name_sl().to_owned()),
        Area::Region(r) => (r.name_en().to_owned(), r.name_sl().to_owned()),
    }
}
