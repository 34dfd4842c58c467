//! The writable representation of an opportunity: reading it from JSON with every rule
//! checked and every failure named by JSON pointer, and writing it back for `PATCH`.
//!
//! The representation has no id, status, workflow state, version, timestamps or
//! authorship: a body cannot set them.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::domain::codes::{Currency, Language};
use crate::domain::deadline::{Deadline, parse_timezone};
use crate::domain::geography::{Area, Country};
use crate::domain::opportunity::{
    Activity, ApplicationFee, Destination, Eligibility, Funding, Opportunity, Texts,
};
use crate::domain::slug;
use crate::domain::vocabulary::{
    CareerStage, CoveredCost, Discipline, OpportunityType, WorkflowState,
};
use crate::error::{ApiError, FieldIssue};

use crate::api::http::body::{Fields, is_email, is_web_url};

pub const FIELDS: &[&str] = &[
    "slug",
    "type",
    "organization",
    "title",
    "summary",
    "description",
    "disciplines",
    "destination",
    "eligibility",
    "opens_at",
    "deadline",
    "deadline_timezone",
    "rolling",
    "activity",
    "funding",
    "covered_costs",
    "application_fee",
    "application_url",
    "source_url",
    "contact_email",
    "languages",
];

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 1_000;
pub const DESCRIPTION_MAX: usize = 20_000;
const AMOUNT_MAX: i64 = 1_000_000_000_000;

/// The writable representation of an opportunity, as `POST` and `PUT` take it and
/// `PATCH` merges into it. Only `type`, `organization`, a title and (unless `rolling`) a
/// deadline are required; publication needs more (see the publish operation).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the body for the OpenAPI document; it is read by `read`
#[serde(deny_unknown_fields)]
pub struct OpportunityInput {
    /// Lower-case words joined by hyphens; made from the title when absent.
    slug: Option<String>,
    /// What kind of opportunity this is.
    #[schema(rename = "type")]
    kind: OpportunityType,
    /// The organizer's id or slug.
    organization: String,
    /// The title, in English and Slovenian (at least one).
    title: TextsInput,
    /// A sentence or two, in English and Slovenian.
    summary: Option<TextsInput>,
    /// The full description, in English and Slovenian.
    description: Option<TextsInput>,
    /// The disciplines the call is open to.
    disciplines: Option<Vec<Discipline>>,
    /// Where the activity takes place.
    destination: Option<DestinationInput>,
    /// Who may apply.
    eligibility: Option<EligibilityInput>,
    /// When applications open (RFC 3339); absent when they are open already.
    opens_at: Option<DateTime<Utc>>,
    /// The last moment to apply (RFC 3339, any offset).
    deadline: Option<DateTime<Utc>>,
    /// The IANA zone the deadline is announced in, required with a deadline.
    #[schema(example = "Europe/Ljubljana")]
    deadline_timezone: Option<String>,
    /// Applications are read as they come in.
    rolling: Option<bool>,
    /// When and for how long the activity runs.
    activity: Option<ActivityInput>,
    /// The money offered, if any.
    funding: Option<FundingInput>,
    /// The costs the call covers.
    covered_costs: Option<Vec<CoveredCost>>,
    /// What applying costs.
    application_fee: Option<FeeInput>,
    /// Where to apply.
    #[schema(format = "uri", max_length = 1000)]
    application_url: Option<String>,
    /// Also the key for duplicate detection, once normalised.
    #[schema(format = "uri", max_length = 1000)]
    source_url: Option<String>,
    /// Whom to ask about the call.
    #[schema(format = Email)]
    contact_email: Option<String>,
    /// ISO 639-1 codes.
    languages: Option<Vec<String>>,
}

