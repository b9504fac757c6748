"""Key dates and deadlines of some documents: a table to sort, narrow down, check and export.

Not the ``ResultsDialog`` of summaries: a list of dates is read by sorting it (by date, by
document) and narrowing it (only the deadlines, only "notice"), which an HTML table
cannot do, and it is exported to a calendar too. Each row keeps its ``DatedEvent``, so a
click opens the page with the very sentence marked, and every export is the engine's own
(``DatesReport.to_csv``/``to_markdown``/``write_ics``) of the rows the user kept in view.
Like ``ResultsDialog`` it is not modal and shows the run's progress until the list comes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from ui.answer_html import SourceTarget
from ui.task_dialog import TaskDialog

if TYPE_CHECKING:
    from assistant.documents.dates import DatedEvent, DatesReport


KINDS = [("event", "Events"), ("deadline", "Deadlines"), ("period", "Periods")]
COLUMNS = ["Date", "Kind", "Event", "Document", "Page", "Rule", "Note"]
EVENT_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's DatedEvent, on its first cell
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # what a column sorts by (a page as a number)
UNDATED = "9999"  # sorts a period without a date after every date
MAX_NOTES = 8  # notes shown above the table; the rest are counted
EXPORTS = {
    "csv": "CSV files (*.csv)",
    "md": "Markdown files (*.md)",
    "ics": "Calendar files (*.ics)",
}


def rule_text(event: DatedEvent) -> str:
    """The rule a deadline or period comes from, with the sum that gave its date."""
    if event.rule and event.arithmetic:
        return f"{event.rule} ({event.arithmetic})"
    return event.rule or event.arithmetic


def row_cells(event: DatedEvent) -> list[tuple[str, object]]:
    """The text of each column and what it sorts by."""
    date = event.date or "(no date)"
    return [
        (date, event.date or UNDATED),
        (event.kind, event.kind),
        (event.event, event.event.lower()),
        (event.document, event.document.lower()),
        (str(event.page), event.page),
        (rule_text(event), rule_text(event).lower()),
        (event.note, event.note.lower()),
    ]


class DatesFilter(QSortFilterProxyModel):
    """Keeps the rows of the kinds ticked whose words hold every word typed in the filter box."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kinds = {kind for kind, _label in KINDS}
        self.words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_kinds(self, kinds: set[str]) -> None:
        with self._changing():
            self.kinds = set(kinds)

    def set_text(self, text: str) -> None:
        with self._changing():
            self.words = text.lower().split()

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """Around a change of the filter, so the rows shown follow it (Qt 6.10 renamed how)."""
        if hasattr(self, "endFilterChange"):
            self.beginFilterChange()
            yield
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # PySide6 before 6.10
            yield
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        event = self.sourceModel().index(source_row, 0, source_parent).data(EVENT_ROLE)
        if event is None or event.kind not in self.kinds:
            return False
        if not self.words:
            return True
        fields = (event.date, event.kind, event.event, event.document, event.span, event.rule, event.note)
        haystack = " ".join(f or "" for f in fields).lower()
        return all(word in haystack for word in self.words)


