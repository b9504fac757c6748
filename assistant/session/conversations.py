"""Conversations, persisted in SQLite with numbered migrations.

One database per home (``conversations.sqlite3``), separate from the library so that
forgetting or rebuilding a library never loses what was asked, and the reverse.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from assistant.migrations import connect, run_migrations

MIGRATIONS: list[str] = [
    """
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        collection TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        found INTEGER NOT NULL,
        details TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL
    );
    CREATE INDEX turns_conversation ON turns(conversation_id, id);
    """,
]


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    collection: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class StoredTurn:
    question: str
    answer: str
    found: bool
    details: dict[str, object]
    created_at: float


class ConversationStore:
    """Conversations and their turns (one thread only)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = connect(str(path))
        run_migrations(self._conn, MIGRATIONS)

    def close(self) -> None:
        self._conn.close()

    def create(self, title: str, collection: str | None = None) -> Conversation:
        now = time.time()
        conversation = Conversation(
            uuid.uuid4().hex[:12], title.strip()[:80] or "New conversation", collection, now, now
        )
        self._conn.execute(
            "INSERT INTO conversations(id, title, collection, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            (conversation.id, conversation.title, collection, now, now),
        )
        return conversation

    def conversations(self) -> list[Conversation]:
        rows = self._conn.execute("SELECT * FROM conversations ORDER BY updated_at DESC")
        return [
            Conversation(r["id"], r["title"], r["collection"], r["created_at"], r["updated_at"]) for r in rows
        ]

    def add_turn(
        self, conversation_id: str, question: str, answer: str, found: bool, details: dict[str, object]
    ) -> None:
        now = time.time()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.execute(
                "INSERT INTO turns(conversation_id, question, answer, found, details, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (conversation_id, question, answer, int(found), json.dumps(details, ensure_ascii=False), now),
            )
            self._conn.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def turns(self, conversation_id: str) -> list[StoredTurn]:
        rows = self._conn.execute(
            "SELECT question, answer, found, details, created_at FROM turns WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        return [
            StoredTurn(
                r["question"], r["answer"], bool(r["found"]), json.loads(r["details"]), r["created_at"]
            )
            for r in rows
        ]

    def rename(self, conversation_id: str, title: str) -> None:
        self._conn.execute(
            "UPDATE conversations SET title = ? WHERE id = ?", (title.strip()[:80], conversation_id)
        )

    def delete(self, conversation_id: str) -> None:
        self._conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
