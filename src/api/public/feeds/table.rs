//! The list as CSV (RFC 4180), written with the `csv` crate: UTF-8, CRLF line ends, one
//! header row, fields quoted where they need it.
//!
//! Multi-valued columns (disciplines, countries, costs, eligibility) join their values
//! with `;`, which no slug or code contains. Free text that a spreadsheet would run as a
//! formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading
//! `'`, so that a submitted title cannot become a formula on a partner's machine.

use chrono::{DateTime, SecondsFormat, Utc};

use super::Feed;
use crate::domain::opportunity::{Opportunity, Organization};
use crate::error::ApiError;

/// The columns, in order.
pub const COLUMNS: &[&str] = &[
    "id",
    "slug",
    "url",
    "type",
    "status",
    "title_en",
    "title_sl",
    "summary_en",
    "summary_sl",
    "organization",
    "organization_slug",
    "disciplines",
    "destination_countries",
    "destination_city",
    "online",
    "nationalities",
    "residences",
    "career_stage",
    "opens_at",
    "deadline",
    "deadline_timezone",
    "deadline_local",
    "rolling",
    "funding_min",
    "funding_max",
    "funding_currency",
    "covered_costs",
    "application_fee",
    "application_fee_currency",
    "application_url",
    "published_at",
    "updated_at",
];

/// A free-text cell, defused for spreadsheets.
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn instant(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn joined<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    values.into_iter().collect::<Vec<_>>().join(";")
}

fn number(value: Option<i64>) -> String {
    value.map(|n| n.to_string()).unwrap_or_default()
}

fn row(feed: &Feed, o: &Opportunity, org: &Organization) -> Vec<String> {
    let texts = |t: &crate::domain::opportunity::Texts, lang| {
        t.get(lang).map(|s| text(s)).unwrap_or_default()
    };
    use crate::domain::opportunity::Lang::{En, Sl};
    vec![
        o.id.to_string(),
        o.slug.clone(),
        feed.entry_url(o),
        o.kind.slug().to_owned(),
        o.status_at(feed.now).slug().to_owned(),
        texts(&o.title, En),
        texts(&o.title, Sl),
        texts(&o.summary, En),
        texts(&o.summary, Sl),
        text(&org.name),
        org.slug.clone(),
        joined(o.disciplines.iter().map(|d| d.slug())),
        joined(o.destination.countries.iter().map(|c| c.code())),
        o.destination.city.as_deref().map(text).unwrap_or_default(),
        o.destination.online.to_string(),
        joined(o.eligibility.nationalities.iter().map(|a| a.code())),
        joined(o.eligibility.residences.iter().map(|a| a.code())),
        o.eligibility.career_stage.slug().to_owned(),
        instant(o.opens_at),
        instant(o.deadline.map(|d| d.at)),
        o.deadline
            .map(|d| d.timezone.name().to_owned())
            .unwrap_or_default(),
        o.deadline
            .map(|d| d.local().to_rfc3339_opts(SecondsFormat::Secs, false))
            .unwrap_or_default(),
        o.rolling.to_string(),
        number(o.funding.as_ref().and_then(|f| f.min)),
        number(o.funding.as_ref().and_then(|f| f.max)),
        o.funding
            .as_ref()
            .map(|f| f.currency.code().to_owned())
            .unwrap_or_default(),
        joined(o.covered_costs.iter().map(|c| c.slug())),
        o.application_fee.amount.to_string(),
        o.application_fee
            .currency
            .map(|c| c.code().to_owned())
            .unwrap_or_default(),
        o.application_url.clone().unwrap_or_default(),
        instant(o.published_at),
        instant(Some(o.updated_at)),
    ]
}

/// The table of `entries`, in the order given.
pub fn render(feed: &Feed, entries: &[(Opportunity, Organization)]) -> Result<String, ApiError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let failed = |e: csv::Error| ApiError::Internal(format!("the CSV did not serialize: {e}"));
    writer.write_record(COLUMNS).map_err(failed)?;
    for (o, org) in entries {
        writer.write_record(row(feed, o, org)).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ApiError::Internal(format!("the CSV did not serialize: {e}")))?;
    String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.to_string()))
}
