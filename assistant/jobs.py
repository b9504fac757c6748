"""Progress and cancellation: plain objects the engine reports through.

The engine never knows whether a terminal, a Qt window or a test listens; it calls
``Progress.update`` and checks ``CancelToken.raise_if_cancelled`` between units of work.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class Cancelled(Exception):
    """Raised inside long work when its CancelToken was cancelled."""


class CancelToken:
    """Thread-safe flag a caller sets to stop work at the next safe point."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


class JobState(enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    CANCELLED = "cancelled"
    FAILED = "failed"
    DONE = "done"


ProgressCallback = Callable[["Progress"], None]


@dataclass
class Progress:
    """Counts of work done for one stage (``files``, ``pages``, ``ocr``...).

    Listeners are called on every ``update`` from the thread doing the work; a UI
    listener must hop to its own thread itself.
    """

    stage: str = ""
    done: int = 0
    total: int = 0
    detail: str = ""
    started: float = field(default_factory=time.monotonic)
    listeners: list[ProgressCallback] = field(default_factory=list)

    def update(self, done: int, total: int | None = None, detail: str = "") -> None:
        self.done = done
        if total is not None:
            self.total = total
        if detail:
            self.detail = detail
        for listener in self.listeners:
            listener(self)

    def advance(self, step: int = 1, detail: str = "") -> None:
        self.update(self.done + step, detail=detail)

    @property
    def rate(self) -> float:
        """Units per second since the stage started."""
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        rate = self.rate
        if rate <= 0 or self.total <= 0:
            return None
        return max(self.total - self.done, 0) / rate
