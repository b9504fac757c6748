"""Two documents side by side: their provisions in a cited table, and a clause redline for two versions.

The provisions are the extraction's fields (parties, term, payment... or the user's
schema), filled for each document by ``extract_facts``, so every cell was checked against
the page it cites, and a row is marked as differing when the two values say different
things once case, punctuation and number words are set aside.

When the two documents share much of their text (two versions of one agreement or
licence), a redline follows: clauses added, removed or changed, each with its page, and a
word diff of each change. The clauses are the documents' sentences, running headers set
aside (``assistant.documents.outline``); the diff is Python's ``difflib``, first over the
sequences of clauses and then over the words of each changed pair. A specialised library
(diff-match-patch and its kin) diffs characters and cleans up the result for editors; on
clauses of a few dozen words, a word-level ``SequenceMatcher`` already gives the readable
unit a lawyer checks, with no dependency to ship.

Comparing a document with itself, a document without text, or a contract with a medical
record is refused with a message that names the documents and the reason.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.documents.extract import Cell, ExtractionSchema, extract_facts, load_schema
from assistant.documents.outline import outline
from assistant.documents.prompts import TEMPLATES
from assistant.documents.tables import ResultTable, comparison_table
from assistant.errors import QuireError
from assistant.index.library import Library
from assistant.index.registry import DocumentRecord, Status
from assistant.jobs import CancelToken, Progress
from assistant.llm.chat import ChatModel
from assistant.text import normalise_numbers

MIN_CLAUSE_WORDS = 3
VERSION_SHARE = 0.3  # of one document's clauses found word for word in the other: two versions
PAIR_SIMILARITY = (
    0.5  # two clauses this alike (by words) are one clause changed, not one removed and one added
)
KIND_MIN_HITS = 8  # keyword hits before a document is taken to be a contract or a medical record
KIND_MARGIN = 3.0  # ... and this many times more than the other kind's
_WORDS = re.compile(r"\w+")
_KINDS = {"contract": "a contract", "medical": "a medical record"}


class CompareError(QuireError, ValueError):
    """Two documents that cannot be compared; the message names them and says why."""


class ChangeKind(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Provision:
    """One row of the table: a field, each document's cited value, and whether they differ."""

    name: str
    description: str
    a: Cell
    b: Cell

    @property
    def differs(self) -> bool:
        if not self.a.found and not self.b.found:
            return False
        return _key(self.a.value) != _key(self.b.value)

    def to_json(self) -> dict[str, object]:
        return {
            "field": self.name,
            "description": self.description,
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "differs": self.differs,
        }


@dataclass(frozen=True)
class Change:
    """A clause added (in B only), removed (in A only) or changed, with its pages and word diff."""

    kind: ChangeKind
    a: str = ""
    b: str = ""
    page_a: int | None = None
    page_b: int | None = None
    words: tuple[tuple[str, str], ...] = ()  # ("=", "kept words"), ("-", "removed"), ("+", "added")

    def marked(self) -> str:
        """The change as one line: [-removed words-] and {+added words+} within the kept ones."""
        if self.kind is ChangeKind.ADDED:
            return f"{{+{self.b}+}}"
        if self.kind is ChangeKind.REMOVED:
            return f"[-{self.a}-]"
        marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
        return " ".join(marks[op].format(text) for op, text in self.words)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "a": self.a,
            "b": self.b,
            "page_a": self.page_a,
            "page_b": self.page_b,
            "words": [[op, text] for op, text in self.words],
            "marked": self.marked(),
        }


@dataclass
class Comparison:
    """``to_json`` is the `quire compare --json` contract; ``table`` feeds the CSV, Markdown and the app."""

    a: DocumentRecord
    b: DocumentRecord
    schema: str
    provisions: list[Provision] = field(default_factory=list)
    shared_share: float = 0.0  # of the shorter document's clauses found word for word in the other
    redline: list[Change] | None = None  # None when the two are not versions of one document

    def to_json(self) -> dict[str, object]:
        return {
            "a": {"document": self.a.title, "path": self.a.path},
            "b": {"document": self.b.title, "path": self.b.path},
            "schema": self.schema,
            "provisions": [p.to_json() for p in self.provisions],
            "differing": [p.name for p in self.provisions if p.differs],
            "shared_clauses": round(self.shared_share, 3),
            "redline": None if self.redline is None else [c.to_json() for c in self.redline],
        }

    def table(self) -> ResultTable:
        """Provisions first, each cell cited; then the redline's changes, each with its pages."""
        return comparison_table(self.to_json())


