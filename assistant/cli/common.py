"""What every `quire` subcommand module shares: exit codes, the usage error, JSON output, bars.

In a module of its own so that every command module can import it at the top while
``assistant.cli.entry`` imports the command modules.
"""

from __future__ import annotations

import argparse
import enum
import json
import sys
from pathlib import Path

from assistant.errors import QuireError


class ExitCode(enum.IntEnum):
    """`quire`'s exit statuses, part of its scripting contract."""

    OK = 0
    FATAL = 1
    USAGE = 2
    PARTIAL = 3  # some items failed (files, questions, targets); the rest were done
    INTERRUPTED = 130


class UsageError(QuireError):
    """Bad arguments found after parsing (exit 2); the message names the argument."""


def read_lines(path: Path) -> list[str]:
    """The lines of a ``--questions`` or ``--queries`` file; a usage error naming it if unreadable."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from exc


def emit(data: object) -> None:
    """One JSON document on stdout, flushed (``--json`` output is read line by line)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def show_bar(args: argparse.Namespace) -> bool:
    """A progress bar only for a person at a terminal, never into JSON output or a log."""
    return not args.json and sys.stderr.isatty()