class DatesDialog(TaskDialog):
    """A dates run's progress, then its table with kind and text filters, page links and exports."""

    STOPPED = "stopped; nothing was listed."

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent, name="datesDialog", width=980, height=600)
        self.report: DatesReport | None = None
        self.notes = QLabel()
        self.notes.setObjectName("datesNotes")
        self.notes.setWordWrap(True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.hide()

        self.kind_boxes: dict[str, QCheckBox] = {}
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Show:"))
        for kind, label in KINDS:
            box = QCheckBox(label)
            box.setChecked(True)
            box.toggled.connect(self._on_kinds)
            self.kind_boxes[kind] = box
            filters.addWidget(box)
        self.text_filter = QLineEdit()
        self.text_filter.setObjectName("datesFilter")
        self.text_filter.setPlaceholderText("Filter: words in the event, document, sentence, rule or note")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.textChanged.connect(self._on_text)
        filters.addWidget(self.text_filter, 1)

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(COLUMNS)
        self.rows = DatesFilter(self)
        self.rows.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("datesTable")
        self.table.setModel(self.rows)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.clicked.connect(self._open_row)
        self.table.activated.connect(self._open_row)

        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(lambda: self._choose_export("csv"))
        self.markdown_button = QPushButton("Export Markdown…")
        self.markdown_button.clicked.connect(lambda: self._choose_export("md"))
        self.ics_button = QPushButton("Export to calendar (.ics)…")
        self.ics_button.setToolTip("The dated rows shown, as all-day calendar entries; periods have no day")
        self.ics_button.clicked.connect(lambda: self._choose_export("ics"))
        self.export_buttons = (self.csv_button, self.markdown_button, self.ics_button)
        self._lay_out(self.notes, filters, self.table, stretch=self.table)

    def has_result(self) -> bool:
        return self.report is not None

    # -- engine events -----------------------------------------------------------------
    def show_report(self, report: DatesReport) -> None:
        """The list arrived: fill the table (by date), the notes, and enable the exports."""
        self.report = report
        self.table.setSortingEnabled(False)  # rows go in as the engine ordered them, then sort once
        self.model.removeRows(0, self.model.rowCount())
        for event in report.events:
            items = []
            for text, key in row_cells(event):
                item = QStandardItem(text)
                item.setEditable(False)
                item.setData(key, SORT_ROLE)
                item.setToolTip(event.span)
                items.append(item)
            items[0].setData(event, EVENT_ROLE)
            self.model.appendRow(items)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.resizeColumnsToContents()
        for column, width in ((2, 260), (3, 180), (5, 280)):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), width))
        self._show_notes(report.notes)
        self._set_running(False)
        self._show_count()

    def _show_notes(self, notes: list[str]) -> None:
        lines = [f"• {note}" for note in notes[:MAX_NOTES]]
        if len(notes) > MAX_NOTES:
            lines.append(f"… and {len(notes) - MAX_NOTES} more notes (they are in the log file too)")
        self.notes.setText("\n".join(lines))
        self.notes.setVisible(bool(lines))

    def _show_count(self) -> None:
        if self.report is None:
            return
        total, shown = len(self.report.events), self.rows.rowCount()
        if not total:
            self.status.setText(f"{self.windowTitle()}: no dates were found; the notes above say why.")
            return
        which = f"{shown} of {total}" if shown != total else str(total)
        self.status.setText(
            f"{self.windowTitle()}: {which} row(s). Click a row to see its sentence on the page; "
            "click a column title to sort."
        )

    # -- what is shown -------------------------------------------------------------------
    def shown_events(self) -> list[DatedEvent]:
        """The rows left by the filters, in the order shown."""
        events = []
        for row in range(self.rows.rowCount()):
            event = self.rows.index(row, 0).data(EVENT_ROLE)
            if event is not None:
                events.append(event)
        return events

    def shown_report(self) -> DatesReport | None:
        """The report of the rows shown, which is what every export writes."""
        if self.report is None:
            return None
        return dataclasses.replace(self.report, events=self.shown_events())

    # -- user actions ------------------------------------------------------------------
    def _on_kinds(self) -> None:
        self.rows.set_kinds({kind for kind, box in self.kind_boxes.items() if box.isChecked()})
        self._show_count()

    def _on_text(self, text: str) -> None:
        self.rows.set_text(text)
        self._show_count()

    def _open_row(self, index: QModelIndex) -> None:
        event = self.rows.index(index.row(), 0).data(EVENT_ROLE)
        if event is not None:
            self.source_requested.emit(
                SourceTarget(event.path, event.document, event.page, event.span, event.span)
            )

    def _choose_export(self, kind: str) -> None:
        if self.report is None:
            return
        name = self.file_stem(self.windowTitle())
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Export the dates", f"{name}.{kind}", EXPORTS[kind]
        )
        if chosen:
            {"csv": self.export_csv, "md": self.export_markdown, "ics": self.export_ics}[kind](Path(chosen))

    def export_csv(self, path: Path) -> bool:
        """Write the rows shown as CSV; False (and a message) when the file cannot be written."""
        return self._write(path, lambda report: report.to_csv(path))

    def export_markdown(self, path: Path) -> bool:
        """Write the rows shown as a Markdown table."""
        return self._write(path, lambda report: path.write_text(report.to_markdown(), encoding="utf-8"))

    def export_ics(self, path: Path) -> bool:
        """Write the dated rows shown as an iCalendar file; periods without a day are left out."""
        return self._write(path, lambda report: report.write_ics(path))

    def _write(self, path: Path, write: Callable[[DatesReport], object]) -> bool:
        report = self.shown_report()
        if report is None:
            return False
        try:
            write(report)
        except OSError as exc:
            self.export_failed(path, exc)
            return False
        self.status.setText(f"Saved {len(report.events)} row(s) to {path}")
        return True
