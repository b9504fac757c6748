"""The library pane: collections, documents with their status, adding and forgetting files."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.jobs import ProgressUpdate

if TYPE_CHECKING:
    from assistant.index.registry import DocumentRecord

DOC_ID_ROLE = Qt.ItemDataRole.UserRole
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
FAILED_COLOR = QColor("#9b1c1c")
STATUS_LABELS = {
    "indexed": "Indexed",
    "indexing": "Indexing…",
    "pending": "Waiting",
    "failed": "Failed",
    "deleting": "Removing…",
}
SUMMARY_TEMPLATES = [
    ("general", "General summary"),
    ("contract", "As a contract"),
    ("medical", "As a medical record"),
]
EXTRACTION_SCHEMAS = [("contract", "Contract terms"), ("medical", "Medical facts")]
DOCUMENT_FILTER = "Documents (*.pdf *.docx *.txt *.md *.markdown *.html *.htm);;All files (*)"


def status_text(doc: DocumentRecord) -> str:
    """What the Status column says, with the reason when the document failed."""
    label = STATUS_LABELS.get(doc.status, str(doc.status))
    if doc.status == "failed" and doc.error:
        return f"{label}: {doc.error}"
    if doc.status == "indexed" and doc.ocr_pending:
        return f"{label} (OCR of {len(doc.ocr_pending)} page(s) waiting)"
    if doc.stale:
        return f"{label} (read by an older version: Re-index it for better text)"
    return label


class LibraryPane(QWidget):
    """Shows the library the main window lists and asks for what the user does to it.

    Signals:
        paths_added(paths): files or folders were chosen or dropped to be indexed.
        reindex_requested(paths): documents to read again.
        forget_requested(doc_id): a document to remove from the library.
        document_opened(path): a document to show in the viewer (first page).
        collection_selected(name): the collection filter changed ('' = all documents).
        stop_requested(): the user stopped the index run.
        summarize_requested(doc_id, template): summarise a document (general, contract, medical).
        extract_requested(doc_ids, schema): extract a schema's fields (a name or a JSON file) as a table.
        dates_requested(doc_ids): list the key dates and deadlines of documents.
        compare_requested(doc_ids, schema): compare two documents' provisions (and redline two versions).
    """

    paths_added = Signal(object)
    reindex_requested = Signal(object)
    forget_requested = Signal(str)
    document_opened = Signal(str)
    collection_selected = Signal(str)
    stop_requested = Signal()
    summarize_requested = Signal(str, str)
    extract_requested = Signal(object, str)
    dates_requested = Signal(object)
    compare_requested = Signal(object, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.documents: list[DocumentRecord] = []

        title = QLabel("Library")
        title.setObjectName("paneTitle")
        self.add_files_button = QPushButton("Add files…")
        self.add_files_button.setToolTip("Add documents to the library (Ctrl+O)")
        self.add_files_button.clicked.connect(self.choose_files)
        self.add_folder_button = QPushButton("Add folder…")
        self.add_folder_button.clicked.connect(self.choose_folder)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_files_button)
        buttons.addWidget(self.add_folder_button)

        self.collections = QComboBox()
        self.collections.setObjectName("collections")
        self.collections.addItem("All documents", "")
        self.collections.currentIndexChanged.connect(self._on_collection)

        self.tree = QTreeWidget()
        self.tree.setObjectName("documents")
        self.tree.setHeaderLabels(["Document", "Status", "Pages"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.itemDoubleClicked.connect(self._on_double_click)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)

        self.empty_hint = QLabel("No documents yet.\nDrop files here, or use Add files…")
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)

        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop adding documents after the current file")
        self.stop_button.clicked.connect(self.stop_requested)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.stop_button)
        self._progress_widgets = (self.progress_label, self.progress, self.stop_button)
        self.set_indexing(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(title)
        layout.addLayout(buttons)
        layout.addWidget(self.collections)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.progress_label)
        layout.addLayout(progress_row)

    # -- choosing and dropping files ---------------------------------------------------
    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Add documents", str(Path.home()), DOCUMENT_FILTER)
        if files:
            self.paths_added.emit([Path(f) for f in files])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of documents", str(Path.home()))
        if folder:
            self.paths_added.emit([Path(folder)])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.paths_added.emit(paths)

    # -- showing the library -------------------------------------------------------------
    def show_library(self, documents: Sequence[DocumentRecord], collections: list[tuple[str, int]]) -> None:
        self.documents = list(documents)
        selected = self._selected_doc_id()
        self.tree.clear()
        for doc in sorted(self.documents, key=lambda d: d.title.lower()):
            item = QTreeWidgetItem([doc.title, status_text(doc), str(doc.pages or "")])
            item.setData(0, DOC_ID_ROLE, doc.id)
            item.setData(0, PATH_ROLE, doc.path)
            tip = f"{doc.path}\n{doc.format.upper()} · {doc.pages} page(s) · {doc.chunks} passage(s)"
            if doc.status == "failed":
                tip = f"{doc.path}\nCould not be indexed: {doc.error}"
                for column in range(3):
                    item.setForeground(column, QBrush(FAILED_COLOR))
            for column in range(3):
                item.setToolTip(column, tip)
            self.tree.addTopLevelItem(item)
            if doc.id == selected:
                item.setSelected(True)
        self.empty_hint.setVisible(not self.documents)
        self._show_collections(collections)

    def _show_collections(self, collections: list[tuple[str, int]]) -> None:
        current = self.collections.currentData()
        self.collections.blockSignals(True)
        self.collections.clear()
        self.collections.addItem(f"All documents ({len(self.documents)})", "")
        for name, count in collections:
            self.collections.addItem(f"{name} ({count})", name)
        index = max(self.collections.findData(current), 0)
        self.collections.setCurrentIndex(index)
        self.collections.blockSignals(False)

    def item_for(self, path: str) -> QTreeWidgetItem | None:
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item is not None and item.data(0, PATH_ROLE) == path:
                return item
        return None

    def set_indexing(self, active: bool) -> None:
        for widget in self._progress_widgets:
            widget.setVisible(active)
        if active:
            self.progress.setRange(0, 0)
            self.progress_label.setText("Adding documents…")

    def show_progress(self, update: ProgressUpdate) -> None:
        self.set_indexing(True)
        what = "Reading text in scanned pages" if update.stage == "ocr" else "Indexing"
        if update.total:
            self.progress.setRange(0, update.total)
            self.progress.setValue(update.done)
        eta = f", about {int(update.eta_seconds) + 1} s left" if update.eta_seconds else ""
        detail = f": {Path(update.detail).name}" if update.detail else ""
        self.progress_label.setText(f"{what} {update.done}/{update.total}{eta}{detail}")

    # -- actions on documents --------------------------------------------------------------
    def _selected_doc_id(self) -> str:
        items = self.tree.selectedItems()
        return str(items[0].data(0, DOC_ID_ROLE)) if items else ""

    def _extract_with_schema_file(self, ids: list[str]) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "Fields to extract (JSON schema)", "", "JSON files (*.json)"
        )
        if chosen:
            self.extract_requested.emit(ids, chosen)

    def _on_collection(self) -> None:
        self.collection_selected.emit(str(self.collections.currentData() or ""))

    def _on_double_click(self, item: QTreeWidgetItem) -> None:
        self.document_opened.emit(str(item.data(0, PATH_ROLE)))

    def selected_documents(self) -> list[tuple[str, str]]:
        """(id, path) of the selected documents, in the order shown."""
        return [(str(i.data(0, DOC_ID_ROLE)), str(i.data(0, PATH_ROLE))) for i in self.tree.selectedItems()]

    def _context_menu(self, position: QPoint) -> None:
        item = self.tree.itemAt(position)
        if item is not None:
            menu = self.document_menu(item)
            menu.exec(self.tree.viewport().mapToGlobal(position))
            menu.deleteLater()

    def document_menu(self, item: QTreeWidgetItem) -> QMenu:
        """The menu of ``item``, acting on the selection when ``item`` is in it (built, not shown)."""
        doc_id = str(item.data(0, DOC_ID_ROLE))
        path = str(item.data(0, PATH_ROLE))
        chosen = self.selected_documents() if item.isSelected() else [(doc_id, path)]
        many = f" ({len(chosen)} documents)" if len(chosen) > 1 else ""
        menu = QMenu(self)
        menu.addAction("Open", lambda: self.document_opened.emit(path))
        menu.addAction("Re-index", lambda: self.reindex_requested.emit([Path(p) for _i, p in chosen]))
        menu.addSeparator()
        summarize = menu.addMenu("Summarize")
        for template, label in SUMMARY_TEMPLATES:
            summarize.addAction(label, partial(self.summarize_requested.emit, doc_id, template))
        extract = menu.addMenu(f"Extract facts ({len(chosen)} document{'s' if len(chosen) > 1 else ''})")
        ids = [i for i, _p in chosen]
        for schema, label in EXTRACTION_SCHEMAS:
            extract.addAction(label, partial(self.extract_requested.emit, ids, schema))
        extract.addAction("Fields from a schema file…", lambda: self._extract_with_schema_file(ids))
        compare = menu.addMenu(
            "Compare the two documents" if len(ids) == 2 else "Compare (select two documents)"
        )
        compare.setObjectName("compareMenu")
        compare.setEnabled(len(ids) == 2)
        for schema, label in EXTRACTION_SCHEMAS:
            compare.addAction(label, partial(self.compare_requested.emit, ids, schema))
        dates = menu.addAction(f"Key dates and deadlines{many}", partial(self.dates_requested.emit, ids))
        dates.setObjectName("datesAction")
        dates.setToolTip("Every date, computed deadline and time limit, with its page (no model needed)")
        menu.addSeparator()
        menu.addAction("Forget (remove from library)", lambda: self.forget_requested.emit(doc_id))
        return menu
