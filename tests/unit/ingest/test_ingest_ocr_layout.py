"""Reading order of OCR line boxes: rows, two columns, paragraph gaps."""

from __future__ import annotations

from assistant.ingest.ocr_layout import TextBox, boxes_to_text, find_gutter


def _column(x0: float, x1: float, texts: list[str], top: float = 100) -> list[TextBox]:
    return [TextBox(x0, top + 30 * i, x1, top + 30 * i + 20, text) for i, text in enumerate(texts)]


def test_two_columns_read_left_then_right() -> None:
    left = _column(100, 780, [f"left {i}" for i in range(5)], top=200)
    right = _column(860, 1540, [f"right {i}" for i in range(5)], top=200)
    title = [TextBox(100, 100, 1540, 130, "Full width title")]
    boxes = sorted(title + left + right, key=lambda b: (b.y0, b.x0))  # as rapidocr returns them
    assert find_gutter(boxes) is not None
    text = boxes_to_text(boxes)
    expected = ["Full width title"] + [f"left {i}" for i in range(5)] + [f"right {i}" for i in range(5)]
    assert [line for line in text.split("\n") if line] == expected


def test_single_column_with_short_lines_is_not_split() -> None:
    labels = _column(100, 300, ["Name:", "Date:", "Amount:", "Signed:"])
    values = _column(900, 1100, ["Ann Lee", "1 May", "500 EUR", "yes"])
    text = boxes_to_text(labels + values)
    assert text.split("\n") == ["Name: Ann Lee", "Date: 1 May", "Amount: 500 EUR", "Signed: yes"]


def test_paragraph_gap_becomes_blank_line() -> None:
    boxes = _column(100, 900, ["one", "two"]) + _column(100, 900, ["three"], top=300)
    assert boxes_to_text(boxes) == "one\ntwo\n\nthree"


def test_empty() -> None:
    assert boxes_to_text([]) == ""
    assert boxes_to_text([TextBox(0, 0, 10, 10, "  ")]) == ""
