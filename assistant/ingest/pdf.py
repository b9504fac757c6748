"""PDF: text layer per page with pypdf; pages without text but with images go to OCR.

One pypdf page is one page number (1-based, the number a viewer shows as the page's
position), so citations can be checked in any viewer.

pypdf parses untrusted files and raises almost any exception type on malformed input
(KeyError, AttributeError, RecursionError...), so calls into it catch ``Exception`` and
turn it into a warning for that page, or an ``IngestError`` for the whole file.

pdfium is the fallback when pypdf cannot open a file at all: it repairs broken cross
reference tables more often, and it decrypts AES-encrypted files (pypdf needs the
optional ``cryptography`` package for AES, which Quire does not ship).
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from assistant.ingest.normalize import pick_title
from assistant.ingest.ocr_layout import boxes_to_text, find_gutters
from assistant.ingest.pdf_runs import page_runs
from assistant.ingest.types import ExtractedDocument, IngestError, Page

log = logging.getLogger(__name__)

NEEDS_PASSWORD = "PDF is encrypted and needs a password"
_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s")
_MAX_FORM_DEPTH = 5


def load_pdf(path: Path, data: bytes) -> ExtractedDocument:
    """Load a PDF's text layer; see the module docstring for the rules."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except DependencyError:
                log.info("%s uses AES encryption; reading it with pdfium", path)
                return _load_with_pdfium(path, data, "encrypted with AES")
            if decrypted == PasswordType.NOT_DECRYPTED:
                raise IngestError(path, NEEDS_PASSWORD)
        page_count = len(reader.pages)
    except IngestError:
        raise
    except Exception as exc:
        log.info("pypdf cannot open %s (%s); trying pdfium", path, exc)
        return _load_with_pdfium(path, data, _describe(exc))
    if page_count == 0:
        raise IngestError(path, "PDF has no pages")

    pages: list[Page] = []
    needs_ocr: list[int] = []
    warnings: list[str] = []
    columns = _ColumnReader(path, data)
    for number in range(1, page_count + 1):
        text = ""
        page: Any = None
        try:
            page = reader.pages[number - 1]
            text = columns.text(number) or page.extract_text() or ""
        except Exception as exc:
            warnings.append(f"page {number}: text could not be extracted ({_describe(exc)})")
        if not text.strip() and page is not None and _pypdf_page_has_images(page):
            needs_ocr.append(number)
        pages.append(Page(number=number, text=text))
    columns.close()
    return ExtractedDocument(
        path=path,
        title=pick_title(_pypdf_title(reader), path),
        format="pdf",
        pages=pages,
        needs_ocr=needs_ocr,
        warnings=warnings,
    )


class _ColumnReader:
    """Pages laid out in columns, read column by column from pdfium's text boxes.

    pypdf's plain extraction reads a line across the whole page, so on a two- or
    three-column page (tax instructions, guidelines, journal articles) each "sentence"
    splices two or three columns together: a quote nobody can read, and retrieval and the
    sentence checks see the same broken text. pdfium gives each character's box;
    ``pdf_runs`` groups them into runs on a line, split at gaps wider than a word space, and
    ``ocr_layout`` finds the gutters between the runs, as it does for OCR lines, and orders
    the page column by column. A page with no gutter keeps
    pypdf's text, so single-column documents read exactly as before.
    """

    def __init__(self, path: Path, data: bytes) -> None:
        self._pdf: Any = None
        try:
            self._pdf = pdfium.PdfDocument(data, password="")
        except pdfium.PdfiumError as exc:  # pypdf reads it; columns are a refinement
            log.info("pdfium cannot open %s for column order (%s); reading it line by line", path, exc)

    def text(self, number: int) -> str | None:
        """The page's text in column order, or None when it is not in columns (or pdfium fails)."""
        if self._pdf is None:
            return None
        try:
            page = self._pdf[number - 1]
            try:
                textpage = page.get_textpage()
                try:
                    return _columns_text(textpage, page.get_width(), page.get_height())
                finally:
                    textpage.close()
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            log.info("pdfium cannot read page %d for column order: %s", number, exc)
            return None

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()


def _columns_text(textpage: Any, width: float, height: float) -> str | None:
    runs = page_runs(textpage, width, height)
    gutters = find_gutters(runs)
    return boxes_to_text(runs, gutters) if gutters else None


def _describe(exc: BaseException) -> str:
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _pypdf_title(reader: PdfReader) -> str | None:
    try:
        metadata = reader.metadata
        return str(metadata.title) if metadata and metadata.title else None
    except Exception:
        return None


def _pypdf_page_has_images(page: Any) -> bool:
    """Whether the page draws any raster image (XObject, in forms too, or inline).

    When the page is too broken to tell, answer yes: OCR then reports a clear failure,
    which beats silently dropping a page that may hold a scan.
    """
    try:
        if _resources_have_images(page.get("/Resources"), 0):
            return True
        contents = page.get_contents()
        return bool(contents is not None and _INLINE_IMAGE.search(contents.get_data()))
    except Exception:
        return True


def _resources_have_images(resources: Any, depth: int) -> bool:
    if resources is None or depth > _MAX_FORM_DEPTH:
        return False
    resources = resources.get_object()
    xobjects = resources.get("/XObject")
    if xobjects is None:
        return False
    for ref in xobjects.get_object().values():
        xobject = ref.get_object()
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            return True
        if subtype == "/Form" and _resources_have_images(xobject.get("/Resources"), depth + 1):
            return True
    return False


def _load_with_pdfium(path: Path, data: bytes, pypdf_reason: str) -> ExtractedDocument:
    try:
        pdf = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise IngestError(path, NEEDS_PASSWORD) from None
        raise IngestError(path, f"PDF is damaged or truncated and cannot be read ({pypdf_reason})") from None
    try:
        page_count = len(pdf)
        if page_count == 0:
            raise IngestError(path, "PDF has no pages")
        pages: list[Page] = []
        needs_ocr: list[int] = []
        warnings: list[str] = []
        for number in range(1, page_count + 1):
            text = ""
            has_images = True
            try:
                page = pdf[number - 1]
                try:
                    textpage = page.get_textpage()
                    text = textpage.get_text_bounded()
                    textpage.close()
                    has_images = any(
                        obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE
                        for obj in page.get_objects(max_depth=_MAX_FORM_DEPTH)
                    )
                finally:
                    page.close()
            except pdfium.PdfiumError as exc:
                warnings.append(f"page {number}: text could not be extracted ({_describe(exc)})")
            if not text.strip() and has_images:
                needs_ocr.append(number)
            pages.append(Page(number=number, text=text))
        try:
            raw_title = pdf.get_metadata_dict().get("Title")
        except pdfium.PdfiumError:
            raw_title = None
    finally:
        pdf.close()
    return ExtractedDocument(
        path=path,
        title=pick_title(raw_title, path),
        format="pdf",
        pages=pages,
        needs_ocr=needs_ocr,
        warnings=warnings,
    )
