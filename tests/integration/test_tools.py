"""Tool requests with the real default model: routed, argued, run, answered; plain questions untouched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answering.pipeline import Answerer
from assistant.config import Settings
from assistant.embed.factory import ModelEmbedder
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.llm.grammar import GrammarError
from assistant.llm.process import WorkerChatModel
from assistant.testing.documents import write_text_pdf
from assistant.tools.assist import Assistant

pytestmark = pytest.mark.integration

LEASE = [
    "Lease between Harbourview Properties (the Landlord) and Linden Architects (the Tenant).",
    "Rent is eight thousand pounds per month, payable in advance on the first day of each month.",
    "The tenant has fifteen days after written notice to cure a late payment.",
]


@pytest.fixture
def assistant(tmp_path: Path, int8_embedder: ModelEmbedder, model: WorkerChatModel) -> Iterator[Assistant]:
    settings = Settings.load(tmp_path / "home")
    docs = tmp_path / "docs"
    docs.mkdir()
    write_text_pdf(docs / "lease.pdf", LEASE)
    with Library.open(settings, int8_embedder) as library:
        Indexer(library).run([docs])
        yield Assistant(Answerer(library, model, settings))


def test_days_between_two_dates_uses_date_difference(assistant: Assistant) -> None:
    result = assistant.ask("How many days between 3 March 2025 and 1 April 2025?")
    assert [step["tool"] for step in result.trace] == ["date_difference"]
    step = result.trace[0]
    assert step["ok"] is True and "29 days" in str(step["result"])
    assert "29" in result.answer


def test_arithmetic_uses_calculate_with_valid_arguments(assistant: Assistant) -> None:
    result = assistant.ask("What is 1,250,000 * 0.04?")
    assert result.trace and result.trace[0]["tool"] == "calculate" and result.trace[0]["ok"] is True
    assert "50000" in result.answer.replace(",", "")


def test_plain_question_does_not_enter_the_loop(assistant: Assistant) -> None:
    result = assistant.ask("How long does the tenant have to cure a late payment?")
    assert result.trace == []
    assert assistant.last_route is not None and assistant.last_route.source == "rules"
    assert result.found and ("fifteen" in result.answer.lower() or "15" in result.answer)
    assert result.to_json()["trace"] == []


def test_listing_documents_is_a_direct_reply(assistant: Assistant) -> None:
    result = assistant.ask("List all documents in my library")
    assert [step["tool"] for step in result.trace] == ["list_documents"]
    assert "lease" in result.answer


HOSTILE_TITLES = [
    'DD Form 293, "APPLICATION FOR THE REVIEW OF DISCHARGE"',
    "C:\\Matters\\2025\\lease",
    "Line one\nline two\r\nand a tab\there",
    "Décision n° 2025-17 — Cour d’appel ünïcödé 案件",
    'Trailing backslash \\ and quote "',
    "\x00\x1b control \x7f characters",
]


def test_hostile_titles_never_crash_the_tool_loop(
    tmp_path: Path, int8_embedder: ModelEmbedder, model: WorkerChatModel
) -> None:
    """A library whose titles hold quotes, backslashes, line breaks and non-ASCII: once a SIGSEGV.

    A request routed to a document tool decodes its arguments under an enum of every title;
    llama.cpp must get a grammar it can parse, and the model's pick must map back to a title.
    """
    settings = Settings.load(tmp_path / "home")
    docs = tmp_path / "docs"
    docs.mkdir()
    for number, title in enumerate(HOSTILE_TITLES):
        write_text_pdf(docs / f"doc-{number}.pdf", [f"Page text {number} about the lease."], title=title)
    (docs / 'memo "final" \\ v2 – prüfung.txt').write_text("A memo about the lease.", encoding="utf-8")
    with Library.open(settings, int8_embedder) as library:
        Indexer(library).run([docs])
        titles = sorted({d.title for d in library.documents()})
        assert any('"' in t for t in titles), titles  # the hostile metadata really became titles
        assistant = Assistant(Answerer(library, model, settings))
        result = assistant.ask("Which documents mention the lease?")
        assert result.trace and result.trace[0]["tool"] == "search_documents"
        summary = assistant.ask(f"Summarise {titles[0]}")
        assert summary.trace and summary.trace[0]["arguments"].get("document") in titles


def test_a_schema_llama_cpp_cannot_parse_is_refused_not_decoded(model: WorkerChatModel) -> None:
    """The grammar is checked before decoding: an error to log and fall back from, never a crash."""
    schema = {"type": "object", "properties": {"d": {"type": "string", "enum": ['say "hi"']}}}
    with pytest.raises(GrammarError):
        model.chat(
            [{"role": "user", "content": "Pick one."}],
            max_tokens=8,
            temperature=0.0,
            response_format={"type": "json_object", "schema": schema},
        )
    assert model.chat([{"role": "user", "content": "Say yes."}], max_tokens=4, temperature=0.0).strip()
