"""A name that appears once in the library is found first, even beside a large repetitive file.

The library of issue 26 in small: a log file of thousands of near-identical lines (which
made thousands of near-identical vectors and drowned dense search), and small files in odd
encodings with odd names, each holding one unique name. Real embedder, chromadb on disk.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.config import Settings
from assistant.embed.factory import ModelEmbedder
from assistant.index.indexer import Indexer
from assistant.index.library import Library

pytestmark = pytest.mark.integration

# (file name, bytes as written, a query a professional would type, the name it must find)
NAMED_FILES = [
    (
        "Vertrag – Müller 東京.txt",
        b"The escrow agent for the Halvorsen acquisition is Quillfeather Trust of Reykjavik.",
        "escrow agent Halvorsen acquisition",
    ),
    (
        "notes with spaces.md",
        b"Patient Orsolya Venkataraman was prescribed 40 mg of zolvaprine twice daily.",
        "zolvaprine dose Venkataraman",
    ),
    (
        "bail-château.txt",
        "Le loyer mensuel du domaine Château-Brévent est de 2 300 euros.".encode("latin-1"),
        "loyer mensuel Château-Brévent",
    ),
    (
        "policy.txt",
        "Policy number QX-48213-B covers the warehouse at Pemberton Mills against flood.".encode("utf-16"),
        "QX-48213-B",
    ),
]
LOG_LINE = "2026-11-{day:02d} 10:{minute:02d}:{second:02d} INFO worker-{n} request handled in {ms} ms status=200 path=/api/v1/agent/acquisition\n"


def _log(lines: int) -> str:
    return "".join(
        LOG_LINE.format(day=n % 28 + 1, minute=n % 60, second=(n * 7) % 60, n=n % 9, ms=n % 500)
        for n in range(lines)
    )


@pytest.fixture
def library(tmp_path: Path, int8_embedder: ModelEmbedder) -> Library:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "server.log.txt").write_text(_log(40_000), encoding="utf-8")  # ~4 MB, ~30,000 words of chunks
    for name, data, _query in NAMED_FILES:
        (docs / name).write_bytes(data)
    (docs / "unknown.xyz").write_bytes(b"\x00\x01 not a document")
    settings = Settings.load(tmp_path / "home")
    library = Library.open(settings, int8_embedder)
    report = Indexer(library).run([docs])
    assert report.failed == [] and report.added == len(NAMED_FILES) + 1, report
    assert [(Path(f.path).name, f.reason) for f in report.skipped_files] == [
        ("unknown.xyz", "unsupported type .xyz")
    ]
    return library


def test_each_unique_name_finds_its_file_first(library: Library) -> None:
    for name, _data, query in NAMED_FILES:
        hits = library.search(query, k=5)
        assert hits and Path(hits[0].path).name == name, (query, [Path(h.path).name for h in hits])


def test_the_repetitive_file_gets_a_vector_per_distinct_chunk_only(library: Library) -> None:
    log = next(d for d in library.documents() if d.title.startswith("server"))
    vectors = library.vectors.ids_of_document(log.id)
    assert log.chunks > 100 and len(vectors) < log.chunks / 20, (log.chunks, len(vectors))
    assert library.verify() == []  # the registry and the vectors agree on what each holds
    hits = library.search("request handled status 200", k=3)
    assert hits and hits[0].document.startswith("server")  # the log is still found by what it says


def test_quire_index_names_the_file_it_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("A short note about the Halvorsen file.", encoding="utf-8")
    (docs / "unknown.xyz").write_bytes(b"?")
    home = str(tmp_path / "home")
    assert main(["--home", home, "index", str(docs), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["skipped"] == 1
    assert report["skipped_files"] == [
        {"path": str(docs.resolve() / "unknown.xyz"), "reason": "unsupported type .xyz"}
    ]
    assert main(["--home", home, "index", str(docs)]) == 0
    assert f"skipped: {docs.resolve() / 'unknown.xyz'}: unsupported type .xyz" in capsys.readouterr().out
