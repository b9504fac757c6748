"""Rich-text rendering of a conversation: questions, answers, citation links, sources.

Pure functions from the stored answer JSON (``Answer.to_json()``) to HTML for a
``QTextBrowser``, so a conversation re-renders identically after a restart. A citation
``[n]`` in turn ``t`` becomes a link ``quire-cite:t/n``; a closest passage of a
not-found answer becomes ``quire-passage:t/i``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.result_table import ResultTable, TableCell, answer_table

CITE_SCHEME = "quire-cite"
PASSAGE_SCHEME = "quire-passage"
PAGE_SCHEME = "quire-page"  # quire-page:t/row/column: a page a table cell came from
TABLE_SCHEME = "quire-table"  # quire-table:t: open turn t's table to export it

_MARKER = re.compile(r"\[(\d+)\]")

QUESTION_STYLE = "margin-top:14px; margin-bottom:4px; color:#1d3557; font-weight:600;"
ANSWER_STYLE = "margin:2px 0 4px 0;"
NOT_FOUND_STYLE = "background-color:#f1f1f1; color:#555555; padding:6px; font-style:italic;"
UNCITED_STYLE = "background-color:#fff3cd;"
SOURCES_STYLE = "color:#444444; font-size:small; margin:0 0 0 12px;"
TABLE_ATTRIBUTES = 'border="1" cellspacing="0" cellpadding="4" style="border-color:#c8c8c8; margin:4px 0;"'


@dataclass(frozen=True)
class SourceTarget:
    """Where a citation or passage link leads: a page of a document and the text to mark."""

    path: str
    document: str
    page: int
    text: str
    focus: str = ""  # the words the reader is checking (cited sentence, table value): marked first


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _link_citations(escaped: str, turn: int, valid: set[int]) -> str:
    def replace(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if number not in valid:
            return match.group(0)
        return f'<a href="{CITE_SCHEME}:{turn}/{number}">[{number}]</a>'

    return _MARKER.sub(replace, escaped)


def _flag_uncited(escaped: str, uncited: list[str]) -> str:
    for sentence in uncited:
        needle = _escape(sentence.strip())
        if needle and needle in escaped:
            escaped = escaped.replace(
                needle,
                f'<span style="{UNCITED_STYLE}" title="No citation supports this sentence">⚠ {needle}</span>',
                1,
            )
    return escaped


def render_table(table: ResultTable, page_link: Callable[[int, int], str]) -> str:
    """An HTML table whose cells link to the page they came from (``page_link(row, column)``)."""

    def cell_html(row: int, column: int, cell: TableCell) -> str:
        body = _escape(cell.text).replace("\n", "<br>")
        if cell.pages and cell.path:
            pages = ", ".join(map(str, cell.pages))
            body += f' <a href="{page_link(row, column)}">p.&nbsp;{pages}</a>'
        return f"<td>{body}</td>"

    header = "".join(f'<th align="left">{_escape(c)}</th>' for c in table.columns)
    rows = "".join(
        "<tr>" + "".join(cell_html(r, c, cell) for c, cell in enumerate(row)) + "</tr>"
        for r, row in enumerate(table.rows)
    )
    return f"<table {TABLE_ATTRIBUTES}><tr>{header}</tr>{rows}</table>"


def _render_tool_answer(turn: int, details: dict[str, Any]) -> str | None:
    """A summary or extraction reply as a table with page links, or None for other tool replies."""
    table = answer_table(details)
    if table is None:
        return None
    return (
        f'<p style="{ANSWER_STYLE}"><b>{_escape(table.title)}</b></p>'
        + render_table(table, lambda r, c: f"{PAGE_SCHEME}:{turn}/{r}/{c}")
        + f'<p style="{SOURCES_STYLE}">Every row was checked against the page it links to. '
        f'<a href="{TABLE_SCHEME}:{turn}">Open as a table to export (CSV, Markdown)</a></p>'
    )


def render_answer(turn: int, details: dict[str, Any]) -> str:
    """HTML for one finished answer and its sources (or closest passages when not found)."""
    tool_reply = _render_tool_answer(turn, details)
    if tool_reply is not None:
        return tool_reply
    text = str(details.get("answer", ""))
    citations: list[dict[str, Any]] = list(details.get("citations", []))
    parts: list[str] = []
    if not details.get("found", False) and not details.get("cancelled", False):
        parts.append(f'<p style="{NOT_FOUND_STYLE}">{_escape(text)}</p>')
        closest: list[dict[str, Any]] = list(details.get("closest", []))
        if closest:
            parts.append(f'<p style="{SOURCES_STYLE}">Closest passages:<br>')
            for index, passage in enumerate(closest):
                label = f"{_escape(str(passage.get('document', '')))}, page {passage.get('page', '?')}"
                parts.append(f'&nbsp;&nbsp;<a href="{PASSAGE_SCHEME}:{turn}/{index}">{label}</a><br>')
            parts.append("</p>")
        return "".join(parts)
    body = _escape(text)
    body = _flag_uncited(body, [str(s) for s in details.get("uncited_sentences", [])])
    body = _link_citations(body, turn, {int(c["n"]) for c in citations})
    body = body.replace("\n", "<br>")
    parts.append(f'<p style="{ANSWER_STYLE}">{body}</p>')
    if details.get("cancelled"):
        parts.append(f'<p style="{SOURCES_STYLE}"><i>Stopped before the answer was complete.</i></p>')
    elif details.get("trace") and not citations:
        steps = ", ".join(_escape(str(step.get("tool", ""))) for step in details["trace"])
        parts.append(f'<p style="{SOURCES_STYLE}">Worked out with: {steps}</p>')
    elif not citations:
        parts.append(
            f'<p style="{SOURCES_STYLE}">⚠ This answer cites no passage: it may not come from your '
            "documents. Check it with a search (Ctrl+F).</p>"
        )
    elif not details.get("verified", False):
        parts.append(
            f'<p style="{SOURCES_STYLE}">⚠ Not every sentence cites a passage: check the highlighted '
            "sentences against the sources.</p>"
        )
    if citations:
        parts.append(f'<p style="{SOURCES_STYLE}"><b>Sources</b><br>')
        for c in citations:
            label = f"[{c['n']}] {_escape(str(c['document']))}, page {c['page']}"
            parts.append(f'&nbsp;&nbsp;<a href="{CITE_SCHEME}:{turn}/{c["n"]}">{label}</a><br>')
        parts.append("</p>")
    return "".join(parts)


def render_question(question: str) -> str:
    return f'<p style="{QUESTION_STYLE}">You: {_escape(question)}</p>'


def render_conversation(turns: list[dict[str, Any]]) -> str:
    """The whole conversation; each turn is ``{"question": ..., "details": Answer.to_json()}``."""
    return "".join(
        render_question(str(t["question"])) + render_answer(i, t["details"]) for i, t in enumerate(turns)
    )


def _citing_sentences(answer: str, number: int) -> str:
    """The sentences of ``answer`` that carry citation ``[number]``."""
    marker = f"[{number}]"
    return " ".join(s for s in re.split(r"(?<=[.!?])\s+", answer) if marker in s)


def table_target(table: ResultTable, row: int, column: int) -> SourceTarget | None:
    """The first page a table cell links to, with the cell's text to mark there."""
    try:
        cell = table.rows[row][column]
    except IndexError:
        return None
    if not cell.pages or not cell.path:
        return None
    return SourceTarget(cell.path, cell.document, cell.pages[0], cell.text, cell.text)