/// A JSON merge patch (RFC 7396) of the writable representation: members replace,
/// `null` removes, nested objects merge. The patched entry must pass every rule of `PUT`.
#[derive(utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the body for the OpenAPI document
pub struct OpportunityPatch {
    /// Lower-case words joined by hyphens.
    slug: Option<String>,
    /// What kind of opportunity this is.
    #[schema(rename = "type")]
    kind: Option<OpportunityType>,
    /// The organizer's id or slug.
    organization: Option<String>,
    /// The title; languages merge.
    title: Option<TextsInput>,
    /// A sentence or two; languages merge.
    summary: Option<TextsInput>,
    /// The full description; languages merge.
    description: Option<TextsInput>,
    /// The disciplines the call is open to (replaces the list).
    disciplines: Option<Vec<Discipline>>,
    /// Where the activity takes place; members merge.
    destination: Option<DestinationInput>,
    /// Who may apply; members merge.
    eligibility: Option<EligibilityInput>,
    /// When applications open (RFC 3339).
    opens_at: Option<DateTime<Utc>>,
    /// The last moment to apply (RFC 3339, any offset).
    deadline: Option<DateTime<Utc>>,
    /// The IANA zone the deadline is announced in.
    deadline_timezone: Option<String>,
    /// Applications are read as they come in.
    rolling: Option<bool>,
    /// When and for how long the activity runs; members merge.
    activity: Option<ActivityInput>,
    /// The money offered; `null` removes it.
    funding: Option<FundingInput>,
    /// The costs the call covers (replaces the list).
    covered_costs: Option<Vec<CoveredCost>>,
    /// What applying costs; members merge.
    application_fee: Option<FeeInput>,
    /// Where to apply.
    #[schema(format = "uri", max_length = 1000)]
    application_url: Option<String>,
    /// Where the call was published first; also the key for duplicate detection.
    #[schema(format = "uri", max_length = 1000)]
    source_url: Option<String>,
    /// Whom to ask about the call.
    #[schema(format = Email)]
    contact_email: Option<String>,
    /// ISO 639-1 codes of the languages applications are accepted in.
    languages: Option<Vec<String>>,
}

