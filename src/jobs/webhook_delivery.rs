//! Delivers the webhook outbox: claims due deliveries, POSTs each signed event, and
//! records what the receiver answered. Every instance runs one; a claim is a lease in the
//! database, so a delivery goes to one instance at a time, and one that an instance left
//! unfinished (it stopped, or crashed) is taken up again when the lease ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};

use crate::db::Pool;
use crate::domain::webhooks;
use crate::store::{self, webhooks::AttemptRow, webhooks::DeliveryRow, webhooks::Outcome};

/// How long a claim holds: longer than any attempt can take.
const LEASE_SECONDS: i64 = 60;
/// How long a receiver has to answer.
const ATTEMPT_TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// Deliveries claimed (and sent in parallel) at a time.
const BATCH: i64 = 16;
/// How often the outbox is looked at when it was empty.
const IDLE: StdDuration = StdDuration::from_millis(500);

/// The running worker; dropping it stops it (after the deliveries in hand).
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

/// Starts delivering from `pool`'s outbox on a thread of its own.
pub fn start(pool: Pool) -> DeliveryWorker {
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = stop.clone();
    let thread = std::thread::Builder::new()
        .name("webhook-delivery".into())
        .spawn(move || run(&pool, &stopping))
        .expect("start the webhook delivery thread");
    DeliveryWorker {
        stop,
        thread: Some(thread),
    }
}

fn run(pool: &Pool, stop: &AtomicBool) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(ATTEMPT_TIMEOUT))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent("mobility-directory-webhooks/1")
        .build()
        .new_agent();
    while !stop.load(Ordering::SeqCst) {
        let claimed = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
            store::webhooks::claim(
                &mut conn,
                Utc::now(),
                Duration::seconds(LEASE_SECONDS),
                BATCH,
            )
            .map_err(|e| format!("{e:?}"))
        });
        match claimed {
            Ok(deliveries) if !deliveries.is_empty() => {
                std::thread::scope(|scope| {
                    for delivery in &deliveries {
                        let agent = &agent;
                        scope.spawn(move || deliver(pool, agent, delivery));
                    }
                });
            }
            Ok(_) => sleep_unless_stopped(stop, IDLE),
            Err(e) => {
                tracing::debug!(error = %e, "webhook outbox unavailable");
                sleep_unless_stopped(stop, IDLE * 10);
            }
        }
    }
}

fn sleep_unless_stopped(stop: &AtomicBool, total: StdDuration) {
    let until = Instant::now() + total;
    while !stop.load(Ordering::SeqCst) && Instant::now() < until {
        std::thread::sleep(StdDuration::from_millis(50));
    }
}

/// A jitter from -1 to 1 for the retry schedule, from the delivery's random id bits.
fn jitter() -> f64 {
    let bits = uuid::Uuid::new_v4().as_u128() as u32;
    f64::from(bits) / f64::from(u32::MAX) * 2.0 - 1.0
}

fn deliver(pool: &Pool, agent: &ureq::Agent, delivery: &DeliveryRow) {
    let Ok(mut conn) = pool.get() else {
        return; // The lease ends and another round takes it up.
    };
    let endpoint = match store::partners::endpoint(&mut conn, &delivery.endpoint_id) {
        Ok(endpoint) => endpoint,
        Err(e) => {
            tracing::warn!(delivery = %delivery.id, error = ?e, "webhook endpoint unreadable");
            return;
        }
    };
    let now = Utc::now();
    let timestamp = now.timestamp();
    let signatures: Vec<String> = endpoint
        .signing_secrets(now)
        .into_iter()
        .filter_map(|secret| webhooks::sign(secret, &delivery.id, timestamp, &delivery.payload))
        .collect();
    let began = Instant::now();
    let sent = agent
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.id)
        .header("webhook-timestamp", &timestamp.to_string())
        .header("webhook-signature", &signatures.join(" "))
        .send(delivery.payload.as_bytes());
    let duration_ms = i32::try_from(began.elapsed().as_millis()).unwrap_or(i32::MAX);
    let (status_code, error, outcome) = match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            let outcome = match status {
                200..=299 => Outcome::Delivered,
                410 => Outcome::Gone,
                _ => Outcome::Failed,
            };
            (Some(i32::from(status)), None, outcome)
        }
        Err(e) => (None, Some(e.to_string()), Outcome::Failed),
    };
    let attempt = AttemptRow {
        delivery_id: delivery.id.clone(),
        attempt: delivery.attempts + 1,
        at: store::to_db_time(now),
        status_code,
        error,
        duration_ms,
    };
    if let Err(e) = store::webhooks::finish(&mut conn, delivery, attempt, outcome, jitter()) {
        tracing::warn!(delivery = %delivery.id, error = ?e, "webhook attempt not recorded");
    }
}
