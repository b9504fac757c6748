"""Schema derivation from signatures, and argument validation before any call."""

from __future__ import annotations

import inspect
import typing
from typing import Any, Literal

import pytest

from assistant.tools.builtin import BUILTIN_TOOLS, ToolContext
from assistant.tools.registry import ToolError, ToolRegistry, derive_tool


@pytest.mark.parametrize(("name", "function"), BUILTIN_TOOLS.items(), ids=list(BUILTIN_TOOLS))
def test_builtin_schema_matches_its_signature(name: str, function: Any) -> None:
    tool = derive_tool(function, ToolContext, name=name)
    params = [p for p in inspect.signature(function).parameters.values() if p.name != "ctx"]
    assert tool.name == name
    assert tool.description and tool.description in " ".join(inspect.getdoc(function).split())  # type: ignore[union-attr]
    assert list(tool.parameters["properties"]) == [p.name for p in params]
    assert tool.parameters["required"] == [p.name for p in params if p.default is inspect.Parameter.empty]
    hints = typing.get_type_hints(function)
    for p in params:
        prop = tool.parameters["properties"][p.name]
        assert prop.get("default") == (None if p.default in (inspect.Parameter.empty, None) else p.default)
        assert prop["description"]  # every builtin documents its parameters in Args:
        if typing.get_origin(hints[p.name]) is Literal:
            assert prop["enum"] == list(typing.get_args(hints[p.name]))
    assert tool.context_parameter == "ctx"


def sample(
    text: str,
    count: int,
    ratio: float,
    flag: bool,
    mode: Literal["a", "b"],
    names: list[str],
    note: str | None = None,
    k: int = 3,
) -> str:
    """Do a sample thing.

    More detail that is not part of the description.

    Args:
        text: the text,
            continued on a second line.
        count: how many.

    Returns:
        nothing useful.
    """
    return f"{text}{count}"


def test_schema_from_types_defaults_and_args_section() -> None:
    tool = derive_tool(sample)
    props = tool.parameters["properties"]
    assert tool.description == "Do a sample thing."
    assert props["text"] == {"type": "string", "description": "the text, continued on a second line."}
    assert props["count"] == {"type": "integer", "description": "how many."}
    assert props["ratio"] == {"type": "number"}
    assert props["flag"] == {"type": "boolean"}
    assert props["mode"] == {"type": "string", "enum": ["a", "b"]}
    assert props["names"] == {"type": "array", "items": {"type": "string"}}
    assert props["note"] == {"type": "string"}
    assert props["k"] == {"type": "integer", "default": 3}
    assert tool.parameters["required"] == ["text", "count", "ratio", "flag", "mode", "names"]


def test_functions_that_cannot_be_described_are_refused() -> None:
    def no_doc(x: int) -> int:
        return x

    def bad_type(x: dict[str, int]) -> int:
        """Doc."""
        return 0

    def untyped(x) -> int:  # type: ignore[no-untyped-def]
        """Doc."""
        return 0

    for function in (no_doc, bad_type, untyped):
        with pytest.raises(TypeError):
            derive_tool(function)


@pytest.fixture
def registry() -> tuple[ToolRegistry, list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    def pay(
        amount: float, days: int, currency: Literal["GBP", "EUR"] = "GBP", memo: str | None = None
    ) -> str:
        """Pay an amount."""
        calls.append({"amount": amount, "days": days, "currency": currency, "memo": memo})
        if amount < 0:
            raise ToolError("amount must be positive")
        if amount > 1e9:
            raise RuntimeError("bank exploded")
        return "paid"

    reg = ToolRegistry()
    reg.register(pay)
    return reg, calls


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"days": 3}, "needs argument 'amount'"),
        ({"amount": "ten", "days": 3}, "must be of type number"),
        ({"amount": 10, "days": 3.5}, "must be of type integer"),
        ({"amount": 10, "days": True}, "must be of type integer"),
        ({"amount": 10, "days": 3, "currency": "USD"}, "must be one of"),
        ({"amount": 10, "days": 3, "rate": 1}, "has no argument 'rate'"),
        ({"amount": None, "days": 3}, "must not be null"),
        (["amount"], "must be a JSON object"),
    ],
)
def test_bad_arguments_are_refused_before_the_call(registry: Any, arguments: Any, message: str) -> None:
    reg, calls = registry
    result = reg.call("pay", arguments)
    assert not result.ok and message in result.error
    assert calls == []


def test_good_call_and_failures_inside_the_tool(registry: Any) -> None:
    reg, calls = registry
    ok = reg.call("pay", {"amount": 10, "days": 3, "memo": None})
    assert ok.ok and ok.value == "paid" and ok.ms >= 0
    assert calls[-1] == {"amount": 10, "days": 3, "currency": "GBP", "memo": None}
    refused = reg.call("pay", {"amount": -1, "days": 3})
    assert not refused.ok and refused.error == "amount must be positive"
    crashed = reg.call("pay", {"amount": 2e9, "days": 3})
    assert not crashed.ok and "RuntimeError: bank exploded" in crashed.error
    unknown = reg.call("launch", {})
    assert not unknown.ok and "unknown tool" in unknown.error


def test_schemas_list_every_tool(tools: ToolRegistry) -> None:
    names = [s["name"] for s in tools.schemas()]
    assert names == [
        "search_documents",
        "read_passage",
        "list_documents",
        "summarize_document",
        "extract_facts",
        "list_dates",
        "compare_documents",
        "date_difference",
        "calculate",
    ]
    with pytest.raises(ValueError, match="already registered"):
        tools.register(BUILTIN_TOOLS["search_documents"])
