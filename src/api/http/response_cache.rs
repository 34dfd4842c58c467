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
//! epoch it is filed under. Concurrent requests share one read of it, but only a read
//! that began after a request arrived serves that request: every change acknowledged
//! before a request arrives is seen by it. Only anonymous `GET` (and `HEAD`) answers with status 200 of
//! the public read resources are kept, within a fixed memory budget.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    self, AcceptEncoding, ContentEncoding, Encoding, HeaderName, HeaderValue,
};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{HttpMessage, HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::api::http::database;
use crate::api::http::language;
use crate::db::Pool;
use crate::domain::opportunity::Lang;
use crate::error::ApiError;
use crate::store;

/// The paths whose anonymous answers are kept.
const CACHED_PREFIXES: &[&str] = &[
    "/api/v1/opportunities",
    "/api/v1/organizations",
    "/api/v1/taxonomies",
    "/api/v1/dataset",
];
/// When more entries than this changed at once (an import), every answer is dropped.
const MOST_CHANGES_CARRIED: i64 = 10_000;
/// Requests with a longer `Accept` are answered but not kept.
const LONGEST_ACCEPT_BYTES: usize = 256;
/// An answer larger than this is not kept.
const LARGEST_BYTES: usize = 1024 * 1024;

#[derive(Clone, Copy, PartialEq, Eq)]
struct Epoch {
    generation: i64,
    valid_until: DateTime<Utc>,
}

struct Kept {
    /// The one entry this answer shows, when it shows no other: a change to another entry
    /// leaves it as it is (see [`DependsOn`]).
    entry: Option<String>,
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    /// The body in each content coding asked for so far: compressed once per epoch, not
    /// once per request (compressing a 100-item page costs far more than serving it).
    coded: Mutex<Vec<(Coding, Bytes)>>,
}

/// The content codings kept answers are sent in, besides none.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    /// What `Accept-Encoding` prefers of what is kept; `None` for no coding (also when
    /// the header refuses every coding: compression then answers 406 before this runs).
    fn negotiate(req: &ServiceRequest) -> Option<Coding> {
        let accepted = req.get_header::<AcceptEncoding>()?;
        match accepted.negotiate(SUPPORTED.iter())? {
            Encoding::Known(ContentEncoding::Brotli) => Some(Coding::Brotli),
            Encoding::Known(ContentEncoding::Gzip) => Some(Coding::Gzip),
            _ => None,
        }
    }

    fn header(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }

    fn encode(self, body: &[u8]) -> std::io::Result<Bytes> {
        let mut out = Vec::with_capacity(body.len() / 4);
        match self {
            Coding::Brotli => {
                let mut writer = brotli::CompressorWriter::new(&mut out, 32 * 1024, 5, 22);
                writer.write_all(body)?;
                writer.flush()?;
            }
            Coding::Gzip => {
                let mut writer =
                    flate2::write::GzEncoder::new(&mut out, flate2::Compression::default());
                writer.write_all(body)?;
                writer.finish()?;
            }
        }
        Ok(Bytes::from(out))
    }
}

static SUPPORTED: std::sync::LazyLock<[Encoding; 3]> =
    std::sync::LazyLock::new(|| [Encoding::brotli(), Encoding::gzip(), Encoding::identity()]);

/// Bodies smaller than this are sent as they are: compression would save next to nothing.
const SMALLEST_CODED_BYTES: usize = 1024;

impl Kept {
    /// The body in `coding`, compressed now if no request asked for it before.
    fn coded(&self, coding: Coding) -> Option<Bytes> {
        let known = |coded: &Vec<(Coding, Bytes)>| {
            coded
                .iter()
                .find(|(c, _)| *c == coding)
                .map(|(_, b)| b.clone())
        };
        let lock = || self.coded.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bytes) = known(&lock()) {
            return Some(bytes);
        }
        let bytes = coding.encode(&self.body).ok()?;
        let mut coded = lock();
        if let Some(bytes) = known(&coded) {
            return Some(bytes);
        }
        coded.push((coding, bytes.clone()));
        Some(bytes)
    }
}

/// What changed between two generations: the entries the change log names.
struct Changes {
    from: i64,
    to: i64,
    entries: HashSet<String>,
}

#[derive(Default)]
struct Inner {
    epoch: Option<Epoch>,
    /// The entries changed since the kept epoch's generation, read with the next epoch.
    changes: Option<Changes>,
    answers: HashMap<String, Arc<Kept>>,
    /// Answers being made, by key: requests for the same key wait for the one that
    /// makes it instead of all running the same queries at once.
    making: HashMap<String, watch::Receiver<()>>,
    /// Keys in the order they were kept, for eviction when the budget is spent.
    order: VecDeque<String>,
    bytes: usize,
}

