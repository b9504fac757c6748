"""Whole-document summaries: map over page windows, reduce to a few dozen cited bullets.

A long document does not fit a small model's context, and a summary must not be
drawn from its first pages only. So the pages are cut into windows of consecutive
pages within a prompt budget (kept small: on 2 cores the model reads ~160 prompt
tokens a second), each window yields a few facts under a JSON schema whose page enum
holds only that window's pages, and the facts are reduced without another model call:
duplicates merge (pages are united), and when there are too many, facts are taken
round by round, spread evenly over the windows, so the summary covers the whole
document. Every page a bullet cites is checked against the stored page text; a
fact no page supports is dropped rather than shown. Template fields found nowhere
say "not stated in the document" instead of being invented.

Summaries are cached by document content hash, template and model name, as JSON
files under the library directory, so asking twice costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answering.grounding import key_support, says_not_stated, supported
from assistant.documents.extract import FieldSpec, Passage, ask_field
from assistant.documents.prompts import (
    TEMPLATES,
    page_block,
    parse_objects,
    summary_messages,
    summary_schema,
)
from assistant.documents.tables import ResultTable, summary_table
from assistant.errors import QuireError
from assistant.files import atomic_write_json
from assistant.index.library import Library
from assistant.index.registry import DocumentRecord, Status
from assistant.ingest.types import Page
from assistant.jobs import CancelToken, Progress
from assistant.llm.chat import ChatModel
from assistant.text import query_terms

log = logging.getLogger(__name__)

CACHE_VERSION = "1"  # bump when prompts or the reduce step change, so old summaries are not reused
PROMPT_TOKENS = 1200  # prompt budget per window: ~7 s to read on 2 cores
MAX_WINDOW_PAGES = 5  # more, smaller windows spread the facts over the document
MAX_BULLETS = 25
PER_FIELD = 4  # bullets per template heading, the catch-all heading aside
FACTS_PER_WINDOW = 4
SEARCH_PASSAGES = 3  # passages read for a template field the map step did not cover
REPLY_TOKENS_PER_FACT = 70  # a 200-character fact plus its JSON
NOT_STATED = "not stated in the document"


class SummaryError(QuireError, ValueError):
    """The document cannot be summarised as asked; the message names it and says why."""


@dataclass(frozen=True)
class Bullet:
    text: str
    pages: list[int]

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "pages": list(self.pages)}


@dataclass
class Summary:
    """A document's summary; ``to_json`` is the `quire summarize --json` contract."""

    document: str
    template: str
    bullets: list[Bullet]
    cached: bool = False
    model: str = ""
    path: str = ""  # the document's file, for page links

    def to_json(self) -> dict[str, object]:
        return {
            "document": self.document,
            "path": self.path,
            "template": self.template,
            "summary": [b.to_json() for b in self.bullets],
            "cached": self.cached,
        }

    def table(self) -> ResultTable:
        return summary_table(self.to_json())


@dataclass(frozen=True)
class Window:
    """Consecutive pages (or parts of one long page) read in one model call."""

    parts: list[tuple[int, str]]  # (page number, text)
    last_index: int  # position of the last page in the document's page list, for progress

    @property
    def pages(self) -> list[int]:
        return sorted({number for number, _ in self.parts})


@dataclass
class Fact:
    text: str
    pages: list[int]
    window: int
    tag: str = ""  # the template field
    terms: set[str] = field(default_factory=set)


