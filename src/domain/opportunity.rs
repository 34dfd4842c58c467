//! Opportunities and the organizations that offer them, as the rest of the code sees them.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::codes::{Currency, Language};
use super::deadline::Deadline;
use super::geography::{Area, Country};
use super::status::{Schedule, Status};
use super::vocabulary::{
    CareerStage, CoveredCost, Discipline, OpportunityType, OrganizationKind, WorkflowState,
};

/// A text in Slovenian and English; at least one language is present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts {
    pub en: Option<String>,
    pub sl: Option<String>,
}

impl Texts {
    pub fn both(en: &str, sl: &str) -> Texts {
        Texts {
            en: Some(en.to_owned()),
            sl: Some(sl.to_owned()),
        }
    }

    /// The text in `lang`, if there is one.
    pub fn get(&self, lang: Lang) -> Option<&String> {
        match lang {
            Lang::En => self.en.as_ref(),
            Lang::Sl => self.sl.as_ref(),
        }
    }
}

/// A language the directory's texts are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Sl,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "sl" => Some(Lang::Sl),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Sl => "sl",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Sl,
            Lang::Sl => Lang::En,
        }
    }

    /// Of two names, the one in this language.
    pub fn pick(self, en: &'static str, sl: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Sl => sl,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: OrganizationKind,
    pub country: Country,
    pub city: Option<String>,
    pub website: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Raised by every change; served as the ETag.
    pub version: i32,
    /// Withdrawn organizations are kept but no longer public.
    pub withdrawn: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub countries: Vec<Country>,
    pub city: Option<String>,
    pub online: bool,
}

/// Who may apply. An applicant qualifies by nationality **or** by residence; an empty
/// list on both sides means the call is open to everyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eligibility {
    pub nationalities: Vec<Area>,
    pub residences: Vec<Area>,
    pub career_stage: CareerStage,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub duration_min_days: Option<i32>,
    pub duration_max_days: Option<i32>,
}

/// A funding range in whole units of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Funding {
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub currency: Currency,
}

/// What applying costs, in whole units; 0 means free to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplicationFee {
    pub amount: i64,
    pub currency: Option<Currency>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opportunity {
    pub id: Uuid,
    pub slug: String,
    pub kind: OpportunityType,
    pub organization_id: Uuid,
    pub title: Texts,
    pub summary: Texts,
    pub description: Texts,
    pub disciplines: Vec<Discipline>,
    pub destination: Destination,
    pub eligibility: Eligibility,
    pub opens_at: Option<DateTime<Utc>>,
    pub deadline: Option<Deadline>,
    pub rolling: bool,
    pub activity: Activity,
    pub funding: Option<Funding>,
    pub covered_costs: Vec<CoveredCost>,
    pub application_fee: ApplicationFee,
    pub application_url: Option<String>,
    pub source_url: Option<String>,
    pub contact_email: Option<String>,
    pub languages: Vec<Language>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub state: WorkflowState,
    /// Raised by every change; served as the ETag.
    pub version: i32,
}

impl Opportunity {
    pub fn schedule(&self) -> Schedule {
        Schedule {
            opens_at: self.opens_at,
            deadline: self.deadline.map(|d| d.at),
            rolling: self.rolling,
        }
    }

    pub fn status_at(&self, now: DateTime<Utc>) -> Status {
        self.schedule().status_at(now)
    }

    /// Whether the entry was public once and staff have since archived or withdrawn it:
    /// the public is told it is gone (410), while an entry never published stays unknown.
    pub fn left_public_view(&self) -> bool {
        matches!(
            self.state,
            WorkflowState::Archived | WorkflowState::Withdrawn
        ) && self.published_at.is_some()
    }

    /// The rules every stored opportunity keeps; returns each broken rule by field name.
    pub fn check(&self) -> Vec<(&'static str, &'static str)> {
        let mut broken = Vec::new();
        if self.title.en.is_none() && self.title.sl.is_none() {
            broken.push(("title", "needs an English or a Slovenian title"));
        }
        if (self.summary.en.is_some() || self.description.en.is_some()) && self.title.en.is_none() {
            broken.push((
                "title/en",
                "is required when there is an English summary or description",
            ));
        }
        if (self.summary.sl.is_some() || self.description.sl.is_some()) && self.title.sl.is_none() {
            broken.push((
                "title/sl",
                "is required when there is a Slovenian summary or description",
            ));
        }
        if !self.rolling && self.deadline.is_none() {
            broken.push(("deadline", "is required unless the call is rolling"));
        }
        if let (Some(min), Some(max)) = (self.eligibility.age_min, self.eligibility.age_max)
            && min > max
        {
            broken.push(("eligibility/age_min", "is above age_max"));
        }
        if let Some(Funding {
            min: Some(min),
            max: Some(max),
            ..
        }) = self.funding
            && min > max
        {
            broken.push(("funding/min", "is above funding/max"));
        }
        if let (Some(start), Some(end)) = (self.activity.starts_on, self.activity.ends_on)
            && start > end
        {
            broken.push(("activity/starts_on", "is after activity/ends_on"));
        }
        if self.application_fee.amount < 0 {
            broken.push(("application_fee", "cannot be negative"));
        }
        if !super::slug::is_valid(&self.slug) {
            broken.push((
                "slug",
                "must be lower-case letters, digits and single hyphens",
            ));
        }
        broken
    }
}