/// Reads of the epoch: one at a time, shared by every request that arrived before it
/// began.
#[derive(Default)]
struct Reads {
    /// The last epoch read, and when its read began.
    latest: Option<(Instant, Epoch)>,
    /// The read under way: when it began, and where its outcome appears.
    pending: Option<(Instant, watch::Receiver<Option<EpochRead>>)>,
}

/// The answers of this process, shared by its workers.
pub struct ResponseCache {
    inner: Mutex<Inner>,
    reads: Mutex<Reads>,
    /// The memory all kept answers may take together; 0 keeps none.
    budget_bytes: usize,
}

impl ResponseCache {
    pub fn new(budget_bytes: usize) -> ResponseCache {
        ResponseCache {
            inner: Mutex::new(Inner::default()),
            reads: Mutex::new(Reads::default()),
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

    /// Files answers under `epoch` from now on. Answers of the epoch before that show one
    /// entry the change log does not name since are carried over, when no status has
    /// changed by the clock since; every other answer is dropped.
    fn begin(&self, epoch: Epoch, now: DateTime<Utc>) {
        let mut inner = self.lock();
        if inner.epoch == Some(epoch) {
            return;
        }
        let old = std::mem::take(&mut *inner);
        inner.epoch = Some(epoch);
        let changed = match (old.epoch, old.changes) {
            (Some(before), Some(changes))
                if changes.from == before.generation
                    && changes.to == epoch.generation
                    && now < before.valid_until =>
            {
                changes.entries
            }
            _ => return,
        };
        let mut answers = old.answers;
        for key in old.order {
            let Some(kept) = answers.remove(&key) else {
                continue;
            };
            if kept.entry.as_ref().is_some_and(|e| !changed.contains(e)) {
                inner.bytes += kept_size(&kept, &key);
                inner.order.push_back(key.clone());
                inner.answers.insert(key, kept);
            }
        }
    }

    /// Notes what changed from the kept epoch's generation to `to`, for [`Self::begin`].
    fn note_changes(&self, from: i64, to: i64, entries: HashSet<String>) {
        let mut inner = self.lock();
        if inner.epoch.is_some_and(|e| e.generation == from) {
            inner.changes = Some(Changes { from, to, entries });
        }
    }

    /// The epoch answers are filed under now.
    fn kept_epoch(&self) -> Option<Epoch> {
        self.lock().epoch
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

    fn keep(&self, epoch: Epoch, key: String, kept: Arc<Kept>) {
        let size = kept_size(&kept, &key);
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
                inner.bytes -= kept_size(&gone, &oldest);
            }
        }
        inner.bytes += size;
        inner.order.push_back(key.clone());
        inner.answers.insert(key, kept);
    }
}

/// The memory a kept answer is counted for: its body, with a quarter more for its
/// compressed forms (a JSON page compresses to well under an eighth in either coding),
/// its key and its headers.
fn kept_size(kept: &Kept, key: &str) -> usize {
    kept.body.len() + kept.body.len() / 4 + key.len() + 256
}

impl ResponseCache {
    fn reads(&self) -> std::sync::MutexGuard<'_, Reads> {
        self.reads
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The epoch as read by a read that began at or after `arrival`, so that the answer
    /// reflects every change acknowledged before the request arrived. Concurrent requests
    /// share one read: a request waits for the read under way if it began after the
    /// request arrived, and otherwise for the next one. A failure is shared with every
    /// request waiting, whenever it arrived: the database cannot answer them either.
    async fn epoch_since(self: Arc<Self>, arrival: Instant, pool: web::Data<Pool>) -> EpochRead {
        loop {
            let step = {
                let mut reads = self.reads();
                match (&reads.latest, &reads.pending) {
                    (Some((began, epoch)), _) if *began >= arrival => return Ok(*epoch),
                    (_, Some((began, outcome))) => Step::Wait(*began >= arrival, outcome.clone()),
                    (_, None) => {
                        let began = Instant::now();
                        let (sender, receiver) = watch::channel(None);
                        reads.pending = Some((began, receiver));
                        Step::Read(began, sender)
                    }
                }
            };
            match step {
                Step::Wait(serves, mut outcome) => {
                    let waited =
                        actix_web::rt::time::timeout(LONGEST_WAIT, outcome.changed()).await;
                    if let Ok(Ok(())) = waited {
                        match &*outcome.borrow() {
                            Some(Ok(epoch)) if serves => return Ok(*epoch),
                            Some(Err(e)) => return Err(e.clone()),
                            _ => {}
                        }
                    }
                }
                Step::Read(began, sender) => {
                    let reading = Reading {
                        cache: self.clone(),
                        began,
                    };
                    let epoch = self.read_epoch(&pool).await;
                    if let Ok(epoch) = epoch {
                        self.reads().latest = Some((began, epoch));
                    }
                    drop(reading);
                    let _ = sender.send(Some(epoch.clone()));
                    return epoch;
                }
            }
        }
    }