def summarize_document(
    library: Library,
    model: ChatModel,
    doc: DocumentRecord,
    *,
    template: str = "general",
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
) -> Summary:
    """Summarise ``doc`` into at most ~25 bullets, each citing the pages that support it.

    Raises ``SummaryError`` for an unknown template or a document that is not indexed or
    has no text, and ``Cancelled`` when ``cancel`` fires (nothing is cached then).
    """
    if template not in TEMPLATES:
        raise SummaryError(f"unknown template {template!r}; choose one of: {', '.join(TEMPLATES)}")
    if doc.status != Status.INDEXED:
        raise SummaryError(f"{doc.title} is not indexed (status: {doc.status}); index it first: {doc.path}")
    pages = library.registry.pages(doc.id)
    texts = {p.number: p.text for p in pages}
    if not any(t.strip() for t in texts.values()):
        raise SummaryError(
            f"{doc.title} has no text to summarise (an empty document, or scanned pages not yet read by OCR)"
        )
    cache = _cache_path(library, doc, template, model.name)
    hit = _read_cache(cache, doc.title, template)
    if hit is not None:
        if progress is not None:
            progress.update(len(pages), len(pages))
        hit.path = doc.path
        return hit
    model.warm_up()
    windows = plan_windows(model, pages, template, FACTS_PER_WINDOW)
    facts: list[Fact] = []
    if progress is not None:
        progress.update(0, len(pages), detail=doc.title)
    for number, window in enumerate(windows):
        if cancel is not None:
            cancel.raise_if_cancelled()
        facts.extend(_map_window(model, window, number, template, texts, cancel))
        if progress is not None:
            progress.update(
                window.last_index + 1, len(pages), detail=f"pages {window.pages[0]}-{window.pages[-1]}"
            )
    if TEMPLATES[template]:
        facts = _sort_into_fields(facts, template)
        facts += _search_missing_fields(library, model, doc, template, facts, texts, cancel)
    bullets = reduce_facts(facts, template, len(windows))
    summary = Summary(doc.title, template, bullets, cached=False, model=model.name, path=doc.path)
    _write_cache(cache, summary)
    if progress is not None:
        progress.update(len(pages), len(pages))
    return summary


# -- map ------------------------------------------------------------------------------------
def plan_windows(model: ChatModel, pages: list[Page], template: str, facts: int) -> list[Window]:
    """Consecutive non-empty pages per window, within the prompt budget; long pages are split."""
    reply = facts * REPLY_TOKENS_PER_FACT + 20
    base = model.count_prompt_tokens(summary_messages(template, [], facts))
    budget = min(PROMPT_TOKENS, model.n_ctx - reply) - base - 8
    if budget < 100:
        raise SummaryError(f"the model's context ({model.n_ctx} tokens) is too small to summarise with")
    windows: list[Window] = []
    current: list[tuple[int, str]] = []
    used = 0
    for index, page in enumerate(pages):
        if not page.text.strip():
            continue
        cost = model.count_tokens(page_block(page.number, page.text)) + 2
        if cost > budget:
            if current:
                windows.append(Window(current, index - 1))
                current, used = [], 0
            pieces = _split(model, page.text, budget - 20)
            windows.extend(Window([(page.number, piece)], index) for piece in pieces)
            continue
        if current and (used + cost > budget or len(current) >= MAX_WINDOW_PAGES):
            windows.append(Window(current, index - 1))
            current, used = [], 0
        current.append((page.number, page.text))
        used += cost
    if current:
        windows.append(Window(current, len(pages) - 1))
    return windows


def _split(model: ChatModel, text: str, tokens: int) -> list[str]:
    """A long page as pieces of whole sentences within ``tokens`` each (hard cuts if need be)."""
    pieces: list[str] = []
    current = ""
    for sentence in re.split(r"(?<=[.!?])\s+|\n{2,}", text.strip()):
        while model.count_tokens(sentence) > tokens:  # one huge "sentence": cut by characters
            cut = max(tokens * 3, 1)
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut])
            sentence = sentence[cut:]
        candidate = f"{current} {sentence}".strip()
        if current and model.count_tokens(candidate) > tokens:
            pieces.append(current)
            candidate = sentence
        current = candidate
    if current.strip():
        pieces.append(current)
    return pieces


