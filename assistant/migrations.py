"""SQLite connections with Quire's settings, and numbered migrations.

The library registry and the conversation store each keep their schema as a list of
migrations. Each runs once, in order, inside a transaction; ``PRAGMA user_version``
records the last one applied, so an older database is upgraded in place on open.
"""

from __future__ import annotations

import sqlite3


def connect(path: str) -> sqlite3.Connection:
    """A connection with the settings every part of Quire relies on."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def run_migrations(conn: sqlite3.Connection, migrations: list[str]) -> None:
    """Apply the migrations after ``PRAGMA user_version``, each in its own transaction."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    for number, script in enumerate(migrations[version:], start=version + 1):
        conn.execute("BEGIN")
        try:
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
