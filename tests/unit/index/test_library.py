"""Indexing and search through real SQLite and chromadb on disk, with the hash embedder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.index.indexer import Indexer
from assistant.index.library import EmbedderMismatch, Library
from assistant.index.registry import Status
from assistant.index.retrieve import SearchMode
from assistant.testing.documents import write_text_pdf
from assistant.testing.fake_embedder import HashEmbedder

from .conftest import index

LEASE = "The tenant has fifteen days after written notice to cure a late payment of rent."
DIET = "Patients with diabetes should follow a low sugar diet and check glucose daily."


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_index_then_search_finds_the_page(library: Library, tmp_path: Path) -> None:
    pdf = write_text_pdf(
        tmp_path / "lease.pdf", ["Cover page of the lease.", "Definitions and parties.", LEASE]
    )
    write(tmp_path / "diet.txt", DIET)
    report = index(library, tmp_path)
    assert (report.added, report.failed) == (2, [])
    assert report.documents == 2
    hits = library.search("how long to cure a late payment", k=2)
    assert hits[0].path == str(pdf.resolve())
    assert hits[0].page == 3
    assert "fifteen days" in hits[0].text


def test_unchanged_files_are_not_read_or_embedded_again(
    library: Library, embedder: HashEmbedder, tmp_path: Path
) -> None:
    write(tmp_path / "a.txt", LEASE)
    index(library, tmp_path)
    embedded = embedder.embedded_texts
    report = index(library, tmp_path)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 1)
    # A touched file with the same content is hashed, found unchanged, not re-embedded.
    os.utime(tmp_path / "a.txt", (1_000_000, 1_000_000))
    report = index(library, tmp_path)
    assert report.unchanged == 1
    assert embedder.embedded_texts == embedded


def test_changed_file_replaces_its_chunks(library: Library, tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", LEASE)
    index(library, path)
    write(path, DIET)
    os.utime(path, (2_000_000, 2_000_000))
    report = index(library, path)
    assert report.updated == 1
    assert library.search("cure late payment rent", mode=SearchMode.LEXICAL) == []
    assert "glucose" in library.search("glucose diet")[0].text
    assert library.verify() == []


def test_moved_file_keeps_its_chunks(library: Library, embedder: HashEmbedder, tmp_path: Path) -> None:
    old = write(tmp_path / "old" / "lease.txt", LEASE)
    index(library, tmp_path)
    doc_id = library.documents()[0].id
    embedded = embedder.embedded_texts
    new = tmp_path / "new" / "lease.txt"
    new.parent.mkdir()
    old.rename(new)
    report = index(library, new)
    assert report.moved == 1
    docs = library.documents()
    assert [(d.id, d.path) for d in docs] == [(doc_id, str(new.resolve()))]
    assert embedder.embedded_texts == embedded


def test_a_copy_reuses_vectors_and_is_its_own_document(
    library: Library, embedder: HashEmbedder, tmp_path: Path
) -> None:
    write(tmp_path / "a.txt", LEASE)
    index(library, tmp_path)
    embedded = embedder.embedded_texts
    write(tmp_path / "copy.txt", LEASE)
    report = index(library, tmp_path)
    assert (report.added, report.unchanged) == (1, 1)
    assert len(library.documents()) == 2
    assert embedder.embedded_texts == embedded
    assert library.verify() == []


def test_forget_removes_from_both_stores(library: Library, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", LEASE)
    write(tmp_path / "b.txt", DIET)
    index(library, tmp_path)
    doc = library.find_document(str(tmp_path / "a.txt"))
    assert doc is not None
    library.forget(doc)
    assert [d.title for d in library.documents()] == ["b"]
    assert all(h.doc_id != doc.id for h in library.search("cure late payment", k=5))
    assert doc.id not in library.vectors.all_doc_ids()


def test_search_limited_to_a_collection(library: Library, tmp_path: Path) -> None:
    write(tmp_path / "matter-a" / "lease.txt", LEASE)
    write(tmp_path / "matter-b" / "lease-copy.txt", LEASE + " Signed in Leeds.")
    index(library, tmp_path / "matter-a", collection="matter-a")
    index(library, tmp_path / "matter-b", collection="matter-b")
    for mode in SearchMode:
        hits = library.search("late payment", collection="matter-b", mode=mode)
        assert hits and {h.document for h in hits} == {"lease-copy"}
    assert library.search("late payment", collection="nothing-here") == []


def test_failed_file_is_reported_and_others_indexed(library: Library, tmp_path: Path) -> None:
    write(tmp_path / "good.txt", LEASE)
    (tmp_path / "empty.txt").write_bytes(b"")
    report = index(library, tmp_path, tmp_path / "missing.txt")
    assert report.added == 1
    reasons = {Path(f.path).name: f.reason for f in report.failed}
    assert set(reasons) == {"empty.txt", "missing.txt"}
    assert "empty" in reasons["empty.txt"]
    assert "does not exist" in reasons["missing.txt"]
    failed = [d for d in library.documents() if d.status == Status.FAILED]
    assert [d.title for d in failed] == ["empty"]


def test_forced_reindex_reads_unchanged_files_and_keeps_id_and_collections(
    library: Library, tmp_path: Path
) -> None:
    path = write(tmp_path / "a.txt", LEASE)
    index(library, path, collection="matter-7")
    before = library.find_document(str(path))
    report = Indexer(library, force=True).run([path])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 0)
    after = library.find_document(str(path))
    assert before is not None and after is not None and after.id == before.id
    assert library.registry.document_collections(after.id) == ["matter-7"]
    assert library.search("late payment")[0].text.startswith("The tenant")


def test_a_file_that_becomes_unreadable_keeps_its_indexed_version(library: Library, tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", LEASE)
    index(library, path)
    path.write_bytes(b"\x00\x01\x02binary garbage\x00" * 20)
    report = index(library, path)
    assert len(report.failed) == 1
    assert library.search("late payment")[0].text.startswith("The tenant")


def test_crash_mid_document_is_reconciled_on_open(settings: Settings, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", LEASE)
    write(tmp_path / "b.txt", DIET)
    with Library.open(settings, HashEmbedder()) as library:
        index(library, tmp_path)
        doc = library.find_document(str(tmp_path / "a.txt"))
        assert doc is not None
        # What a kill -9 between the vector write and the registry commit leaves behind.
        library.registry.start_document(doc.path, doc.title, doc.format, doc)
        library.vectors.add([f"{doc.id}:99"], doc.id, HashEmbedder().embed(["stray"]))
    with Library.open(settings, HashEmbedder()) as library:
        assert library.verify() == []
        statuses = {d.title: d.status for d in library.documents()}
        assert statuses == {"a": Status.PENDING, "b": Status.INDEXED}
        report = index(library, tmp_path)  # resumes: the pending document is indexed again
        assert report.added == 1 and report.unchanged == 1
        assert library.verify() == []


def test_mixing_embedders_is_refused_with_advice(settings: Settings, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", LEASE)
    with Library.open(settings, HashEmbedder()) as library:
        index(library, tmp_path)

    class OtherEmbedder(HashEmbedder):
        @property
        def name(self) -> str:
            return "someone/else"

    with pytest.raises(EmbedderMismatch, match="quire reembed"):
        Library.open(settings, OtherEmbedder())


def test_reembed_switches_the_library_to_a_new_embedder(settings: Settings, tmp_path: Path) -> None:
    from assistant.index.reembed import reembed
    from assistant.jobs import CancelToken, Progress

    write(tmp_path / "a.txt", LEASE)
    with Library.open(settings, HashEmbedder()) as library:
        index(library, tmp_path)

    class Wider(HashEmbedder):
        def __init__(self) -> None:
            super().__init__(dimension=96)

        @property
        def name(self) -> str:
            return "test/wider"

    with Library(settings, Wider()) as library:
        assert reembed(library, Progress(), CancelToken()) == 1
    with Library.open(settings, Wider()) as library:
        assert library.search("late payment")[0].document == "a"
        assert library.verify() == []


def test_neighbours_widen_the_passage(library: Library, tmp_path: Path) -> None:
    library.settings.index.chunk_tokens = 20
    text = " ".join(f"Paragraph {i} is about topic{i} only." for i in range(30))
    write(tmp_path / "long.txt", text)
    index(library, tmp_path)
    narrow = library.search("topic15", k=1, neighbours=0, mode=SearchMode.LEXICAL)[0]
    wide = library.search("topic15", k=1, neighbours=1, mode=SearchMode.LEXICAL)[0]
    assert narrow.text in wide.text and len(wide.text) > len(narrow.text)
    assert "topic14" in wide.text and "topic16" in wide.text


def test_cancel_keeps_finished_documents(library: Library, tmp_path: Path) -> None:
    from assistant.index.indexer import Indexer
    from assistant.jobs import CancelToken, Progress

    for i in range(6):
        write(tmp_path / f"doc{i}.txt", f"Document {i}. " + LEASE)
    cancel = CancelToken()

    def stop_after_two(progress: Progress) -> None:
        if progress.done >= 2:
            cancel.cancel()

    report = Indexer(library, progress=Progress(listeners=[stop_after_two]), cancel=cancel).run([tmp_path])
    assert report.cancelled
    assert 2 <= report.added < 6
    assert library.verify() == []
    report = Indexer(library).run([tmp_path])
    assert report.added + report.unchanged == 6


def test_a_file_with_more_distinct_passages_than_the_limit_is_refused_naming_it(
    library: Library, tmp_path: Path
) -> None:
    library.settings.index.max_file_passages = 5
    big = tmp_path / "transcript.txt"
    names = ["Abbott", "Baker", "Castillo", "Dufresne", "Eriksen", "Fontaine", "Grigoriev", "Haddad"]
    big.write_text("\n\n".join(f"Witness {name} gave evidence about the lease. " * 20 for name in names))
    log = tmp_path / "server.log.txt"
    log.write_text("".join(f"10:00:{n:02d} request handled in {n} ms\n" for n in range(3000)))
    report = index(library, big, log)
    (failure,) = report.failed
    assert failure.path == str(big) and failure.reason.startswith("too large to index: ")
    assert "limit of 5" in failure.reason and "index.max_file_passages" in failure.reason
    assert report.added == 1  # the log's 3,000 lines are one passage repeated: indexed
    assert library.search("request handled")[0].path == str(log)