def turn_table(url: str, turns: list[dict[str, Any]]) -> ResultTable | None:
    """The table of the turn a ``quire-table:`` link names."""
    try:
        details = turns[int(url.partition(":")[2])]["details"]
    except (ValueError, IndexError, KeyError):
        return None
    return answer_table(details)


def resolve_link(url: str, turns: list[dict[str, Any]]) -> SourceTarget | None:
    """The page a clicked ``quire-cite:``, ``quire-passage:`` or ``quire-page:`` link points at."""
    scheme, _, rest = url.partition(":")
    if scheme == PAGE_SCHEME:
        try:
            turn, row, column = (int(part) for part in rest.split("/"))
            table = answer_table(turns[turn]["details"])
        except (ValueError, IndexError, KeyError):
            return None
        return table_target(table, row, column) if table is not None else None
    try:
        turn_text, _, item_text = rest.partition("/")
        details = turns[int(turn_text)]["details"]
        item = int(item_text)
    except (ValueError, IndexError, KeyError):
        return None
    if scheme == CITE_SCHEME:
        for c in details.get("citations", []):
            if int(c["n"]) == item:
                focus = _citing_sentences(str(details.get("answer", "")), item)
                return SourceTarget(str(c["path"]), str(c["document"]), int(c["page"]), str(c["text"]), focus)
    elif scheme == PASSAGE_SCHEME:
        closest = details.get("closest", [])
        if 0 <= item < len(closest):
            p = closest[item]
            return SourceTarget(str(p["path"]), str(p["document"]), int(p["page"]), str(p["text"]))
    return None
