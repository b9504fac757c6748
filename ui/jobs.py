"""Jobs: one piece of engine work the GUI hands to the worker thread, and what comes back.

``EngineBridge.run`` makes a ``Job`` (the GUI thread's handle: state, result, callbacks)
and sends a ``JobRequest`` to the worker, which runs the operation with its ``Session``
and a ``JobContext`` (cancellation, progress, streamed tokens) and answers with a
``JobOutcome``. The split keeps ownership plain: a ``Job`` is only touched on the GUI
thread, a ``JobContext`` only on the worker, and what crosses between them is immutable
or already handed over. No Qt and no heavy engine import here, so the module is cheap
to import before the window shows and easy to test.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from assistant.errors import user_message
from assistant.jobs import CancelToken, JobState, Progress

if TYPE_CHECKING:
    from assistant.session.session import Session

log = logging.getLogger(__name__)

T = TypeVar("T")

Operation = Callable[["Session", "JobContext"], T]
"""What a job runs, on the worker thread: everything engine-side goes through the session."""

FINISHED = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


@dataclass(frozen=True)
class ProgressUpdate:
    """A snapshot of a ``Progress``, safe to hand to the GUI thread (the original keeps changing)."""

    stage: str
    done: int
    total: int
    detail: str
    eta_seconds: float | None

    @classmethod
    def of(cls, progress: Progress) -> ProgressUpdate:
        return cls(progress.stage, progress.done, progress.total, progress.detail, progress.eta_seconds)


class JobContext:
    """What an operation gets besides the session; used on the worker thread only.

    ``report`` and ``on_token`` hand values to the GUI thread (the job's ``progress``
    callback and ``EngineBridge.token_received``); the bridge drops them once the job is
    cancelled, so a superseded answer never writes into the one that replaced it.
    """

    def __init__(
        self,
        cancel: CancelToken,
        *,
        report: Callable[[object], None],
        token: Callable[[str], None],
        library_changed: Callable[[], None],
        progressed: Callable[[], None] | None = None,
    ) -> None:
        self.cancel = cancel
        self._report = report
        self._token = token
        self._library_changed = library_changed
        self._progressed = progressed

    def progress(self, stage: str) -> Progress:
        """A ``Progress`` whose every update reaches the job's ``progress`` callback as a ``ProgressUpdate``."""
        return Progress(stage=stage, listeners=[self._on_progress])

    def report(self, update: object) -> None:
        """Hand ``update`` (immutable, or no longer used here) to the job's ``progress`` callback."""
        self._report(update)

    def on_token(self, text: str) -> None:
        """A piece of a streamed answer, for ``EngineBridge.token_received``."""
        self._token(text)

    def library_changed(self) -> None:
        """List the library now (``EngineBridge.library_changed``); raises if it cannot be read."""
        self._library_changed()

    def _on_progress(self, progress: Progress) -> None:
        self._report(ProgressUpdate.of(progress))
        if self._progressed is not None:
            self._progressed()


@dataclass(frozen=True)
class JobRequest:
    """What the worker needs to run a job; ``collection`` is the library filter when it was queued."""

    job_id: int
    what: str
    operation: Operation[Any]
    cancel: CancelToken
    changes_library: bool = False
    collection: str | None = None


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended: DONE with its value, FAILED with a message for the user, or CANCELLED."""

    job_id: int
    state: JobState
    value: object = None
    message: str = ""


def failure_message(exc: Exception, what: str, log_dir: Path) -> str:
    """The line the user sees for ``exc``; the traceback of a bug goes to the log file.

    A ``QuireError`` is already worded for the user (it names the file and what to do);
    anything else is a bug, whose details would only confuse, so the user is told where
    the log is instead.
    """
    message = user_message(exc)
    if message is not None:
        log.warning("%s failed: %s", what, message)
        return message
    log.error("%s failed unexpectedly", what, exc_info=exc)
    return f"Something unexpected went wrong ({what.lower()}); the details are in the log file in {log_dir}."


class Job(Generic[T]):
    """The GUI thread's handle on one job: cancel it, or read how it ended.

    ``state`` stays PENDING until the job ends (the GUI is not told when the worker
    picks it up), then it is DONE (``result`` is set), FAILED (``error`` is the message)
    or CANCELLED. The callbacks run on the GUI thread, called by the bridge.
    """

    def __init__(
        self,
        job_id: int,
        group: str,
        what: str,
        *,
        success: Callable[[T], object] | None = None,
        failure: Callable[[str], object] | None = None,
        cancelled: Callable[[], object] | None = None,
        progress: Callable[[Any], object] | None = None,
    ) -> None:
        self.id = job_id
        self.group = group
        self.what = what
        self.token = CancelToken()
        self.state = JobState.PENDING
        self.result: T | None = None
        self.error = ""
        self._success = success
        self._failure = failure
        self._cancelled = cancelled
        self._progress = progress

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.group!r} {self.what!r} {self.state.value}>"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def cancel(self) -> None:
        """Ask the operation to stop at its next check; a job not yet started never runs."""
        self.token.cancel()

    def request(
        self, operation: Operation[T], *, changes_library: bool, collection: str | None
    ) -> JobRequest:
        return JobRequest(self.id, self.what, operation, self.token, changes_library, collection)

    def show_progress(self, update: object) -> None:
        if self._progress is not None and not self.token.cancelled:
            self._progress(update)

    def settle(self, outcome: JobOutcome) -> None:
        """Record how the job ended (before any callback runs, so they see it finished)."""
        self.state = outcome.state
        if outcome.state is JobState.DONE:
            self.result = cast(T, outcome.value)
        elif outcome.state is JobState.FAILED:
            self.error = outcome.message

    def notify(self) -> None:
        """Call the callback for how the job ended; each runs at most once."""
        success, failure, cancelled = self._success, self._failure, self._cancelled
        self._success = self._failure = self._cancelled = self._progress = None
        if self.state is JobState.DONE and success is not None:
            success(cast(T, self.result))
        elif self.state is JobState.FAILED and failure is not None:
            failure(self.error)
        elif self.state is JobState.CANCELLED and cancelled is not None:
            cancelled()
