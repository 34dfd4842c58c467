"""Parses what the service emits with a parser made for each format, and prints what it
found as JSON, for the Rust tests to check. Never string matching: if a library refuses
the document, this exits non-zero with its complaint.

    parse.py atom|ical|csv|jsonld < document
"""
import csv
import io
import json
import sys
from datetime import datetime, timedelta, timezone


def atom(text):
    import feedparser

    feed = feedparser.parse(text)
    if feed.bozo:
        raise SystemExit(f"feedparser: {feed.bozo_exception!r}")
    return {
        "version": feed.version,
        "id": feed.feed.get("id"),
        "title": feed.feed.get("title"),
        "updated": feed.feed.get("updated"),
        "links": [{"rel": l.get("rel"), "href": l.get("href")} for l in feed.feed.get("links", [])],
        "entries": [
            {
                "id": e.get("id"),
                "title": e.get("title"),
                "summary": e.get("summary"),
                "updated": e.get("updated"),
                "published": e.get("published"),
                "author": e.get("author"),
                "links": [{"rel": l.get("rel"), "href": l.get("href")} for l in e.get("links", [])],
                "tags": [t.get("term") for t in e.get("tags", [])],
            }
            for e in feed.entries
        ],
    }


def ical(text):
    import icalendar

    calendar = icalendar.Calendar.from_ical(text)
    # Each VTIMEZONE as the calendar defines it (not the tz database): the events'
    # instants below come from the service's own VTIMEZONE components.
    zones = {str(tz["TZID"]): tz.to_tz() for tz in calendar.walk("VTIMEZONE")}
    events = []
    for event in calendar.walk("VEVENT"):
        start = event["DTSTART"]
        tzid = start.params.get("TZID")
        naive = start.dt.replace(tzinfo=None)
        local = naive.replace(tzinfo=zones[tzid]) if tzid in zones else None
        events.append({
            "uid": str(event["UID"]),
            "summary": str(event["SUMMARY"]),
            "description": str(event.get("DESCRIPTION", "")),
            "status": str(event.get("STATUS", "")),
            "sequence": int(event.get("SEQUENCE", 0)),
            "url": str(event.get("URL", "")),
            "tzid": tzid,
            "local": naive.isoformat(),
            "utc": local.astimezone(timezone.utc).isoformat() if local else None,
            "alarms": [
                {
                    "action": str(alarm["ACTION"]),
                    "before_seconds": -int(alarm["TRIGGER"].dt.total_seconds()),
                    "description": str(alarm.get("DESCRIPTION", "")),
                }
                for alarm in event.walk("VALARM")
            ],
        })
    return {
        "name": str(calendar.get("X-WR-CALNAME", "")),
        "timezones": sorted(zones),
        "events": events,
    }


def table(text):
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    rows = list(reader)
    return {"header": reader.fieldnames, "rows": rows}


def linked_data(text):
    from pyld import jsonld

    # schema.org's context maps every term into its vocabulary; it is served from the
    # web, which tests do not reach, so its essence is given here.
    def loader(url, options=None):
        if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
            return {
                "contentType": "application/ld+json",
                "contextUrl": None,
                "documentUrl": url,
                "document": {"@context": {"@vocab": "https://schema.org/"}},
            }
        raise SystemExit(f"unexpected remote context {url}")

    document = json.loads(text)
    return jsonld.expand(document, {"documentLoader": loader})


def main():
    kind = sys.argv[1]
    text = sys.stdin.read()
    parsed = {"atom": atom, "ical": ical, "csv": table, "jsonld": linked_data}[kind](text)
    json.dump(parsed, sys.stdout, default=str)


if __name__ == "__main__":
    main()
