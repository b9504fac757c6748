"""Plain text and Markdown: decode the bytes right, split pages at form feeds.

Encoding, in order: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; then UTF-16
without a BOM when the NUL bytes sit on every other position (Windows tools write it);
then NUL bytes or many control characters mean binary data misnamed as text; then
strict UTF-8; then Windows-1252 when it decodes every byte; then Latin-1, which always
decodes. Old Windows documents are cp1252 far more often than Latin-1, and cp1252 is a
superset of Latin-1's printable characters.

Pages: a form feed (``\\f``, which printers and ``pdftotext`` use between pages) starts a
new page; a file without one is a single page.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from assistant.ingest.types import ExtractedDocument, IngestError, Page

log = logging.getLogger(__name__)

_SAMPLE_BYTES = 64 * 1024
_MAX_CONTROL_SHARE = 0.05
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = {0x09, 0x0A, 0x0C, 0x0D, 0x1A, 0x1B}
_MD_TITLE = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def load_text(path: Path, data: bytes) -> ExtractedDocument:
    """Load a .txt or .md file; Markdown keeps its markup (headings are already ``#``)."""
    text = decode_text(path, data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = [Page(number=i, text=part) for i, part in enumerate(text.split("\f"), start=1)]
    fmt = "markdown" if path.suffix.lower() in {".md", ".markdown"} else "text"
    title = path.stem
    if fmt == "markdown":
        match = _MD_TITLE.search(text)
        if match:
            title = match.group(1).strip()
    return ExtractedDocument(path=path, title=title, format=fmt, pages=pages)


def decode_text(path: Path, data: bytes) -> str:
    """Decode file bytes to text, or raise ``IngestError`` for binary data."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_or_fail(path, data, codec)
    utf16 = _guess_bomless_utf16(data)
    if utf16:
        return _decode_or_fail(path, data, utf16)
    if _looks_binary(data):
        raise IngestError(path, "binary data, not text (is the file extension wrong?)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        log.info("%s is not UTF-8; decoded as Windows-1252", path)
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        log.info("%s is not UTF-8; decoded as Latin-1", path)
    return text


def _decode_or_fail(path: Path, data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise IngestError(
            path, f"text is not valid {codec.upper()} despite its byte-order mark ({exc.reason})"
        ) from None


def _guess_bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when ASCII-range text was stored as UTF-16 without a BOM."""
    sample = data[:_SAMPLE_BYTES]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    half = len(sample) // 2
    if odd.count(0) > 0.4 * half and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.4 * half and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:_SAMPLE_BYTES]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in _ALLOWED_CONTROLS)
    return controls > _MAX_CONTROL_SHARE * len(sample)
