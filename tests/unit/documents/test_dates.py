"""`quire dates`: dated events, computed deadlines and stated periods, from a real on-disk library."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta

from assistant import cli
from assistant.config import Settings
from assistant.documents.date_wording import MAX_WORDS
from assistant.documents.dates import DatedEvent, DatesReport, find_dates
from assistant.documents.ics import calendar_text
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.jobs import Cancelled, CancelToken, Progress
from assistant.testing.documents import write_scanned_pdf, write_text_pdf
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.parts import fake_parts
from assistant.testing.scripted_chat import ScriptedChatModel

LEASE = [
    "Lease Agreement\nThis Lease is made on 17 June 2024 between Alder Estates plc (the Landlord)\n"
    "and Moss Bakery (the Tenant).\nThe lease term begins on 1 July 2024 and ends on 30 June 2029.",
    "Rent\nThe Tenant shall pay rent of £24,000 per year as set out in section 3.1.\n"
    "Notice of termination must be given at least ninety (90) days before the end of the term.\n"
    "The Tenant may renew by giving notice not earlier than 6 months and not later than 3 months "
    "before the expiry date.\nEither party may end it on sixty days written notice.",
    "Breach\nOn 3 March 2025 the Landlord served a notice of breach on the Tenant.\n"
    "The Tenant shall remedy the breach within fourteen (14) days after service of the notice.\n"
    "The premises will be inspected on 04/05/2025.\n"
    "Confidential information must be kept secret for five years after termination.\n"
    "Any refund is due within 10 business days after the end of the term.",
]
US_CONTRACT = [
    "Services Agreement\nThis Agreement is dated June 17, 2024.\nServices begin on 06/18/2024.\n"
    "The first review meeting is on 03/04/2025."
]
FORMATS = [
    "Record of filings\nSigned on 1st of March 2025.\nFiled on 2024-06-17.\nReceived on 17/06/2024.\n"
    "Le bail prend fin le 3 mars 2031.\nDer Vertrag endet am 4. März 2031.\n"
    "El contrato termina el 5 de marzo de 2031.\nThe rent review takes place in March 2032.\n"
    "A typing error gives 31 June 2024."
]
DISCHARGE = [
    "Discharge letter\nDate of discharge: 6 February 2025\nThe patient was admitted on 2 February 2025.\n"
    "Please review in clinic in 6 weeks.\nRepeat blood tests in two weeks."
]
UNDECIDED = ["Meeting notes\nThe site visit is on 03/04/2025."]
# "discharge" and "notice" in dated sentences whose labels name something else: no anchor.
WARD = [
    "Ward note\nThe discharge summary was sent to the GP on 10 February 2026.\nMedications at discharge\n"
    "- Cefuroxime 500 mg twice daily (until 12 February 2026).\nReview by the GP within 7 days of discharge.\n"
    "The notice period ends on 3 March 2026.\nThe Tenant shall pay within 10 days after notice."
]
# A labelled discharge, and a "repeat in 6 weeks" that nothing ties to it.
COURSE = [
    "Discharge summary\nDischarged: 9 February 2026\nHospital course\n"
    "Repeat the echocardiogram in 6 weeks if the murmur persists."
]
PLAIN = ["Schedule\nSection 3.1 sets a yearly rent of £24,000 for the two units."]
LONG_PAGES = 40
LONG = [f"Minutes, page {n}\nThe board met on {n % 28 + 1} January 2025." for n in range(1, LONG_PAGES + 1)]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    root = tmp_path_factory.mktemp("dates")
    docs = root / "docs"
    docs.mkdir()
    for name, pages in [
        ("lease", LEASE),
        ("us-contract", US_CONTRACT),
        ("formats", FORMATS),
        ("discharge", DISCHARGE),
        ("undecided", UNDECIDED),
        ("ward", WARD),
        ("course", COURSE),
        ("plain", PLAIN),
        ("minutes", LONG),
    ]:
        write_text_pdf(docs / f"{name}.pdf", pages)
    write_scanned_pdf(docs / "scan.pdf", ["Signed on 1 July 2024"])
    settings = Settings.load(root / "home")
    settings.index.ocr = False  # the scan stays as a scanner left it: no text yet
    with Library.open(settings, HashEmbedder()) as lib:
        Indexer(lib).run([docs])
        yield lib


def dates_of(
    library: Library,
    *titles: str,
    missing: tuple[str, ...] = (),
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> DatesReport:
    docs = [next(d for d in library.documents() if d.title == title) for title in titles]
    return find_dates(library, docs, missing=missing, progress=progress, cancel=cancel)


def on(report: DatesReport, when: str, kind: str = "event") -> DatedEvent:
    found = [e for e in report.events if e.date == when and e.kind == kind]
    assert len(found) == 1, f"{kind} on {when}: {found}"
    return found[0]


def page_text(library: Library, title: str, number: int) -> str:
    doc = next(d for d in library.documents() if d.title == title)
    return next(p.text for p in library.registry.pages(doc.id) if p.number == number)


def test_each_written_form_becomes_an_iso_date(library: Library) -> None:
    lease = dates_of(library, "lease")
    made = on(lease, "2024-06-17")
    assert (made.event, made.document, made.page) == ("Lease is made", "lease", 1)
    assert made.span.startswith("This Lease is made on 17 June 2024") and made.span in page_text(
        library, "lease", 1
    )
    assert made.path.endswith("lease.pdf") and not made.partial and made.note == ""
    assert on(lease, "2024-07-01").event == "Lease term begins"
    assert on(lease, "2029-06-30").event == "Lease term ends"

    formats = dates_of(library, "formats")
    assert on(formats, "2025-03-01").event == "Signed"  # 1st of March 2025
    by_event = {e.event: e for e in formats.events}
    assert by_event["Filed"].date == "2024-06-17"  # 2024-06-17
    assert by_event["Received"].date == "2024-06-17"  # 17/06/2024: day first, the only reading
    assert by_event["Received"].note == ""  # nothing ambiguous to explain
    assert formats.notes == ["formats p. 1: “31 June 2024” is not a real date; left out"]
    assert "2024-06-31" not in {e.date for e in formats.events}
    assert on(dates_of(library, "us-contract"), "2024-06-17").event == "Agreement is dated"  # June 17, 2024
    assert on(dates_of(library, "us-contract"), "2024-06-18").event == "Services begin"  # 06/18/2024


def test_french_german_and_spanish_month_names(library: Library) -> None:
    formats = dates_of(library, "formats")
    assert on(formats, "2031-03-03").span == "Le bail prend fin le 3 mars 2031."
    assert on(formats, "2031-03-03").event == "Le bail prend fin"
    assert on(formats, "2031-03-04").span == "Der Vertrag endet am 4. März 2031."
    assert on(formats, "2031-03-05").event == "El contrato termina"


def test_a_month_and_year_alone_stays_partial(library: Library) -> None:
    review = on(dates_of(library, "formats"), "2032-03")
    assert review.partial and review.event == "Rent review takes place"
    assert (review.first_day(), review.last_day()) == (date(2032, 3, 1), date(2032, 3, 31))


def test_ambiguous_numeric_dates_follow_the_document_and_say_so(library: Library) -> None:
    british = on(dates_of(library, "lease"), "2025-05-04")  # 04/05/2025 in a lease writing "17 June 2024"
    assert british.note == "read as 4 May 2025 (day first: the document writes other dates day first)"
    american = on(dates_of(library, "us-contract"), "2025-03-04")  # 03/04/2025 after June 17, 2024
    assert american.note == "read as March 4, 2025 (month first: the document writes other dates month first)"
    undecided = on(dates_of(library, "undecided"), "2025-04-03")
    assert undecided.note.startswith(
        "ambiguous: “03/04/2025” could be 3 April 2025 (day first) or March 4, 2025"
    )
    assert "check the source" in undecided.note


def test_notice_period_before_the_end_of_the_term(library: Library) -> None:
    end = date(2029, 6, 30)
    deadline = on(dates_of(library, "lease"), (end - relativedelta(days=90)).isoformat(), "deadline")
    assert deadline.date == "2029-04-01"
    assert deadline.rule == "at least ninety (90) days before the end of the term"
    assert deadline.rule in deadline.span and deadline.span in page_text(library, "lease", 2)
    assert deadline.arithmetic == "2029-06-30 − 90 days"
    assert deadline.anchor is not None and deadline.anchor.date == "2029-06-30" and deadline.anchor.page == 1
    assert deadline.event == "Notice of termination must be given (last day)" and deadline.page == 2


def test_renewal_window_opens_and_closes_before_the_expiry_date(library: Library) -> None:
    lease = dates_of(library, "lease")
    opens = on(lease, (date(2029, 6, 30) - relativedelta(months=6)).isoformat(), "deadline")
    closes = on(lease, (date(2029, 6, 30) - relativedelta(months=3)).isoformat(), "deadline")
    assert opens.event.endswith("(first day)") and opens.arithmetic == "2029-06-30 − 6 months"
    assert (
        closes.event.endswith("(last day)")
        and closes.rule == "not later than 3 months before the expiry date"
    )


def test_cure_period_counts_from_the_notice(library: Library) -> None:
    cure = on(dates_of(library, "lease"), "2025-03-17", "deadline")
    assert cure.date == (date(2025, 3, 3) + relativedelta(days=14)).isoformat()
    assert cure.rule == "within fourteen (14) days after service of the notice"
    assert (
        cure.anchor is not None
        and cure.anchor.date == "2025-03-03"
        and "notice of breach" in cure.anchor.event
    )


def test_discharge_letter_follow_ups_count_from_the_discharge(library: Library) -> None:
    letter = dates_of(library, "discharge")
    discharged = on(letter, "2025-02-06")
    assert discharged.event == "Date of discharge"
    review = on(letter, (date(2025, 2, 6) + relativedelta(weeks=6)).isoformat(), "deadline")
    assert (review.event, review.rule, review.arithmetic) == (
        "Review in clinic",
        "in 6 weeks",
        "2025-02-06 + 6 weeks",
    )
    assert review.anchor is not None and review.anchor.date == "2025-02-06"
    bloods = on(letter, "2025-02-20", "deadline")
    assert bloods.rule == "in two weeks" and bloods.anchor is not None and bloods.anchor.date == "2025-02-06"


def test_periods_without_a_stated_anchor_are_listed_as_stated_never_guessed(library: Library) -> None:
    periods = {e.rule: e for e in dates_of(library, "lease").events if e.kind == "period"}
    notice = periods["sixty days written notice"]
    assert notice.date is None and notice.anchor is None and notice.event == "Either party may end it"
    secret = periods["for five years after termination"]
    assert (
        secret.date is None and secret.note == "not computed: the document states no date for “termination”"
    )
    refund = periods["within 10 business days after the end of the term"]
    assert refund.date is None and refund.note.startswith(
        "not computed: business days depend on the public holidays"
    )


def test_sorted_by_date_with_undated_periods_last(library: Library) -> None:
    events = dates_of(library, "lease").events
    dated = [e.date for e in events if e.date is not None]
    assert dated == sorted(dated) and len(dated) >= 8
    kinds = [e.kind for e in events]
    assert kinds[-3:] == ["period"] * 3 and "period" not in kinds[:-3]


def test_section_numbers_and_amounts_are_not_dates(library: Library) -> None:
    plain = dates_of(library, "plain")
    assert plain.events == []
    assert plain.notes == ["no dates found in plain"]
    lease = dates_of(library, "lease")
    assert not [e for e in lease.events if e.page == 2 and e.kind == "event"]  # "£24,000", "section 3.1"


def test_scanned_document_without_text_is_named_and_the_rest_goes_on(library: Library) -> None:
    report = dates_of(library, "scan", "plain", missing=["nowhere.pdf"])
    assert report.notes[0] == "not in the library and not a collection: nowhere.pdf"
    assert report.notes[1].startswith(
        "scan has no text yet: it is scanned and its page has not been read by OCR"
    )
    assert report.notes[2] == "no dates found in plain"
    assert report.documents == ["plain"] and len(report.failed) == 2


def test_progress_counts_pages_and_a_cancel_returns_nothing(library: Library) -> None:
    seen: list[tuple[int, int]] = []
    dates_of(library, "minutes", progress=Progress(listeners=[lambda p: seen.append((p.done, p.total))]))
    assert seen[0] == (0, LONG_PAGES) and seen[-1] == (LONG_PAGES, LONG_PAGES) and len(seen) > LONG_PAGES

    cancel = CancelToken()

    def stop_half_way(progress: Progress) -> None:
        if progress.done >= LONG_PAGES // 2:
            cancel.cancel()

    with pytest.raises(Cancelled):
        dates_of(library, "minutes", progress=Progress(listeners=[stop_half_way]), cancel=cancel)


def test_select_by_kind_and_range(library: Library) -> None:
    report = dates_of(library, "lease", "formats")
    deadlines = report.select(["deadline"])
    assert deadlines.events and {e.kind for e in deadlines.events} == {"deadline"}
    spring = report.select(start=date(2032, 3, 15), end=date(2032, 12, 31))
    assert [e.date for e in spring.events] == ["2032-03"]  # the month overlaps the range; periods drop out
    by_document = report.sorted_by("document")
    assert [e.document for e in by_document.events[:2]] == ["lease", "lease"]
    assert by_document.events[-1].document == "formats"


def test_csv_and_markdown_exports(library: Library, tmp_path: Path) -> None:
    report = dates_of(library, "lease")
    report.to_csv(tmp_path / "dates.csv")
    lines = (tmp_path / "dates.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "date,kind,event,document,page,text,rule,note"
    assert any(line.startswith("2029-04-01,deadline,") and "2029-06-30 − 90 days" in line for line in lines)
    markdown = report.to_markdown()
    assert (
        markdown.startswith("| date | kind | event |")
        and "| 2029-06-30 | event | Lease term ends |" in markdown
    )


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ics_is_well_formed_rfc5545(library: Library) -> None:
    report = dates_of(library, "lease", "formats")
    stamp = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    text = report.to_ics(stamp)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # CRLF only
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    assert any(line.startswith(" ") for line in physical)  # long descriptions are folded
    lines = unfold(text)[:-1]
    stack: list[str] = []
    for line in lines:
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert stack == [] and lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    dated = [e for e in report.events if e.date is not None]
    starts = [line.split(":", 1)[1] for line in lines if line.startswith("DTSTART;VALUE=DATE:")]
    assert starts == [e.date.replace("-", "") + ("01" if e.partial else "") for e in dated if e.date]
    assert all(re.fullmatch(r"\d{8}", s) for s in starts)
    assert lines.count("BEGIN:VEVENT") == len(dated) and "DTSTAMP:20250101T120000Z" in lines
    assert "DTEND;VALUE=DATE:20320401" in lines  # March 2032 spans the month
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == len(uids) and uids == [
        x for x in unfold(report.to_ics()) if x.startswith("UID:")
    ]
    summary = next(line for line in lines if line.startswith("SUMMARY:Deadline: Notice of termination"))
    assert summary.endswith("(last day)")
    description = next(
        line for line in lines if line.startswith("DESCRIPTION:lease\\, p. 2: Notice of termination")
    )
    assert "Computed: 2029-06-30 − 90 days" in description


def test_ics_escapes_text_values() -> None:
    event = DatedEvent("2025-01-02", "event", "Pay; then, sign\\", "a, b", "/x.pdf", 1, "Line one\nline two")
    lines = unfold(calendar_text([event], stamp=datetime(2025, 1, 1, tzinfo=UTC)))
    assert "SUMMARY:Pay\\; then\\, sign\\\\" in lines
    assert any(line.startswith("DESCRIPTION:a\\, b\\, p. 1: Line one\\nline two") for line in lines)


def test_quire_dates_json_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_text_pdf(docs / "lease.pdf", LEASE)
    write_text_pdf(docs / "plain.pdf", PLAIN)
    parts = fake_parts(ScriptedChatModel(["{}"]))
    home = ["--home", str(tmp_path / "home")]
    assert cli.main([*home, "index", str(docs), "--collection", "matters", "--json"], parts=parts) == 0
    capsys.readouterr()

    assert cli.main([*home, "dates", "matters", "--json", "--ics", str(tmp_path / "d.ics")], parts=parts) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"events", "notes"} and data["notes"] == ["no dates found in plain"]
    first = data["events"][0]
    assert set(first) >= {
        "date",
        "kind",
        "event",
        "document",
        "path",
        "page",
        "span",
        "partial",
        "note",
        "rule",
        "anchor",
    }
    deadline = next(e for e in data["events"] if e["kind"] == "deadline" and e["date"] == "2029-04-01")
    assert deadline["anchor"]["date"] == "2029-06-30" and deadline["arithmetic"] == "2029-06-30 − 90 days"
    assert (tmp_path / "d.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")

    argv = [*home, "dates", "lease", "ghost", "--kind", "deadline", "--from", "2029-01-01", "--json"]
    assert cli.main(argv, parts=parts) == 3  # one target missing: the rest is listed, exit partial
    data = json.loads(capsys.readouterr().out)
    assert data["notes"] == ["not in the library and not a collection: ghost"]
    assert [(e["kind"], e["date"]) for e in data["events"]] == [
        ("deadline", "2029-03-30"),
        ("deadline", "2029-04-01"),
    ]

    assert cli.main([*home, "dates", "ghost"], parts=parts) == 2
    assert "not in the library and not a collection: ghost" in capsys.readouterr().err

    assert cli.main([*home, "dates", "lease"], parts=parts) == 0
    out = capsys.readouterr().out
    assert "2029-04-01  deadline" in out and "= 2029-06-30 − 90 days: at least ninety (90) days" in out


def test_quire_dates_stopped_writes_and_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_text_pdf(docs / "lease.pdf", LEASE)
    parts = fake_parts(ScriptedChatModel(["{}"]))
    home = ["--home", str(tmp_path / "home")]
    assert cli.main([*home, "index", str(docs), "--json"], parts=parts) == 0
    capsys.readouterr()

    @contextmanager
    def stopped(*args: object, **kwargs: object) -> Iterator[tuple[Progress, CancelToken]]:
        cancel = CancelToken()
        cancel.cancel()  # Ctrl+C before the first page
        yield Progress(), cancel

    monkeypatch.setattr("assistant.cli.terminal.interruptible", stopped)
    out = tmp_path / "dates.csv"
    assert cli.main([*home, "dates", "lease", "--csv", str(out), "--json"], parts=parts) == 130
    captured = capsys.readouterr()
    assert captured.out == "" and not out.exists() and "Stopped; nothing was listed." in captured.err


SAMPLES = Path(__file__).resolve().parents[3] / "resources" / "samples"
SAMPLE_FILES = ("lease-agreement.md", "discharge-summary.txt", "audit-memo.html")
# The only words an event may hold that are not its sentence's: "(last day)", "begins" for
# "beginning", "paid from ... until" for "paid between ... and".
ADDED_WORDS = {"last", "first", "day", "begins", "ends", "from", "until"}
NUMBER = re.compile(r"[£$€]?\d(?:[\d,.]*\d)?")


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, DatesReport]]:
    """The bundled samples, each read on its own: {file name: its dates}."""
    root = tmp_path_factory.mktemp("samples")
    docs = root / "docs"
    docs.mkdir()
    for name in SAMPLE_FILES:
        shutil.copy(SAMPLES / name, docs / name)
    with Library.open(Settings.load(root / "home"), HashEmbedder()) as lib:
        Indexer(lib).run([docs])
        by_file = {Path(d.path).name: d for d in lib.documents()}
        yield {name: find_dates(lib, [by_file[name]]) for name in SAMPLE_FILES}


def test_a_cure_period_after_an_undated_notice_stays_a_period(samples: dict[str, DatesReport]) -> None:
    lease = samples["lease-agreement.md"]
    cure = next(e for e in lease.events if "fifteen (15) days" in e.rule)
    assert (cure.kind, cure.date, cure.anchor, cure.arithmetic) == ("period", None, None, "")
    assert cure.rule == "fifteen (15) days after written notice from the Landlord"
    assert cure.note == "not computed: the document states no date for “written notice from the Landlord”"
    assert cure.event == "Tenant to cure a late payment"  # not "Tenant has"
    # 31 March 2028 is only the earliest expiry of a termination notice: it anchors nothing.
    expiry = on(lease, "2028-03-31")
    assert expiry.event == "Notice to expire no earlier than"
    deadlines = [e for e in lease.events if e.kind == "deadline"]
    assert all(d.anchor is not None and d.anchor.date != "2028-03-31" for d in deadlines)
    assert "2028-04-15" not in {e.date for e in lease.events}
    deposit = on(lease, (date(2030, 3, 31) + relativedelta(days=30)).isoformat(), "deadline")
    assert deposit.rule == "within thirty (30) days after the end of the term"
    assert deposit.anchor is not None and deposit.anchor.event == "Term of five (5) years ends"
    due = next(e for e in lease.events if "its due date" in e.rule)
    assert due.kind == "period" and due.note == "not computed: the document states no date for “its due date”"


def test_the_labelled_discharge_date_anchors_the_follow_ups(samples: dict[str, DatesReport]) -> None:
    summary = samples["discharge-summary.txt"]
    discharged = date(2026, 2, 9)  # "Discharged: 09 February 2026"
    assert on(summary, discharged.isoformat()).event == "Discharged"
    review = on(summary, (discharged + relativedelta(days=7)).isoformat(), "deadline")
    assert review.date == "2026-02-16" and review.arithmetic == "2026-02-09 + 7 days"
    assert (review.rule, review.event) == (
        "within 7 days of discharge",
        "Review by the general practitioner (last day)",
    )
    assert review.anchor is not None and review.anchor.event == "Discharged"
    # "in 6 weeks" says nothing of what it counts from; its "Follow-up" section ties it to the discharge.
    xray = on(summary, (discharged + relativedelta(weeks=6)).isoformat(), "deadline")
    assert (xray.event, xray.rule, xray.arithmetic) == (
        "Repeat chest X-ray",
        "in 6 weeks",
        "2026-02-09 + 6 weeks",
    )
    assert xray.note == (
        "counted from the discharge (Discharged, 2026-02-09): the sentence is in the “Follow-up” section"
    )
    # Admission and the end of the antibiotics are dated sentences about "discharge" too; not anchors.
    assert {e.anchor.date for e in summary.events if e.anchor is not None} == {"2026-02-09"}


def test_a_sentence_merely_containing_the_anchor_word_does_not_anchor(library: Library) -> None:
    ward = dates_of(library, "ward")
    assert [e for e in ward.events if e.kind == "deadline"] == []
    review = next(e for e in ward.events if e.rule == "within 7 days of discharge")
    assert (
        review.kind == "period" and review.note == "not computed: the document states no date for “discharge”"
    )
    pay = next(e for e in ward.events if e.rule == "within 10 days after notice")
    assert pay.kind == "period" and pay.note == "not computed: the document states no date for “notice”"
    assert on(ward, "2026-02-10").event == "Discharge summary was sent to the GP"
    assert on(ward, "2026-03-03").event == "Notice period ends"


def test_a_follow_up_nothing_ties_to_the_discharge_is_left_as_stated(library: Library) -> None:
    course = dates_of(library, "course")
    assert on(course, "2026-02-09").event == "Discharged"
    echo = next(e for e in course.events if e.rule == "in 6 weeks")
    assert echo.kind == "period" and echo.date is None and echo.anchor is None
    assert echo.note == (
        "not computed: “in 6 weeks” does not say what it counts from, and neither the sentence nor its "
        "section (“Hospital course”) ties it to the discharge (Discharged, 2026-02-09)"
    )


def test_events_are_named_by_their_labels_and_never_cut_a_number(samples: dict[str, DatesReport]) -> None:
    summary, memo = samples["discharge-summary.txt"], samples["audit-memo.html"]
    lease = samples["lease-agreement.md"]
    assert on(summary, "1948-07-12").event == "Date of birth"  # not "Margaret Ellison Date of birth"
    assert on(summary, "2026-02-02").event == "Admitted"
    assert on(summary, "2026-03-03").event == "Diabetes clinic appointment"
    assert on(lease, "2025-03-03").event == "Commercial Lease Agreement is made"
    assert on(lease, "2025-04-01").event == "Term of five (5) years begins"
    assert on(lease, "2030-03-31").event == "Term of five (5) years ends"
    assert on(memo, "2024-04-01").event == "We reviewed 1,250 supplier invoices paid from"
    assert (
        on(memo, "2025-03-31").event == "We reviewed 1,250 supplier invoices paid until"
    )  # not "Totalling £18"
    for report in samples.values():
        for event in report.events:
            assert 0 < len(event.event.split()) <= MAX_WORDS + 2, event  # + "(last day)"
            whole = set(NUMBER.findall(event.span))
            assert set(NUMBER.findall(event.event)) <= whole, event  # "£18" of "£18.4" is a cut number
            spans = {w.strip("()[]\"'“”‘’,.;:").lower() for w in event.span.split()}
            words = {w.strip("()").lower() for w in event.event.split()} - ADDED_WORDS
            assert words <= spans, event  # the document's own words, none cut
