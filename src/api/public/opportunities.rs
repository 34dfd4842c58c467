//! `GET /api/v1/opportunities` and `GET /api/v1/opportunities/{id_or_slug}`.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::http::conditional::{self, NotModifiedResponse};
use crate::api::http::database;
use crate::api::http::language;
use crate::api::http::media::{self, Format};
use crate::api::http::response_cache;
use crate::api::public::feeds::{self, linked_data};
use crate::api::public::listing;
use crate::app::PublicUrl;
use crate::db::Pool;
use crate::domain::geography::Country;
use crate::domain::opportunity::Lang;
use crate::domain::status::Status;
use crate::domain::vocabulary::{
    CareerStage, CoveredCost, Discipline, OpportunityType, WorkflowState,
};
use crate::error::{ApiError, CommonErrors, GoneResponse, NotAcceptableResponse, NotFoundResponse};
use crate::store::facets::{Counts, Facet};
use crate::store::{self, StoreError};

use crate::api::http::pagination::{next_url, page_request, page_response};
use crate::api::http::query::QueryParams;
use crate::api::public::codes::AreaCode;
use crate::api::public::views::{OpportunitySummary, OpportunityView, PublicChange, name_in};
use crate::domain::changes::NOTABLE_AFTER_PUBLICATION;
use crate::store::opportunities::Depth;
use crate::store::revisions::Revision;

/// A page of opportunities.
#[derive(Serialize, ToSchema)]
pub struct OpportunityList {
    /// The opportunities of this page.
    pub items: Vec<OpportunitySummary>,
    /// How many opportunities match the query, on all pages.
    pub total: i64,
    /// The page size used.
    pub limit: i64,
    /// The cursor of the next page, or null on the last page. Pass it back as `cursor`
    /// with the same filters and `sort` (a cursor sent with another search is a 400).
    pub next: Option<String>,
    /// The next page's absolute URL (this request with `cursor` set), or null on the last
    /// page: follow it as it is.
    pub next_url: Option<String>,
    /// With `facets` only: the counts asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<FacetCounts>,
}

/// A property of opportunities that `facets` can count.
#[derive(ToSchema, Clone, Copy, PartialEq)]
#[schema(rename_all = "snake_case")]
pub enum FacetName {
    Type,
    Discipline,
    DestinationCountry,
    Covers,
    CareerStage,
    Status,
}

impl FacetName {
    /// How many facets there are: `facets` takes at most as many values, repeats included.
    const COUNT: usize = 6;

    fn parse(v: &str) -> Option<Facet> {
        Some(match v {
            "type" => Facet::Type,
            "discipline" => Facet::Discipline,
            "destination_country" => Facet::DestinationCountry,
            "covers" => Facet::Covers,
            "career_stage" => Facet::CareerStage,
            "status" => Facet::Status,
            _ => return None,
        })
    }
}

/// How many matches have one value of a facet.
#[derive(Serialize, ToSchema)]
pub struct FacetValue {
    /// The slug or country code, as the matching filter takes it.
    #[schema(example = "residency")]
    pub value: String,
    /// How many matches have this value.
    #[schema(example = 12)]
    pub count: i64,
    /// With `lang` or `Accept-Language` only: the value's name in that language.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Rezidenca")]
    pub name: Option<String>,
}

/// Counts of the current matches by value, most first, for each facet asked for. Each
/// facet is counted as if its own filter were not set (disjunctive faceting): with
/// `type=residency`, the `type` counts still show every type the other filters leave,
/// so a menu can offer them all. A value no match has is left out rather than given as 0.
/// The `status` counts cover every status, `closed` included, whatever `status` asks for.
#[derive(Serialize, ToSchema, Default)]
pub struct FacetCounts {
    /// By type, ignoring `type`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Vec<FacetValue>>,
    /// By discipline, ignoring `discipline`; an entry counts once for each of its disciplines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discipline: Option<Vec<FacetValue>>,
    /// By destination country code, ignoring `destination_country`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_country: Option<Vec<FacetValue>>,
    /// By covered cost, ignoring `covers`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub covers: Option<Vec<FacetValue>>,
    /// By the stage an entry names, ignoring `career_stage` (which also finds `any`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub career_stage: Option<Vec<FacetValue>>,
    /// By computed status, over every status whatever `status` asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Vec<FacetValue>>,
}

