"""The audit log: every answer Quire gave, with the passages it used.

An append-only JSON Lines file in the library, flushed and fsynced per entry, so a
professional can later show what was asked, what the model answered and which pages
it relied on. A line cut short by a crash is skipped when reading, never fatal.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from assistant.answering.types import Answer

log = logging.getLogger(__name__)


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, answer: Answer) -> None:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "question": answer.question,
            "search_query": answer.search_query,
            "model": answer.model,
            "found": answer.found,
            "verified": answer.verified,
            "confidence": str(answer.confidence),
            "needs_review": answer.needs_review,
            "answer": answer.answer,
            "short_answer": answer.short_answer,
            "passages": [
                {"n": n, "document": p.document, "path": p.path, "page": p.page, "chunk_id": p.chunk_id}
                for n, p in enumerate(answer.passages, start=1)
            ],
            "citations": [c.n for c in answer.citations],
            "uncited_sentences": answer.uncited_sentences,
            "cancelled": answer.cancelled,
            "trace": answer.trace,
            "status": "answered",
        }
        self._append(entry)

    def record_failure(self, question: str, model: str, error: str) -> None:
        """A question that got no answer because the model failed (it crashed, say): kept all the same."""
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "question": question,
            "model": model,
            "found": False,
            "verified": False,
            "answer": "",
            "passages": [],
            "citations": [],
            "status": "failed",
            "error": error,
        }
        self._append(entry)

    def _append(self, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out: list[dict[str, Any]] = []
        with self.path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    out.append(json.loads(line))
                except ValueError:
                    log.warning("Skipping damaged audit line %d in %s", number, self.path)
        return out