def _map_window(
    model: ChatModel,
    window: Window,
    number: int,
    template: str,
    texts: dict[int, str],
    cancel: CancelToken | None,
) -> list[Fact]:
    """The window's facts, each kept only with pages whose text supports it."""
    blocks = [page_block(page, text) for page, text in window.parts]
    raw = model.chat(
        summary_messages(template, blocks, FACTS_PER_WINDOW),
        max_tokens=FACTS_PER_WINDOW * REPLY_TOKENS_PER_FACT + 20,
        temperature=0.0,
        cancel=cancel,
        response_format={"type": "json_object", "schema": summary_schema(window.pages, FACTS_PER_WINDOW)},
    )
    found: list[Fact] = []
    for item in parse_objects(raw, "facts"):
        text = " ".join(str(item.get("fact", "")).split()).strip(" -•")
        if says_not_stated(text):
            continue
        pages = verified_pages(text, item.get("page"), window.pages, texts)
        if not pages:
            log.info("Dropped a fact no page of %s supports: %r", window.pages, text)
            continue
        found.append(Fact(text, pages, number, "", set(query_terms(text))))
    return found


def _sort_into_fields(facts: list[Fact], template: str) -> list[Fact]:
    """Each fact under the field whose keywords it mentions most; the rest under the catch-all field."""
    fields = TEMPLATES[template]
    rest = next((f.key for f in fields if not f.keywords), fields[-1].key)
    for fact in facts:
        scores = [(sum(1 for word in f.keywords if word in fact.terms), f.key) for f in fields if f.keywords]
        best, key = max(scores, key=lambda s: s[0])  # the first field wins a tie
        fact.tag = key if best else rest
    return facts


def _search_missing_fields(
    library: Library,
    model: ChatModel,
    doc: DocumentRecord,
    template: str,
    facts: list[Fact],
    texts: dict[int, str],
    cancel: CancelToken | None,
) -> list[Fact]:
    """For a field no map fact covers, ask about the passages its keywords find before saying "not stated".

    The map step lists a few facts per window and can pass over, say, the one clause on
    governing law; a lexical search needs no embedder and costs one short model call.
    """
    covered = {f.tag for f in facts}
    found: list[Fact] = []
    for spec in TEMPLATES[template]:
        if spec.key in covered or not spec.keywords:
            continue
        if cancel is not None:
            cancel.raise_if_cancelled()
        ranked = library.registry.lexical_search(" ".join(spec.keywords), SEARCH_PASSAGES, documents=[doc.id])
        chunks = library.registry.chunks_by_id([chunk_id for chunk_id, _ in ranked])
        passages = [
            Passage(c.text, {n: texts[n] for n in range(c.page_start, c.page_end + 1) if n in texts})
            for c in (chunks[chunk_id] for chunk_id, _ in ranked if chunk_id in chunks)
        ]
        passages = [p for p in passages if p.pages]
        cell = ask_field(model, doc.title, FieldSpec(spec.label, spec.hint), passages, cancel)
        if cell.page is not None and supported(cell.value, texts.get(cell.page, "")):
            found.append(Fact(cell.value, [cell.page], -1, spec.key, set(query_terms(cell.value))))
    return found


def verified_pages(text: str, cited: object, window: list[int], texts: dict[int, str]) -> list[int]:
    """The cited page if its text supports ``text``, else the window page that best does, else none.

    A small model often copies the right sentence but names a neighbouring page; the page a
    reader opens must be the one that says it. Pages outside the window are never used.
    """
    if isinstance(cited, int) and cited in window and supported(text, texts.get(cited, "")):
        return [cited]
    scores = {page: key_support(text, texts.get(page, "")) for page in window}
    best = max(window, key=lambda page: scores[page], default=None)
    if best is not None and supported(text, texts.get(best, "")):
        return [best]
    return []


