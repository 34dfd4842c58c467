//! Table rows and their conversion to and from domain types.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{opportunities, organizations};
use crate::domain::codes::{Currency, Language};
use crate::domain::deadline::{Deadline, parse_timezone};
use crate::domain::geography::{Area, Country};
use crate::domain::opportunity::{
    Activity, ApplicationFee, Destination, Eligibility, Funding, Opportunity, Organization, Texts,
};
use crate::domain::vocabulary::{
    CareerStage, CoveredCost, Discipline, OpportunityType, OrganizationKind, WorkflowState,
};

use super::{StoreError, StoreResult, from_db_time, to_db_time};

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Internal(format!("stored {what} `{value}` is not known"))
}

fn uuid(value: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(value).map_err(|_| corrupt("id", value))
}

pub(crate) fn parse<T>(what: &str, value: &str, f: impl Fn(&str) -> Option<T>) -> StoreResult<T> {
    f(value).ok_or_else(|| corrupt(what, value))
}

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organizations, treat_none_as_null = true)]
pub(super) struct OrganizationRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub city: Option<String>,
    pub website: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    pub withdrawn: bool,
}

impl OrganizationRow {
    pub fn from_domain(o: &Organization) -> Self {
        OrganizationRow {
            id: o.id.to_string(),
            slug: o.slug.clone(),
            name: o.name.clone(),
            kind: o.kind.slug().to_owned(),
            country: o.country.code().to_owned(),
            city: o.city.clone(),
            website: o.website.clone(),
            created_at: to_db_time(o.created_at),
            updated_at: to_db_time(o.updated_at),
            version: o.version,
            withdrawn: o.withdrawn,
        }
    }

    pub fn into_domain(self) -> StoreResult<Organization> {
        Ok(Organization {
            id: uuid(&self.id)?,
            kind: parse("organization kind", &self.kind, OrganizationKind::from_slug)?,
            country: parse("country", &self.country, Country::parse)?,
            slug: self.slug,
            name: self.name,
            city: self.city,
            website: self.website,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
            version: self.version,
            withdrawn: self.withdrawn,
        })
    }
}

#[derive(Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = opportunities, treat_none_as_null = true)]
pub(super) struct OpportunityRow {
    pub id: String,
    pub slug: String,
    pub kind: String,
    pub organization_id: String,
    pub destination_city: Option<String>,
    pub online: bool,
    pub career_stage: String,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    pub opens_at: Option<NaiveDateTime>,
    pub deadline: Option<NaiveDateTime>,
    pub deadline_timezone: Option<String>,
    pub rolling: bool,
    pub activity_starts_on: Option<NaiveDate>,
    pub activity_ends_on: Option<NaiveDate>,
    pub duration_min_days: Option<i32>,
    pub duration_max_days: Option<i32>,
    pub funding_min: Option<i64>,
    pub funding_max: Option<i64>,
    pub funding_currency: Option<String>,
    pub application_fee: i64,
    pub application_fee_currency: Option<String>,
    pub application_url: Option<String>,
    pub source_url: Option<String>,
    pub contact_email: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub state: String,
    pub version: i32,
    /// The deadline, or for calls without one a date after every deadline.
    pub sort_deadline: NaiveDateTime,
    /// No rule on nationality or residence.
    pub open_to_all: bool,
}

/// Title, summary and description in one language.
#[derive(Queryable)]
pub(super) struct TextRow {
    pub opportunity_id: String,
    pub language: String,
    pub title: String,
    pub summary: Option<String>,
    pub description: Option<String>,
}

/// The rows of `opportunity_texts` for an opportunity's texts: one per language with a title.
pub(super) fn text_rows(o: &Opportunity) -> Vec<TextRow> {
    [
        ("en", &o.title.en, &o.summary.en, &o.description.en),
        ("sl", &o.title.sl, &o.summary.sl, &o.description.sl),
    ]
    .into_iter()
    .filter_map(|(language, title, summary, description)| {
        title.as_ref().map(|title| TextRow {
            opportunity_id: o.id.to_string(),
            language: language.to_owned(),
            title: title.clone(),
            summary: summary.clone(),
            description: description.clone(),
        })
    })
    .collect()
}

fn texts_from_rows(rows: &[TextRow]) -> (Texts, Texts, Texts) {
    let (mut title, mut summary, mut description) =
        (Texts::default(), Texts::default(), Texts::default());
    for row in rows {
        let (t, s, d) = match row.language.as_str() {
            "en" => (&mut title.en, &mut summary.en, &mut description.en),
            "sl" => (&mut title.sl, &mut summary.sl, &mut description.sl),
            _ => continue,
        };
        *t = Some(row.title.clone());
        *s = row.summary.clone();
        *d = row.description.clone();
    }
    (title, summary, description)
}

