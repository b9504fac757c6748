"""Summaries and extractions as one kind of table, for display with page links and export.

The desktop app shows both as a table whose cells link to the page they came from, and
the user exports either as CSV or Markdown. Building the table from the JSON contracts
(``Summary.to_json``, ``Extraction.to_json``, the tools' results) rather than from the
live objects means a table stored in a conversation renders and exports the same after
a restart. Pure data: no Qt, no file system beyond ``write_csv``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

NOT_STATED = "not stated"

if TYPE_CHECKING:
    from assistant.answering.types import Answer


@dataclass(frozen=True)
class TableCell:
    """One value and the pages of ``path`` it was checked against (none: nothing to link)."""

    text: str
    pages: tuple[int, ...] = ()
    path: str = ""
    document: str = ""

    def display(self) -> str:
        """The text with its pages, as exported: ``value (p. 2, 5)``."""
        if not self.pages:
            return self.text
        return f"{self.text} (p. {', '.join(map(str, self.pages))})"


@dataclass
class ResultTable:
    """A titled table of cells; the first column names the row (a document or a bullet number)."""

    title: str
    columns: list[str]
    rows: list[list[TableCell]] = field(default_factory=list)

    def to_csv(self) -> str:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([cell.display() for cell in row])
        return buffer.getvalue()

    def write_csv(self, path: Path) -> None:
        Path(path).write_text(self.to_csv(), encoding="utf-8", newline="")

    def to_markdown(self) -> str:
        def escape(text: str) -> str:
            return " ".join(text.split()).replace("|", "\\|")

        lines = [
            "| " + " | ".join(escape(c) for c in self.columns) + " |",
            "|" + " --- |" * len(self.columns),
        ]
        lines += ["| " + " | ".join(escape(cell.display()) for cell in row) + " |" for row in self.rows]
        return "\n".join(lines) + "\n"


def summary_table(data: dict[str, Any]) -> ResultTable:
    """The table of a summary (``Summary.to_json()`` or the summarize tool's result): one bullet a row.

    A general summary's headings are the document's own sections, so they get a column of
    their own; a template's headings already open each bullet ("Payment: ...").
    """
    document = str(data.get("document", ""))
    path = str(data.get("path", ""))
    template = str(data.get("template", "general"))
    bullets = list(data.get("summary", []))
    sections = template == "general" and any(b.get("heading") for b in bullets)
    rows = []
    for number, bullet in enumerate(bullets, start=1):
        row = [TableCell(str(number))]
        if sections:
            row.append(TableCell(str(bullet.get("heading", ""))))
        row.append(TableCell(str(bullet.get("text", "")), _pages(bullet.get("pages")), path, document))
        rows.append(row)
    columns = ["#", "Section", "Summary"] if sections else ["#", "Summary"]
    return ResultTable(f"Summary of {document} ({template})", columns, rows)


def extraction_table(data: dict[str, Any]) -> ResultTable:
    """The table of an extraction (``Extraction.to_json()``): one document a row, one field a column."""
    fields = [str(f["name"]) for f in data.get("fields", [])]
    rows: list[list[TableCell]] = []
    for row in data.get("rows", []):
        document, path = str(row.get("document", "")), str(row.get("path", ""))
        cells = [TableCell(document, (), path, document)]
        error = str(row.get("error", ""))
        for name in fields:
            if error:
                cells.append(TableCell(f"({error})"))
                continue
            cell = row.get("cells", {}).get(name, {})
            value = str(cell.get("value") or "")
            page = cell.get("page")
            if value:
                cells.append(TableCell(value, _pages([page] if page else []), path, document))
            else:
                cells.append(TableCell(NOT_STATED))
        rows.append(cells)
    return ResultTable(f"Facts extracted ({data.get('schema', '')})", ["document", *fields], rows)


def dates_table(data: dict[str, Any], *, page_links: bool = False) -> ResultTable:
    """The table of a dates report (``DatesReport.to_json()``): one date, deadline or period a row.

    A deadline's "how" cell holds its rule and the arithmetic, so the table can be checked
    without the document at hand. With ``page_links`` (the chat's table) the sentence cell
    carries its page, so a click opens the page with that sentence marked; the exports of
    ``quire dates`` leave it out, their page column already says it.
    """
    rows: list[list[TableCell]] = []
    for event in data.get("events", []):
        document, path = str(event.get("document", "")), str(event.get("path", ""))
        page = event.get("page")
        linked = _pages([page]) if page_links and page else ()
        how = str(event.get("rule") or "")
        if event.get("arithmetic"):
            how = f"{how} ({event['arithmetic']})" if how else str(event["arithmetic"])
        rows.append(
            [
                TableCell(str(event.get("date") or "")),
                TableCell(str(event.get("kind", ""))),
                TableCell(str(event.get("event", "")), (), path, document),
                TableCell(document, (), path, document),
                TableCell(str(page) if page else "", (), path, document),
                TableCell(str(event.get("span", "")), linked, path, document),
                TableCell(how),
                TableCell(str(event.get("note") or "")),
            ]
        )
    columns = ["date", "kind", "event", "document", "page", "text", "rule", "note"]
    return ResultTable("Dates and deadlines", columns, rows)


def answer_table(answer: Answer) -> ResultTable | None:
    """The table of an answer that is a summary, an extraction or a list of dates, if it is one."""
    result = answer.tool_result
    if result is None or not isinstance(value := result.get("value"), dict):
        return None
    if result.get("tool") == "summarize_document":
        return summary_table(value)
    if result.get("tool") == "extract_facts" and isinstance(value.get("extraction"), dict):
        return extraction_table(value["extraction"])
    if result.get("tool") == "compare_documents" and isinstance(value.get("comparison"), dict):
        return comparison_table(value["comparison"])
    if result.get("tool") == "list_dates" and isinstance(value.get("events"), list):
        table = dates_table(value, page_links=True)
        table.title = dates_title(value)
        return table
    return None


def comparison_table(data: dict[str, Any]) -> ResultTable:
    """The table of a comparison (``Comparison.to_json()``): provisions, then the redline's changes."""
    a, b = dict(data.get("a", {})), dict(data.get("b", {}))
    names = [str(a.get("document", "")), str(b.get("document", ""))]
    paths = [str(a.get("path", "")), str(b.get("path", ""))]

    def side(value: str, page: object, which: int) -> TableCell:
        pages = _pages([page]) if page else ()
        return TableCell(value, pages, paths[which], names[which]) if pages else TableCell(value)

    rows: list[list[TableCell]] = []
    for p in data.get("provisions", []):
        cells = [dict(p.get("a", {})), dict(p.get("b", {}))]
        row = [TableCell(str(p.get("field", "")))]
        row += [side(str(c.get("value") or NOT_STATED), c.get("page"), i) for i, c in enumerate(cells)]
        rows.append([*row, TableCell("differs" if p.get("differs") else "")])
    for c in data.get("redline") or []:
        kind = str(c.get("kind", ""))
        rows.append(
            [
                TableCell(f"clause {kind}"),
                side(str(c.get("a", "")), c.get("page_a"), 0),
                side(str(c.get("b", "")), c.get("page_b"), 1),
                TableCell(str(c.get("marked", "")) if kind == "changed" else ""),
            ]
        )
    # Two versions of one document often share a title: the file names tell the columns apart.
    shown = (
        [Path(path).name or name for path, name in zip(paths, names, strict=True)]
        if names[0] == names[1]
        else names
    )
    title = f"Comparison of {shown[0]} and {shown[1]} ({data.get('schema', '')})"
    return ResultTable(title, ["provision", *shown, "difference"], rows)


def dates_title(data: dict[str, Any]) -> str:
    """What a list of dates covers: "Deadlines in Lease", "Dates and deadlines in 3 documents"."""
    kind = str(data.get("kind") or "")
    what = {"event": "Dates", "deadline": "Deadlines", "period": "Time limits"}.get(
        kind, "Dates and deadlines"
    )
    documents = [str(d) for d in data.get("documents", [])]
    if str(data.get("document") or ""):
        return f"{what} in {data['document']}"
    if len(documents) == 1:
        return f"{what} in {documents[0]}"
    return f"{what} in {len(documents)} documents" if documents else what


def _pages(raw: object) -> tuple[int, ...]:
    if not isinstance(raw, list | tuple):
        return ()
    return tuple(int(p) for p in raw if isinstance(p, int) or (isinstance(p, str) and p.isdigit()))