/// The name of a facet value in `lang`.
fn facet_value_name(facet: Facet, value: &str, lang: Lang) -> Option<String> {
    let (en, sl) = match facet {
        Facet::Type => OpportunityType::from_slug(value).map(|v| (v.name_en(), v.name_sl()))?,
        Facet::Discipline => Discipline::from_slug(value).map(|v| (v.name_en(), v.name_sl()))?,
        Facet::DestinationCountry => Country::parse(value).map(|v| (v.name_en(), v.name_sl()))?,
        Facet::Covers => CoveredCost::from_slug(value).map(|v| (v.name_en(), v.name_sl()))?,
        Facet::CareerStage => CareerStage::from_slug(value).map(|v| (v.name_en(), v.name_sl()))?,
        Facet::Status => Status::from_slug(value).map(|v| (v.name_en(), v.name_sl()))?,
    };
    Some(name_in(lang, en, sl))
}

fn facet_counts(counted: Vec<(Facet, Counts)>, lang: Option<Lang>) -> FacetCounts {
    let mut out = FacetCounts::default();
    for (facet, counts) in counted {
        let values = counts
            .into_iter()
            .map(|(value, count)| FacetValue {
                name: lang.and_then(|l| facet_value_name(facet, &value, l)),
                value,
                count,
            })
            .collect();
        let slot = match facet {
            Facet::Type => &mut out.kind,
            Facet::Discipline => &mut out.discipline,
            Facet::DestinationCountry => &mut out.destination_country,
            Facet::Covers => &mut out.covers,
            Facet::CareerStage => &mut out.career_stage,
            Facet::Status => &mut out.status,
        };
        *slot = Some(values);
    }
    out
}

/// The order of an opportunity list.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)] // describes the `sort` parameter for the OpenAPI document
pub enum SortOrder {
    Relevance,
    Deadline,
    DeadlineDesc,
    Newest,
    Updated,
}

