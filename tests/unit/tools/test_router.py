"""The rule router, and the model as the second judge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.testing.scripted_chat import ScriptedChatModel
from assistant.tools.loop import ToolLoop
from assistant.tools.registry import ToolRegistry
from assistant.tools.router import Router, as_command, route_by_rules

CASES = json.loads(
    (Path(__file__).resolve().parents[2] / "data" / "router_cases.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("question", CASES["questions"])
def test_a_question_is_answered_whatever_words_it_uses(question: str) -> None:
    assert route_by_rules(question) == "answer"


@pytest.mark.parametrize(("request_text", "tool"), [tuple(case) for case in CASES["commands"]])
def test_an_explicit_request_reaches_its_tool(request_text: str, tool: str) -> None:
    assert route_by_rules(request_text) == tool


def test_the_case_sets_are_as_large_as_promised() -> None:
    assert len(CASES["questions"]) >= 60 and len(CASES["commands"]) >= 30


def test_no_question_costs_a_model_call(tools: ToolRegistry) -> None:
    model = ScriptedChatModel([])  # any call would fail: it has no replies
    router = Router(ToolLoop(tools, model))
    routes = [router.route(q) for q in CASES["questions"]]
    assert {(r.tool, r.source) for r in routes} == {("answer", "rules")} and model.calls == []


@pytest.mark.parametrize(
    ("request_text", "command"),
    [
        ("Could you summarise the lease?", "summarise the lease?"),
        ("Please, can you please list the deadlines", "list the deadlines"),
        ("Can you tell me who the landlord is?", None),  # polite, but asks no tool: a question
        ("What does the summary say?", None),
        ("Is there a deadline?", None),
        ("The rent is due when?", None),
        ("Summarise the lease", "Summarise the lease"),
    ],
)
def test_as_command(request_text: str, command: str | None) -> None:
    assert as_command(request_text) == command


@pytest.mark.parametrize(
    "request_text", ["Documents about the deadline for appeals", "Documents on rent reviews"]
)
def test_ambiguous_requests_are_left_to_the_model(request_text: str) -> None:
    assert route_by_rules(request_text) is None


def test_model_decides_only_when_the_rules_cannot(tools: ToolRegistry) -> None:
    model = ScriptedChatModel([json.dumps({"tool": "search_documents"})])
    router = Router(ToolLoop(tools, model))
    plain = router.route("Who signed the lease?")
    assert (plain.tool, plain.source) == ("answer", "rules") and model.calls == []
    unsure = router.route("Documents on rent reviews")
    assert (unsure.tool, unsure.source) == ("search_documents", "model") and len(model.calls) == 1
    assert Router(None).route("Documents on rent reviews").source == "default"


def test_a_choice_outside_the_enum_means_answer(tools: ToolRegistry) -> None:
    model = ScriptedChatModel([json.dumps({"tool": "rm -rf"}), "not json"])
    loop = ToolLoop(tools, model)
    assert loop.choose("x") == "answer"
    assert loop.choose("x") == "answer"
