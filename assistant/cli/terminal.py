"""Terminal rendering for the CLI: a one-line progress bar and Ctrl+C handling."""

from __future__ import annotations

import shutil
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from assistant.jobs import CancelToken, Progress


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class ProgressBar:
    """Redraws one line on a terminal at most ten times a second."""

    def __init__(self, label: str, unit: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self._last = 0.0
        self._drawn = False

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self._last < 0.1 and progress.done < progress.total:
            return
        self._last = now
        width = shutil.get_terminal_size((100, 20)).columns
        total = max(progress.total, 1)
        filled = int(20 * min(progress.done, total) / total)
        bar = "█" * filled + "·" * (20 - filled)
        line = (
            f"{self.label} [{bar}] {progress.done}/{progress.total} {self.unit} "
            f"· {progress.rate:.1f}/s · ETA {format_duration(progress.eta_seconds)} · {progress.detail}"
        )
        self.stream.write("\r" + line[: width - 1].ljust(width - 1))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


@contextmanager
def cancel_on_interrupt(cancel: CancelToken, notice: TextIO | None = None) -> Iterator[None]:
    """First Ctrl+C cancels cleanly (finished work is kept); a second one aborts."""
    stream = notice or sys.stderr

    def handler(signum: int, frame: FrameType | None) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()
        stream.write("\nStopping after the current file (finished work is kept); Ctrl+C again to abort.\n")
        stream.flush()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def interruptible(label: str, unit: str, *, show_bar: bool) -> Iterator[tuple[Progress, CancelToken]]:
    """Progress (drawn as a bar when ``show_bar``) and Ctrl+C cancellation for one long command.

    The bar's line is ended before any exception leaves, so a "Stopped" message the
    caller writes starts on a line of its own.
    """
    bar = ProgressBar(label, unit)
    cancel = CancelToken()
    try:
        with cancel_on_interrupt(cancel):
            yield Progress(stage=unit, listeners=[bar] if show_bar else []), cancel
    finally:
        bar.close()
