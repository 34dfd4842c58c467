//! OpenAPI schemas for parameters whose valid values are code lists: the document lists
//! every value, so generated clients and fuzzers know exactly what the server accepts.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::domain::geography::{Country, Region};

fn code_list(description: &str, values: Vec<&'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

/// An ISO 3166-1 alpha-2 country code (upper case).
pub struct CountryCode;

impl PartialSchema for CountryCode {
    fn schema() -> RefOr<Schema> {
        code_list(
            "An ISO 3166-1 alpha-2 country code, upper case (`XK` for Kosovo).",
            Country::all().map(Country::code).collect(),
        )
    }
}

impl ToSchema for CountryCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("CountryCode")
    }
}

/// A country code or a region slug.
pub struct AreaCode;

impl PartialSchema for AreaCode {
    fn schema() -> RefOr<Schema> {
        code_list(
            "An ISO 3166-1 alpha-2 country code (upper case), or a region: `eu`, `eea`, `creative_europe`, `western_balkans`.",
            Country::all()
                .map(Country::code)
                .chain(Region::ALL.iter().map(|r| r.slug()))
                .collect(),
        )
    }
}

impl ToSchema for AreaCode {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AreaCode")
    }
}
