"""Summaries and extraction with the real default model and the real int8 embedder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answering.grounding import supported
from assistant.config import Settings
from assistant.documents.extract import extract_facts
from assistant.documents.outline import is_complete_sentence
from assistant.documents.summarize import summarize_document
from assistant.embed.factory import ModelEmbedder
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.llm.process import WorkerChatModel
from assistant.testing.documents import write_text_pdf
from assistant.testing.long_documents import POLICY, long_contract, policy_pages, short_contract

pytestmark = pytest.mark.integration

CONTRACTS = [
    (
        "Harbourview Properties Ltd",
        "Linden Architects LLP",
        "3 March 2025",
        "8,000 pounds",
        "England and Wales",
    ),
    ("Alder Estates plc", "Moss Finch Bakery", "17 June 2024", "2,450 euros", "Ireland"),
    (
        "Northgate Holdings Inc",
        "Pellucid Software LLC",
        "1 October 2023",
        "12,300 dollars",
        "the State of New York",
    ),
]


@pytest.fixture
def library(quire_home: Path, tmp_path: Path, int8_embedder: ModelEmbedder) -> Iterator[Library]:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_text_pdf(docs / "services.pdf", long_contract().pages)
    write_text_pdf(docs / "policy.pdf", policy_pages())
    for number, contract in enumerate(CONTRACTS, start=1):
        write_text_pdf(docs / f"lease-{number}.pdf", short_contract(*contract))
    with Library.open(Settings.load(quire_home), int8_embedder) as lib:
        Indexer(lib).run([docs])
        yield lib


def test_summary_of_a_20_page_pdf_cites_pages_that_say_it(library: Library, model: WorkerChatModel) -> None:
    services = next(d for d in library.documents() if d.title == "services")
    pages = {p.number: p.text for p in library.registry.pages(services.id)}
    summary = summarize_document(library, model, services)
    assert 5 <= len(summary.bullets) <= 12
    for bullet in summary.bullets:
        assert bullet.pages and set(bullet.pages) <= set(range(1, 21)), bullet
        assert all(supported(bullet.text, pages[p]) for p in bullet.pages), bullet
    cited = {p for b in summary.bullets for p in b.pages}
    assert max(cited) >= 15 and len([p for p in cited if p > 10]) >= 3  # not only the first pages
    assert summarize_document(library, model, services).cached


def test_long_sentences_are_shortened_by_the_model_and_still_say_what_the_page_says(
    library: Library, model: WorkerChatModel
) -> None:
    policy = next(d for d in library.documents() if d.title == "policy")
    pages = {p.number: p.text for p in library.registry.pages(policy.id)}
    summary = summarize_document(library, model, policy, length="detailed")
    assert summary.coverage.sections_drawn_on == summary.coverage.sections_total == len(POLICY)
    for bullet in summary.bullets:
        assert is_complete_sentence(bullet.text), bullet  # never clipped
        assert [supported(bullet.text, pages[p]) for p in bullet.pages] == [True], bullet
        if bullet.rewritten:
            assert len(bullet.text.split()) < len(bullet.quote.split()), bullet
    assert any(b.rewritten for b in summary.bullets)  # the model did write, not only quote


def test_extraction_over_three_contracts_finds_parties_and_dates_on_their_pages(
    library: Library, model: WorkerChatModel
) -> None:
    leases = sorted((d for d in library.documents() if d.title.startswith("lease")), key=lambda d: d.title)
    table = extract_facts(library, model, leases, "contract")
    for row, (landlord, tenant, date, _rent, _law) in zip(table.rows, CONTRACTS, strict=True):
        pages = {p.number: p.text for p in library.registry.pages(row.doc_id)}
        missing = 0
        for name in ("parties", "effective_date"):
            cell = row.cells[name]
            if not cell.found:
                missing += 1
                continue
            assert cell.page == 1, (row.document, name, cell)  # never a wrong page
            assert supported(cell.value, pages[1])
        assert missing <= 1, row
        if row.cells["parties"].found:
            assert landlord in row.cells["parties"].value or tenant in row.cells["parties"].value
        if row.cells["effective_date"].found:
            assert date in row.cells["effective_date"].value
        for cell in row.cells.values():
            if cell.found:
                assert cell.page is not None and supported(cell.value, pages[cell.page]), (row.document, cell)
