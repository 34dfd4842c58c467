//! A cache of public answers that can never serve a stale one.
//!
//! An answer is kept with the epoch it was made in: the directory's generation, which
//! every change to entries or organizations raises in its own transaction, and the next
//! instant at which a computed status changes by the clock. Each request reads the
//! generation (one indexed row); an answer is served only while the generation is the
//! same and that instant has not come. Because the generation lives in the database,
//! this holds with any number of instances: a change made through one instance ends
//! every other instance's epoch on its next request.
//!
//! The generation is read before the handler runs, so an answer is never older than the
//! epoch it is filed under. Only anonymous `GET` (and `HEAD`) answers with status 200 of
//! the public read resources are kept, within a fixed memory budget.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::api::http::database;
use crate::db::Pool;
use crate::store;

/// The paths whose anonymous answers are kept.
const CACHED_PREFIXES: &[&str] = &[
    "/api/v1/opportunities",
    "/api/v1/organizations",
    "/api/v1/taxonomies",
];
/// An answer larger than this is not kept.
const LARGEST_BYTES: usize = 1024 * 1024;

#[derive(Clone, Copy, PartialEq, Eq)]
struct Epoch {
    generation: i64,
    valid_until: DateTime<Utc>,
}

struct Kept {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

#[derive(Default)]
struct Inner {
    epoch: Option<Epoch>,
    answers: HashMap<String, Arc<Kept>>,
    /// Answers being made, by key: requests for the same key wait for the one that
    /// makes it instead of all running the same queries at once.
    making: HashMap<String, watch::Receiver<()>>,
    /// Keys in the order they were kept, for eviction when the budget is spent.
    order: VecDeque<String>,
    bytes: usize,
}

/// The answers of this process, shared by its workers.
pub struct ResponseCache {
    inner: Mutex<Inner>,
    /// The memory all kept answers may take together; 0 keeps none.
    budget_bytes: usize,
}

impl ResponseCache {
    pub fn new(budget_bytes: usize) -> ResponseCache {
        ResponseCache {
            inner: Mutex::new(Inner::default()),
            budget_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The kept epoch, if the generation is unchanged and no status has changed since.
    fn epoch(&self, generation: i64, now: DateTime<Utc>) -> Option<Epoch> {
        let inner = self.lock();
        inner
            .epoch
            .filter(|e| e.generation == generation && now < e.valid_until)
    }

    fn begin(&self, epoch: Epoch) {
        let mut inner = self.lock();
        if inner.epoch != Some(epoch) {
            *inner = Inner {
                epoch: Some(epoch),
                ..Inner::default()
            };
        }
    }

    /// A kept answer; or, when another request is making it, a way to wait for that;
    /// or the duty to make it (until the returned guard is dropped).
    fn claim(self: &Arc<Self>, epoch: Epoch, key: &str) -> Claim {
        let mut inner = self.lock();
        if inner.epoch != Some(epoch) {
            return Claim::Make(None);
        }
        if let Some(kept) = inner.answers.get(key) {
            return Claim::Kept(kept.clone());
        }
        if let Some(receiver) = inner.making.get(key) {
            return Claim::Wait(receiver.clone());
        }
        let (sender, receiver) = watch::channel(());
        inner.making.insert(key.to_owned(), receiver);
        Claim::Make(Some(Making {
            cache: self.clone(),
            key: key.to_owned(),
            _done: sender,
        }))
    }

    fn keep(&self, epoch: Epoch, key: String, kept: Kept) {
        let size = kept.body.len() + key.len() + 256;
        if size > LARGEST_BYTES.min(self.budget_bytes) {
            return;
        }
        let mut inner = self.lock();
        if inner.epoch != Some(epoch) || inner.answers.contains_key(&key) {
            return;
        }
        while inner.bytes + size > self.budget_bytes {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(gone) = inner.answers.remove(&oldest) {
                inner.bytes -= gone.body.len() + oldest.len() + 256;
            }
        }
        inner.bytes += size;
        inner.order.push_back(key.clone());
        inner.answers.insert(key, Arc::new(kept));
    }
}

enum Claim {
    Kept(Arc<Kept>),
    Wait(watch::Receiver<()>),
    /// Make the answer; `None` when the epoch moved on and nothing will be kept.
    Make(Option<Making>),
}

/// The duty to make one answer. Dropping it (answer kept or not, request finished or
/// cancelled) wakes the requests waiting for it.
struct Making {
    cache: Arc<ResponseCache>,
    key: String,
    _done: watch::Sender<()>,
}

impl Drop for Making {
    fn drop(&mut self) {
        self.cache.lock().making.remove(&self.key);
    }
}

/// How long a request waits for another to make the same answer before making it itself.
const LONGEST_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

fn cacheable(req: &ServiceRequest) -> bool {
    req.method() == Method::GET
        && !req.headers().contains_key(header::AUTHORIZATION)
        && CACHED_PREFIXES.iter().any(|p| req.path().starts_with(p))
}

fn answer(kept: &Kept) -> HttpResponse {
    let mut response = HttpResponseBuilder::new(kept.status);
    for (name, value) in &kept.headers {
        response.append_header((name.clone(), value.clone()));
    }
    response.body(kept.body.clone())
}

/// Serves a kept answer when its epoch still holds; otherwise lets the handler answer
/// and keeps a 200.
pub async fn serve_from_cache(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (Some(cache), Some(pool)) = (
        req.app_data::<web::Data<ResponseCache>>().cloned(),
        req.app_data::<web::Data<Pool>>().cloned(),
    ) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if cache.budget_bytes == 0 || !cacheable(&req) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let now = Utc::now();
    let known = cache.clone();
    // The epoch: the generation read now, and when it is new, the next status change.
    let epoch = database::run(&pool, move |conn| {
        let generation = store::directory::generation(conn)?;
        if let Some(epoch) = known.epoch(generation, now) {
            return Ok(epoch);
        }
        let valid_until = store::directory::next_status_change(conn, now)?;
        Ok(Epoch {
            generation,
            valid_until,
        })
    })
    .await;
    let Ok(epoch) = epoch else {
        // The database cannot say; the handler gives the answer (or the 503).
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    cache.begin(epoch);
    let key = format!("{}?{}", req.path(), req.query_string());
    let cache: Arc<ResponseCache> = cache.into_inner();
    let making = loop {
        match cache.claim(epoch, &key) {
            Claim::Kept(kept) => return Ok(req.into_response(answer(&kept))),
            Claim::Make(making) => break making,
            Claim::Wait(mut done) => {
                // Woken when the other request is done, kept or not; then look again.
                if actix_web::rt::time::timeout(LONGEST_WAIT, done.changed())
                    .await
                    .is_err()
                {
                    break None;
                }
            }
        }
    };
    let response = next.call(req).await?;
    if response.status() != StatusCode::OK {
        return Ok(response.map_into_boxed_body());
    }
    let (req, response) = response.into_parts();
    let status = response.status();
    let headers: Vec<(HeaderName, HeaderValue)> = response
        .headers()
        .iter()
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into().to_string()))?;
    let kept = Kept {
        status,
        headers,
        body,
    };
    let reply = answer(&kept);
    cache.keep(epoch, key, kept);
    drop(making);
    Ok(ServiceResponse::new(req, reply))
}
