"""Tools are plain typed Python functions; their name, description and schema are derived.

Writing a tool's JSON schema by hand next to its signature is how the two drift apart,
so the schema is read from the signature (and parameter descriptions from the
docstring's ``Args:`` section), and a test proves they agree for every built-in tool.
Arguments are validated against that schema *before* the function runs: a small model
that writes a string where an integer belongs gets a clear error back, and the tool
never sees the bad value.

A parameter annotated with the registry's context type (``ctx: ToolContext``) is not
part of the schema: the registry passes its context there, so tools reach the library
and the model without globals and stay ordinary functions that tests can call directly.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Union, get_args, get_origin

from assistant.errors import QuireError
from assistant.jobs import Cancelled
from assistant.llm.errors import ModelCrashedError

log = logging.getLogger(__name__)

JsonSchema = dict[str, Any]

_SIMPLE: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_ARG_LINE = re.compile(r"^\s{0,8}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


class ToolError(QuireError):
    """A tool refused or failed in a way the user (and the model) should be told as is."""


@dataclass(frozen=True)
class ToolResult:
    """What one call gave: ``value`` when ``ok``, else ``error`` (worded for a person)."""

    ok: bool
    value: Any = None
    error: str = ""
    ms: float = 0.0


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: JsonSchema
    function: Callable[..., Any]
    context_parameter: str | None = None
    direct: bool = False  # the result is shown to the user as is; the model does not rephrase it

    def schema(self) -> JsonSchema:
        """The function-calling description of this tool (name, description, parameters)."""
        return {"name": self.name, "description": self.description, "parameters": self.parameters}


def _describe(doc: str | None) -> tuple[str, dict[str, str]]:
    """The docstring's first paragraph, and ``{parameter: description}`` from ``Args:``."""
    text = inspect.cleandoc(doc or "")
    paragraphs = re.split(r"\n\s*\n", text, maxsplit=1)
    description = " ".join(paragraphs[0].split())
    args: dict[str, str] = {}
    in_args = False
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped in ("Args:", "Arguments:", "Parameters:"):
            in_args = True
            continue
        if not in_args:
            continue
        if stripped.endswith(":") and not line.startswith(" "):
            break  # the next section (Returns:, Raises:)
        if not stripped:
            continue
        match = _ARG_LINE.match(line)
        if match and line.startswith("    ") and not line.startswith("        "):
            current = match.group(1)
            args[current] = match.group(2).strip()
        elif current:
            args[current] = f"{args[current]} {stripped}".strip()
    return description, args


def type_schema(annotation: Any) -> tuple[JsonSchema, bool]:
    """The JSON schema of one annotation, and whether ``None`` is allowed.

    Only what a small model can fill in reliably: str, int, float, bool, Literal of
    strings or numbers, list[str|int|float], and any of those ``| None``.
    """
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) != 1 or len(get_args(annotation)) != 2:
            raise TypeError(f"only `X | None` unions are supported, not {annotation!r}")
        inner, _ = type_schema(members[0])
        return inner, True
    if origin is Literal:
        values = list(get_args(annotation))
        kinds = {type(v) for v in values}
        if len(kinds) != 1 or next(iter(kinds)) not in _SIMPLE:
            raise TypeError(f"Literal values must share one simple type: {annotation!r}")
        return {"type": _SIMPLE[next(iter(kinds))], "enum": values}, False
    if origin is list:
        (item,) = get_args(annotation) or (None,)
        if item not in _SIMPLE:
            raise TypeError(f"list items must be str, int, float or bool, not {item!r}")
        return {"type": "array", "items": {"type": _SIMPLE[item]}}, False
    if annotation in _SIMPLE:
        return {"type": _SIMPLE[annotation]}, False
    raise TypeError(f"unsupported parameter type {annotation!r}")


def derive_tool(
    function: Callable[..., Any],
    context_type: type | None = None,
    *,
    name: str | None = None,
    direct: bool = False,
) -> Tool:
    """A Tool from a typed, documented function (``TypeError`` when it cannot be described).

    ``name`` is what the model calls the tool (default: the function's name), so a tool's
    function never has to shadow the engine function it wraps.
    """
    name = name or function.__name__
    description, arg_docs = _describe(function.__doc__)
    if not description:
        raise TypeError(f"tool {name} needs a docstring: its first paragraph is what the model reads")
    hints = typing.get_type_hints(function)
    properties: dict[str, JsonSchema] = {}
    required: list[str] = []
    context_parameter = None
    for param in inspect.signature(function).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"tool {name}: *args and **kwargs cannot be described to a model")
        if param.name not in hints:
            raise TypeError(f"tool {name}: parameter {param.name} has no type annotation")
        hint = hints[param.name]
        if context_type is not None and hint is context_type:
            context_parameter = param.name
            continue
        schema, _nullable = type_schema(hint)
        if param.name in arg_docs:
            schema["description"] = arg_docs[param.name]
        if param.default is inspect.Parameter.empty:
            required.append(param.name)
        elif param.default is not None:
            schema["default"] = param.default
        properties[param.name] = schema
    parameters: JsonSchema = {"type": "object", "properties": properties, "required": required}
    return Tool(name, description, parameters, function, context_parameter, direct)


