"""The chromadb side of the library: one collection of chunk vectors.

chromadb is imported here only, after the offline environment is set, and the
collection is created without an embedding function: Quire always passes vectors
itself, so chromadb never loads (or downloads) a model of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embed.base import Vectors
from assistant.index.stores import VectorHit, VectorIndex
from assistant.offline import enforce_offline

log = logging.getLogger(__name__)

COLLECTION = "chunks"
REEMBED_COLLECTION = "chunks_reembed"


class ChromaVectorStore:
    """The ``VectorIndex`` of an embedded library: a chromadb collection on disk."""

    def __init__(self, path: Path, name: str = COLLECTION) -> None:
        enforce_offline()
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        )
        self._recover_swap(name)
        self._collection = self._client.get_or_create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        self._batch = max(1, min(self._client.get_max_batch_size(), 2000))

    def _recover_swap(self, name: str) -> None:
        """Finish a re-embedding swap that a crash interrupted (see ``replace_with``)."""
        names = {c.name for c in self._client.list_collections()}
        if name == COLLECTION and COLLECTION not in names and REEMBED_COLLECTION in names:
            self._client.get_collection(REEMBED_COLLECTION, embedding_function=None).modify(name=COLLECTION)

    def drop(self) -> None:
        self._client.delete_collection(self._collection.name)

    def staging(self) -> ChromaVectorStore:
        """An empty collection beside this one (any left from an interrupted run is dropped)."""
        ChromaVectorStore(self._path, REEMBED_COLLECTION).drop()
        return ChromaVectorStore(self._path, REEMBED_COLLECTION)

    def replace_with(self, other: VectorIndex) -> None:
        """Make ``other``'s vectors this store's: delete ours, rename theirs."""
        if not isinstance(other, ChromaVectorStore):
            raise TypeError("a Chroma library can only take vectors staged in Chroma")
        self._client.delete_collection(self._collection.name)
        other._collection.modify(name=COLLECTION)
        self._collection = other._collection

    def count(self) -> int:
        return int(self._collection.count())

    def add(self, ids: Sequence[str], doc_id: str, vectors: Vectors) -> None:
        for start in range(0, len(ids), self._batch):
            part = list(ids[start : start + self._batch])
            self._collection.upsert(
                ids=part,
                embeddings=vectors[start : start + len(part)],
                metadatas=[{"doc_id": doc_id}] * len(part),
            )

    def get_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), self._batch):
            result = self._collection.get(ids=list(ids[start : start + self._batch]), include=["embeddings"])
            embeddings = result.get("embeddings")
            if embeddings is None:
                continue
            for chunk_id, vector in zip(result["ids"], embeddings, strict=True):
                found[chunk_id] = np.asarray(vector, dtype=np.float32)
        return found

    def delete_document(self, doc_id: str) -> None:
        self._collection.delete(where={"doc_id": doc_id})

    def ids_of_document(self, doc_id: str) -> list[str]:
        return list(self._collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def all_doc_ids(self) -> set[str]:
        """Every document id present in the store (reads metadata only, in pages)."""
        seen: set[str] = set()
        offset = 0
        while True:
            result = self._collection.get(include=["metadatas"], limit=self._batch, offset=offset)
            metadatas = result.get("metadatas") or []
            if not metadatas:
                return seen
            seen.update(str(m["doc_id"]) for m in metadatas if m)
            offset += len(metadatas)

    def query(self, vector: np.ndarray, limit: int, doc_ids: Sequence[str] | None) -> list[VectorHit]:
        if doc_ids is not None and not doc_ids:
            return []
        where: dict[str, Any] | None = None
        if doc_ids is not None:
            where = {"doc_id": {"$in": list(doc_ids)}} if len(doc_ids) > 1 else {"doc_id": doc_ids[0]}
        n = min(limit, self.count())
        if n <= 0:
            return []
        result = self._collection.query(
            query_embeddings=vector.reshape(1, -1), n_results=n, where=where, include=["distances"]
        )
        distances = (result.get("distances") or [[]])[0]
        return [
            VectorHit(chunk_id, 1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], distances, strict=True)
        ]
