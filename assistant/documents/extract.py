"""Extraction across many documents: one row per document, one cell per field, each with its page.

For each document and field the model sees numbered passages and answers, under a JSON
schema, with the passage number and the value copied from it. A short document is
shown whole (its pages are the passages, and successive fields reuse the same prompt
prefix, which llama.cpp keeps in its KV cache); a long one gets the passages retrieval
finds best for the field's description. A value is kept only when the text of the page
it is mapped to contains it; otherwise the cell says "not stated" rather than guess.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answering.grounding import VALUE_SUPPORT, key_support, says_not_stated, supported
from assistant.documents.prompts import (
    TYPE_HINTS,
    extract_messages,
    extract_schema,
    passage_block,
)
from assistant.documents.tables import NOT_STATED, ResultTable, extraction_table
from assistant.errors import QuireError
from assistant.index.library import Library
from assistant.index.registry import DocumentRecord, Status
from assistant.jobs import CancelToken, Progress
from assistant.llm.chat import ChatModel

log = logging.getLogger(__name__)

WHOLE_DOCUMENT_TOKENS = 1500  # a document this short is shown whole to every field
PASSAGES_PER_FIELD = 3
VALUE_TOKENS = 120
MAX_FIELDS = 30
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_ \-]{0,39}$")


class SchemaError(QuireError, ValueError):
    """An extraction schema that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    description: str
    type: str = "string"


@dataclass(frozen=True)
class ExtractionSchema:
    name: str
    fields: tuple[FieldSpec, ...]


BUILTIN_SCHEMAS: dict[str, ExtractionSchema] = {
    "contract": ExtractionSchema(
        "contract",
        (
            FieldSpec("parties", "the parties who sign the agreement", "list"),
            FieldSpec("effective_date", "the date the agreement is made or takes effect", "date"),
            FieldSpec("term", "how long the agreement lasts", "string"),
            FieldSpec("payment_terms", "the amounts to be paid and when", "string"),
            FieldSpec("termination", "how the agreement can be terminated, and the notice", "string"),
            FieldSpec("governing_law", "the law that governs the agreement", "string"),
        ),
    ),
    "medical": ExtractionSchema(
        "medical",
        (
            FieldSpec("patient", "the patient's name", "string"),
            FieldSpec("diagnoses", "the conditions diagnosed", "list"),
            FieldSpec("medications", "the medications prescribed, with doses", "list"),
            FieldSpec("allergies", "the patient's allergies", "list"),
            FieldSpec("dates", "the dates of visits, admission or discharge", "list"),
            FieldSpec("follow_up", "the planned follow-up or next appointment", "string"),
        ),
    ),
}


