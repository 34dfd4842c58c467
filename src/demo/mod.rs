//! The demo directory: a realistic set written for this project, with deadlines relative
//! to the day it is loaded so that it never goes stale.

mod entries;
mod texts;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::limits;
use crate::domain::codes::{Currency, Language};
use crate::domain::deadline::{Deadline, parse_timezone};
use crate::domain::geography::{Area, Country};
use crate::domain::opportunity::{
    Activity, ApplicationFee, Destination, Eligibility, Funding, Opportunity, Organization, Texts,
};
use crate::domain::slug::slugify;
use crate::domain::vocabulary::{OpportunityType, WorkflowState};
use crate::store::{self, StoreResult};

use entries::{ORGANIZATIONS, OpportunitySpec, OrganizationSpec, SPECS};

/// Loads every demo organization and opportunity in one transaction; returns how many
/// opportunities were added. Slugs already present are skipped, so loading twice is harmless.
pub fn load(conn: &mut DbConn, now: DateTime<Utc>) -> StoreResult<usize> {
    limits::write_transaction(conn, |conn| {
        let mut organizations = Vec::new();
        for (index, spec) in ORGANIZATIONS.iter().enumerate() {
            let org = organization(spec, index, now);
            match store::organizations::find(conn, &org.slug) {
                Ok(existing) => organizations.push(existing),
                Err(store::StoreError::NotFound) => {
                    store::organizations::insert(conn, &org)?;
                    organizations.push(org);
                }
                Err(e) => return Err(e),
            }
        }
        let mut added = 0;
        for (index, spec) in SPECS.iter().enumerate() {
            let org = &organizations[spec.org];
            let opportunity = opportunity(spec, index, org, &ORGANIZATIONS[spec.org], now);
            if store::opportunities::find_any(conn, &opportunity.slug).is_ok() {
                continue;
            }
            store::opportunities::insert(conn, &opportunity)?;
            added += 1;
        }
        Ok(added)
    })
}

fn organization(spec: &OrganizationSpec, index: usize, now: DateTime<Utc>) -> Organization {
    let created = now - Duration::days(400 - index as i64 * 7);
    Organization {
        id: Uuid::now_v7(),
        slug: slugify(spec.name),
        name: spec.name.to_owned(),
        kind: spec.kind,
        country: Country::parse(spec.country).expect("demo countries are valid"),
        city: Some(spec.city.to_owned()),
        website: Some(format!("https://{}.example.org", slugify(spec.name))),
        created_at: created,
        updated_at: created,
        version: 1,
        withdrawn: false,
    }
}

/// How long the activity of a call of this type lasts, in days; none for prizes and
/// grants, which have no stay.
fn days_of(kind: OpportunityType, index: usize) -> Option<i64> {
    use OpportunityType as T;
    let pick = |options: &[i64]| Some(options[index % options.len()]);
    match kind {
        T::Residency => pick(&[21, 30, 45, 60, 90]),
        T::Fellowship => pick(&[90, 120, 180]),
        T::TravelGrant => pick(&[5, 7, 10, 14]),
        T::Commission | T::Production => pick(&[30, 45, 60]),
        T::Presenting => pick(&[4, 6, 10]),
        T::Training => pick(&[5, 7, 10, 14]),
        T::Networking => pick(&[2, 3, 4]),
        T::GoAndSee => pick(&[3, 4, 5]),
        T::MarketDevelopment => pick(&[3, 4, 5]),
        T::Touring => pick(&[10, 14, 21, 30]),
        T::Research => pick(&[14, 21, 30, 60]),
        T::Job => pick(&[180, 270, 365]),
        T::ProjectGrant | T::Competition | T::Award => None,
    }
}

fn areas(codes: &[&str]) -> Vec<Area> {
    codes
        .iter()
        .map(|c| Area::parse(c).expect("demo areas are valid"))
        .collect()
}

