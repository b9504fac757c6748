"""Every dated event and deadline in the stored pages of some documents, each with its page.

A professional's first question of a file is often "what happens when?": the lease term,
the notice windows, the follow-up after a discharge. The answer has to be exact, so it
is found without a model: explicit date patterns (``date_text``), the document's own
words for what happens (``date_wording``), and deadlines computed only from rules whose
anchor date the same document states (``deadlines``), with the rule and the arithmetic
shown. Pages are read one document at a time and scanned one page at a time (no page is
joined to another), so memory grows with the dates found, not with the documents.

An ambiguous numeric date ("03/04/2025") is read the way the rest of its document writes
dates; when nothing in the document settles it, the note says so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.documents import date_text
from assistant.documents.date_wording import cue, event_words, rule_words
from assistant.documents.deadlines import NOT_COUNTED, Candidate, apply, choose_anchor
from assistant.documents.ics import calendar_text
from assistant.documents.tables import ResultTable, dates_table
from assistant.index.library import Library
from assistant.index.registry import DocumentRecord, Status
from assistant.jobs import Cancelled, CancelToken, Progress

log = logging.getLogger(__name__)

EVENT, DEADLINE, PERIOD = "event", "deadline", "period"
KINDS = (EVENT, DEADLINE, PERIOD)
SORTS = ("date", "document")
_FOLLOW_UP = re.compile(
    r"\b(?:review\w*|follow[\s-]?up|appointment|clinic|repeat|recheck|re-check|reassess\w*|see\s+(?:you|her|him|"
    r"them|the\s+patient)|bloods?|tests?|scan|x-ray|check-up|visit)\b",
    re.IGNORECASE,
)
_BRITISH = re.compile(
    r"\b(?:organis\w+|authoris\w+|recognis\w+|licence[sd]?|colour\w*|favour\w*|honour\w*|behaviour\w*|"
    r"labour\w*|centre[sd]?|programme[sd]?|cheques?|whilst|judgements?|defence|offence|catalogue[sd]?|"
    r"analys(?:e|ed|es|ing)|summaris\w+|minimis\w+|utilis\w+|realis\w+|apologis\w+|paediatric\w*|"
    r"anaesthe\w+|haemo\w+|oesophag\w+|tumours?|oedema)\b",
    re.IGNORECASE,
)
# What ties "review in 6 weeks" to the discharge: the sentence names it, or its section is the follow-up.
_NAMES_DISCHARGE = re.compile(r"\b(?:post-)?discharge[ds]?\b", re.IGNORECASE)
_FOLLOW_UP_SECTION = re.compile(r"\b(?:follow[\s-]?up|discharge[ds]?|after[\s-]?care)\b", re.IGNORECASE)
_DAY_FIRST_SHAPES = {date_text.DMY, date_text.DAY_FIRST, date_text.DOTTED}
_MONTH_FIRST_SHAPES = {date_text.MDY, date_text.MONTH_FIRST}
MAX_ALSO_PAGES = 10


@dataclass(frozen=True)
class DatedEvent:
    """One date in a document: an event it states, a deadline computed from its rules, or a period.

    ``date`` is ISO (``2024-06-17``), ``2031-03`` for a month and year alone (``partial``),
    or None for a period no stated date anchors. ``span`` is the sentence holding it, as it
    is on the page; a deadline's ``rule`` is the rule's own words, ``anchor`` the event it
    counts from and ``arithmetic`` the sum ("2029-06-30 − 90 days").
    """

    date: str | None
    kind: str
    event: str
    document: str
    path: str
    page: int
    span: str
    partial: bool = False
    note: str = ""
    rule: str = ""
    anchor: DatedEvent | None = None
    arithmetic: str = ""

    def to_json(self) -> dict[str, object]:
        anchor = self.anchor
        return {
            "date": self.date,
            "kind": self.kind,
            "event": self.event,
            "document": self.document,
            "path": self.path,
            "page": self.page,
            "span": self.span,
            "partial": self.partial,
            "note": self.note,
            "rule": self.rule,
            "anchor": None
            if anchor is None
            else {"date": anchor.date, "event": anchor.event, "page": anchor.page, "span": anchor.span},
            "arithmetic": self.arithmetic,
        }

    def first_day(self) -> dt.date | None:
        """The first day the date covers (the 1st for a month and year alone)."""
        if self.date is None:
            return None
        year, month, *day = (int(part) for part in self.date.split("-"))
        return dt.date(year, month, day[0] if day else 1)

    def last_day(self) -> dt.date | None:
        """The last day the date covers (the month's last day for a month and year alone)."""
        first = self.first_day()
        if first is None or not self.partial:
            return first
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass
class DatesReport:
    """The dates of some documents, sorted by date (undated periods last), and what went wrong.

    ``notes`` are for the user: documents not found or without text, impossible dates,
    documents without any date. ``failed`` holds the notes about documents that could not
    be read at all (the CLI's partial exit); ``documents`` the titles that were read.
    """

    events: list[DatedEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"events": [e.to_json() for e in self.events], "notes": list(self.notes)}

    def select(
        self, kinds: Iterable[str] = (), start: dt.date | None = None, end: dt.date | None = None
    ) -> DatesReport:
        """Only the events of ``kinds`` that fall (or, for a month, overlap) ``start``..``end``.

        A date range leaves out the periods, which have no date.
        """
        wanted = set(kinds)

        def keep(event: DatedEvent) -> bool:
            if wanted and event.kind not in wanted:
                return False
            if start is None and end is None:
                return True
            first, last = event.first_day(), event.last_day()
            if first is None or last is None:
                return False
            return (start is None or last >= start) and (end is None or first <= end)

        return replace(self, events=[e for e in self.events if keep(e)])

    def sorted_by(self, order: str) -> DatesReport:
        """By ``date`` (the default order) or by ``document`` (in the order read, then page)."""
        if order not in SORTS:
            raise ValueError(f"unknown order {order!r}; use one of {', '.join(SORTS)}")
        if order == "date":
            return replace(self, events=sorted(self.events, key=_by_date))
        rank = {title: n for n, title in enumerate(self.documents)}
        ordered = sorted(self.events, key=lambda e: (rank.get(e.document, len(rank)), e.page, _by_date(e)))
        return replace(self, events=ordered)

    def table(self) -> ResultTable:
        return dates_table(self.to_json())

    def to_csv(self, path: Path) -> None:
        self.table().write_csv(path)

    def to_markdown(self) -> str:
        return self.table().to_markdown()

    def to_ics(self, stamp: dt.datetime | None = None) -> str:
        """An iCalendar file (RFC 5545) of the dated events and deadlines; periods have no day."""
        return calendar_text(self.events, stamp=stamp)

    def write_ics(self, path: Path) -> None:
        Path(path).write_text(self.to_ics(), encoding="utf-8", newline="")


def _by_date(event: DatedEvent) -> tuple[int, str, str, int]:
    return (event.date is None, event.date or "", event.document, event.page)


def find_dates(
    library: Library,
    docs: Sequence[DocumentRecord],
    *,
    missing: Sequence[str] = (),
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> DatesReport:
    """The dates of ``docs``; ``missing`` names targets that were not found, for the notes.

    A document that is not indexed, has no text yet or cannot be read gets a note and the
    others go on. Progress counts pages. Raises ``Cancelled`` when ``cancel`` fires, and
    then returns nothing, not a part of the list.
    """
    report = DatesReport()
    for target in missing:
        _fail(report, f"not in the library and not a collection: {target}")
    total = sum(max(doc.pages, 1) for doc in docs)
    done = 0
    if progress is not None:
        progress.update(0, total)
    for doc in docs:
        try:
            _read_document(library, doc, report, progress, cancel, done, total)
        except Cancelled:
            raise
        except Exception as exc:
            log.exception("Could not read the dates of %s (%s)", doc.title, doc.path)
            _fail(report, f"{doc.title}: its dates could not be read ({exc}): {doc.path}")
        done += max(doc.pages, 1)
        if progress is not None:
            progress.update(done, total, detail=doc.title)
    report.events.sort(key=_by_date)
    return report


def _fail(report: DatesReport, message: str) -> None:
    log.info("Dates: %s", message)
    report.notes.append(message)
    report.failed.append(message)


@dataclass
class _Mention:
    """A date found on a page, before its document settles how an ambiguous one reads."""

    found: date_text.DateMention
    page: int
    span: str
    event: str
    words: tuple[str, ...]  # the words of the date's label, which anchors are matched against
    bound: bool = False  # "no earlier than 31 March 2028": a limit, not the day something happens


@dataclass
class _Rule:
    """A period found on a page, with the words around it, before its anchor is looked for."""

    period: date_text.PeriodMention
    page: int
    span: str
    rule: str
    event: str
    dated_anchor: _Mention | None  # "within 30 days after 1 July 2024": the anchor is written out
    follow_up: bool
    section: str = ""  # the heading of the section the sentence is in ("Follow-up"), if any


@dataclass
class _Evidence:
    """How the rest of a document writes dates, for reading its ambiguous ones."""

    day_first: int = 0
    month_first: int = 0
    foreign_months: bool = False
    british: bool = False
    dotted: bool = False
    heading: str = ""  # the last section heading read so far (a section may go on to the next page)


def _read_document(
    library: Library,
    doc: DocumentRecord,
    report: DatesReport,
    progress: Progress | None,
    cancel: CancelToken | None,
    done: int,
    total: int,
) -> None:
    if doc.status != Status.INDEXED:
        _fail(report, f"{doc.title} is not indexed (status: {doc.status}): {doc.path}")
        return
    pages = library.registry.pages(doc.id)
    if not any(page.text.strip() for page in pages):
        if doc.ocr_pending:
            count = len(doc.ocr_pending)
            pages_wait = "its page has" if count == 1 else f"its {count} pages have"
            _fail(
                report,
                f"{doc.title} has no text yet: it is scanned and {pages_wait} not been read by OCR "
                f"(index it again with OCR on): {doc.path}",
            )
        else:
            _fail(
                report,
                f"{doc.title} has no text (an empty document, or pages OCR could not read): {doc.path}",
            )
        return
    if doc.ocr_pending:
        waiting = ", ".join(map(str, doc.ocr_pending))
        report.notes.append(
            f"{doc.title}: scanned pages {waiting} are not read by OCR yet; their dates are not listed"
        )
    mentions: list[_Mention] = []
    rules: list[_Rule] = []
    evidence = _Evidence()
    for page in pages:
        if cancel is not None:
            cancel.raise_if_cancelled()
        _scan_page(page.number, page.text, doc.title, mentions, rules, evidence, report)
        if progress is not None:
            progress.update(
                done + min(page.number, max(doc.pages, 1)), total, detail=f"{doc.title} p. {page.number}"
            )
    report.documents.append(doc.title)
    events, where = _dedupe([_event(m, doc, evidence) for m in mentions])
    dated = [_Dated(events[where[n]], m.words, m.bound) for n, m in enumerate(mentions)]
    anchors = {id(m): d for m, d in zip(mentions, dated, strict=True)}
    unique = list({id(d.event): d for d in dated}.values())
    computed, _ = _dedupe([_resolve(rule, doc, unique, anchors) for rule in rules])
    if not events and not computed:
        report.notes.append(f"no dates found in {doc.title}")
    report.events.extend(events + computed)


@dataclass(frozen=True)
class _Dated:
    """A stated event with the words of its label, which a rule's anchor is matched against."""

    event: DatedEvent
    words: tuple[str, ...]
    bound: bool = False


def _scan_page(
    number: int,
    text: str,
    title: str,
    mentions: list[_Mention],
    rules: list[_Rule],
    evidence: _Evidence,
    report: DatesReport,
) -> None:
    """Add the page's dates and rules; the page's text is not kept, only what was found."""
    if not text.strip():
        return
    evidence.british = evidence.british or _BRITISH.search(text) is not None
    found, invalid = date_text.find_dates(text)
    for bad in invalid:
        report.notes.append(f"{title} p. {number}: “{bad.text}” is not a real date; left out")
    headings = date_text.headings(text)
    for sentence in date_text.sentences(text):
        while headings and headings[0][0] <= sentence.start:
            evidence.heading = headings.pop(0)[1]
        inside = [m for m in found if sentence.start <= m.start < sentence.end]
        span = sentence.text(text)
        floor, previous = sentence.start, ""
        page_mentions: list[_Mention] = []
        for mention in inside:
            _count(mention, evidence)
            ceiling = next((m.start for m in inside if m.start > mention.start), sentence.end)
            wording = event_words(text, floor, mention.start, mention.end, ceiling, previous)
            event = wording.event or "Date"
            page_mentions.append(_Mention(mention, number, span, event, cue(wording.label), wording.bound))
            floor, previous = mention.end, wording.event
        mentions.extend(page_mentions)
        periods = date_text.find_periods(text, sentence.end, sentence.start)
        for period in periods:
            group = [p for p in periods if p.anchor_text and p.anchor_start == period.anchor_start]
            opens = min((p.start for p in group), default=period.start)
            event = rule_words(text, sentence.start, opens, period.end, sentence.end)
            dated = next((m for m in page_mentions if m.found.start == period.anchor_start), None)
            rules.append(
                _Rule(
                    period,
                    number,
                    span,
                    text[period.start : period.end],
                    event or period.period_text,
                    dated,
                    _FOLLOW_UP.search(span) is not None,
                    evidence.heading,
                )
            )


def _count(mention: date_text.DateMention, evidence: _Evidence) -> None:
    if mention.shape in _DAY_FIRST_SHAPES:
        evidence.day_first += 1
    elif mention.shape in _MONTH_FIRST_SHAPES:
        evidence.month_first += 1
    evidence.foreign_months = evidence.foreign_months or mention.foreign
    numeric = mention.shape in (date_text.DOTTED, date_text.DAY_FIRST, date_text.SAME)
    evidence.dotted = evidence.dotted or (numeric and "." in mention.text)


def _event(mention: _Mention, doc: DocumentRecord, evidence: _Evidence) -> DatedEvent:
    found = mention.found
    if found.day is None:
        iso, partial, note = f"{found.year:04d}-{found.month:02d}", True, ""
    else:
        value, note = _reading(found, evidence)
        iso, partial = value.isoformat(), False
    return DatedEvent(
        iso, EVENT, mention.event, doc.title, doc.path, mention.page, mention.span, partial, note
    )


def _reading(found: date_text.DateMention, evidence: _Evidence) -> tuple[dt.date, str]:
    """The day a numeric date stands for in this document, and the note saying why when it could be two."""
    day_first = dt.date(found.year, found.month, found.day or 1)
    if found.shape == date_text.DOTTED:
        return (
            day_first,
            f"read as {date_text.spelled(day_first)} (day first: dates written with dots are day first)",
        )
    if found.shape != date_text.AMBIGUOUS or found.month_first is None:
        return day_first, ""
    month_first = found.month_first
    if evidence.day_first > evidence.month_first:
        return (
            day_first,
            f"read as {date_text.spelled(day_first)} (day first: the document writes other dates day first)",
        )
    if evidence.month_first > evidence.day_first:
        return month_first, (
            f"read as {date_text.spelled_month_first(month_first)} "
            "(month first: the document writes other dates month first)"
        )
    reason = (
        "the document writes month names in French, German or Spanish"
        if evidence.foreign_months
        else "the document writes other dates with dots, day first"
        if evidence.dotted
        else "the document uses British spelling"
        if evidence.british
        else ""
    )
    if reason:
        return day_first, f"read as {date_text.spelled(day_first)} (day first: {reason})"
    return day_first, (
        f"ambiguous: “{found.text}” could be {date_text.spelled(day_first)} (day first) or "
        f"{date_text.spelled_month_first(month_first)} (month first), and nothing else in the document "
        f"settles it; shown as {date_text.spelled(day_first)}, check the source"
    )


def _resolve(
    rule: _Rule, doc: DocumentRecord, events: list[_Dated], anchors: dict[int, _Dated]
) -> DatedEvent:
    """The deadline ``rule`` sets, or the period as stated with why it could not be computed."""
    period = rule.period
    as_stated = DatedEvent(
        None, PERIOD, rule.event, doc.title, doc.path, rule.page, rule.span, rule=rule.rule
    )
    if period.counting in NOT_COUNTED and (period.direction or period.relation):
        return replace(as_stated, note=f"not computed: {NOT_COUNTED[period.counting]}")
    candidates = [
        Candidate(
            d.event.first_day() if not d.event.partial else None,
            d.words,
            f"{d.event.date} (p. {d.event.page})",
            d.bound,
        )
        for d in events
    ]
    why = ""
    if period.direction and rule.dated_anchor is not None:
        anchor = anchors[id(rule.dated_anchor)].event
    elif period.direction:
        index, reason = choose_anchor(period.anchor_text, candidates, rule.span)
        if index is None:
            return replace(as_stated, note=f"not computed: {reason}")
        anchor = events[index].event
    elif period.relation and rule.follow_up:
        index, reason = choose_anchor("discharge", candidates, rule.span)
        if index is None and reason.startswith("the document states no date"):
            return as_stated  # "review in 6 weeks" in a letter that states no discharge: as written
        if index is None:
            return replace(as_stated, note=f"not computed: {reason}")
        discharge = events[index].event
        tie = _discharge_tie(rule)
        if not tie:
            section = f" (“{rule.section}”)" if rule.section else ""
            return replace(
                as_stated,
                note=f"not computed: “{rule.rule}” does not say what it counts from, and neither the sentence "
                f"nor its section{section} ties it to the discharge ({discharge.event}, {discharge.date})",
            )
        anchor = discharge
        why = f"counted from the discharge ({anchor.event}, {anchor.date}): {tie}"
    else:
        return as_stated
    start = anchor.first_day()
    if anchor.partial or start is None:
        return replace(as_stated, note=f"not computed: {anchor.date} gives no day to count from")
    result, arithmetic = apply(period, start)
    bound = {"latest": " (last day)", "earliest": " (first day)"}.get(period.bound, "")
    notes = [why] if why else []
    if anchor.note.startswith("ambiguous"):
        notes.append(f"counted from an ambiguous date: {anchor.note}")
    note = "; ".join(notes)
    return replace(
        as_stated,
        date=result.isoformat(),
        kind=DEADLINE,
        event=f"{rule.event}{bound}",
        anchor=anchor,
        arithmetic=arithmetic,
        note=note,
    )


def _discharge_tie(rule: _Rule) -> str:
    """Why "review in 6 weeks" counts from the discharge, or "" when nothing ties it to the discharge."""
    if _NAMES_DISCHARGE.search(rule.span):
        return "the sentence names the discharge"
    if rule.section and _FOLLOW_UP_SECTION.search(rule.section):
        return f"the sentence is in the “{rule.section}” section"
    return ""


def _dedupe(events: list[DatedEvent]) -> tuple[list[DatedEvent], list[int]]:
    """One event per date and sentence (a header dated on every page is listed once, with its pages).

    Returns the events kept and, for each event given, the index of the one that stands for it.
    """
    first: dict[tuple[str, str | None, str, str], int] = {}
    also: dict[int, set[int]] = {}
    kept: list[DatedEvent] = []
    where: list[int] = []
    for event in events:
        key = (event.kind, event.date, " ".join(event.span.split()), event.rule)
        if key in first:
            where.append(first[key])
            if event.page != kept[first[key]].page:
                also[first[key]].add(event.page)
            continue
        first[key] = len(kept)
        also[len(kept)] = set()
        where.append(len(kept))
        kept.append(event)
    for index, pages in also.items():
        if pages:
            shown = ", ".join(map(str, sorted(pages)[:MAX_ALSO_PAGES]))
            more = " and more" if len(pages) > MAX_ALSO_PAGES else ""
            note = kept[index].note
            extra = f"also on p. {shown}{more}"
            kept[index] = replace(kept[index], note=f"{note}; {extra}" if note else extra)
    return kept, where
