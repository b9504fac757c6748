"""Summaries, extractions and key dates from the library pane: one run at a time, each in its own dialog.

A run is a job in the bridge's TASK group; its dialog is not modal, so the user keeps
asking questions while it works. Summaries and extractions show a ``ResultsDialog``; a
list of dates shows a ``DatesDialog`` (sorting, filters, a calendar export). The dialog of
the run in progress is tracked so that progress and the result land in it, and forgotten
if the user closes it early (closing it stops the run).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMainWindow

from assistant.documents.tables import ResultTable
from ui import operations as ops
from ui.dates_view import DatesDialog
from ui.engine_bridge import EngineBridge
from ui.jobs import Operation, ProgressUpdate
from ui.results_view import ResultsDialog

if TYPE_CHECKING:
    from assistant.documents.dates import DatesReport

TaskDialog = ResultsDialog | DatesDialog
D = TypeVar("D", ResultsDialog, DatesDialog)


class DocumentTasks(QObject):
    """Starts summaries, extractions and lists of dates, each shown in its dialog over ``window``.

    Signals:
        source_requested(SourceTarget): a table cell's page link (or a row of dates) was clicked.
        failed(what, message): a run failed; ``message`` is for the user.
    """

    source_requested = Signal(object)
    failed = Signal(str, str)

    def __init__(self, bridge: EngineBridge, window: QMainWindow) -> None:
        super().__init__(window)
        self.bridge = bridge
        self.window = window
        self.dialog: TaskDialog | None = None  # the dialog of the run in progress

    def summarize(self, doc_id: str, template: str, title: str) -> ResultsDialog | None:
        """Summarise a document with a template (general, contract, medical)."""
        if not self._free():
            return None
        dialog = self._track(self._dialog(f"Summary of {title}"))
        self._run(ops.summarize(doc_id, template), "Summarizing")
        return dialog

    def extract(self, doc_ids: list[str], schema: str) -> ResultsDialog | None:
        """Extract a schema's fields (a built-in name or a JSON file) from documents."""
        if not self._free():
            return None
        dialog = self._track(self._dialog(f"Facts from {len(doc_ids)} document(s)"))
        self._run(ops.extract(doc_ids, schema), "Extracting")
        return dialog

    def compare(self, doc_ids: list[str], schema: str, label: str) -> ResultsDialog | None:
        """Compare two documents' provisions, cited, with a clause redline for two versions."""
        if not self._free():
            return None
        dialog = self._track(self._dialog(f"Comparison of {label}"))
        self._run(ops.compare(doc_ids, schema), "Comparing")
        return dialog

    def dates(self, doc_ids: list[str], label: str) -> DatesDialog | None:
        """List the dates, deadlines and periods of documents (``label`` names them in the title)."""
        if not self._free():
            return None
        dialog = DatesDialog(f"Key dates and deadlines: {label}", self.window)
        self._track(self._show(dialog))
        what = "Reading dates"
        self.bridge.run(
            ops.dates(doc_ids),
            group=ops.TASK,
            what=what,
            success=self._on_dates,
            failure=partial(self._on_failed, what),
            cancelled=self._on_stopped,
            progress=self._on_progress,
        )
        return dialog

    def show_table(self, table: ResultTable) -> ResultsDialog:
        """A finished table (from the chat) in its own dialog, to check page links and export it."""
        dialog = self._dialog(table.title)
        dialog.show_table(table)
        return dialog

    def _free(self) -> bool:
        """Whether a run may start; if another is going, says so and raises its dialog."""
        if not self.bridge.busy(ops.TASK):
            return True
        self.window.statusBar().showMessage(
            "Wait for the summary, extraction or list of dates in progress, or stop it.", 10000
        )
        if self.dialog is not None:
            self.dialog.raise_()
        return False

    def _track(self, dialog: D) -> D:
        """``dialog`` as the run's: its Stop cancels the run, closing it forgets it."""
        dialog.stop_requested.connect(partial(self.bridge.cancel, ops.TASK))
        dialog.destroyed.connect(self._forget_dialog)  # closed by the user while running
        self.dialog = dialog
        return dialog

    def _run(self, operation: Operation[ResultTable], what: str) -> None:
        self.bridge.run(
            operation,
            group=ops.TASK,
            what=what,
            success=self._on_table,
            failure=partial(self._on_failed, what),
            cancelled=self._on_stopped,
            progress=self._on_progress,
        )

    def _dialog(self, title: str) -> ResultsDialog:
        return self._show(ResultsDialog(title, self.window))

    def _show(self, dialog: D) -> D:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.source_requested.connect(self.source_requested)
        dialog.show()
        return dialog

    def _forget_dialog(self) -> None:
        self.dialog = None

    def _end(self) -> TaskDialog | None:
        """The running task's dialog, no longer tracked (a later close must not clear the next one)."""
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.destroyed.disconnect(self._forget_dialog)
        return dialog

    def _on_progress(self, update: ProgressUpdate) -> None:
        if self.dialog is not None:
            self.dialog.show_progress(update)

    def _on_table(self, table: ResultTable) -> None:
        dialog = self._end()
        if isinstance(dialog, ResultsDialog):
            dialog.show_table(table)

    def _on_dates(self, report: DatesReport) -> None:
        dialog = self._end()
        if isinstance(dialog, DatesDialog):
            dialog.show_report(report)

    def _on_stopped(self) -> None:
        dialog = self._end()
        if dialog is not None:
            dialog.show_stopped()

    def _on_failed(self, what: str, message: str) -> None:
        dialog = self._end()
        if dialog is not None:
            dialog.show_failure(message)
        self.failed.emit(what, message)
