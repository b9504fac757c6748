"""Rich-text rendering of a conversation: questions, answers, citation links, sources.

Pure functions from typed answers (``Answer``, its ``Citation``s and ``SearchHit``s) to
HTML for a ``QTextBrowser``. The app rebuilds a stored turn with ``Answer.from_json``, so
a conversation renders the same after a restart as when it was asked. A citation ``[n]``
in turn ``t`` becomes a link ``quire-cite:t/n``; a closest passage of a not-found answer
becomes ``quire-passage:t/i``.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.answering.types import Confidence, SentenceKind
from assistant.documents.tables import ResultTable, TableCell, answer_table

if TYPE_CHECKING:
    from assistant.answering.types import Answer

CITE_SCHEME = "quire-cite"
PASSAGE_SCHEME = "quire-passage"
PAGE_SCHEME = "quire-page"  # quire-page:t/row/column: a page a table cell came from
TABLE_SCHEME = "quire-table"  # quire-table:t: open turn t's table to export it

_MARKER = re.compile(r"\[(\d+)\]")

QUESTION_STYLE = "margin-top:14px; margin-bottom:4px; color:#1d3557; font-weight:600;"
ANSWER_STYLE = "margin:2px 0 4px 0;"
NOT_FOUND_STYLE = "background-color:#f1f1f1; color:#555555; padding:6px; font-style:italic;"
UNCITED_STYLE = "background-color:#fff3cd;"
QUOTE_STYLE = "margin:2px 0 2px 14px; color:#3a3a3a; font-style:italic;"
NOT_STATED_STYLE = "margin:2px 0 2px 0; color:#6b4e00;"
REVIEW_STYLE = "background-color:#fde2e1; color:#7a1c14; padding:4px; margin:4px 0;"
CONFIDENCE_STYLE = "color:#2d6a4f; font-size:small; margin:0 0 0 12px;"
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


def _render_tool_answer(turn: int, answer: Answer) -> str | None:
    """A summary, extraction or dates reply as a table with page links, or None for other tool replies.

    The notes a list of dates carries (a document with no dates, a scan without text, an
    ambiguous reading) come under the table: an empty or short list must say why.
    """
    table = answer_table(answer)
    if table is None:
        return None
    result = answer.tool_result or {}
    value = result.get("value")
    notes = value.get("notes") if isinstance(value, dict) else None
    shown = (
        f'<p style="{NOT_STATED_STYLE}">' + "<br>".join(f"Note: {_escape(str(n))}" for n in notes) + "</p>"
        if isinstance(notes, list) and notes
        else ""
    )
    checked = "Every row was checked against the page it links to."
    if result.get("tool") == "list_dates":
        checked = "Each date is read from the sentence it links to; a deadline shows its rule and sum."
    if not table.rows and result.get("tool") == "list_dates":  # "No deadlines were found ..."
        first_line = answer.answer.split("\n", 1)[0]
        body = f'<p style="{NOT_FOUND_STYLE}">{_escape(first_line)}</p>'
    else:
        body = render_table(table, lambda r, c: f"{PAGE_SCHEME}:{turn}/{r}/{c}")
    return (
        f'<p style="{ANSWER_STYLE}"><b>{_escape(table.title)}</b></p>'
        + body
        + shown
        + f'<p style="{SOURCES_STYLE}">{checked} '
        f'<a href="{TABLE_SCHEME}:{turn}">Open as a table to export (CSV, Markdown)</a></p>'
    )


def _render_not_found(turn: int, answer: Answer) -> str:
    """The decline, set apart, and the closest passages to check by hand."""
    parts = [f'<p style="{NOT_FOUND_STYLE}">{_escape(answer.answer)}</p>']
    if answer.passages:
        parts.append(f'<p style="{SOURCES_STYLE}">Closest passages:<br>')
        for index, passage in enumerate(answer.passages):
            label = f"{_escape(passage.document)}, page {passage.page}"
            parts.append(f'&nbsp;&nbsp;<a href="{PASSAGE_SCHEME}:{turn}/{index}">{label}</a><br>')
        parts.append("</p>")
    return "".join(parts)


def _render_sentences(turn: int, answer: Answer) -> str:
    """The direct answer, then each quoted sentence set apart, then what the documents lack."""
    valid = {c.n for c in answer.citations}
    out = []
    for sentence in answer.sentences:
        body = _escape(sentence.text)
        if sentence.kind is SentenceKind.ANSWER and not sentence.supported:
            body = (
                f'<span style="{UNCITED_STYLE}" title="No sentence of the passages backs this">'
                f"⚠ {body}</span>"
            )
        markers = " ".join(f"[{n}]" for n in sentence.citations)
        body = _link_citations(f"{body} {markers}".rstrip(), turn, valid)
        style = {
            SentenceKind.QUOTE: QUOTE_STYLE,
            SentenceKind.NOT_STATED: NOT_STATED_STYLE,
        }.get(sentence.kind, ANSWER_STYLE)
        out.append(f'<p style="{style}">{body}</p>')
    return "".join(out)


def _render_confidence(answer: Answer) -> str:
    """The "check the source" state for a low-confidence answer; a quiet label otherwise."""
    if answer.confidence is Confidence.LOW:
        return (
            f'<p style="{REVIEW_STYLE}"><b>Check the source.</b> Quire could not confirm this answer '
            "from a sentence of your documents: open the citation or search before relying on it.</p>"
        )
    label = (
        "High confidence" if answer.confidence is Confidence.HIGH else "Medium confidence: read the quotes"
    )
    return f'<p style="{CONFIDENCE_STYLE}">{label}</p>'


def render_answer(turn: int, answer: Answer, shared_titles: frozenset[str] = frozenset()) -> str:
    """HTML for one finished answer and its sources (or closest passages when not found).

    ``shared_titles``: titles that more than one document of the library carries (two
    versions of one contract); a source with one of them is named by its file too.
    """
    tool_reply = _render_tool_answer(turn, answer)
    if tool_reply is not None:
        return tool_reply
    if not answer.found and not answer.cancelled:
        return _render_not_found(turn, answer)
    citations = answer.citations
    if answer.sentences and not answer.cancelled:
        parts = [_render_sentences(turn, answer), _render_confidence(answer)]
    else:  # a stopped answer, a tool's free text, or a turn stored before sentences existed
        body = _escape(answer.answer)
        body = _flag_uncited(body, answer.uncited_sentences)
        body = _link_citations(body, turn, {c.n for c in citations})
        body = body.replace("\n", "<br>")
        parts = [f'<p style="{ANSWER_STYLE}">{body}</p>']
    if answer.cancelled:
        parts.append(f'<p style="{SOURCES_STYLE}"><i>Stopped before the answer was complete.</i></p>')
    elif answer.trace and not citations:
        steps = ", ".join(_escape(str(step.get("tool", ""))) for step in answer.trace)
        parts.append(f'<p style="{SOURCES_STYLE}">Worked out with: {steps}</p>')
    elif not citations:
        parts.append(
            f'<p style="{SOURCES_STYLE}">⚠ This answer cites no passage: it may not come from your '
            "documents. Check it with a search (Ctrl+F).</p>"
        )
    elif not answer.verified and not answer.sentences:
        parts.append(
            f'<p style="{SOURCES_STYLE}">⚠ Not every sentence cites a passage: check the highlighted '
            "sentences against the sources.</p>"
        )
    if citations:
        parts.append(f'<p style="{SOURCES_STYLE}"><b>Sources</b><br>')
        # Two versions of one contract share a title: their file names tell the sources apart,
        # whether both are cited or only one ("Commercial Lease Agreement" is then which?).
        cited = {(c.document, c.path) for c in citations}
        named_by_file = shared_titles | titles_shared([title for title, _ in cited])
        for c in citations:
            name = f"{c.document} ({Path(c.path).name})" if c.document in named_by_file else c.document
            label = f"[{c.n}] {_escape(name)}, page {c.page}"
            parts.append(f'&nbsp;&nbsp;<a href="{CITE_SCHEME}:{turn}/{c.n}">{label}</a><br>')
        parts.append("</p>")
    return "".join(parts)


def render_question(question: str) -> str:
    return f'<p style="{QUESTION_STYLE}">You: {_escape(question)}</p>'


def render_conversation(turns: Sequence[Answer], shared_titles: frozenset[str] = frozenset()) -> str:
    """The whole conversation, one answer (and the question it answers) per turn."""
    return "".join(
        render_question(answer.question) + render_answer(i, answer, shared_titles)
        for i, answer in enumerate(turns)
    )


def titles_shared(titles: Sequence[str]) -> frozenset[str]:
    """The titles that more than one of ``titles`` (one per document) carries."""
    counts = Counter(titles)
    return frozenset(title for title, count in counts.items() if count > 1)


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


def _turn(turns: Sequence[Answer], number: str) -> Answer | None:
    try:
        index = int(number)
    except ValueError:
        return None
    return turns[index] if 0 <= index < len(turns) else None


def turn_table(url: str, turns: Sequence[Answer]) -> ResultTable | None:
    """The table of the turn a ``quire-table:`` link names."""
    answer = _turn(turns, url.partition(":")[2])
    return answer_table(answer) if answer is not None else None


def resolve_link(url: str, turns: Sequence[Answer]) -> SourceTarget | None:
    """The page a clicked ``quire-cite:``, ``quire-passage:`` or ``quire-page:`` link points at."""
    scheme, _, rest = url.partition(":")
    turn_text, _, item_text = rest.partition("/")
    answer = _turn(turns, turn_text)
    if answer is None:
        return None
    if scheme == PAGE_SCHEME:
        table = answer_table(answer)
        try:
            row, column = (int(part) for part in item_text.split("/"))
        except ValueError:
            return None
        return table_target(table, row, column) if table is not None else None
    try:
        item = int(item_text)
    except ValueError:
        return None
    if scheme == CITE_SCHEME:
        for c in answer.citations:
            if c.n == item:
                focus = c.quote or _citing_sentences(answer.answer, item)
                return SourceTarget(c.path, c.document, c.page, c.text, focus)
    elif scheme == PASSAGE_SCHEME and 0 <= item < len(answer.passages):
        p = answer.passages[item]
        return SourceTarget(p.path, p.document, p.page, p.text)
    return None
