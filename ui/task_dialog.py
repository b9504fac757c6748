"""The frame every document task's dialog shares: progress and Stop while it runs, exports after.

Summaries, extractions and lists of dates run for minutes in the background, each in a
dialog that is not modal: the user keeps working, watches the progress, may stop the run
(closing the dialog stops it too), and then checks and exports the result. Subclasses add
the widget that shows the result, their export buttons and ``has_result``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.jobs import ProgressUpdate

log = logging.getLogger(__name__)


class TaskDialog(QDialog):
    """A run's status line, progress bar, Stop and Close; the result goes in between.

    Signals:
        source_requested(SourceTarget): a page link of the result was clicked.
        stop_requested(): the user stopped the run in progress (or closed the dialog during it).
    """

    source_requested = Signal(object)
    stop_requested = Signal()
    STOPPED = "stopped; nothing was kept."

    def __init__(self, title: str, parent: QWidget | None, *, name: str, width: int, height: int) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.resize(width, height)
        self.status = QLabel(f"{title}: starting…")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop_requested)
        self.export_buttons: tuple[QPushButton, ...] = ()

    def _lay_out(self, *middle: QWidget | QLayout, stretch: QWidget) -> None:
        """Status and progress on top, ``middle`` (``stretch`` taking the room), buttons below."""
        buttons = QDialogButtonBox()
        for button in (self.stop_button, *self.export_buttons):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        for part in middle:
            if isinstance(part, QLayout):
                layout.addLayout(part)
            else:
                layout.addWidget(part, 1 if part is stretch else 0)
        layout.addWidget(buttons)
        self._set_running(True)

    def has_result(self) -> bool:
        raise NotImplementedError

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.stop_button.setVisible(running)
        for button in self.export_buttons:
            button.setEnabled(self.has_result())

    @staticmethod
    def file_stem(title: str) -> str:
        """``title`` as a file name to offer in the save dialog."""
        return "".join(c if c.isalnum() or c in " -_" else "_" for c in title).strip()

    def export_failed(self, path: Path, exc: OSError) -> None:
        """Log the failed export with its traceback and tell the user which file and why."""
        log.error("Could not export %s to %s", self.windowTitle(), path, exc_info=exc)
        QMessageBox.warning(self, "Export failed", f"{path.name}: {exc.strerror or exc} ({path})")

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

    def show_stopped(self) -> None:
        self.status.setText(f"{self.windowTitle()}: {self.STOPPED}")
        self._set_running(False)

    def show_failure(self, message: str) -> None:
        self.status.setText(f"{self.windowTitle()} failed: {message}")
        self._set_running(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.stop_button.isVisible():  # closing a running task stops it
            self.stop_requested.emit()
        super().closeEvent(event)
