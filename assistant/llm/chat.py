"""The chat-model contract shared by the llama.cpp backend and the scripted fake.

Kept apart from ``model`` so code that only needs the types (the answer pipeline, tests
with the scripted model) never imports llama-cpp-python or psutil.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, runtime_checkable

from assistant.errors import QuireError
from assistant.jobs import CancelToken


class ChatMessage(TypedDict):
    role: str  # "system", "user" or "assistant"
    content: str


@dataclass(frozen=True)
class ChatTimings:
    """What one generation cost, so the pipeline can report TTFT and decode speed.

    ``prompt_eval_tokens`` is what llama.cpp actually read this call (its perf counters);
    the rest of ``prompt_tokens`` came from the KV cache of the previous call.
    ``completion_tokens`` counts sampled tokens and may be one off at a stop token.
    """

    prompt_tokens: int
    prompt_eval_tokens: int
    completion_tokens: int
    ttft_s: float
    decode_tokens_per_s: float
    total_s: float
    cancelled: bool = False
    finish_reason: str | None = None

    @property
    def cached_tokens(self) -> int:
        return max(self.prompt_tokens - self.prompt_eval_tokens, 0)


class ContextOverflowError(QuireError, ValueError):
    """The prompt plus the room asked for the answer does not fit in ``n_ctx``."""

    def __init__(self, prompt_tokens: int, max_tokens: int, n_ctx: int) -> None:
        self.prompt_tokens, self.max_tokens, self.n_ctx = prompt_tokens, max_tokens, n_ctx
        super().__init__(
            f"prompt of {prompt_tokens} tokens plus {max_tokens} for the answer exceeds the "
            f"model's context of {n_ctx} tokens"
        )


@runtime_checkable
class ChatModel(Protocol):
    """What the answer pipeline needs from a chat model (real or scripted).

    Token counts come from the model's own tokenizer so budgets are exact;
    ``count_prompt_tokens`` includes the chat template's role markers.
    """

    @property
    def name(self) -> str: ...

    @property
    def n_ctx(self) -> int: ...

    @property
    def last_timings(self) -> ChatTimings | None: ...

    def warm_up(self) -> None: ...

    def close(self) -> None:
        """Free the model's memory; ``warm_up`` may load it again."""
        ...

    def tokenize(self, text: str) -> list[int]: ...

    def count_tokens(self, text: str) -> int: ...

    def count_prompt_tokens(self, messages: Sequence[ChatMessage]) -> int: ...

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
        """Yield the reply in pieces; raise ``Cancelled`` if ``cancel`` fires midway.

        ``avoid``: earlier replies that were rejected; the model may not begin a word
        the way any of them begins, so it cannot write the same thing again.
        """
        ...

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float,
        cancel: CancelToken | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> str: ...


class JoinedChat:
    """``chat`` as the joined ``stream_chat``: shared by every model that streams (all of them)."""

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
        raise NotImplementedError

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float,
        cancel: CancelToken | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> str:
        """The whole reply as one string (JSON replies, tests)."""
        pieces = self.stream_chat(
            messages, max_tokens=max_tokens, temperature=temperature, cancel=cancel,
            response_format=response_format,
        )  # fmt: skip
        return "".join(pieces)
