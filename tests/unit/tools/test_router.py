"""The rule router, and the model as the second judge."""

from __future__ import annotations

import json

import pytest

from assistant.testing.scripted_chat import ScriptedChatModel
from assistant.tools.loop import ToolLoop
from assistant.tools.registry import ToolRegistry
from assistant.tools.router import Router, route_by_rules


@pytest.mark.parametrize(
    ("request_text", "tool"),
    [
        ("How many days between 3 March 2025 and 1 April 2025?", "date_difference"),
        ("How many weeks are there from 2024-01-15 to 2024-06-30?", "date_difference"),
        ("How many days until 1 April 2026?", "date_difference"),
        ("Summarise the lease agreement", "summarize_document"),
        ("Give me a summary of the discharge letter", "summarize_document"),
        ("Extract the parties and dates from every contract", "extract_facts"),
        ("Read page 4 of the lease", "read_passage"),
        ("List all documents in my library", "list_documents"),
        ("How many documents do I have?", "list_documents"),
        ("Which documents mention asbestos?", "search_documents"),
        ("List every termination clause", "search_documents"),
        ("What is 1,250 * 0.04?", "calculate"),
        ("Calculate 15% of 48,000", "calculate"),
        # A list of dates goes to the dates tool, worded as a question or not.
        ("What are the key dates and deadlines in the lease?", "list_dates"),
        ("List every deadline in my documents", "list_dates"),
        ("what are the deadlines in this matter", "list_dates"),
        ("Are there any deadlines in March?", "list_dates"),
        ("Show me the due dates in the supply agreement", "list_dates"),
        ("What time limits apply to a claim?", "list_dates"),
        ("When do the leases expire?", "list_dates"),
        ("When do the contracts in this matter expire or renew?", "list_dates"),
        ("List all dates in the discharge letter", "list_dates"),
        ("Give me a timeline of the matter", "list_dates"),
        ("What is the notice period for termination?", "answer"),
        # One date is a fact: the Answerer finds it and quotes the sentence.
        ("When is the deposit returned?", "answer"),
        ("When does the lease expire?", "answer"),
        ("What is the deadline for filing the appeal?", "answer"),
        ("What is the expiry date of the lease?", "answer"),
        ("When do I have to renew the lease?", "answer"),
        ("When was the audit engagement letter signed?", "answer"),
        ("What is the timeline for completion?", "answer"),
        ("Who is the landlord?", "answer"),
        ("Within how many days must the buyer pay an invoice?", "answer"),
        # Worded as questions, these are answered from the passages with every sentence
        # checked, and never pay for a routing call, whatever words they use.
        ("How many days after the signing date is the deadline?", "answer"),
        ("Does the LGPL in my documents permit linking from a proprietary program?", "answer"),
        ("What is the total amount payable under the agreement?", "answer"),
    ],
)
def test_clear_requests_are_routed_by_rules(request_text: str, tool: str) -> None:
    assert route_by_rules(request_text) == tool


@pytest.mark.parametrize(
    "request_text", ["Documents about the deadline for appeals", "Compare the two leases"]
)
def test_ambiguous_requests_are_left_to_the_model(request_text: str) -> None:
    assert route_by_rules(request_text) is None


def test_model_decides_only_when_the_rules_cannot(tools: ToolRegistry) -> None:
    model = ScriptedChatModel([json.dumps({"tool": "search_documents"})])
    router = Router(ToolLoop(tools, model))
    plain = router.route("Who signed the lease?")
    assert (plain.tool, plain.source) == ("answer", "rules") and model.calls == []
    unsure = router.route("Compare the two leases")
    assert (unsure.tool, unsure.source) == ("search_documents", "model") and len(model.calls) == 1
    assert Router(None).route("Compare the two leases").source == "default"


def test_a_choice_outside_the_enum_means_answer(tools: ToolRegistry) -> None:
    model = ScriptedChatModel([json.dumps({"tool": "rm -rf"}), "not json"])
    loop = ToolLoop(tools, model)
    assert loop.choose("x") == "answer"
    assert loop.choose("x") == "answer"
