//! What operators see at `/metrics`, in the Prometheus text format: requests and their
//! latency by route and status, the database pool's use and the wait for a connection,
//! SQLite busy waits (and PostgreSQL lock timeouts), the response cache's hits and misses, the webhook queue, and the
//! build. Counters and histograms are kept per process (as Prometheus expects of each
//! instance it scrapes); the gauges are read at each scrape.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route's pattern (`/api/v1/opportunities/{id_or_slug}`), or `unmatched`: never
    /// the path itself, so the number of series stays bounded.
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
}

/// Latency buckets, in seconds: from a cached answer to the database deadline.
const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// The counters and histograms of this process.
pub struct Metrics {
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    pool_wait: Histogram,
    database_busy: Counter,
    cache_hits: Counter,
    cache_misses: Counter,
    build: Family<BuildLabels, Gauge>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let metrics = Metrics {
        requests: Family::default(),
        latency: Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS)),
        pool_wait: Histogram::new(LATENCY_BUCKETS),
        database_busy: Counter::default(),
        cache_hits: Counter::default(),
        cache_misses: Counter::default(),
        build: Family::default(),
    };
    metrics
        .build
        .get_or_create(&BuildLabels {
            version: env!("CARGO_PKG_VERSION").into(),
        })
        .set(1);
    metrics
});

/// One answered request.
pub fn request(route: &str, method: &str, status: u16, took: Duration) {
    let route = route.to_owned();
    METRICS
        .requests
        .get_or_create(&RequestLabels {
            route: route.clone(),
            method: method.to_owned(),
            status,
        })
        .inc();
    METRICS
        .latency
        .get_or_create(&RouteLabels { route })
        .observe(took.as_secs_f64());
}

/// How long a request waited for a pooled database connection.
pub fn pool_wait(took: Duration) {
    METRICS.pool_wait.observe(took.as_secs_f64());
}

/// A statement that waited out the busy timeout (SQLite) or lock timeout (PostgreSQL)
/// for another writer's lock.
pub fn database_busy() {
    METRICS.database_busy.inc();
}

/// The response cache answered (`true`) or the handler had to (`false`).
pub fn cache(hit: bool) {
    if hit {
        METRICS.cache_hits.inc();
    } else {
        METRICS.cache_misses.inc();
    }
}

/// What a scrape reads at the moment it is made.
pub struct Readings {
    pub pool_connections: u32,
    pub pool_idle: u32,
    pub pool_size: u32,
    /// Webhook deliveries waiting to be sent (`None` when the database did not say).
    pub webhooks_pending: Option<i64>,
}

/// The whole exposition, in the Prometheus text format.
pub fn render(readings: &Readings) -> String {
    let mut registry = Registry::with_prefix("mobility");
    let m = &*METRICS;
    registry.register(
        "http_requests",
        "Requests answered, by route pattern, method and status",
        m.requests.clone(),
    );
    registry.register(
        "http_request_duration_seconds",
        "Time from a request's arrival to its answer, by route pattern",
        m.latency.clone(),
    );
    registry.register(
        "db_pool_wait_seconds",
        "Time a request waited for a pooled database connection",
        m.pool_wait.clone(),
    );
    registry.register(
        "db_busy",
        "Statements that waited out SQLite's busy timeout (or PostgreSQL's lock timeout) for another writer",
        m.database_busy.clone(),
    );
    registry.register(
        "response_cache_hits",
        "Public answers served from the response cache",
        m.cache_hits.clone(),
    );
    registry.register(
        "response_cache_misses",
        "Cacheable public answers the handler had to make",
        m.cache_misses.clone(),
    );
    registry.register(
        "build_info",
        "The running build (always 1)",
        m.build.clone(),
    );
    let gauge = |value: i64| {
        let gauge: Gauge = Gauge::default();
        gauge.set(value);
        gauge
    };
    registry.register(
        "db_pool_connections",
        "Open database connections in the request pool",
        gauge(i64::from(readings.pool_connections)),
    );
    registry.register(
        "db_pool_in_use",
        "Database connections of the request pool in use by a request",
        gauge(i64::from(
            readings.pool_connections.saturating_sub(readings.pool_idle),
        )),
    );
    registry.register(
        "db_pool_size",
        "The most connections the request pool opens",
        gauge(i64::from(readings.pool_size)),
    );
    if let Some(pending) = readings.webhooks_pending {
        registry.register(
            "webhook_deliveries_pending",
            "Webhook deliveries waiting to be sent (the job queue's depth)",
            gauge(pending),
        );
    }
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry)
        .expect("writing to a String cannot fail");
    text
}
