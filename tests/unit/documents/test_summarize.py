"""Summaries with the scripted model over a real on-disk library of generated PDFs."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from assistant.answering.grounding import supported
from assistant.documents.prompts import EXTRACT_SYSTEM
from assistant.documents.summarize import (
    MAX_BULLETS,
    NOT_STATED,
    SummaryError,
    plan_windows,
    summarize_document,
)
from assistant.index.library import Library
from assistant.ingest.types import Page
from assistant.jobs import Cancelled, CancelToken, Progress
from assistant.llm.chat import ChatMessage
from assistant.testing.scripted_chat import ScriptedChatModel
from tests.unit.documents.conftest import PAGE, copy_facts, doc, not_stated


def enums(model: ScriptedChatModel) -> list[list[int]]:
    out = []
    for call in model.calls:
        assert call.response_format is not None
        item = call.response_format["schema"]["properties"]["facts"]["items"]
        out.append(item["properties"]["page"]["enum"])
    return out


def test_windows_cover_every_page_and_cite_only_pages_shown(library: Library) -> None:
    model = ScriptedChatModel(copy_facts)
    summary = summarize_document(library, model, doc(library, "services"))
    windows = enums(model)
    assert sorted(p for w in windows for p in w) == list(range(1, 21))  # every page read once
    for call, enum in zip(model.calls, windows, strict=True):
        shown = [int(n) for n, _ in PAGE.findall(call.messages[-1]["content"])]
        assert enum == shown  # the schema allows only the pages in this window
    assert 0 < len(summary.bullets) <= MAX_BULLETS
    cited = [p for b in summary.bullets for p in b.pages]
    assert max(cited) >= 16 and min(cited) == 1  # drawn from the whole document
    pages = {p.number: p.text for p in library.registry.pages(doc(library, "services").id)}
    assert all(supported(b.text, pages[p]) for b in summary.bullets for p in b.pages)
    assert summary.to_json()["summary"][0] == {
        "text": summary.bullets[0].text,
        "pages": summary.bullets[0].pages,
    }


def test_long_page_is_split_into_windows_of_the_same_page() -> None:
    model = ScriptedChatModel([])
    long_text = " ".join(f"Sentence number {i} says something." for i in range(800))
    windows = plan_windows(model, [Page(1, "Short."), Page(2, long_text), Page(3, "")], "general", 4)
    assert [w.pages for w in windows][:2] == [[1], [2]]
    assert len(windows) > 3 and all(w.pages == [2] for w in windows[1:])
    assert "".join(t for w in windows[1:] for _, t in w.parts).replace(" ", "") == long_text.replace(" ", "")


def test_wrong_page_is_corrected_and_unsupported_fact_dropped(library: Library) -> None:
    def reply(messages: list[ChatMessage]) -> str:
        shown = [int(n) for n, _ in PAGE.findall(messages[-1]["content"])]
        if shown[0] != 1:
            return json.dumps({"facts": []})
        return json.dumps(
            {
                "facts": [
                    {
                        "page": 1,
                        "fact": "The agreement runs for an initial term of thirty-six months.",
                    },  # page 2
                    {"page": 2, "fact": "The moon is made of green cheese and costs 7 pounds."},
                    {"page": 3, "fact": "Linden pays 99,000 pounds."},  # a number no page has
                ]
            }
        )

    summary = summarize_document(library, ScriptedChatModel(reply), doc(library, "services"))
    assert [(b.text, b.pages) for b in summary.bullets] == [
        ("The agreement runs for an initial term of thirty-six months.", [2])
    ]


def test_template_field_found_nowhere_says_not_stated(library: Library) -> None:
    def reply(messages: list[ChatMessage]) -> str:
        if messages[0]["content"] == EXTRACT_SYSTEM:
            return not_stated(messages)
        return copy_facts(messages)

    lease = doc(library, "lease-a")
    model = ScriptedChatModel(reply)
    summary = summarize_document(library, model, lease, template="contract")
    texts = {b.text: b.pages for b in summary.bullets}
    assert texts["Liability: " + NOT_STATED] == []
    assert any(t.startswith("Governing law:") and p == [3] for t, p in texts.items())
    assert any(t.startswith("Payment:") and p == [2] for t, p in texts.items())


def test_field_the_map_step_missed_is_searched_before_saying_not_stated(library: Library) -> None:
    asked: list[str] = []

    def reply(messages: list[ChatMessage]) -> str:
        prompt = messages[-1]["content"]
        if messages[0]["content"] != EXTRACT_SYSTEM:  # the map step only ever reports page 1
            return copy_facts(messages) if '<page n="1">' in prompt else json.dumps({"facts": []})
        asked.append(prompt.rsplit("Field: ", 1)[1])
        blocks = re.findall(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', prompt, re.DOTALL)
        for number, text in blocks:
            if prompt.rsplit("Field: ", 1)[1].startswith("Governing law") and "governed by" in text:
                return json.dumps({"passage": int(number), "value": "the laws of England and Wales"})
        return not_stated(messages)

    summary = summarize_document(
        library, ScriptedChatModel(reply), doc(library, "services"), template="contract"
    )
    texts = {b.text: b.pages for b in summary.bullets}
    assert texts["Governing law: the laws of England and Wales"] == [19]
    assert texts["Liability: " + NOT_STATED] == []
    assert any(a.startswith("Liability") for a in asked)  # searched before saying "not stated"


def test_second_summary_comes_from_the_cache(library: Library) -> None:
    services = doc(library, "services")
    model = ScriptedChatModel(copy_facts)
    first = summarize_document(library, model, services)
    calls = len(model.calls)
    again = summarize_document(library, model, services)
    assert again.cached and not first.cached
    assert again.bullets == first.bullets and len(model.calls) == calls
    other = summarize_document(library, ScriptedChatModel(copy_facts, name="other"), services)
    assert not other.cached  # another model, another summary


def test_progress_and_cancel_between_windows(library: Library) -> None:
    cancel = CancelToken()
    seen: list[tuple[int, int]] = []

    def listen(progress: Progress) -> None:
        seen.append((progress.done, progress.total))
        if progress.done >= 5:
            cancel.cancel()

    model = ScriptedChatModel(copy_facts)
    services = doc(library, "services")
    with pytest.raises(Cancelled):
        summarize_document(library, model, services, progress=Progress(listeners=[listen]), cancel=cancel)
    assert len(model.calls) == 1 and seen[-1] == (5, 20)
    seen.clear()
    summary = summarize_document(library, model, services, progress=Progress(listeners=[listen]))
    assert not summary.cached  # nothing was cached by the cancelled run
    assert seen[-1] == (20, 20) and [d for d, _ in seen] == sorted(d for d, _ in seen)


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


def test_unknown_template_is_refused(library: Library) -> None:
    with pytest.raises(SummaryError, match="unknown template 'poem'"):
        summarize_document(library, ScriptedChatModel([]), doc(library, "services"), template="poem")
