"""An iCalendar (RFC 5545) writer for published events (pure; no Django).

``calendar(events, name=...)`` returns the text of one VCALENDAR with a VEVENT per event:

- lines end with CRLF and are folded so that no line is longer than 75 octets (UTF-8 bytes,
  not characters): a continuation line starts with one space, and a multi-byte character is never
  split (RFC 5545 §3.1);
- TEXT values escape backslash, semicolon, comma and newline (§3.3.11);
- DATE-TIME values are written in UTC with the "Z" suffix (§3.3.5, form #2); a naive datetime is
  refused, because its zone would be a guess;
- UID is the caller's stable identifier (the event's UUID): the same event keeps its UID in every
  feed, so calendar clients update it instead of adding a copy; SEQUENCE counts its revisions;
- DTSTAMP is the event's last modification, so an unchanged event gives the same bytes (cacheable).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PRODID = "-//tsunagari//network events//JA"
MAX_OCTETS = 75


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    updated: datetime
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    cancelled: bool = False
    categories: tuple[str, ...] = ()


def escape_text(value: str) -> str:
    """A TEXT value: ``\\`` ``;`` ``,`` escaped, every line break as ``\\n``."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def utc(value: datetime) -> str:
    """A DATE-TIME in UTC, ``YYYYMMDDTHHMMSSZ``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: give a time zone")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Fold one content line to at most 75 octets per physical line, joined with CRLF + space."""
    parts: list[str] = []
    current, size = "", 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = " ", 1  # the leading space of a continuation line counts
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _event_lines(event: CalendarEvent) -> list[str]:
    if event.end < event.start:
        raise ValueError(f"event {event.uid} ends before it starts")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{utc(event.updated)}",
        f"LAST-MODIFIED:{utc(event.updated)}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTART:{utc(event.start)}",
        f"DTEND:{utc(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories))
    lines.append(f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: Iterable[CalendarEvent], name: str = "") -> str:
    """The whole VCALENDAR text (see the module docstring)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines += _event_lines(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
