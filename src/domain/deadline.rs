//! Deadlines: an instant, with the IANA time zone it was announced in kept beside it.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub at: DateTime<Utc>,
    pub timezone: Tz,
}

impl Deadline {
    /// A deadline announced as a wall-clock time in a zone. A time skipped by a
    /// daylight-saving jump moves to the first instant after the gap; a time that
    /// occurs twice takes the later occurrence, so nobody loses the extra hour.
    pub fn from_local(local: NaiveDateTime, timezone: Tz) -> Deadline {
        let mut probe = local;
        let at = loop {
            match timezone.from_local_datetime(&probe) {
                chrono::LocalResult::Single(t) => break t,
                chrono::LocalResult::Ambiguous(_, later) => break later,
                chrono::LocalResult::None => probe += chrono::Duration::minutes(1),
            }
        };
        Deadline {
            at: at.with_timezone(&Utc),
            timezone,
        }
    }

    /// The deadline as the organizer announced it, in their zone.
    pub fn local(&self) -> DateTime<Tz> {
        self.at.with_timezone(&self.timezone)
    }
}

/// Parses an IANA zone name such as `Europe/Ljubljana`.
pub fn parse_timezone(name: &str) -> Option<Tz> {
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn the_same_wall_clock_is_a_different_instant_in_each_zone() {
        let lj = Deadline::from_local(local("2026-12-01 23:59"), chrono_tz::Europe::Ljubljana);
        let ny = Deadline::from_local(local("2026-12-01 23:59"), chrono_tz::America::New_York);
        assert_eq!(lj.at.to_rfc3339(), "2026-12-01T22:59:00+00:00");
        assert_eq!(ny.at.to_rfc3339(), "2026-12-02T04:59:00+00:00");
        assert_eq!(lj.local().to_rfc3339(), "2026-12-01T23:59:00+01:00");
    }

    #[test]
    fn a_skipped_local_time_moves_past_the_gap() {
        let d = Deadline::from_local(local("2027-03-28 02:30"), chrono_tz::Europe::Ljubljana);
        assert_eq!(d.local().to_rfc3339(), "2027-03-28T03:00:00+02:00");
    }

    #[test]
    fn unknown_zones_are_rejected() {
        assert!(parse_timezone("Europe/Ljubljana").is_some());
        assert!(parse_timezone("Mars/Olympus").is_none());
    }
}
