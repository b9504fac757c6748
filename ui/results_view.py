"""A summary or an extraction as a table with page links, exportable as CSV and Markdown.

One dialog per run, not modal: the user keeps asking questions while a long summary
runs, watches its progress, may stop it, and then clicks a cell's page link to check
it in the viewer. The table comes from the engine as a ``ResultTable``; this module
only shows it and writes the export the user asked for.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assistant.documents.tables import ResultTable
from ui.answer_html import PAGE_SCHEME, render_table, table_target
from ui.jobs import ProgressUpdate

log = logging.getLogger(__name__)


class ResultsDialog(QDialog):
    """A run's progress, then its table (or why there is none), with export buttons.

    Signals:
        source_requested(SourceTarget): a cell's page link was clicked.
        stop_requested(): the user stopped the run in progress (or closed the dialog during it).
    """

    source_requested = Signal(object)
    stop_requested = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsDialog")
        self.setWindowTitle(title)
        self.resize(820, 560)
        self.table: ResultTable | None = None
        self.status = QLabel(f"{title}: starting…")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.view = QTextBrowser()
        self.view.setObjectName("resultsTable")
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._on_link)
        buttons = QDialogButtonBox()
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop_requested)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(lambda: self._export("csv"))
        self.markdown_button = QPushButton("Export Markdown…")
        self.markdown_button.clicked.connect(lambda: self._export("md"))
        for button in (self.stop_button, self.csv_button, self.markdown_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self._set_running(True)

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.stop_button.setVisible(running)
        self.csv_button.setEnabled(self.table is not None)
        self.markdown_button.setEnabled(self.table is not None)

    # -- engine events -----------------------------------------------------------------
    def show_progress(self, update: ProgressUpdate) -> None:
        if update.total:
            self.progress.setRange(0, update.total)
            self.progress.setValue(update.done)
        eta = f", about {int(update.eta_seconds) + 1} s left" if update.eta_seconds else ""
        detail = f" ({update.detail})" if update.detail else ""
        self.status.setText(
            f"{self.windowTitle()}: {update.done} of {update.total} {update.stage}{eta}{detail}"
        )

    def show_table(self, table: ResultTable) -> None:
        self.table = table
        self.setWindowTitle(table.title)
        self.status.setText(f"{table.title}. Click a page link to check a value in its document.")
        self.view.setHtml(render_table(table, lambda row, column: f"{PAGE_SCHEME}:{row}/{column}"))
        self._set_running(False)

    def show_stopped(self) -> None:
        self.status.setText(f"{self.windowTitle()}: stopped; nothing was kept.")
        self._set_running(False)

    def show_failure(self, message: str) -> None:
        self.status.setText(f"{self.windowTitle()} failed: {message}")
        self._set_running(False)

    # -- user actions ------------------------------------------------------------------
    def _on_link(self, url: QUrl) -> None:
        if self.table is None or url.scheme() != PAGE_SCHEME:
            return
        try:
            row, column = (int(part) for part in url.path().split("/"))
        except ValueError:
            return
        target = table_target(self.table, row, column)
        if target is not None:
            self.source_requested.emit(target)

    def _export(self, kind: str) -> None:
        if self.table is None:
            return
        name = "".join(c if c.isalnum() or c in " -_" else "_" for c in self.table.title).strip()
        label = "CSV files (*.csv)" if kind == "csv" else "Markdown files (*.md)"
        chosen, _filter = QFileDialog.getSaveFileName(self, "Export the table", f"{name}.{kind}", label)
        if chosen:
            self.export_to(Path(chosen))

    def export_to(self, path: Path) -> None:
        """Write the table as CSV (``.csv``) or Markdown (any other suffix); errors are shown."""
        assert self.table is not None
        try:
            if path.suffix.lower() == ".csv":
                self.table.write_csv(path)
            else:
                path.write_text(self.table.to_markdown(), encoding="utf-8")
        except OSError as exc:
            log.exception("Could not export the table to %s", path)
            QMessageBox.warning(self, "Export failed", f"{path.name}: {exc.strerror or exc} ({path})")
            return
        self.status.setText(f"Saved {path}")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.stop_button.isVisible():  # closing a running summary stops it
            self.stop_requested.emit()
        super().closeEvent(event)