def compare_documents(
    library: Library,
    model: ChatModel,
    a: DocumentRecord,
    b: DocumentRecord,
    schema: ExtractionSchema | str = "contract",
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Comparison:
    """The provisions table of ``a`` against ``b`` and, for two versions of one document, a redline.

    Raises ``CompareError`` for a document compared with itself, one without text or not
    indexed, or two documents of different kinds; ``SchemaError`` for an unusable schema;
    ``Cancelled`` when ``cancel`` fires.
    """
    spec = schema if isinstance(schema, ExtractionSchema) else load_schema(schema)
    if a.id == b.id or (a.content_hash and a.content_hash == b.content_hash):
        raise CompareError(
            f"{a.title} and {b.title} are the same document (the same text): choose two documents"
        )
    clauses = {doc.id: _clauses(library, doc) for doc in (a, b)}
    kinds = {doc.id: _kind(clauses[doc.id]) for doc in (a, b)}
    if kinds[a.id] and kinds[b.id] and kinds[a.id] != kinds[b.id]:
        raise CompareError(
            f"{a.title} reads as {_KINDS[kinds[a.id]]} and {b.title} as {_KINDS[kinds[b.id]]}: "
            "compare two documents of one kind"
        )
    extraction = extract_facts(library, model, [a, b], spec, progress=progress, cancel=cancel)
    row_a, row_b = extraction.rows
    result = Comparison(a, b, spec.name)
    result.provisions = [
        Provision(f.name, f.description, row_a.cells.get(f.name, Cell()), row_b.cells.get(f.name, Cell()))
        for f in spec.fields
    ]
    result.shared_share = _shared_share(clauses[a.id], clauses[b.id])
    if result.shared_share >= VERSION_SHARE:
        result.redline = redline(clauses[a.id], clauses[b.id])
    return result


def _clauses(library: Library, doc: DocumentRecord) -> list[tuple[str, int]]:
    if doc.status != Status.INDEXED:
        raise CompareError(f"{doc.title} is not indexed (status: {doc.status}); index it first: {doc.path}")
    pages = library.registry.pages(doc.id)
    if not any(p.text.strip() for p in pages):
        raise CompareError(
            f"{doc.title} has no text yet (an empty document, or scanned pages not yet read by OCR): {doc.path}"
        )
    shape = outline(pages, accept=lambda text: len(text.split()) >= MIN_CLAUSE_WORDS)
    return [(s.text, s.page) for s in shape.statements]


def _kind(clauses: Sequence[tuple[str, int]]) -> str:
    """ "contract" or "medical" when the document's words say so clearly, else ""."""
    words = [w.lower() for text, _ in clauses for w in _WORDS.findall(text)]
    hits = {
        kind: sum(1 for w in words if w in {k for f in TEMPLATES[kind] for k in f.keywords})
        for kind in _KINDS
    }
    best = max(hits, key=lambda k: hits[k])
    other = min(hits.values())
    return best if hits[best] >= KIND_MIN_HITS and hits[best] >= KIND_MARGIN * max(other, 1) else ""


def _key(text: str) -> str:
    return " ".join(_WORDS.findall(normalise_numbers(text).lower()))


def _shared_share(a: Sequence[tuple[str, int]], b: Sequence[tuple[str, int]]) -> float:
    keys_a, keys_b = {_key(t) for t, _ in a}, {_key(t) for t, _ in b}
    shorter = min(len(keys_a), len(keys_b))
    return len(keys_a & keys_b) / shorter if shorter else 0.0


def redline(a: Sequence[tuple[str, int]], b: Sequence[tuple[str, int]]) -> list[Change]:
    """The clauses of ``b`` against ``a``: added, removed, and changed (with a word diff), in order."""
    matcher = difflib.SequenceMatcher(None, [_key(t) for t, _ in a], [_key(t) for t, _ in b], autojunk=False)
    changes: list[Change] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        changes.extend(_pair(list(a[a0:a1]), list(b[b0:b1])))
    return changes


def _pair(old: list[tuple[str, int]], new: list[tuple[str, int]]) -> list[Change]:
    """Within one differing stretch, each removed clause paired with the added one most like it."""
    changes: list[Change] = []
    remaining = list(new)
    for text, page in old:
        scores = [_similarity(text, other) for other, _ in remaining]
        best = max(range(len(remaining)), key=lambda i: scores[i], default=None)
        if best is None or scores[best] < PAIR_SIMILARITY:
            changes.append(Change(ChangeKind.REMOVED, a=text, page_a=page))
            continue
        other, other_page = remaining.pop(best)
        changes.append(Change(ChangeKind.CHANGED, text, other, page, other_page, word_diff(text, other)))
    changes.extend(Change(ChangeKind.ADDED, b=text, page_b=page) for text, page in remaining)
    return changes


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def word_diff(a: str, b: str) -> tuple[tuple[str, str], ...]:
    """``a`` turned into ``b`` as runs of kept ("="), removed ("-") and added ("+") words."""
    old, new = a.split(), b.split()
    out: list[tuple[str, str]] = []
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", " ".join(old[a0:a1])))
            continue
        if a1 > a0:
            out.append(("-", " ".join(old[a0:a1])))
        if b1 > b0:
            out.append(("+", " ".join(new[b0:b1])))
    return tuple(out)


def write_outputs(comparison: Comparison, csv: Path | None, markdown: Path | None) -> None:
    """The CSV and Markdown exports the command line and the chat offer."""
    table = comparison.table()
    if csv is not None:
        table.write_csv(csv)
    if markdown is not None:
        markdown.write_text(table.to_markdown(), encoding="utf-8")
