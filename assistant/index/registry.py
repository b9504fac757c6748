"""The SQLite side of the library: documents, pages, chunks (with FTS5), collections.

Every write that must agree with the vector store happens in one transaction, and the
document's ``status`` is written last (see ``Library`` for the ordering that makes
the two stores agree after a crash).
"""

from __future__ import annotations

import enum
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.index import schema
from assistant.ingest.chunking import Chunk
from assistant.ingest.types import Page
from assistant.ingest.versions import FIRST_VERSION, reader_version
from assistant.migrations import connect
from assistant.text import query_terms


class Status(enum.StrEnum):
    """Document states; only INDEXED documents are searchable."""

    PENDING = "pending"
    INDEXING = "indexing"
    INDEXED = "indexed"
    FAILED = "failed"
    DELETING = "deleting"


@dataclass(frozen=True)
class DocumentRecord:
    id: str
    path: str
    title: str
    format: str
    content_hash: str
    size: int
    mtime: float
    pages: int
    chunks: int
    status: str
    error: str
    ocr_pending: list[int]
    reader: int = FIRST_VERSION  # the version of the reader that read its text

    @property
    def stale(self) -> bool:
        """Whether a newer reader would read its text differently (re-index it to update)."""
        return self.status == Status.INDEXED and self.reader < reader_version(self.format)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> DocumentRecord:
        pending = [int(n) for n in row["ocr_pending"].split(",") if n]
        return cls(
            id=row["id"],
            path=row["path"],
            title=row["title"],
            format=row["format"],
            content_hash=row["content_hash"],
            size=row["size"],
            mtime=row["mtime"],
            pages=row["pages"],
            chunks=row["chunks"],
            status=row["status"],
            error=row["error"],
            ocr_pending=pending,
            reader=row["reader"],
        )


@dataclass(frozen=True)
class ChunkRecord:
    id: str
    doc_id: str
    ordinal: int
    page_start: int
    page_end: int
    char_start: int
    char_end: int
    text: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> ChunkRecord:
        return cls(
            id=row["id"],
            doc_id=row["doc_id"],
            ordinal=row["ordinal"],
            page_start=row["page_start"],
            page_end=row["page_end"],
            char_start=row["char_start"],
            char_end=row["char_end"],
            text=row["text"],
        )


def chunk_id(doc_id: str, ordinal: int) -> str:
    return f"{doc_id}:{ordinal}"


def fts_query(text: str) -> str:
    """An FTS5 OR-query of the meaningful words of ``text`` (empty if none).

    Each term is quoted so that user text can never be read as FTS5 syntax.
    """
    return " OR ".join(f'"{term}"' for term in query_terms(text))