/// The many-valued parts of an opportunity, kept in their own tables.
#[derive(Default)]
pub(super) struct OpportunityLists {
    pub texts: Vec<TextRow>,
    pub disciplines: Vec<String>,
    pub covered_costs: Vec<String>,
    pub destinations: Vec<String>,
    pub nationalities: Vec<String>,
    pub residences: Vec<String>,
    pub languages: Vec<String>,
}

fn parse_all<T>(
    what: &str,
    values: &[String],
    f: impl Fn(&str) -> Option<T>,
) -> StoreResult<Vec<T>> {
    values.iter().map(|v| parse(what, v, &f)).collect()
}

impl OpportunityRow {
    pub fn from_domain(o: &Opportunity) -> Self {
        OpportunityRow {
            id: o.id.to_string(),
            slug: o.slug.clone(),
            kind: o.kind.slug().to_owned(),
            organization_id: o.organization_id.to_string(),
            destination_city: o.destination.city.clone(),
            online: o.destination.online,
            career_stage: o.eligibility.career_stage.slug().to_owned(),
            age_min: o.eligibility.age_min,
            age_max: o.eligibility.age_max,
            opens_at: o.opens_at.map(to_db_time),
            deadline: o.deadline.map(|d| to_db_time(d.at)),
            deadline_timezone: o.deadline.map(|d| d.timezone.name().to_owned()),
            rolling: o.rolling,
            activity_starts_on: o.activity.starts_on,
            activity_ends_on: o.activity.ends_on,
            duration_min_days: o.activity.duration_min_days,
            duration_max_days: o.activity.duration_max_days,
            funding_min: o.funding.and_then(|f| f.min),
            funding_max: o.funding.and_then(|f| f.max),
            funding_currency: o.funding.map(|f| f.currency.code().to_owned()),
            application_fee: o.application_fee.amount,
            application_fee_currency: o.application_fee.currency.map(|c| c.code().to_owned()),
            application_url: o.application_url.clone(),
            source_url: o.source_url.clone(),
            contact_email: o.contact_email.clone(),
            created_at: to_db_time(o.created_at),
            updated_at: to_db_time(o.updated_at),
            published_at: o.published_at.map(to_db_time),
            state: o.state.slug().to_owned(),
            version: o.version,
            sort_deadline: o
                .deadline
                .map_or_else(super::opportunities::no_deadline, |d| to_db_time(d.at)),
            open_to_all: o.eligibility.nationalities.is_empty()
                && o.eligibility.residences.is_empty(),
        }
    }

    pub fn into_domain(self, lists: OpportunityLists) -> StoreResult<Opportunity> {
        let deadline = match (self.deadline, &self.deadline_timezone) {
            (Some(at), Some(tz)) => Some(Deadline {
                at: from_db_time(at),
                timezone: parse("time zone", tz, parse_timezone)?,
            }),
            _ => None,
        };
        let funding = match &self.funding_currency {
            Some(code) => Some(Funding {
                min: self.funding_min,
                max: self.funding_max,
                currency: parse("currency", code, Currency::parse)?,
            }),
            None => None,
        };
        let fee_currency = match &self.application_fee_currency {
            Some(code) => Some(parse("currency", code, Currency::parse)?),
            None => None,
        };
        let (title, summary, description) = texts_from_rows(&lists.texts);
        Ok(Opportunity {
            id: uuid(&self.id)?,
            kind: parse("type", &self.kind, OpportunityType::from_slug)?,
            organization_id: uuid(&self.organization_id)?,
            slug: self.slug,
            title,
            summary,
            description,
            disciplines: parse_all("discipline", &lists.disciplines, Discipline::from_slug)?,
            destination: Destination {
                countries: parse_all("country", &lists.destinations, Country::parse)?,
                city: self.destination_city,
                online: self.online,
            },
            eligibility: Eligibility {
                nationalities: parse_all("area", &lists.nationalities, Area::parse)?,
                residences: parse_all("area", &lists.residences, Area::parse)?,
                career_stage: parse("career stage", &self.career_stage, CareerStage::from_slug)?,
                age_min: self.age_min,
                age_max: self.age_max,
            },
            opens_at: self.opens_at.map(from_db_time),
            deadline,
            rolling: self.rolling,
            activity: Activity {
                starts_on: self.activity_starts_on,
                ends_on: self.activity_ends_on,
                duration_min_days: self.duration_min_days,
                duration_max_days: self.duration_max_days,
            },
            funding,
            covered_costs: parse_all("covered cost", &lists.covered_costs, CoveredCost::from_slug)?,
            application_fee: ApplicationFee {
                amount: self.application_fee,
                currency: fee_currency,
            },
            application_url: self.application_url,
            source_url: self.source_url,
            contact_email: self.contact_email,
            languages: parse_all("language", &lists.languages, Language::parse)?,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
            published_at: self.published_at.map(from_db_time),
            state: parse("workflow state", &self.state, WorkflowState::from_slug)?,
            version: self.version,
        })
    }
}
