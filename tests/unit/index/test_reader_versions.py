"""A library indexed by an older reader is read again by the next index run, and says so till then."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from assistant.index import schema
from assistant.index.library import Library
from assistant.index.registry import Registry
from assistant.ingest.versions import FIRST_VERSION, reader_version
from assistant.migrations import run_migrations
from assistant.testing.documents import write_text_pdf

from .conftest import index

LEASE = "The tenant has fifteen days after written notice to cure a late payment of rent."


def age(library: Library, path: Path) -> None:
    """Mark the document at ``path`` as read by the first reader, as before reader versions."""
    db = sqlite3.connect(library.root / "registry.sqlite3")
    with db:
        db.execute("UPDATE documents SET reader = ? WHERE path = ?", (FIRST_VERSION, str(path)))
    db.close()


def test_a_pdf_read_by_an_older_reader_is_read_again_keeping_its_id_and_collection(
    library: Library, tmp_path: Path
) -> None:
    (tmp_path / "docs").mkdir()
    pdf = write_text_pdf(tmp_path / "docs" / "lease.pdf", [LEASE])
    (tmp_path / "docs" / "notes.txt").write_text("Meeting notes about the boiler.", encoding="utf-8")
    index(library, tmp_path / "docs", collection="matter-7")
    before = library.find_document(str(pdf))
    assert before is not None and not before.stale and before.reader == reader_version("pdf")
    age(library, pdf)
    stale = library.find_document(str(pdf))
    assert stale is not None and stale.stale

    report = index(library, tmp_path / "docs")
    assert (report.updated, report.reread, report.unchanged) == (1, 1, 1)  # the text file is current
    after = library.find_document(str(pdf))
    assert after is not None and after.id == before.id and not after.stale
    assert library.registry.document_collections(after.id) == ["matter-7"]
    assert library.search("late payment")[0].document == "lease"
    assert index(library, tmp_path / "docs").reread == 0  # read once, then unchanged


def test_a_copy_of_a_stale_pdf_is_read_not_copied(library: Library, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    pdf = write_text_pdf(tmp_path / "a" / "lease.pdf", [LEASE])
    index(library, pdf)
    age(library, pdf)
    copy = tmp_path / "b" / "lease-copy.pdf"
    copy.parent.mkdir()
    copy.write_bytes(pdf.read_bytes())
    report = index(library, copy)
    assert report.pages_read == 1  # read from its file: the stale document's text is not copied
    copied = library.find_document(str(copy))
    assert copied is not None and not copied.stale


@pytest.mark.parametrize(("fmt", "stale"), [("pdf", True), ("txt", False), ("docx", False)])
def test_a_library_from_before_reader_versions_opens_with_its_pdfs_stale(
    tmp_path: Path, fmt: str, stale: bool
) -> None:
    path = tmp_path / "library.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    run_migrations(old, schema.MIGRATIONS[:1])
    now = time.time()
    old.execute(
        "INSERT INTO documents(id, path, title, format, status, added_at, updated_at)"
        " VALUES ('d1', '/docs/a', 'a', ?, 'indexed', ?, ?)",
        (fmt, now, now),
    )
    old.close()
    registry = Registry(path)  # upgraded in place
    doc = registry.document("d1")
    registry.close()
    assert doc is not None and doc.reader == FIRST_VERSION and doc.stale is stale
