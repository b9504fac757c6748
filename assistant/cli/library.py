"""`quire index`, `search`, `docs`, `forget`, `collections` and `reembed`: the library side of the CLI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli.common import ExitCode, UsageError, read_lines, show_bar
from assistant.cli.common import emit as _emit
from assistant.text import shorten

if TYPE_CHECKING:
    from assistant.session.session import Session


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    index = commands.add_parser("index", help="add or update files and folders in the library")
    index.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    index.add_argument("--collection", help="put the documents in this collection (a matter, a patient)")
    index.add_argument("--max-file-mb", type=int, help="refuse files larger than this (default 100)")
    index.add_argument("--no-ocr", action="store_true", help="leave scanned pages for a later run")
    index.add_argument("--force", action="store_true", help="read every file again, even when unchanged")
    index.add_argument("--json", action="store_true", help="print one JSON summary")

    search = commands.add_parser("search", help="find passages with their document and page")
    search.add_argument("query", nargs="?")
    search.add_argument("--queries", type=Path, help="file with one query per line (with --json)")
    search.add_argument("-k", type=int, default=None, help="number of passages (default 5)")
    search.add_argument("--collection")
    search.add_argument("--mode", choices=["fused", "dense", "lexical"], default="fused")
    search.add_argument("--json", action="store_true")

    docs = commands.add_parser("docs", help="list the documents in the library")
    docs.add_argument("--collection")
    docs.add_argument("--json", action="store_true")

    forget = commands.add_parser("forget", help="remove documents from the library (not from disk)")
    forget.add_argument("targets", nargs="+", metavar="PATH_OR_ID")

    collections = commands.add_parser("collections", help="list collections")
    collections.add_argument("--json", action="store_true")

    commands.add_parser("reembed", help="re-embed every chunk with the configured embedder")


def cmd_index(args: argparse.Namespace, session: Session) -> int:
    from assistant.cli.terminal import ProgressBar, cancel_on_interrupt
    from assistant.jobs import CancelToken, Progress

    settings = session.settings
    if args.max_file_mb is not None:
        if args.max_file_mb <= 0:
            raise UsageError("--max-file-mb must be positive")
        settings.index.max_file_mb = args.max_file_mb
    if args.no_ocr:
        settings.index.ocr = False
    bars = show_bar(args)
    files_bar, ocr_bar = ProgressBar("Indexing", "files"), ProgressBar("OCR     ", "pages")
    progress = Progress(stage="files", listeners=[files_bar] if bars else [])
    ocr_progress = Progress(stage="ocr", listeners=[ocr_bar] if bars else [])
    cancel = CancelToken()
    with cancel_on_interrupt(cancel):
        report = session.index(
            args.paths,
            args.collection,
            force=args.force,
            progress=progress,
            ocr_progress=ocr_progress,
            cancel=cancel,
        )
    files_bar.close()
    ocr_bar.close()
    if args.json:
        _emit(report.to_json())
    else:
        print(
            f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.moved} moved, {len(report.failed)} failed, {report.skipped} skipped "
            f"in {report.seconds:.1f} s. Library: {report.documents} documents, {report.chunks} chunks."
        )
        if report.reread:
            print(
                f"  {report.reread} of the updated documents were read again by this version's better reader."
            )
        for problem in report.failed:
            print(f"  failed: {problem.path}: {problem.reason}")
        for problem in report.warnings:
            print(f"  warning: {problem.path}: {problem.reason}")
        for problem in report.skipped_files:
            print(f"  skipped: {problem.path}: {problem.reason}")
        if report.cancelled:
            print("Stopped before the end; run the same command again to continue.")
    return ExitCode.PARTIAL if report.failed else ExitCode.OK


def _query_list(args: argparse.Namespace) -> list[str]:
    if args.queries is None and not args.query:
        raise UsageError("give a QUERY or --queries FILE")
    if args.queries is not None and args.query:
        raise UsageError("give either a QUERY or --queries FILE, not both")
    if args.queries is not None and not args.json:
        raise UsageError("--queries needs --json")
    if args.k is not None and args.k <= 0:
        raise UsageError("-k must be positive")
    if args.queries is None:
        return [args.query]
    return read_lines(args.queries)


def cmd_search(args: argparse.Namespace, session: Session) -> int:
    from assistant.index.retrieve import SearchMode

    mode = SearchMode(args.mode)
    for query in _query_list(args):
        hits = session.search(query, k=args.k, collection=args.collection, mode=mode)
        if args.json:
            _emit([hit.to_json() for hit in hits])
            continue
        if not hits:
            print(
                "No passages found." if session.documents() else "The library is empty: add documents first."
            )
        for number, hit in enumerate(hits, start=1):
            pages = f"p. {hit.page}" if hit.page == hit.page_end else f"pp. {hit.page}-{hit.page_end}"
            print(f"[{number}] {hit.document}, {pages}  (score {hit.score:.4f})\n    {hit.path}")
            print("    " + shorten(hit.text, 400) + "\n")
    return ExitCode.OK


def cmd_docs(args: argparse.Namespace, session: Session) -> int:
    # Listing needs no embedder: the session never loads a model just to read the registry.
    rows = [
        {
            "id": d.id,
            "path": d.path,
            "title": d.title,
            "pages": d.pages,
            "chunks": d.chunks,
            "status": d.status,
            "error": d.error,
            "collections": session.document_collections(d.id),
            "ocr_pending": d.ocr_pending,
            "stale": d.stale,
        }
        for d in session.documents(args.collection)
    ]
    if args.json:
        _emit(rows)
    elif not rows:
        print("The library is empty. Add documents with: quire index PATH")
    else:
        for row in rows:
            extra = f"  ({row['error']})" if row["error"] else ""
            extra += "  (read by an older version: re-index it)" if row["stale"] else ""
            print(
                f"{row['id']}  {row['status']:<8} {row['pages']:>4} p {row['chunks']:>5} ch  {row['title']}{extra}"
            )
        stale = sum(1 for row in rows if row["stale"])
        if stale:
            print(
                f"{stale} document(s) were read by an older version of Quire; `quire index PATH` with their "
                "folder reads them again with the better reader (their ids and collections are kept)."
            )
    return ExitCode.OK


def cmd_forget(args: argparse.Namespace, session: Session) -> int:
    missing = 0
    for target in args.targets:
        doc = session.find_document(target)
        if doc is None:
            sys.stderr.write(f"quire: not in the library: {target}\n")
            missing += 1
            continue
        session.forget(doc)
        print(f"Forgot {doc.title} ({doc.path})")
    return ExitCode.PARTIAL if missing else ExitCode.OK


def cmd_collections(args: argparse.Namespace, session: Session) -> int:
    rows = [{"name": name, "documents": count} for name, count in session.collections()]
    if args.json:
        _emit(rows)
    else:
        for row in rows:
            print(f"{row['name']}: {row['documents']} documents")
    return ExitCode.OK


def cmd_reembed(args: argparse.Namespace, session: Session) -> int:
    from assistant.cli.terminal import ProgressBar, cancel_on_interrupt
    from assistant.jobs import CancelToken, Progress

    bar = ProgressBar("Re-embedding", "chunks")
    cancel = CancelToken()
    with cancel_on_interrupt(cancel):
        done = session.reembed(Progress(listeners=[bar] if sys.stderr.isatty() else []), cancel)
    bar.close()
    model = session.settings.embedder.model or "the bundled embedder"
    print(f"Re-embedded {done} chunks with {model}.")
    return ExitCode.OK
