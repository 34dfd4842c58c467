//! The list of opportunities in the formats other tools open: Atom for feed readers,
//! iCalendar for calendars, CSV for spreadsheets; and an entry, and the catalogue, as
//! schema.org JSON-LD. Every feed takes the list's filters, so any search is a URL
//! someone can subscribe to. Each format is reachable by `Accept` on the list and at an
//! explicit URL (`/api/v1/opportunities.ics`).

pub mod atom;
pub mod calendar;
pub mod linked_data;
pub mod table;
pub mod time_zones;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Duration, Utc};

use crate::api::http::conditional::{self, NotModifiedResponse};
use crate::api::http::database;
use crate::api::http::language;
use crate::api::http::media::{self, Format};
use crate::api::http::pagination::{PageRequest, page_request_up_to, page_response};
use crate::api::http::query::QueryParams;
use crate::api::public::listing::{self, ListQuery, LoadedPage};
use crate::app::PublicUrl;
use crate::db::Pool;
use crate::domain::opportunity::{Lang, Opportunity, Organization, Texts};
use crate::error::{ApiError, CommonErrors};
use crate::store;
use crate::store::opportunities::{Depth, Sort};

/// The formats `GET /api/v1/opportunities` is offered in, JSON first (the default).
pub const LIST_FORMATS: &[Format] = &[Format::Json, Format::Atom, Format::Calendar, Format::Csv];

/// The most entries one feed document holds; `limit` picks fewer, `cursor` continues.
pub const MAX_FEED_ENTRIES: i64 = 1000;

/// How long a withdrawn entry's deadline stays in calendars as cancelled.
pub fn cancellations_kept() -> Duration {
    Duration::days(90)
}

/// A feed's page size when `limit` is not given.
fn default_limit(format: Format) -> i64 {
    match format {
        Format::Atom => 50,
        _ => MAX_FEED_ENTRIES,
    }
}

/// The order of a feed when `sort` is not given: readers want what changed last, calendars
/// and tables the soonest deadline (or the best match, when searching).
fn default_sort(format: Format, searching: bool) -> Sort {
    match format {
        Format::Atom => Sort::Updated,
        _ => listing::default_sort(searching),
    }
}

/// A feed document's context: where links point, the language, the page.
pub struct Feed<'a> {
    /// `MOBILITY_PUBLIC_URL`.
    pub base: &'a str,
    /// This document's own URL (absolute).
    pub self_url: String,
    /// The next page's URL (absolute), if there is one.
    pub next_url: Option<String>,
    pub lang: Option<Lang>,
    pub modified: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

impl Feed<'_> {
    /// The public URL of an entry.
    pub fn entry_url(&self, o: &Opportunity) -> String {
        format!("{}/api/v1/opportunities/{}", self.base, o.slug)
    }

    /// A text in the feed's language, else in the other; without a language, English
    /// first.
    pub fn text<'t>(&self, texts: &'t Texts) -> &'t str {
        let first = self.lang.unwrap_or(Lang::En);
        texts
            .get(first)
            .or_else(|| texts.get(first.other()))
            .map_or("", String::as_str)
    }

    /// A phrase of the feed's own, in its language (English without one).
    pub fn say(&self, en: &'static str, sl: &'static str) -> &'static str {
        self.lang.unwrap_or(Lang::En).pick(en, sl)
    }
}