class Registry:
    """Typed access to the library's SQLite database (one thread only)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = connect(str(path))
        schema.migrate(self._conn)

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- meta -------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- documents -----------------------------------------------------------------
    def document(self, doc_id: str) -> DocumentRecord | None:
        row = self._conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return None if row is None else DocumentRecord.from_row(row)

    def document_by_path(self, path: str) -> DocumentRecord | None:
        row = self._conn.execute("SELECT * FROM documents WHERE path = ?", (path,)).fetchone()
        return None if row is None else DocumentRecord.from_row(row)

    def documents_by_hash(self, content_hash: str) -> list[DocumentRecord]:
        rows = self._conn.execute(
            "SELECT * FROM documents WHERE content_hash = ? AND status = ?", (content_hash, Status.INDEXED)
        )
        return [DocumentRecord.from_row(r) for r in rows]

    def documents(self, collection: str | None = None, statuses: Sequence[str] = ()) -> list[DocumentRecord]:
        sql = "SELECT d.* FROM documents d"
        params: list[object] = []
        clauses: list[str] = []
        if collection is not None:
            sql += " JOIN document_collections c ON c.doc_id = d.id"
            clauses.append("c.collection = ?")
            params.append(collection)
        if statuses:
            clauses.append(f"d.status IN ({','.join('?' * len(statuses))})")
            params.extend(statuses)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY d.title COLLATE NOCASE, d.path"
        return [DocumentRecord.from_row(r) for r in self._conn.execute(sql, params)]

    def start_document(self, path: str, title: str, fmt: str, existing: DocumentRecord | None) -> str:
        """Mark a document as being (re)indexed before the vector store is touched."""
        now = time.time()
        if existing is not None:
            self._conn.execute(
                "UPDATE documents SET status = ?, error = '', updated_at = ? WHERE id = ?",
                (Status.INDEXING, now, existing.id),
            )
            return existing.id
        doc_id = uuid.uuid4().hex[:16]
        self._conn.execute(
            "INSERT INTO documents(id, path, title, format, status, added_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc_id, path, title, fmt, Status.INDEXING, now, now),
        )
        return doc_id

    def finish_document(
        self,
        doc_id: str,
        *,
        title: str,
        fmt: str,
        content_hash: str,
        size: int,
        mtime: float,
        pages: Sequence[Page],
        page_sources: dict[int, str],
        chunks: Sequence[Chunk],
        text_hashes: Sequence[str],
        ocr_pending: Iterable[int],
    ) -> None:
        """Replace the document's pages and chunks and mark it indexed, atomically."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            conn.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))
            conn.executemany(
                "INSERT INTO pages(doc_id, number, text, source) VALUES (?, ?, ?, ?)",
                [(doc_id, p.number, p.text, page_sources.get(p.number, "text")) for p in pages],
            )
            conn.executemany(
                "INSERT INTO chunks(id, doc_id, ordinal, page_start, page_end, char_start, char_end,"
                " text_hash, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        chunk_id(doc_id, c.ordinal),
                        doc_id,
                        c.ordinal,
                        c.page_start,
                        c.page_end,
                        c.char_start,
                        c.char_end,
                        h,
                        c.text,
                    )
                    for c, h in zip(chunks, text_hashes, strict=True)
                ],
            )
            conn.execute(
                "UPDATE documents SET title = ?, format = ?, content_hash = ?, size = ?, mtime = ?, pages = ?,"
                " chunks = ?, status = ?, error = '', ocr_pending = ?, updated_at = ?, reader = ? WHERE id = ?",
                (
                    title,
                    fmt,
                    content_hash,
                    size,
                    mtime,
                    len(pages),
                    len(chunks),
                    Status.INDEXED,
                    ",".join(str(n) for n in sorted(ocr_pending)),
                    time.time(),
                    reader_version(fmt),
                    doc_id,
                ),
            )

    def record_failure(
        self, path: str, title: str, fmt: str, reason: str, existing: DocumentRecord | None
    ) -> None:
        """Remember a file that could not be read, unless an indexed version exists.

        An earlier good version stays searchable: a file that became unreadable must
        never cost the user what was already indexed.
        """
        if existing is not None and existing.status == Status.INDEXED:
            self._conn.execute("UPDATE documents SET error = ? WHERE id = ?", (reason, existing.id))
            return
        if existing is not None:
            self._conn.execute(
                "UPDATE documents SET status = ?, error = ?, updated_at = ? WHERE id = ?",
                (Status.FAILED, reason, time.time(), existing.id),
            )
            return
        now = time.time()
        self._conn.execute(
            "INSERT INTO documents(id, path, title, format, status, error, added_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (uuid.uuid4().hex[:16], path, title, fmt, Status.FAILED, reason, now, now),
        )

    def set_status(self, doc_id: str, status: str, error: str = "") -> None:
        self._conn.execute(
            "UPDATE documents SET status = ?, error = ?, updated_at = ? WHERE id = ?",
            (status, error, time.time(), doc_id),
        )

    def touch(self, doc_id: str, *, path: str, size: int, mtime: float) -> None:
        """Record a new path or mtime for unchanged content (a moved or touched file)."""
        self._conn.execute(
            "UPDATE documents SET path = ?, size = ?, mtime = ?, error = '', updated_at = ? WHERE id = ?",
            (path, size, mtime, time.time(), doc_id),
        )

    def reset_document(self, doc_id: str) -> None:
        """Drop a half-written document's chunks and leave it pending for the next run."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            conn.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))
            conn.execute(
                "UPDATE documents SET status = ?, content_hash = '', chunks = 0, updated_at = ? WHERE id = ?",
                (Status.PENDING, time.time(), doc_id),
            )

    def delete_document(self, doc_id: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    # -- collections ------------------------------------------------------------------
    def add_to_collection(self, doc_id: str, collection: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO collections(name, created_at) VALUES (?, ?)", (collection, time.time())
            )
            conn.execute(
                "INSERT OR IGNORE INTO document_collections(doc_id, collection) VALUES (?, ?)",
                (doc_id, collection),
            )

    def collections(self) -> list[tuple[str, int]]:
        rows = self._conn.execute(
            "SELECT c.name, COUNT(dc.doc_id) AS n FROM collections c"
            " LEFT JOIN document_collections dc ON dc.collection = c.name GROUP BY c.name ORDER BY c.name"
        )
        return [(r["name"], r["n"]) for r in rows]

    def document_collections(self, doc_id: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT collection FROM document_collections WHERE doc_id = ? ORDER BY collection", (doc_id,)
        )
        return [r["collection"] for r in rows]

    def searchable_doc_ids(self, collection: str | None = None, documents: Sequence[str] = ()) -> list[str]:
        docs = self.documents(collection, statuses=(Status.INDEXED,))
        ids = [d.id for d in docs]
        if documents:
            wanted = set(documents)
            ids = [i for i in ids if i in wanted]
        return ids

    # -- chunks -------------------------------------------------------------------------
    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, ChunkRecord]:
        found: dict[str, ChunkRecord] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            rows = self._conn.execute(
                f"SELECT * FROM chunks WHERE id IN ({','.join('?' * len(part))})", list(part)
            )
            found.update((r["id"], ChunkRecord.from_row(r)) for r in rows)
        return found

    def chunk_window(self, doc_id: str, first: int, last: int) -> list[ChunkRecord]:
        rows = self._conn.execute(
            "SELECT * FROM chunks WHERE doc_id = ? AND ordinal BETWEEN ? AND ? ORDER BY ordinal",
            (doc_id, first, last),
        )
        return [ChunkRecord.from_row(r) for r in rows]

    def chunk_ids_by_text_hash(self, hashes: Sequence[str]) -> dict[str, str]:
        """Some indexed chunk id for each known text hash (to reuse its vector)."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            rows = self._conn.execute(
                "SELECT c.text_hash, c.id FROM chunks c JOIN documents d ON d.id = c.doc_id"
                f" WHERE d.status = ? AND c.text_hash IN ({','.join('?' * len(part))})",
                [Status.INDEXED, *part],
            )
            for row in rows:
                found.setdefault(row["text_hash"], row["id"])
        return found

    def all_chunks(self, batch: int = 1000) -> Iterator[list[ChunkRecord]]:
        last = 0
        while True:
            rows = self._conn.execute(
                "SELECT * FROM chunks WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            last = rows[-1]["rowid"]
            yield [ChunkRecord.from_row(r) for r in rows]

    def count_chunks(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def pages(self, doc_id: str) -> list[Page]:
        rows = self._conn.execute(
            "SELECT number, text FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,)
        )
        return [Page(r["number"], r["text"]) for r in rows]

    def lexical_search(
        self, query: str, limit: int, *, collection: str | None = None, documents: Sequence[str] = ()
    ) -> list[tuple[str, float]]:
        """Chunk ids and BM25 scores (higher is better) for the words of ``query``."""
        match = fts_query(query)
        if not match:
            return []
        sql = (
            "SELECT c.id, bm25(chunks_fts) AS rank FROM chunks_fts"
            " JOIN chunks c ON c.rowid = chunks_fts.rowid"
            " JOIN documents d ON d.id = c.doc_id"
        )
        params: list[object] = []
        if collection is not None:
            sql += " JOIN document_collections dc ON dc.doc_id = d.id AND dc.collection = ?"
            params.append(collection)
        sql += " WHERE chunks_fts MATCH ? AND d.status = ?"
        params += [match, Status.INDEXED]
        if documents:
            sql += f" AND c.doc_id IN ({','.join('?' * len(documents))})"
            params.extend(documents)
        sql += " ORDER BY rank LIMIT ?"
        params.append(limit)
        return [(r["id"], -float(r["rank"])) for r in self._conn.execute(sql, params)]
