"""A real model process that is killed in the middle of answers: the crash a user meets, on cue.

``KilledMidAnswer`` is a ``WorkerChatModel`` like the app's; for each signal in ``signals``
it lets one reply's first piece through, then sends that signal to its own child (SIGSEGV
as llama.cpp's AMX crash does, SIGKILL as the out-of-memory killer does). The crash and
everything after it (the message, the restart, the next answer) is the real code path.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator, Sequence
from typing import Any

from assistant.jobs import CancelToken
from assistant.llm.chat import ChatMessage
from assistant.llm.process import WorkerChatModel
from assistant.llm.worker import ModelFactory


class KilledMidAnswer(WorkerChatModel):
    def __init__(
        self, factory: ModelFactory, signals: Sequence[int] = (signal.SIGSEGV,), **kwargs: Any
    ) -> None:
        super().__init__(factory, **kwargs)
        self.signals = list(signals)
        self.killed: list[int] = []  # the signals sent so far

    def stream_chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float,
        cancel: CancelToken | None = None,
        response_format: dict[str, Any] | None = None,
        avoid: Sequence[str] = (),
    ) -> Iterator[str]:
        pieces = super().stream_chat(
            messages, max_tokens=max_tokens, temperature=temperature, cancel=cancel,
            response_format=response_format, avoid=avoid,
        )  # fmt: skip
        if not self.signals:
            return pieces
        return self._kill_after_first(pieces, self.signals.pop(0))

    def _kill_after_first(self, pieces: Iterator[str], sig: int) -> Iterator[str]:
        for n, piece in enumerate(pieces):
            yield piece
            if n == 0:
                pid = self.pid
                assert pid is not None and pid != os.getpid(), "no child process to kill"
                self.killed.append(sig)
                os.kill(pid, sig)
