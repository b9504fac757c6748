"""A document as its sections and the complete sentences that state something, scored without a model.

A summary of a 100-page document cannot have the model read every page: on 2 cores the
default model reads ~40-120 prompt tokens a second, so reading alone would take most of an
hour. What the model is shown is chosen here instead, in well under a second a page:

- the text is cut into the document's own sections where it has headings (numbered clauses,
  "Article 4", capitalised or Markdown headings), or into runs of pages where it has none;
- lines repeated on many pages (running headers, footers, page numbers) are set aside, so
  they are never quoted;
- only complete sentences are kept: they start as a sentence does, end with a full stop, and
  lie within one page, so a summary built from them is never clipped mid-word;
- each sentence is scored by how much of the document's recurring vocabulary it carries
  (the centroid idea of extractive summarisers), with a little extra for the figures, dates,
  obligations and definitions a professional reads a summary for.

The score uses no threshold fitted to a set of documents: it ranks sentences within one
document, and the summary takes the best of each part of the document.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answering.grounding import stems
from assistant.ingest.types import Page
from assistant.text import query_terms, sentence_spans

MIN_WORDS = 6  # fewer reads as a heading or a label, not a statement
MAX_WORDS = 90  # a longer "sentence" is a run-on list or a table read as text
REPEATED_SHARE = 0.3  # a line on this share of pages (and at least 3) is a running header or footer
MAX_HEADING_WORDS = 12
MAX_NUMBERED_HEADING_WORDS = 7
MAX_TITLE_WORDS = 6
SYMBOL_WORDS = 0.25  # more words without a letter than this: a table row, not a sentence
MAX_TITLE_SENTENCE_WORDS = 14
MIN_CITATIONS = 5
CITATIONS_PER_LINE = 0.15
PAGES_PER_PART = 4  # the size of a part of a document that has no headings

_NUMBERED_HEADING = re.compile(
    r"^(?:#{1,6}\s+|(?:article|section|clause|schedule|chapter|part|annex|appendix)\s+[\dIVXLC]+\b"
    r"|\d+(?:\.\d+)*\.?\s+[A-Z])",
    re.IGNORECASE,
)
_LEADING_NUMBER = re.compile(r"^(?:\(?\d+(?:\.\d+)*\)?\.?|\([a-z]{1,3}\)|[a-z]\))\s+(?=\S)")
_SENTENCE_START = re.compile(r"^[\"'“‘(\[]*[A-Z0-9]")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_DIGITS = re.compile(r"\d+")
_FIGURE = re.compile(r"\d")
_OBLIGATION = frozenset(["shall", "must", "will", "may", "required", "entitled", "liable", "agrees"])
_BULLET = re.compile(r"(?:^|\s)[•▪●◦■□❏✓➢►](?=\s)")
_CITATION = re.compile(
    r"\bet al\b|\bdoi\b|https?://|\bPMID\b|\b(?:19|20)\d\d;\s?\d+|\b[A-Z][a-z]+ [A-Z]{1,3}, [A-Z][a-z]+ [A-Z]{1,3}\b"
)
# a reference number set as a superscript after a full stop (".2,3 Those patients"): the
# sentence ends at the stop, and the number is no part of either sentence
_CITED = re.compile(r"(?<=[a-z)\]])\.\d{1,3}(?:[,–-]\d{1,3})*(?=\s+[A-Z])")
_SMALL_WORDS = frozenset(["and", "or", "of", "the", "to", "in", "for", "on", "a", "an", "by", "with"])
_DEFINITION = re.compile(r"\bmeans\b|[\"“][A-Z][^\"”]{1,40}[\"”]")


@dataclass(frozen=True)
class Section:
    """A part of the document: its heading as written (or "Pages a-b"), and its pages."""

    title: str
    first_page: int
    last_page: int


@dataclass(frozen=True)
class Statement:
    """One complete sentence of the document, verbatim, with where it stands."""

    text: str  # whitespace collapsed, clause numbering kept
    page: int
    section: int  # index into ``Outline.sections``
    order: int  # position in the document
    terms: frozenset[str]  # word stems, as the sentence check compares them
    score: float = 0.0

    @property
    def body(self) -> str:
        """The sentence without its clause number ("12.1", "(b)"), as a summary shows it."""
        return _LEADING_NUMBER.sub("", self.text, count=1)


@dataclass(frozen=True)
class Outline:
    sections: list[Section]
    statements: list[Statement]
    pages_total: int

    def in_section(self, index: int) -> list[Statement]:
        return [s for s in self.statements if s.section == index]


def outline(pages: Sequence[Page], accept: Callable[[str], bool] | None = None) -> Outline:
    """The document's sections and scored statements, from its stored page text.

    ``accept`` decides which sentences are kept (complete statements, by default; a
    comparison keeps every clause, however short).
    """
    accept = accept or is_complete_sentence
    repeated = _repeated_lines(pages)
    sections: list[Section] = []
    found: list[tuple[str, int, int]] = []  # (sentence, page, section)
    for page in pages:
        if is_reference_list(page.text):
            continue
        paragraph: list[str] = []
        for raw in [*_BULLET.sub("\n\n", page.text).splitlines(), ""]:
            line = " ".join(raw.split())
            if not line or _line_key(line) in repeated:
                found += _sentences(" ".join(paragraph), page.number, len(sections) - 1, accept)
                paragraph = []
                continue
            opens = not paragraph or bool(_SENTENCE_END.search(paragraph[-1]))
            if _is_heading(line, opens):
                found += _sentences(" ".join(paragraph), page.number, len(sections) - 1, accept)
                paragraph = []
                sections.append(Section(line.lstrip("# ").strip(), page.number, page.number))
                continue
            paragraph.append(line)
    before_first = sum(1 for _, _, section in found if section < 0)
    if len(sections) < 2 or before_first > len(found) / 2:
        sections, found = _by_pages(pages, [(text, number) for text, number, _ in found])
    elif before_first:  # text before the first heading is a part of its own
        first_heading = sections[0].first_page
        sections.insert(0, Section("Opening", pages[0].number, first_heading))
        found = [(text, number, section + 1) for text, number, section in found]
    last = {section: number for _, number, section in found}  # pages arrive in order
    sections = [
        Section(s.title, s.first_page, max(s.first_page, last.get(i, 0))) for i, s in enumerate(sections)
    ]
    statements = _scored(
        [
            Statement(text, number, section, order, frozenset(stems(text)))
            for order, (text, number, section) in enumerate(found)
        ]
    )
    return Outline(sections, statements, len(pages))


def _by_pages(
    pages: Sequence[Page], found: list[tuple[str, int]]
) -> tuple[list[Section], list[tuple[str, int, int]]]:
    """Runs of ``PAGES_PER_PART`` pages, for a document with no headings to go by."""
    numbers = [p.number for p in pages]
    size = PAGES_PER_PART if len(numbers) > PAGES_PER_PART else max(len(numbers), 1)
    runs = [numbers[i : i + size] for i in range(0, len(numbers), size)] or [[1]]
    sections = [Section(_pages_title(run[0], run[-1]), run[0], run[-1]) for run in runs]
    part_of = {number: index for index, run in enumerate(runs) for number in run}
    return sections, [(text, number, part_of.get(number, 0)) for text, number in found]


def _pages_title(first: int, last: int) -> str:
    return f"Page {first}" if first == last else f"Pages {first}-{last}"


def _line_key(line: str) -> str:
    return _DIGITS.sub("0", line.lower())


def _repeated_lines(pages: Sequence[Page]) -> set[str]:
    """Lines found on many pages: running headers, footers and page numbers."""
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_line_key(" ".join(line.split())) for line in page.text.splitlines() if line.strip()})
    floor = max(3, math.ceil(REPEATED_SHARE * len(pages)))
    return {line for line, count in counts.items() if count >= floor}


def is_reference_list(text: str) -> bool:
    """A page of citations (a paper's or a guideline's references): never summary material.

    Its entries read as sentences ("Long-term outcome of 444 patients with distant
    metastases."), so they are told apart by what surrounds them: author lists, "et al",
    journal years and links.
    """
    marks = len(_CITATION.findall(text))
    lines = max(1, sum(1 for line in text.splitlines() if line.strip()))
    return marks >= MIN_CITATIONS and marks >= lines * CITATIONS_PER_LINE


def _is_heading(line: str, opens_paragraph: bool = True) -> bool:
    """A short line that names a part: numbered, "Article 4", Markdown, in capitals, or in title case.

    "12.1 Either party may terminate this agreement on" is the first line of a numbered
    paragraph, not a heading: a heading is a few words, each capitalised. A title-case line
    counts only where a paragraph may start, so a wrapped line of names ("Alder Estates plc
    and") inside a sentence is not taken for one.
    """
    words = line.split()
    if not words or len(words) > MAX_HEADING_WORDS or (_SENTENCE_END.search(line) and len(words) > 4):
        return False
    if line.startswith("#"):
        return True
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return True
    if line.rstrip().endswith((",", ";", ":")) or _SENTENCE_END.search(line):
        return False
    named = [w for w in _LEADING_NUMBER.sub("", line, count=1).split() if w[:1].isalpha()]
    titled = bool(named) and all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in named)
    if _NUMBERED_HEADING.match(line):  # "193. Benbassat CA, Mechlis-Frish S, Hirsch D." is a reference
        return titled and len(named) <= MAX_NUMBERED_HEADING_WORDS and line.count(",") < 2
    return opens_paragraph and titled and named[0][0].isupper() and len(words) <= MAX_TITLE_WORDS


def _sentences(
    paragraph: str, page: int, section: int, accept: Callable[[str], bool]
) -> list[tuple[str, int, int]]:
    """The sentences of one paragraph of one page that ``accept`` keeps."""
    out = []
    paragraph = _CITED.sub(".", paragraph)
    for start, end in sentence_spans(paragraph):
        text = paragraph[start:end].strip()
        if accept(text):
            out.append((text, page, section))
    return out


def is_complete_sentence(text: str) -> bool:
    """Starts as a sentence does, ends with a full stop, and is neither a label nor a run-on list."""
    words = text.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    body = _LEADING_NUMBER.sub("", text, count=1)
    if not _SENTENCE_START.match(body) or not _SENTENCE_END.search(text):
        return False
    letters = sum(c.isalpha() for c in text)
    if letters < 0.6 * len(text.replace(" ", "")):
        return False
    if sum(1 for w in words if not any(c.isalpha() for c in w)) > SYMBOL_WORDS * len(words):
        return False  # a table row read as text: "$ × 28% (.28) $ $ 5,889.25 $"
    named = [w for w in body.split() if w[:1].isalpha() and w.lower() not in _SMALL_WORDS]
    # every word capitalised, as in "Protecting Users' Legal Rights From Anti-Circumvention Law.",
    # is a title; a sentence full of names still has a verb or two in lower case
    return len(words) > MAX_TITLE_SENTENCE_WORDS or not all(w[0].isupper() for w in named)


def _scored(statements: list[Statement]) -> list[Statement]:
    """Each statement scored by the document's recurring vocabulary it carries, plus what professionals look for.

    A term in more than half the sentences ("the", "party" in a contract) tells them apart
    no more than a term found once; weight peaks in between (df * idf, as in centroid
    summarisers). The total is divided by the square root of the length, so a long
    sentence is not preferred merely for being long.
    """
    count = len(statements)
    if not count:
        return []
    df: Counter[str] = Counter()
    for statement in statements:
        df.update(t for t in set(query_terms(statement.text)))
    weight = {term: n * math.log((count + 1) / n) for term, n in df.items() if n >= 2}
    top = max(weight.values(), default=1.0) or 1.0
    scored = []
    for statement in statements:
        terms = set(query_terms(statement.text))
        centrality = sum(weight.get(t, 0.0) for t in terms) / top / math.sqrt(max(len(terms), 1))
        words = {w.lower() for w in statement.text.split()}
        bonus = 0.15 * bool(_FIGURE.search(statement.text)) + 0.1 * bool(words & _OBLIGATION)
        bonus += 0.1 * bool(_DEFINITION.search(statement.text))
        scored.append(
            Statement(
                statement.text,
                statement.page,
                statement.section,
                statement.order,
                statement.terms,
                centrality + bonus,
            )
        )
    return scored
