"""The built-in tools: search, read, list, summarise, extract, list dates, date difference, calculate.

Each is a plain typed function whose first parameter is the ``ToolContext`` (the
library, the chat model and the settings of the engine thread); the registry binds it,
so the model only ever sees the other parameters. Results are small JSON-ready values:
they are shown in the trace, summarised back to the model, and printed by the CLI.

Document arguments go through ``sandbox.resolve_document`` and text comes from the
registry, never from opening a path, so no tool reads outside the library. Nothing
here writes files or opens sockets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.config import Settings
from assistant.documents.compare import compare_documents
from assistant.documents.dates import KINDS, find_dates
from assistant.documents.extract import extract_facts
from assistant.documents.summarize import summarize_document
from assistant.errors import QuireError
from assistant.index.library import Library
from assistant.index.registry import Status
from assistant.jobs import CancelToken, Progress
from assistant.llm.chat import ChatModel
from assistant.text import shorten
from assistant.tools.arith import describe_difference, evaluate, parse_date
from assistant.tools.registry import ToolError, ToolRegistry
from assistant.tools.sandbox import resolve_document

MAX_PASSAGE_CHARS = 1500
MAX_HITS = 10
# Rows of a dates reply kept in the conversation and the audit log; the app's Dates view has them all.
MAX_DATE_ROWS = 200
_ALL_KINDS = {"", "all", "any", "every", "date", "dates", "all dates", "key dates"}


@dataclass
class ToolContext:
    """What the tools may use, owned by the engine thread (one per Assistant)."""

    library: Library
    model: ChatModel
    settings: Settings
    collection: str | None = None
    cancel: CancelToken | None = None
    progress: Progress = field(default_factory=lambda: Progress(stage="tool"))


def _json_ready(value: Any) -> Any:
    """A result object from the engine as plain JSON (``to_json`` when it has one)."""
    if hasattr(value, "to_json"):
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _collection(ctx: ToolContext, name: str | None) -> str | None:
    """The collection to use; an unknown name is an error the model can correct, not an empty result."""
    if not name:
        return ctx.collection
    known = [c for c, _count in ctx.library.registry.collections()]
    if name not in known:
        raise ToolError(f"there is no collection {name!r}; collections: {', '.join(known) or 'none'}")
    return name


def search_documents(
    ctx: ToolContext, query: str, collection: str | None = None, k: int = 5
) -> list[dict[str, Any]]:
    """Search the user's documents for passages about a subject; use it to find which documents mention something.

    Args:
        query: the words to look for, taken from the request.
        collection: only search this collection (folder group) of the library.
        k: how many passages to return, 1 to 10.
    """
    if not query.strip():
        raise ToolError("the search query is empty")
    if not 1 <= k <= MAX_HITS:
        raise ToolError(f"k must be between 1 and {MAX_HITS}")
    hits = ctx.library.search(query, k=k, collection=_collection(ctx, collection), neighbours=0)
    return [
        {"document": h.document, "page": h.page, "path": h.path, "text": shorten(h.text, 400)} for h in hits
    ]


def read_passage(ctx: ToolContext, document: str, page: int) -> dict[str, Any]:
    """Read the text of one page of a document in the library.

    Args:
        document: the document's title or file name, as `list_documents` shows it.
        page: the page number, starting at 1.
    """
    doc = resolve_document(ctx.library, document)
    pages = ctx.library.registry.pages(doc.id)
    for item in pages:
        if item.number == page:
            return {"document": doc.title, "page": page, "text": shorten(item.text, MAX_PASSAGE_CHARS)}
    last = max((p.number for p in pages), default=0)
    raise ToolError(f"{doc.title} has no page {page}; it has pages 1 to {last}")


def list_documents(ctx: ToolContext, collection: str | None = None) -> list[dict[str, Any]]:
    """List the documents in the library (title, pages, format, collections).

    Args:
        collection: only list the documents of this collection.
    """
    docs = ctx.library.documents(_collection(ctx, collection))
    return [
        {
            "title": d.title,
            "pages": d.pages,
            "format": d.format,
            "status": d.status,
            "collections": ctx.library.registry.document_collections(d.id),
        }
        for d in docs
    ]


def summarize_one_document(
    ctx: ToolContext,
    document: str,
    template: Literal["general", "contract", "medical"] = "general",
    length: Literal["paragraph", "page", "detailed"] = "page",
) -> dict[str, Any]:
    """Summarise a whole document in bullet points, each citing its pages.

    Args:
        document: the document's title or file name.
        template: "contract" for agreements, "medical" for patient records, else "general".
        length: "paragraph" for a few sentences, "detailed" for many, else "page".
    """
    doc = resolve_document(ctx.library, document)
    try:
        summary = summarize_document(
            ctx.library,
            ctx.model,
            doc,
            template=template,
            length=length,
            progress=ctx.progress,
            cancel=ctx.cancel,
        )
    except QuireError as exc:  # the engine's own refusals (SummaryError) are worded for the user
        raise ToolError(str(exc)) from exc
    return summary.to_json()


def extract_fact_table(
    ctx: ToolContext, documents: list[str], schema: Literal["contract", "medical"]
) -> dict[str, Any]:
    """Extract the same fields (parties, dates, medications...) from one or more documents as a table.

    Args:
        documents: titles or file names of the documents to read.
        schema: "contract" (parties, dates, payment, termination...) or "medical" (diagnoses, medications...).
    """
    if not documents:
        raise ToolError("name at least one document")
    if len(documents) > 50:
        raise ToolError("extract from at most 50 documents at a time")
    docs = [resolve_document(ctx.library, name) for name in documents]
    try:
        extraction = extract_facts(
            ctx.library, ctx.model, docs, schema, progress=ctx.progress, cancel=ctx.cancel
        )
    except QuireError as exc:  # SchemaError and the like
        raise ToolError(str(exc)) from exc
    return {
        "schema": schema,
        "documents": [d.title for d in docs],
        "extraction": _json_ready(extraction),
        "table": extraction.to_markdown(),
    }


def compare_two_documents(
    ctx: ToolContext,
    first: str,
    second: str,
    template: Literal["contract", "medical"] = "contract",
) -> dict[str, Any]:
    """Compare two documents side by side: their provisions, each cited, the differences marked, and a clause redline for two versions.

    Args:
        first: the first document's title or file name.
        second: the second document's title or file name.
        template: "medical" for patient records, else "contract".
    """
    a, b = resolve_document(ctx.library, first), resolve_document(ctx.library, second)
    try:
        comparison = compare_documents(
            ctx.library, ctx.model, a, b, template, progress=ctx.progress, cancel=ctx.cancel
        )
    except QuireError as exc:  # CompareError names the documents and the reason
        raise ToolError(str(exc)) from exc
    return {"comparison": comparison.to_json(), "table": comparison.table().to_markdown()}


def list_dates(ctx: ToolContext, document: str | None = None, kind: str | None = None) -> dict[str, Any]:
    """List the key dates, deadlines and time limits in the documents, each with its page and the rule a deadline comes from.

    Args:
        document: only this document's dates (its title or file name); leave it out for every document.
        kind: "deadline", "event" or "period", only when the request asks for that kind alone.
    """
    wanted = _date_kind(kind)
    if document:
        docs = [resolve_document(ctx.library, document)]
    else:
        docs = [d for d in ctx.library.documents(ctx.collection) if d.status == Status.INDEXED]
        if not docs:
            raise ToolError(
                "there are no indexed documents in this library (or collection) to read dates from"
            )
    report = find_dates(ctx.library, docs, progress=ctx.progress, cancel=ctx.cancel)
    report = report.select([wanted] if wanted else [])
    notes = list(report.notes)
    events = report.events
    if len(events) > MAX_DATE_ROWS:
        notes.append(
            f"{len(events) - MAX_DATE_ROWS} more rows (the latest dates, then the periods without a date) "
            "are not listed here; choose Key dates and deadlines in the library's menu, or run "
            "`quire dates`, to see them all"
        )
        events = events[:MAX_DATE_ROWS]
    return {
        "document": docs[0].title if document else "",
        "kind": wanted,
        "documents": list(report.documents),
        "events": [e.to_json() for e in events],
        "notes": notes,
    }


def _date_kind(kind: str | None) -> str:
    """``kind`` as one of the report's kinds ("" for every kind); a model writes "deadlines" as often."""
    text = " ".join((kind or "").lower().split())
    if text in _ALL_KINDS:
        return ""
    single = text[:-1] if text.endswith("s") else text
    if single in KINDS:
        return single
    raise ToolError(f"kind must be one of {', '.join(KINDS)}, or left out for every date; got {kind!r}")