/// List published opportunities.
///
/// By default the list holds what can still be applied for (`upcoming`, `open`,
/// `closing_soon`, `rolling`), soonest deadline first; ask for `status=closed` to
/// browse the archive. Several values of one filter match any of them (except
/// `covers`, where every named cost must be covered); different filters combine.
/// Repeat a parameter (`type=residency&type=fellowship`) or separate values with commas;
/// each takes at most 50 values, and repeated values are merged.
#[utoipa::path(
    tag = "opportunities",
    params(
        ("q" = Option<String>, Query, max_length = 300, pattern = "^[^\\u0000]*$", example = "rezidenca keramika", description = "Words to find in the title, summary and description (both languages) and the organizer's name. Every word must match; `\"quoted words\"` must match in this order; `-word` excludes; `or` between two terms accepts either. Accents are ignored both ways (`crna` finds `Črna`). Each word of three letters or more also finds longer words starting with it, after a common Slovenian or English ending is cut off (`keramiko` finds `keramika` and `keramike`, `residencies` finds `residency`), so the last word can be half-typed. A blank `q`, or one without any letter or digit, searches nothing; exclusions alone list everything without them. At most 300 characters; words past the 32nd are ignored."),
        ("type" = Option<Vec<OpportunityType>>, Query, max_items = 50, description = "Only these types."),
        ("discipline" = Option<Vec<Discipline>>, Query, max_items = 50, description = "Open to any of these disciplines."),
        ("covers" = Option<Vec<CoveredCost>>, Query, max_items = 50, description = "Covers every one of these costs."),
        ("eligible_country" = Option<Vec<AreaCode>>, Query, max_items = 50, description = "Open to someone who is a national of, or resident in, this country or region (ISO 3166-1 alpha-2 code, or `eu`, `eea`, `creative_europe`, `western_balkans`). Calls naming a region match its countries, and calls without nationality or residence rules match everyone.", example = json!(["SI"])),
        ("nationality" = Option<Vec<AreaCode>>, Query, max_items = 50, description = "Open to a national of this country or region. Combined with `residence`, matches calls open to the applicant by either route."),
        ("residence" = Option<Vec<AreaCode>>, Query, max_items = 50, description = "Open to a resident of this country or region."),
        ("destination_country" = Option<Vec<AreaCode>>, Query, max_items = 50, description = "Takes place in this country, or in a country of this region."),
        ("deadline_after" = Option<String>, Query, format = DateTime, description = "Deadline at or after this instant (RFC 3339; a bare date means 00:00 UTC). Excludes calls without a deadline."),
        ("deadline_before" = Option<String>, Query, format = DateTime, description = "Deadline strictly before this instant. Excludes calls without a deadline."),
        ("status" = Option<Vec<Status>>, Query, max_items = 50, description = "Only these computed statuses; default: upcoming, open, closing_soon, rolling."),
        ("free_to_apply" = Option<bool>, Query, description = "`true`: no application fee; `false`: only calls with a fee."),
        ("min_amount" = Option<i64>, Query, minimum = 0, maximum = 1_000_000_000_000_i64, description = "The largest amount offered is at least this, in the call's own currency."),
        ("career_stage" = Option<Vec<CareerStage>>, Query, max_items = 50, description = "Aimed at this career stage; calls for `any` stage always match."),
        ("organization" = Option<String>, Query, pattern = "^[A-Za-z0-9-]{1,120}$", description = "Offered by this organization (id or slug)."),
        ("updated_since" = Option<String>, Query, format = DateTime, description = "Changed at or after this instant."),
        ("sort" = Option<SortOrder>, Query, description = "`relevance` (best match first; the default with `q`, and the same as `deadline` without it), `deadline` (soonest first, the default without `q`; calls without a deadline last), `deadline_desc` (latest deadline first: the archive's most recently closed first; calls without a deadline first), `newest` (latest published first, whatever the deadline) or `updated` (latest change first)."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "Page size, default 20."),
        ("facets" = Option<Vec<FacetName>>, Query, max_items = 6, example = json!(["type", "discipline", "status"]), description = "Count the matches by these properties, for filter menus; see `facets` in the answer. Each facet is counted without its own filter."),
        ("lang" = Option<Lang>, Query, example = "sl", description = "Serve the texts in this language (falling back to the other, marked, where a translation is missing) and add the names of types, statuses, disciplines, countries and costs in it. Overrides `Accept-Language`; without either, texts come in both languages."),
        ("cursor" = Option<String>, Query, min_length = 1, max_length = 1000, pattern = "^[A-Za-z0-9_-]+$", description = "The `next` value of the previous page, sent with the same filters and `sort` (`next_url` is that request, ready to follow). It names the last entry seen, so no entry is lost or repeated; with other filters or another `sort` it is a 400 naming `cursor`."),
    ),
    responses(
        (status = 200, description = "A page of opportunities, in JSON (the default). When `Accept` prefers `application/atom+xml`, `text/calendar` or `text/csv`, the answer is the same list as that feed, exactly as the explicit URLs `/api/v1/opportunities.atom`, `.ics` and `.csv` serve and document it, with `Content-Location` naming that URL (and `facets`, which only the JSON list counts, ignored).",
            content(
                (OpportunityList = "application/json"),
            ),
            headers(
                ("link" = String, description = "RFC 8288 link to the next page (`rel=\"next\"`), when there is one."),
                ("etag" = String, description = "A strong tag of this representation (body, media type and language); send it in `If-None-Match` to get 304 while nothing changed. A compressed answer's tag ends in `-gzip` or `-br`."),
                ("last-modified" = String, description = "When this representation last changed (an edit, a rename of the organizer, a status changing at a date), to the second; left out during the second of a change. `If-Modified-Since` gets 304 when it is not newer."),
                ("cache-control" = String, description = "`public, max-age=60`: caches may reuse the answer for a minute, then revalidate."),
                ("content-language" = String, description = "`sl` or `en` when a language was asked for, else `en, sl`."),
                ("vary" = String, description = "`Accept, Accept-Language, Accept-Encoding`: every request header the answer depends on, in one header."),
            )),
        NotModifiedResponse,
        NotAcceptableResponse,
        CommonErrors,
    )
)]
#[get("/opportunities")]
pub async fn list_opportunities(
    req: HttpRequest,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let format = media::negotiate(&req, feeds::LIST_FORMATS)?;
    if format != Format::Json {
        return feeds::answer(format, &req, &pool, true).await;
    }
    let known = [listing::FILTER_PARAMS, &["facets"]].concat();
    let mut params = QueryParams::parse_public(req.query_string(), &known);
    let filter = listing::parse_filter(&mut params);
    let sort = listing::parse_sort(&mut params, listing::default_sort(filter.text.is_some()));
    let facets = params.many_up_to(
        "facets",
        FacetName::COUNT,
        "one of type, discipline, destination_country, covers, career_stage, status",
        FacetName::parse,
    );
    let lang = listing::language(&req, &mut params);
    let scope = listing::cursor_scope(&filter, sort);
    let page = page_request(&mut params, &scope);
    params.finish()?;
    let page = page.map_err(|issue| ApiError::InvalidInput(vec![issue]))?;

    let now = Utc::now();
    let text = filter.text.clone();
    let counting = !facets.is_empty();
    let page_limit = page.limit;
    let query = listing::ListQuery {
        filter,
        sort,
        page,
        scope,
        facets,
    };
    let mut loaded = listing::load_page(&req, &pool, query, now, Depth::Summary).await?;
    let ids: Vec<String> = loaded
        .entries
        .iter()
        .map(|(o, _)| o.id.to_string())
        .collect();
    let mut snippets: HashMap<String, _> = match text {
        Some(text) => {
            database::run(&pool, move |conn| {
                Ok(store::search::documents(conn, &ids)?
                    .into_iter()
                    .filter_map(|(id, doc)| text.snippet(&doc, lang).map(|s| (id, s)))
                    .collect())
            })
            .await?
        }
        None => HashMap::new(),
    };
    let counted = counting.then(|| std::mem::take(&mut loaded.facets));
    let items = loaded
        .entries
        .iter()
        .map(|(o, org)| {
            let mut summary: OpportunitySummary = OpportunityView::new(o, org, now, lang).into();
            summary.snippet = snippets.remove(&o.id.to_string()).map(Into::into);
            summary
        })
        .collect();
    let mut response = page_response(&req, loaded.next.as_deref());
    language::mark(&mut response, lang);
    media::mark(&mut response, Format::Json);
    conditional::last_modified(&mut response, loaded.modified, now);
    Ok(response.json(OpportunityList {
        items,
        total: loaded.total,
        limit: page_limit,
        next_url: next_url(&req, loaded.next.as_deref()),
        next: loaded.next,
        facets: counted.map(|c| facet_counts(c, lang)),
    }))
}

