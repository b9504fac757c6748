"""The list_dates tool: every date and deadline as a direct table, from the chat's request."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from assistant.answering.pipeline import Answerer
from assistant.answering.types import Answer
from assistant.config import Settings
from assistant.documents.tables import answer_table
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.testing.documents import write_text_pdf
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.scripted_chat import ScriptedChatModel
from assistant.tools import builtin
from assistant.tools.assist import Assistant
from assistant.tools.builtin import ToolContext, builtin_registry
from assistant.tools.loop import render_direct
from assistant.tools.registry import ToolRegistry

LEASE = [
    "Lease Agreement\nThis Lease is made on 17 June 2024 between Alder Estates plc (the Landlord)\n"
    "and Moss Bakery (the Tenant).\nThe lease term begins on 1 July 2024 and ends on 30 June 2029.",
    "Notice\nNotice of termination must be given at least ninety (90) days before the end of the term.\n"
    "Either party may end it on sixty days written notice.",
]
MEMO = ["Memo\nThe team met to discuss the fit-out of the premises."]
OTHER = ["Engagement letter\nThis letter is signed on 3 March 2025."]
DEADLINE_SENTENCE = (
    "Notice of termination must be given at least ninety (90) days before the end of the term."
)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A matter (a lease with dates, a memo without) and a letter outside it."""
    root = tmp_path_factory.mktemp("dates-tool")
    matter, elsewhere = root / "matter", root / "elsewhere"
    matter.mkdir()
    elsewhere.mkdir()
    write_text_pdf(matter / "lease.pdf", LEASE)
    write_text_pdf(matter / "memo.pdf", MEMO)
    write_text_pdf(elsewhere / "letter.pdf", OTHER)
    settings = Settings.load(root / "home")
    settings.index.ocr = False
    with Library.open(settings, HashEmbedder()) as lib:
        Indexer(lib).run([matter], collection="matter")
        Indexer(lib).run([elsewhere])
        yield lib


@pytest.fixture
def tools(library: Library) -> ToolRegistry:
    return builtin_registry(ToolContext(library, ScriptedChatModel([]), library.settings))


def test_one_documents_dates_with_the_rule_of_each_deadline(tools: ToolRegistry) -> None:
    result = tools.call("list_dates", {"document": "lease"})
    assert result.ok and tools["list_dates"].direct
    value = result.value
    assert (value["document"], value["kind"], value["documents"], value["notes"]) == (
        "lease",
        "",
        ["lease"],
        [],
    )
    assert [(e["date"], e["kind"]) for e in value["events"]] == [
        ("2024-06-17", "event"),
        ("2024-07-01", "event"),
        ("2029-04-01", "deadline"),
        ("2029-06-30", "event"),
        (None, "period"),
    ]
    deadline = value["events"][2]
    assert deadline["page"] == 2 and deadline["span"] == DEADLINE_SENTENCE
    assert deadline["rule"] == "at least ninety (90) days before the end of the term"
    assert deadline["arithmetic"] == "2029-06-30 − 90 days" and deadline["anchor"]["date"] == "2029-06-30"
    json.dumps(value)  # stored as is in the conversation and the audit log


@pytest.mark.parametrize(
    ("kind", "kinds"),
    [
        ("deadline", {"deadline"}),
        ("Deadlines", {"deadline"}),
        ("period", {"period"}),
        ("events", {"event"}),
        ("all", {"event", "deadline", "period"}),
    ],
)
def test_kind_narrows_the_list_however_it_is_written(tools: ToolRegistry, kind: str, kinds: set[str]) -> None:
    result = tools.call("list_dates", {"document": "lease", "kind": kind})
    assert result.ok and {e["kind"] for e in result.value["events"]} == kinds


def test_an_unknown_kind_or_a_document_outside_the_library_is_refused(tools: ToolRegistry) -> None:
    poem = tools.call("list_dates", {"kind": "poem"})
    assert not poem.ok and "event, deadline, period" in poem.error
    outside = tools.call("list_dates", {"document": "../../etc/passwd"})
    assert not outside.ok and "'..'" in outside.error


