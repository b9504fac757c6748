"""Index files into a Library: read and chunk on one thread, embed and write on another.

Reading PDFs and chunking is mostly Python and parsers; embedding is onnxruntime or
torch, which release the GIL. Running the reader one step ahead of the embedder keeps
the pipeline at the embedder's speed. The reader never touches the stores: every
registry and vector write happens on the calling thread, in the order that keeps the
stores consistent after a crash (see ``assistant.index.library``).

Scanned pages are OCRed after every text file is indexed, so a folder with a few
scans never holds up the rest; a document is searchable on its text pages meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.index.discover import discover
from assistant.index.library import Library
from assistant.index.registry import DocumentRecord, Status, chunk_id
from assistant.index.repeats import distinct
from assistant.ingest.chunking import Chunk, chunk_pages
from assistant.ingest.loaders import SUPPORTED_EXTENSIONS, load_document
from assistant.ingest.types import IngestError, Page
from assistant.jobs import CancelToken, Progress

log = logging.getLogger(__name__)

DEFAULT_COLLECTION = "default"


@dataclass(frozen=True)
class FileProblem:
    path: str
    reason: str


@dataclass
class IndexReport:
    """What an index run did; ``to_json`` is the `quire index --json` contract."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    reread: int = 0  # of ``updated``: unchanged files read again by a newer reader (``DocumentRecord.stale``)
    skipped_files: list[FileProblem] = field(default_factory=list)  # never indexed: unsupported type
    failed: list[FileProblem] = field(default_factory=list)
    warnings: list[FileProblem] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    pages_read: int = 0
    chunks_written: int = 0
    chunks_embedded: int = 0
    ocr_pages: int = 0
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        return len(self.skipped_files)

    def to_json(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": [{"path": f.path, "reason": f.reason} for f in self.failed],
            "documents": self.documents,
            "chunks": self.chunks,
            "moved": self.moved,
            "reread": self.reread,
            "skipped": self.skipped,
            "skipped_files": [{"path": f.path, "reason": f.reason} for f in self.skipped_files],
            "warnings": [{"path": w.path, "reason": w.reason} for w in self.warnings],
            "pages_read": self.pages_read,
            "chunks_embedded": self.chunks_embedded,
            "ocr_pages": self.ocr_pages,
            "cancelled": self.cancelled,
            "seconds": round(self.seconds, 2),
        }


EMBED_SECONDS = 0.032  # one passage embedded by the int8 MiniLM on 2 cores (measured, 1.5 MB of text)
PROGRESS_PASSAGES = 256  # a file with more passages to embed than this reports progress within it


@dataclass(frozen=True)
class _Vectors:
    """The vectors of a document's distinct chunks: ``array[n]`` belongs to ``chunks[kept[n]]``."""

    kept: list[int]
    array: np.ndarray


@dataclass
class _FileState:
    path: Path
    size: int
    mtime: float
    content_hash: str


@dataclass
class _Known(_FileState):
    """Content the library already holds (unchanged, moved or copied)."""


@dataclass
class _Parsed(_FileState):
    title: str
    fmt: str
    pages: list[Page]
    chunks: list[Chunk]
    needs_ocr: list[int]
    warnings: list[str]


@dataclass
class _Failed:
    path: Path
    reason: str


