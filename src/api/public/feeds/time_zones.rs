//! The UTC offsets a time zone had over a span of time, from the tz database that
//! `chrono-tz` compiles in: what a calendar's `VTIMEZONE` describes.

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// A span of time during which a zone keeps one offset from UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observance {
    /// When it begins, as local time in the offset before it (`DTSTART` of a `VTIMEZONE`
    /// observance is given so).
    pub starts_local: NaiveDateTime,
    /// The offset before it, in seconds east of UTC.
    pub offset_from: i32,
    /// Its offset, in seconds east of UTC.
    pub offset_to: i32,
    /// Daylight saving time (else standard time).
    pub daylight: bool,
    /// Its abbreviation, such as `CET` or `CEST`, when the database has a letter one.
    pub name: Option<String>,
}

/// How far apart offsets are compared: changes of offset are weeks apart.
const STEP_SECONDS: i64 = 12 * 3600;

fn offset_at(zone: Tz, at: DateTime<Utc>) -> (i32, bool, Option<String>) {
    let offset = zone.offset_from_utc_datetime(&at.naive_utc());
    let name = offset
        .abbreviation()
        .filter(|n| n.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_owned);
    (
        offset.fix().local_minus_utc(),
        offset.dst_offset() != chrono::TimeDelta::zero(),
        name,
    )
}

/// The observances that cover `from` to `to`: the one in effect at `from` (its start
/// given as `from` itself), then one per change of offset up to `to`. Offsets change at
/// most every few weeks, so the span is walked in steps of twelve hours and each change
/// is found to the second by bisection: a century costs some 73,000 look-ups.
pub fn observances(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Observance> {
    let (offset, daylight, name) = offset_at(zone, from);
    let mut out = vec![Observance {
        starts_local: from.naive_utc() + Duration::seconds(i64::from(offset)),
        offset_from: offset,
        offset_to: offset,
        daylight,
        name,
    }];
    let mut current = offset;
    let mut at = from.timestamp();
    let end = to.timestamp();
    let instant = |seconds: i64| DateTime::from_timestamp(seconds, 0).unwrap_or(from);
    while at < end {
        let next = at + STEP_SECONDS;
        let (offset, _, _) = offset_at(zone, instant(next));
        if offset != current {
            // The first second with the new offset lies in (at, next].
            let (mut before, mut after) = (at, next);
            while after - before > 1 {
                let middle = before + (after - before) / 2;
                if offset_at(zone, instant(middle)).0 == current {
                    before = middle;
                } else {
                    after = middle;
                }
            }
            let (offset, daylight, name) = offset_at(zone, instant(after));
            out.push(Observance {
                starts_local: instant(after).naive_utc() + Duration::seconds(i64::from(current)),
                offset_from: current,
                offset_to: offset,
                daylight,
                name,
            });
            current = offset;
        }
        at = next;
    }
    out
}

/// An offset as iCalendar writes it: `+0100`, `-0330`, `+0545`.
pub fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn ljubljana_in_2027_springs_forward_in_march_and_back_in_october() {
        let found = observances(
            chrono_tz::Europe::Ljubljana,
            at("2027-01-01T00:00:00Z"),
            at("2027-12-31T00:00:00Z"),
        );
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].offset_to, 3600);
        assert!(!found[0].daylight);
        assert_eq!(
            found[1].starts_local,
            "2027-03-28T02:00:00".parse::<NaiveDateTime>().unwrap()
        );
        assert_eq!((found[1].offset_from, found[1].offset_to), (3600, 7200));
        assert!(found[1].daylight);
        assert_eq!(found[1].name.as_deref(), Some("CEST"));
        assert_eq!(
            found[2].starts_local,
            "2027-10-31T03:00:00".parse::<NaiveDateTime>().unwrap()
        );
        assert_eq!((found[2].offset_from, found[2].offset_to), (7200, 3600));
    }

    #[test]
    fn a_zone_without_daylight_saving_has_one_observance() {
        let found = observances(
            chrono_tz::Asia::Kathmandu,
            at("2027-01-01T00:00:00Z"),
            at("2027-12-31T00:00:00Z"),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(format_offset(found[0].offset_to), "+0545");
        assert_eq!(format_offset(-12_600), "-0330");
    }
}
