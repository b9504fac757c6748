"""Summaries with the scripted model over a real on-disk library of generated PDFs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.answering.grounding import supported
from assistant.config import Settings
from assistant.documents.outline import is_complete_sentence
from assistant.documents.summarize import (
    LENGTHS,
    NOT_STATED,
    REWRITE_WORDS,
    SummaryError,
    accept_rewrite,
    summarize_document,
)
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.jobs import Cancelled, CancelToken, Progress
from assistant.llm.chat import ChatMessage
from assistant.testing.documents import write_text_pdf
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.long_documents import POLICY, policy_pages
from assistant.testing.scripted_chat import ScriptedChatModel, keep_sentences, memo_source
from tests.unit.documents.conftest import doc


@pytest.fixture
def policy(quire_home: Path, tmp_path: Path) -> Iterator[Library]:
    docs = tmp_path / "policy-docs"
    docs.mkdir()
    write_text_pdf(docs / "policy.pdf", policy_pages())
    write_text_pdf(docs / "table.pdf", ["Item Qty Price\nBolts 4 2.00\nNuts 8 1.50", "Total 16 3.50"])
    with Library.open(Settings.load(quire_home), HashEmbedder()) as lib:
        Indexer(lib).run([docs])
        yield lib


def shorten(messages: list[ChatMessage]) -> str:
    """A rewrite reply: the sentence cut to its clause before the first comma, with a full stop."""
    assert messages[0]["content"].startswith("You shorten one sentence")
    return memo_source(messages).split(",")[0].rstrip(".") + "."


def test_general_summary_of_short_sentences_quotes_them_without_a_model_call(library: Library) -> None:
    model = ScriptedChatModel([])
    services = doc(library, "services")
    summary = summarize_document(library, model, services)
    assert model.calls == []  # nothing long enough to be worth rewriting
    pages = {p.number: p.text for p in library.registry.pages(services.id)}
    assert 5 <= len(summary.bullets) <= LENGTHS["page"]
    for bullet in summary.bullets:
        assert is_complete_sentence(bullet.text) and not bullet.rewritten
        assert [bullet.quote in " ".join(pages[p].split()) for p in bullet.pages] == [True]
    cited = [p for b in summary.bullets for p in b.pages]
    assert min(cited) <= 4 and max(cited) >= 17  # drawn from the whole document
    assert summary.coverage.sections_drawn_on == summary.coverage.sections_total == 5
    assert not any("Each party shall act in good faith" in b.text for b in summary.bullets)  # on every page


@pytest.mark.parametrize(("length", "most"), [("paragraph", 5), ("page", 12), ("detailed", 25)])
def test_length_bounds_the_number_of_sentences(library: Library, length: str, most: int) -> None:
    summary = summarize_document(library, ScriptedChatModel([]), doc(library, "services"), length=length)
    assert len(summary.bullets) == min(most, 20) and summary.length == length


def test_long_sentences_are_rewritten_shorter_and_checked(policy: Library) -> None:
    model = ScriptedChatModel(shorten)
    summary = summarize_document(policy, model, doc(policy, "policy"))
    pages = {p.number: p.text for p in policy.registry.pages(doc(policy, "policy").id)}
    long = [b for b in summary.bullets if len(b.quote.split()) > REWRITE_WORDS]
    assert len(long) == len(POLICY) and len(model.calls) == len(long)  # only those were read
    rewritten = [b for b in summary.bullets if b.rewritten]
    assert rewritten and all(len(b.text.split()) < len(b.quote.split()) for b in rewritten)
    assert all(supported(b.text, pages[b.pages[0]]) for b in summary.bullets)
    # The training sentence cut at its first comma keeps what matters; the retention sentence cut
    # there loses its "unless", and the breach sentence its "72 hours": those stand as written.
    by_word = {
        word: [b for b in summary.bullets if word in b.quote]
        for word in ("course", "Customer records", "breach")
    }
    assert [b.rewritten for b in by_word["course"]] == [True]
    assert by_word["course"][0].text == (
        "Every new member of staff completes the data protection course within their first month."
    )
    assert [(b.rewritten, b.text == b.quote) for b in by_word["Customer records"] + by_word["breach"]] == [
        (False, True)
    ] * 2
    assert {b.heading for b in summary.bullets} == {
        f"{n}. {heading}" for n, (heading, _) in enumerate(POLICY, 1)
    }


@pytest.mark.parametrize(
    ("rewrite", "accepted"),
    [
        ("Customer records are kept no longer than 7 years unless a court order requires longer.", True),
        ("Customer records must be kept for no longer than 7 years.", False),  # "unless" lost
        ("Customer records must be kept for no longer than 9 years.", False),  # a number not in the source
        ("Customer records are kept longer than 7 years unless a court order requires longer.", False),
        ("Customer records are kept no longer than 7 years unless a court order requires", False),
        ("Records are kept no longer than 7 years unless the regulator is told.", False),  # "told" added
        ("Customer records must be kept.", False),  # too little of the source is left
        ("", False),
    ],
)
def test_rewrite_check(rewrite: str, accepted: bool) -> None:
    source = (
        "Customer records must be kept for no longer than 7 years after the end of the customer "
        "relationship, unless a court order requires them to be kept for longer."
    )
    assert accept_rewrite(source, rewrite, source) is accepted


def test_rewrite_that_drops_a_condition_falls_back_to_the_document(policy: Library) -> None:
    def drop_unless(messages: list[ChatMessage]) -> str:
        return memo_source(messages).replace("not ", "").split(",")[0].rstrip(".") + "."

    summary = summarize_document(policy, ScriptedChatModel(drop_unless), doc(policy, "policy"))
    transfers = [b for b in summary.bullets if "transferred" in b.text]
    assert transfers and all(b.text == b.quote and "may not be transferred" in b.text for b in transfers)


def test_contract_headings_hold_what_they_name(library: Library) -> None:
    summary = summarize_document(library, ScriptedChatModel([]), doc(library, "lease-a"), template="contract")
    by_heading = {b.heading: b for b in summary.bullets}
    assert by_heading["Parties"].text.startswith("Parties: This Lease is made on 17 June 2024 between")
    assert by_heading["Payment"].pages == [2] and "2,450 euros" in by_heading["Payment"].text
    assert by_heading["Governing law"].pages == [3] and "laws of Ireland" in by_heading["Governing law"].text
    assert by_heading["Termination"].text == "Termination: Either party may end it on sixty days notice."
    assert by_heading["Liability"].text == f"Liability: {NOT_STATED}" and by_heading["Liability"].pages == []
    quotes = [b.quote for b in summary.bullets if b.quote]
    assert len(quotes) == len(set(quotes))  # no sentence under two headings


def test_second_summary_comes_from_the_cache(policy: Library) -> None:
    model = ScriptedChatModel(shorten)
    first = summarize_document(policy, model, doc(policy, "policy"))
    calls = len(model.calls)
    again = summarize_document(policy, model, doc(policy, "policy"))
    assert again.cached and not first.cached and len(model.calls) == calls
    assert again.bullets == first.bullets and again.coverage == first.coverage
    assert not summarize_document(
        policy, ScriptedChatModel(shorten, name="other"), doc(policy, "policy")
    ).cached
    assert not summarize_document(policy, model, doc(policy, "policy"), length="detailed").cached


def test_stopped_summary_resumes_where_it_stopped(policy: Library) -> None:
    cancel = CancelToken()
    seen: list[tuple[int, int]] = []

    def listen(progress: Progress) -> None:
        seen.append((progress.done, progress.total))
        if progress.done >= 3:
            cancel.cancel()

    policy_doc = doc(policy, "policy")
    model = ScriptedChatModel(shorten)
    with pytest.raises(Cancelled):
        summarize_document(policy, model, policy_doc, progress=Progress(listeners=[listen]), cancel=cancel)
    assert len(model.calls) == 3 and seen[0] == (0, seen[0][1]) and seen[-1][0] == 3
    total = seen[0][1]
    seen.clear()
    resumed = ScriptedChatModel(shorten)
    summary = summarize_document(policy, resumed, policy_doc, progress=Progress(listeners=[listen]))
    assert not summary.cached and len(resumed.calls) == total - 3
    assert seen[0] == (3, total) and seen[-1] == (total, total)
    assert sum(b.rewritten for b in summary.bullets) >= 1


def test_time_budget_leaves_the_rest_as_written(policy: Library) -> None:
    ticks = iter(range(0, 10_000, 100))
    model = ScriptedChatModel(shorten)
    summary = summarize_document(
        policy, model, doc(policy, "policy"), write_budget_s=150, clock=lambda: float(next(ticks))
    )
    assert len(model.calls) == 1  # the second sentence found the budget spent
    assert not any(b.rewritten for b in summary.bullets if "course" in b.quote)  # the fifth


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "pending"}, "services is not indexed"),
        ({"id": "no-such-id"}, "services has no text"),
    ],
)
def test_unusable_document_is_refused_by_name(library: Library, change: dict[str, Any], message: str) -> None:
    services = dataclasses.replace(doc(library, "services"), **change)
    with pytest.raises(SummaryError, match=message):
        summarize_document(library, ScriptedChatModel([]), services)


def test_document_without_sentences_is_refused_by_name(policy: Library) -> None:
    with pytest.raises(SummaryError, match="table has no complete sentences to summarise"):
        summarize_document(policy, ScriptedChatModel([]), doc(policy, "table"))


@pytest.mark.parametrize(
    ("option", "message"),
    [({"template": "poem"}, "unknown template 'poem'"), ({"length": "novel"}, "unknown length 'novel'")],
)
def test_unknown_option_is_refused(library: Library, option: dict[str, str], message: str) -> None:
    with pytest.raises(SummaryError, match=message):
        summarize_document(library, ScriptedChatModel([]), doc(library, "services"), **option)


def test_a_word_in_most_sentences_names_no_heading(quire_home: Path, tmp_path: Path) -> None:
    """In the sample lease "Landlord" and "Tenant" are everywhere: they do not make a sentence the parties'."""
    sample = Path(__file__).resolve().parents[3] / "resources" / "samples" / "lease-agreement.md"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "lease.md").write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")
    with Library.open(Settings.load(quire_home), HashEmbedder()) as library:
        Indexer(library).run([tmp_path / "docs"])
        summary = summarize_document(
            library, ScriptedChatModel(keep_sentences), library.documents()[0], template="contract"
        )
    headings: dict[str, list[str]] = {}
    for bullet in summary.bullets:
        headings.setdefault(bullet.heading, []).append(bullet.text)
    assert all("cure a late payment" not in text for text in headings["Parties"])
    assert any("five (5) years" in text for text in headings["Term"])


