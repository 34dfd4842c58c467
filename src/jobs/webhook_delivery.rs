//! Delivers the webhook outbox. On every instance one dispatcher claims due deliveries (a
//! lease in the database, so a delivery goes to one instance at a time, and one that an
//! instance left unfinished is taken up again when the lease ends), signs each, and hands
//! it to a thread of its own that POSTs it through the outbound client; the dispatcher
//! records what came back. So:
//!
//! - the database is used only between network calls, never across one;
//! - deliveries go out concurrently, at most [`PER_ENDPOINT`] to one endpoint at a time,
//!   so a receiver that never answers holds that many threads for one timeout each, and
//!   every other endpoint's deliveries go on meanwhile;
//! - a delivery's result is recorded as soon as it comes, and the next delivery to the
//!   same endpoint is claimed right after.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};

use crate::db::{DbConn, Pool};
use crate::domain::webhooks;
use crate::outbound::{self, Answer, Failure};
use crate::store::partners::Endpoint;
use crate::store::{self, webhooks::AttemptRow, webhooks::DeliveryRow, webhooks::Outcome};

/// How long a claim holds: longer than any attempt can take ([`outbound::TIMEOUT`]).
const LEASE_SECONDS: i64 = 60;
/// Deliveries under way to one endpoint at a time, across instances.
pub const PER_ENDPOINT: usize = 4;
/// Deliveries under way on one instance at a time.
pub const MAX_IN_FLIGHT: usize = 256;
/// How often the outbox is looked at when nothing happens.
const IDLE: StdDuration = StdDuration::from_millis(500);
/// How long the dispatcher waits before trying again when the database is away.
const UNAVAILABLE: StdDuration = StdDuration::from_secs(5);

/// The running worker; dropping it stops it (exchanges in progress are cut short and
/// left to their lease).
pub struct DeliveryWorker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for DeliveryWorker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts delivering from `pool`'s outbox through `client` on a thread of its own;
/// `public_url` makes each event's `href` absolute.
pub fn start(pool: Pool, client: outbound::Client, public_url: String) -> DeliveryWorker {
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = stop.clone();
    let thread = std::thread::Builder::new()
        .name("webhook-delivery".into())
        .spawn(move || {
            Dispatcher {
                pool,
                client,
                public_url,
                in_flight: 0,
                done: Vec::new(),
            }
            .run(&stopping)
        })
        .expect("start the webhook delivery thread");
    DeliveryWorker {
        stop,
        thread: Some(thread),
    }
}

/// A delivery ready to send: the signed request, without anything of the database.
struct Prepared {
    delivery: DeliveryRow,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: String,
}

/// What one attempt came to.
struct Sent {
    delivery: DeliveryRow,
    at: DateTime<Utc>,
    duration_ms: i32,
    result: Result<Answer, Failure>,
}

struct Dispatcher {
    pool: Pool,
    client: outbound::Client,
    public_url: String,
    /// Sender threads not yet reported back.
    in_flight: usize,
    /// Results not yet recorded.
    done: Vec<Sent>,
}

impl Dispatcher {
    fn run(mut self, stop: &AtomicBool) {
        let (tx, rx) = channel();
        while !stop.load(Ordering::SeqCst) {
            self.collect(&rx);
            match self.round(&tx) {
                Ok(true) => {}
                Ok(false) => self.wait(&rx, stop, IDLE),
                Err(e) => {
                    tracing::debug!(error = %e, "webhook outbox unavailable");
                    self.wait(&rx, stop, UNAVAILABLE);
                }
            }
        }
        // Cut short what is under way; what got an answer is still recorded, the rest
        // is taken up again when its lease ends.
        self.client.shutdown();
        while self.in_flight > 0 {
            match rx.recv() {
                Ok(sent) => {
                    self.in_flight -= 1;
                    if sent.result.is_ok() {
                        self.done.push(sent);
                    }
                }
                Err(_) => break,
            }
        }
        if !self.done.is_empty()
            && let Ok(mut conn) = self.pool.get()
        {
            self.record_done(&mut conn);
        }
    }

    /// Takes in the results that have come.
    fn collect(&mut self, rx: &Receiver<Sent>) {
        for sent in rx.try_iter() {
            self.in_flight -= 1;
            self.done.push(sent);
        }
    }

