"""Clean extracted page text so chunks embed and cite well.

Every rule here is conservative on purpose: a wrong join or a dropped line silently
changes what a citation points at, while a leftover line break costs nothing.
Page numbers are never changed and no page is ever dropped (a page may become empty).

Rules, in order:

1. Unicode: NFC, typographic ligatures (``ﬁ`` -> ``fi``) expanded, non-breaking and
   other unusual spaces become plain spaces, control characters other than newline
   and tab are removed, line endings become ``\\n``.
2. Repeated headers and footers: in documents with at least 3 pages, a line among the
   first or last two non-blank lines of a page is dropped when the same line (compared
   case-insensitively, with runs of digits replaced, so ``Page 3 of 9`` matches
   ``Page 4 of 9``) sits in that zone on at least 60% of the pages.
3. Hyphenation: a line ending in ``letter-`` followed by a line starting with a
   lowercase letter is joined without the hyphen (``manage-\\nment`` -> ``management``).
   At line ends in typeset text a hyphen is far more often a soft break than part of a
   compound, so ``well-\\nknown`` becomes ``wellknown``; we accept that rare loss rather
   than keep every ``manage- ment``. When the next line starts with an uppercase letter
   or digit (``Jean-\\nPierre``, ``COVID-\\n19``) the hyphen is kept and the parts are
   joined directly; anything else after the hyphen stays on its own line.
   A soft hyphen (U+00AD) at a line end always joins.
4. Whitespace: runs of spaces and tabs collapse to one space, lines are stripped,
   two or more blank lines become one blank line (a paragraph break).
5. Unwrapping: a single newline inside a paragraph becomes a space only when it is
   clearly a soft wrap: the line does not end a sentence or a clause (``.!?:;``), the
   next line starts with a lowercase letter, and neither line looks structural (a
   Markdown heading, a list item, a table row with ``|``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

from assistant.ingest.types import Page

HEADER_FOOTER_MIN_PAGES = 3
HEADER_FOOTER_MIN_SHARE = 0.6
_ZONE_LINES = 2

_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
    }
)
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]")
_DIGITS = re.compile(r"\d+")
_HYPHEN_END = re.compile(r"([^\W\d_])-$")
_STRUCTURAL = re.compile(r"^(#{1,6}\s|[-*+•]\s|\d{1,3}[.)]\s|\|)|\|")
_SENTENCE_END = (".", "!", "?", ":", ";")
_JUNK_TITLES = {"untitled", "title", "document", "microsoft word", "slide 1", "none", "unknown", "pdf"}
_FILE_LIKE_TITLE = re.compile(r"\.(docx?|pdf|rtf|odt|txt|html?|tmp|qxd|indd|tex|dvi)$", re.IGNORECASE)


def normalize_pages(pages: list[Page]) -> list[Page]:
    """Return cleaned copies of ``pages``, same count and same page numbers."""
    texts = [_clean_characters(page.text) for page in pages]
    texts = _remove_headers_footers(texts)
    return [
        Page(number=page.number, text=_clean_layout(text)) for page, text in zip(pages, texts, strict=True)
    ]


def pick_title(candidate: str | None, path: Path) -> str:
    """The document's own title when it is meaningful, else the file name without extension.

    Metadata titles are often junk ("Untitled", "Microsoft Word - draft3.doc"), and a
    junk title in the library list is worse than the file name the user chose.
    """
    if candidate:
        title = _SPACES.sub(" ", _CONTROL.sub("", candidate)).strip()
        title = re.sub(r"^Microsoft (Word|PowerPoint|Excel) - ", "", title)
        if (
            3 <= len(title) <= 200
            and any(ch.isalpha() for ch in title)
            and title.lower() not in _JUNK_TITLES
            and not _FILE_LIKE_TITLE.search(title)
        ):
            return title
    return path.stem


def _clean_characters(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).translate(_LIGATURES)
    return _CONTROL.sub("", text)


def _zone_indices(lines: list[str]) -> list[int]:
    """Indices of the first and last few non-blank lines (the header and footer zones)."""
    non_blank = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(non_blank[:_ZONE_LINES] + non_blank[-_ZONE_LINES:]))


def _header_key(line: str) -> str:
    return _DIGITS.sub("#", _SPACES.sub(" ", line).strip().lower())


def _remove_headers_footers(texts: list[str]) -> list[str]:
    if len(texts) < HEADER_FOOTER_MIN_PAGES:
        return texts
    split = [text.split("\n") for text in texts]
    counts: Counter[str] = Counter()
    for lines in split:
        counts.update({_header_key(lines[i]) for i in _zone_indices(lines)})
    threshold = HEADER_FOOTER_MIN_SHARE * len(texts)
    repeated = {key for key, count in counts.items() if key and count >= threshold}
    if not repeated:
        return texts
    result = []
    for lines in split:
        drop = {i for i in _zone_indices(lines) if _header_key(lines[i]) in repeated}
        result.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    if not any(text.strip() for text in result):
        # Every line was "repeated": that is the body of short pages, not a header.
        return texts
    return result


def _clean_layout(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(_join_lines(p)) for p in paragraphs if p)


def _join_lines(lines: list[str]) -> list[str]:
    """Join hyphenated and soft-wrapped lines of one paragraph (see the module rules)."""
    out: list[str] = []
    for line in lines:
        if not out:
            out.append(line)
            continue
        prev = out[-1]
        first = line[0]
        if prev.endswith("\u00ad"):
            out[-1] = prev[:-1] + line
        elif _HYPHEN_END.search(prev) and first.isalnum() and not _STRUCTURAL.search(line):
            out[-1] = (prev[:-1] if first.islower() else prev) + line
        elif (
            first.islower()
            and not prev.endswith(_SENTENCE_END)
            and not _STRUCTURAL.search(prev)
            and not _STRUCTURAL.search(line)
        ):
            out[-1] = f"{prev} {line}"
        else:
            out.append(line)
    return out
