"""A chat model that replies from a script, for tests of everything above the model.

It honours the whole ``ChatModel`` contract (streaming, cancellation, token counting,
timings, a context limit) so the answer pipeline can be tested quickly and
deterministically; the real model's behaviour is covered by the integration tests.
"""

from __future__ import annotations

import logging
import re
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.jobs import Cancelled, CancelToken
from assistant.llm.chat import ChatMessage, ChatTimings, ContextOverflowError, JoinedChat

log = logging.getLogger(__name__)

Reply = Callable[[list[ChatMessage]], str]
_PIECES = re.compile(r"\s*\S+\s*|\s+")


@dataclass(frozen=True)
class ScriptedCall:
    """One request the scripted model received, for tests to inspect."""

    messages: list[ChatMessage]
    max_tokens: int
    temperature: float
    response_format: dict[str, Any] | None
    avoid: list[str] = field(default_factory=list)


class ScriptedChatModel(JoinedChat):
    """Replies with scripted strings (in order) or with ``reply(messages)``.

    Streams word by word (whitespace kept, so the pieces join to the reply exactly),
    sleeping ``delay_s`` per piece if asked, which makes cancellation testable. Counts
    tokens as ``len(text) // 4 + 1`` and reports cached prompt tokens for a shared prefix
    with the previous prompt, roughly as llama.cpp's KV-cache reuse would.
    """

    def __init__(
        self,
        replies: Sequence[str] | Reply,
        *,
        name: str = "scripted",
        n_ctx: int = 8192,
        delay_s: float = 0.0,
    ) -> None:
        self._reply: Reply | None = replies if callable(replies) else None
        self._replies: list[str] = [] if callable(replies) else list(replies)
        self._name = name
        self._n_ctx = n_ctx
        self.delay_s = delay_s
        self.calls: list[ScriptedCall] = []
        self.warm_ups = 0
        self.closes = 0  # lets tests assert that a replaced model was freed
        self._last_prompt = ""
        self._last_timings: ChatTimings | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    @property
    def last_timings(self) -> ChatTimings | None:
        return self._last_timings

    @property
    def received(self) -> list[list[ChatMessage]]:
        """The message lists of every call, in order."""
        return [call.messages for call in self.calls]

    def warm_up(self) -> None:
        self.warm_ups += 1

    def close(self) -> None:
        self.closes += 1

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def tokenize(self, text: str) -> list[int]:
        return [
            zlib.crc32(text[i * 4 : i * 4 + 4].encode("utf-8")) & 0xFFFF for i in range(len(text) // 4 + 1)
        ]

    @staticmethod
    def _render(messages: Sequence[ChatMessage]) -> str:
        return "".join(f"<{m['role']}>{m['content']}</{m['role']}>\n" for m in messages)

    def count_prompt_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return sum(self.count_tokens(m["content"]) + 4 for m in messages) + 2

    def _next_reply(self, messages: list[ChatMessage]) -> str:
        if self._reply is not None:
            return self._reply(messages)
        if not self._replies:
            raise RuntimeError(f"ScriptedChatModel ran out of replies after {len(self.calls)} calls")
        return self._replies.pop(0)

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
        """Like the real model: checks happen at call time, the reply streams lazily."""
        prompt_tokens = self.count_prompt_tokens(messages)
        if prompt_tokens + max_tokens > self._n_ctx:
            raise ContextOverflowError(prompt_tokens, max_tokens, self._n_ctx)
        recorded = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
        reply = self._next_reply(recorded)
        self.calls.append(ScriptedCall(recorded, max_tokens, temperature, response_format, list(avoid)))
        prompt = self._render(recorded)
        shared = next(
            (i for i, (a, b) in enumerate(zip(prompt, self._last_prompt, strict=False)) if a != b),
            min(len(prompt), len(self._last_prompt)),
        )
        self._last_prompt = prompt
        cached = min(shared // 4, prompt_tokens)
        return self._stream(reply, prompt_tokens, prompt_tokens - cached, max_tokens, cancel)

    def _stream(
        self, reply: str, prompt_tokens: int, evaluated: int, max_tokens: int, cancel: CancelToken | None
    ) -> Iterator[str]:
        started = time.perf_counter()
        first = 0.0
        used = 0
        finish = "stop"
        cancelled = False
        try:
            for piece in _PIECES.findall(reply):
                if cancel is not None and cancel.cancelled:
                    cancelled = True
                    break
                cost = self.count_tokens(piece.strip()) if piece.strip() else 1
                if used + cost > max_tokens:
                    finish = "length"
                    break
                if self.delay_s:
                    time.sleep(self.delay_s)
                used += cost
                first = first or time.perf_counter()
                yield piece
        finally:
            now = time.perf_counter()
            self._last_timings = ChatTimings(
                prompt_tokens=prompt_tokens,
                prompt_eval_tokens=evaluated,
                completion_tokens=used,
                ttft_s=(first or now) - started,
                decode_tokens_per_s=(used - 1) / (now - first) if first and now > first and used > 1 else 0.0,
                total_s=now - started,
                cancelled=cancelled,
                finish_reason="cancelled" if cancelled else finish,
            )
        if cancelled:
            raise Cancelled()


class DyingChatModel(ScriptedChatModel):
    """A scripted model whose process dies by ``signal``: as llama.cpp does on a native crash.

    ``when`` is "load" (in ``warm_up``) or "stream" (after ``after`` pieces of a reply).
    Only for a model run in a worker process: it kills the process it runs in.
    """

    def __init__(
        self,
        replies: Sequence[str],
        *,
        when: str = "stream",
        after: int = 1,
        signal_number: int = 11,
        **kwargs: Any,
    ) -> None:
        super().__init__(replies, **kwargs)
        self._when, self._after, self._signal = when, after, signal_number

    def _die(self) -> None:
        import os

        os.kill(os.getpid(), self._signal)
        time.sleep(5)  # the signal is delivered before this returns

    def warm_up(self) -> None:
        super().warm_up()
        if self._when == "load":
            self._die()

    def _stream(
        self, reply: str, prompt_tokens: int, evaluated: int, max_tokens: int, cancel: CancelToken | None
    ) -> Iterator[str]:
        for n, piece in enumerate(super()._stream(reply, prompt_tokens, evaluated, max_tokens, cancel)):
            if self._when == "stream" and n == self._after:
                self._die()
            yield piece


def memo_source(messages: list[ChatMessage]) -> str:
    """The sentence a summary's rewrite prompt asks to shorten."""
    return messages[-1]["content"].split("Sentence: ", 1)[1].split("\n\nShortened sentence", 1)[0]


def keep_sentences(messages: list[ChatMessage]) -> str:
    """A summary rewrite reply that gives the sentence back unchanged, so it is shown as written."""
    return memo_source(messages)