    /// Waits up to `total` for a result (or for the stop).
    fn wait(&mut self, rx: &Receiver<Sent>, stop: &AtomicBool, total: StdDuration) {
        let until = Instant::now() + total;
        while !stop.load(Ordering::SeqCst) && Instant::now() < until {
            match rx.recv_timeout(StdDuration::from_millis(50)) {
                Ok(sent) => {
                    self.in_flight -= 1;
                    self.done.push(sent);
                    return;
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
            }
        }
    }

    /// Records the results that came, claims what is due, and sends it. Whether anything
    /// happened.
    fn round(&mut self, tx: &Sender<Sent>) -> Result<bool, String> {
        let mut conn = self.pool.get().map_err(|e| e.to_string())?;
        let recorded = !self.done.is_empty();
        self.record_done(&mut conn);
        let claimed = store::webhooks::claim(
            &mut conn,
            Utc::now(),
            Duration::seconds(LEASE_SECONDS),
            MAX_IN_FLIGHT - self.in_flight,
            PER_ENDPOINT,
        )
        .map_err(|e| format!("{e:?}"))?;
        let prepared = self.prepare(&mut conn, claimed);
        // No connection is held across the network calls.
        drop(conn);
        let sending = !prepared.is_empty();
        for job in prepared {
            self.send(job, tx);
        }
        Ok(recorded || sending)
    }

    fn record_done(&mut self, conn: &mut DbConn) {
        for sent in self.done.drain(..) {
            record(conn, sent);
        }
    }

    /// Signs each claimed delivery for its endpoint.
    fn prepare(&self, conn: &mut DbConn, claimed: Vec<DeliveryRow>) -> Vec<Prepared> {
        let mut endpoints: HashMap<String, Endpoint> = HashMap::new();
        let mut prepared = Vec::new();
        for delivery in claimed {
            if !endpoints.contains_key(&delivery.endpoint_id) {
                match store::partners::endpoint(conn, &delivery.endpoint_id) {
                    Ok(e) => {
                        endpoints.insert(delivery.endpoint_id.clone(), e);
                    }
                    Err(e) => {
                        // Removed meanwhile; the lease ends and the delivery is gone with it.
                        tracing::warn!(delivery = %delivery.id, error = ?e, "webhook endpoint unreadable");
                        continue;
                    }
                }
            }
            let endpoint = &endpoints[&delivery.endpoint_id];
            let now = Utc::now();
            let timestamp = now.timestamp();
            let body = webhooks::body(&delivery.payload, &self.public_url);
            let signatures: Vec<String> = endpoint
                .signing_secrets(now)
                .into_iter()
                .filter_map(|secret| webhooks::sign(secret, &delivery.id, timestamp, &body))
                .collect();
            prepared.push(Prepared {
                url: endpoint.url.clone(),
                headers: vec![
                    ("content-type", "application/json".into()),
                    ("user-agent", "mobility-directory-webhooks/1".into()),
                    ("webhook-id", delivery.id.clone()),
                    ("webhook-timestamp", timestamp.to_string()),
                    ("webhook-signature", signatures.join(" ")),
                ],
                body,
                delivery,
            });
        }
        prepared
    }

    /// POSTs one delivery on a thread of its own, which reports back on `tx`.
    fn send(&mut self, job: Prepared, tx: &Sender<Sent>) {
        let client = self.client.clone();
        let tx = tx.clone();
        let id = job.delivery.id.clone();
        let spawned = std::thread::Builder::new()
            .name("webhook-send".into())
            .spawn(move || {
                let at = Utc::now();
                let began = Instant::now();
                let headers: Vec<(&str, &str)> =
                    job.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                let result = client.post(&job.url, &headers, job.body.as_bytes());
                let _ = tx.send(Sent {
                    delivery: job.delivery,
                    at,
                    duration_ms: i32::try_from(began.elapsed().as_millis()).unwrap_or(i32::MAX),
                    result,
                });
            });
        match spawned {
            Ok(_) => self.in_flight += 1,
            // The lease ends and another round takes it up.
            Err(e) => tracing::warn!(delivery = %id, error = %e, "no thread to send a webhook"),
        }
    }
}

/// A jitter from -1 to 1 for the retry schedule, from the delivery's random id bits.
fn jitter() -> f64 {
    let bits = uuid::Uuid::new_v4().as_u128() as u32;
    f64::from(bits) / f64::from(u32::MAX) * 2.0 - 1.0
}

/// Records one attempt and what follows from it.
fn record(conn: &mut DbConn, sent: Sent) {
    let (status_code, error, outcome) = match sent.result {
        Ok(answer) => {
            let outcome = match answer.status {
                200..=299 => Outcome::Delivered,
                410 => Outcome::Gone,
                _ => Outcome::Failed,
            };
            (Some(i32::from(answer.status)), None, outcome)
        }
        Err(failure) => (None, Some(failure.to_string()), Outcome::Failed),
    };
    let attempt = AttemptRow {
        delivery_id: sent.delivery.id.clone(),
        attempt: sent.delivery.attempts + 1,
        at: store::to_db_time(sent.at),
        status_code,
        error,
        duration_ms: sent.duration_ms,
    };
    if let Err(e) = store::webhooks::finish(conn, &sent.delivery, attempt, outcome, jitter()) {
        tracing::warn!(delivery = %sent.delivery.id, error = ?e, "webhook attempt not recorded");
    }
}
