"""Summaries and extractions as tables: what the user sees, links and exports."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from assistant.answering.types import Answer
from assistant.documents.tables import (
    NOT_STATED,
    answer_table,
    comparison_table,
    extraction_table,
    summary_table,
)

SUMMARY = {
    "document": "Lease",
    "path": "/docs/lease.pdf",
    "template": "contract",
    "summary": [
        {"text": "Rent is 2,000 | month.", "pages": [2, 5]},
        {"text": "Either party may end it with 90 days' notice.", "pages": [7]},
    ],
    "cached": False,
}
EXTRACTION = {
    "schema": "contract",
    "fields": [{"name": "parties", "description": "", "type": "string"}, {"name": "term", "description": ""}],
    "rows": [
        {
            "document": "Lease A",
            "path": "/docs/a.pdf",
            "cells": {
                "parties": {"value": "Alder and Moss", "page": 1, "status": "found"},
                "term": {"value": "", "page": None, "status": NOT_STATED},
            },
        },
        {"document": "Scan", "path": "/docs/scan.pdf", "cells": {}, "error": "not indexed"},
    ],
}


def test_summary_rows_link_to_their_pages() -> None:
    table = summary_table(SUMMARY)
    assert table.title == "Summary of Lease (contract)"
    assert [row[1].pages for row in table.rows] == [(2, 5), (7,)]
    assert table.rows[0][1].path == "/docs/lease.pdf"


def test_general_summary_shows_the_document_sections() -> None:
    general = {**SUMMARY, "template": "general"}
    general["summary"] = [
        {**b, "heading": h} for b, h in zip(SUMMARY["summary"], ["2. Rent", "9. Ending"], strict=True)
    ]
    table = summary_table(general)
    assert table.columns == ["#", "Section", "Summary"]
    assert [(row[1].text, row[2].pages) for row in table.rows] == [("2. Rent", (2, 5)), ("9. Ending", (7,))]


def test_markdown_export_escapes_pipes_and_shows_pages() -> None:
    markdown = summary_table(SUMMARY).to_markdown()
    lines = markdown.splitlines()
    assert lines[0] == "| # | Summary |"
    assert lines[2] == "| 1 | Rent is 2,000 \\| month. (p. 2, 5) |"


def test_extraction_csv_has_a_row_per_document(tmp_path: Path) -> None:
    out = tmp_path / "facts.csv"
    extraction_table(EXTRACTION).write_csv(out)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["document", "parties", "term"]
    assert rows[1] == ["Lease A", "Alder and Moss (p. 1)", NOT_STATED]
    assert rows[2] == ["Scan", "(not indexed)", "(not indexed)"]


def test_cells_without_a_page_have_no_link() -> None:
    table = extraction_table(EXTRACTION)
    assert table.rows[0][1].pages == (1,) and table.rows[0][1].path == "/docs/a.pdf"
    assert table.rows[0][2].pages == () and table.rows[1][1].pages == ()


def _reply(tool_result: dict[str, Any] | None) -> Answer:
    return Answer("q", "a reply", True, "scripted", tool_result=tool_result)


def test_answer_table_only_for_summary_and_extraction_replies() -> None:
    summary = answer_table(_reply({"tool": "summarize_document", "value": SUMMARY}))
    assert summary is not None and len(summary.rows) == 2
    extraction = answer_table(
        _reply({"tool": "extract_facts", "value": {"extraction": EXTRACTION, "table": ""}})
    )
    assert extraction is not None and extraction.columns == ["document", "parties", "term"]
    assert answer_table(_reply({"tool": "calculate", "value": {"value": 4}})) is None
    assert answer_table(_reply(None)) is None


def test_a_stored_table_reply_reads_back_as_the_same_table() -> None:
    """A summary reply stored in a conversation renders the same table after a restart."""
    reply = _reply({"tool": "summarize_document", "value": SUMMARY})
    restored = Answer.from_json("q", reply.to_json())
    assert restored.to_json() == reply.to_json()
    assert answer_table(restored) == answer_table(reply)


def test_comparison_rows_cite_each_side_and_show_the_word_diff() -> None:
    data = {
        "a": {"document": "Lease 2024", "path": "/docs/a.pdf"},
        "b": {"document": "Lease 2025", "path": "/docs/b.pdf"},
        "schema": "contract",
        "provisions": [
            {"field": "rent", "a": {"value": "2,000 a month", "page": 2}, "b": {"value": "", "page": None},
             "differs": True},
        ],
        "redline": [
            {"kind": "changed", "a": "Rent is 7 euros.", "b": "Rent is 9 euros.", "page_a": 2, "page_b": 3,
             "marked": "Rent is [-7-] {+9+} euros."},
        ],
    }  # fmt: skip
    table = comparison_table(data)
    assert table.columns == ["provision", "Lease 2024", "Lease 2025", "difference"]
    rent, clause = table.rows
    assert (rent[1].pages, rent[1].path, rent[2].text, rent[3].text) == (
        (2,),
        "/docs/a.pdf",
        NOT_STATED,
        "differs",
    )
    assert (clause[0].text, clause[1].pages, clause[2].pages) == ("clause changed", (2,), (3,))
    assert clause[3].text == "Rent is [-7-] {+9+} euros."


def test_two_versions_with_one_title_are_told_apart_by_file_name() -> None:
    data = {
        "a": {"document": "Commercial Lease", "path": "/docs/lease.md"},
        "b": {"document": "Commercial Lease", "path": "/docs/lease-2027.md"},
        "schema": "contract",
        "provisions": [],
    }
    table = comparison_table(data)
    assert table.columns == ["provision", "lease.md", "lease-2027.md", "difference"]
    assert table.title == "Comparison of lease.md and lease-2027.md (contract)"
