"""Re-embed a whole library with a new embedder, without ever leaving it half-mixed.

New vectors go to a second collection; only when all are written is it swapped in
and the recorded embedder changed. A crash before the swap leaves the old library
intact; a crash during the swap is finished when the store is next opened.
"""

from __future__ import annotations

from assistant.index.library import Library
from assistant.jobs import CancelToken, Progress


def reembed(library: Library, progress: Progress, cancel: CancelToken) -> int:
    library.warm_up()
    total = library.registry.count_chunks()
    progress.update(0, total)
    target = library.vectors.staging()
    done = 0
    for records in library.registry.all_chunks(batch=library.settings.index.embed_batch_size * 4):
        cancel.raise_if_cancelled()
        vectors = library.embedder.embed([r.text for r in records])
        by_doc: dict[str, list[int]] = {}
        for i, record in enumerate(records):
            by_doc.setdefault(record.doc_id, []).append(i)
        for doc_id, rows in by_doc.items():
            target.add([records[i].id for i in rows], doc_id, vectors[rows])
        done += len(records)
        progress.update(done)
    library.vectors.replace_with(target)
    library.record_embedder()
    return done