def test_without_a_document_the_chats_collection_is_read(library: Library) -> None:
    context = ToolContext(library, ScriptedChatModel([]), library.settings, collection="matter")
    value = builtin_registry(context).call("list_dates", {}).value
    assert sorted(value["documents"]) == ["lease", "memo"] and value["notes"] == ["no dates found in memo"]
    context.collection = None
    value = builtin_registry(context).call("list_dates", {}).value
    assert sorted(value["documents"]) == ["lease", "letter", "memo"]
    assert "2025-03-03" in [e["date"] for e in value["events"]]


def test_a_long_list_is_cut_with_a_note(tools: ToolRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builtin, "MAX_DATE_ROWS", 2)
    value = tools.call("list_dates", {"document": "lease"}).value
    assert [e["date"] for e in value["events"]] == ["2024-06-17", "2024-07-01"]
    assert value["notes"][-1].startswith("3 more rows") and "Key dates and deadlines" in value["notes"][-1]


def test_the_reply_text_lists_each_date_and_says_when_there_is_none(tools: ToolRegistry) -> None:
    text = render_direct("list_dates", tools.call("list_dates", {"document": "lease"}).value)
    assert text.startswith("Dates found (5), in date order:")
    assert "- 2029-04-01 deadline: Notice of termination must be given (last day) (lease, p. 2)" in text
    assert "[2029-06-30 − 90 days]" in text
    none = render_direct(
        "list_dates", tools.call("list_dates", {"document": "memo", "kind": "deadline"}).value
    )
    assert none.splitlines() == [
        "No deadlines were found in the documents read.",
        "Note: no dates found in memo",
    ]


def test_a_request_for_the_deadlines_is_answered_with_the_dates_table(library: Library) -> None:
    model = ScriptedChatModel([json.dumps({"document": "lease"})])
    assistant = Assistant(Answerer(library, model, library.settings))
    result = assistant.ask("List the key dates and deadlines in the lease")
    assert assistant.last_route is not None and (assistant.last_route.tool, assistant.last_route.source) == (
        "list_dates",
        "rules",
    )
    assert result.found and [step["tool"] for step in result.trace] == ["list_dates"]
    assert result.answer.startswith("Dates found (5)")
    (call,) = model.calls  # the arguments only: no choice, no final answer
    assert call.response_format is not None
    properties = call.response_format["schema"]["properties"]
    assert properties["document"]["enum"] == ["lease", "letter", "memo"]

    table = answer_table(result)
    assert table is not None and table.title == "Dates and deadlines in lease"
    assert table.columns == ["date", "kind", "event", "document", "page", "text", "rule", "note"]
    deadline = table.rows[2]
    assert deadline[0].text == "2029-04-01" and deadline[6].text.endswith("(2029-06-30 − 90 days)")
    assert deadline[5].text == DEADLINE_SENTENCE and deadline[5].pages == (2,)  # the page link
    assert deadline[5].path.endswith("lease.pdf")
    restored = Answer.from_json(result.question, result.to_json())
    assert answer_table(restored) == table  # a stored conversation shows the same table


def test_a_title_the_request_does_not_name_is_dropped_and_every_document_read(library: Library) -> None:
    model = ScriptedChatModel([json.dumps({"document": "lease", "kind": "deadline"})])
    assistant = Assistant(Answerer(library, model, library.settings))
    result = assistant.ask("List every deadline in my documents")
    assert result.trace[0]["arguments"] == {"kind": "deadline"}
    assert result.tool_result is not None
    value = result.tool_result["value"]
    assert sorted(value["documents"]) == ["lease", "letter", "memo"]
    assert [e["kind"] for e in value["events"]] == ["deadline"]
    table = answer_table(result)
    assert table is not None and table.title == "Deadlines in 3 documents"


def test_the_table_of_a_dates_reply_only_links_in_the_chat() -> None:
    """`quire dates` exports keep their columns as they were: only the chat's table links pages."""
    from assistant.documents.tables import dates_table

    data = {
        "events": [
            {
                "date": "2025-01-02",
                "kind": "event",
                "event": "Signed",
                "document": "A",
                "path": "/a.pdf",
                "page": 3,
                "span": "Signed on 2 January 2025.",
            }
        ]
    }
    assert dates_table(data).rows[0][5].pages == ()
    assert (
        dates_table(data)
        .to_csv()
        .splitlines()[1]
        .startswith("2025-01-02,event,Signed,A,3,Signed on 2 January")
    )
    assert dates_table(data, page_links=True).rows[0][5].pages == (3,)