/// The notable field changes recorded after the entry was first published.
fn changes_after_publication(
    o: &crate::domain::opportunity::Opportunity,
    revisions: &[Revision],
) -> Vec<PublicChange> {
    let Some(published) = o.published_at else {
        return Vec::new();
    };
    revisions
        .iter()
        .filter(|r| r.created_at > published && matches!(r.action.as_str(), "updated" | "imported"))
        .flat_map(|r| {
            r.changes
                .iter()
                .filter(|c| NOTABLE_AFTER_PUBLICATION.contains(&c.field.as_str()))
                .map(|c| PublicChange {
                    field: c.field.clone(),
                    from: c.from.clone(),
                    to: c.to.clone(),
                    changed_at: r.created_at,
                })
        })
        .collect()
}

/// One opportunity, by its id or its slug; closed calls stay available as the archive.
/// An entry that staff archived or withdrew after publishing it answers 410 Gone.
#[utoipa::path(
    tag = "opportunities",
    params(
        ("id_or_slug" = String, Path, description = "The opportunity's UUID or slug.", example = "castile-ceramics-residency"),
        ("lang" = Option<Lang>, Query, example = "sl", description = "Serve the texts in this language (falling back to the other, marked, where a translation is missing) and add the names of the vocabulary in it. Overrides `Accept-Language`; without either, texts come in both languages."),
        ("format" = Option<String>, Query, pattern = "^(json|jsonld)$", description = "`jsonld`: the entry as a schema.org `MonetaryGrant` in JSON-LD, as `Accept: application/ld+json` asks; `json` (the default): this API's own representation. Overrides `Accept`."),
    ),
    responses(
        (status = 200, description = "The opportunity: this API's representation, or a schema.org `MonetaryGrant` (JSON-LD) when `Accept` or `format` asks for it.",
            content(
                (OpportunityView = "application/json"),
                (Object = "application/ld+json"),
            ),
            headers(
                ("etag" = String, description = "A strong tag of this representation (body, media type and language); send it in `If-None-Match` to get 304 while nothing changed. A compressed answer's tag ends in `-gzip` or `-br`."),
                ("last-modified" = String, description = "When this representation last changed (an edit, a rename of the organizer, a status changing at a date), to the second; left out during the second of a change. `If-Modified-Since` gets 304 when it is not newer."),
                ("cache-control" = String, description = "`public, max-age=60`: caches may reuse the answer for a minute, then revalidate."),
                ("content-language" = String, description = "`sl` or `en` when a language was asked for, else `en, sl`."),
                ("vary" = String, description = "`Accept, Accept-Language, Accept-Encoding`: every request header the answer depends on, in one header."),
            )),
        NotModifiedResponse,
        NotFoundResponse,
        NotAcceptableResponse,
        GoneResponse,
        CommonErrors,
    )
)]
#[get("/opportunities/{id_or_slug}")]
pub async fn get_opportunity(
    req: HttpRequest,
    path: web::Path<String>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::parse_public(req.query_string(), &["lang", "format"]);
    let lang = listing::language(&req, &mut params);
    let asked = params.one("format", "json or jsonld", |v| match v {
        "json" => Some(Format::Json),
        "jsonld" => Some(Format::JsonLd),
        _ => None,
    });
    params.finish()?;
    let format = match asked {
        Some(format) => format,
        None => media::negotiate(&req, &[Format::Json, Format::JsonLd])?,
    };
    let key = path.into_inner();
    let now = Utc::now();
    let (o, org, revisions) = database::run(&pool, move |conn| {
        let opportunity = match store::opportunities::find_any(conn, &key) {
            Err(StoreError::NotFound) => return Err(unknown_opportunity()),
            found => found?,
        };
        if opportunity.state != WorkflowState::Published {
            return Err(if opportunity.left_public_view() {
                ApiError::Gone(
                    "this opportunity was archived or withdrawn and is no longer listed".into(),
                )
            } else {
                unknown_opportunity()
            });
        }
        let organization =
            store::organizations::find(conn, &opportunity.organization_id.to_string())?;
        let revisions = store::revisions::list(conn, "opportunity", &opportunity.id.to_string())?;
        Ok::<_, ApiError>((opportunity, organization, revisions))
    })
    .await?;
    let changed = [
        Some(o.updated_at),
        Some(org.updated_at),
        o.schedule().last_change(now),
    ];
    let mut response = HttpResponse::Ok();
    // It shows this entry, its organizer (a change to which is logged as a change of the
    // entry) and its history, nothing else.
    response
        .extensions_mut()
        .insert(response_cache::DependsOn(o.id.to_string()));
    language::mark(&mut response, lang);
    if asked.is_none() {
        media::mark(&mut response, format);
    }
    if let Some(at) = changed.into_iter().flatten().max() {
        conditional::last_modified(&mut response, at, now);
    }
    if format == Format::JsonLd {
        let base = req
            .app_data::<web::Data<PublicUrl>>()
            .map(|p| p.0.clone())
            .unwrap_or_default();
        let grant = linked_data::grant(&base, &o, &org, lang);
        return Ok(response
            .insert_header((
                actix_web::http::header::CONTENT_TYPE,
                Format::JsonLd.content_type(),
            ))
            .body(grant.to_string()));
    }
    let mut view = OpportunityView::new(&o, &org, now, lang);
    view.changes = Some(changes_after_publication(&o, &revisions));
    Ok(response.json(view))
}

fn unknown_opportunity() -> ApiError {
    ApiError::NotFound("no opportunity has this id or slug".into())
}
