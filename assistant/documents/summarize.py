"""Whole-document summaries in minutes: the document's own sentences chosen, then written as a memo.

The earlier design had the model read every page (map) and reduce the facts: about a minute
a page with the default model on 2 cores, so a 100-page agreement took well over an hour.
Here the model reads only what it must write:

1. ``assistant.documents.outline`` cuts the stored page text into sections and complete
   sentences and scores them, with no model, in seconds.
2. The sentences are chosen: for a template, the best few under each heading whose keywords
   they hold (helped by the library's own search for the heading); for a general summary,
   the best of each part of the document, so the end of a long document is drawn on as much
   as its start.
3. The model rewrites only the long ones, one short call each (a prompt of ~150 tokens and
   a reply of ~25 words). Each rewrite must be a complete sentence, shorter than its source,
   keep every number and negation, and pass the answers' sentence check on its page; one
   that fails is replaced by the document's own sentence. So every line a reader sees is a
   complete sentence that its cited page supports.

The writing step stops at a time budget (the rest are shown verbatim), reports progress
with an ETA, can be cancelled, and keeps each rewritten sentence in a partial cache file,
so a stopped summary resumes where it stopped. Finished summaries are cached by document
content hash, template, length and model name.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answering.grounding import key_support, numbers_present, supported
from assistant.documents.outline import Outline, Statement, is_complete_sentence, outline
from assistant.documents.prompts import TEMPLATES, TemplateField, memo_messages
from assistant.documents.tables import ResultTable, summary_table
from assistant.errors import QuireError
from assistant.files import atomic_write_json
from assistant.index.library import Library
from assistant.index.registry import DocumentRecord, Status
from assistant.index.retrieve import SearchMode
from assistant.jobs import CancelToken, Progress
from assistant.llm.chat import ChatModel

log = logging.getLogger(__name__)

CACHE_VERSION = "2"  # bump when the choice or the writing changes, so old summaries are not reused
LENGTHS = {"paragraph": 5, "page": 12, "detailed": 25}  # sentences per summary length
PER_HEADING = {"paragraph": 1, "page": 2, "detailed": 4}  # sentences per template heading
DEFAULT_LENGTH = "page"
MAX_BULLETS = LENGTHS["detailed"] + 10  # a template's "not stated" lines come on top
REWRITE_WORDS = 28  # a shorter sentence is shown as written: rewriting it would gain little
WRITE_BUDGET_S = 150.0  # past this, the sentences not yet rewritten are shown as written
SEARCH_HITS = 3  # passages the library's search finds for a heading
REWRITE_SUPPORT = 0.85  # of a rewrite's key terms found in its source: it may rephrase, not add
MIN_KEPT_SHARE = 1 / 3  # of the source's key terms a rewrite keeps
MIN_KEYWORDS = 2  # distinct keywords of a heading a sentence must hold to be placed under it
COMMON_SHARE = 0.4  # of the sentences: a keyword in more is the document's subject (``_common_words``)
MIN_SENTENCES_FOR_COMMON = 8  # a shorter document keeps every keyword
DUPLICATE_JACCARD = 0.6  # two sentences sharing this share of their word stems say the same thing
NOT_STATED = "not stated in the document"
_WORD = re.compile(r"[a-z]+")
_KEPT_WORDS = frozenset(["not", "no", "never", "nor", "neither", "unless", "except", "only", "without"])


class SummaryError(QuireError, ValueError):
    """The document cannot be summarised as asked; the message names it and says why."""


@dataclass(frozen=True)
class Bullet:
    """One sentence of a summary, as shown ("Heading: sentence" under a template), its pages and source.

    ``quote`` is the document's own sentence the bullet was written from (empty for a "not
    stated" line); ``rewritten`` says whether the model shortened it.
    """

    text: str
    pages: list[int]
    heading: str = ""
    quote: str = ""
    rewritten: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "pages": list(self.pages),
            "heading": self.heading,
            "quote": self.quote,
            "rewritten": self.rewritten,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Bullet:
        pages = data["pages"]
        if not isinstance(pages, list):
            raise TypeError(f"pages is not a list: {pages!r}")
        return cls(
            str(data["text"]),
            [int(p) for p in pages],
            str(data.get("heading", "")),
            str(data.get("quote", "")),
            bool(data.get("rewritten", False)),
        )


@dataclass(frozen=True)
class Coverage:
    """How much of the document the summary draws on: a figure a reader can weigh, not a hope."""

    sections_total: int = 0  # sections (or runs of pages) holding at least one complete sentence
    sections_drawn_on: int = 0
    pages_total: int = 0
    pages_cited: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "sections_total": self.sections_total,
            "sections_drawn_on": self.sections_drawn_on,
            "pages_total": self.pages_total,
            "pages_cited": self.pages_cited,
        }

    @classmethod
    def from_json(cls, data: object) -> Coverage:
        if not isinstance(data, dict):
            return cls()
        return cls(**{k: int(data.get(k, 0)) for k in cls().to_json()})

    def describe(self) -> str:
        return (
            f"drawn from {self.sections_drawn_on} of {self.sections_total} section(s); "
            f"cites {self.pages_cited} of {self.pages_total} page(s)"
        )


@dataclass
class Summary:
    """A document's summary; ``to_json`` is the `quire summarize --json` contract."""

    document: str
    template: str
    bullets: list[Bullet]
    cached: bool = False
    model: str = ""
    path: str = ""  # the document's file, for page links
    length: str = DEFAULT_LENGTH
    coverage: Coverage = field(default_factory=Coverage)

    def to_json(self) -> dict[str, object]:
        return {
            "document": self.document,
            "path": self.path,
            "template": self.template,
            "summary": [b.to_json() for b in self.bullets],
            "cached": self.cached,
            "length": self.length,
            "coverage": self.coverage.to_json(),
        }

    def table(self) -> ResultTable:
        return summary_table(self.to_json())


