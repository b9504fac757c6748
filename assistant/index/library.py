"""One library on disk: the SQLite registry and the chromadb collection, kept in step.

Ordering rule that makes the two stores agree after a kill -9 at any moment: a
document's row is marked ``indexing`` (or ``deleting``) and committed *before* the
vector store is touched, and set to ``indexed`` in the same SQLite transaction that
writes its chunks, *after* the vectors are in. On open, any row still ``indexing`` or
``deleting`` is reconciled: its vectors and chunks are removed and it is left pending,
so the next ``index`` run picks it up again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from assistant.config import Fusion, Settings
from assistant.embed.base import Embedder
from assistant.errors import QuireError
from assistant.index.registry import ChunkRecord, DocumentRecord, Registry, Status
from assistant.index.repeats import distinct
from assistant.index.retrieve import RankedLists, SearchHit, SearchMode, rank
from assistant.index.stores import DocumentStore, VectorIndex
from assistant.index.vectors import ChromaVectorStore
from assistant.ingest.chunking import JoinedText
from assistant.text import query_terms

log = logging.getLogger(__name__)


class LibraryError(QuireError):
    """A problem with the library as a whole, worded for the user."""


class EmbedderMismatch(LibraryError):
    """The library was embedded with another model than the one configured."""


class Library:
    """The document library: registry, vectors and the embedder that fills them.

    Not thread-safe: one worker thread owns a Library (SQLite connections are bound
    to the thread that opened them).
    """

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        *,
        registry: DocumentStore | None = None,
        vectors: VectorIndex | None = None,
    ) -> None:
        """The embedded library in ``settings.library_dir``, or one made of the stores given."""
        self.settings = settings
        self._embedder = embedder
        self.root = settings.library_dir
        self.registry: DocumentStore = registry or Registry(self.root / "registry.sqlite3")
        self.vectors: VectorIndex = vectors or ChromaVectorStore(self.root / "vectors")
        self._warm = False
        self.reconcile()

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder) -> Library:
        library = cls(settings, embedder)
        library.check_embedder()
        return library

    def close(self) -> None:
        self.registry.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- embedder -------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        """The embedder; a Library opened only to list or forget documents has none."""
        if self._embedder is None:
            raise LibraryError("This operation needs the embedder, but the library was opened without one.")
        return self._embedder

    @property
    def has_embedder(self) -> bool:
        return self._embedder is not None

    def attach_embedder(self, embedder: Embedder, *, check: bool = True) -> None:
        """Give a library opened only to read the registry the embedder search and indexing need.

        ``check=False`` is for re-embedding, which replaces the embedder the library records.
        """
        self._embedder = embedder
        self._warm = False
        if check:
            self.check_embedder()

    def check_embedder(self) -> None:
        recorded = self.registry.get_meta("embedder_name")
        if self._embedder is None or recorded is None or recorded == self.embedder.name:
            return
        dims = self.registry.get_meta("embedder_dimension") or "?"
        raise EmbedderMismatch(
            f"This library was embedded with {recorded} ({dims} dimensions) but Quire is set to use "
            f"{self.embedder.name}. Vectors from two models cannot be mixed: switch the embedder back, "
            f"or run `quire reembed` to re-embed all {self.registry.count_chunks()} chunks with "
            f"{self.embedder.name}."
        )

    def warm_up(self) -> None:
        if not self._warm:
            self.embedder.warm_up()
            self._warm = True

    def record_embedder(self) -> None:
        with self.registry.transaction():
            self.registry.set_meta("embedder_name", self.embedder.name)
            self.registry.set_meta("embedder_dimension", str(self.embedder.dimension))

    # -- consistency ---------------------------------------------------------------------
    def reconcile(self) -> list[str]:
        """Repair documents a crash left half-written; returns their paths."""
        repaired: list[str] = []
        for doc in self.registry.documents(statuses=(Status.INDEXING, Status.DELETING)):
            self.vectors.delete_document(doc.id)
            if doc.status == Status.DELETING:
                self.registry.delete_document(doc.id)
            else:
                self.registry.reset_document(doc.id)
            log.warning("Reconciled %s document after an interrupted run: %s", doc.status, doc.path)
            repaired.append(doc.path)
        return repaired

    def verify(self) -> list[str]:
        """Disagreements between the stores (empty when they agree). Reads everything."""
        problems: list[str] = []
        indexed = {d.id: d for d in self.registry.documents(statuses=(Status.INDEXED,))}
        in_vectors = self.vectors.all_doc_ids()
        for doc_id in in_vectors - set(indexed):
            problems.append(f"vectors for unknown or unfinished document {doc_id}")
        for doc in indexed.values():
            ids = set(self.vectors.ids_of_document(doc.id))
            chunks = self.registry.chunk_window(doc.id, 0, doc.chunks)
            expected = {chunks[i].id for i in distinct([c.text for c in chunks])}  # repeats have none
            if ids != expected:
                problems.append(
                    f"{doc.path}: {len(expected)} distinct chunks in registry, {len(ids)} vectors"
                )
        return problems

    # -- documents ---------------------------------------------------------------------
    def documents(self, collection: str | None = None) -> list[DocumentRecord]:
        return self.registry.documents(collection)

    def find_document(self, reference: str) -> DocumentRecord | None:
        """A document by id or path, else by its title or file name (case ignored).

        None when nothing matches, or when a title or file name is ambiguous: the user must
        then name the document by its path.
        """
        doc = self.registry.document(reference)
        if doc is None:
            doc = self.registry.document_by_path(str(Path(reference).expanduser().resolve()))
        if doc is not None:
            return doc
        wanted = reference.strip().lower()
        matches = [
            d
            for d in self.registry.documents()
            if wanted in (d.title.lower(), Path(d.path).name.lower(), Path(d.path).stem.lower())
        ]
        return matches[0] if len(matches) == 1 else None

    def forget(self, doc: DocumentRecord) -> None:
        """Remove a document from both stores (crash-safe via the ``deleting`` status)."""
        self.registry.set_status(doc.id, Status.DELETING)
        self.vectors.delete_document(doc.id)
        self.registry.delete_document(doc.id)

    # -- search ----------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        collection: str | None = None,
        documents: Sequence[str] = (),
        mode: SearchMode = SearchMode.FUSED,
        neighbours: int | None = None,
    ) -> list[SearchHit]:
        """The ``k`` best passages for ``query``, each a matched chunk and its neighbours."""
        k = k or self.settings.retrieval.default_k
        neighbours = self.settings.index.passage_neighbours if neighbours is None else neighbours
        lists = self.candidates(query, collection=collection, documents=documents, mode=mode)
        retrieval = self.settings.retrieval
        ranked = rank(
            lists,
            mode,
            fusion=Fusion(retrieval.fusion),
            rrf_k=retrieval.rrf_k,
            weights=(retrieval.dense_weight, retrieval.lexical_weight),
        )
        records = self.registry.chunks_by_id([cid for cid, _ in ranked])
        doc_cache: dict[str, DocumentRecord | None] = {}
        joined_cache: dict[str, JoinedText] = {}
        hits: list[SearchHit] = []
        covered: dict[str, list[tuple[int, int]]] = {}
        for chunk_id, score in ranked:
            chunk = records.get(chunk_id)
            if chunk is None:
                continue  # a vector without a finished chunk row: never shown
            spans = covered.setdefault(chunk.doc_id, [])
            if any(first <= chunk.ordinal <= last for first, last in spans):
                continue  # already inside a better-ranked passage
            if chunk.doc_id not in doc_cache:
                doc_cache[chunk.doc_id] = self.registry.document(chunk.doc_id)
            doc = doc_cache[chunk.doc_id]
            if doc is None or doc.status != Status.INDEXED:
                continue
            window = self._window(chunk, neighbours)
            spans.append((window[0].ordinal, window[-1].ordinal))
            hits.append(
                SearchHit(
                    document=doc.title,
                    path=doc.path,
                    page=self._best_page(chunk, query, joined_cache),
                    page_end=chunk.page_end,
                    text=_join_window(window),
                    score=score,
                    doc_id=doc.id,
                    chunk_id=chunk.id,
                    similarity=lists.similarity.get(chunk.id),
                    char_start=window[0].char_start,
                    char_end=window[-1].char_end,
                )
            )
            if len(hits) >= k:
                break
        return hits

    def candidates(
        self,
        query: str,
        *,
        collection: str | None = None,
        documents: Sequence[str] = (),
        mode: SearchMode = SearchMode.FUSED,
    ) -> RankedLists:
        """Ranked chunk ids from each retriever, before fusion."""
        lists = RankedLists()
        n = self.settings.retrieval.candidates
        if mode is not SearchMode.LEXICAL:
            self.warm_up()
            doc_ids: list[str] | None = None
            if collection is not None or documents:
                doc_ids = self.registry.searchable_doc_ids(collection, documents)
            vector = self.embedder.embed([query])[0]
            for hit in self.vectors.query(vector, n, doc_ids):
                lists.dense.append(hit.chunk_id)
                lists.similarity[hit.chunk_id] = hit.similarity
        if mode is not SearchMode.DENSE:
            found = self.registry.lexical_search(query, n, collection=collection, documents=documents)
            lists.lexical = [cid for cid, _ in found]
            lists.bm25 = dict(found)
        return lists

    def _best_page(self, chunk: ChunkRecord, query: str, cache: dict[str, JoinedText]) -> int:
        """The page of a multi-page chunk that holds most of the query's words.

        A citation must point at the page where the matching text is, not merely the
        page where the chunk happens to begin.
        """
        if chunk.page_start == chunk.page_end:
            return chunk.page_start
        if chunk.doc_id not in cache:
            cache[chunk.doc_id] = JoinedText.from_pages(self.registry.pages(chunk.doc_id))
        joined = cache[chunk.doc_id]
        terms = query_terms(query)
        best, best_score = chunk.page_start, 0
        for number, offset, text in zip(
            joined.page_numbers, joined.page_offsets, joined.page_texts, strict=True
        ):
            start, end = max(offset, chunk.char_start), min(offset + len(text), chunk.char_end)
            if start >= end:
                continue
            words = set(query_terms(joined.text[start:end]))
            score = sum(1 for term in terms if term in words)
            if score > best_score:
                best, best_score = number, score
        return best

    def page_for(self, hit: SearchHit, text: str) -> int:
        """The page of ``hit``'s chunk that best matches ``text`` (an answer sentence)."""
        chunk = self.registry.chunks_by_id([hit.chunk_id]).get(hit.chunk_id)
        return hit.page if chunk is None else self._best_page(chunk, text, {})

    def _window(self, chunk: ChunkRecord, neighbours: int) -> list[ChunkRecord]:
        if neighbours <= 0:
            return [chunk]
        window = self.registry.chunk_window(
            chunk.doc_id, chunk.ordinal - neighbours, chunk.ordinal + neighbours
        )
        return window or [chunk]


def _join_window(window: list[ChunkRecord]) -> str:
    """Neighbouring chunks as one passage (overlapping text is not repeated)."""
    text = window[0].text
    end = window[0].char_end
    for chunk in window[1:]:
        if chunk.char_start >= end:
            text += " " + chunk.text
        else:
            text += chunk.text[end - chunk.char_start :]
        end = max(end, chunk.char_end)
    return text