/// Answers a feed of the opportunity list in `format`: explicit URLs call it directly,
/// and the list calls it when `Accept` asks for the format (`negotiated`).
pub async fn answer(
    format: Format,
    req: &HttpRequest,
    pool: &web::Data<Pool>,
    negotiated: bool,
) -> Result<HttpResponse, ApiError> {
    // Asked for by `Accept` on the list, a feed takes the list's parameters; `facets`
    // counts for the JSON list only, so a feed ignores it. `bom` belongs to the table's
    // own URL only: the list does not take it.
    let takes_bom = format == Format::Csv && !negotiated;
    let known: Vec<&str> = listing::FILTER_PARAMS
        .iter()
        .copied()
        .chain(takes_bom.then_some("bom"))
        .chain(negotiated.then_some("facets"))
        .collect();
    let mut params = QueryParams::parse_public(req.query_string(), &known);
    if negotiated {
        params.ignore("facets");
    }
    let bom = takes_bom && params.boolean("bom").unwrap_or(false);
    let filter = listing::parse_filter(&mut params);
    let sort = listing::parse_sort(&mut params, default_sort(format, filter.text.is_some()));
    let lang = listing::language(req, &mut params);
    let scope = listing::cursor_scope(&filter, sort);
    let page = page_request_up_to(&mut params, &scope, default_limit(format), MAX_FEED_ENTRIES);
    params.finish()?;
    let page: PageRequest = page.map_err(|issue| ApiError::InvalidInput(vec![issue]))?;
    let base = req
        .app_data::<web::Data<PublicUrl>>()
        .map(|p| p.0.clone())
        .unwrap_or_default();
    let now = Utc::now();
    let first_page = page.after.is_none();
    let cancel_filter = (format == Format::Calendar && first_page).then(|| filter.clone());
    // The table carries every member, so that its rows import back whole.
    let depth = if format == Format::Csv {
        Depth::Full
    } else {
        Depth::Summary
    };
    let query = ListQuery {
        filter,
        sort,
        page,
        scope,
        facets: Vec::new(),
    };
    let loaded: LoadedPage = listing::load_page(req, pool, query, now, depth).await?;
    // Calendars hear of withdrawn deadlines: each comes once more, cancelled.
    let cancelled = match cancel_filter {
        Some(filter) => {
            database::run(pool, move |conn| {
                let since = now - cancellations_kept();
                let gone =
                    store::opportunities::withdrawn_since(conn, &filter, since, MAX_FEED_ENTRIES)?;
                let ids: Vec<String> = gone.iter().map(|o| o.organization_id.to_string()).collect();
                let orgs = store::organizations::find_many(conn, &ids)?;
                Ok(gone
                    .into_iter()
                    .filter_map(|o| {
                        let org = orgs.iter().find(|g| g.id == o.organization_id)?.clone();
                        Some((o, org))
                    })
                    .collect::<Vec<(Opportunity, Organization)>>())
            })
            .await?
        }
        None => Vec::new(),
    };
    let explicit = explicit_path(format);
    let self_url = absolute(&base, explicit, req.query_string());
    let next_url = loaded
        .next
        .as_deref()
        .map(|cursor| absolute(&base, explicit, &with_cursor(req.query_string(), cursor)));
    let feed = Feed {
        base: &base,
        self_url,
        next_url,
        lang,
        modified: loaded.modified,
        now,
    };
    let body = match format {
        Format::Atom => atom::render(&feed, &loaded.entries)?,
        Format::Calendar => calendar::render(&feed, &loaded.entries, &cancelled),
        Format::Csv => table::render(&feed, &loaded.entries, bom)?,
        Format::Json | Format::JsonLd => {
            return Err(ApiError::Internal(format!("{format:?} is not a feed")));
        }
    };
    let mut response = page_response(req, loaded.next.as_deref());
    language::mark(&mut response, lang);
    conditional::last_modified(&mut response, loaded.modified, now);
    if negotiated {
        media::mark(&mut response, format);
        response.insert_header((
            header::CONTENT_LOCATION,
            format!("{explicit}{}", query_suffix(req.query_string())),
        ));
    } else {
        response.insert_header((header::CONTENT_TYPE, format.content_type()));
    }
    if format == Format::Csv {
        response.insert_header((
            header::CONTENT_DISPOSITION,
            "inline; filename=\"opportunities.csv\"",
        ));
    }
    Ok(response.body(body))
}

fn explicit_path(format: Format) -> &'static str {
    match format {
        Format::Atom => "/api/v1/opportunities.atom",
        Format::Calendar => "/api/v1/opportunities.ics",
        Format::Csv => "/api/v1/opportunities.csv",
        Format::Json | Format::JsonLd => "/api/v1/opportunities",
    }
}

fn query_suffix(query: &str) -> String {
    if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    }
}

fn absolute(base: &str, path: &str, query: &str) -> String {
    format!("{base}{path}{}", query_suffix(query))
}

/// The same query with `cursor` set to the next page's.
fn with_cursor(query: &str, cursor: &str) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k != "cursor" {
            out.append_pair(&k, &v);
        }
    }
    out.append_pair("cursor", cursor);
    out.finish()
}

