"""Reading order for OCR output: rows, columns and paragraph breaks from line boxes.

rapidocr returns text boxes sorted top to bottom across the whole page, so on a
two-column page the lines of both columns interleave. Here boxes are grouped into rows
(boxes whose vertical extents mostly overlap, left to right), and a page is read as two
columns only when there is a clear gutter: a vertical band in the middle of the text
that no column-width box crosses, with enough lines on each side, and lines on each
side that fill most of their column (label/value forms also have a gap down the middle,
but their short values would be torn from their labels if read as columns). Boxes that
span the gutter (titles, full-width paragraphs) cut the page into bands; each band is
read left column first, then right.

Pure functions over plain boxes, so they are tested without running OCR.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class TextBox:
    """One recognised line: axis-aligned bounds in pixels and its text."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0


MIN_LINES_PER_COLUMN = 3
_GUTTER_SEARCH = (0.3, 0.7)
_MIN_GUTTER_SHARE = 0.015
_COLUMN_FILL = 0.55
_PARAGRAPH_GAP = 1.2


def boxes_to_text(boxes: list[TextBox]) -> str:
    """Join recognised boxes into text in reading order, blank lines between paragraphs."""
    boxes = [box for box in boxes if box.text.strip()]
    if not boxes:
        return ""
    gutter = find_gutter(boxes)
    if gutter is None:
        return _column_text(boxes)
    parts: list[str] = []
    band: list[TextBox] = []
    for box in sorted(boxes, key=lambda b: b.y0):
        if box.x0 < gutter < box.x1:
            parts.extend(_band_text(band, gutter))
            band = []
            parts.append(box.text.strip())
        else:
            band.append(box)
    parts.extend(_band_text(band, gutter))
    return "\n\n".join(part for part in parts if part)


def find_gutter(boxes: list[TextBox]) -> float | None:
    """The x of a clear gap between two columns of text, or None for a single column."""
    left_edge = min(box.x0 for box in boxes)
    right_edge = max(box.x1 for box in boxes)
    extent = right_edge - left_edge
    if extent <= 0:
        return None
    narrow = [box for box in boxes if box.width < 0.55 * extent]
    if len(narrow) < 2 * MIN_LINES_PER_COLUMN or len(narrow) < 0.6 * len(boxes):
        return None
    cells = int(extent) + 1
    covered = [False] * cells
    for box in narrow:
        for x in range(int(box.x0 - left_edge), min(int(box.x1 - left_edge) + 1, cells)):
            covered[x] = True
    lo, hi = int(_GUTTER_SEARCH[0] * extent), int(_GUTTER_SEARCH[1] * extent)
    best_start, best_len, run_start = -1, 0, -1
    for x in range(lo, hi + 1):
        if not covered[x]:
            if run_start < 0:
                run_start = x
            if x - run_start + 1 > best_len:
                best_start, best_len = run_start, x - run_start + 1
        else:
            run_start = -1
    if best_len < max(_MIN_GUTTER_SHARE * extent, 4):
        return None
    gutter = left_edge + best_start + best_len / 2
    left = [box for box in narrow if box.x1 <= gutter]
    right = [box for box in narrow if box.x0 >= gutter]
    if len(left) < MIN_LINES_PER_COLUMN or len(right) < MIN_LINES_PER_COLUMN:
        return None
    left_width = gutter - left_edge
    right_width = right_edge - gutter
    if statistics.median(b.width for b in left) < _COLUMN_FILL * left_width:
        return None
    if statistics.median(b.width for b in right) < _COLUMN_FILL * right_width:
        return None
    return gutter


def _band_text(band: list[TextBox], gutter: float) -> list[str]:
    left = [box for box in band if box.x1 <= gutter]
    right = [box for box in band if box.x1 > gutter]
    return [text for text in (_column_text(left), _column_text(right)) if text]


def _column_text(boxes: list[TextBox]) -> str:
    """Rows top to bottom, boxes in a row left to right, blank line at paragraph gaps."""
    if not boxes:
        return ""
    rows: list[list[TextBox]] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        if rows and _same_row(rows[-1], box):
            rows[-1].append(box)
        else:
            rows.append([box])
    line_height = statistics.median(box.height for box in boxes)
    lines: list[str] = []
    previous_bottom: float | None = None
    for row in rows:
        top = min(box.y0 for box in row)
        if previous_bottom is not None and top - previous_bottom > _PARAGRAPH_GAP * line_height:
            lines.append("")
        lines.append(" ".join(box.text.strip() for box in sorted(row, key=lambda b: b.x0)))
        previous_bottom = max(box.y1 for box in row)
    return "\n".join(lines)


def _same_row(row: list[TextBox], box: TextBox) -> bool:
    top = min(b.y0 for b in row)
    bottom = max(b.y1 for b in row)
    overlap = min(bottom, box.y1) - max(top, box.y0)
    return overlap > 0.5 * min(box.height, bottom - top)
