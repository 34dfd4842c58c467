//! The database work of a request: on a blocking thread, with a pooled connection, under
//! the deadlines of `db::limits`, so that a slow, frozen or locked database gives a 503
//! with `Retry-After`, never a hang or a 500.

use std::time::Duration;

use actix_web::web;

use crate::db::limits::{self, Deadline, Unavailable};
use crate::db::{DbConn, Pool, wal};
use crate::error::ApiError;
use crate::store::StoreError;

/// Runs `work` within the ordinary budget of a request.
pub async fn run<T, F>(pool: &web::Data<Pool>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    run_within(pool, limits::STATEMENT_TIMEOUT, work).await
}

/// Runs `work` within `budget`. The database's own deadlines stop the work; the wait
/// here answers the client even when the database cannot (a frozen server enforces no
/// statement timeout).
pub async fn run_within<T, F>(
    pool: &web::Data<Pool>,
    budget: Duration,
    work: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
{
    let pool = pool.clone();
    let job = web::block(move || {
        let _deadline = Deadline::start(budget);
        // Notes left on this blocking thread by earlier work are not about this one.
        limits::take_connection_lost();
        wal::take_refused_commit();
        let waiting = std::time::Instant::now();
        let conn = pool.get();
        crate::metrics::pool_wait(waiting.elapsed());
        let mut conn = conn.map_err(StoreError::from)?;
        work(&mut conn)
    });
    let wait = budget + limits::CHECKOUT_TIMEOUT + Duration::from_secs(1);
    match actix_web::rt::time::timeout(wait, job).await {
        Ok(done) => done?,
        Err(_) => Err(ApiError::Unavailable(
            Unavailable::Timeout.explanation().into(),
        )),
    }
}
