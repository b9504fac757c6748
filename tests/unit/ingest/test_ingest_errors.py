"""Bad inputs give an IngestError that names the file and says why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.ingest import loaders
from assistant.ingest.loaders import SUPPORTED_EXTENSIONS, load_document
from assistant.ingest.types import IngestError
from assistant.testing.documents import write_text_pdf

LIMIT = 100 * 1024 * 1024


def _error(path: Path, max_file_bytes: int = LIMIT) -> IngestError:
    with pytest.raises(IngestError) as info:
        load_document(path, max_file_bytes=max_file_bytes)
    assert str(path) in str(info.value)
    assert info.value.path == str(path)
    return info.value


def test_supported_extensions() -> None:
    assert {".pdf", ".docx", ".txt", ".md", ".html", ".htm"} <= SUPPORTED_EXTENSIONS


def test_missing_file(tmp_path: Path) -> None:
    assert _error(tmp_path / "gone.pdf").reason == "file not found"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert _error(path).reason == "file is empty"


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "data.xyz"
    path.write_text("hello")
    reason = _error(path).reason
    assert reason.startswith("unsupported file type '.xyz' (supported: ")
    assert ".pdf" in reason and ".docx" in reason


def test_folder(tmp_path: Path) -> None:
    folder = tmp_path / "notes.txt"
    folder.mkdir()
    assert "folder" in _error(folder).reason


def test_over_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 3 * 1024 * 1024)
    reason = _error(path, max_file_bytes=2 * 1024 * 1024).reason
    assert reason == (
        "file is 3 MB, over the 2 MB limit "
        "(raise it with `index.max_file_mb` in settings.json or --max-file-mb)"
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("hidden")
    path.chmod(0)
    assert "permission denied" in _error(path).reason


def test_permission_denied_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated, so the case is covered even when tests run as root."""
    path = tmp_path / "secret.txt"
    path.write_text("hidden")

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    assert "permission denied" in _error(path).reason


def test_file_deleted_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_text_pdf(tmp_path / "report.pdf", ["text"])
    real_open = Path.open

    def delete_then_open(self: Path, *args: object, **kwargs: object) -> object:
        self.unlink()
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", delete_then_open)
    assert _error(path).reason == "file disappeared while reading"


def test_binary_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(bytes(range(256)) * 20)
    assert _error(path).reason.startswith("binary data, not text")


def test_control_characters_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(b"\x01\x02\x03\x04\x05abc" * 100)
    assert _error(path).reason.startswith("binary data, not text")


def test_whitespace_only_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("   \n\n\t  \n")
    assert _error(path).reason.startswith("no extractable text")


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"%PDF-1.3\nThis is not a valid PDF file\n%%EOF\n")
    reason = _error(path).reason
    assert reason.startswith("PDF is damaged or truncated and cannot be read (")


def test_truncated_pdf(tmp_path: Path) -> None:
    good = write_text_pdf(tmp_path / "good.pdf", ["one", "two"])
    path = tmp_path / "cut.pdf"
    path.write_bytes(good.read_bytes()[:60])
    assert _error(path).reason.startswith("PDF is damaged or truncated and cannot be read (")


def test_pdf_without_text_or_images(tmp_path: Path) -> None:
    path = write_text_pdf(tmp_path / "blank.pdf", ["", ""])
    assert _error(path).reason == "no extractable text and no scanned images"


def test_broken_docx(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file")
    assert _error(path).reason.startswith("not a valid .docx file")


def test_loader_table_covers_every_extension() -> None:
    assert set(loaders._LOADERS) == SUPPORTED_EXTENSIONS
