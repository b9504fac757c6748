"""The viewer: a cited page with the passage marked, for PDFs and every other format.

PDFs open in QtPdf's ``QPdfView`` at the cited page, with the passage's first line on
that page highlighted through a ``QPdfSearchModel``. Other formats show the text Quire
indexed (one section per page) in a ``QTextBrowser``, scrolled to the passage and
highlighted. The pane never reads the library itself: it asks for pages through
``pages_needed`` and the main window answers with ``show_pages``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtPdf import QPdfDocument, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QStackedWidget, QTextBrowser, QTextEdit, QVBoxLayout, QWidget

from ui.answer_html import SourceTarget

if TYPE_CHECKING:
    from assistant.ingest.types import Page

HIGHLIGHT = QColor("#ffe58a")
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 1 or w.isdigit()}


def pdf_line_to_highlight(page_text: str, passage: str, focus: str = "") -> str:
    """The line of the page that QPdfSearchModel should find and mark.

    Among the lines of the passage, the one sharing most words with ``focus`` (the cited
    sentence or a table value) wins, so the reader's eye lands on the evidence rather
    than the passage's heading; without a focus, the passage's first line. A value
    shorter than a line (a table cell) is looked for on the whole page.
    """
    body = _norm(passage)
    page_lines = [c for c in (_norm(line) for line in page_text.splitlines()) if len(c) >= 12]
    lines = [c for c in page_lines if c in body]
    wanted = _words(focus)
    if not wanted:
        return lines[0] if lines else ""
    scored = [(len(wanted & _words(line)), -i, line) for i, line in enumerate(lines or page_lines)]
    best = max(scored, default=(0, 0, ""))
    return best[2] if best[0] else (lines[0] if lines else "")


def quote_span(page_text: str, quote: str) -> tuple[int, int] | None:
    """Start and end in ``page_text`` of ``quote``, however its lines break there: a cited
    sentence is quoted with its whitespace collapsed ("Allergies Penicillin (urticaria).")."""
    words = quote.split()
    if not words:
        return None
    found = re.search(r"\s+".join(re.escape(word) for word in words), page_text)
    return found.span() if found else None


def passage_span(page_text: str, passage: str) -> tuple[int, int] | None:
    """Start and end in ``page_text`` of the passage's sentences that lie on this page."""
    first = last = -1
    for sentence in _SENTENCE.split(passage):
        sentence = sentence.strip()
        if len(sentence) < 12:
            continue
        at = page_text.find(sentence)
        if at < 0:
            continue
        if first < 0 or at < first:
            first = at
        last = max(last, at + len(sentence))
    return (first, last) if first >= 0 else None