    /// Reads the generation; when it is the kept epoch's and no status has changed since,
    /// that epoch holds, else a new one begins at the next status change.
    async fn read_epoch(self: &Arc<Self>, pool: &web::Data<Pool>) -> EpochRead {
        let known = self.clone();
        database::run(pool, move |conn| {
            let now = Utc::now();
            let generation = store::directory::generation(conn)?;
            if let Some(epoch) = known.epoch(generation, now) {
                return Ok(epoch);
            }
            // Read after the generation: it may name more entries than changed up to it
            // (carrying over less), never fewer.
            if let Some(before) = known
                .kept_epoch()
                .filter(|e| e.generation < generation && now < e.valid_until)
            {
                let changed = store::changes::entries_changed_after(
                    conn,
                    before.generation,
                    MOST_CHANGES_CARRIED,
                )?;
                if let Some(entries) = changed {
                    known.note_changes(
                        before.generation,
                        generation,
                        entries.into_iter().collect(),
                    );
                }
            }
            Ok(Epoch {
                generation,
                valid_until: store::directory::next_status_change(conn, now)?,
            })
        })
        .await
        .map_err(|e| SharedError(Arc::new(e)))
    }
}

/// Set on an answer that shows one published entry (with its organizer) and nothing
/// else: the entry's id. Such an answer outlives changes to other entries.
pub struct DependsOn(pub String);

/// An error several waiting requests answer with.
#[derive(Clone)]
struct SharedError(Arc<ApiError>);

/// The outcome of a read of the epoch.
type EpochRead = Result<Epoch, SharedError>;

enum Step {
    /// Wait for the read under way; it serves this request if it began after it arrived.
    Wait(bool, watch::Receiver<Option<EpochRead>>),
    /// Read, having begun at this instant.
    Read(Instant, watch::Sender<Option<EpochRead>>),
}

/// A read under way; when it ends, however it ends, it is no longer pending.
struct Reading {
    cache: Arc<ResponseCache>,
    began: Instant,
}

impl Drop for Reading {
    fn drop(&mut self) {
        let mut reads = self.cache.reads();
        if reads
            .pending
            .as_ref()
            .is_some_and(|(b, _)| *b == self.began)
        {
            reads.pending = None;
        }
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

/// A kept answer, compressed in `coding` when it is worth it.
fn answer(kept: &Kept, coding: Option<Coding>) -> HttpResponse {
    let mut response = HttpResponseBuilder::new(kept.status);
    for (name, value) in &kept.headers {
        response.append_header((name.clone(), value.clone()));
    }
    let coded = coding
        .filter(|_| kept.body.len() >= SMALLEST_CODED_BYTES)
        .and_then(|c| Some((c, kept.coded(c)?)));
    match coded {
        Some((coding, body)) => response
            .insert_header((header::CONTENT_ENCODING, coding.header()))
            .body(body),
        None => response.body(kept.body.clone()),
    }
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
    let cache: Arc<ResponseCache> = cache.into_inner();
    let epoch = cache.clone().epoch_since(Instant::now(), pool).await;
    let epoch = match epoch {
        Ok(epoch) => epoch,
        // The database cannot say, so it could not answer the handler either.
        Err(SharedError(e)) => {
            let response = actix_web::ResponseError::error_response(&*e);
            return Ok(req.into_response(response));
        }
    };
    cache.begin(epoch, Utc::now());
    // Answers differ by the language `Accept-Language` picks (and say so with `Vary`).
    let language = language::accepted(req.request()).map_or("", Lang::code);
    // And by the format `Accept` picks: the header is part of the key (one that is too
    // long to be a browser's is not kept at all).
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .map_or(&b""[..], HeaderValue::as_bytes);
    if accept.len() > LONGEST_ACCEPT_BYTES {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let key = format!(
        "{}?{}#{language}#{}",
        req.path(),
        req.query_string(),
        String::from_utf8_lossy(accept)
    );
    let coding = Coding::negotiate(&req);
    let making = loop {
        match cache.claim(epoch, &key) {
            Claim::Kept(kept) => {
                crate::metrics::cache(true);
                return Ok(req.into_response(answer(&kept, coding)));
            }
            Claim::Make(making) => {
                crate::metrics::cache(false);
                break making;
            }
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
    let entry = response
        .response()
        .extensions()
        .get::<DependsOn>()
        .map(|d| d.0.clone());
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
    let kept = Arc::new(Kept {
        entry,
        status,
        headers,
        body,
        coded: Mutex::new(Vec::new()),
    });
    let reply = answer(&kept, coding);
    cache.keep(epoch, key, kept);
    drop(making);
    Ok(ServiceResponse::new(req, reply))
}