def _check_value(name: str, value: Any, schema: JsonSchema, nullable: bool) -> str | None:
    """Why ``value`` does not fit ``schema`` (None when it does)."""
    if value is None:
        return None if nullable else f"argument {name!r} must not be null"
    kind = schema["type"]
    if kind == "array":
        if not isinstance(value, list):
            return f"argument {name!r} must be a list, got {type(value).__name__}"
        for index, item in enumerate(value):
            problem = _check_value(f"{name}[{index}]", item, schema["items"], False)
            if problem:
                return problem
        return None
    fits = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
    }[kind]
    if not fits:
        return f"argument {name!r} must be of type {kind}, got {type(value).__name__} {value!r:.40}"
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(repr(v) for v in schema["enum"])
        return f"argument {name!r} must be one of {choices}, got {value!r:.40}"
    return None


@dataclass
class ToolRegistry:
    """The tools a model may call, bound to one context (see the module docstring)."""

    context: Any = None
    tools: dict[str, Tool] = field(default_factory=dict)

    def register(
        self, function: Callable[..., Any], *, name: str | None = None, direct: bool = False
    ) -> Tool:
        context_type = None if self.context is None else type(self.context)
        tool = derive_tool(function, context_type, name=name, direct=direct)
        if tool.name in self.tools:
            raise ValueError(f"a tool named {tool.name} is already registered")
        self.tools[tool.name] = tool
        return tool

    @property
    def names(self) -> list[str]:
        return list(self.tools)

    def __getitem__(self, name: str) -> Tool:
        return self.tools[name]

    def __contains__(self, name: object) -> bool:
        return name in self.tools

    def schemas(self) -> list[JsonSchema]:
        return [tool.schema() for tool in self.tools.values()]

    def validate(self, name: str, arguments: Any) -> str | None:
        """Why these arguments cannot be passed to tool ``name`` (None when they can)."""
        tool = self.tools.get(name)
        if tool is None:
            return f"unknown tool {name!r}; known tools: {', '.join(self.tools)}"
        if not isinstance(arguments, dict):
            return f"arguments must be a JSON object, got {type(arguments).__name__}"
        properties = tool.parameters["properties"]
        unknown = sorted(set(arguments) - set(properties))
        if unknown:
            return f"{name} has no argument {', '.join(map(repr, unknown))}; it takes {', '.join(properties) or 'none'}"
        missing = [p for p in tool.parameters["required"] if p not in arguments]
        if missing:
            return f"{name} needs argument {', '.join(map(repr, missing))}"
        for key, value in arguments.items():
            nullable = key not in tool.parameters["required"] and "default" not in properties[key]
            problem = _check_value(key, value, properties[key], nullable)
            if problem:
                return problem
        return None

    def call(self, name: str, arguments: Any) -> ToolResult:
        """Validate, then run. Never raises: failures come back as ``ok=False`` with a reason."""
        started = time.perf_counter()
        problem = self.validate(name, arguments)
        if problem is not None:
            return ToolResult(False, error=problem, ms=(time.perf_counter() - started) * 1000)
        tool = self.tools[name]
        kwargs = dict(arguments)
        if tool.context_parameter is not None:
            kwargs[tool.context_parameter] = self.context
        try:
            value = tool.function(**kwargs)
        except (Cancelled, ModelCrashedError):
            raise  # not the tool's failure: the question ends (the model restarts for the next)
        except ToolError as exc:
            return ToolResult(False, error=str(exc), ms=(time.perf_counter() - started) * 1000)
        except Exception as exc:  # a tool bug must not end the conversation; it is logged in full
            log.exception("Tool %s failed with arguments %r", name, arguments)
            error = f"{name} failed: {type(exc).__name__}: {exc}"
            return ToolResult(False, error=error, ms=(time.perf_counter() - started) * 1000)
        return ToolResult(True, value=value, ms=(time.perf_counter() - started) * 1000)