class ViewerPane(QWidget):
    """The page a citation, passage or table cell points at, with the evidence marked.

    Signals:
        pages_needed(path): the indexed text of a non-PDF document is needed.
    """

    pages_needed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target: SourceTarget | None = None
        self.highlight_text = ""  # what is marked now (for tests and the header)

        self.header = QLabel("Click a citation in an answer to see its page here.")
        self.header.setObjectName("viewerHeader")
        self.header.setWordWrap(True)

        self.pdf_document = QPdfDocument(self)
        self.pdf_search = QPdfSearchModel(self)
        self.pdf_search.setDocument(self.pdf_document)
        self.pdf_search.countChanged.connect(self._on_search_results)
        self.pdf_view = QPdfView()
        self.pdf_view.setObjectName("pdfView")
        self.pdf_view.setDocument(self.pdf_document)
        self.pdf_view.setSearchModel(self.pdf_search)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        self.text_view = QTextBrowser()
        self.text_view.setObjectName("textView")
        self.text_view.setOpenLinks(False)

        self.placeholder = QLabel("No document open.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("emptyHint")

        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self.pdf_view)
        self.stack.addWidget(self.text_view)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)
        self._pdf_path = ""
        self._page_starts: list[tuple[int, int]] = []  # (page number, offset in text view)

    # -- entry point -------------------------------------------------------------------
    def show_source(self, target: SourceTarget) -> None:
        self.target = target
        self.highlight_text = ""
        self.header.setText(f"<b>{target.document}</b> — page {target.page}")
        self.header.setToolTip(target.path)
        if not Path(target.path).exists():
            self.stack.setCurrentWidget(self.placeholder)
            self.placeholder.setText(
                f"{Path(target.path).name} is no longer at {target.path}.\n"
                "Re-add it to the library to see its pages."
            )
            return
        if target.path.lower().endswith(".pdf"):
            self._show_pdf(target)
        else:
            self.pages_needed.emit(target.path)

    @property
    def current_pdf_page(self) -> int:
        """The page shown in the PDF view, 1-based (0 when none)."""
        return self.pdf_view.pageNavigator().currentPage() + 1 if self._pdf_path else 0

    # -- PDFs -------------------------------------------------------------------------------
    def _show_pdf(self, target: SourceTarget) -> None:
        if self._pdf_path != target.path:
            self.pdf_search.setSearchString("")
            self.pdf_document.close()
            error = self.pdf_document.load(target.path)
            if error != QPdfDocument.Error.None_:
                self._pdf_path = ""
                self.stack.setCurrentWidget(self.placeholder)
                self.placeholder.setText(f"Could not open {Path(target.path).name}: {error.name}")
                return
            self._pdf_path = target.path
        self.stack.setCurrentWidget(self.pdf_view)
        page_index = max(0, min(target.page - 1, self.pdf_document.pageCount() - 1))
        self.pdf_view.pageNavigator().jump(page_index, QPointF(), 0)
        page_text = self.pdf_document.getAllText(page_index).text()
        self.highlight_text = pdf_line_to_highlight(page_text, target.text, target.focus)
        self.pdf_search.setSearchString(self.highlight_text)

    def _on_search_results(self) -> None:
        """Select the first match on the cited page, which also draws its highlight."""
        if self.target is None or not self.highlight_text:
            return
        page_index = self.target.page - 1
        for index in range(self.pdf_search.count()):
            if self.pdf_search.resultAtIndex(index).page() == page_index:
                if self.pdf_view.currentSearchResultIndex() != index:
                    self.pdf_view.setCurrentSearchResultIndex(index)
                return

    # -- other formats ------------------------------------------------------------------------
    def show_pages(self, path: str, pages: Sequence[Page]) -> None:
        """The indexed text of ``path`` arrived; show it at the target's page and passage."""
        target = self.target
        if target is None or target.path != path:
            return
        self.stack.setCurrentWidget(self.text_view)
        self.text_view.clear()
        cursor = QTextCursor(self.text_view.document())
        heading = QTextCharFormat()
        heading.setForeground(QColor("#666666"))
        plain = QTextCharFormat()
        self._page_starts = []
        target_offset = 0
        span: tuple[int, int] | None = None
        for page in pages:
            if len(pages) > 1:
                cursor.insertText(f"— Page {page.number} —\n", heading)
            start = cursor.position()
            self._page_starts.append((page.number, start))
            cursor.insertText(page.text + "\n\n", plain)
            if page.number == target.page:
                target_offset = start
                # The cited sentence itself where it is on the page, else the passage it is from.
                found = quote_span(page.text, target.focus) or passage_span(page.text, target.text)
                if found is not None:
                    span = (start + found[0], start + found[1])
        if not pages:
            cursor.insertText("This document has no indexed text.")
        self._mark(span, target_offset)

    def _mark(self, span: tuple[int, int] | None, fallback: int) -> None:
        document = self.text_view.document()
        selections: list[QTextEdit.ExtraSelection] = []
        cursor = QTextCursor(document)
        if span is not None:
            cursor.setPosition(span[0])
            cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
            self.highlight_text = cursor.selectedText().replace("\u2029", "\n")
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format.setBackground(HIGHLIGHT)
            selections.append(selection)
        self.text_view.setExtraSelections(selections)
        scroll_to = QTextCursor(document)
        scroll_to.setPosition(span[1] if span is not None else fallback)
        self.text_view.setTextCursor(scroll_to)
        self.text_view.ensureCursorVisible()
        scroll_to.setPosition(span[0] if span is not None else fallback)
        self.text_view.setTextCursor(scroll_to)
        self.text_view.ensureCursorVisible()