fn opportunity(
    spec: &OpportunitySpec,
    index: usize,
    org: &Organization,
    org_spec: &OrganizationSpec,
    now: DateTime<Utc>,
) -> Opportunity {
    let today = now.date_naive();
    let timezone = parse_timezone(org_spec.timezone).expect("demo zones are valid");
    let deadline = spec.deadline_in_days.map(|days| {
        Deadline::from_local(
            (today + Duration::days(days))
                .and_time(NaiveTime::from_hms_opt(23, 59, 0).expect("valid time")),
            timezone,
        )
    });
    let opens_at = spec.opens_in_days.map(|days| {
        (today + Duration::days(days))
            .and_hms_opt(0, 0, 0)
            .expect("valid")
            .and_utc()
    });
    let activity_start = deadline.map(|d| d.at.date_naive()).unwrap_or(today)
        + Duration::days(45 + (index as i64 % 5) * 15);
    let duration = days_of(spec.kind, index);
    // Published before the deadline, even for the archive's closed calls.
    let mut published = now - Duration::days(10 + (index as i64 * 3) % 120);
    if let Some(d) = deadline {
        published = published.min(d.at - Duration::days(21 + index as i64 % 30));
    }
    let updated = (published + Duration::days((index as i64) % 9)).min(now);
    let countries: Vec<Country> = spec
        .destination
        .iter()
        .map(|c| Country::parse(c).expect("demo countries are valid"))
        .collect();
    // The organizer's city is the place only when it lies in a destination country.
    let home = Country::parse(org_spec.country).expect("demo countries are valid");
    let city = (!spec.online && countries.contains(&home)).then_some(spec.city);
    let nationalities = areas(spec.nationalities);
    let residences = areas(spec.residences);
    let facts = texts::Facts {
        index,
        kind: spec.kind,
        organizer: &org.name,
        disciplines: spec.disciplines,
        countries: &countries,
        city,
        online: spec.online,
        nationalities: &nationalities,
        residences: &residences,
        stage: spec.stage,
        max_age: spec.max_age,
        funding: spec.funding,
        covers: spec.covers,
        fee: spec.fee,
        days: duration,
        rolling: spec.deadline_in_days.is_none(),
    };
    let summary = facts.summary();
    let description = facts.description();
    let summary = Texts::both(&summary.en, &summary.sl);
    let description = Texts::both(&description.en, &description.sl);
    let slug = slugify(spec.title_en);
    Opportunity {
        id: Uuid::now_v7(),
        slug: slug.clone(),
        kind: spec.kind,
        organization_id: org.id,
        title: Texts::both(spec.title_en, spec.title_sl),
        summary,
        description,
        disciplines: spec.disciplines.to_vec(),
        destination: Destination {
            countries,
            city: city.map(str::to_owned),
            online: spec.online,
        },
        eligibility: Eligibility {
            nationalities,
            residences,
            career_stage: spec.stage,
            age_min: spec.max_age.map(|_| 18),
            age_max: spec.max_age,
        },
        opens_at,
        deadline,
        rolling: spec.deadline_in_days.is_none(),
        activity: Activity {
            starts_on: Some(activity_start),
            ends_on: Some(activity_start + Duration::days(duration.unwrap_or(1) - 1)),
            duration_min_days: duration.map(|d| d as i32),
            duration_max_days: duration.map(|d| d as i32),
        },
        funding: spec.funding.map(|(min, max, currency)| Funding {
            min: (min > 0).then_some(min),
            max: Some(max),
            currency: Currency::parse(currency).expect("demo currencies are valid"),
        }),
        covered_costs: spec.covers.to_vec(),
        application_fee: ApplicationFee {
            amount: spec.fee,
            currency: (spec.fee > 0).then(|| {
                Currency::parse(spec.funding.map_or("EUR", |f| f.2))
                    .expect("demo currencies are valid")
            }),
        },
        application_url: Some(format!(
            "{}/apply/{slug}",
            org.website.clone().unwrap_or_default()
        )),
        source_url: Some(format!(
            "{}/calls/{slug}",
            org.website.clone().unwrap_or_default()
        )),
        contact_email: Some(format!("calls@{}.example.org", org.slug)),
        languages: ["en", org_spec.language]
            .iter()
            .filter_map(|l| Language::parse(l))
            .fold(Vec::new(), |mut v, l| {
                if !v.contains(&l) {
                    v.push(l);
                }
                v
            }),
        created_at: published - Duration::days(2),
        updated_at: updated,
        published_at: Some(published),
        state: WorkflowState::Published,
        version: 1,
    }
}
