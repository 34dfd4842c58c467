//! `GET /api/v1/changes`: what happened to the public list, in commit order, for mirrors
//! that must stay exact.

use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::http::database;
use crate::api::http::query::QueryParams;
use crate::db::Pool;
use crate::domain::change_feed::ChangeKind;
use crate::error::{ApiError, CommonErrors, GoneResponse};
use crate::store;
use crate::store::changes::{ChangeEvent, Position};

const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1000;
/// The longest `wait`, in seconds.
pub const MAX_WAIT_SECONDS: i64 = 30;
/// How often a waiting request looks for a new generation (one read serves them all).
const POLL: Duration = Duration::from_millis(250);

/// What happened to an entry of the list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeType {
    /// It entered the list.
    Published,
    /// A listed entry changed (its organizer's rename included): fetch it again.
    Updated,
    /// It left the list for good (withdrawn or archived): delete your copy.
    Withdrawn,
    /// It left the list for more work: delete your copy; it may be published again.
    Unpublished,
}

impl From<ChangeKind> for ChangeType {
    fn from(kind: ChangeKind) -> Self {
        match kind {
            ChangeKind::Published => ChangeType::Published,
            ChangeKind::Updated => ChangeType::Updated,
            ChangeKind::Withdrawn => ChangeType::Withdrawn,
            ChangeKind::Unpublished => ChangeType::Unpublished,
        }
    }
}

/// One change to the public list.
#[derive(Serialize, ToSchema)]
pub struct ChangeView {
    /// This event's place in the feed: pass it as `after` to continue after it.
    pub cursor: String,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: ChangeType,
    /// The entry's id.
    pub id: String,
    /// The entry's slug at the time of the change.
    pub slug: String,
    /// When the change was committed.
    pub at: DateTime<Utc>,
    /// Where the entry is now (a `withdrawn` or `unpublished` one answers 410 or 404).
    pub href: String,
}

/// A page of the change feed.
#[derive(Serialize, ToSchema)]
pub struct ChangePage {
    /// The changes after `after`, oldest first.
    pub events: Vec<ChangeView>,
    /// The cursor to continue from: the last event's, or `after` itself when nothing
    /// happened since.
    pub next: String,
    /// More events follow at once: ask again with `next` without waiting.
    pub more: bool,
}

/// The generation last read, shared by every waiting request of this process: however
/// many partners long-poll, the database is asked about once per [`POLL`].
#[derive(Default)]
pub struct ChangeWatch {
    latest: tokio::sync::Mutex<Option<(Instant, i64)>>,
}

impl ChangeWatch {
    async fn generation(&self, pool: &web::Data<Pool>) -> Result<i64, ApiError> {
        let mut latest = self.latest.lock().await;
        if let Some((read, generation)) = *latest
            && read.elapsed() < POLL
        {
            return Ok(generation);
        }
        let generation =
            database::run(pool, |conn| Ok(store::directory::generation(conn)?)).await?;
        *latest = Some((Instant::now(), generation));
        Ok(generation)
    }
}

fn cursor_of(position: Position) -> String {
    position.cursor()
}

fn view(event: ChangeEvent) -> ChangeView {
    ChangeView {
        cursor: cursor_of(event.position),
        kind: event.kind.into(),
        href: format!("/api/v1/opportunities/{}", event.slug),
        id: event.opportunity_id,
        slug: event.slug,
        at: event.at,
    }
}

/// The events after `from`, or `CursorExpired` when `from` is before the horizon (a
/// tombstone after it may be gone) or after the present (another database's cursor).
async fn read(
    pool: &web::Data<Pool>,
    from: Position,
    limit: i64,
) -> Result<(Vec<ChangeEvent>, bool), ApiError> {
    let (events, horizon, generation) = database::run(pool, move |conn| {
        let horizon = store::changes::horizon(conn)?;
        let generation = store::directory::generation(conn)?;
        let events = store::changes::after(conn, from, limit + 1)?;
        Ok((events, horizon, generation))
    })
    .await?;
    if (from != Position::START && from < horizon) || from.generation > generation {
        return Err(ApiError::CursorExpired {
            oldest: cursor_of(horizon),
            snapshot: "/api/v1/changes".into(),
        });
    }
    let more = events.len() as i64 > limit;
    Ok((events.into_iter().take(limit as usize).collect(), more))
}

/// The change feed: every change to the public list, in commit order.
///
/// Without `after`, the feed starts from the beginning; since each entry keeps only its
/// latest event, that replay is a full snapshot (every listed entry once, as `published`
/// or `updated`, plus the tombstones of the last 90 days). Apply the events in order —
/// fetch `href` for `published` and `updated`, delete your copy for `withdrawn` and
/// `unpublished` — and keep `next`: asked again with `after=next`, the feed gives what
/// happened since, and your copy equals the public list (`status` of every value).
///
/// **Order.** Events are served in commit order, and only up to a point below which no
/// transaction can still commit: every write takes the directory's generation counter
/// first and holds it until it commits, so positions are taken in commit order (a
/// PostgreSQL sequence would not do: its values can commit out of order). A cursor is
/// never skipped past an event that appears later.
///
/// **Retention.** Tombstones are kept at least 90 days. A cursor older than the oldest
/// kept, or from another database, gets 410 with `oldest_cursor` and `snapshot` (this
/// URL without `after`): start again from the snapshot.
///
/// `wait=N` (up to 30) holds the request up to N seconds while nothing has happened,
/// and answers as soon as something does.
#[utoipa::path(
    tag = "feeds",
    params(
        ("after" = Option<String>, Query, min_length = 1, max_length = 1000, pattern = "^[A-Za-z0-9_-]+$", description = "A cursor from an earlier answer (`next`, or an event's `cursor`); without it, from the beginning."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 1000, description = "Events per answer, default 100."),
        ("wait" = Option<i64>, Query, minimum = 0, maximum = 30, description = "Seconds to wait for a change when there is none yet; default 0."),
    ),
    responses(
        (status = 200, description = "The events after `after`, oldest first.", body = ChangePage,
            headers(("cache-control" = String, description = "`no-store`: every answer is fresh."))),
        GoneResponse,
        CommonErrors,
    )
)]
#[get("/changes")]
pub async fn list_changes(
    req: HttpRequest,
    pool: web::Data<Pool>,
    watch: web::Data<ChangeWatch>,
) -> Result<HttpResponse, ApiError> {
    let mut params = QueryParams::parse_public(req.query_string(), &["after", "limit", "wait"]);
    let after = params.one("after", "a cursor this feed issued", Position::from_cursor);
    let limit = params
        .integer("limit", 1, MAX_LIMIT)
        .unwrap_or(DEFAULT_LIMIT);
    let wait = params.integer("wait", 0, MAX_WAIT_SECONDS).unwrap_or(0);
    params.finish()?;
    let from = after.unwrap_or(Position::START);
    let until = Instant::now() + Duration::from_secs(wait as u64);
    let mut seen = watch.generation(&pool).await?;
    let (events, more) = loop {
        let (events, more) = read(&pool, from, limit).await?;
        if !events.is_empty() || Instant::now() >= until {
            break (events, more);
        }
        // Nothing yet: wait until the generation moves (or time is up), then look again.
        loop {
            actix_web::rt::time::sleep(POLL.min(until.saturating_duration_since(Instant::now())))
                .await;
            let now = watch.generation(&pool).await?;
            if now != seen || Instant::now() >= until {
                seen = now;
                break;
            }
        }
    };
    let next = events.last().map_or(from, |e| e.position);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ChangePage {
            events: events.into_iter().map(view).collect(),
            next: cursor_of(next),
            more,
        }))
}
