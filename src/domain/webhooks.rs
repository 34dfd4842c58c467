//! Webhooks as the Standard Webhooks specification has them: `whsec_` secrets, the
//! `v1,` HMAC-SHA256 signature over `id.timestamp.body`, and the retry schedule.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::change_feed::ChangeKind;

/// The event types an endpoint may subscribe to.
pub const EVENT_TYPES: &[&str] = &[
    "opportunity.published",
    "opportunity.updated",
    "opportunity.withdrawn",
    "opportunity.unpublished",
];

/// The event type of a change to the list.
pub fn event_type(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Published => "opportunity.published",
        ChangeKind::Updated => "opportunity.updated",
        ChangeKind::Withdrawn => "opportunity.withdrawn",
        ChangeKind::Unpublished => "opportunity.unpublished",
    }
}

/// The waits before each retry after a failed attempt: the schedule Standard Webhooks
/// suggests, about 27 hours in all. Each wait gets up to ±10 % jitter, so that the
/// retries of many deliveries do not all come at once.
pub const RETRY_WAITS_SECONDS: &[i64] =
    &[5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];

/// An endpoint that has failed every attempt for this long is disabled.
pub fn disable_after() -> Duration {
    Duration::hours(24)
}

/// How long the previous secret keeps signing after a rotation.
pub fn rotation_overlap() -> Duration {
    Duration::hours(24)
}

/// The wait before the next attempt after `attempts` failed ones, jittered by
/// `jitter` (from -1.0 to 1.0); `None` when retries are exhausted.
pub fn next_wait(attempts: usize, jitter: f64) -> Option<Duration> {
    let base = *RETRY_WAITS_SECONDS.get(attempts.checked_sub(1)?)?;
    let jittered = base as f64 * (1.0 + 0.1 * jitter.clamp(-1.0, 1.0));
    Some(Duration::milliseconds((jittered * 1000.0) as i64))
}

/// The body a receiver gets for an event as the outbox keeps it: `data.href`, kept as a
/// path, made absolute from the service's public address (`MOBILITY_PUBLIC_URL`, without
/// a trailing slash), because a receiver has no base URL to resolve a path against.
pub fn body(payload: &str, public_url: &str) -> String {
    let Ok(mut event) = serde_json::from_str::<serde_json::Value>(payload) else {
        return payload.to_owned();
    };
    if let Some(href) = event.pointer_mut("/data/href")
        && let Some(path) = href.as_str().filter(|p| p.starts_with('/'))
    {
        *href = serde_json::Value::String(format!("{public_url}{path}"));
    }
    event.to_string()
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let bytes = [
        uuid::Uuid::new_v4().into_bytes(),
        uuid::Uuid::new_v4().into_bytes(),
    ]
    .concat();
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` value of a message: `v1,` and the base64 HMAC-SHA256 of
/// `id.timestamp.body` under the secret's key.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_specifications_example() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, id, 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn the_body_links_the_entry_absolutely() {
        let stored = r#"{"data":{"href":"/api/v1/opportunities/a","slug":"a"},"type":"opportunity.published"}"#;
        let sent: serde_json::Value =
            serde_json::from_str(&body(stored, "https://directory.example/base")).unwrap();
        assert_eq!(
            sent["data"]["href"],
            "https://directory.example/base/api/v1/opportunities/a"
        );
        assert_eq!(sent["data"]["slug"], "a");
        assert_eq!(sent["type"], "opportunity.published");
    }

    #[test]
    fn retries_follow_the_schedule_then_stop() {
        assert_eq!(next_wait(0, 0.0), None);
        assert_eq!(next_wait(1, 0.0), Some(Duration::seconds(5)));
        assert_eq!(next_wait(2, 1.0), Some(Duration::seconds(330)));
        assert_eq!(next_wait(7, -1.0), Some(Duration::hours(9)));
        assert_eq!(next_wait(8, 0.0), None);
        let total: i64 = RETRY_WAITS_SECONDS.iter().sum();
        assert!((24 * 3600..30 * 3600).contains(&total));
        assert!(new_secret().starts_with("whsec_"));
        assert!(sign(&new_secret(), "msg", 1, "{}").is_some());
    }
}
