"""HTML: visible text with its structure (headings, paragraphs, lists, table rows).

Saved web pages carry scripts, styles and templates that are not text a reader sees;
those are dropped. Headings become Markdown ``#`` lines so the chunker can follow
sections, list items become ``- `` lines, and table rows become one line with cells
separated by `` | ``. An HTML file is one page.

The file's bytes go to BeautifulSoup undecoded so that it honours the ``<meta charset>``
and byte-order mark, falling back to its own detection.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Tag

from assistant.ingest.normalize import pick_title
from assistant.ingest.types import ExtractedDocument, IngestError, Page

log = logging.getLogger(__name__)

_DROPPED = ["script", "style", "noscript", "template", "head", "svg", "iframe", "object"]
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_BLOCKS = {
    "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "blockquote",
    "pre", "address", "figure", "figcaption", "form", "fieldset", "dl", "dt", "dd", "ul", "ol",
    "table", "thead", "tbody", "tfoot", "caption", "hr", "details", "summary",
}  # fmt: skip
_SPACE = re.compile(r"\s+")


def load_html(path: Path, data: bytes) -> ExtractedDocument:
    """Load an .html/.htm file as one page of structured text."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(path, "binary data, not HTML (is the file extension wrong?)")
    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as exc:
        log.info("cannot parse %s: %s", path, exc)
        raise IngestError(path, f"HTML could not be parsed ({type(exc).__name__})") from None
    title_tag = soup.find("title")
    raw_title = title_tag.get_text(" ", strip=True) if title_tag else None
    for element in soup.find_all(_DROPPED):
        element.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    root = soup.body or soup
    lines: list[str] = []
    _render(root, lines, [])
    text = "\n".join(lines)
    return ExtractedDocument(
        path=path, title=pick_title(raw_title, path), format="html", pages=[Page(1, text)]
    )


def _render(node: Tag, lines: list[str], inline: list[str]) -> None:
    """Walk the tree, writing finished lines to ``lines`` and gathering inline text."""
    for child in node.children:
        if isinstance(child, Tag):
            name = child.name.lower()
            if name in _HEADINGS:
                _flush(lines, inline)
                heading = _SPACE.sub(" ", child.get_text(" ")).strip()
                if heading:
                    lines.extend(["", "#" * _HEADINGS[name] + " " + heading, ""])
            elif name == "br":
                _flush(lines, inline)
            elif name == "li":
                _flush(lines, inline)
                item: list[str] = []
                _render(child, lines, item)
                text = _SPACE.sub(" ", "".join(item)).strip()
                if text:
                    lines.append("- " + text)
            elif name == "tr":
                _flush(lines, inline)
                cells = [
                    _SPACE.sub(" ", cell.get_text(" ")).strip()
                    for cell in child.find_all(["td", "th"], recursive=False)
                ]
                if any(cells):
                    lines.append(" | ".join(cells))
            elif name == "pre":
                _flush(lines, inline)
                lines.extend(["", child.get_text(), ""])
            elif name in _BLOCKS:
                _flush(lines, inline)
                _render(child, lines, inline)
                _flush(lines, inline)
                if name in {"p", "blockquote", "table", "ul", "ol", "dl"}:
                    lines.append("")
            else:
                _render(child, lines, inline)
        else:
            inline.append(str(child))


def _flush(lines: list[str], inline: list[str]) -> None:
    text = _SPACE.sub(" ", "".join(inline)).strip()
    if text:
        lines.append(text)
    inline.clear()
