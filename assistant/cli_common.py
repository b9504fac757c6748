"""What every `quire` subcommand module shares: exit codes, the usage error, JSON output, bars.

In a module of its own so that ``cli_answer`` and ``cli_documents`` can import it at the
top while ``cli`` imports them (``cli`` re-exports these names).
"""

from __future__ import annotations

import argparse
import json
import sys

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_PARTIAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """Bad arguments found after parsing (exit 2)."""


def emit(data: object) -> None:
    """One JSON document on stdout, flushed (``--json`` output is read line by line)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def show_bar(args: argparse.Namespace) -> bool:
    """A progress bar only for a person at a terminal, never into JSON output or a log."""
    return not args.json and sys.stderr.isatty()
