"""Dated events as an iCalendar file (RFC 5545), so deadlines land in the user's own calendar.

Written by hand rather than with a library because the subset needed is small and the
rules that calendar programs are strict about are few and exact: CRLF line ends, lines
folded at 75 octets (never inside a UTF-8 character), text values escaped, all-day
events as ``DTSTART;VALUE=DATE`` with the exclusive ``DTEND`` after them. A month and
year alone ("March 2031") becomes an event spanning that month rather than a made-up
day. UIDs are derived from the document, page, kind, date and sentence, so exporting
again updates the same calendar entries instead of duplicating them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from assistant.documents.date_text import MONTH_NAMES

if TYPE_CHECKING:
    from assistant.documents.dates import DatedEvent

PRODID = "-//Quire//quire dates//EN"
_LIMIT = 75  # octets per line, CRLF excluded


def calendar_text(events: Iterable[DatedEvent], *, stamp: datetime | None = None) -> str:
    """The VCALENDAR of every event with a date; ``stamp`` is DTSTAMP (now, in UTC, by default)."""
    when = (stamp or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for event in events:
        first, last = event.first_day(), event.last_day()
        if first is None or last is None:
            continue  # a period without an anchor has no day to put in a calendar
        summary = event.event if event.kind == "event" else f"{event.kind.capitalize()}: {event.event}"
        if event.partial:
            summary = f"{summary} ({MONTH_NAMES[first.month - 1]} {first.year}, day not stated)"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid(event)}",
            f"DTSTAMP:{when}",
            f"DTSTART;VALUE=DATE:{_day(first)}",
            f"DTEND;VALUE=DATE:{_day(last + timedelta(days=1))}",
            f"SUMMARY:{escape(summary)}",
            f"DESCRIPTION:{escape(_description(event))}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def uid(event: DatedEvent) -> str:
    key = "\x1f".join([event.path, str(event.page), event.kind, event.date or "", event.span, event.rule])
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@quire"


def _description(event: DatedEvent) -> str:
    parts = [f"{event.document}, p. {event.page}: {event.span}"]
    if event.rule:
        parts.append(f"Rule: {event.rule}")
    if event.arithmetic:
        parts.append(f"Computed: {event.arithmetic}")
    if event.note:
        parts.append(f"Note: {event.note}")
    if event.path:
        parts.append(event.path)
    return "\n".join(parts)


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, line breaks as ``\\n``."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """``line`` cut into pieces of at most 75 octets, each after the first starting with a space."""
    pieces: list[str] = []
    current, size, limit = "", 0, _LIMIT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, _LIMIT - 1  # the leading space of a continuation counts
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)
