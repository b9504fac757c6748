"""A summary or an extraction as a table with page links, exportable as CSV and Markdown.

One dialog per run, not modal: the user keeps asking questions while a long summary
runs, watches its progress, may stop it, and then clicks a cell's page link to check
it in the viewer. The table comes from the engine as a ``ResultTable``; this module
only shows it and writes the export the user asked for.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QFileDialog, QPushButton, QTextBrowser, QWidget

from assistant.documents.tables import ResultTable
from ui.answer_html import PAGE_SCHEME, render_table, table_target
from ui.task_dialog import TaskDialog


class ResultsDialog(TaskDialog):
    """A run's progress, then its table (or why there is none), with export buttons."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent, name="resultsDialog", width=820, height=560)
        self.table: ResultTable | None = None
        self.view = QTextBrowser()
        self.view.setObjectName("resultsTable")
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._on_link)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(lambda: self._export("csv"))
        self.markdown_button = QPushButton("Export Markdown…")
        self.markdown_button.clicked.connect(lambda: self._export("md"))
        self.export_buttons = (self.csv_button, self.markdown_button)
        self._lay_out(self.view, stretch=self.view)

    def has_result(self) -> bool:
        return self.table is not None

    # -- engine events -----------------------------------------------------------------
    def show_table(self, table: ResultTable) -> None:
        self.table = table
        self.setWindowTitle(table.title)
        self.status.setText(f"{table.title}. Click a page link to check a value in its document.")
        self.view.setHtml(render_table(table, lambda row, column: f"{PAGE_SCHEME}:{row}/{column}"))
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
        name = self.file_stem(self.table.title)
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
            self.export_failed(path, exc)
            return
        self.status.setText(f"Saved {path}")
