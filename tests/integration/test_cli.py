"""The `quire` command line through the real embedder and chromadb on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.testing.documents import write_text_pdf

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"


def run(capsys: pytest.CaptureFixture[str], *args: str, multi: bool = False) -> tuple[int, Any]:
    """Exit code and the JSON printed: one value, or a list of lines with ``multi``."""
    code = main(list(args))
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    return code, lines[0] if len(lines) == 1 and not multi else lines


def test_index_search_docs_forget(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    code, report = run(capsys, "--home", home, "index", str(SAMPLES), "--json")
    assert code == 0
    assert {"added", "updated", "unchanged", "failed", "documents", "chunks"} <= set(report)
    assert (report["added"], report["failed"], report["documents"]) == (3, [], 3)
    assert report["chunks"] >= 3

    code, hits = run(
        capsys, "--home", home, "search", "How long does the tenant have to cure a late payment?", "--json"
    )
    assert code == 0
    assert set(hits[0]) >= {"document", "path", "page", "text", "score"}
    assert hits[0]["document"] == "Commercial Lease Agreement" or "lease" in hits[0]["path"]
    assert "fifteen (15) days" in hits[0]["text"]
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)

    code, docs = run(capsys, "--home", home, "docs", "--json")
    assert code == 0 and len(docs) == 3
    assert all({"id", "path", "title", "pages", "chunks", "status"} <= set(d) for d in docs)
    assert {d["status"] for d in docs} == {"indexed"}

    lease = next(d for d in docs if "lease" in d["path"])
    assert main(["--home", home, "forget", lease["id"]]) == 0
    capsys.readouterr()
    _, docs = run(capsys, "--home", home, "docs", "--json")
    assert len(docs) == 2 and all("lease" not in d["path"] for d in docs)

    code, report = run(capsys, "--home", home, "index", str(SAMPLES), "--json")
    assert (report["added"], report["unchanged"]) == (1, 2)


def test_queries_file_gives_one_array_per_line_in_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    home = str(tmp_path / "home")
    main(["--home", home, "index", str(SAMPLES), "--json"])
    capsys.readouterr()
    queries = tmp_path / "queries.txt"
    queries.write_text("penicillin allergy\nduplicate supplier payments\ngoverning law of the lease\n")
    code, results = run(
        capsys, "--home", home, "search", "--queries", str(queries), "-k", "2", "--json", multi=True
    )
    assert code == 0 and len(results) == 3
    assert all(len(r) <= 2 for r in results)
    assert "discharge" in results[0][0]["path"]
    assert "audit" in results[1][0]["path"]
    assert "lease" in results[2][0]["path"]


def test_page_of_a_pdf_answer(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pages = [
        "Master services agreement between Acme Ltd and Borealis GmbH.",
        "Definitions. Services means the consulting work described in schedule one.",
        "Payment terms. Invoices are payable within forty-five days of receipt by wire transfer.",
        "Confidentiality obligations survive termination for five years.",
    ]
    (tmp_path / "docs").mkdir()
    pdf = write_text_pdf(tmp_path / "docs" / "msa.pdf", pages)
    home = str(tmp_path / "home")
    main(["--home", home, "index", str(pdf), "--json"])
    capsys.readouterr()
    _, hits = run(
        capsys, "--home", home, "search", "within how many days are invoices payable", "-k", "1", "--json"
    )
    assert hits[0]["page"] == 3


def test_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    (tmp_path / "empty.txt").write_bytes(b"")
    code, report = run(capsys, "--home", home, "index", str(SAMPLES), str(tmp_path / "empty.txt"), "--json")
    assert code == 3
    assert report["added"] == 3
    assert report["failed"][0]["path"].endswith("empty.txt") and "empty" in report["failed"][0]["reason"]
    assert main(["--home", home, "search"]) == 2
    assert main(["--home", home, "search", "x", "-k", "0"]) == 2
    assert main(["--home", home, "bogus-command"]) == 2
    assert main(["--home", home, "forget", "no-such-document"]) == 3


def test_empty_library_says_add_documents(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--home", str(tmp_path / "home"), "search", "anything"]) == 0
    assert "add documents" in capsys.readouterr().out
