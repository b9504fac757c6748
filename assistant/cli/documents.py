"""`quire summarize`, `quire extract` and `quire dates`: whole-document work from the command line.

Shares ``assistant.cli``'s exit codes and JSON conventions: ``--json`` fields may be
added, never renamed. A document the user names that is not in the library, not indexed
or empty, and a schema file that cannot be used, are usage errors (exit 2) with a
message naming it; an interrupted run exits 130 and caches nothing half done.

`quire dates` reads many documents and goes on past the ones it cannot read: each gets a
note, and the exit is 3 (partial) when some could not be read, 2 when none could.
``--json`` prints ``{"events": [{"date", "kind", "event", "document", "path", "page",
"span", "partial", "note", "rule", "anchor", "arithmetic"}], "notes": [...]}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli.common import ExitCode, UsageError, show_bar
from assistant.cli.common import emit as _emit

if TYPE_CHECKING:
    from assistant.documents.dates import DatesReport
    from assistant.session.session import Session

DATE_KINDS = ("event", "deadline", "period")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    summarize = commands.add_parser(
        "summarize", help="summarise a whole document, every bullet with its pages"
    )
    summarize.add_argument("document", metavar="DOC", help="document path, id or title")
    summarize.add_argument("--template", choices=["general", "contract", "medical"], default="general")
    summarize.add_argument(
        "--length",
        choices=["paragraph", "page", "detailed"],
        default="page",
        help="about 5, 12 or 25 sentences (default: page)",
    )
    summarize.add_argument("--model", help="chat model name (see `quire models`)")
    summarize.add_argument("--json", action="store_true")

    extract = commands.add_parser("extract", help="extract the same fields from many documents into a table")
    extract.add_argument("targets", nargs="+", metavar="PATH_OR_COLLECTION")
    extract.add_argument("--schema", required=True, help="contract, medical, or a JSON file of fields")
    extract.add_argument("--csv", type=Path, metavar="OUT", help="also write the table as CSV")
    extract.add_argument("--markdown", type=Path, metavar="OUT", help="also write the table as Markdown")
    extract.add_argument("--model", help="chat model name (see `quire models`)")
    extract.add_argument("--json", action="store_true")

    compare = commands.add_parser(
        "compare",
        help="two documents' provisions side by side, cited, with a clause redline for two versions",
    )
    compare.add_argument("a", metavar="DOC_A", help="document path, id or title")
    compare.add_argument("b", metavar="DOC_B", help="document path, id or title")
    compare.add_argument(
        "--template",
        default="contract",
        help="contract, medical, or a JSON file of fields (default: contract)",
    )
    compare.add_argument("--csv", type=Path, metavar="OUT", help="also write the table as CSV")
    compare.add_argument("--markdown", type=Path, metavar="OUT", help="also write the table as Markdown")
    compare.add_argument("--model", help="chat model name (see `quire models`)")
    compare.add_argument("--json", action="store_true")

    dates = commands.add_parser(
        "dates",
        help="every dated event and deadline in documents, with its page",
        description="List the dates, computed deadlines and stated periods in documents or collections.",
    )
    dates.add_argument("targets", nargs="+", metavar="DOC_OR_COLLECTION")
    dates.add_argument("--json", action="store_true", help='print {"events": [...], "notes": [...]}')
    dates.add_argument("--csv", type=Path, metavar="OUT", help="also write the list as CSV")
    dates.add_argument("--ics", type=Path, metavar="OUT", help="also write an iCalendar file (.ics)")
    dates.add_argument("--markdown", type=Path, metavar="OUT", help="also write the list as Markdown")
    dates.add_argument("--kind", choices=DATE_KINDS, action="append", help="only this kind (repeatable)")
    dates.add_argument(
        "--from", dest="start", type=_day, metavar="YYYY-MM-DD", help="only dates from this day"
    )
    dates.add_argument("--to", dest="end", type=_day, metavar="YYYY-MM-DD", help="only dates up to this day")
    dates.add_argument("--sort", choices=["date", "document"], default="date")


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def cmd_summarize(args: argparse.Namespace, session: Session) -> int:
    from assistant.cli.terminal import interruptible
    from assistant.documents.summarize import SummaryError
    from assistant.jobs import Cancelled

    doc = session.find_document(args.document)
    if doc is None:
        raise UsageError(f"not in the library: {args.document} (see `quire docs`)")
    try:
        with interruptible("Summarising", "sentences", show_bar=show_bar(args)) as (progress, cancel):
            summary = session.summarize(
                doc,
                args.template,
                length=args.length,
                model_name=args.model,
                progress=progress,
                cancel=cancel,
            )
    except SummaryError as exc:
        raise UsageError(str(exc)) from exc
    except Cancelled:
        sys.stderr.write(
            "Stopped; the sentences written so far are kept, and the next run goes on from them.\n"
        )
        return ExitCode.INTERRUPTED
    if args.json:
        _emit(summary.to_json())
        return ExitCode.OK
    note = " (cached)" if summary.cached else ""
    print(f"Summary of {summary.document} ({summary.template}, {summary.length}){note}:")
    heading = ""
    for bullet in summary.bullets:
        if summary.template == "general" and bullet.heading != heading:
            heading = bullet.heading
            print(f"{heading}:")
        pages = f" (p. {', '.join(map(str, bullet.pages))})" if bullet.pages else ""
        print(f"- {bullet.text}{pages}")
    print(f"({summary.coverage.describe()})")
    return ExitCode.OK


def cmd_extract(args: argparse.Namespace, session: Session) -> int:
    from assistant.cli.terminal import interruptible
    from assistant.documents.extract import SchemaError, load_schema
    from assistant.jobs import Cancelled

    try:
        schema = load_schema(args.schema)
    except SchemaError as exc:
        raise UsageError(str(exc)) from exc
    docs, problems = session.resolve_targets(args.targets)
    if problems:
        raise UsageError("; ".join(problems))
    try:
        with interruptible("Extracting", "cells", show_bar=show_bar(args)) as (progress, cancel):
            table = session.extract(docs, schema, model_name=args.model, progress=progress, cancel=cancel)
    except Cancelled:
        sys.stderr.write("Stopped before the end.\n")
        return ExitCode.INTERRUPTED
    if args.csv is not None:
        table.to_csv(args.csv)
    if args.markdown is not None:
        args.markdown.write_text(table.to_markdown(), encoding="utf-8")
    if args.json:
        _emit(table.to_json())
    else:
        sys.stdout.write(table.to_markdown())
    return ExitCode.PARTIAL if any(row.error for row in table.rows) else ExitCode.OK


def cmd_compare(args: argparse.Namespace, session: Session) -> int:
    from assistant.cli.terminal import interruptible
    from assistant.documents.compare import CompareError, write_outputs
    from assistant.documents.extract import SchemaError, load_schema
    from assistant.jobs import Cancelled

    docs = []
    for reference in (args.a, args.b):
        doc = session.find_document(reference)
        if doc is None:
            raise UsageError(f"not in the library: {reference} (see `quire docs`)")
        docs.append(doc)
    try:
        schema = load_schema(args.template)
        with interruptible("Comparing", "cells", show_bar=show_bar(args)) as (progress, cancel):
            comparison = session.compare(
                docs[0], docs[1], schema, model_name=args.model, progress=progress, cancel=cancel
            )
    except (CompareError, SchemaError) as exc:
        raise UsageError(str(exc)) from exc
    except Cancelled:
        sys.stderr.write("Stopped before the end; nothing was compared.\n")
        return ExitCode.INTERRUPTED
    write_outputs(comparison, args.csv, args.markdown)
    if args.json:
        _emit(comparison.to_json())
        return ExitCode.OK
    table = comparison.table()
    print(table.title)
    sys.stdout.write(table.to_markdown())
    if comparison.redline is None:
        print(
            f"(no redline: the two share {comparison.shared_share:.0%} of their clauses, not versions of one text)"
        )
    return ExitCode.OK


def cmd_dates(args: argparse.Namespace, session: Session) -> int:
    from assistant.cli.terminal import interruptible
    from assistant.jobs import Cancelled

    if args.start is not None and args.end is not None and args.start > args.end:
        raise UsageError(f"--from {args.start} is after --to {args.end}")
    try:
        with interruptible("Reading dates", "pages", show_bar=show_bar(args)) as (progress, cancel):
            found = session.dates(args.targets, progress=progress, cancel=cancel)
    except Cancelled:
        sys.stderr.write("Stopped; nothing was listed.\n")
        return ExitCode.INTERRUPTED
    if not found.documents:
        raise UsageError("; ".join(found.failed) or "no documents to read")
    report = found.select(args.kind or (), args.start, args.end).sorted_by(args.sort)
    try:
        if args.csv is not None:
            report.to_csv(args.csv)
        if args.markdown is not None:
            args.markdown.write_text(report.to_markdown(), encoding="utf-8")
        if args.ics is not None:
            report.write_ics(args.ics)
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or 'the output'}: {exc.strerror or exc}") from exc
    if args.json:
        _emit(report.to_json())
    else:
        print_dates(report)
    return ExitCode.PARTIAL if found.failed else ExitCode.OK


def print_dates(report: DatesReport) -> None:
    """A table to read in a terminal: one line a date, its rule and note indented below it."""
    rows = [
        (e.date or "(no date)", e.kind, e.event, e.document, str(e.page), e.arithmetic, e.rule, e.note)
        for e in report.events
    ]
    event_width = min(max([len(r[2]) for r in rows] + [5]), 56)
    document_width = min(max([len(r[3]) for r in rows] + [8]), 28)
    indent = " " * (12 + 10)
    print(f"{'DATE':<11} {'KIND':<9} {'EVENT':<{event_width}} {'DOCUMENT':<{document_width}} PAGE")
    for date, kind, event, document, page, arithmetic, rule, note in rows:
        print(
            f"{date:<11} {kind:<9} {_clip(event, event_width):<{event_width}} "
            f"{_clip(document, document_width):<{document_width}} {page}"
        )
        if arithmetic:
            print(f"{indent}= {arithmetic}: {rule}")
        elif rule:
            print(f"{indent}as stated: {rule}")
        if note:
            print(f"{indent}note: {note}")
    if not rows:
        print("(no dates to list)")
    for note in report.notes:
        print(f"note: {note}")


def _clip(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, cut between words ("£18.4 million" stays whole)."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space > 0 and not text[width - 1].isspace():
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"
