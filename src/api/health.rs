//! `GET /healthz` (the process is up) and `GET /readyz` (the database is reachable and
//! migrated, and whether it takes writes).

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

/// What `/readyz` found.
#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ok`, or `degraded` when reads are served but writes are not.
    pub status: ReadinessStatus,
    /// Whether writes can be served now.
    pub writable: bool,
    /// What is degraded and why, for an operator; absent when nothing is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "/srv/data/mobility.sqlite3 cannot be written (Operation not permitted (os error 1)): writes answer 503 until an operator makes it writable"
    )]
    pub detail: Option<String>,
}

/// `ok`: reads and writes are served. `degraded`: reads are served, writes answer 503.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadinessStatus {
    Ok,
    Degraded,
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
///
/// When reads are served but writes cannot be (a SQLite file or its directory that cannot
/// be written, a full disk, a write-ahead log removed under the service, a PostgreSQL
/// standby or read-only sessions), the answer is still 200, so that load balancers keep
/// sending reads, with `status: degraded`, `writable: false` and a `detail` saying what is
/// wrong; writes meanwhile answer 503 saying the same. Alert on `degraded`.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve reads; `status` says whether writes are served too.", body = Readiness),
        (status = 503, description = "The database is unreachable or not migrated.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(pool: web::Data<Pool>) -> Result<HttpResponse, ApiError> {
    let refusal = database::run(&pool, |conn| Ok(store::health::check_ready(conn)?)).await?;
    Ok(HttpResponse::Ok().json(match refusal {
        None => Readiness {
            status: ReadinessStatus::Ok,
            writable: true,
            detail: None,
        },
        Some(detail) => Readiness {
            status: ReadinessStatus::Degraded,
            writable: false,
            detail: Some(detail),
        },
    }))
}
