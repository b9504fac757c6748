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

from assistant.cli_common import EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, UsageError, show_bar
from assistant.cli_common import emit as _emit
from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.index.library import Library
    from assistant.index.registry import DocumentRecord


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


def find_document(library: Library, reference: str) -> DocumentRecord | None:
    """A document by id, path, file name or title (case ignored); None when unknown or ambiguous."""
    doc = library.find_document(reference)
    if doc is not None:
        return doc
    wanted = reference.strip().lower()
    matches = [
        d
        for d in library.documents()
        if wanted in (d.title.lower(), Path(d.path).name.lower(), Path(d.path).stem.lower())
    ]
    return matches[0] if len(matches) == 1 else None


def cmd_summarize(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.engine import build_chat_model
    from assistant.index.library import Library
    from assistant.jobs import Cancelled
    from assistant.summarize import SummaryError, summarize_document
    from assistant.terminal import interruptible

    # A summary reads stored page text only: no embedder is loaded.
    with Library(settings) as library:
        doc = find_document(library, args.document)
        if doc is None:
            raise UsageError(f"not in the library: {args.document} (see `quire docs`)")
        model = build_chat_model(settings, args.model)  # loaded only if the summary is not cached
        try:
            with interruptible("Summarising", "pages", show_bar=show_bar(args)) as (progress, cancel):
                summary = summarize_document(
                    library, model, doc, template=args.template, progress=progress, cancel=cancel
                )
        except SummaryError as exc:
            raise UsageError(str(exc)) from exc
        except Cancelled:
            sys.stderr.write("Stopped; nothing was cached.\n")
            return EXIT_INTERRUPTED
    if args.json:
        _emit(summary.to_json())
        return EXIT_OK
    note = " (cached)" if summary.cached else ""
    print(f"Summary of {summary.document} ({summary.template}){note}:")
    for bullet in summary.bullets:
        pages = f" (p. {', '.join(map(str, bullet.pages))})" if bullet.pages else ""
        print(f"- {bullet.text}{pages}")
    if not summary.bullets:
        print("(no statement could be checked against the pages)")
    return EXIT_OK


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.engine import build_chat_model, open_library
    from assistant.extract import SchemaError, extract_facts, load_schema
    from assistant.jobs import Cancelled
    from assistant.terminal import interruptible

    try:
        schema = load_schema(args.schema)
    except SchemaError as exc:
        raise UsageError(str(exc)) from exc
    with open_library(settings) as library:
        docs, problems = _targets(library, args.targets)
        if problems:
            raise UsageError("; ".join(problems))
        model = build_chat_model(settings, args.model)
        try:
            with interruptible("Extracting", "cells", show_bar=show_bar(args)) as (progress, cancel):
                table = extract_facts(library, model, docs, schema, progress=progress, cancel=cancel)
        except Cancelled:
            sys.stderr.write("Stopped before the end.\n")
            return EXIT_INTERRUPTED
    if args.csv is not None:
        table.to_csv(args.csv)
    if args.markdown is not None:
        args.markdown.write_text(table.to_markdown(), encoding="utf-8")
    if args.json:
        _emit(table.to_json())
    else:
        sys.stdout.write(table.to_markdown())
    return EXIT_PARTIAL if any(row.error for row in table.rows) else EXIT_OK


def _targets(library: Library, targets: list[str]) -> tuple[list[DocumentRecord], list[str]]:
    """Documents named directly or through their collection, in order, each once; and what was not found."""
    from assistant.index.registry import Status

    collections = {name for name, _count in library.registry.collections()}
    docs: dict[str, DocumentRecord] = {}
    problems: list[str] = []
    for target in targets:
        found = library.documents(target) if target in collections else []
        if not found:
            doc = find_document(library, target)
            found = [doc] if doc is not None else []
        if not found:
            problems.append(f"not in the library and not a collection: {target}")
        for doc in found:
            if doc.status != Status.INDEXED:
                problems.append(f"{doc.title} is not indexed (status: {doc.status}): {doc.path}")
            docs.setdefault(doc.id, doc)
    return list(docs.values()), problems
