"""Real hard PDFs from the pypdf, ocrmypdf and pikepdf sdists: encrypted, damaged, scanned.

The sdists are downloaded once with pip and cached under ~/.cache/quire-test-data
(``QUIRE_TEST_DATA`` overrides it), so reruns need no network. OCR costs ~10-25 s a page,
so these tests OCR four pages in all.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

from assistant.ingest import ocr
from assistant.ingest.loaders import load_document
from assistant.ingest.types import IngestError
from assistant.jobs import Cancelled, CancelToken, Progress
from assistant.testing.documents import write_scanned_pdf

pytestmark = pytest.mark.integration

LIMIT = 100 * 1024 * 1024
SDISTS = [f"pypdf=={version('pypdf')}", "ocrmypdf", "pikepdf"]


@pytest.fixture(scope="session")
def hard_pdfs() -> Path:
    """Folder holding ``pypdf/``, ``ocrmypdf/`` and ``pikepdf/`` with their test PDFs."""
    root = Path(os.environ.get("QUIRE_TEST_DATA", Path.home() / ".cache" / "quire-test-data"))
    target = root / f"hard-pdfs-pypdf-{version('pypdf')}"
    if (target / "complete").exists():
        return target
    downloads = root / "sdists"
    downloads.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", *SDISTS]
    done = subprocess.run([*command, "-d", str(downloads)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot download the test sdists: {done.stderr.strip()[-300:]}")
    for name in ("pypdf", "ocrmypdf", "pikepdf"):
        wanted = version("pypdf") if name == "pypdf" else ""
        archives = sorted(downloads.glob(f"{name}-{wanted}*.tar.gz"))
        with tarfile.open(archives[-1]) as archive:
            for member in archive.getmembers():
                parts = member.name.split("/", 1)
                if member.isfile() and member.name.endswith(".pdf") and len(parts) == 2:
                    member.name = parts[1]
                    archive.extract(member, target / name, filter="data")
    (target / "complete").write_text("ok")
    return target


@pytest.mark.parametrize(
    "relative",
    [
        "pypdf/resources/encryption/r4-user-password.pdf",  # RC4, read by pypdf
        "pikepdf/tests/resources/graph-encrypted.pdf",  # AES, read by pdfium
    ],
)
def test_encrypted_pdf_needs_password(hard_pdfs: Path, relative: str) -> None:
    path = hard_pdfs / relative
    with pytest.raises(IngestError) as info:
        load_document(path, max_file_bytes=LIMIT)
    assert info.value.reason == "PDF is encrypted and needs a password"
    assert str(path) in str(info.value)


@pytest.mark.parametrize("name", ["r3-empty-password.pdf", "r6-empty-password.pdf"])
def test_encrypted_pdf_with_empty_user_password_loads(hard_pdfs: Path, name: str) -> None:
    doc = load_document(hard_pdfs / "pypdf/resources/encryption" / name, max_file_bytes=LIMIT)
    assert "pdf encryption test" in doc.pages[0].text


def test_invalid_pdf_gives_clear_error(hard_pdfs: Path) -> None:
    with pytest.raises(IngestError) as info:
        load_document(hard_pdfs / "ocrmypdf/tests/resources/invalid.pdf", max_file_bytes=LIMIT)
    assert info.value.reason.startswith("PDF is damaged or truncated and cannot be read (")


def test_truncated_real_pdf_gives_clear_error(hard_pdfs: Path, tmp_path: Path) -> None:
    data = (hard_pdfs / "pypdf/resources/crazyones.pdf").read_bytes()
    path = tmp_path / "crazyones-cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError) as info:
        load_document(path, max_file_bytes=LIMIT)
    assert info.value.reason.startswith("PDF is damaged or truncated and cannot be read (")


def test_scanned_skewed_page_is_ocred(hard_pdfs: Path) -> None:
    path = hard_pdfs / "ocrmypdf/tests/resources/skew.pdf"
    doc = load_document(path, max_file_bytes=LIMIT)
    assert doc.needs_ocr == [1]
    result = ocr.ocr_pdf_pages(path, doc.needs_ocr)
    assert result.failed == {}
    text = result.pages[1]
    for word in ("LinnSequencer", "32 Track MIDI Sequence Recorder", "polyphonic", "synthesizers"):
        assert word in text


def test_rotated_pages_are_turned_upright(hard_pdfs: Path) -> None:
    """cardinal.pdf holds one page scanned at each of 0, 90, 180 and 270 degrees."""
    path = hard_pdfs / "ocrmypdf/tests/resources/cardinal.pdf"
    result = ocr.ocr_pdf_pages(path, [2, 3])
    assert result.failed == {}
    for number in (2, 3):
        assert "32 Track MIDI Sequence Recorder" in result.pages[number]
        assert "polyphonic" in result.pages[number]


def test_missing_page_is_reported_not_empty(hard_pdfs: Path) -> None:
    result = ocr.ocr_pdf_pages(hard_pdfs / "ocrmypdf/tests/resources/skew.pdf", [5])
    assert result.pages == {}
    assert result.failed == {5: "no page 5 (the PDF has 1 pages)"}


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network blocked by test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts


def test_ocr_builds_engine_and_reads_french_offline(hard_pdfs: Path, no_network: list[object]) -> None:
    ocr._reset_engine()
    result = ocr.ocr_pdf_pages(hard_pdfs / "ocrmypdf/tests/resources/francais.pdf", [1])
    assert no_network == []
    assert result.failed == {}
    for word in ("whisky", "intérieure", "côté", "œuvre"):
        assert word in result.pages[1]


def test_generated_scan_progress_and_cancel(tmp_path: Path) -> None:
    path = write_scanned_pdf(tmp_path / "scan.pdf", ["Invoice number 4711\nTotal due 250 EUR", "Second page"])
    progress = Progress(stage="ocr")
    seen: list[int] = []
    progress.listeners.append(lambda p: seen.append(p.done))
    result = ocr.ocr_pdf_pages(path, [1], progress=progress)
    assert "Invoice number 4711" in result.pages[1]
    assert (progress.done, progress.total) == (1, 1)
    assert seen == [0, 1]

    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        ocr.ocr_pdf_pages(path, [1, 2], cancel=token)
