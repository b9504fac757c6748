"""TXT and Markdown: encodings, form-feed pages, titles."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from assistant.ingest.loaders import load_document

LIMIT = 100 * 1024 * 1024
SAMPLE = "Le café coûte 3 €.\nÜber naïve façade."


@pytest.mark.parametrize(
    "raw",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        SAMPLE.encode("utf-16"),  # with BOM
        codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"),
        SAMPLE.encode("utf-16-le"),  # no BOM
        SAMPLE.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16be-bom", "utf16le-no-bom", "cp1252"],
)
def test_encodings(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(raw)
    doc = load_document(path, max_file_bytes=LIMIT)
    assert doc.format == "text"
    assert doc.pages[0].text == "Le café coûte 3 €.\nÜber naïve façade."


def test_latin1_fallback(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Déjà vu".encode("latin-1") + b" \x81")  # 0x81 is undefined in cp1252
    assert load_document(path, max_file_bytes=LIMIT).pages[0].text.startswith("Déjà vu")


def test_form_feed_splits_pages(tmp_path: Path) -> None:
    path = tmp_path / "printed.txt"
    path.write_text("first page\fsecond page\f\fafter a blank page", encoding="utf-8")
    doc = load_document(path, max_file_bytes=LIMIT)
    assert [(p.number, p.text) for p in doc.pages] == [
        (1, "first page"),
        (2, "second page"),
        (3, ""),
        (4, "after a blank page"),
    ]


def test_crlf_and_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "win.txt"
    path.write_bytes(b"Line one.\r\nLine two.\r\n\r\n\r\n\r\nNew paragraph.\r\n")
    assert load_document(path, max_file_bytes=LIMIT).pages[0].text == "Line one.\nLine two.\n\nNew paragraph."


def test_markdown_title_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text(
        "# Setup Guide\n\nSome intro.\n\n## Install\n\n- step one\n- step two\n", encoding="utf-8"
    )
    doc = load_document(path, max_file_bytes=LIMIT)
    assert doc.format == "markdown"
    assert doc.title == "Setup Guide"
    assert doc.pages[0].text == "# Setup Guide\n\nSome intro.\n\n## Install\n\n- step one\n- step two"


def test_text_title_is_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "minutes 2024-01.txt"
    path.write_text("hello", encoding="utf-8")
    assert load_document(path, max_file_bytes=LIMIT).title == "minutes 2024-01"
