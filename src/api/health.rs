//! `GET /healthz` (the process is up) and `GET /readyz` (the database is reachable and migrated).

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::http::database;
use crate::db::Pool;
use crate::error::{ApiError, Problem};
use crate::store;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the probe passes.
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness: answers as long as the process serves HTTP.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The process is up.", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// Readiness: the database answers and every migration is applied.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve.", body = Health),
        (status = 503, description = "The database is unreachable or not migrated.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(pool: web::Data<Pool>) -> Result<HttpResponse, ApiError> {
    database::run(&pool, |conn| Ok(store::health::check_ready(conn)?)).await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
    }))
}
