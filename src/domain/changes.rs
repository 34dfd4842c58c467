//! Field-level differences between two versions of an opportunity, for revision history.

use serde::{Deserialize, Serialize};

use super::opportunity::Opportunity;

/// One changed field: its name and its value before and after, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Change {
    /// The member that changed, as named in the writable representation.
    #[schema(example = "deadline")]
    pub field: String,
    /// The value before, as text; null when it was empty.
    #[schema(example = "2027-03-01T23:59:00+01:00 (Europe/Ljubljana)")]
    pub from: Option<String>,
    /// The value after, as text; null when it was cleared.
    #[schema(example = "2027-03-15T23:59:00+01:00 (Europe/Ljubljana)")]
    pub to: Option<String>,
}

/// Fields whose change after publication matters to applicants and mirrors.
pub const NOTABLE_AFTER_PUBLICATION: &[&str] = &[
    "deadline",
    "opens_at",
    "rolling",
    "funding",
    "application_fee",
    "eligibility.nationalities",
    "eligibility.residences",
    "eligibility.career_stage",
    "eligibility.age",
];

/// A list as text, its values in order: a list is a set (the store keeps them sorted), so
/// that the same values in another order are no change.
fn join<T>(items: &[T], f: impl Fn(&T) -> &str) -> Option<String> {
    let mut values: Vec<&str> = items.iter().map(f).collect();
    values.sort_unstable();
    (!values.is_empty()).then(|| values.join(", "))
}

/// Every curated field of an opportunity as display text, in a fixed order.
pub fn fields(o: &Opportunity) -> Vec<(&'static str, Option<String>)> {
    let money = |min: Option<i64>, max: Option<i64>, cur: &str| match (min, max) {
        (Some(a), Some(b)) if a == b => format!("{a} {cur}"),
        (Some(a), Some(b)) => format!("{a}–{b} {cur}"),
        (Some(a), None) => format!("from {a} {cur}"),
        (None, Some(b)) => format!("up to {b} {cur}"),
        (None, None) => cur.to_owned(),
    };
    vec![
        ("slug", Some(o.slug.clone())),
        ("type", Some(o.kind.slug().to_owned())),
        ("organization", Some(o.organization_id.to_string())),
        ("title.en", o.title.en.clone()),
        ("title.sl", o.title.sl.clone()),
        ("summary.en", o.summary.en.clone()),
        ("summary.sl", o.summary.sl.clone()),
        ("description.en", o.description.en.clone()),
        ("description.sl", o.description.sl.clone()),
        ("disciplines", join(&o.disciplines, |d| d.slug())),
        (
            "destination.countries",
            join(&o.destination.countries, |c| c.code()),
        ),
        ("destination.city", o.destination.city.clone()),
        ("destination.online", Some(o.destination.online.to_string())),
        (
            "eligibility.nationalities",
            join(&o.eligibility.nationalities, |a| a.code()),
        ),
        (
            "eligibility.residences",
            join(&o.eligibility.residences, |a| a.code()),
        ),
        (
            "eligibility.career_stage",
            Some(o.eligibility.career_stage.slug().to_owned()),
        ),
        (
            "eligibility.age",
            (o.eligibility.age_min.is_some() || o.eligibility.age_max.is_some()).then(|| {
                format!(
                    "{}–{}",
                    o.eligibility
                        .age_min
                        .map(|a| a.to_string())
                        .unwrap_or_default(),
                    o.eligibility
                        .age_max
                        .map(|a| a.to_string())
                        .unwrap_or_default()
                )
            }),
        ),
        ("opens_at", o.opens_at.map(|t| t.to_rfc3339())),
        (
            "deadline",
            o.deadline
                .map(|d| format!("{} ({})", d.local().to_rfc3339(), d.timezone.name())),
        ),
        ("rolling", Some(o.rolling.to_string())),
        (
            "activity.starts_on",
            o.activity.starts_on.map(|d| d.to_string()),
        ),
        (
            "activity.ends_on",
            o.activity.ends_on.map(|d| d.to_string()),
        ),
        (
            "activity.duration_min_days",
            o.activity.duration_min_days.map(|d| d.to_string()),
        ),
        (
            "activity.duration_max_days",
            o.activity.duration_max_days.map(|d| d.to_string()),
        ),
        (
            "funding",
            o.funding.map(|f| money(f.min, f.max, f.currency.code())),
        ),
        ("covered_costs", join(&o.covered_costs, |c| c.slug())),
        (
            "application_fee",
            Some(match o.application_fee.currency {
                Some(c) => format!("{} {}", o.application_fee.amount, c.code()),
                None => o.application_fee.amount.to_string(),
            }),
        ),
        ("application_url", o.application_url.clone()),
        ("source_url", o.source_url.clone()),
        ("contact_email", o.contact_email.clone()),
        ("languages", join(&o.languages, |l| l.code())),
    ]
}

/// The fields that differ between `before` and `after` (all of `after`'s set fields when
/// there is no `before`).
pub fn diff(before: Option<&Opportunity>, after: &Opportunity) -> Vec<Change> {
    let old = before.map(fields);
    fields(after)
        .into_iter()
        .enumerate()
        .filter_map(|(i, (field, to))| {
            let from = old.as_ref().and_then(|o| o[i].1.clone());
            (from != to).then(|| Change {
                field: field.to_owned(),
                from,
                to,
            })
        })
        .collect()
}
