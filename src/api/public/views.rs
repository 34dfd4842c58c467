//! The JSON shapes of opportunities and organizations, built from domain values.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::geography::Area;
use crate::domain::opportunity::{Lang, Opportunity, Organization, Texts};
use crate::domain::search::{Field, MARK_END, MARK_START, Snippet};
use crate::domain::status::Status;
use crate::domain::vocabulary::{
    CareerStage, CoveredCost, Discipline, OpportunityType, OrganizationKind,
};

/// A text in English and Slovenian; at least one is present. Both members are always
/// there (null when missing), which tells this shape apart from a `ServedText`.
#[derive(Serialize, ToSchema)]
pub struct LocalizedText {
    /// The English text; null when missing.
    #[schema(required = true)]
    pub en: Option<String>,
    /// The Slovenian text; null when missing.
    #[schema(required = true)]
    pub sl: Option<String>,
}

/// A text field: in both languages (`{"en": …, "sl": …}`) when no language was asked
/// for, or in the language asked for (`{"text": …, "language": …, "fallback": …}`) with
/// `lang` or `Accept-Language`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum TextField {
    Both(LocalizedText),
    One(ServedText),
}

/// A text in the language asked for, or in the other one when it has no translation.
#[derive(Serialize, ToSchema)]
pub struct ServedText {
    /// Null when the entry has this text in neither language.
    #[schema(required = true, example = "Rezidenca za keramiko v Kastilji")]
    pub text: Option<String>,
    /// The language `text` is in.
    #[schema(required = true)]
    pub language: Option<Lang>,
    /// True when `text` is in the other language because the entry lacks a translation
    /// into the one asked for.
    pub fallback: bool,
}

fn text_field(t: &Texts, lang: Option<Lang>) -> TextField {
    let Some(lang) = lang else {
        return TextField::Both(LocalizedText {
            en: t.en.clone(),
            sl: t.sl.clone(),
        });
    };
    let served = |l: Lang, fallback: bool| {
        t.get(l).map(|text| ServedText {
            text: Some(text.clone()),
            language: Some(l),
            fallback,
        })
    };
    TextField::One(
        served(lang, false)
            .or_else(|| served(lang.other(), true))
            .unwrap_or(ServedText {
                text: None,
                language: None,
                fallback: false,
            }),
    )
}

/// With `lang` or `Accept-Language` only: the names, in that language, of the
/// vocabulary slugs and codes the entry uses.
#[derive(Serialize, ToSchema)]
pub struct Names {
    /// The name of `type`.
    #[serde(rename = "type")]
    #[schema(example = "Rezidenca")]
    pub kind: String,
    /// The name of `status`.
    #[schema(example = "Odprto")]
    pub status: String,
    /// The name of each of `disciplines`, by slug.
    #[schema(example = json!({"dance": "Ples"}))]
    pub disciplines: BTreeMap<String, String>,
    /// The name of each country and region the destination and eligibility name, by code.
    #[schema(example = json!({"SI": "Slovenija", "eu": "Evropska unija"}))]
    pub countries: BTreeMap<String, String>,
    /// The name of each of `covered_costs`, by slug.
    #[schema(example = json!({"travel": "Potni stroški"}))]
    pub covered_costs: BTreeMap<String, String>,
    /// The name of `eligibility.career_stage`.
    #[schema(example = "Katera koli stopnja")]
    pub career_stage: String,
}

/// A vocabulary name in `lang`.
pub fn name_in(lang: Lang, en: &'static str, sl: &'static str) -> String {
    lang.pick(en, sl).to_owned()
}

fn names(o: &Opportunity, status: Status, lang: Lang) -> Names {
    let mut countries = BTreeMap::new();
    for c in &o.destination.countries {
        countries.insert(c.code().to_owned(), name_in(lang, c.name_en(), c.name_sl()));
    }
    for area in o
        .eligibility
        .nationalities
        .iter()
        .chain(&o.eligibility.residences)
    {
        let (en, sl) = match area {
            Area::Country(c) => (c.name_en(), c.name_sl()),
            Area::Region(r) => (r.name_en(), r.name_sl()),
        };
        countries.insert(area.code().to_owned(), name_in(lang, en, sl));
    }
    Names {
        kind: name_in(lang, o.kind.name_en(), o.kind.name_sl()),
        status: name_in(lang, status.name_en(), status.name_sl()),
        disciplines: o
            .disciplines
            .iter()
            .map(|d| (d.slug().to_owned(), name_in(lang, d.name_en(), d.name_sl())))
            .collect(),
        countries,
        covered_costs: o
            .covered_costs
            .iter()
            .map(|c| (c.slug().to_owned(), name_in(lang, c.name_en(), c.name_sl())))
            .collect(),
        career_stage: name_in(
            lang,
            o.eligibility.career_stage.name_en(),
            o.eligibility.career_stage.name_sl(),
        ),
    }
}

