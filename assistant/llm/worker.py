"""The model's own process: one chat model served over a pipe, so a native crash costs one answer.

llama.cpp is C++: a segfault in a kernel (the AMX bug of ggml-org/llama.cpp#20824), an
abort inside a grammar or the kernel's out-of-memory killer ends whatever process it runs
in. LM Studio and Ollama run it in a process of their own for that reason, and so does
Quire: ``serve`` runs in a child started by ``assistant.llm.process.WorkerChatModel``,
builds the in-process model there (``LlamaChatModel``, or a scripted one in tests), and
answers requests one at a time. The parent sees the child die as the end of the pipe.

The wire format is plain tuples (``multiprocessing.connection`` pickles them):

- parent -> child: ``(op, *args)``, one of ``tokenize``, ``count_tokens``,
  ``count_prompt_tokens``, ``stream`` and ``close``;
- child -> parent: ``("ready", n_ctx)`` once loaded; ``("ok", value)`` for the counts;
  for ``stream``: ``("started",)`` once the call-time checks passed, then ``("token", text)``
  pieces, then ``("end", timings)`` or ``("cancelled", timings)``; ``("error", code, args)``
  for any refusal, and ``("log", level, logger, message)`` whenever the child logs.

Cancellation does not travel through the pipe (the child is busy decoding, not reading):
it is a shared byte the child's ``CancelToken`` reads, in llama.cpp's abort callback
during prompt reading and between tokens after it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from assistant.errors import QuireError
from assistant.jobs import Cancelled, CancelToken
from assistant.llm.chat import ChatModel, ChatTimings, ContextOverflowError
from assistant.llm.errors import ModelError
from assistant.llm.grammar import GrammarError

log = logging.getLogger(__name__)

ModelFactory = Callable[[], ChatModel]  # picklable: a class or functools.partial of one


class SharedCancelToken(CancelToken):
    """A cancel token whose flag lives in memory shared with the parent process."""

    def __init__(self, flag: Any) -> None:
        super().__init__()
        self._flag = flag

    def cancel(self) -> None:
        self._flag.value = True

    @property
    def cancelled(self) -> bool:
        return bool(self._flag.value)

    def raise_if_cancelled(self) -> None:
        if self._flag.value:
            raise Cancelled()


class _PipeLogHandler(logging.Handler):
    """Sends the child's log records to the parent, which logs them under the same names."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(logging.INFO)
        self._conn = conn

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(OSError, ValueError):  # the parent is gone; nothing left to tell
            self._conn.send(("log", record.levelno, record.name, record.getMessage()))


# -- errors across the boundary -------------------------------------------------------------
def encode_error(exc: BaseException) -> tuple[str, tuple[Any, ...]]:
    """An exception as a code and plain arguments (exceptions with custom ``__init__`` do not pickle)."""
    if isinstance(exc, ContextOverflowError):
        return "context", (exc.prompt_tokens, exc.max_tokens, exc.n_ctx)
    if isinstance(exc, GrammarError):
        return "grammar", (str(exc),)
    if isinstance(exc, ModelError):
        return "model", (str(exc.path), exc.reason)
    if isinstance(exc, QuireError):
        return "quire", (str(exc),)
    return "bug", (f"{type(exc).__name__}: {exc}",)


def decode_error(code: str, args: tuple[Any, ...]) -> Exception:
    if code == "context":
        return ContextOverflowError(*args)
    if code == "grammar":
        return GrammarError(*args)
    if code == "model":
        return ModelError(*args)
    if code == "quire":
        return QuireError(*args)
    return RuntimeError(f"the model process failed: {args[0]}")


def timings_to_wire(timings: ChatTimings | None) -> dict[str, Any] | None:
    return dataclasses.asdict(timings) if timings is not None else None


# -- the child's main -----------------------------------------------------------------------
def serve(conn: Connection, factory: ModelFactory, flag: Any) -> None:
    """Load the model, say ``ready``, then answer requests until ``close`` or the parent goes."""
    root = logging.getLogger()
    root.handlers[:] = [_PipeLogHandler(conn)]
    root.setLevel(logging.INFO)
    model = factory()
    try:
        model.warm_up()
    except Exception as exc:
        log.debug("Model failed to load in worker %d", os.getpid(), exc_info=True)
        conn.send(("error", *encode_error(exc)))
        return
    conn.send(("ready", model.n_ctx))
    cancel = SharedCancelToken(flag)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the parent closed the pipe or died
            break
        op, args = request[0], request[1:]
        if op == "close":
            break
        try:
            if op == "stream":
                _stream(conn, model, cancel, *args)
            else:
                conn.send(("ok", _call(model, op, args)))
        except (BrokenPipeError, EOFError):
            break
        except Exception as exc:
            if not isinstance(exc, QuireError):
                log.exception("Model worker failed on %s", op)
            conn.send(("error", *encode_error(exc)))
    model.close()


def _call(model: ChatModel, op: str, args: tuple[Any, ...]) -> Any:
    if op == "tokenize":
        return model.tokenize(args[0])
    if op == "count_tokens":
        return model.count_tokens(args[0])
    if op == "count_prompt_tokens":
        return model.count_prompt_tokens(args[0])
    raise ValueError(f"unknown request {op!r}")


def _stream(
    conn: Connection, model: ChatModel, cancel: CancelToken, messages: Any, options: dict[str, Any]
) -> None:
    pieces = model.stream_chat(messages, cancel=cancel, **options)  # call-time checks raise here
    conn.send(("started",))
    try:
        for piece in pieces:
            conn.send(("token", piece))
    except Cancelled:
        conn.send(("cancelled", timings_to_wire(model.last_timings)))
        return
    conn.send(("end", timings_to_wire(model.last_timings)))
