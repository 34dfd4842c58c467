//! `GET /api/v1/organizations` and `GET /api/v1/organizations/{id_or_slug}`.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::http::conditional::{self, NotModifiedResponse};
use crate::api::http::database;
use crate::db::Pool;
use crate::domain::geography::Country;
use crate::domain::vocabulary::OrganizationKind;
use crate::error::{ApiError, CommonErrors, GoneResponse, NotFoundResponse};
use crate::store::organizations::OrganizationFilter;
use crate::store::{self, StoreError};

use crate::api::http::pagination::{
    CursorScope, encode, next_url, page_request, page_response, set_of,
};
use crate::api::http::query::QueryParams;
use crate::api::public::codes::CountryCode;
use crate::api::public::views::OrganizationView;

/// A page of organizations.
#[derive(Serialize, ToSchema)]
pub struct OrganizationList {
    /// The organizations of this page.
    pub items: Vec<OrganizationView>,
    /// How many organizations match the query, on all pages.
    pub total: i64,
    /// The page size used.
    pub limit: i64,
    /// The cursor of the next page, or null on the last page. Pass it back as `cursor`
    /// with the same filters and `sort` (a cursor sent with another search is a 400).
    pub next: Option<String>,
    /// The next page's absolute URL (this request with `cursor` set), or null on the last
    /// page: follow it as it is.
    pub next_url: Option<String>,
}

/// List organizations, alphabetically by name.
#[utoipa::path(
    tag = "organizations",
    params(
        ("country" = Option<Vec<CountryCode>>, Query, max_items = 50, description = "Based in one of these countries."),
        ("kind" = Option<Vec<OrganizationKind>>, Query, max_items = 50, description = "Only these kinds."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "Page size, default 20."),
        ("cursor" = Option<String>, Query, min_length = 1, max_length = 1000, pattern = "^[A-Za-z0-9_-]+$", description = "The `next` value of the previous page, sent with the same filters (`next_url` is that request, ready to follow); with other filters it is a 400 naming `cursor`."),
    ),
    responses(
        (status = 200, description = "A page of organizations.", body = OrganizationList,
            headers(
                ("link" = String, description = "RFC 8288 link to the next page (`rel=\"next\"`), when there is one."),
                ("etag" = String, description = "A strong tag of this representation; send it in `If-None-Match` to get 304 while nothing changed."),
                ("last-modified" = String, description = "When the directory last changed, to the second."),
                ("cache-control" = String, description = "`public, max-age=60`."),
            )),
        NotModifiedResponse,
        CommonErrors,
    )
)]
#[get("/organizations")]
pub async fn list_organizations(
    req: HttpRequest,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    let mut params =
        QueryParams::parse_public(req.query_string(), &["country", "kind", "limit", "cursor"]);
    let filter = OrganizationFilter {
        countries: params.many(
            "country",
            "an ISO 3166-1 alpha-2 country code",
            Country::parse,
        ),
        kinds: params.many(
            "kind",
            "a known organization kind",
            OrganizationKind::from_slug,
        ),
    };
    let OrganizationFilter { countries, kinds } = &filter;
    let scope = CursorScope::new("organizations", &(set_of(countries), set_of(kinds)));
    let page = page_request(&mut params, &scope);
    params.finish()?;
    let page = page.map_err(|issue| ApiError::InvalidInput(vec![issue]))?;
    let now = Utc::now();
    let (result, modified) = database::run(&pool, move |conn| {
        let result = store::organizations::list(conn, &filter, page.after.as_ref(), page.limit)?;
        Ok((result, store::directory::last_modified(conn, now)?))
    })
    .await?;
    let next = result.next.map(|k| encode(&k, &scope));
    let mut response = page_response(&req, next.as_deref());
    let next_url = next_url(&req, next.as_deref());
    conditional::last_modified(&mut response, modified, now);
    Ok(response.json(OrganizationList {
        items: result.items.iter().map(OrganizationView::from).collect(),
        total: result.total,
        limit: page.limit,
        next,
        next_url,
    }))
}

/// One organization, by its id or its slug. A withdrawn organization answers 410 Gone.
#[utoipa::path(
    tag = "organizations",
    params(("id_or_slug" = String, Path, description = "The organization's UUID or slug.", example = "meseta-creative-fund")),
    responses(
        (status = 200, description = "The organization.", body = OrganizationView,
            headers(
                ("etag" = String, description = "The organization's version: it changes with every change to the organization, which is all this representation shows. Send it in `If-None-Match` to get 304, and in `If-Match` to change the organization. A compressed answer's tag ends in `-gzip` or `-br`, and serves the same."),
                ("last-modified" = String, description = "When the organization last changed, to the second."),
                ("cache-control" = String, description = "`public, max-age=60`."),
            )),
        NotModifiedResponse,
        NotFoundResponse,
        GoneResponse,
        CommonErrors,
    )
)]
#[get("/organizations/{id_or_slug}")]
pub async fn get_organization(
    req: HttpRequest,
    path: web::Path<String>,
    pool: web::Data<Pool>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse_public(req.query_string(), &[]).finish()?;
    let key = path.into_inner();
    let found = database::run(&pool, move |conn| {
        Ok(store::organizations::find(conn, &key))
    })
    .await?;
    match found {
        Ok(org) if !org.withdrawn => {
            let mut response = HttpResponse::Ok();
            conditional::last_modified(&mut response, org.updated_at, Utc::now());
            Ok(response
                .insert_header((
                    actix_web::http::header::ETAG,
                    crate::api::http::preconditions::etag(org.version),
                ))
                .json(OrganizationView::from(&org)))
        }
        Ok(_) => Err(ApiError::Gone(
            "this organization was withdrawn and is no longer listed".into(),
        )),
        Err(StoreError::NotFound) => Err(ApiError::NotFound(
            "no organization has this id or slug".into(),
        )),
        Err(e) => Err(e.into()),
    }
}
