//! `GET /api/v1/taxonomies` and `GET /api/v1/taxonomies/{name}`: the closed vocabularies.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::geography::{Country, Region};
use crate::domain::iso_tables::{CURRENCIES, LANGUAGES};
use crate::domain::status::Status;
use crate::domain::vocabulary::{
    CareerStage, CoveredCost, Discipline, OpportunityType, OrganizationKind,
};
use crate::error::{ApiError, NotFoundResponse, Problem};

use crate::api::http::conditional::NotModifiedResponse;
use crate::api::http::query::QueryParams;

/// The name of a term in English and Slovenian.
#[derive(Serialize, ToSchema)]
pub struct TermName {
    /// The English name.
    pub en: String,
    /// The Slovenian name.
    pub sl: String,
}

/// One term of a vocabulary.
#[derive(Serialize, ToSchema)]
pub struct Term {
    /// The stable code used in the API: a slug, or an ISO code for countries, currencies and languages.
    pub slug: String,
    /// The term's names in English and Slovenian.
    pub name: TermName,
    /// For regions only: the country codes the region expands to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct Taxonomy {
    /// The vocabulary's name.
    pub name: String,
    /// Its terms, in a stable order.
    pub terms: Vec<Term>,
}

#[derive(Serialize, ToSchema)]
pub struct TaxonomyIndex {
    /// The names to pass to `/taxonomies/{name}`.
    pub names: Vec<String>,
}

const NAMES: &[&str] = &[
    "types",
    "disciplines",
    "covered_costs",
    "career_stages",
    "organization_kinds",
    "statuses",
    "countries",
    "regions",
    "currencies",
    "languages",
];

/// The name of a vocabulary.
pub struct TaxonomyName;

impl utoipa::PartialSchema for TaxonomyName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(NAMES.iter().copied()))
            .into()
    }
}

impl ToSchema for TaxonomyName {}

fn term(slug: &str, en: &str, sl: &str) -> Term {
    Term {
        slug: slug.to_owned(),
        name: TermName {
            en: en.to_owned(),
            sl: sl.to_owned(),
        },
        countries: None,
    }
}

macro_rules! vocabulary_terms {
    ($t:ty) => {
        <$t>::ALL
            .iter()
            .map(|v| term(v.slug(), v.name_en(), v.name_sl()))
            .collect()
    };
}

fn terms(name: &str) -> Option<Vec<Term>> {
    Some(match name {
        "types" => vocabulary_terms!(OpportunityType),
        "disciplines" => vocabulary_terms!(Discipline),
        "covered_costs" => vocabulary_terms!(CoveredCost),
        "career_stages" => vocabulary_terms!(CareerStage),
        "organization_kinds" => vocabulary_terms!(OrganizationKind),
        "statuses" => vocabulary_terms!(Status),
        "countries" => Country::all()
            .map(|c| term(c.code(), c.name_en(), c.name_sl()))
            .collect(),
        "regions" => Region::ALL
            .iter()
            .map(|r| Term {
                countries: Some(r.countries().iter().map(|c| c.code().to_owned()).collect()),
                ..term(r.slug(), r.name_en(), r.name_sl())
            })
            .collect(),
        "currencies" => CURRENCIES
            .iter()
            .map(|(c, en, sl)| term(c, en, sl))
            .collect(),
        "languages" => LANGUAGES
            .iter()
            .map(|(c, en, sl)| term(c, en, sl))
            .collect(),
        _ => return None,
    })
}

/// The names of the vocabularies.
#[utoipa::path(
    tag = "taxonomies",
    responses(
        (status = 200, description = "The vocabulary names.", body = TaxonomyIndex,
            headers(
                ("etag" = String, description = "A strong tag of this representation; send it in `If-None-Match` to get 304 while nothing changed."),
                ("cache-control" = String, description = "`public, max-age=60`."),
            )),
        NotModifiedResponse,
        (status = 400, description = "A query parameter was given; this operation takes none.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/taxonomies")]
pub async fn list_taxonomies(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    QueryParams::parse_public(req.query_string(), &[]).finish()?;
    Ok(HttpResponse::Ok().json(TaxonomyIndex {
        names: NAMES.iter().map(|n| n.to_string()).collect(),
    }))
}

/// One vocabulary with its terms in English and Slovenian.
#[utoipa::path(
    tag = "taxonomies",
    params(("name" = TaxonomyName, Path, description = "The vocabulary's name.", example = "disciplines")),
    responses(
        (status = 200, description = "The vocabulary.", body = Taxonomy,
            headers(
                ("etag" = String, description = "A strong tag of this representation; send it in `If-None-Match` to get 304 while nothing changed."),
                ("cache-control" = String, description = "`public, max-age=60`."),
            )),
        NotModifiedResponse,
        (status = 400, description = "A query parameter was given; this operation takes none.", body = Problem, content_type = "application/problem+json"),
        NotFoundResponse,
    )
)]
#[get("/taxonomies/{name}")]
pub async fn get_taxonomy(
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    QueryParams::parse_public(req.query_string(), &[]).finish()?;
    let name = path.into_inner();
    match terms(&name) {
        Some(terms) => Ok(HttpResponse::Ok().json(Taxonomy { name, terms })),
        None => Err(ApiError::NotFound(format!(
            "no taxonomy is called `{}`; the names are: {}",
            name.chars().take(60).collect::<String>(),
            NAMES.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_has_terms() {
        for name in NAMES {
            assert!(!terms(name).unwrap().is_empty(), "{name}");
        }
        assert!(terms("nope").is_none());
    }
}
