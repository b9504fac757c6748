"""Cut a document's pages into chunks that fit the embedder's window.

A chunk keeps its provenance: the character span in the document's joined text and
the pages where it starts and ends. Chunks never straddle documents (the chunker sees
one document at a time) but may straddle pages, because a sentence that runs over a
page break is still one thought.

Units are sentences (long sentences are split at words), packed greedily up to the
target size; token counts come from the embedder's own tokenizer so that no chunk is
truncated when embedded.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.ingest.types import Page

PAGE_SEPARATOR = "\n\n"
# A sentence ends at . ! ? (optionally followed by quotes/brackets) and whitespace,
# or at a blank line; headings and list items end at their line break.
_SENTENCE_END = re.compile(r"(?<=[.!?;:])[\"')\]]*\s+|\n\s*\n|\n(?=\s*(?:#|[-*•]|\d+[.)])\s)")
_WORD = re.compile(r"\S+")
_LINE_BREAK = re.compile(r"\n")
LONG_UNIT_CHARS = 4000  # no sentence runs this long: a span that does is cut at its lines

TokenCounter = Callable[[list[str]], list[int]]


@dataclass(frozen=True)
class Chunk:
    """A span of one document, with the pages it covers."""

    ordinal: int
    text: str
    char_start: int
    char_end: int
    page_start: int
    page_end: int
    tokens: int


@dataclass(frozen=True)
class JoinedText:
    """A document's pages joined into one string, with where each page starts."""

    text: str
    page_numbers: list[int]
    page_offsets: list[int]
    page_texts: list[str]

    @classmethod
    def from_pages(cls, pages: list[Page]) -> JoinedText:
        parts: list[str] = []
        offsets: list[int] = []
        numbers: list[int] = []
        position = 0
        for page in pages:
            if parts:
                parts.append(PAGE_SEPARATOR)
                position += len(PAGE_SEPARATOR)
            offsets.append(position)
            numbers.append(page.number)
            parts.append(page.text)
            position += len(page.text)
        return cls("".join(parts), numbers, offsets, [page.text for page in pages])

    def page_at(self, offset: int) -> int:
        """The page number holding the character at ``offset``."""
        if not self.page_numbers:
            return 1
        index = bisect.bisect_right(self.page_offsets, offset) - 1
        return self.page_numbers[max(index, 0)]


def _spans(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """Non-blank spans of ``text`` between matches of ``pattern``, stripped."""
    start = 0
    for match in pattern.finditer(text):
        yield from _stripped(text, start, match.start())
        start = match.end()
    yield from _stripped(text, start, len(text))


def _stripped(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def _lines_of_long(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A span with no sentence end for ``LONG_UNIT_CHARS`` (a log, a table, a list) cut at its lines.

    Without this, a 25 MB log file was one "sentence": the tokenizer counted it whole (6 GB of
    memory) before it was cut at words. Prose keeps its sentences: the cut applies only
    to spans far longer than any sentence.
    """
    if end - start <= LONG_UNIT_CHARS:
        yield start, end
        return
    for line_start, line_end in _spans(text[start:end], _LINE_BREAK):
        yield start + line_start, start + line_end


def _split_long(text: str, start: int, end: int, tokens: int, limit: int) -> list[tuple[int, int]]:
    """Split an over-long sentence at word boundaries into roughly equal parts."""
    words = [(start + m.start(), start + m.end()) for m in _WORD.finditer(text, start, end)]
    if not words:
        return [(start, end)]
    parts = -(-tokens // limit) + 1
    per_part = max(1, -(-len(words) // parts))
    return [
        (words[i][0], words[min(i + per_part, len(words)) - 1][1]) for i in range(0, len(words), per_part)
    ]


def chunk_pages(
    pages: list[Page],
    count_tokens: TokenCounter,
    *,
    target_tokens: int,
    max_tokens: int,
    overlap_tokens: int = 0,
) -> list[Chunk]:
    """Chunks of about ``target_tokens`` and never above ``max_tokens``.

    ``overlap_tokens`` repeats trailing sentences of one chunk at the start of the
    next, for formats where an answer may sit right on a boundary.
    """
    joined = JoinedText.from_pages(pages)
    text = joined.text
    units = [piece for span in _spans(text, _SENTENCE_END) for piece in _lines_of_long(text, *span)]
    if not units:
        return []
    counts = count_tokens([text[s:e] for s, e in units])
    # Leave room: wordpiece counts of separately counted sentences add up to slightly
    # less than the count of their concatenation.
    hard_limit = max(8, int(max_tokens * 0.9))
    sized: list[tuple[int, int, int]] = []
    for (start, end), tokens in zip(units, counts, strict=True):
        if tokens <= hard_limit:
            sized.append((start, end, tokens))
            continue
        pieces = _split_long(text, start, end, tokens, hard_limit)
        for (p_start, p_end), p_tokens in zip(
            pieces, count_tokens([text[s:e] for s, e in pieces]), strict=True
        ):
            sized.append((p_start, p_end, p_tokens))

    target = min(target_tokens, hard_limit)
    groups: list[list[tuple[int, int, int]]] = []
    current: list[tuple[int, int, int]] = []
    current_tokens = 0
    for unit in sized:
        if current and current_tokens + unit[2] > target:
            groups.append(current)
            current, current_tokens = _overlap_tail(current, overlap_tokens, target - unit[2])
        current.append(unit)
        current_tokens += unit[2]
    if current:
        groups.append(current)

    chunks: list[Chunk] = []
    for group in groups:
        start, end = group[0][0], group[-1][1]
        chunks.append(
            Chunk(
                ordinal=len(chunks),
                text=text[start:end],
                char_start=start,
                char_end=end,
                page_start=joined.page_at(start),
                page_end=joined.page_at(end - 1),
                tokens=sum(unit[2] for unit in group),
            )
        )
    return chunks


def _overlap_tail(
    group: list[tuple[int, int, int]], overlap_tokens: int, room: int
) -> tuple[list[tuple[int, int, int]], int]:
    """The trailing units of ``group`` worth repeating, within ``overlap_tokens``."""
    tail: list[tuple[int, int, int]] = []
    total = 0
    budget = min(overlap_tokens, room)
    for unit in reversed(group):
        if total + unit[2] > budget:
            break
        tail.insert(0, unit)
        total += unit[2]
    return tail, total
