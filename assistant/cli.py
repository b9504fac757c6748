"""`quire`: the command line over the same engine the desktop app uses.

The ``--json`` outputs are a public contract other tools script against: fields may
be added, never renamed or removed. Exit codes: 0 success, 1 fatal error, 2 usage
error, 3 partial success (some files failed, the rest were done).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant import cli_answer, cli_documents
from assistant.cli_common import (
    EXIT_FATAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    UsageError,
    show_bar,
)
from assistant.cli_common import emit as _emit
from assistant.config import Settings
from assistant.offline import enforce_offline

log = logging.getLogger("quire.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quire", description="Quire: ask your own documents, offline.")
    parser.add_argument("--home", type=Path, help="data directory (default: $QUIRE_HOME or the platform's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to the terminal")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
    cli_answer.add_commands(commands)
    cli_documents.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    enforce_offline()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    settings = Settings.load(args.home.expanduser().resolve() if args.home else None)
    from assistant import logs

    log_path = logs.configure(settings.log_dir, verbose=args.verbose)
    handler: Callable[[argparse.Namespace, Settings], int] = COMMANDS[args.command]
    try:
        return handler(args, settings)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"quire: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted.\n")
        return EXIT_INTERRUPTED
    except Exception as exc:
        from assistant.index.library import LibraryError
        from assistant.llm.errors import ModelError

        if isinstance(exc, LibraryError | ModelError):
            log.error("%s", exc)
        else:
            log.exception("quire %s failed", args.command)
            sys.stderr.write(f"quire: {exc} (details in {log_path})\n")
        return EXIT_FATAL


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.engine import open_library
    from assistant.index.indexer import Indexer
    from assistant.jobs import CancelToken, Progress
    from assistant.terminal import ProgressBar, cancel_on_interrupt

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
    with open_library(settings) as library, cancel_on_interrupt(cancel):
        indexer = Indexer(
            library, progress=progress, ocr_progress=ocr_progress, cancel=cancel, force=args.force
        )
        report = indexer.run(args.paths, args.collection)
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
        for problem in report.failed:
            print(f"  failed: {problem.path}: {problem.reason}")
        for problem in report.warnings:
            print(f"  warning: {problem.path}: {problem.reason}")
        if report.cancelled:
            print("Stopped before the end; run the same command again to continue.")
    return EXIT_PARTIAL if report.failed else EXIT_OK


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.engine import open_library
    from assistant.retrieve import SearchMode

    if args.queries is None and not args.query:
        raise UsageError("give a QUERY or --queries FILE")
    if args.queries is not None and args.query:
        raise UsageError("give either a QUERY or --queries FILE, not both")
    if args.queries is not None and not args.json:
        raise UsageError("--queries needs --json")
    if args.k is not None and args.k <= 0:
        raise UsageError("-k must be positive")
    if args.queries is not None:
        try:
            queries = args.queries.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {args.queries}: {exc}") from exc
    else:
        queries = [args.query]
    mode = SearchMode(args.mode)
    with open_library(settings) as library:
        for query in queries:
            hits = (
                library.search(query, k=args.k, collection=args.collection, mode=mode)
                if query.strip()
                else []
            )
            if args.json:
                _emit([hit.to_json() for hit in hits])
                continue
            if not hits:
                print(
                    "No passages found."
                    if library.documents()
                    else "The library is empty: add documents first."
                )
            for number, hit in enumerate(hits, start=1):
                pages = f"p. {hit.page}" if hit.page == hit.page_end else f"pp. {hit.page}-{hit.page_end}"
                print(f"[{number}] {hit.document}, {pages}  (score {hit.score:.4f})\n    {hit.path}")
                print("    " + _shorten(hit.text, 400) + "\n")
    return EXIT_OK


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def cmd_docs(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.index.library import Library

    # Listing needs no embedder: never load a model just to read the registry.
    with Library(settings) as library:
        docs = library.documents(args.collection)
        rows = [
            {
                "id": d.id,
                "path": d.path,
                "title": d.title,
                "pages": d.pages,
                "chunks": d.chunks,
                "status": d.status,
                "error": d.error,
                "collections": library.registry.document_collections(d.id),
                "ocr_pending": d.ocr_pending,
            }
            for d in docs
        ]
    if args.json:
        _emit(rows)
    elif not rows:
        print("The library is empty. Add documents with: quire index PATH")
    else:
        for row in rows:
            extra = f"  ({row['error']})" if row["error"] else ""
            print(
                f"{row['id']}  {row['status']:<8} {row['pages']:>4} p {row['chunks']:>5} ch  {row['title']}{extra}"
            )
    return EXIT_OK


def cmd_forget(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.index.library import Library

    missing = 0
    with Library(settings) as library:
        for target in args.targets:
            doc = library.find_document(target)
            if doc is None:
                sys.stderr.write(f"quire: not in the library: {target}\n")
                missing += 1
                continue
            library.forget(doc)
            print(f"Forgot {doc.title} ({doc.path})")
    return EXIT_PARTIAL if missing else EXIT_OK


def cmd_collections(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.index.library import Library

    with Library(settings) as library:
        rows = [{"name": name, "documents": count} for name, count in library.registry.collections()]
    if args.json:
        _emit(rows)
    else:
        for row in rows:
            print(f"{row['name']}: {row['documents']} documents")
    return EXIT_OK


def cmd_reembed(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.engine import build_embedder
    from assistant.index.library import Library
    from assistant.index.reembed import reembed
    from assistant.jobs import CancelToken, Progress
    from assistant.terminal import ProgressBar, cancel_on_interrupt

    bar = ProgressBar("Re-embedding", "chunks")
    cancel = CancelToken()
    with Library(settings, build_embedder(settings)) as library, cancel_on_interrupt(cancel):
        done = reembed(library, Progress(listeners=[bar] if sys.stderr.isatty() else []), cancel)
    bar.close()
    print(f"Re-embedded {done} chunks with {settings.embedder.model or 'the bundled embedder'}.")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "index": cmd_index,
    "search": cmd_search,
    "docs": cmd_docs,
    "forget": cmd_forget,
    "collections": cmd_collections,
    "reembed": cmd_reembed,
    "ask": cli_answer.cmd_ask,
    "chat": cli_answer.cmd_chat,
    "models": cli_answer.cmd_models,
    "audit": cli_answer.cmd_audit,
    "summarize": cli_documents.cmd_summarize,
    "extract": cli_documents.cmd_extract,
}

if __name__ == "__main__":
    sys.exit(main())