def load_schema(spec: str | Path) -> ExtractionSchema:
    """A built-in schema by name, or a user's JSON file of ``[{"name", "description", "type"}]``."""
    if isinstance(spec, str) and spec in BUILTIN_SCHEMAS:
        return BUILTIN_SCHEMAS[spec]
    path = Path(spec).expanduser()
    if not path.suffix and not path.exists():
        raise SchemaError(f"unknown schema {str(spec)!r}: use contract, medical or a JSON file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError(f"schema file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaError(f"schema file {path} cannot be read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise SchemaError(f"schema file {path} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    return ExtractionSchema(path.stem, _fields(path, data))


def _fields(path: Path, data: object) -> tuple[FieldSpec, ...]:
    example = '[{"name": "tenant", "description": "who rents the property", "type": "string"}]'
    if not isinstance(data, list) or not data:
        raise SchemaError(f"schema file {path} must hold a non-empty JSON list of fields, like {example}")
    if len(data) > MAX_FIELDS:
        raise SchemaError(f"schema file {path} has {len(data)} fields; the limit is {MAX_FIELDS}")
    fields: list[FieldSpec] = []
    for number, item in enumerate(data, start=1):
        where = f"schema file {path}, field {number}"
        if not isinstance(item, dict):
            raise SchemaError(f"{where}: must be an object like {example}")
        unknown = set(item) - {"name", "description", "type"}
        if unknown:
            raise SchemaError(
                f"{where}: unknown keys {', '.join(sorted(unknown))} (use name, description, type)"
            )
        name, description, kind = item.get("name"), item.get("description"), item.get("type", "string")
        if not isinstance(name, str) or not _NAME.match(name.strip()):
            raise SchemaError(f"{where}: 'name' must be a short name of letters, digits, spaces, - or _")
        if not isinstance(description, str) or not description.strip():
            raise SchemaError(f"{where} ({name}): 'description' must say what to look for")
        if kind not in TYPE_HINTS:
            raise SchemaError(
                f"{where} ({name}): 'type' must be one of {', '.join(TYPE_HINTS)}, not {kind!r}"
            )
        if any(f.name == name.strip() for f in fields):
            raise SchemaError(f"{where}: the name {name!r} is used twice")
        fields.append(FieldSpec(name.strip(), " ".join(description.split()), kind))
    return tuple(fields)


@dataclass
class Cell:
    value: str = ""
    page: int | None = None

    @property
    def found(self) -> bool:
        return bool(self.value)

    def to_json(self) -> dict[str, object]:
        return {"value": self.value, "page": self.page, "status": "found" if self.found else NOT_STATED}


@dataclass
class Row:
    document: str
    path: str
    doc_id: str
    cells: dict[str, Cell] = field(default_factory=dict)
    error: str = ""

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "document": self.document,
            "path": self.path,
            "cells": {name: cell.to_json() for name, cell in self.cells.items()},
        }
        if self.error:
            data["error"] = self.error
        return data


@dataclass
class Extraction:
    """The table: ``to_json`` for `quire extract --json`, ``to_csv`` and ``to_markdown`` to export."""

    schema: ExtractionSchema
    rows: list[Row] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.schema.fields]

    def to_json(self) -> dict[str, object]:
        return {
            "schema": self.schema.name,
            "fields": [
                {"name": f.name, "description": f.description, "type": f.type} for f in self.schema.fields
            ],
            "rows": [row.to_json() for row in self.rows],
        }

    def table(self) -> ResultTable:
        return extraction_table(self.to_json())

    def to_csv(self, path: Path) -> None:
        """One row per document, one column per field; a cell is ``value (p. N)`` or ``not stated``."""
        self.table().write_csv(path)

    def to_markdown(self) -> str:
        return self.table().to_markdown()


@dataclass(frozen=True)
class Passage:
    """Text shown to the model, with the full text of the pages it lies on (to check a value)."""

    text: str
    pages: dict[int, str]  # the pages the passage lies on, with their full text, for checking


