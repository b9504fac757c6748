"""`quire summarize` and `quire extract`: whole-document work from the command line.

Shares ``assistant.cli``'s exit codes and JSON conventions: ``--json`` fields may be
added, never renamed. A document the user names that is not in the library, not indexed
or empty, and a schema file that cannot be used, are usage errors (exit 2) with a
message naming it; an interrupted run exits 130 and caches nothing half done.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli.common import ExitCode, UsageError, show_bar
from assistant.cli.common import emit as _emit

if TYPE_CHECKING:
    from assistant.session.session import Session


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    summarize = commands.add_parser(
        "summarize", help="summarise a whole document, every bullet with its pages"
    )
    summarize.add_argument("document", metavar="DOC", help="document path, id or title")
    summarize.add_argument("--template", choices=["general", "contract", "medical"], default="general")
    summarize.add_argument("--model", help="chat model name (see `quire models`)")
    summarize.add_argument("--json", action="store_true")

    extract = commands.add_parser("extract", help="extract the same fields from many documents into a table")
    extract.add_argument("targets", nargs="+", metavar="PATH_OR_COLLECTION")
    extract.add_argument("--schema", required=True, help="contract, medical, or a JSON file of fields")
    extract.add_argument("--csv", type=Path, metavar="OUT", help="also write the table as CSV")
    extract.add_argument("--markdown", type=Path, metavar="OUT", help="also write the table as Markdown")
    extract.add_argument("--model", help="chat model name (see `quire models`)")
    extract.add_argument("--json", action="store_true")


def cmd_summarize(args: argparse.Namespace, session: Session) -> int:
    from assistant.cli.terminal import interruptible
    from assistant.documents.summarize import SummaryError
    from assistant.jobs import Cancelled

    doc = session.find_document(args.document)
    if doc is None:
        raise UsageError(f"not in the library: {args.document} (see `quire docs`)")
    try:
        with interruptible("Summarising", "pages", show_bar=show_bar(args)) as (progress, cancel):
            summary = session.summarize(
                doc, args.template, model_name=args.model, progress=progress, cancel=cancel
            )
    except SummaryError as exc:
        raise UsageError(str(exc)) from exc
    except Cancelled:
        sys.stderr.write("Stopped; nothing was cached.\n")
        return ExitCode.INTERRUPTED
    if args.json:
        _emit(summary.to_json())
        return ExitCode.OK
    note = " (cached)" if summary.cached else ""
    print(f"Summary of {summary.document} ({summary.template}){note}:")
    for bullet in summary.bullets:
        pages = f" (p. {', '.join(map(str, bullet.pages))})" if bullet.pages else ""
        print(f"- {bullet.text}{pages}")
    if not summary.bullets:
        print("(no statement could be checked against the pages)")
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
