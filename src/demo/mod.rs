//! The demo directory: a realistic set written for this project, with deadlines relative
//! to the day it is loaded so that it never goes stale.

mod entries;

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
use crate::domain::vocabulary::WorkflowState;
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
    let duration = [14, 21, 30, 45, 60, 90][index % 6];
    let published = now - Duration::days(10 + (index as i64 * 3) % 120);
    let updated = published + Duration::days((index as i64) % 9);
    let destination_names: Vec<String> = spec
        .destination
        .iter()
        .map(|c| {
            Country::parse(c)
                .expect("demo countries are valid")
                .name_en()
                .to_owned()
        })
        .collect();
    let destination_names_sl: Vec<String> = spec
        .destination
        .iter()
        .map(|c| {
            Country::parse(c)
                .expect("demo countries are valid")
                .name_sl()
                .to_owned()
        })
        .collect();
    let disciplines_en: Vec<&str> = spec.disciplines.iter().map(|d| d.name_en()).collect();
    let disciplines_sl: Vec<&str> = spec.disciplines.iter().map(|d| d.name_sl()).collect();
    let place_en = if spec.online {
        "online".to_owned()
    } else {
        format!("{} ({})", spec.city, destination_names.join(", "))
    };
    let place_sl = if spec.online {
        "na spletu".to_owned()
    } else {
        format!("{} ({})", spec.city, destination_names_sl.join(", "))
    };
    let summary = Texts::both(
        &format!(
            "{} in {} for {}, offered by {}.",
            spec.kind.name_en(),
            place_en,
            disciplines_en.join(", ").to_lowercase(),
            org.name
        ),
        &format!(
            "{}: {}, področja: {}. Ponudnik: {}.",
            spec.kind.name_sl(),
            place_sl,
            disciplines_sl.join(", ").to_lowercase(),
            org.name
        ),
    );
    let description = Texts::both(
        &format!(
            "{}. Selected participants work for {duration} days with local partners and present their work at the end of the stay. \
             Applications are reviewed by an independent jury; the organizer answers questions by email.",
            spec.title_en
        ),
        &format!(
            "{}. Izbrani udeleženci {duration} dni delajo z lokalnimi partnerji in ob koncu predstavijo svoje delo. \
             Prijave pregleda neodvisna žirija; organizator odgovarja na vprašanja po e-pošti.",
            spec.title_sl
        ),
    );
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
            countries: spec
                .destination
                .iter()
                .map(|c| Country::parse(c).expect("demo countries are valid"))
                .collect(),
            city: (!spec.online).then(|| spec.city.to_owned()),
            online: spec.online,
        },
        eligibility: Eligibility {
            nationalities: areas(spec.nationalities),
            residences: areas(spec.residences),
            career_stage: spec.stage,
            age_min: spec.max_age.map(|_| 18),
            age_max: spec.max_age,
        },
        opens_at,
        deadline,
        rolling: spec.deadline_in_days.is_none(),
        activity: Activity {
            starts_on: Some(activity_start),
            ends_on: Some(activity_start + Duration::days(duration - 1)),
            duration_min_days: Some(duration as i32),
            duration_max_days: Some(duration as i32),
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
