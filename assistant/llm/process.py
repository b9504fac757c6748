"""``WorkerChatModel``: the ``ChatModel`` the engine uses, with the model itself in a child process.

Everything above the model (the answerer, the tools, summaries, the session) keeps calling
the same ``ChatModel`` methods; this class forwards them over a pipe to
``assistant.llm.worker.serve`` and turns the child's death into an error for one answer:

- the answer in flight raises ``ModelCrashedError`` ("The model stopped unexpectedly
  (signal 11, SIGSEGV) and has been restarted. Ask again.");
- a new child is started at once, so it is loading while the user reads that message; a
  child that dies while loading, or a second child in a row that dies before its first
  token (a build that crashes on this CPU dies at every first decode), is not restarted:
  the model cannot run here, and the error says so, with the CPU and the fix;
- a cancel is a shared flag the child reads between tokens and in llama.cpp's abort
  callback; a child that has not stopped ``STOP_GRACE_S`` later is killed;
- ``close`` ends the child, so unloading or switching models gives its memory back.

The child is started with the ``spawn`` method: a fork of a process that runs Qt and
other threads can deadlock, and a fresh interpreter imports only the model layer.
"""

from __future__ import annotations

import ctypes
import dataclasses
import logging
import multiprocessing
import signal
import time
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from assistant.jobs import Cancelled, CancelToken
from assistant.llm.chat import ChatMessage, ChatTimings, JoinedChat
from assistant.llm.errors import ModelCrashedError, ModelError
from assistant.llm.probe import REBUILD_HINT, cpu_description
from assistant.llm.worker import ModelFactory, decode_error, serve

log = logging.getLogger(__name__)

SILENT_DEATHS_TO_GIVE_UP = 2  # a build that cannot run here dies at every first decode: stop restarting
STOP_GRACE_S = 3.0  # a cancelled child that sends nothing for this long is killed
POLL_S = 0.05  # how often a waiting parent looks at its cancel token
CLOSE_WAIT_S = 5.0  # a closing child that is still there after this is killed


def describe_exit(exitcode: int | None) -> str:
    """How a child ended, in words: "signal 11, SIGSEGV" or "exit code 1"."""
    if exitcode is None:
        return "no exit status"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
        return f"signal {-exitcode}, {name}"
    return f"exit code {exitcode}"


