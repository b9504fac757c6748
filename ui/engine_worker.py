"""The engine's home on the worker thread: the one ``Session`` and the loop that runs jobs on it.

``Worker`` is moved to the ``QThread`` that ``EngineBridge`` owns; its slots run there,
one job at a time, in the order they were queued. It builds the ``Session`` on its first
job, so the engine modules (chromadb, onnxruntime, llama_cpp) are imported on the worker
after the window is shown, and no engine object is ever touched from the GUI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from assistant.config import Settings
from assistant.jobs import Cancelled, JobState
from ui.jobs import JobContext, JobOutcome, JobRequest, failure_message

if TYPE_CHECKING:
    from assistant.session.parts import Parts
    from assistant.session.session import Session

log = logging.getLogger(__name__)

LIBRARY_REFRESH_S = 0.5  # how often a long index run re-lists the library (indexing -> indexed)


class Worker(QObject):
    """Runs ``JobRequest``s with the session it owns; lives on the worker thread.

    Signals:
        job_finished(JobOutcome): a job ended (done, failed or cancelled).
        job_reported(job_id, update): a job reported progress (or another value) for the GUI.
        token_streamed(job_id, text): a job streamed a piece of an answer.
        library_listed(documents, collections): the library as it is now.
    """

    job_finished = Signal(object)
    job_reported = Signal(int, object)
    token_streamed = Signal(int, str)
    library_listed = Signal(object, object)

    def __init__(self, settings: Settings, parts: Parts | None) -> None:
        super().__init__()
        self._settings = settings
        self._parts = parts
        self._session: Session | None = None
        self._last_listing = 0.0

    def session(self) -> Session:
        if self._session is None:
            from assistant.session.session import Session

            threading.current_thread().name = "quire-engine"  # for the log lines written from here
            self._session = Session(self._settings, self._parts)
        return self._session

    @Slot(object)
    def run_job(self, request: JobRequest) -> None:
        """Run one job; a job cancelled while it waited in the queue is not started."""
        if request.cancel.cancelled:
            self.job_finished.emit(JobOutcome(request.job_id, JobState.CANCELLED))
            return
        context = JobContext(
            request.cancel,
            report=partial(self.job_reported.emit, request.job_id),
            token=partial(self.token_streamed.emit, request.job_id),
            library_changed=partial(self._list_library, request.collection),
            progressed=partial(self._list_library_if_due, request) if request.changes_library else None,
        )
        started = time.perf_counter()
        try:
            value = request.operation(self.session(), context)
        except Cancelled:
            log.info("%s stopped by the user", request.what)
            outcome = JobOutcome(request.job_id, JobState.CANCELLED)
        except Exception as exc:
            outcome = JobOutcome(
                request.job_id,
                JobState.FAILED,
                message=failure_message(exc, request.what, self._settings.log_dir),
            )
        else:
            log.debug("%s took %.2f s", request.what, time.perf_counter() - started)
            outcome = JobOutcome(request.job_id, JobState.DONE, value)
        if request.changes_library:  # also after a failure: part of the work may be done
            self._list_library_safely(request)
        self.job_finished.emit(outcome)

    def _list_library(self, collection: str | None) -> None:
        session = self.session()
        self._last_listing = time.monotonic()
        self.library_listed.emit(session.documents(collection), session.collections())

    def _list_library_safely(self, request: JobRequest) -> None:
        try:
            self._list_library(request.collection)
        except Exception:
            log.exception("Could not list the library after %s", request.what)

    def _list_library_if_due(self, request: JobRequest) -> None:
        """Status changes (indexing -> indexed) show while a long run goes on, twice a second."""
        if time.monotonic() - self._last_listing > LIBRARY_REFRESH_S:
            self._list_library_safely(request)

    @Slot()
    def close(self) -> None:
        """Close the session's stores and free its models, then end the thread's event loop.

        Quitting from here, not from the GUI thread, means the close runs after every job
        queued before it (cancelled ones are skipped), never instead of them.
        """
        try:
            if self._session is not None:
                self._session.close()
                self._session = None
        finally:
            thread = self.thread()
            if thread is not None:
                thread.quit()