def test_a_500_page_document_is_summarised_in_bounded_memory_with_progress_and_stop(
    quire_home: Path, tmp_path: Path
) -> None:
    """A 500-page record: the model sees a bounded number of sentences, Stop works, memory stays small."""
    import tracemalloc

    plant = [
        "pump station",
        "reservoir",
        "valve chamber",
        "treatment works",
        "water tower",
        "booster main",
        "sluice",
    ]
    duty = ["inspect", "clean", "repaint", "pressure-test", "survey"]
    record = [
        "the pressure",
        "the flow rate",
        "any corrosion",
        "the seal wear",
        "the meter reading",
        "any leak",
    ]
    pages = [
        f"The contractor shall {duty[n % 5]} the {plant[n % 7]} at site {n} every {n % 12 + 1} months and note "
        f"{record[n % 6]} and {record[(n + 1) % 6]} in the log that the district office keeps for that site."
        for n in range(1, 501)
    ]
    docs = tmp_path / "long"
    docs.mkdir()
    write_text_pdf(docs / "maintenance.pdf", pages)
    with Library.open(Settings.load(quire_home), HashEmbedder()) as library:
        Indexer(library).run([docs])
        document = library.documents()[0]
        assert document.pages == 500

        cancel = CancelToken()
        stopping = Progress(listeners=[lambda p: cancel.cancel()])
        with pytest.raises(Cancelled):
            summarize_document(
                library, ScriptedChatModel(shorten), document, progress=stopping, cancel=cancel
            )

        model = ScriptedChatModel(shorten)
        seen: list[tuple[int, int]] = []
        progress = Progress(listeners=[lambda p: seen.append((p.done, p.total))])
        tracemalloc.start()
        summary = summarize_document(library, model, document, length="detailed", progress=progress)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert len(model.calls) <= LENGTHS["detailed"]  # never one call per page
    assert seen and seen[-1][0] == seen[-1][1]  # progress counted up to its total
    assert summary.bullets and summary.coverage.pages_total == 500
    assert peak < 64 * 1024 * 1024