/// The filters of `GET /api/v1/opportunities`, for the feed operations' documentation.
macro_rules! feed_operation {
    ($name:ident, $path:literal, $format:expr, $media:literal, $summary:literal $(, $extra:tt)*) => {
        #[doc = $summary]
        #[utoipa::path(
            tag = "feeds",
            params(
                ("q" = Option<String>, Query, max_length = 300, pattern = "^[^\\u0000]*$", description = "Words to find, as for `GET /api/v1/opportunities`."),
                ("type" = Option<Vec<crate::domain::vocabulary::OpportunityType>>, Query, max_items = 50, description = "Only these types."),
                ("discipline" = Option<Vec<crate::domain::vocabulary::Discipline>>, Query, max_items = 50, description = "Open to any of these disciplines.", example = json!(["dance"])),
                ("covers" = Option<Vec<crate::domain::vocabulary::CoveredCost>>, Query, max_items = 50, description = "Covers every one of these costs."),
                ("eligible_country" = Option<Vec<crate::api::public::codes::AreaCode>>, Query, max_items = 50, description = "Open to a national of, or resident in, this country or region.", example = json!(["SI"])),
                ("nationality" = Option<Vec<crate::api::public::codes::AreaCode>>, Query, max_items = 50, description = "Open to a national of this country or region."),
                ("residence" = Option<Vec<crate::api::public::codes::AreaCode>>, Query, max_items = 50, description = "Open to a resident of this country or region."),
                ("destination_country" = Option<Vec<crate::api::public::codes::AreaCode>>, Query, max_items = 50, description = "Takes place in this country or region."),
                ("deadline_after" = Option<String>, Query, format = DateTime, description = "Deadline at or after this instant."),
                ("deadline_before" = Option<String>, Query, format = DateTime, description = "Deadline strictly before this instant."),
                ("status" = Option<Vec<crate::domain::status::Status>>, Query, max_items = 50, description = "Only these computed statuses; default: upcoming, open, closing_soon, rolling."),
                ("free_to_apply" = Option<bool>, Query, description = "`true`: no application fee; `false`: only calls with a fee."),
                ("min_amount" = Option<i64>, Query, minimum = 0, maximum = 1_000_000_000_000_i64, description = "The largest amount offered is at least this."),
                ("career_stage" = Option<Vec<crate::domain::vocabulary::CareerStage>>, Query, max_items = 50, description = "Aimed at this career stage."),
                ("organization" = Option<String>, Query, pattern = "^[A-Za-z0-9-]{1,120}$", description = "Offered by this organization (id or slug)."),
                ("updated_since" = Option<String>, Query, format = DateTime, description = "Changed at or after this instant."),
                ("sort" = Option<crate::api::public::opportunities::SortOrder>, Query, description = "As for the list; by default `updated` for Atom, else `deadline` (or `relevance` with `q`)."),
                ("limit" = Option<i64>, Query, minimum = 1, maximum = 1000, description = "Entries per document: default 50 for Atom, 1000 for the others."),
                ("lang" = Option<Lang>, Query, example = "sl", description = "Texts and the feed's own words in this language; overrides `Accept-Language`."),
                ("cursor" = Option<String>, Query, min_length = 1, max_length = 1000, pattern = "^[A-Za-z0-9_-]+$", description = "The next page, from the `Link` header (Atom also links it)."),
                $($extra,)*
            ),
            responses(
                (status = 200, description = $summary, content_type = $media, body = String,
                    headers(
                        ("link" = String, description = "RFC 8288 link to the next page, when there is one."),
                        ("etag" = String, description = "A strong tag of this representation."),
                        ("last-modified" = String, description = "When the directory last changed, to the second."),
                        ("cache-control" = String, description = "`public, max-age=60`."),
                    )),
                NotModifiedResponse,
                CommonErrors,
            )
        )]
        #[get($path)]
        pub async fn $name(req: HttpRequest, pool: web::Data<Pool>) -> Result<HttpResponse, ApiError> {
            answer($format, &req, &pool, false).await
        }
    };
}

feed_operation!(
    opportunities_atom,
    "/opportunities.atom",
    Format::Atom,
    "application/atom+xml",
    "The list as an Atom 1.0 feed (RFC 4287): newly published and changed entries, latest change first. Entry ids (`urn:uuid:…`) never change; `updated` is the entry's last change."
);
feed_operation!(
    opportunities_ics,
    "/opportunities.ics",
    Format::Calendar,
    "text/calendar",
    "The deadlines of the list as an iCalendar feed (RFC 5545): one event per deadline in the deadline's own time zone (with its VTIMEZONE), reminders 7 days and 1 day before, a UID that never changes and a SEQUENCE that grows with every edit, so subscribed calendars update in place. A deadline withdrawn in the last 90 days stays, cancelled."
);
feed_operation!(
    opportunities_csv,
    "/opportunities.csv",
    Format::Csv,
    "text/csv",
    "The list as CSV (RFC 4180): UTF-8, one header row, one row per entry, in the columns the import reads (listed in the README), so that an exported table, edited, imports back onto the same entries: `id` and `version` identify each row's entry, and `url`, `status`, `organization_name`, `published_at` and `updated_at` are read-only. Multi-valued columns join their values with `;`; `nationalities` and `residences` say `any` when every country is eligible; a cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`) is prefixed with `'`, which the import takes off.",
    ("bom" = Option<bool>, Query, description = "`true` starts the file with a UTF-8 byte order mark, so that Excel on Windows shows č, š and ž.")
);