@dataclass(frozen=True)
class Pick:
    """A sentence chosen for the summary, under its heading."""

    heading: str
    statement: Statement


def summarize_document(
    library: Library,
    model: ChatModel,
    doc: DocumentRecord,
    *,
    template: str = "general",
    length: str = DEFAULT_LENGTH,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    write_budget_s: float = WRITE_BUDGET_S,
    clock: Callable[[], float] = time.monotonic,
) -> Summary:
    """Summarise ``doc`` in about ``LENGTHS[length]`` sentences, each citing the page that says it.

    Raises ``SummaryError`` for an unknown template or length, or a document that is not
    indexed or has no sentence to summarise, and ``Cancelled`` when ``cancel`` fires (the
    sentences rewritten so far are kept for the next run).
    """
    if template not in TEMPLATES:
        raise SummaryError(f"unknown template {template!r}; choose one of: {', '.join(TEMPLATES)}")
    if length not in LENGTHS:
        raise SummaryError(f"unknown length {length!r}; choose one of: {', '.join(LENGTHS)}")
    if doc.status != Status.INDEXED:
        raise SummaryError(f"{doc.title} is not indexed (status: {doc.status}); index it first: {doc.path}")
    pages = library.registry.pages(doc.id)
    if not any(p.text.strip() for p in pages):
        raise SummaryError(
            f"{doc.title} has no text to summarise (an empty document, or scanned pages not yet read by OCR)"
        )
    cache = _cache_path(library, doc, template, model.name, length)
    hit = _read_cache(cache, doc.title, template, length)
    if hit is not None:
        if progress is not None:
            progress.update(1, 1)
        hit.path = doc.path
        return hit
    shape = outline(pages)
    if not shape.statements:
        raise SummaryError(
            f"{doc.title} has no complete sentences to summarise (a form, a table or a list?); "
            "use `quire extract` or ask questions about it instead"
        )
    fields = TEMPLATES[template]
    picks = (
        _pick_fields(library, doc, shape, fields, length) if fields else _pick_parts(shape, LENGTHS[length])
    )
    texts = {p.number: p.text for p in pages}
    written = _write(
        model, doc.title, picks, texts, _partial_path(cache), progress, cancel, write_budget_s, clock
    )
    bullets = _bullets(picks, fields, written)
    summary = Summary(
        doc.title,
        template,
        bullets,
        model=model.name,
        path=doc.path,
        length=length,
        coverage=_coverage(shape, picks),
    )
    _write_cache(cache, summary)
    _partial_path(cache).unlink(missing_ok=True)
    return summary