def date_difference(
    ctx: ToolContext, start: str, end: str, unit: Literal["days", "weeks", "months", "years"] = "days"
) -> dict[str, object]:
    """Count the days, weeks, months or years between two dates exactly.

    Args:
        start: the first date, copied as written in the request.
        end: the second date, copied as written in the request.
        unit: "days", "weeks", "months" or "years".
    """
    return describe_difference(parse_date(start), parse_date(end), unit)


def calculate(ctx: ToolContext, expression: str) -> dict[str, object]:
    """Compute an arithmetic expression exactly (+ - * / // % ** parentheses, round, abs, min, max, sqrt, percentages).

    Args:
        expression: the request's numbers joined with + - * / and parentheses (numbers only, no words).
    """
    return {"expression": expression, "value": evaluate(expression)}


# The name the model calls each tool by, and the function that runs it.
BUILTIN_TOOLS: dict[str, Callable[..., Any]] = {
    "search_documents": search_documents,
    "read_passage": read_passage,
    "list_documents": list_documents,
    "summarize_document": summarize_one_document,
    "extract_facts": extract_fact_table,
    "list_dates": list_dates,
    "compare_documents": compare_two_documents,
    "date_difference": date_difference,
    "calculate": calculate,
}
# Parameter descriptions above give no example values on purpose: the model copies examples.
# Whose result is the reply itself: a 0.5B model retelling 20 cited bullets would only lose pages.
DIRECT_TOOLS = frozenset(
    {"list_documents", "summarize_document", "extract_facts", "list_dates", "compare_documents"}
)


def builtin_registry(context: ToolContext) -> ToolRegistry:
    """A registry holding every built-in tool, bound to ``context``."""
    registry = ToolRegistry(context)
    for name, function in BUILTIN_TOOLS.items():
        registry.register(function, name=name, direct=name in DIRECT_TOOLS)
    return registry
