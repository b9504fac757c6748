"""Word .docx: paragraphs, headings as Markdown ``#`` lines, lists, tables, page breaks.

A .docx has no fixed pages: Word lays them out when it opens the file. Two marks in the
XML tell where pages fell, and we honour both so page numbers match what the author saw:

- ``<w:br w:type="page"/>``, an explicit page break the author inserted;
- ``<w:lastRenderedPageBreak/>``, written by Word where a page started the last time it
  laid the document out (absent in files made by other tools).

Word writes both for one explicit break (the break, then a rendered mark at the start of
the next page), so a break with no text since the previous break counts once, unless both
are explicit (an intentionally blank page). A file with neither mark is one page; we do
not invent pages of N characters, because a made-up page number in a citation would
send the reader to the wrong place.

Tables become one line per row with cells separated by `` | ``; a page break inside a
table row takes effect after that row. Text boxes are read once (the VML fallback copy
Word stores beside them is skipped).
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn

from assistant.ingest.normalize import pick_title
from assistant.ingest.types import ExtractedDocument, IngestError, Page

log = logging.getLogger(__name__)

_HEADING = re.compile(r"^heading (\d)$", re.IGNORECASE)
_W_P, _W_TBL, _W_TR, _W_TC, _W_SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_W_T, _W_TAB, _W_BR, _W_CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_W_RENDERED = qn("w:lastRenderedPageBreak")
_W_NB_HYPHEN = qn("w:noBreakHyphen")
_W_TYPE = qn("w:type")
_SKIPPED = {
    qn("w:pPr"),
    qn("w:rPr"),
    qn("w:delText"),
    qn("w:instrText"),
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
}


@dataclass
class _Break:
    rendered: bool


@dataclass
class _Pages:
    """Accumulates text blocks into pages, merging the double marks of one break."""

    pages: list[list[str]] = field(default_factory=lambda: [[]])
    text_since_break: bool = False
    last_break_rendered: bool = False

    def add(self, block: str) -> None:
        if block.strip():
            self.pages[-1].append(block)
            self.text_since_break = True

    def page_break(self, rendered: bool) -> None:
        if not self.text_since_break and (rendered or self.last_break_rendered):
            return
        self.pages.append([])
        self.text_since_break = False
        self.last_break_rendered = rendered


def load_docx(path: Path, data: bytes) -> ExtractedDocument:
    """Load a .docx file; see the module docstring for how pages are found."""
    try:
        document = docx.Document(io.BytesIO(data))
        styles = {style.style_id: style.name or "" for style in document.styles}
        body = document.element.body
        core_title = document.core_properties.title
    except Exception as exc:
        log.info("python-docx cannot open %s: %s", path, exc)
        raise IngestError(
            path, "not a valid .docx file (damaged, or an old .doc/.rtf file renamed to .docx)"
        ) from None
    pages = _Pages()
    _body_blocks(body, styles, pages)
    return ExtractedDocument(
        path=path,
        title=pick_title(core_title, path),
        format="docx",
        pages=[Page(number=i, text="\n\n".join(blocks)) for i, blocks in enumerate(pages.pages, start=1)],
    )


def _body_blocks(container: Any, styles: dict[str, str], pages: _Pages) -> None:
    for child in container.iterchildren():
        if child.tag == _W_P:
            _paragraph(child, styles, pages)
        elif child.tag == _W_TBL:
            _table(child, pages)
        elif child.tag == _W_SDT:
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                _body_blocks(content, styles, pages)


def _paragraph(p: Any, styles: dict[str, str], pages: _Pages) -> None:
    prefix = _paragraph_prefix(p, styles)
    buffer: list[str] = []
    for event in _inline_events(p):
        if isinstance(event, _Break):
            pages.add(prefix + "".join(buffer).strip())
            buffer = []
            pages.page_break(event.rendered)
        else:
            buffer.append(event)
    pages.add(prefix + "".join(buffer).strip())


def _paragraph_prefix(p: Any, styles: dict[str, str]) -> str:
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        return ""
    style = ppr.find(qn("w:pStyle"))
    name = styles.get(style.get(qn("w:val")), "") if style is not None else ""
    heading = _HEADING.match(name)
    if heading:
        return "#" * int(heading.group(1)) + " "
    if name.lower() == "title":
        return "# "
    if ppr.find(qn("w:numPr")) is not None or name.lower().startswith("list"):
        return "- "
    return ""


def _inline_events(element: Any) -> list[str | _Break]:
    """Text pieces and page breaks of one paragraph (or cell) in document order."""
    events: list[str | _Break] = []
    for child in element.iterchildren():
        tag = child.tag
        if tag in _SKIPPED or not isinstance(tag, str):
            continue
        if tag == _W_T:
            events.append(child.text or "")
        elif tag == _W_TAB:
            events.append("\t")
        elif tag == _W_BR:
            if child.get(_W_TYPE) == "page":
                events.append(_Break(rendered=False))
            else:
                events.append("\n")
        elif tag == _W_CR:
            events.append("\n")
        elif tag == _W_NB_HYPHEN:
            events.append("-")
        elif tag == _W_RENDERED:
            events.append(_Break(rendered=True))
        elif tag == _W_P:
            events.append("\n")
            events.extend(_inline_events(child))
            events.append("\n")
        else:
            events.extend(_inline_events(child))
    return events


def _table(tbl: Any, pages: _Pages) -> None:
    rows: list[str] = []
    for row in tbl.iterchildren(_W_TR):
        cells: list[str] = []
        breaks: list[_Break] = []
        for cell in row.iterchildren(_W_TC):
            pieces: list[str] = []
            for event in _inline_events(cell):
                if isinstance(event, _Break):
                    breaks.append(event)
                else:
                    pieces.append(event)
            cells.append(" ".join("".join(pieces).split()))
        if any(cells):
            rows.append(" | ".join(cells))
        if breaks:
            pages.add("\n".join(rows))
            rows = []
            for brk in breaks:
                pages.page_break(brk.rendered)
    pages.add("\n".join(rows))