# -- reduce ---------------------------------------------------------------------------------
def reduce_facts(facts: list[Fact], template: str, windows: int) -> list[Bullet]:
    """Merge duplicates, keep at most ``MAX_BULLETS`` spread over the windows, add "not stated"."""
    merged = _deduplicate(facts)
    fields = TEMPLATES[template]
    if not fields:
        chosen = _spread(merged, MAX_BULLETS, windows)
        chosen.sort(key=lambda f: (f.pages[0], f.window))
        return [Bullet(f.text, f.pages) for f in chosen]
    chosen_by_field: dict[str, list[Fact]] = {}
    for spec in sorted(fields, key=lambda f: not f.keywords):  # the catch-all field takes what room is left
        mine = [f for f in merged if f.tag == spec.key]
        room = (
            PER_FIELD
            if spec.keywords
            else max(PER_FIELD, MAX_BULLETS - sum(map(len, chosen_by_field.values())))
        )
        chosen_by_field[spec.key] = sorted(_spread(mine, room, windows), key=lambda f: (f.pages[0], f.window))
    bullets: list[Bullet] = []
    for spec in fields:
        chosen = chosen_by_field[spec.key]
        if not chosen and spec.keywords:
            bullets.append(Bullet(f"{spec.label}: {NOT_STATED}", []))
        bullets.extend(Bullet(f"{spec.label}: {f.text}", f.pages) for f in chosen)
    return bullets


def _deduplicate(facts: list[Fact]) -> list[Fact]:
    """One fact per statement: near-identical ones (same key terms, mostly) merge their pages."""
    kept: list[Fact] = []
    for fact in facts:
        twin = next((k for k in kept if k.tag == fact.tag and _same(k.terms, fact.terms)), None)
        if twin is None:
            kept.append(Fact(fact.text, list(fact.pages), fact.window, fact.tag, set(fact.terms)))
            continue
        twin.pages = sorted(set(twin.pages) | set(fact.pages))
        if len(fact.text) > len(twin.text):
            twin.text, twin.terms = fact.text, fact.terms | twin.terms
    return kept


def _same(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / len(a | b) >= 0.7


def _spread(facts: list[Fact], limit: int, windows: int) -> list[Fact]:
    """Up to ``limit`` facts taken round by round from every window, evenly over the document.

    Each round takes the next fact of every window that has one; the last, partial round
    takes windows spaced evenly from first to last, so the end of a long document is not
    squeezed out by its beginning.
    """
    if len(facts) <= limit:
        return list(facts)
    queues: dict[int, list[Fact]] = {}
    for fact in facts:
        queues.setdefault(fact.window, []).append(fact)
    chosen: list[Fact] = []
    while len(chosen) < limit:
        heads = [w for w in sorted(queues) if queues[w]]
        room = limit - len(chosen)
        if len(heads) > room:
            step = len(heads) / room
            heads = [heads[int(i * step)] for i in range(room)]
        chosen.extend(queues[w].pop(0) for w in heads)
    return chosen


# -- cache ----------------------------------------------------------------------------------
def _cache_path(library: Library, doc: DocumentRecord, template: str, model: str) -> Path:
    key = hashlib.sha256(f"{CACHE_VERSION}|{doc.content_hash}|{template}|{model}".encode()).hexdigest()
    return library.settings.library_dir / "summaries" / f"{key[:40]}.json"


def _read_cache(path: Path, title: str, template: str) -> Summary | None:
    """The cached summary (under the document's current title), or None when absent or damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        bullets = [Bullet(str(b["text"]), [int(p) for p in b["pages"]]) for b in data["bullets"]]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("Ignoring a damaged cached summary %s: %s", path, exc)
        return None
    return Summary(title, template, bullets, cached=True, model=str(data.get("model", "")))


def _write_cache(path: Path, summary: Summary) -> None:
    """Written to a temporary file and renamed, so a crash never leaves half a summary."""
    data = {
        "model": summary.model,
        "template": summary.template,
        "bullets": [b.to_json() for b in summary.bullets],
    }
    try:
        atomic_write_json(path, data, indent=None)
    except OSError as exc:
        log.warning("Could not cache the summary of %s: %s", summary.document, exc)