# -- choosing -------------------------------------------------------------------------------
def _pick_parts(shape: Outline, budget: int) -> list[Pick]:
    """The best sentence of each of ``budget`` runs of sections, then more from the largest runs.

    Runs hold about as many sentences each, so a summary of a 100-page document draws on its
    last pages as much as its first.
    """
    sections = [i for i in range(len(shape.sections)) if shape.in_section(i)]
    groups = _balanced_runs(sections, [len(shape.in_section(i)) for i in sections], budget)
    pools = [
        sorted((s for i in group for s in shape.in_section(i)), key=lambda s: -s.score) for group in groups
    ]
    chosen: list[Statement] = []
    while len(chosen) < budget and any(pools):
        for pool in sorted(pools, key=len, reverse=True) if chosen else pools:
            while pool:
                candidate = pool.pop(0)
                if not _repeats(candidate, chosen):
                    chosen.append(candidate)
                    break
            if len(chosen) >= budget:
                break
    chosen.sort(key=lambda s: s.order)
    return [Pick(shape.sections[s.section].title, s) for s in chosen]


def _balanced_runs(items: list[int], sizes: list[int], count: int) -> list[list[int]]:
    """``items`` cut into at most ``count`` consecutive runs of about equal total size."""
    if not items:
        return []
    count = max(1, min(count, len(items)))
    target = sum(sizes) / count
    runs: list[list[int]] = [[]]
    total = 0.0
    for item, size in zip(items, sizes, strict=True):
        if runs[-1] and total >= target * len(runs) and len(runs) < count:
            runs.append([])
        runs[-1].append(item)
        total += size
    return runs


def _pick_fields(
    library: Library, doc: DocumentRecord, shape: Outline, fields: Sequence[TemplateField], length: str
) -> list[Pick]:
    """Per heading, the best sentences that hold two of its keywords and no other heading's more.

    Two, because one word says little about what a sentence is about: "terms" in "under the
    terms of the License" is not a contract's term, nor "party" in "each party shall act in
    good faith" its parties. Keywords are matched as whole words, with their variants listed
    in the template, for the same reason. A heading with no such sentence says "not stated",
    which for a licence without a governing-law clause is the truth.
    """
    sentence_words = [set(_WORD.findall(s.text.lower())) for s in shape.statements]
    common = _common_words(sentence_words)
    keyed = [(spec, set(spec.keywords) - common) for spec in fields if spec.keywords]
    top = max((s.score for s in shape.statements), default=1.0) or 1.0
    found = {spec.key: _searched(library, doc, spec) for spec, _ in keyed}
    ranked: dict[str, list[tuple[float, Statement]]] = {spec.key: [] for spec in fields}
    for statement, words in zip(shape.statements, sentence_words, strict=True):
        matches = [(len(words & keywords), spec.key) for spec, keywords in keyed]
        best, key = max(matches, key=lambda m: m[0], default=(0, ""))
        if best >= MIN_KEYWORDS:
            searched = any(statement.text in hit for hit in found[key])
            ranked[key].append((best + searched + 0.5 * statement.score / top, statement))
    chosen: list[Statement] = []
    picks: list[Pick] = []
    for spec in fields:
        if spec.keywords:
            mine = [s for _, s in sorted(ranked[spec.key], key=lambda r: -r[0])]
            picks += _take(mine, PER_HEADING[length], chosen, spec.label)
    rest = next((spec for spec in fields if not spec.keywords), None)
    if rest is not None:
        room = max(PER_HEADING[length], LENGTHS[length] - len(chosen))
        leftovers = sorted(shape.statements, key=lambda s: -s.score)
        picks += _take(leftovers, room, chosen, rest.label)
    return picks


