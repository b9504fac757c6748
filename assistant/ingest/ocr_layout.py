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


def boxes_to_text(boxes: list[TextBox], gutters: list[float] | None = None) -> str:
    """Join text boxes into text in reading order, blank lines between paragraphs.

    ``gutters`` are found from the boxes unless the caller already knows them.
    """
    boxes = [box for box in boxes if box.text.strip()]
    if not boxes:
        return ""
    gutters = find_gutters(boxes) if gutters is None else gutters
    if not gutters:
        return _column_text(boxes)
    parts: list[str] = []
    band: list[TextBox] = []
    for box in sorted(boxes, key=lambda b: b.y0):
        if any(box.x0 < gutter < box.x1 for gutter in gutters):
            parts.extend(_band_text(band, gutters))
            band = []
            parts.append(box.text.strip())
        else:
            band.append(box)
    parts.extend(_band_text(band, gutters))
    return "\n\n".join(part for part in parts if part)


def find_gutter(boxes: list[TextBox]) -> float | None:
    """The x of the first clear gap between columns of text, or None for a single column."""
    gutters = find_gutters(boxes)
    return gutters[0] if gutters else None


def find_gutters(boxes: list[TextBox]) -> list[float]:
    """The x of each clear gap between columns (two for a three-column page), left to right.

    A gutter is a vertical band that no column-width box crosses, between two columns that
    each hold ``MIN_LINES_PER_COLUMN`` lines and whose lines fill most of their width; the
    page is split at the widest such gap and each side is searched again, so three or four
    columns are found as well as two.
    """
    left_edge = min((box.x0 for box in boxes), default=0.0)
    right_edge = max((box.x1 for box in boxes), default=0.0)
    extent = right_edge - left_edge
    if extent <= 0:
        return []
    narrow = [box for box in boxes if box.width < 0.55 * extent]
    if len(narrow) < 2 * MIN_LINES_PER_COLUMN or len(narrow) < 0.6 * len(boxes):
        return []
    return _split(narrow, left_edge, right_edge, _MIN_GUTTER_SHARE * extent)


def _split(boxes: list[TextBox], left_edge: float, right_edge: float, min_gap: float) -> list[float]:
    extent = right_edge - left_edge
    cells = int(extent) + 1
    covered = [False] * cells
    for box in boxes:
        for x in range(max(int(box.x0 - left_edge), 0), min(int(box.x1 - left_edge) + 1, cells)):
            covered[x] = True
    runs: list[tuple[int, int]] = []  # (length, start) of each uncovered run in the search band
    lo, hi = int(_GUTTER_SEARCH[0] * extent), int(_GUTTER_SEARCH[1] * extent)
    run_start = -1
    for x in range(lo, hi + 2):
        if x <= hi and x < cells and not covered[x]:
            run_start = x if run_start < 0 else run_start
        elif run_start >= 0:
            runs.append((x - run_start, run_start))
            run_start = -1
    for length, start in sorted(runs, reverse=True):
        if length < max(min_gap, 4):
            break
        gutter = left_edge + start + length / 2
        left = [box for box in boxes if box.x1 <= gutter]
        right = [box for box in boxes if box.x0 >= gutter]
        if not (_is_column(left, gutter - left_edge) and _is_column(right, right_edge - gutter)):
            continue
        inner_left = _split(left, left_edge, max(b.x1 for b in left), min_gap)
        inner_right = _split(right, min(b.x0 for b in right), right_edge, min_gap)
        return [*inner_left, gutter, *inner_right]
    return []


def _is_column(boxes: list[TextBox], width: float) -> bool:
    """Enough lines, most of them filling the width (else a label/value form's gap, not a gutter)."""
    if len(boxes) < MIN_LINES_PER_COLUMN or width <= 0:
        return False
    if statistics.median(b.width for b in boxes) >= _COLUMN_FILL * width:
        return True
    # a side holding several columns of its own: its widest lines fill a column of it
    return bool(_split(boxes, min(b.x0 for b in boxes), max(b.x1 for b in boxes), 4))


def _band_text(band: list[TextBox], gutters: list[float]) -> list[str]:
    columns: list[list[TextBox]] = [[] for _ in range(len(gutters) + 1)]
    for box in band:
        columns[sum(1 for gutter in gutters if box.x1 > gutter)].append(box)
    return [text for text in map(_column_text, columns) if text]


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
