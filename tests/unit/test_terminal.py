"""The CLI's progress bar and Ctrl+C handling around a long command."""

from __future__ import annotations

import os
import signal

import pytest

from assistant.cli.terminal import interruptible
from assistant.jobs import Cancelled


def test_ctrl_c_cancels_the_command_and_is_restored_after() -> None:
    before = signal.getsignal(signal.SIGINT)  # the default, or SIG_IGN when run in the background
    with (
        pytest.raises(Cancelled),
        interruptible("Summarising", "pages", show_bar=False) as (_progress, cancel),
    ):
        os.kill(os.getpid(), signal.SIGINT)  # what the first Ctrl+C does
        assert cancel.cancelled
        cancel.raise_if_cancelled()
    assert signal.getsignal(signal.SIGINT) is before


def test_the_bar_line_ends_before_a_stop_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(Cancelled), interruptible("Summarising", "pages", show_bar=True) as (progress, cancel):
        progress.update(1, 4, detail="page 1")
        cancel.cancel()
        cancel.raise_if_cancelled()
    err = capsys.readouterr().err
    assert "Summarising [" in err and "1/4 pages" in err
    assert err.endswith("\n")  # the caller's "Stopped ..." starts on a fresh line


def test_no_bar_when_not_shown(capsys: pytest.CaptureFixture[str]) -> None:
    with interruptible("Extracting", "cells", show_bar=False) as (progress, _cancel):
        progress.update(3, 3)
    assert capsys.readouterr().err == ""
