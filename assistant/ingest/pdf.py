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
    for number in range(1, page_count + 1):
        text = ""
        page: Any = None
        try:
            page = reader.pages[number - 1]
            text = page.extract_text() or ""
        except Exception as exc:
            warnings.append(f"page {number}: text could not be extracted ({_describe(exc)})")
        if not text.strip() and page is not None and _pypdf_page_has_images(page):
            needs_ocr.append(number)
        pages.append(Page(number=number, text=text))
    return ExtractedDocument(
        path=path,
        title=pick_title(_pypdf_title(reader), path),
        format="pdf",
        pages=pages,
        needs_ocr=needs_ocr,
        warnings=warnings,
    )


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