def _common_words(sentence_words: Sequence[set[str]]) -> set[str]:
    """Words in more than ``COMMON_SHARE`` of the document's sentences: its subject, not a heading's.

    In a lease "landlord" and "tenant" are in most sentences, so they say nothing about
    which sentence names the parties: "The Tenant has fifteen days after notice from the
    Landlord to cure" is about a cure period. A keyword that common is set aside for that
    document, whatever the document; a short one (under ``MIN_SENTENCES_FOR_COMMON``) keeps all.
    """
    if len(sentence_words) < MIN_SENTENCES_FOR_COMMON:
        return set()
    counts = Counter(word for words in sentence_words for word in words)
    return {word for word, n in counts.items() if n > COMMON_SHARE * len(sentence_words)}


def _take(candidates: list[Statement], limit: int, chosen: list[Statement], heading: str) -> list[Pick]:
    """Up to ``limit`` of ``candidates``, best first, skipping any that repeat one already chosen."""
    taken: list[Statement] = []
    for statement in candidates:
        if len(taken) >= limit:
            break
        if statement in chosen or _repeats(statement, chosen):
            continue
        taken.append(statement)
        chosen.append(statement)
    return [Pick(heading, s) for s in sorted(taken, key=lambda s: s.order)]


def _searched(library: Library, doc: DocumentRecord, spec: TemplateField) -> list[str]:
    """The text of the passages the library's own search finds for a heading, whitespace collapsed."""
    mode = SearchMode.FUSED if library.has_embedder else SearchMode.LEXICAL
    query = f"{spec.hint} {' '.join(spec.keywords)}"
    try:
        hits = library.search(query, k=SEARCH_HITS, documents=[doc.id], mode=mode, neighbours=0)
    except QuireError as exc:  # the keyword match still places sentences; the search only helps rank them
        log.warning("Search for the %s heading of %s failed: %s", spec.label, doc.title, exc)
        return []
    return [" ".join(hit.text.split()) for hit in hits]


def _repeats(statement: Statement, chosen: Sequence[Statement]) -> bool:
    for other in chosen:
        union = statement.terms | other.terms
        if union and len(statement.terms & other.terms) / len(union) >= DUPLICATE_JACCARD:
            return True
    return False


# -- writing --------------------------------------------------------------------------------
def _write(
    model: ChatModel,
    title: str,
    picks: list[Pick],
    texts: dict[int, str],
    partial: Path,
    progress: Progress | None,
    cancel: CancelToken | None,
    budget_s: float,
    clock: Callable[[], float],
) -> dict[str, str]:
    """Shorter versions of the long chosen sentences, by source sentence; a rejected one is left out."""
    long = [p.statement for p in picks if len(p.statement.body.split()) > REWRITE_WORDS]
    written = _read_partial(partial)
    todo = [s for s in dict.fromkeys(long) if s.text not in written]
    if progress is not None:
        progress.update(len(long) - len(todo), len(long), detail=title)
    if todo:
        model.warm_up()
    started = clock()
    for done, statement in enumerate(todo):
        if cancel is not None:
            cancel.raise_if_cancelled()
        if clock() - started > budget_s:
            log.info(
                "Summary of %s: time budget spent; %d sentence(s) shown as written", title, len(todo) - done
            )
            break
        reply = model.chat(
            memo_messages(statement.body),
            max_tokens=model.count_tokens(statement.body),
            temperature=0.0,
            cancel=cancel,
        )
        rewrite = " ".join(reply.strip().split("\n\n")[0].split()).strip("\"'“”")
        accepted = rewrite if accept_rewrite(statement.body, rewrite, texts.get(statement.page, "")) else ""
        if rewrite and not accepted:
            log.info(
                "Kept the document's own sentence on p. %d; the rewrite failed the check: %r",
                statement.page,
                rewrite,
            )
        written[statement.text] = accepted
        _write_partial(partial, written)
        if progress is not None:
            progress.update(len(long) - len(todo) + done + 1, len(long), detail=f"p. {statement.page}")
    return {source: text for source, text in written.items() if text}