/// The organization behind an opportunity, in brief.
#[derive(Serialize, ToSchema)]
pub struct OrganizationRef {
    /// The organization's id.
    pub id: Uuid,
    /// Its readable id, used in its URL.
    pub slug: String,
    /// Its name.
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct DestinationView {
    /// ISO 3166-1 alpha-2 codes of the countries where the activity takes place.
    #[schema(example = json!(["SI", "AT"]))]
    pub countries: Vec<String>,
    /// The city, if the activity happens in one place.
    pub city: Option<String>,
    /// The activity happens (also) online or remotely.
    pub online: bool,
}

/// Who may apply. An applicant qualifies by nationality **or** by residence;
/// when both lists are empty the call is open to everyone.
#[derive(Serialize, ToSchema)]
pub struct EligibilityView {
    /// Country codes (`SI`) or region slugs (`eu`, `eea`, `creative_europe`, `western_balkans`).
    #[schema(example = json!(["western_balkans", "SI"]))]
    pub nationalities: Vec<String>,
    /// Country codes or region slugs, as for `nationalities`.
    pub residences: Vec<String>,
    /// The career stage the call is for; `any` when it is open to all.
    pub career_stage: CareerStage,
    /// The youngest age an applicant may have, if limited.
    pub age_min: Option<i32>,
    /// The oldest age an applicant may have, if limited.
    pub age_max: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct ActivityView {
    /// The first day of the activity, if fixed.
    pub starts_on: Option<NaiveDate>,
    /// The last day of the activity, if fixed.
    pub ends_on: Option<NaiveDate>,
    /// The shortest stay or activity, in days.
    pub duration_min_days: Option<i32>,
    /// The longest stay or activity, in days.
    pub duration_max_days: Option<i32>,
}

/// A funding range in whole units of an ISO 4217 currency.
#[derive(Serialize, ToSchema)]
pub struct FundingView {
    /// The smallest amount offered, in whole units; null when not stated.
    pub min: Option<i64>,
    /// The largest amount offered, in whole units; null when not stated.
    pub max: Option<i64>,
    /// ISO 4217 code of the amounts.
    #[schema(example = "EUR")]
    pub currency: String,
}

/// What applying costs, in whole units; 0 means free to apply.
#[derive(Serialize, ToSchema)]
pub struct ApplicationFeeView {
    /// The fee in whole units of `currency`; 0 when applying is free.
    pub amount: i64,
    /// ISO 4217 code of the fee; null when it is free.
    pub currency: Option<String>,
}

/// An open call, residency or mobility grant.
#[derive(Serialize, ToSchema)]
pub struct OpportunityView {
    /// The entry's id; it never changes.
    pub id: Uuid,
    /// The entry's readable id, used in its URL.
    pub slug: String,
    /// What kind of opportunity this is.
    #[serde(rename = "type")]
    pub kind: OpportunityType,
    /// Computed from the clock at the moment of the request.
    pub status: Status,
    /// The call's title.
    pub title: TextField,
    /// A sentence or two about the call.
    pub summary: TextField,
    /// The full description.
    pub description: TextField,
    /// Who offers it.
    pub organization: OrganizationRef,
    /// The disciplines the call is open to.
    pub disciplines: Vec<Discipline>,
    /// Where the activity takes place.
    pub destination: DestinationView,
    /// Who may apply.
    pub eligibility: EligibilityView,
    /// When applications open; null when they are open already.
    pub opens_at: Option<DateTime<Utc>>,
    /// The last instant to apply, in UTC; absent for rolling calls without an end.
    pub deadline: Option<DateTime<Utc>>,
    /// The IANA time zone the deadline was announced in.
    #[schema(example = "Europe/Ljubljana")]
    pub deadline_timezone: Option<String>,
    /// The deadline as announced: local time with its UTC offset.
    #[schema(example = "2027-01-31T23:59:00+01:00")]
    pub deadline_local: Option<String>,
    /// Applications are read as they come in.
    pub rolling: bool,
    /// When and for how long the activity runs.
    pub activity: ActivityView,
    /// The money offered; null when the call offers none or does not say.
    pub funding: Option<FundingView>,
    /// The costs the call covers.
    pub covered_costs: Vec<CoveredCost>,
    /// What applying costs.
    pub application_fee: ApplicationFeeView,
    /// Applying costs nothing.
    pub free_to_apply: bool,
    /// Where to apply.
    pub application_url: Option<String>,
    /// Where the call was published first.
    pub source_url: Option<String>,
    /// Whom to ask about the call.
    pub contact_email: Option<String>,
    /// ISO 639-1 codes of the languages applications are accepted in.
    #[schema(example = json!(["en", "sl"]))]
    pub languages: Vec<String>,
    /// When the entry was created.
    pub created_at: DateTime<Utc>,
    /// When the entry last changed.
    pub updated_at: DateTime<Utc>,
    /// When the entry was first published.
    pub published_at: Option<DateTime<Utc>>,
    /// With `lang` or `Accept-Language` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<Names>,
    /// In the detail response only: changes to the deadline, opening, funding, fee and
    /// eligibility made after publication, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<PublicChange>>,
}

/// An opportunity as a list shows it: everything but the description, the activity
/// dates, the application details and the change history, which the detail
/// (`GET /api/v1/opportunities/{id_or_slug}`) carries.
#[derive(Serialize, ToSchema)]
pub struct OpportunitySummary {
    /// The entry's id; it never changes.
    pub id: Uuid,
    /// The entry's readable id, used in its URL.
    pub slug: String,
    /// What kind of opportunity this is.
    #[serde(rename = "type")]
    pub kind: OpportunityType,
    /// Computed from the clock at the moment of the request.
    pub status: Status,
    /// The call's title.
    pub title: TextField,
    /// A sentence or two about the call.
    pub summary: TextField,
    /// Who offers it.
    pub organization: OrganizationRef,
    /// The disciplines the call is open to.
    pub disciplines: Vec<Discipline>,
    /// Where the activity takes place.
    pub destination: DestinationView,
    /// Who may apply.
    pub eligibility: EligibilityView,
    /// When applications open; null when they are open already.
    pub opens_at: Option<DateTime<Utc>>,
    /// The last instant to apply, in UTC; absent for rolling calls without an end.
    pub deadline: Option<DateTime<Utc>>,
    /// The IANA time zone the deadline was announced in.
    #[schema(example = "Europe/Ljubljana")]
    pub deadline_timezone: Option<String>,
    /// The deadline as announced: local time with its UTC offset.
    #[schema(example = "2027-01-31T23:59:00+01:00")]
    pub deadline_local: Option<String>,
    /// Applications are read as they come in.
    pub rolling: bool,
    /// The money offered; null when the call offers none or does not say.
    pub funding: Option<FundingView>,
    /// The costs the call covers.
    pub covered_costs: Vec<CoveredCost>,
    /// Applying costs nothing.
    pub free_to_apply: bool,
    /// Where to apply, so that a list can link there.
    pub application_url: Option<String>,
    /// When the entry last changed.
    pub updated_at: DateTime<Utc>,
    /// When the entry was first published.
    pub published_at: Option<DateTime<Utc>>,
    /// With `lang` or `Accept-Language` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<Names>,
    /// With `q` only: a short passage around the words the search matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<SnippetView>,
}

/// Where a search matched an entry, quoted.
#[derive(Serialize, ToSchema)]
pub struct SnippetView {
    /// An HTML fragment of at most about 24 words: the text is escaped (`&amp;`, `&lt;`,
    /// `&gt;`, `&quot;`), each matched word is wrapped in `<mark>` … `</mark>`, and `…`
    /// marks text left out. Safe to insert into a page as it is.
    #[schema(example = "Rezidenca za <mark>keramiko</mark> v Kastilji")]
    pub html: String,
    /// The language of the passage; null when it is the organizer's name.
    pub language: Option<Lang>,
    /// The field the passage comes from.
    pub field: SnippetField,
}

/// A field a search looks in.
#[derive(Serialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum SnippetField {
    Title,
    Summary,
    Description,
    Organizer,
}

impl From<Snippet> for SnippetView {
    fn from(s: Snippet) -> Self {
        let mut html = String::with_capacity(s.text.len() + 32);
        for c in s.text.chars() {
            match c {
                '&' => html.push_str("&amp;"),
                '<' => html.push_str("&lt;"),
                '>' => html.push_str("&gt;"),
                '"' => html.push_str("&quot;"),
                MARK_START => html.push_str("<mark>"),
                MARK_END => html.push_str("</mark>"),
                c => html.push(c),
            }
        }
        SnippetView {
            html,
            language: s.language,
            field: match s.field {
                Field::Title => SnippetField::Title,
                Field::Summary => SnippetField::Summary,
                Field::Description => SnippetField::Description,
                Field::Organizer => SnippetField::Organizer,
            },
        }
    }
}

impl From<OpportunityView> for OpportunitySummary {
    fn from(v: OpportunityView) -> Self {
        OpportunitySummary {
            id: v.id,
            slug: v.slug,
            kind: v.kind,
            status: v.status,
            title: v.title,
            summary: v.summary,
            organization: v.organization,
            disciplines: v.disciplines,
            destination: v.destination,
            eligibility: v.eligibility,
            opens_at: v.opens_at,
            deadline: v.deadline,
            deadline_timezone: v.deadline_timezone,
            deadline_local: v.deadline_local,
            rolling: v.rolling,
            funding: v.funding,
            covered_costs: v.covered_costs,
            free_to_apply: v.free_to_apply,
            application_url: v.application_url,
            updated_at: v.updated_at,
            published_at: v.published_at,
            names: v.names,
            snippet: None,
        }
    }
}

/// A change made to a published entry.
#[derive(Serialize, ToSchema)]
pub struct PublicChange {
    /// The member that changed: `deadline`, `opens_at`, `funding`, `application_fee` or `eligibility`.
    #[schema(example = "deadline")]
    pub field: String,
    /// The value before, as text; null when it was empty.
    pub from: Option<String>,
    /// The value after, as text; null when it was cleared.
    pub to: Option<String>,
    /// When the change was made.
    pub changed_at: DateTime<Utc>,
}

impl OpportunityView {
    pub fn new(
        o: &Opportunity,
        organization: &Organization,
        now: DateTime<Utc>,
        lang: Option<Lang>,
    ) -> Self {
        let status = o.status_at(now);
        OpportunityView {
            id: o.id,
            slug: o.slug.clone(),
            kind: o.kind,
            status,
            title: text_field(&o.title, lang),
            summary: text_field(&o.summary, lang),
            description: text_field(&o.description, lang),
            organization: OrganizationRef {
                id: organization.id,
                slug: organization.slug.clone(),
                name: organization.name.clone(),
            },
            disciplines: o.disciplines.clone(),
            destination: DestinationView {
                countries: o
                    .destination
                    .countries
                    .iter()
                    .map(|c| c.code().to_owned())
                    .collect(),
                city: o.destination.city.clone(),
                online: o.destination.online,
            },
            eligibility: EligibilityView {
                nationalities: o
                    .eligibility
                    .nationalities
                    .iter()
                    .map(|a| a.code().to_owned())
                    .collect(),
                residences: o
                    .eligibility
                    .residences
                    .iter()
                    .map(|a| a.code().to_owned())
                    .collect(),
                career_stage: o.eligibility.career_stage,
                age_min: o.eligibility.age_min,
                age_max: o.eligibility.age_max,
            },
            opens_at: o.opens_at,
            deadline: o.deadline.map(|d| d.at),
            deadline_timezone: o.deadline.map(|d| d.timezone.name().to_owned()),
            deadline_local: o.deadline.map(|d| d.local().to_rfc3339()),
            rolling: o.rolling,
            activity: ActivityView {
                starts_on: o.activity.starts_on,
                ends_on: o.activity.ends_on,
                duration_min_days: o.activity.duration_min_days,
                duration_max_days: o.activity.duration_max_days,
            },
            funding: o.funding.map(|f| FundingView {
                min: f.min,
                max: f.max,
                currency: f.currency.code().to_owned(),
            }),
            covered_costs: o.covered_costs.clone(),
            application_fee: ApplicationFeeView {
                amount: o.application_fee.amount,
                currency: o.application_fee.currency.map(|c| c.code().to_owned()),
            },
            free_to_apply: o.application_fee.amount == 0,
            application_url: o.application_url.clone(),
            source_url: o.source_url.clone(),
            contact_email: o.contact_email.clone(),
            languages: o.languages.iter().map(|l| l.code().to_owned()).collect(),
            created_at: o.created_at,
            updated_at: o.updated_at,
            published_at: o.published_at,
            names: lang.map(|l| names(o, status, l)),
            changes: None,
        }
    }
}

/// An organization that offers opportunities.
#[derive(Serialize, ToSchema)]
pub struct OrganizationView {
    /// The organization's id; it never changes.
    pub id: Uuid,
    /// Its readable id, used in its URL.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// What kind of organization it is.
    pub kind: OrganizationKind,
    /// ISO 3166-1 alpha-2 code.
    #[schema(example = "SI")]
    pub country: String,
    /// The city it is based in.
    pub city: Option<String>,
    /// Its website.
    pub website: Option<String>,
    /// When it was added to the directory.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Organization> for OrganizationView {
    fn from(o: &Organization) -> Self {
        OrganizationView {
            id: o.id,
            slug: o.slug.clone(),
            name: o.name.clone(),
            kind: o.kind,
            country: o.country.code().to_owned(),
            city: o.city.clone(),
            website: o.website.clone(),
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}
