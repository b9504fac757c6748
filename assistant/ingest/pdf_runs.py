"""A PDF page's text as runs of characters on a line, from pdfium's character boxes.

Reading columns needs to know where a line of one column ends and the next column's
begins. pdfium's own text rectangles cannot tell: on a tax form's instructions it joins
"Certain dual-resident" and "Closer Connection to Foreign" into one rectangle across a
12-point gutter, and the content stream interleaves the columns' characters, so the
stream order cannot either. Characters are therefore grouped by position alone: into
lines by their vertical centre, then, along a line, into runs split wherever the space
between two characters is wider than a word space (``RUN_GAP`` of the font's height). A
gutter is at least an em wide and a justified word space well under one, so the split
holds across fonts and sizes without a figure fitted to one document.

Text printed outside the page (printers' proof marks, "MUST be removed before printing")
is left out: no viewer shows it.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass
from typing import Any

from assistant.ingest.ocr_layout import TextBox

RUN_GAP = 0.6  # a gap wider than this share of the font height ends a run (a word space is ~0.3)
WORD_GAP = 0.12  # between characters not next to each other in the text stream, a space
LETTER_GAP = 0.3  # between neighbours in the stream (kerned italics: "o f"), only a gap this wide
_NEW_LINE = 0.25  # a jump in centre larger than this share of the height starts a new line


@dataclass(frozen=True)
class _Char:
    x0: float
    y0: float  # top, measured down from the top of the page
    x1: float
    y1: float
    text: str
    index: int  # position in the page's text stream

    @property
    def centre(self) -> float:
        return (self.y0 + self.y1) / 2


def page_runs(textpage: Any, width: float, height: float) -> list[TextBox]:
    """The page's runs of text, each a ``TextBox`` in points from the top-left corner."""
    chars = _visible_chars(textpage, width, height)
    if not chars:
        return []
    size = statistics.median(c.y1 - c.y0 for c in chars)
    runs: list[TextBox] = []
    for line in _lines(chars, size):
        run = [line[0]]
        for char in line[1:]:
            if char.x0 - run[-1].x1 > RUN_GAP * size:
                runs.append(_run_box(run, size))
                run = []
            run.append(char)
        runs.append(_run_box(run, size))
    return runs


def _visible_chars(textpage: Any, width: float, height: float) -> list[_Char]:
    chars: list[_Char] = []
    count = textpage.count_chars()
    # One call for the page's text: asking for each character costs about 3 µs a call, most
    # of the time of reading a page. Its indices are the characters' unless one of them took
    # two UTF-16 units; then each is asked for on its own.
    whole = textpage.get_text_range()
    if len(whole) != count:
        whole = "".join(textpage.get_text_range(i, 1)[:1] or " " for i in range(count))
    for index, text in enumerate(whole):
        if not text.strip():
            continue  # spaces are read from the gaps: the stream's own may belong to another column
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        if right <= 0 or left >= width or top <= 0 or bottom >= height:
            continue
        chars.append(_Char(left, height - top, right, height - bottom, text, index))
    return chars


def _lines(chars: list[_Char], size: float) -> list[list[_Char]]:
    """Characters grouped into lines (top to bottom), each left to right.

    Sorted by their vertical centre, characters start a new line where the centre jumps by
    more than ``_NEW_LINE`` of the font height: lines are a whole height apart, while the
    characters of one line (and of a neighbouring column's line set a point higher) differ
    by a fraction of it. Measuring from the line's first character instead would cut a
    line wherever its characters' centres drift past the limit.
    """
    lines: list[list[_Char]] = []
    previous: float | None = None
    for char in sorted(chars, key=lambda c: c.centre):
        if previous is None or char.centre - previous > _NEW_LINE * size:
            lines.append([])
        lines[-1].append(char)
        previous = char.centre
    return [sorted(line, key=lambda c: c.x0) for line in lines]


def _run_box(run: list[_Char], size: float) -> TextBox:
    text = run[0].text
    for before, char in itertools.pairwise(run):
        gap = LETTER_GAP if char.index == before.index + 1 else WORD_GAP
        text += (" " if char.x0 - before.x1 > gap * size else "") + char.text
    return TextBox(
        min(c.x0 for c in run), min(c.y0 for c in run), max(c.x1 for c in run), max(c.y1 for c in run), text
    )