def accept_rewrite(source: str, rewrite: str, page_text: str) -> bool:
    """A rewrite stands in for its source only if nothing a reader acts on was lost or added.

    It must be a complete sentence, shorter than the source, keep each of the source's numbers,
    its negations and limits ("not", "unless", "only") and a third of its key terms (so
    "This policy applies to every employee." cannot stand for a sentence on who handles
    what data where), and pass the answers' sentence check on the cited page.
    """
    if not is_complete_sentence(rewrite) or len(rewrite.split()) >= len(source.split()):
        return False
    if not numbers_present(source, rewrite):
        return False
    kept = {w.lower().strip(".,;:()") for w in rewrite.split()}
    if any(w in _KEPT_WORDS and w not in kept for w in (w.lower().strip(".,;:()") for w in source.split())):
        return False
    if key_support(source, rewrite) < MIN_KEPT_SHARE:
        return False
    return supported(rewrite, source, REWRITE_SUPPORT) and supported(rewrite, page_text)


def _bullets(picks: list[Pick], fields: Sequence[TemplateField], written: dict[str, str]) -> list[Bullet]:
    by_heading: dict[str, list[Pick]] = {}
    for pick in picks:
        by_heading.setdefault(pick.heading, []).append(pick)
    order = [spec.label for spec in fields] or list(dict.fromkeys(p.heading for p in picks))
    bullets: list[Bullet] = []
    for heading in order:
        mine = by_heading.get(heading, [])
        if fields and not mine and any(spec.label == heading and spec.keywords for spec in fields):
            bullets.append(Bullet(f"{heading}: {NOT_STATED}", [], heading))
        for pick in mine:
            source = pick.statement
            text = written.get(source.text, "")
            body = text or source.body
            shown = f"{heading}: {body}" if fields else body
            bullets.append(Bullet(shown, [source.page], heading, source.text, bool(text)))
    return bullets


def _coverage(shape: Outline, picks: list[Pick]) -> Coverage:
    with_text = {s.section for s in shape.statements}
    return Coverage(
        sections_total=len(with_text),
        sections_drawn_on=len({p.statement.section for p in picks}),
        pages_total=shape.pages_total,
        pages_cited=len({p.statement.page for p in picks}),
    )


# -- cache ----------------------------------------------------------------------------------
def _cache_path(library: Library, doc: DocumentRecord, template: str, model: str, length: str) -> Path:
    key = hashlib.sha256(
        f"{CACHE_VERSION}|{doc.content_hash}|{template}|{model}|{length}".encode()
    ).hexdigest()
    return library.settings.library_dir / "summaries" / f"{key[:40]}.json"


def _partial_path(cache: Path) -> Path:
    return cache.with_suffix(".partial.json")


def _read_cache(path: Path, title: str, template: str, length: str) -> Summary | None:
    """The cached summary (under the document's current title), or None when absent or damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        bullets = [Bullet.from_json(b) for b in data["bullets"]]
        coverage = Coverage.from_json(data.get("coverage"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("Ignoring a damaged cached summary %s: %s", path, exc)
        return None
    model = str(data.get("model", ""))
    return Summary(title, template, bullets, cached=True, model=model, length=length, coverage=coverage)


def _write_cache(path: Path, summary: Summary) -> None:
    """Written to a temporary file and renamed, so a crash never leaves half a summary."""
    data = {
        "model": summary.model,
        "template": summary.template,
        "bullets": [b.to_json() for b in summary.bullets],
        "coverage": summary.coverage.to_json(),
    }
    try:
        atomic_write_json(path, data, indent=None)
    except OSError as exc:
        log.warning("Could not cache the summary of %s: %s", summary.document, exc)


def _read_partial(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("Ignoring a damaged partial summary %s: %s", path, exc)
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_partial(path: Path, written: dict[str, str]) -> None:
    try:
        atomic_write_json(path, written, indent=None)
    except OSError as exc:  # resuming is a convenience; the summary itself goes on
        log.warning("Could not keep the sentences written so far in %s: %s", path, exc)
