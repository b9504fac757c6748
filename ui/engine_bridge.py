"""The one way the GUI talks to the engine: jobs, run in order on a worker thread that owns it.

``EngineBridge`` lives on the GUI thread and owns one ``QThread`` on which a ``Worker``
(``ui.engine_worker``) holds the engine's ``Session``. Every request is a job, in the
style of Anki's ``CollectionOp`` and Textual's worker groups::

    bridge.run(operations.search(query), success=show_hits, failure=show_error,
               group=operations.SEARCH, what="Searching")

The operation runs on the worker with the session and a ``JobContext``; ``success``,
``failure``, ``cancelled`` and ``progress`` run on the GUI thread. Busy state comes from
the groups with jobs in flight, so a failure ends its group's busy state like any other
outcome does. Signals are left only for what is not the answer to one request: streamed
tokens, the library listing and the chat model's state.

Importing this module costs PySide6 and the settings only: engine modules load on the
worker, after the window is shown.
"""

from __future__ import annotations

import copy
import itertools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal

from assistant.config import Settings
from ui import operations
from ui.engine_worker import Worker
from ui.jobs import Job, JobOutcome, JobRequest, Operation, ProgressUpdate

if TYPE_CHECKING:
    from assistant.session.parts import Parts

__all__ = ["EngineBridge", "Job", "ProgressUpdate"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class EngineBridge(QObject):
    """The GUI's handle on the engine, which runs on one worker thread it owns.

    Methods are called on the GUI thread and return at once; jobs run on the worker one
    at a time, in the order they were asked for. Cancelling acts at once (it sets the
    job's thread-safe ``CancelToken``); a job cancelled before it starts never runs.

    Signals:
        busy_changed(group, busy): the first job of ``group`` was queued, or its last one ended.
        token_received(text): a piece of an answer being generated (never of a cancelled job).
        library_changed(documents, collections): the library's documents or collections changed.
        library_failed(message): the library could not be opened; the message says why.
        model_loaded(name): the chat model is loaded; questions can be asked.
        model_failed(message): no chat model (search keeps working); the message says why.
    """

    busy_changed = Signal(str, bool)
    token_received = Signal(str)
    library_changed = Signal(object, object)
    library_failed = Signal(str)
    model_loaded = Signal(str)
    model_failed = Signal(str)

    _job_queued = Signal(object)  # JobRequest, to the worker (queued: runs there)
    _close_requested = Signal()

    def __init__(self, settings: Settings, parts: Parts | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.model_name = ""
        self.model_notice = ""  # why the loaded model is not the configured one, if it is not
        self.model_ready = False
        self.collection: str | None = None  # the library listing's filter ('' / None: everything)
        self._jobs: dict[int, Job[Any]] = {}
        self._owners: dict[int, QObject] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self._thread = QThread()
        self._thread.setObjectName("quire-engine")
        self._worker = Worker(copy.deepcopy(settings), parts)
        self._worker.moveToThread(self._thread)
        self._thread.finished.connect(self._worker.deleteLater)
        self._worker.job_finished.connect(self._on_job_finished)
        self._worker.job_reported.connect(self._on_job_reported)
        self._worker.token_streamed.connect(self._on_token)
        self._worker.library_listed.connect(self.library_changed)
        self._job_queued.connect(self._worker.run_job)
        self._close_requested.connect(self._worker.close)
        self._thread.start()

    # -- the job channel ---------------------------------------------------------------
    def run(
        self,
        operation: Operation[T],
        *,
        group: str,
        what: str,
        success: Callable[[T], object] | None = None,
        failure: Callable[[str], object] | None = None,
        cancelled: Callable[[], object] | None = None,
        progress: Callable[[Any], object] | None = None,
        exclusive: bool = False,
        changes_library: bool = False,
        owner: QObject | None = None,
    ) -> Job[T]:
        """Queue ``operation(session, job_context)`` on the worker; the callbacks run here.

        ``what`` names the work for the log and for the message of an unexpected error
        ("Searching"). ``exclusive`` cancels the jobs of ``group`` still in flight first.
        ``changes_library`` re-lists the library (``library_changed``) after the job, and
        during it as its progress advances. ``progress`` receives what the operation
        reports (a ``ProgressUpdate`` from ``job.progress(stage)``, or its own values).
        With an ``owner``, the callbacks are dropped once that object is deleted (a
        dialog the user closed).
        """
        job: Job[T] = Job(
            next(self._ids),
            group,
            what,
            success=success,
            failure=failure,
            cancelled=cancelled,
            progress=progress,
        )
        if self._closed:
            log.warning("%s asked for after the engine was shut down", what)
            job.cancel()
            return job
        if exclusive:
            self.cancel(group)
        was_busy = self.busy(group)
        self._jobs[job.id] = job
        if owner is not None:
            self._owners[job.id] = owner
        request: JobRequest = job.request(
            operation, changes_library=changes_library, collection=self.collection
        )
        self._job_queued.emit(request)
        if not was_busy:
            self.busy_changed.emit(group, True)
        return job

    def busy(self, group: str) -> bool:
        """Whether a job of ``group`` is queued or running."""
        return any(job.group == group for job in self._jobs.values())

    def cancel(self, group: str) -> None:
        """Stop every job of ``group``: the running one at its next check, queued ones unstarted."""
        for job in self._jobs.values():
            if job.group == group:
                job.cancel()

    def _on_job_finished(self, outcome: JobOutcome) -> None:
        job = self._jobs.pop(outcome.job_id, None)
        owner = self._owners.pop(outcome.job_id, None)
        if job is None:
            return
        job.settle(outcome)
        try:
            if owner is None or shiboken6.isValid(owner):
                job.notify()
        finally:
            if not self.busy(job.group):
                self.busy_changed.emit(job.group, False)

    def _on_job_reported(self, job_id: int, update: object) -> None:
        job = self._jobs.get(job_id)
        owner = self._owners.get(job_id)
        if job is not None and (owner is None or shiboken6.isValid(owner)):
            job.show_progress(update)

    def _on_token(self, job_id: int, text: str) -> None:
        job = self._jobs.get(job_id)
        if job is not None and not job.token.cancelled:
            self.token_received.emit(text)

    # -- engine state ------------------------------------------------------------------
    def warm_up(self) -> None:
        """List the library, load the embedder, then the chat model (``model_loaded`` or ``model_failed``)."""
        self.run(
            operations.warm_up,
            group=operations.WARM_UP,
            what="Opening the library",
            success=lambda _none: self.load_model(),
            failure=self.library_failed.emit,
        )

    def load_model(self, settings: Settings | None = None) -> Job[str]:
        """Load the chat model ``settings`` name (default: the one configured), freeing the old one."""
        self.model_ready = False
        self.model_notice = ""
        return self.run(
            operations.load_model(settings),
            group=operations.MODEL,
            what="Loading the chat model",
            success=self._on_model_loaded,
            failure=self._on_model_failed,
            progress=self._on_model_notice,
        )

    def _on_model_notice(self, notice: str) -> None:
        self.model_notice = notice

    def _on_model_loaded(self, name: str) -> None:
        if self.busy(operations.MODEL):
            return  # another model was chosen meanwhile: only the last one counts
        self.model_name = name
        self.model_ready = True  # set before the signal: a slot may read it
        self.model_loaded.emit(name)

    def _on_model_failed(self, message: str) -> None:
        if self.busy(operations.MODEL):
            return
        self.model_name = ""
        self.model_ready = False
        self.model_failed.emit(message)

    def refresh_library(self) -> None:
        """List the library again (``library_changed``), with the collection filter."""
        self.run(_nothing, group=operations.LIBRARY, what="Listing the library", changes_library=True)

    def filter_collection(self, name: str) -> None:
        """Show only the documents of collection ``name`` ('' = all)."""
        self.collection = name or None
        self.refresh_library()

    # -- shutting down -----------------------------------------------------------------
    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop the jobs in flight, close the session on the worker, and end the thread."""
        if self._closed:
            return
        self._closed = True
        for job in self._jobs.values():
            job.cancel()
        self._close_requested.emit()  # the worker closes the session and then ends its thread
        if not self._thread.wait(timeout_ms):
            log.error("The engine thread did not stop within %d ms", timeout_ms)
            self._thread.quit()
        self._jobs.clear()  # their outcomes may still be queued here: nobody is waiting any more
        self._owners.clear()


def _nothing(session: object, job: object) -> None:
    """The operation of a job that only lists the library afterwards."""