def extract_facts(
    library: Library,
    model: ChatModel,
    docs: Sequence[DocumentRecord],
    schema: ExtractionSchema | str,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Extraction:
    """Fill ``schema``'s fields for each document; progress counts cells (documents x fields).

    A document that is not indexed or has no text gets a row with an ``error`` instead
    of stopping the others. Raises ``Cancelled`` when ``cancel`` fires.
    """
    spec = schema if isinstance(schema, ExtractionSchema) else load_schema(schema)
    result = Extraction(spec)
    total = len(docs) * len(spec.fields)
    done = 0
    if progress is not None:
        progress.update(0, total)
    model.warm_up()
    for doc in docs:
        row = Row(doc.title, doc.path, doc.id)
        result.rows.append(row)
        pages = {p.number: p.text for p in library.registry.pages(doc.id) if p.text.strip()}
        if doc.status != Status.INDEXED:
            row.error = f"not indexed (status: {doc.status})"
        elif not pages:
            row.error = "no text"
        whole = None if row.error else _whole_document(model, pages)
        for spec_field in spec.fields:
            if not row.error:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                passages = whole or _retrieved(library, doc, spec_field, pages)
                row.cells[spec_field.name] = ask_field(model, doc.title, spec_field, passages, cancel)
            done += 1
            if progress is not None:
                progress.update(done, total, detail=f"{doc.title}: {spec_field.name}")
    return result


def _whole_document(model: ChatModel, pages: dict[int, str]) -> list[Passage] | None:
    """Every page as a passage when the document fits ``WHOLE_DOCUMENT_TOKENS``; else None."""
    passages = [Passage(text, {number: text}) for number, text in sorted(pages.items())]
    cost = sum(model.count_tokens(passage_block(n, n, p.text)) for n, p in enumerate(passages, start=1))
    return passages if cost <= WHOLE_DOCUMENT_TOKENS else None


def _retrieved(
    library: Library, doc: DocumentRecord, spec: FieldSpec, pages: dict[int, str]
) -> list[Passage]:
    """The document's best passages for the field, each with the pages its chunk spans."""
    hits = library.search(
        f"{spec.name.replace('_', ' ')}: {spec.description}",
        documents=[doc.id],
        k=PASSAGES_PER_FIELD,
        neighbours=0,
    )
    chunks = library.registry.chunks_by_id([h.chunk_id for h in hits])
    passages: list[Passage] = []
    for hit in hits:
        chunk = chunks.get(hit.chunk_id)
        first, last = (chunk.page_start, chunk.page_end) if chunk else (hit.page, hit.page_end)
        spanned = {n: pages[n] for n in range(first, last + 1) if n in pages}
        passages.append(Passage(hit.text, spanned or {hit.page: hit.text}))
    return passages


def ask_field(
    model: ChatModel, title: str, spec: FieldSpec, passages: list[Passage], cancel: CancelToken | None
) -> Cell:
    """One field's value and page, or an empty cell when it is absent or no page supports it."""
    if not passages:
        return Cell()
    blocks = [passage_block(n, min(p.pages), p.text) for n, p in enumerate(passages, start=1)]
    raw = model.chat(
        extract_messages(title, blocks, spec.name.replace("_", " "), spec.description, spec.type),
        max_tokens=VALUE_TOKENS,
        temperature=0.0,
        cancel=cancel,
        response_format={"type": "json_object", "schema": extract_schema(len(passages))},
    )
    value, cited = _parse(raw)
    if says_not_stated(value):
        return Cell()
    order = list(range(len(passages)))
    if cited is not None and 1 <= cited <= len(passages):
        order.remove(cited - 1)
        order.insert(0, cited - 1)  # the cited passage first, then the others
    cell = _verify(value, [passages[i] for i in order])
    if cell is None and spec.type == "list":
        cell = _verify_items(value, [passages[i] for i in order])
    if cell is None:
        log.info("Dropped %s=%r for %s: no passage supports it", spec.name, value, title)
    return cell or Cell()


def _verify(value: str, passages: list[Passage]) -> Cell | None:
    for passage in passages:
        page = _supporting_page(value, passage)
        if page is not None:
            return Cell(value, page)
    return None


def _verify_items(value: str, passages: list[Passage]) -> Cell | None:
    """A list whose items are not all on one page: the items of the page holding most of them.

    A cell cites one page, so items found elsewhere are left out rather than shown under
    a page that does not contain them.
    """
    by_page: dict[int, list[str]] = {}
    for item in (i.strip() for i in re.split(r";|,|\band\b|\n", value)):
        cell = _verify(item, passages) if item else None
        if cell is not None and cell.page is not None:
            by_page.setdefault(cell.page, []).append(item)
    if not by_page:
        return None
    page = max(by_page, key=lambda p: len(by_page[p]))
    return Cell("; ".join(by_page[page]), page)


def _supporting_page(value: str, passage: Passage) -> int | None:
    """The page of ``passage`` that contains nearly all of ``value``'s key words and all its numbers.

    A value is a copied phrase, so the bar is higher than for a sentence: "ninety days notice"
    must not pass for a page that says "sixty days notice".
    """
    best = max(sorted(passage.pages), key=lambda number: key_support(value, passage.pages[number]))
    return best if supported(value, passage.pages[best], VALUE_SUPPORT) else None


def _parse(raw: str) -> tuple[str, int | None]:
    try:
        data = json.loads(raw)
    except ValueError:
        match = re.search(r'"value"\s*:\s*"((?:[^"\\]|\\.)*)', raw)
        number = re.search(r'"passage"\s*:\s*(\d+)', raw)
        return (match.group(1) if match else "", int(number.group(1)) if number else None)
    if not isinstance(data, dict):
        return "", None
    passage = data.get("passage")
    return " ".join(str(data.get("value", "")).split()), passage if isinstance(passage, int) else None
