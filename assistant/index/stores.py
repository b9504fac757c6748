"""The library's two stores, behind small Protocols: the vectors, and the registry with its full-text index.

Today each has one implementation, embedded in the user's library folder: chromadb on
disk (``vectors.ChromaVectorStore``) and SQLite with FTS5 (``registry.Registry``). A
firm-wide library can later put a Chroma server and PostgreSQL behind the same two
Protocols and hand them to ``Library``; answering, the tools and the UI only ever see a
``Library``, so none of them changes. ``Library`` keeps the two stores in step (see its
docstring for the crash-safe ordering), which is why neither store knows about the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from assistant.embed.base import Vectors
    from assistant.index.registry import ChunkRecord, DocumentRecord
    from assistant.ingest.chunking import Chunk
    from assistant.ingest.types import Page


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    similarity: float


class VectorIndex(Protocol):
    """Chunk vectors keyed by chunk id, each tagged with the id of its document."""

    def count(self) -> int: ...

    def add(self, ids: Sequence[str], doc_id: str, vectors: Vectors) -> None: ...

    def get_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]: ...

    def delete_document(self, doc_id: str) -> None: ...

    def ids_of_document(self, doc_id: str) -> list[str]: ...

    def all_doc_ids(self) -> set[str]: ...

    def query(self, vector: np.ndarray, limit: int, doc_ids: Sequence[str] | None) -> list[VectorHit]:
        """The ``limit`` nearest chunks (cosine), among ``doc_ids`` when given."""
        ...

    def staging(self) -> VectorIndex:
        """A new, empty index beside this one, to fill while this one keeps serving searches."""
        ...

    def replace_with(self, other: VectorIndex) -> None:
        """Make ``other`` (from ``staging``) this index, in one step."""
        ...


class DocumentStore(Protocol):
    """Documents, their pages and chunks with a full-text index, and collections (one thread)."""

    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[Any]: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def document(self, doc_id: str) -> DocumentRecord | None: ...

    def document_by_path(self, path: str) -> DocumentRecord | None: ...

    def documents_by_hash(self, content_hash: str) -> list[DocumentRecord]: ...

    def documents(
        self, collection: str | None = None, statuses: Sequence[str] = ()
    ) -> list[DocumentRecord]: ...

    def start_document(self, path: str, title: str, fmt: str, existing: DocumentRecord | None) -> str: ...

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
    ) -> None: ...

    def record_failure(
        self, path: str, title: str, fmt: str, reason: str, existing: DocumentRecord | None
    ) -> None: ...

    def set_status(self, doc_id: str, status: str, error: str = "") -> None: ...

    def touch(self, doc_id: str, *, path: str, size: int, mtime: float) -> None: ...

    def reset_document(self, doc_id: str) -> None: ...

    def delete_document(self, doc_id: str) -> None: ...

    def add_to_collection(self, doc_id: str, collection: str) -> None: ...

    def collections(self) -> list[tuple[str, int]]: ...

    def document_collections(self, doc_id: str) -> list[str]: ...

    def searchable_doc_ids(
        self, collection: str | None = None, documents: Sequence[str] = ()
    ) -> list[str]: ...

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, ChunkRecord]: ...

    def chunk_window(self, doc_id: str, first: int, last: int) -> list[ChunkRecord]: ...

    def chunk_ids_by_text_hash(self, hashes: Sequence[str]) -> dict[str, str]: ...

    def all_chunks(self, batch: int = 1000) -> Iterator[list[ChunkRecord]]: ...

    def count_chunks(self) -> int: ...

    def pages(self, doc_id: str) -> list[Page]: ...

    def lexical_search(
        self, query: str, limit: int, *, collection: str | None = None, documents: Sequence[str] = ()
    ) -> list[tuple[str, float]]:
        """Chunk ids and BM25 scores for ``query`` (best first)."""
        ...
