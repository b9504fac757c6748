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
from typing import TYPE_CHECKING

from assistant.cli import answer, documents, library
from assistant.cli.common import ExitCode, UsageError
from assistant.config import Settings
from assistant.errors import user_message
from assistant.offline import enforce_offline
from assistant.session.parts import Parts

if TYPE_CHECKING:
    from assistant.session.session import Session

log = logging.getLogger("quire.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quire", description="Quire: ask your own documents, offline.")
    parser.add_argument("--home", type=Path, help="data directory (default: $QUIRE_HOME or the platform's)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to the terminal")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    library.add_commands(commands)
    answer.add_commands(commands)
    documents.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None, *, parts: Parts | None = None) -> int:
    """Run one `quire` command; ``parts`` replaces the embedder and chat model (tests)."""
    enforce_offline()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return ExitCode.OK if exc.code == 0 else ExitCode.USAGE
    settings = Settings.load(args.home.expanduser().resolve() if args.home else None)
    from assistant import logs
    from assistant.session.session import Session

    log_path = logs.configure(settings.log_path, verbose=args.verbose)
    handler: Command = COMMANDS[args.command]
    try:
        with Session(settings, parts) as session:
            return handler(args, session)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        sys.stderr.write(f"quire: error: {exc}\n")
        return ExitCode.USAGE
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted.\n")
        return ExitCode.INTERRUPTED
    except Exception as exc:
        message = user_message(exc)
        if message is not None:
            log.error("%s", message)  # the log's terminal handler shows it on stderr
        else:
            log.exception("quire %s failed", args.command)
            sys.stderr.write(f"quire: {exc} (details in {log_path})\n")
        return ExitCode.FATAL


Command = Callable[[argparse.Namespace, "Session"], int]
COMMANDS: dict[str, Command] = {
    "index": library.cmd_index,
    "search": library.cmd_search,
    "docs": library.cmd_docs,
    "forget": library.cmd_forget,
    "collections": library.cmd_collections,
    "reembed": library.cmd_reembed,
    "ask": answer.cmd_ask,
    "chat": answer.cmd_chat,
    "models": answer.cmd_models,
    "audit": answer.cmd_audit,
    "summarize": documents.cmd_summarize,
    "extract": documents.cmd_extract,
    "compare": documents.cmd_compare,
    "dates": documents.cmd_dates,
}

if __name__ == "__main__":
    sys.exit(main())
