//! `GET /metrics` (Prometheus, on the main port or on `MOBILITY_METRICS_BIND`) and the
//! middleware that counts every answered request for it.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use crate::api::http::database;
use crate::db::Pool;
use crate::metrics::{self, Readings};
use crate::store;

/// The media type of the exposition: `prometheus-client` writes OpenMetrics text, which
/// Prometheus and the classic text-format parsers read.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Counts the answer of every request by its route's pattern, method and status.
pub async fn count_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = match *req.method() {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let response = next.call(req).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    metrics::request(
        &route,
        method,
        response.status().as_u16(),
        started.elapsed(),
    );
    Ok(response)
}

/// The metrics of this process, with the pool and the webhook queue read now.
pub async fn scrape(pool: web::Data<Pool>) -> HttpResponse {
    let state = pool.state();
    // The queue's depth is one indexed count; a database that cannot say in a second
    // leaves it out rather than hold the scrape.
    let pending = database::run_within(&pool, Duration::from_secs(1), |conn| {
        Ok(store::webhooks::pending_count(conn)?)
    })
    .await
    .ok();
    let readings = Readings {
        pool_connections: state.connections,
        pool_idle: state.idle_connections,
        pool_size: pool.max_size(),
        webhooks_pending: pending,
    };
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .insert_header(("cache-control", "no-store"))
        .body(metrics::render(&readings))
}