/// Texts in English and Slovenian (at least one for titles).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct TextsInput {
    /// The English text.
    en: Option<String>,
    /// The Slovenian text.
    sl: Option<String>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct DestinationInput {
    /// ISO 3166-1 alpha-2 codes of the countries where the activity takes place.
    countries: Option<Vec<crate::api::public::codes::CountryCode>>,
    /// The city, if the activity happens in one place.
    city: Option<String>,
    /// The activity happens (also) online or remotely.
    online: Option<bool>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct EligibilityInput {
    /// Country codes (`SI`) or region slugs an applicant may be a national of.
    nationalities: Option<Vec<crate::api::public::codes::AreaCode>>,
    /// Country codes or region slugs an applicant may be resident in.
    residences: Option<Vec<crate::api::public::codes::AreaCode>>,
    /// The career stage the call is for; `any` when it is open to all.
    career_stage: Option<CareerStage>,
    /// The youngest age an applicant may have, if limited.
    #[schema(minimum = 0, maximum = 120)]
    age_min: Option<i32>,
    /// The oldest age an applicant may have, if limited.
    #[schema(minimum = 0, maximum = 120)]
    age_max: Option<i32>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// The first day of the activity, if fixed.
    starts_on: Option<NaiveDate>,
    /// The last day of the activity, if fixed.
    ends_on: Option<NaiveDate>,
    /// The shortest stay or activity, in days.
    #[schema(minimum = 1, maximum = 3650)]
    duration_min_days: Option<i32>,
    /// The longest stay or activity, in days.
    #[schema(minimum = 1, maximum = 3650)]
    duration_max_days: Option<i32>,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct FundingInput {
    /// The smallest amount offered, in whole units.
    #[schema(minimum = 0)]
    min: Option<i64>,
    /// The largest amount offered, in whole units.
    #[schema(minimum = 0)]
    max: Option<i64>,
    /// ISO 4217 code of the amounts.
    #[schema(example = "EUR")]
    currency: String,
}

#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct FeeInput {
    /// The fee in whole units of `currency`; 0 when applying is free.
    #[schema(minimum = 0)]
    amount: Option<i64>,
    /// ISO 4217 code of the fee; required when `amount` is above 0.
    currency: Option<String>,
}

/// A checked opportunity, not yet stored: system fields are placeholders that the
/// caller fills, and `organization` is the id or slug the body named.
pub struct Input {
    pub organization: String,
    pub opportunity: Opportunity,
}

fn texts(fields: &mut Fields, key: &str, max: usize) -> Texts {
    fields
        .nested(key, &["en", "sl"], |f| Texts {
            en: f.text("en", max),
            sl: f.text("sl", max),
        })
        .unwrap_or_default()
}

fn instant(v: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn date(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()
}

/// Reads and checks a whole opportunity.
pub fn read(object: &Map<String, Value>) -> Result<Input, ApiError> {
    let mut f = Fields::new(object, "", FIELDS);
    let kind = f.parsed(
        "type",
        "a known opportunity type",
        OpportunityType::from_slug,
    );
    let kind = f.require("type", kind);
    let organization = f.text("organization", 200);
    let organization = f.require("organization", organization);
    let title = texts(&mut f, "title", TITLE_MAX);
    if title.en.is_none() && title.sl.is_none() {
        f.fail(
            "title",
            "needs an English (`en`) or a Slovenian (`sl`) title",
        );
    }
    let summary = texts(&mut f, "summary", SUMMARY_MAX);
    let description = texts(&mut f, "description", DESCRIPTION_MAX);
    for (lang, has_title, has_text) in [
        (
            "en",
            title.en.is_some(),
            summary.en.is_some() || description.en.is_some(),
        ),
        (
            "sl",
            title.sl.is_some(),
            summary.sl.is_some() || description.sl.is_some(),
        ),
    ] {
        if has_text && !has_title {
            f.errors.push(FieldIssue::new(
                format!("/title/{lang}"),
                "is required with a summary or description in that language",
            ));
        }
    }
    let slug = match f.text("slug", 120) {
        Some(s) if slug::is_valid(&s) => Some(s),
        Some(_) => {
            f.fail(
                "slug",
                "must be lower-case letters and digits in words joined by single hyphens",
            );
            None
        }
        None => title
            .en
            .as_deref()
            .or(title.sl.as_deref())
            .map(slug::slugify)
            .filter(|s| !s.is_empty()),
    };
    let disciplines = f.list("disciplines", "a known discipline", Discipline::from_slug);
    let destination = f
        .nested("destination", &["countries", "city", "online"], |d| {
            Destination {
                countries: d.list(
                    "countries",
                    "an ISO 3166-1 alpha-2 country code",
                    Country::parse,
                ),
                city: d.text("city", 100),
                online: d.boolean("online").unwrap_or(false),
            }
        })
        .unwrap_or(Destination {
            countries: vec![],
            city: None,
            online: false,
        });
    let area = "an ISO 3166-1 alpha-2 country code or a region (eu, eea, creative_europe, western_balkans)";
    let eligibility = f
        .nested(
            "eligibility",
            &[
                "nationalities",
                "residences",
                "career_stage",
                "age_min",
                "age_max",
            ],
            |e| {
                let eligibility = Eligibility {
                    nationalities: e.list("nationalities", area, Area::parse),
                    residences: e.list("residences", area, Area::parse),
                    career_stage: e
                        .parsed(
                            "career_stage",
                            "emerging, mid_career, established or any",
                            CareerStage::from_slug,
                        )
                        .unwrap_or(CareerStage::Any),
                    age_min: e.integer("age_min", 0, 120).map(|a| a as i32),
                    age_max: e.integer("age_max", 0, 120).map(|a| a as i32),
                };
                if let (Some(min), Some(max)) = (eligibility.age_min, eligibility.age_max)
                    && min > max
                {
                    e.fail("age_min", "must not be above age_max");
                }
                eligibility
            },
        )
        .unwrap_or(Eligibility {
            nationalities: vec![],
            residences: vec![],
            career_stage: CareerStage::Any,
            age_min: None,
            age_max: None,
        });
    let opens_at = f.parsed("opens_at", "an RFC 3339 date-time", instant);
    let deadline_at = f.parsed(
        "deadline",
        "an RFC 3339 date-time such as 2027-03-01T23:59:00+01:00",
        instant,
    );
    let timezone = f.parsed(
        "deadline_timezone",
        "an IANA time zone such as Europe/Ljubljana",
        parse_timezone,
    );
    let rolling = f.boolean("rolling").unwrap_or(false);
    let deadline = match (deadline_at, timezone) {
        (Some(at), Some(timezone)) => Some(Deadline { at, timezone }),
        (Some(_), None) if f.value("deadline_timezone").is_none() => {
            f.fail("deadline_timezone", "is required with a deadline");
            None
        }
        (None, Some(_)) if f.value("deadline").is_none() => {
            f.fail("deadline", "is required with a deadline_timezone");
            None
        }
        _ => None,
    };
    if !rolling && deadline_at.is_none() && f.value("deadline").is_none() {
        f.fail("deadline", "is required unless the call is rolling");
    }
    if let (Some(open), Some(close)) = (opens_at, deadline_at)
        && close <= open
    {
        f.fail("deadline", "must fall after opens_at");
    }
    let activity = f
        .nested(
            "activity",
            &[
                "starts_on",
                "ends_on",
                "duration_min_days",
                "duration_max_days",
            ],
            |a| {
                let activity = Activity {
                    starts_on: a.parsed("starts_on", "a date such as 2027-06-01", date),
                    ends_on: a.parsed("ends_on", "a date such as 2027-06-30", date),
                    duration_min_days: a.integer("duration_min_days", 1, 3650).map(|d| d as i32),
                    duration_max_days: a.integer("duration_max_days", 1, 3650).map(|d| d as i32),
                };
                if let (Some(s), Some(e)) = (activity.starts_on, activity.ends_on)
                    && s > e
                {
                    a.fail("starts_on", "must not be after ends_on");
                }
                if let (Some(min), Some(max)) =
                    (activity.duration_min_days, activity.duration_max_days)
                    && min > max
                {
                    a.fail("duration_min_days", "must not be above duration_max_days");
                }
                activity
            },
        )
        .unwrap_or_default();
    let funding = f
        .nested("funding", &["min", "max", "currency"], |m| {
            let min = m.integer("min", 0, AMOUNT_MAX);
            let max = m.integer("max", 0, AMOUNT_MAX);
            let currency = m.parsed("currency", "an ISO 4217 currency code", Currency::parse);
            let currency = m.require("currency", currency);
            if let (Some(a), Some(b)) = (min, max)
                && a > b
            {
                m.fail("min", "must not be above max");
            }
            currency.map(|currency| Funding { min, max, currency })
        })
        .flatten();
    let covered_costs = f.list(
        "covered_costs",
        "a known covered cost",
        CoveredCost::from_slug,
    );
    let application_fee = f
        .nested("application_fee", &["amount", "currency"], |m| {
            let amount = m.integer("amount", 0, AMOUNT_MAX).unwrap_or(0);
            let currency = m.parsed("currency", "an ISO 4217 currency code", Currency::parse);
            if amount > 0 && currency.is_none() && m.value("currency").is_none() {
                m.fail("currency", "is required when there is a fee");
            }
            ApplicationFee { amount, currency }
        })
        .unwrap_or(ApplicationFee {
            amount: 0,
            currency: None,
        });
    let url = |f: &mut Fields, key: &str| {
        f.parsed(key, "an absolute http(s) URL", |v| {
            is_web_url(v).then(|| v.to_owned())
        })
    };
    let application_url = url(&mut f, "application_url");
    let source_url = url(&mut f, "source_url");
    let contact_email = f.parsed("contact_email", "a well-formed e-mail address", |v| {
        is_email(v).then(|| v.to_owned())
    });
    let languages = f.list("languages", "an ISO 639-1 language code", Language::parse);
    if slug.is_none() && f.errors.is_empty() {
        f.fail("slug", "cannot be made from the title; give one");
    }
    f.finish()?;
    let now = Utc::now();
    Ok(Input {
        organization: organization.unwrap_or_default(),
        opportunity: Opportunity {
            id: Uuid::nil(),
            slug: slug.unwrap_or_default(),
            kind: kind.unwrap_or(OpportunityType::Residency),
            organization_id: Uuid::nil(),
            title,
            summary,
            description,
            disciplines,
            destination,
            eligibility,
            opens_at,
            deadline,
            rolling,
            activity,
            funding,
            covered_costs,
            application_fee,
            application_url,
            source_url,
            contact_email,
            languages,
            created_at: now,
            updated_at: now,
            published_at: None,
            state: WorkflowState::Draft,
            version: 0,
        },
    })
}

/// The writable representation of a stored opportunity (what `PATCH` merges into).
pub fn write(o: &Opportunity, organization_slug: &str) -> Value {
    let texts = |t: &Texts| json!({"en": t.en, "sl": t.sl});
    json!({
        "slug": o.slug,
        "type": o.kind.slug(),
        "organization": organization_slug,
        "title": texts(&o.title),
        "summary": texts(&o.summary),
        "description": texts(&o.description),
        "disciplines": o.disciplines.iter().map(|d| d.slug()).collect::<Vec<_>>(),
        "destination": {
            "countries": o.destination.countries.iter().map(|c| c.code()).collect::<Vec<_>>(),
            "city": o.destination.city,
            "online": o.destination.online,
        },
        "eligibility": {
            "nationalities": o.eligibility.nationalities.iter().map(|a| a.code()).collect::<Vec<_>>(),
            "residences": o.eligibility.residences.iter().map(|a| a.code()).collect::<Vec<_>>(),
            "career_stage": o.eligibility.career_stage.slug(),
            "age_min": o.eligibility.age_min,
            "age_max": o.eligibility.age_max,
        },
        "opens_at": o.opens_at.map(|t| t.to_rfc3339()),
        "deadline": o.deadline.map(|d| d.local().to_rfc3339()),
        "deadline_timezone": o.deadline.map(|d| d.timezone.name()),
        "rolling": o.rolling,
        "activity": {
            "starts_on": o.activity.starts_on.map(|d| d.to_string()),
            "ends_on": o.activity.ends_on.map(|d| d.to_string()),
            "duration_min_days": o.activity.duration_min_days,
            "duration_max_days": o.activity.duration_max_days,
        },
        "funding": o.funding.map(|m| json!({"min": m.min, "max": m.max, "currency": m.currency.code()})),
        "covered_costs": o.covered_costs.iter().map(|c| c.slug()).collect::<Vec<_>>(),
        "application_fee": {"amount": o.application_fee.amount, "currency": o.application_fee.currency.map(|c| c.code())},
        "application_url": o.application_url,
        "source_url": o.source_url,
        "contact_email": o.contact_email,
        "languages": o.languages.iter().map(|l| l.code()).collect::<Vec<_>>(),
    })
}

/// RFC 7396 JSON merge patch: members of `patch` replace those of `target`, and null
/// clears a member. A cleared member stays in the object as null, which every reader takes
/// as absent, so that a member the operation does not know is still reported when the
/// patch only removes it (`{"bogus": null}` is a 422, not a silent success).
pub fn merge_patch(target: &mut Value, patch: &Value) {
    if patch.is_object() && !target.is_object() {
        *target = Value::Object(Map::new());
    }
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (key, value) in p {
                if value.is_null() {
                    t.insert(key.clone(), Value::Null);
                } else {
                    merge_patch(t.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}
