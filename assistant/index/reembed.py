"""Re-embed a whole library with a new embedder, without ever leaving it half-mixed.

New vectors go to a second collection; only when all are written is it swapped in
and the recorded embedder changed. A crash before the swap leaves the old library
intact; a crash during the swap is finished when the store is next opened.
"""

from __future__ import annotations

from assistant.index.library import Library
from assistant.index.repeats import repeat_key
from assistant.jobs import CancelToken, Progress


def _first_of_its_kind(seen: set[str], text: str) -> bool:
    """Whether a chunk is the first of its document with this text (repeats get no vector)."""
    key = repeat_key(text)
    if key in seen:
        return False
    seen.add(key)
    return True


def reembed(library: Library, progress: Progress, cancel: CancelToken) -> int:
    library.warm_up()
    total = library.registry.count_chunks()
    progress.update(0, total)
    target = library.vectors.staging()
    done = 0
    seen: dict[str, set[str]] = {}  # per document, the repeat keys already given a vector
    for batch in library.registry.all_chunks(batch=library.settings.index.embed_batch_size * 4):
        cancel.raise_if_cancelled()
        records = [r for r in batch if _first_of_its_kind(seen.setdefault(r.doc_id, set()), r.text)]
        vectors = library.embedder.embed([r.text for r in records]) if records else None
        by_doc: dict[str, list[int]] = {}
        for i, record in enumerate(records):
            by_doc.setdefault(record.doc_id, []).append(i)
        for doc_id, rows in by_doc.items():
            assert vectors is not None
            target.add([records[i].id for i in rows], doc_id, vectors[rows])
        done += len(batch)
        progress.update(done)
    library.vectors.replace_with(target)
    library.record_embedder()
    return done
