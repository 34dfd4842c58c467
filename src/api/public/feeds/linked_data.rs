//! Schema.org JSON-LD: an entry as a `MonetaryGrant`, and the catalogue as a `Dataset`.
//!
//! Schema.org has no type for an open call, and Google offers no rich result for grants;
//! marking calls up as `Event` or `JobPosting` would break its guidelines. So an entry
//! is a `MonetaryGrant`: its `funder` an `Organization`, its `amount` a `MonetaryAmount`
//! in the call's currency, its deadline the `endTime` of an `ApplyAction`, and where the
//! activity happens a `Place` it is `about`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::api::http::conditional::{self, NotModifiedResponse};
use crate::api::http::database;
use crate::api::http::media::Format;
use crate::api::http::query::QueryParams;
use crate::app::PublicUrl;
use crate::db::Pool;
use crate::domain::opportunity::{Lang, Opportunity, Organization};
use crate::error::{ApiError, CommonErrors};
use crate::store;

const CONTEXT: &str = "https://schema.org";

fn text_in(texts: &crate::domain::opportunity::Texts, lang: Option<Lang>) -> Value {
    match lang {
        Some(lang) => texts
            .get(lang)
            .or_else(|| texts.get(lang.other()))
            .map_or(Value::Null, |t| json!(t)),
        // Both languages, each tagged.
        None => Value::Array(
            [Lang::En, Lang::Sl]
                .into_iter()
                .filter_map(|l| Some(json!({"@value": texts.get(l)?, "@language": l.code()})))
                .collect(),
        ),
    }
}

/// An entry as a schema.org `MonetaryGrant`.
pub fn grant(base: &str, o: &Opportunity, org: &Organization, lang: Option<Lang>) -> Value {
    let url = format!("{base}/api/v1/opportunities/{}", o.slug);
    let mut grant = json!({
        "@context": CONTEXT,
        "@type": "MonetaryGrant",
        "@id": url,
        "url": url,
        "identifier": [o.id.to_string(), o.slug],
        "name": text_in(&o.title, lang),
        "description": text_in(&o.summary, lang),
        // A grant has no dates of its own in schema.org: they are the page's, which is
        // about the grant.
        "subjectOf": {
            "@type": "WebPage",
            "url": url,
            "dateModified": o.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        },
        "funder": {
            "@type": "Organization",
            "@id": format!("{base}/api/v1/organizations/{}", org.slug),
            "name": org.name,
            "address": {"@type": "PostalAddress", "addressCountry": org.country.code()},
        },
    });
    if let Some(website) = &org.website {
        grant["funder"]["url"] = json!(website);
    }
    if let Some(city) = &org.city {
        grant["funder"]["address"]["addressLocality"] = json!(city);
    }
    if let Some(published) = o.published_at {
        grant["subjectOf"]["datePublished"] =
            json!(published.to_rfc3339_opts(SecondsFormat::Secs, true));
    }
    if let Some(funding) = &o.funding {
        let mut amount = json!({"@type": "MonetaryAmount", "currency": funding.currency.code()});
        match (funding.min, funding.max) {
            (Some(min), Some(max)) if min == max => amount["value"] = json!(max),
            (min, max) => {
                if let Some(min) = min {
                    amount["minValue"] = json!(min);
                }
                if let Some(max) = max {
                    amount["maxValue"] = json!(max);
                }
            }
        }
        grant["amount"] = amount;
    }
    let mut apply = json!({"@type": "ApplyAction"});
    if let Some(target) = &o.application_url {
        apply["target"] = json!(target);
    }
    if let Some(opens) = o.opens_at {
        apply["startTime"] = json!(opens.to_rfc3339_opts(SecondsFormat::Secs, true));
    }
    if let Some(deadline) = o.deadline {
        apply["endTime"] = json!(deadline.local().to_rfc3339_opts(SecondsFormat::Secs, true));
    }
    grant["potentialAction"] = apply;
    let places: Vec<Value> = o
        .destination
        .countries
        .iter()
        .map(|country| {
            let mut address = json!({"@type": "PostalAddress", "addressCountry": country.code()});
            if let Some(city) = &o.destination.city {
                address["addressLocality"] = json!(city);
            }
            json!({"@type": "Place", "address": address})
        })
        .collect();
    // Where the stay or project takes place: what the page about the grant covers.
    if !places.is_empty() {
        grant["subjectOf"]["spatialCoverage"] = json!(places);
    }
    grant
}

/// The licence the directory's data is published under: Creative Commons Attribution 4.0,
/// so partners may mirror and republish it, naming the source.
pub const DATA_LICENSE: &str = "https://creativecommons.org/licenses/by/4.0/";

/// The whole catalogue as a schema.org `Dataset`, with its downloads.
pub fn dataset(base: &str, modified: chrono::DateTime<Utc>, published: i64) -> Value {
    let download = |format: Format, path: &str, name: &str| {
        json!({
            "@type": "DataDownload",
            "encodingFormat": format.media_type(),
            "contentUrl": format!("{base}{path}"),
            "name": name,
        })
    };
    json!({
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": format!("{base}/api/v1/dataset"),
        "url": format!("{base}/api/v1/opportunities"),
        "name": "International mobility: open calls, residencies and funding",
        "description": "The curated directory of open calls, artist residencies and mobility funding for the cultural and creative sectors, in English and Slovenian. Each download takes the filters of the list (`type`, `discipline`, `eligible_country`, `q`, …) and pages with `cursor` (see the `Link` header).",
        "inLanguage": ["en", "sl"],
        "isAccessibleForFree": true,
        "license": DATA_LICENSE,
        "creator": {"@type": "Organization", "name": "mobility-directory", "url": base},
        "dateModified": modified.to_rfc3339_opts(SecondsFormat::Secs, true),
        "size": format!("{published} published entries"),
        "variableMeasured": ["type", "status", "deadline", "disciplines", "destination", "eligibility", "funding"],
        "distribution": [
            download(Format::Json, "/api/v1/opportunities?limit=100", "JSON, 100 entries a page"),
            download(Format::Csv, "/api/v1/opportunities.csv", "CSV, 1000 entries a page"),
            download(Format::Atom, "/api/v1/opportunities.atom", "Atom feed of the latest changes"),
            download(Format::Calendar, "/api/v1/opportunities.ics", "iCalendar feed of the deadlines"),
        ],
    })
}

/// The catalogue as a schema.org `Dataset` (JSON-LD): what it holds and where to
/// download it in each format.
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "The catalogue as a schema.org `Dataset`.", content_type = "application/ld+json", body = Object,
            headers(
                ("etag" = String, description = "A strong tag of this representation."),
                ("last-modified" = String, description = "When the directory last changed, to the second."),
            )),
        NotModifiedResponse,
        CommonErrors,
    )
)]
#[get("/dataset")]
pub async fn catalogue(
    req: HttpRequest,
    pool: web::Data<Pool>,
    base: web::Data<PublicUrl>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse_public(req.query_string(), &[]).finish()?;
    let now = Utc::now();
    let (modified, published) = database::run(&pool, move |conn| {
        Ok((
            store::directory::last_modified(conn, now)?,
            store::opportunities::count_published(conn)?,
        ))
    })
    .await?;
    let mut response = HttpResponse::Ok();
    conditional::last_modified(&mut response, modified, now);
    response.insert_header((header::CONTENT_TYPE, Format::JsonLd.content_type()));
    Ok(response.body(dataset(&base.0, modified, published).to_string()))
}
