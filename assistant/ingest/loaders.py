"""One entry point that turns any supported file into pages: ``load_document``.

The dispatcher owns everything that is the same for every format: the file must exist,
be a regular readable file, be non-empty and under the size limit; then it reads the
bytes once (so a file deleted or replaced half-way cannot yield half a document), hands
them to the loader for the extension, and normalises the pages. Every failure is an
``IngestError`` whose message names the file and says what to do.
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable
from pathlib import Path

from assistant.ingest.html_loader import load_html
from assistant.ingest.normalize import normalize_pages
from assistant.ingest.office import load_docx
from assistant.ingest.pdf import load_pdf
from assistant.ingest.text import load_text
from assistant.ingest.types import ExtractedDocument, IngestError

log = logging.getLogger(__name__)

Loader = Callable[[Path, bytes], ExtractedDocument]

_LOADERS: dict[str, Loader] = {
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".txt": load_text,
    ".md": load_text,
    ".markdown": load_text,
    ".html": load_html,
    ".htm": load_html,
}

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(_LOADERS)

_MB = 1024 * 1024


def load_document(path: Path, *, max_file_bytes: int) -> ExtractedDocument:
    """Read ``path`` into pages of normalised text, or raise ``IngestError``.

    ``max_file_bytes`` protects the app from files that would take minutes and
    gigabytes to parse; it is checked before a single byte is read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    size = _check_file(path)
    loader = _LOADERS.get(suffix)
    if loader is None:
        shown = f"'{suffix}'" if suffix else "without an extension"
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        raise IngestError(path, f"unsupported file type {shown} (supported: {supported})")
    if size == 0:
        raise IngestError(path, "file is empty")
    if size > max_file_bytes:
        raise IngestError(
            path,
            f"file is {_format_mb(size)}, over the {_format_mb(max_file_bytes)} limit "
            "(raise it with `index.max_file_mb` in settings.json or --max-file-mb)",
        )
    data = _read_bytes(path)
    if not data:
        raise IngestError(path, "file is empty")
    doc = loader(path, data)
    doc.pages = normalize_pages(doc.pages)
    if not doc.needs_ocr and not any(page.text for page in doc.pages):
        if doc.format == "pdf":
            raise IngestError(path, "no extractable text and no scanned images")
        raise IngestError(path, "no extractable text (the file holds only markup or whitespace)")
    log.debug("loaded %s: %d pages, %d need OCR", path, doc.page_count, len(doc.needs_ocr))
    return doc


def _check_file(path: Path) -> int:
    """Return the file's size, or raise with the reason it cannot be read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise IngestError(path, "file not found") from None
    except PermissionError:
        raise IngestError(path, "permission denied (Quire may not read this file or its folder)") from None
    except OSError as exc:
        raise IngestError(path, f"cannot access the file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise IngestError(path, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(path, "not a regular file")
    return info.st_size


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise IngestError(path, "file disappeared while reading") from None
    except PermissionError:
        raise IngestError(path, "permission denied (Quire may not read this file)") from None
    except OSError as exc:
        raise IngestError(path, f"read error ({exc.strerror or exc})") from None


def _format_mb(size: int) -> str:
    value = f"{size / _MB:.1f}".removesuffix(".0")
    return f"{value} MB"
