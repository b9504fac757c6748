"""Comparing two documents with the scripted model over a real on-disk library."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import cli
from assistant.config import Settings
from assistant.documents.compare import ChangeKind, CompareError, compare_documents, redline, word_diff
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.testing.documents import write_text_pdf
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.long_documents import long_contract, medical_record, policy_pages
from assistant.testing.parts import fake_parts
from assistant.testing.scripted_chat import ScriptedChatModel
from tests.unit.documents.conftest import doc
from tests.unit.documents.test_extract import fill


def policy_v2() -> list[str]:
    """The policy's second version: a figure changed, a clause removed, a clause added."""
    pages = policy_pages()
    pages[1] = pages[1].replace("no longer than 7 years", "no longer than 10 years")
    pages[3] = "4. Transfers"  # the transfer clause is gone
    pages[7] += "\nA breach of this policy may lead to disciplinary action up to and including dismissal."
    return pages


@pytest.fixture
def versions(quire_home: Path, tmp_path: Path) -> Iterator[Library]:
    docs = tmp_path / "versions"
    docs.mkdir()
    write_text_pdf(docs / "policy-2024.pdf", policy_pages())
    write_text_pdf(docs / "policy-2025.pdf", policy_v2())
    write_text_pdf(docs / "policy-copy.pdf", policy_pages())
    write_text_pdf(docs / "services.pdf", long_contract().pages)
    write_text_pdf(docs / "discharge.pdf", medical_record().pages)
    with Library.open(Settings.load(quire_home), HashEmbedder()) as lib:
        Indexer(lib).run([docs])
        yield lib


def test_two_leases_side_by_side_with_cited_cells_and_differences_marked(library: Library) -> None:
    a, b = doc(library, "lease-a"), doc(library, "lease-b")
    result = compare_documents(library, ScriptedChatModel(fill), a, b, "contract")
    rows = {p.name: p for p in result.provisions}
    assert rows["parties"].a.page == rows["parties"].b.page == 1
    assert rows["parties"].a.value.startswith("Alder Estates plc") and rows["parties"].differs
    assert rows["payment_terms"].b.value.startswith("12,300 dollars") and rows["payment_terms"].b.page == 2
    assert not rows["term"].a.found and not rows["term"].b.found and not rows["term"].differs
    assert set(result.to_json()["differing"]) >= {"parties", "effective_date", "payment_terms"}  # type: ignore[operator]
    table = result.table()
    assert table.columns == ["provision", "lease-a", "lease-b", "difference"]
    assert table.rows[0][1].pages == (1,) and table.rows[0][3].text == "differs"


def test_two_versions_get_a_clause_redline(versions: Library) -> None:
    old, new = doc(versions, "policy-2024"), doc(versions, "policy-2025")
    result = compare_documents(versions, ScriptedChatModel(fill), old, new, "contract")
    assert result.redline is not None and result.shared_share > 0.5
    kinds = [(c.kind, c.page_a, c.page_b) for c in result.redline]
    assert kinds == [
        (ChangeKind.CHANGED, 2, 2),
        (ChangeKind.REMOVED, 4, None),
        (ChangeKind.ADDED, None, 8),
    ]
    changed = result.redline[0]
    assert ("-", "7") in changed.words and ("+", "10") in changed.words
    assert "[-7-] {+10+}" in changed.marked()
    assert "may not be transferred" in result.redline[1].a
    assert result.redline[2].b.startswith("A breach of this policy may lead to disciplinary action")


def test_documents_that_are_not_versions_get_no_redline(versions: Library) -> None:
    result = compare_documents(
        versions, ScriptedChatModel(fill), doc(versions, "policy-2024"), doc(versions, "services"), "contract"
    )
    assert result.redline is None and result.to_json()["redline"] is None


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ("policy-2024", "policy-2024", "policy-2024 and policy-2024 are the same document"),
        ("policy-2024", "policy-copy", "policy-2024 and policy-copy are the same document"),
        ("services", "discharge", "services reads as a contract and discharge as a medical record"),
    ],
)
def test_documents_that_cannot_be_compared_are_refused_by_name(
    versions: Library, a: str, b: str, message: str
) -> None:
    model = ScriptedChatModel(fill)
    with pytest.raises(CompareError, match=message):
        compare_documents(versions, model, doc(versions, a), doc(versions, b), "contract")
    assert model.calls == []  # refused before any model call


def test_scanned_document_without_text_is_refused(quire_home: Path, tmp_path: Path) -> None:
    docs = tmp_path / "scans"
    docs.mkdir()
    write_text_pdf(docs / "lease.pdf", long_contract().pages[:3])
    write_text_pdf(docs / "blank.pdf", ["", ""])
    with Library.open(Settings.load(quire_home), HashEmbedder()) as lib:
        Indexer(lib).run([docs])
        with pytest.raises(CompareError, match="blank"):
            compare_documents(lib, ScriptedChatModel(fill), doc(lib, "lease"), doc(lib, "blank"))


@pytest.mark.parametrize(
    ("a", "b", "diff"),
    [
        ("rent of 7 euros", "rent of 10 euros", (("=", "rent of"), ("-", "7"), ("+", "10"), ("=", "euros"))),
        ("the Tenant pays", "the Tenant pays", (("=", "the Tenant pays"),)),
        ("within 30 days", "within 30 business days", (("=", "within 30"), ("+", "business"), ("=", "days"))),
        ("a b c", "", (("-", "a b c"),)),
    ],
)
def test_word_diff(a: str, b: str, diff: tuple[tuple[str, str], ...]) -> None:
    assert word_diff(a, b) == diff


def test_redline_pairs_a_changed_clause_rather_than_listing_it_twice() -> None:
    old = [("The Tenant pays rent of 7 euros a month.", 1), ("Pets are not allowed.", 1)]
    new = [("The Tenant pays rent of 9 euros a month.", 1), ("Smoking is not allowed anywhere.", 2)]
    assert [c.kind for c in redline(old, new)] == [ChangeKind.CHANGED, ChangeKind.REMOVED, ChangeKind.ADDED]


def test_cli_compare_writes_json_csv_and_markdown(
    library: Library, quire_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library.close()
    parts = fake_parts(ScriptedChatModel(fill))
    argv = ["--home", str(quire_home), "compare", "lease-a", "lease-b", "--json"]
    outputs = ["--csv", str(tmp_path / "c.csv"), "--markdown", str(tmp_path / "c.md")]
    assert cli.main([*argv, *outputs], parts=parts) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["a"]["document"] == "lease-a" and data["b"]["document"] == "lease-b"
    assert "parties" in data["differing"] and data["provisions"][0]["a"]["page"] == 1
    assert "(p. 1)" in (tmp_path / "c.md").read_text() and "lease-b" in (tmp_path / "c.csv").read_text()
    assert cli.main(["--home", str(quire_home), "compare", "lease-a", "lease-a"], parts=parts) == 2
    assert "lease-a and lease-a are the same document" in capsys.readouterr().err
