//! The computed status of an opportunity: derived from the clock at request time, never stored.

use chrono::{DateTime, Duration, Utc};

pub use super::vocabulary::Status;

/// A call whose deadline is this close or closer is `closing_soon`.
pub fn closing_soon_window() -> Duration {
    Duration::days(7)
}

/// The dates that decide an opportunity's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub opens_at: Option<DateTime<Utc>>,
    pub deadline: Option<DateTime<Utc>>,
    pub rolling: bool,
}

impl Schedule {
    /// The status at `now`. A passed deadline closes a call, even a rolling one; a call
    /// that has not opened yet is upcoming; otherwise a rolling call is rolling, and a call
    /// with seven days or less left is closing soon.
    pub fn status_at(&self, now: DateTime<Utc>) -> Status {
        match (self.opens_at, self.deadline) {
            (_, Some(deadline)) if now >= deadline => Status::Closed,
            (Some(opens_at), _) if now < opens_at => Status::Upcoming,
            _ if self.rolling => Status::Rolling,
            (_, Some(deadline)) if deadline - now <= closing_soon_window() => Status::ClosingSoon,
            _ => Status::Open,
        }
    }

    /// The latest instant at or before `now` at which the status may have changed by the
    /// clock alone (it opened, started closing soon, or closed), if any has passed.
    pub fn last_change(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let closing_soon = self.deadline.map(|d| d - closing_soon_window());
        [self.opens_at, closing_soon, self.deadline]
            .into_iter()
            .flatten()
            .filter(|at| *at <= now)
            .max()
    }
}

/// The statuses a list shows when the client does not ask for any: everything but the archive.
pub const DEFAULT_LISTED: &[Status] = &[
    Status::Upcoming,
    Status::Open,
    Status::ClosingSoon,
    Status::Rolling,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn fixed(deadline: &str) -> Schedule {
        Schedule {
            opens_at: None,
            deadline: Some(at(deadline)),
            rolling: false,
        }
    }

    #[test]
    fn the_deadline_instant_itself_is_closed() {
        let s = fixed("2026-12-01T12:00:00Z");
        assert_eq!(s.status_at(at("2026-12-01T11:59:59Z")), Status::ClosingSoon);
        assert_eq!(s.status_at(at("2026-12-01T12:00:00Z")), Status::Closed);
    }

    #[test]
    fn seven_days_left_is_closing_soon_and_a_second_more_is_open() {
        let s = fixed("2026-12-08T12:00:00Z");
        assert_eq!(s.status_at(at("2026-12-01T12:00:00Z")), Status::ClosingSoon);
        assert_eq!(s.status_at(at("2026-12-01T11:59:59Z")), Status::Open);
    }

    #[test]
    fn the_last_change_is_the_latest_passed_instant_of_the_schedule() {
        let s = Schedule {
            opens_at: Some(at("2026-11-01T00:00:00Z")),
            deadline: Some(at("2026-12-08T12:00:00Z")),
            rolling: false,
        };
        assert_eq!(s.last_change(at("2026-10-31T00:00:00Z")), None);
        assert_eq!(
            s.last_change(at("2026-11-20T00:00:00Z")),
            Some(at("2026-11-01T00:00:00Z"))
        );
        assert_eq!(
            s.last_change(at("2026-12-02T00:00:00Z")),
            Some(at("2026-12-01T12:00:00Z"))
        );
        assert_eq!(
            s.last_change(at("2027-01-01T00:00:00Z")),
            Some(at("2026-12-08T12:00:00Z"))
        );
    }

    #[test]
    fn not_yet_open_is_upcoming_and_rolling_has_no_countdown() {
        let s = Schedule {
            opens_at: Some(at("2026-12-01T00:00:00Z")),
            deadline: None,
            rolling: true,
        };
        assert_eq!(s.status_at(at("2026-11-30T23:59:59Z")), Status::Upcoming);
        assert_eq!(s.status_at(at("2026-12-01T00:00:00Z")), Status::Rolling);
        let ending = Schedule {
            deadline: Some(at("2027-01-01T00:00:00Z")),
            ..s
        };
        assert_eq!(
            ending.status_at(at("2026-12-30T00:00:00Z")),
            Status::Rolling
        );
        assert_eq!(ending.status_at(at("2027-01-01T00:00:00Z")), Status::Closed);
    }
}
