//! Deadlines as iCalendar (RFC 5545), written with the `ics` crate, which escapes and
//! folds the lines.
//!
//! - One event per deadline, at the deadline's local time in its own zone (`TZID`), with
//!   a `VTIMEZONE` per zone that covers every deadline in it.
//! - Two display reminders, 7 days and 1 day before.
//! - `UID` is the entry's id, so it never changes; `SEQUENCE` is the entry's version,
//!   which grows with every edit (a moved deadline included), so calendars update the
//!   event in place; `DTSTAMP` is the entry's last change, so an unchanged feed is
//!   byte-for-byte the same and its `ETag` holds.
//! - A withdrawn entry's deadline comes once more with `STATUS:CANCELLED` (and a higher
//!   `SEQUENCE`), so calendars that hold it drop it instead of keeping a stale deadline.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use ics::components::Parameter;
use ics::properties::{
    CalScale, Categories, Description, DtStart, LastModified, Method, Sequence, Status, Summary,
    Trigger, TzName, URL,
};
use ics::{Alarm, Daylight, Event, ICalendar, Standard, TimeZone, escape_text};

use super::Feed;
use super::time_zones::{format_offset, observances};
use crate::domain::opportunity::{Lang, Opportunity, Organization};
use crate::domain::text;

/// The reminders before each deadline: (days before, English and Slovenian wording).
const REMINDERS: &[(i64, &str, &str)] = &[
    (7, "7 days left to apply", "Še 7 dni za prijavo"),
    (1, "1 day left to apply", "Še 1 dan za prijavo"),
];

fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: without the control characters RFC 5545 forbids in it (whatever was
/// stored), escaped.
fn text_value<'a>(text: impl Into<Cow<'a, str>>) -> Cow<'a, str> {
    let text = text.into();
    match text::printable(&text) {
        Cow::Borrowed(_) => escape_text(text),
        Cow::Owned(clean) => escape_text(clean),
    }
}

/// The calendar of `entries`' deadlines, with `cancelled` ones marked so. Entries
/// without a deadline have no event.
pub fn render(
    feed: &Feed,
    entries: &[(Opportunity, Organization)],
    cancelled: &[(Opportunity, Organization)],
) -> String {
    let mut calendar = ICalendar::new("2.0", "-//mobility-directory//deadlines//EN");
    calendar.push(CalScale::new("GREGORIAN"));
    calendar.push(Method::new("PUBLISH"));
    let name = feed.say(
        "Deadlines: international mobility calls",
        "Roki: razpisi za mednarodno mobilnost",
    );
    calendar.push(ics::properties::Name::new(text_value(name)));
    calendar.push(ics::components::Property::new(
        "X-WR-CALNAME",
        text_value(name),
    ));
    calendar.push(ics::properties::RefreshInterval::new("PT6H"));
    calendar.push(ics::components::Property::new("X-PUBLISHED-TTL", "PT6H"));

    let dated = entries
        .iter()
        .map(|(o, org)| (o, org, false))
        .chain(cancelled.iter().map(|(o, org)| (o, org, true)))
        .filter_map(|(o, org, gone)| Some((o, org, gone, o.deadline?)));
    // Every zone with the span of its deadlines.
    let mut zones: BTreeMap<&str, (Tz, DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
    let mut events = Vec::new();
    for (o, org, gone, deadline) in dated {
        let span = zones.entry(deadline.timezone.name()).or_insert((
            deadline.timezone,
            deadline.at,
            deadline.at,
        ));
        span.1 = span.1.min(deadline.at);
        span.2 = span.2.max(deadline.at);
        events.push(event(feed, o, org, gone, deadline.at, deadline.timezone));
    }
    for (name, (zone, first, last)) in zones {
        calendar.add_timezone(time_zone(name, zone, first, last));
    }
    for event in events {
        calendar.add_event(event);
    }
    calendar.to_string()
}

fn event<'a>(
    feed: &Feed,
    o: &'a Opportunity,
    org: &'a Organization,
    cancelled: bool,
    at: DateTime<Utc>,
    zone: Tz,
) -> Event<'a> {
    let title = feed.text(&o.title).to_owned();
    let mut event = Event::new(
        format!("{}@deadline.mobility-directory", o.id),
        utc_stamp(o.updated_at),
    );
    let mut start = DtStart::new(at.with_timezone(&zone).format("%Y%m%dT%H%M%S").to_string());
    start.add(Parameter::new("TZID", zone.name()));
    event.push(start);
    event.push(Summary::new(text_value(format!(
        "{}: {title}",
        feed.say("Deadline", "Rok")
    ))));
    let mut description = format!("{}\n\n{}", feed.text(&o.summary), org.name);
    if let Some(apply) = &o.application_url {
        description.push_str(&format!("\n{}: {apply}", feed.say("Apply", "Prijava")));
    }
    event.push(Description::new(text_value(description.trim().to_owned())));
    event.push(URL::new(feed.entry_url(o)));
    // The version grows with every edit, and withdrawing is one.
    event.push(Sequence::new(o.version.max(0).to_string()));
    event.push(LastModified::new(utc_stamp(o.updated_at)));
    event.push(Categories::new(o.kind.slug()));
    event.push(ics::properties::Transp::new("TRANSPARENT"));
    if cancelled {
        event.push(Status::new("CANCELLED"));
    } else {
        event.push(Status::new("CONFIRMED"));
        for (days, en, sl) in REMINDERS {
            let text = format!("{}: {title}", feed.lang.unwrap_or(Lang::En).pick(en, sl));
            event.add_alarm(Alarm::display(
                Trigger::new(format!("-P{days}D")),
                Description::new(text_value(text)),
            ));
        }
    }
    event
}

/// A `VTIMEZONE` covering a year before the first deadline in the zone to a day after
/// the last: every offset change in between is an observance of its own.
fn time_zone<'a>(
    name: &'a str,
    zone: Tz,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
) -> TimeZone<'a> {
    let spans = observances(zone, first - Duration::days(366), last + Duration::days(1));
    let mut component: Option<TimeZone<'a>> = None;
    for span in spans {
        let start = span.starts_local.format("%Y%m%dT%H%M%S").to_string();
        let (from, to) = (
            format_offset(span.offset_from),
            format_offset(span.offset_to),
        );
        if span.daylight {
            let mut d = Daylight::new(start, from, to);
            if let Some(n) = span.name {
                d.push(TzName::new(n));
            }
            match component.as_mut() {
                Some(tz) => tz.add_daylight(d),
                None => component = Some(TimeZone::daylight(name, d)),
            }
        } else {
            let mut s = Standard::new(start, from, to);
            if let Some(n) = span.name {
                s.push(TzName::new(n));
            }
            match component.as_mut() {
                Some(tz) => tz.add_standard(s),
                None => component = Some(TimeZone::standard(name, s)),
            }
        }
    }
    component.unwrap_or_else(|| {
        TimeZone::standard(name, Standard::new("19700101T000000", "+0000", "+0000"))
    })
}