class WorkerChatModel(JoinedChat):
    """A ``ChatModel`` whose model runs in a child process of its own (see the module docstring).

    ``factory`` builds the in-process model inside the child; it is also called here once,
    to learn the name and planned context without loading anything (for ``LlamaChatModel``
    that reads the GGUF header only). Like the model it wraps, one thread owns it; only
    ``CancelToken.cancel`` may be called from elsewhere.
    """

    def __init__(
        self, factory: ModelFactory, *, stop_grace_s: float = STOP_GRACE_S, restart: bool = True
    ) -> None:
        self._factory = factory
        self._restart = restart  # False for a one-off check: a dead child is reported, not replaced
        self._local = factory()  # never loaded here
        self._stop_grace_s = stop_grace_s
        self._context = multiprocessing.get_context("spawn")
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._flag: Any = None
        self._ready = False
        self._n_ctx = 0
        self._last_timings: ChatTimings | None = None
        self._streams = 0  # replies asked for so far
        self._open_stream = 0  # the reply the child may still be sending (0: none)
        self._child_has_spoken = False  # whether the running child has sent a token yet
        self._silent_deaths = 0  # children in a row that died before their first token
        self.restarts = 0  # children started after a crash, for tests and the log

    # -- the ChatModel contract ------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._local.name

    @property
    def n_ctx(self) -> int:
        return self._n_ctx or self._local.n_ctx

    @property
    def last_timings(self) -> ChatTimings | None:
        return self._last_timings

    @property
    def loaded(self) -> bool:
        return self._ready and self._process is not None and self._process.is_alive()

    @property
    def pid(self) -> int | None:
        """The child's process id (for tests that kill it, and for the log)."""
        return self._process.pid if self._process is not None else None

    def warm_up(self) -> None:
        """Start the child (if none runs) and wait until it has loaded the model."""
        if self._process is None:
            self._start()
        if not self._ready:
            self._await_ready()

    def close(self) -> None:
        """End the child and free its memory; ``warm_up`` starts a new one."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        self._ready = False
        self._open_stream = 0
        if process is None:
            return
        try:
            if conn is not None and process.is_alive():
                conn.send(("close",))
        except OSError:
            pass
        process.join(CLOSE_WAIT_S)
        if process.is_alive():
            log.warning("Model process %s did not close in %.0f s; killing it", process.pid, CLOSE_WAIT_S)
            process.kill()
            process.join()
        if conn is not None:
            conn.close()

    def tokenize(self, text: str) -> list[int]:
        return list(self._request("tokenize", text))

    def count_tokens(self, text: str) -> int:
        return int(self._request("count_tokens", text))

    def count_prompt_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return int(self._request("count_prompt_tokens", list(messages)))

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
        """Yield the reply as the child generates it; the call-time checks raise here, as in-process."""
        self.warm_up()
        self._finish_open_stream()
        self._flag.value = False
        options = {
            "max_tokens": max_tokens,
            "temperature": temperature,
            "response_format": response_format,
            "avoid": list(avoid),
        }
        self._send(("stream", [dict(m) for m in messages], options))
        kind, payload = self._receive(cancel)
        if kind != "started":
            raise self._unexpected(kind, payload)
        self._streams += 1
        self._open_stream = self._streams
        return self._pieces(cancel, self._streams)

    # -- the child -------------------------------------------------------------------------
    def _start(self) -> None:
        parent_end, child_end = self._context.Pipe()
        self._flag = self._context.RawValue(ctypes.c_bool, False)
        process = self._context.Process(
            target=serve,
            args=(child_end, self._factory, self._flag),
            name=f"quire-model-{self.name}",
            daemon=True,
        )
        process.start()
        child_end.close()  # so the child's death reads as the end of the pipe here
        self._process, self._conn, self._ready = process, parent_end, False
        self._child_has_spoken = False
        log.info("Started model process %s for %s", process.pid, self.name)

    def _await_ready(self) -> None:
        started = time.perf_counter()
        kind, payload = self._receive(None, loading=True)  # a death here is closed and raised by _died
        if kind != "ready":
            self.close()
            raise self._unexpected(kind, payload)
        self._n_ctx, self._ready = int(payload[0]), True
        log.info(
            "Model %s ready in process %s after %.1f s", self.name, self.pid, time.perf_counter() - started
        )

    def _send(self, message: tuple[Any, ...]) -> None:
        assert self._conn is not None
        try:
            self._conn.send(message)
        except OSError:
            raise self._died(loading=False) from None

    def _request(self, op: str, *args: Any) -> Any:
        self.warm_up()
        self._finish_open_stream()
        self._send((op, *args))
        kind, payload = self._receive(None)
        if kind != "ok":
            raise self._unexpected(kind, payload)
        return payload[0]

    def _receive(self, cancel: CancelToken | None, *, loading: bool = False) -> tuple[str, tuple[Any, ...]]:
        """The child's next message, relaying its log lines; kills a child that ignores a cancel."""
        conn = self._conn
        assert conn is not None
        asked_to_stop = 0.0
        while True:
            if cancel is not None and cancel.cancelled and not asked_to_stop:
                self._flag.value = True
                asked_to_stop = time.monotonic()
            try:
                if not conn.poll(POLL_S):
                    if asked_to_stop and time.monotonic() - asked_to_stop > self._stop_grace_s:
                        self._kill_unresponsive()
                        raise Cancelled()
                    continue
                message = conn.recv()
            except (EOFError, OSError):
                raise self._died(loading=loading) from None
            kind, payload = message[0], tuple(message[1:])
            if kind == "log":
                level, name, text = payload
                logging.getLogger(name).log(level, "%s", text)
                continue
            return kind, payload

    def _pieces(self, cancel: CancelToken | None, stream: int) -> Iterator[str]:
        try:
            while True:
                kind, payload = self._receive(cancel)
                stopped = cancel is not None and cancel.cancelled
                if kind == "token":
                    self._child_has_spoken = True
                    if not stopped:  # pieces already in the pipe when Stop was pressed never show
                        yield payload[0]
                    continue
                self._open_stream = 0
                if kind in ("end", "cancelled"):
                    timings = ChatTimings(**payload[0]) if payload[0] else None
                    if stopped and timings is not None:
                        timings = dataclasses.replace(timings, cancelled=True, finish_reason="cancelled")
                    self._last_timings = timings
                    if kind == "cancelled" or stopped:
                        raise Cancelled()
                    return
                raise self._unexpected(kind, payload)
        finally:
            if self._open_stream == stream:  # the reader stopped early
                self._finish_open_stream()

    def _finish_open_stream(self) -> None:
        """Stop a reply nobody reads any more (its reader stopped early): drain it, or kill the child.

        Called before any new request too, since a generator that was never started never
        runs its own clean-up, and the child would still be sending that reply.
        """
        if not self._open_stream:
            return
        self._open_stream = 0
        if self._conn is None or self._flag is None:
            return
        self._flag.value = True
        deadline = time.monotonic() + self._stop_grace_s
        try:
            while time.monotonic() < deadline:
                if not self._conn.poll(POLL_S):
                    continue
                kind = self._conn.recv()[0]
                if kind in ("end", "cancelled", "error"):
                    return
        except (EOFError, OSError):
            self._died(loading=False)
            return
        self._kill_unresponsive()

    def _kill_unresponsive(self) -> None:
        log.warning(
            "Model process %s did not stop within %.0f s of a cancel; killing it",
            self.pid,
            self._stop_grace_s,
        )
        process = self._process
        if process is not None:
            process.kill()
            process.join()
        self.close()

    def _died(self, *, loading: bool) -> ModelError:
        """The child is gone: the error for this call, and (after a load) a new child starting."""
        process = self._process
        exitcode = None
        if process is not None:
            process.join(1.0)
            exitcode = process.exitcode
        how = describe_exit(exitcode)
        self.close()
        path = getattr(self._local, "path", self.name)
        if loading:
            log.error("Model process for %s died while loading the model (%s)", self.name, how)
            return ModelCrashedError(
                path,
                how,
                f"The model stopped while loading ({how}): it cannot run on this computer. "
                "Choose another model in Settings or with `quire models use NAME`.",
            )
        self._silent_deaths = 0 if self._child_has_spoken else self._silent_deaths + 1
        if self._silent_deaths >= SILENT_DEATHS_TO_GIVE_UP:
            cpu = cpu_description()
            log.error(
                "Model process for %s died again before its first word (%s) on %s; not restarting",
                self.name,
                how,
                cpu,
            )
            return ModelCrashedError(
                path,
                how,
                f"The model stopped again before writing a word ({how}): it cannot run on this computer "
                f"({cpu}). {REBUILD_HINT}",
            )
        if not self._restart:
            log.error("Model process for %s died (%s)", self.name, how)
            return ModelCrashedError(path, how, f"The model stopped unexpectedly ({how}).")
        log.error("Model process for %s died (%s); starting a new one", self.name, how)
        self._start()
        self.restarts += 1
        return ModelCrashedError(
            path, how, f"The model stopped unexpectedly ({how}) and has been restarted. Ask again."
        )

    def _unexpected(self, kind: str, payload: tuple[Any, ...]) -> Exception:
        if kind == "error":
            return decode_error(payload[0], tuple(payload[1]))
        return RuntimeError(f"the model process answered {kind!r} out of turn")
