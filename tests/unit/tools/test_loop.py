"""The tool loop with the scripted model: choice, arguments, validation, feedback, limits."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from assistant.answering.pipeline import Answerer
from assistant.index.library import Library
from assistant.jobs import Cancelled, CancelToken
from assistant.llm.grammar import GrammarError
from assistant.session.audit import AuditLog
from assistant.testing.scripted_chat import ScriptedChatModel
from assistant.tools.assist import Assistant
from assistant.tools.builtin import ToolContext, builtin_registry
from assistant.tools.loop import ToolLoop, decode_schema, restore_titles, title_labels


def tool(name: str) -> str:
    return json.dumps({"tool": name})


def args(**kwargs: Any) -> str:
    return json.dumps(kwargs)


def answer(text: str) -> str:
    return json.dumps({"answer": text})


def make_loop(
    library: Library, *replies: str, max_steps: int = 3, stop_after_success: bool = False
) -> tuple[ToolLoop, ScriptedChatModel]:
    model = ScriptedChatModel(list(replies))
    registry = builtin_registry(ToolContext(library, model, library.settings))
    titles = lambda: sorted(d.title for d in library.documents())  # noqa: E731
    loop = ToolLoop(
        registry, model, max_steps=max_steps, stop_after_success=stop_after_success, document_titles=titles
    )
    return loop, model


def test_two_step_decode_then_result_fed_back(library: Library) -> None:
    loop, model = make_loop(
        library,
        tool("date_difference"),
        args(start="3 March 2025", end="1 April 2025", unit="days"),
        tool("answer"),
        answer("There are 29 days between them."),
    )
    run = loop.run("How many days between 3 March 2025 and 1 April 2025?")
    assert run.answer == "There are 29 days between them." and run.ok
    assert [e.tool for e in run.trace] == ["date_difference"]
    entry = run.trace[0].to_json()
    assert entry["arguments"] == {"start": "3 March 2025", "end": "1 April 2025", "unit": "days"}
    assert entry["ok"] is True and isinstance(entry["ms"], float) and "29 days" in str(entry["result"])
    choice, arguments, again, final = model.calls
    assert choice.response_format is not None
    assert choice.response_format["schema"]["properties"]["tool"]["enum"][-1] == "answer"
    assert arguments.response_format is not None
    assert set(arguments.response_format["schema"]["properties"]) == {"start", "end", "unit"}
    assert arguments.response_format["schema"]["additionalProperties"] is False
    assert "29 days" in again.messages[-2]["content"]  # the result went back to the model
    assert final.response_format is not None and "answer" in final.response_format["schema"]["properties"]


def test_invalid_arguments_are_not_run_and_the_error_goes_back(library: Library) -> None:
    loop, model = make_loop(
        library,
        args(expression=42),  # wrong type: the router chose calculate
        tool("calculate"),
        args(expression="6 * 7"),
        tool("answer"),
        answer("42"),
    )
    run = loop.run("what is six times seven", first_tool="calculate")
    assert [(e.tool, e.ok) for e in run.trace] == [("calculate", False), ("calculate", True)]
    assert "must be of type string" in run.trace[0].result
    assert "error: argument 'expression'" in model.calls[1].messages[-2]["content"]
    assert run.answer == "42" and run.value == {"expression": "6 * 7", "value": 42}


def test_step_limit_ends_the_loop_with_an_answer(library: Library) -> None:
    loop, model = make_loop(
        library,
        args(expression="1 + 1"),
        tool("calculate"),
        args(expression="2 + 2"),
        answer("done"),
        max_steps=2,
    )
    run = loop.run("add things", first_tool="calculate")
    assert len(run.trace) == 2 and run.answer == "done"
    assert len(model.calls) == 4  # no third choice was asked for


def test_the_same_call_twice_stops_the_loop(library: Library) -> None:
    loop, _ = make_loop(
        library, args(expression="1 + 1"), tool("calculate"), args(expression="1 + 1"), answer("2")
    )
    run = loop.run("1+1", first_tool="calculate")
    assert len(run.trace) == 1 and run.answer == "2"


def test_direct_tools_reply_without_another_decode(library: Library) -> None:
    loop, model = make_loop(library, tool("list_documents"), args())
    run = loop.run("What documents do I have?")
    assert run.answer.startswith("2 documents:") and "- lease (3 pages, pdf)" in run.answer
    assert len(model.calls) == 2


def test_empty_or_broken_final_answer_falls_back_to_the_result(library: Library) -> None:
    loop, _ = make_loop(library, args(expression="2 * 3"), tool("answer"), '{"answer": ')
    run = loop.run("2*3", first_tool="calculate")
    assert '"value": 6' in run.answer


def test_cancel_between_steps(library: Library) -> None:
    cancel = CancelToken()
    loop, _ = make_loop(library, args(expression="2 * 3"), tool("answer"), answer("6"))
    cancel.cancel()
    with pytest.raises(Cancelled):
        loop.run("2*3", first_tool="calculate", cancel=cancel)


def test_assistant_routes_tool_requests_and_records_the_trace(library: Library) -> None:
    model = ScriptedChatModel(
        [args(start="3 March 2025", end="1 April 2025", unit="days"), answer("29 days.")]
    )
    assistant = Assistant(Answerer(library, model, library.settings))
    result = assistant.ask("How many days between 3 March 2025 and 1 April 2025?")
    assert result.answer == "29 days." and result.found
    assert assistant.last_route is not None and assistant.last_route.source == "rules"
    data = result.to_json()
    assert [step["tool"] for step in data["trace"]] == ["date_difference"]  # type: ignore[union-attr]
    audit = AuditLog(library.root / "audit.jsonl")
    audit.record(result)
    assert audit.entries()[-1]["trace"][0]["arguments"]["start"] == "3 March 2025"


def test_plain_question_skips_the_loop(library: Library) -> None:
    library.settings.answer.min_similarity = 0.05
    model = ScriptedChatModel([json.dumps({"passage": 1, "answer": "fifteen days after written notice"})])
    assistant = Assistant(Answerer(library, model, library.settings))
    result = assistant.ask("How long does the tenant have to cure a late payment?")
    assert result.trace == [] and result.to_json()["trace"] == []
    assert len(model.calls) == 1  # the answer itself, nothing else
    assert assistant.last_route is not None and assistant.last_route.source == "rules"


def test_optional_text_the_request_does_not_state_is_dropped(library: Library) -> None:
    loop, _ = make_loop(library, args(collection="Your Library"), args(query="rent", collection="default"))
    assert loop.arguments("list_documents", "List all documents in my library") == {}
    kept = loop.arguments("search_documents", "search the default collection for rent")
    assert kept == {"query": "rent", "collection": "default"}


def test_by_default_a_good_result_is_answered_at_once(library: Library) -> None:
    loop, model = make_loop(library, args(expression="6 * 7"), answer("42"), stop_after_success=True)
    run = loop.run("6*7", first_tool="calculate")
    assert run.answer == "42" and len(model.calls) == 2  # no second choice


def test_document_arguments_are_decoded_among_the_library_titles(library: Library) -> None:
    loop, model = make_loop(library, args(document="lease", page=2), answer("Rent."), stop_after_success=True)
    loop.run("read page 2 of the lease", first_tool="read_passage")
    schema = model.calls[0].response_format["schema"]  # type: ignore[index]
    assert schema["properties"]["document"]["enum"] == ["clinic-letter", "lease"]
    assert loop.registry["read_passage"].parameters["properties"]["document"]["type"] == "string"


_HOSTILE_PIECES = [
    '"',
    "\\",
    "\n",
    "\r",
    "\t",
    "\x00",
    "\x1b",
    "\x7f",
    "é",
    "—",
    "案",
    "'",
    "{",
    "}",
    " ",
    "\\u0022",
]


def _hostile_titles(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = ["Lease", "Form", "DD", "293", "notice", "Décision"]
    return [
        "".join(rng.choice(words) + rng.choice(_HOSTILE_PIECES) for _ in range(rng.randint(1, 6)))
        for _ in range(count)
    ]


@pytest.mark.parametrize("titles", [_hostile_titles(60), ['say "hi"', "C:\\docs\\a", "a\nb"]])
def test_title_labels_are_safe_in_a_grammar_and_map_back(titles: list[str]) -> None:
    labels = title_labels(titles)
    assert labels  # every hostile title keeps some words
    for label, title in labels.items():
        assert not set(label) & {'"', "\\"} and label.isprintable() and label == label.strip()
        assert title in titles
        assert restore_titles({"document": label}, labels) == {"document": title}
    schema = decode_schema(
        {"type": "object", "properties": {"documents": {"type": "array"}}, "required": ["documents"]}, labels
    )
    assert schema["properties"]["documents"]["items"]["enum"] == list(labels)
    assert restore_titles({"documents": list(labels)}, labels) == {"documents": list(labels.values())}


class NoEnumGrammar(ScriptedChatModel):
    """A model that cannot build a grammar for a list of titles, like llama.cpp refusing one."""

    def stream_chat(self, messages: Any, **kwargs: Any) -> Any:
        properties = (kwargs.get("response_format") or {}).get("schema", {}).get("properties", {})
        if "enum" in properties.get("documents", {}).get("items", {}):
            raise GrammarError("llama.cpp could not parse the grammar built from the response schema")
        return super().stream_chat(messages, **kwargs)


def test_a_schema_without_a_grammar_falls_back_to_the_plain_one(library: Library) -> None:
    model = NoEnumGrammar([args(documents=["lease"], schema="contract")])
    registry = builtin_registry(ToolContext(library, model, library.settings))
    loop = ToolLoop(registry, model, document_titles=lambda: sorted(d.title for d in library.documents()))
    assert loop.arguments("extract_facts", "extract the contract terms from the lease") == {
        "documents": ["lease"],
        "schema": "contract",
    }
    (call,) = model.calls
    assert call.response_format is not None
    assert "enum" not in json.dumps(call.response_format["schema"]["properties"]["documents"])