_Item = _Known | _Parsed | _Failed
_DONE = object()


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class Indexer:
    """Runs one index operation over a Library; create one per run."""

    def __init__(
        self,
        library: Library,
        *,
        progress: Progress | None = None,
        ocr_progress: Progress | None = None,
        cancel: CancelToken | None = None,
        force: bool = False,
    ) -> None:
        """``force`` reads every file again even when unchanged (after an OCR or loader fix)."""
        self.library = library
        self.force = force
        self.registry = library.registry
        self.settings = library.settings.index
        self.progress = progress or Progress(stage="files")
        self.ocr_progress = ocr_progress or Progress(stage="ocr")
        self.cancel = cancel or CancelToken()
        self.report = IndexReport()
        self._stop_reader = threading.Event()

    # -- entry point ---------------------------------------------------------------
    def run(self, paths: list[Path], collection: str | None = None) -> IndexReport:
        started = time.perf_counter()
        found = discover(paths, SUPPORTED_EXTENSIONS)
        self.report.failed += [FileProblem(p, r) for p, r in found.failed]
        self.report.skipped_files = [FileProblem(path, reason) for path, reason in found.skipped]
        self.progress.update(0, len(found.files))
        self.library.warm_up()
        if self.registry.get_meta("embedder_name") is None:
            self.library.record_embedder()
        plan = self._plan(found.files, collection)
        if plan and not self.cancel.cancelled:
            self._index_files(plan, collection)
        if self.settings.ocr and not self.cancel.cancelled:
            self._run_ocr()
        self.report.cancelled = self.cancel.cancelled
        docs = self.registry.documents(statuses=(Status.INDEXED,))
        self.report.documents = len(docs)
        self.report.chunks = sum(d.chunks for d in docs)
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _plan(self, files: list[Path], collection: str | None) -> list[Path]:
        """Files that need reading; unchanged ones (same path, size, mtime, read by the current
        reader) are counted now."""
        todo: list[Path] = []
        for path in files:
            doc = self.registry.document_by_path(str(path))
            try:
                stat = path.stat()
            except OSError as exc:
                self._fail(path, f"cannot read file: {exc.strerror or exc}", doc)
                continue
            if (
                not self.force
                and doc
                and doc.status == Status.INDEXED
                and doc.size == stat.st_size
                and doc.mtime == stat.st_mtime
                and not doc.stale
            ):
                self.report.unchanged += 1
                self._add_to_collection(doc.id, collection)
                self.progress.advance(detail=path.name)
            else:
                todo.append(path)
        return todo

    # -- the two-thread pipeline ------------------------------------------------------------
    def _index_files(self, files: list[Path], collection: str | None) -> None:
        known_hashes = (
            set()
            if self.force
            # A stale document's text is not worth copying: a copy of its file is read anew.
            else {d.content_hash for d in self.registry.documents(statuses=(Status.INDEXED,)) if not d.stale}
        )
        items: queue.Queue[object] = queue.Queue(maxsize=4)
        reader = threading.Thread(
            target=self._read_all, args=(files, known_hashes, items), name="quire-reader", daemon=True
        )
        reader.start()
        batch: list[_Parsed] = []
        batch_chunks = 0
        try:
            for item in self._drain(items):
                if isinstance(item, _Parsed):
                    batch.append(item)
                    batch_chunks += len(item.chunks)
                    if batch_chunks >= self.settings.embed_batch_size * 2 or items.empty():
                        self._write_parsed(batch, collection)
                        batch, batch_chunks = [], 0
                elif isinstance(item, _Known):
                    self._write_known(item, collection)
                else:
                    self._fail(item.path, item.reason, self.registry.document_by_path(str(item.path)))
                    self.progress.advance(detail=item.path.name)
                if self.cancel.cancelled:
                    return
            if batch and not self.cancel.cancelled:
                self._write_parsed(batch, collection)
        finally:
            self._stop_reader.set()
            while reader.is_alive():
                with contextlib.suppress(queue.Empty):
                    items.get(timeout=0.1)

    def _drain(self, items: queue.Queue[object]) -> Iterator[_Item]:
        while True:
            item = items.get()
            if item is _DONE:
                return
            yield item  # type: ignore[misc]

    def _read_all(self, files: list[Path], known_hashes: set[str], items: queue.Queue[object]) -> None:
        try:
            for path in files:
                if self.cancel.cancelled or self._stop_reader.is_set():
                    break
                items.put(self._read_one(path, known_hashes))
        except Exception as exc:  # a bug in a loader must not hang the pipeline
            log.exception("Reader thread failed")
            items.put(_Failed(Path("?"), f"internal error: {exc}"))
        finally:
            items.put(_DONE)

    def _read_one(self, path: Path, known_hashes: set[str]) -> _Item:
        try:
            stat = path.stat()
            if stat.st_size > self.settings.max_file_mb * 1024 * 1024:
                # Refuse before hashing 200 MB: the loader gives the detailed message.
                load_document(path, max_file_bytes=self.settings.max_file_mb * 1024 * 1024)
            content_hash = file_hash(path)
        except IngestError as exc:
            return _Failed(path, exc.reason)
        except FileNotFoundError:
            return _Failed(path, "file disappeared while indexing")
        except OSError as exc:
            return _Failed(path, f"cannot read file: {exc.strerror or exc}")
        state = (path, stat.st_size, stat.st_mtime, content_hash)
        if content_hash in known_hashes:
            return _Known(*state)
        try:
            doc = load_document(path, max_file_bytes=self.settings.max_file_mb * 1024 * 1024)
            chunks = self._chunk(doc.pages)
        except IngestError as exc:
            return _Failed(path, exc.reason)
        except Exception as exc:
            log.exception("Unexpected error reading %s", path)
            return _Failed(path, f"could not read the file ({type(exc).__name__}: {exc})")
        passages = len(distinct([c.text for c in chunks]))
        if passages > self.settings.max_file_passages:
            return _Failed(
                path,
                f"too large to index: {passages:,} distinct passages, over the limit of "
                f"{self.settings.max_file_passages:,} (about {self.settings.max_file_passages * EMBED_SECONDS / 60:.0f} "
                "minutes of work on a laptop); split the file, or raise index.max_file_passages in settings.json",
            )
        return _Parsed(*state, doc.title, doc.format, doc.pages, chunks, doc.needs_ocr, doc.warnings)

    def _chunk(self, pages: list[Page]) -> list[Chunk]:
        embedder = self.library.embedder
        return chunk_pages(
            pages,
            embedder.count_tokens,
            target_tokens=self.settings.chunk_tokens,
            max_tokens=embedder.max_tokens,
            overlap_tokens=self.settings.chunk_overlap_tokens,
        )

    # -- writing ------------------------------------------------------------------------
    def _write_parsed(self, batch: list[_Parsed], collection: str | None) -> None:
        """Embed a batch of documents together, then write each one crash-safely."""
        hashes = [[text_hash(c.text) for c in item.chunks] for item in batch]
        kept = [distinct([c.text for c in item.chunks]) for item in batch]
        vectors = self._vectors_for(
            [item.chunks[i].text for item, ks in zip(batch, kept, strict=True) for i in ks],
            [hs[i] for hs, ks in zip(hashes, kept, strict=True) for i in ks],
        )
        if vectors is None:
            return  # cancelled while embedding: nothing was written for this batch
        offset = 0
        for item, item_hashes, item_kept in zip(batch, hashes, kept, strict=True):
            doc_vectors = _Vectors(item_kept, vectors[offset : offset + len(item_kept)])
            offset += len(item_kept)
            existing = self.registry.document_by_path(str(item.path))
            if existing is not None and existing.status == Status.INDEXED:
                self.report.updated += 1
                self.report.reread += existing.stale
            else:
                self.report.added += 1
            doc_id = self._store(
                item,
                item.title,
                item.fmt,
                item.pages,
                item.chunks,
                item_hashes,
                doc_vectors,
                item.needs_ocr,
                existing,
            )
            self._add_to_collection(doc_id, collection)
            self.report.pages_read += len(item.pages)
            self.report.warnings += [FileProblem(str(item.path), w) for w in item.warnings]
            self.progress.advance(detail=f"{self.report.pages_read} pages · {item.path.name}")

    def _store(
        self,
        state: _FileState,
        title: str,
        fmt: str,
        pages: list[Page],
        chunks: list[Chunk],
        hashes: list[str],
        vectors: _Vectors,
        ocr_pending: list[int],
        existing: DocumentRecord | None,
        page_sources: dict[int, str] | None = None,
    ) -> str:
        doc_id = self.registry.start_document(str(state.path), title, fmt, existing)
        self.library.vectors.delete_document(doc_id)
        if vectors.kept:
            ids = [chunk_id(doc_id, chunks[i].ordinal) for i in vectors.kept]
            self.library.vectors.add(ids, doc_id, vectors.array)
        self.registry.finish_document(
            doc_id,
            title=title,
            fmt=fmt,
            content_hash=state.content_hash,
            size=state.size,
            mtime=state.mtime,
            pages=pages,
            page_sources=page_sources or {},
            chunks=chunks,
            text_hashes=hashes,
            ocr_pending=ocr_pending,
        )
        self.report.chunks_written += len(chunks)
        return doc_id

    def _distinct_vectors(self, chunks: list[Chunk], hashes: list[str]) -> _Vectors | None:
        """Vectors for the chunks that are not repeats of an earlier one (``repeats``)."""
        kept = distinct([c.text for c in chunks])
        array = self._vectors_for([chunks[i].text for i in kept], [hashes[i] for i in kept])
        return None if array is None else _Vectors(kept, array)

    def _vectors_for(self, texts: list[str], hashes: list[str]) -> np.ndarray | None:
        """Vectors for ``texts``, reusing any the library holds for the same text."""
        dim = self.library.embedder.dimension
        out = np.zeros((len(texts), dim), dtype=np.float32)
        known = self.registry.chunk_ids_by_text_hash(hashes)
        stored = self.library.vectors.get_vectors(list(set(known.values())))
        missing: list[int] = []
        for i, h in enumerate(hashes):
            vector = stored.get(known.get(h, ""))
            if vector is not None and vector.shape == (dim,):
                out[i] = vector
            else:
                missing.append(i)
        size = self.settings.embed_batch_size
        detail = self.progress.detail
        for start in range(0, len(missing), size):
            if self.cancel.cancelled:
                return None
            part = missing[start : start + size]
            out[part] = self.library.embedder.embed([texts[i] for i in part])
            self.report.chunks_embedded += len(part)
            if len(missing) > PROGRESS_PASSAGES:  # a big file: say how far it has got
                done = min(start + size, len(missing))
                self.progress.update(
                    self.progress.done, detail=f"{detail} · passage {done:,}/{len(missing):,}"
                )
        return out

    def _write_known(self, item: _Known, collection: str | None) -> None:
        """Content already in the library: unchanged, moved, or a copy of another file."""
        at_path = self.registry.document_by_path(str(item.path))
        sources = self.registry.documents_by_hash(item.content_hash)
        if (
            at_path is not None
            and at_path.status == Status.INDEXED
            and at_path.content_hash == item.content_hash
        ):
            self.registry.touch(at_path.id, path=str(item.path), size=item.size, mtime=item.mtime)
            self.report.unchanged += 1
            doc_id = at_path.id
        elif moved := next(
            (d for d in sources if d.path != str(item.path) and not Path(d.path).exists()), None
        ):
            if at_path is not None:
                self.library.forget(at_path)
            self.registry.touch(moved.id, path=str(item.path), size=item.size, mtime=item.mtime)
            log.info("Moved %s -> %s", moved.path, item.path)
            self.report.moved += 1
            doc_id = moved.id
        elif sources:
            doc_id = self._copy(item, sources[0], at_path)
        else:  # the known copy vanished meanwhile: read the file after all
            parsed = self._read_one(item.path, set())
            if isinstance(parsed, _Failed):
                self._fail(parsed.path, parsed.reason, at_path)
                self.progress.advance(detail=item.path.name)
            elif isinstance(parsed, _Parsed):
                self._write_parsed([parsed], collection)
            return
        self._add_to_collection(doc_id, collection)
        self.progress.advance(detail=item.path.name)

    def _copy(self, item: _Known, source: DocumentRecord, existing: DocumentRecord | None) -> str:
        pages = self.registry.pages(source.id)
        records = self.registry.chunk_window(source.id, 0, source.chunks)
        chunks = [
            Chunk(r.ordinal, r.text, r.char_start, r.char_end, r.page_start, r.page_end, 0) for r in records
        ]
        hashes = [text_hash(c.text) for c in chunks]
        vectors = self._distinct_vectors(chunks, hashes)
        if vectors is None:
            return source.id
        if existing is not None and existing.status == Status.INDEXED:
            self.report.updated += 1
        else:
            self.report.added += 1
        title = item.path.stem if source.title == Path(source.path).stem else source.title
        return self._store(
            item, title, source.format, pages, chunks, hashes, vectors, source.ocr_pending, existing
        )

    def _fail(self, path: Path, reason: str, existing: DocumentRecord | None) -> None:
        log.warning("Could not index %s: %s", path, reason)
        self.report.failed.append(FileProblem(str(path), reason))
        if path.exists():
            self.registry.record_failure(
                str(path), path.stem, path.suffix.lstrip(".").lower(), reason, existing
            )

    def _add_to_collection(self, doc_id: str, collection: str | None) -> None:
        if collection:
            self.registry.add_to_collection(doc_id, collection)
        elif not self.registry.document_collections(doc_id):
            self.registry.add_to_collection(doc_id, DEFAULT_COLLECTION)

    # -- OCR ------------------------------------------------------------------------------
    def _run_ocr(self) -> None:
        waiting = [d for d in self.registry.documents(statuses=(Status.INDEXED,)) if d.ocr_pending]
        total = sum(len(d.ocr_pending) for d in waiting)
        if not total:
            return
        from assistant.ingest.ocr import ocr_pdf_pages

        self.ocr_progress.update(0, total)
        for doc in waiting:
            if self.cancel.cancelled:
                return
            path = Path(doc.path)
            try:
                stat = path.stat()
            except OSError:
                continue  # gone or moved: the next run sees it
            if stat.st_size != doc.size or stat.st_mtime != doc.mtime:
                continue  # changed since it was read: the next run re-reads it
            result = ocr_pdf_pages(
                path, doc.ocr_pending, progress=self._ocr_document_progress(path), cancel=self.cancel
            )
            if self._stopped():  # a method: mypy would narrow the property to False
                return
            self._store_ocr(doc, result.pages, result.failed)

    def _stopped(self) -> bool:
        return self.cancel.cancelled

    def _ocr_document_progress(self, path: Path) -> Progress:
        """Per-document OCR progress that advances the run's overall OCR progress."""
        base = self.ocr_progress.done

        def forward(page_progress: Progress) -> None:
            self.ocr_progress.update(
                base + page_progress.done,
                detail=f"{path.name} page {page_progress.done}/{page_progress.total}",
            )

        return Progress(stage="ocr", listeners=[forward])

    def _store_ocr(self, doc: DocumentRecord, texts: dict[int, str], failed: dict[int, str]) -> None:
        pages = [Page(p.number, texts.get(p.number, p.text)) for p in self.registry.pages(doc.id)]
        chunks = self._chunk(pages)
        hashes = [text_hash(c.text) for c in chunks]
        vectors = self._distinct_vectors(chunks, hashes)
        if vectors is None:
            return
        state = _FileState(Path(doc.path), doc.size, doc.mtime, doc.content_hash)
        sources = {n: "ocr" for n in texts}
        self._store(state, doc.title, doc.format, pages, chunks, hashes, vectors, [], doc, sources)
        self.report.ocr_pages += len(texts)
        for number, reason in sorted(failed.items()):
            self.report.warnings.append(FileProblem(doc.path, f"page {number}: {reason}"))
        if failed:
            summary = "; ".join(f"page {n}: {r}" for n, r in sorted(failed.items()))
            self.registry.set_status(doc.id, Status.INDEXED, f"OCR could not read {summary}")
        if not any(p.text.strip() for p in pages):
            log.warning("%s has no readable text after OCR", doc.path)
