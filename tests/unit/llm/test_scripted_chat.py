"""The scripted chat model keeps the ChatModel contract the pipeline relies on."""

from __future__ import annotations

import threading

import pytest

from assistant.jobs import Cancelled, CancelToken
from assistant.llm.chat import ChatMessage, ChatModel, ContextOverflowError
from assistant.testing.scripted_chat import ScriptedChatModel

SYSTEM = ChatMessage(role="system", content="Answer only from the passages. " * 20)


def ask(text: str) -> list[ChatMessage]:
    return [SYSTEM, ChatMessage(role="user", content=text)]


def test_is_a_chat_model() -> None:
    assert isinstance(ScriptedChatModel(["x"]), ChatModel)


def test_streams_word_by_word_and_records_calls() -> None:
    model = ScriptedChatModel(["The notice period is  ninety days [1].", "Second."])
    pieces = list(model.stream_chat(ask("How long?"), max_tokens=100, temperature=0.1))
    assert pieces == ["The ", "notice ", "period ", "is  ", "ninety ", "days ", "[1]."]
    assert model.chat(ask("Again?"), max_tokens=100, temperature=0.0) == "Second."
    assert [m[-1]["content"] for m in model.received] == ["How long?", "Again?"]
    assert model.calls[1].temperature == 0.0
    with pytest.raises(RuntimeError, match="ran out of replies after 2 calls"):
        model.chat(ask("Third?"), max_tokens=100, temperature=0.1)


def test_callable_reply_sees_the_messages() -> None:
    model = ScriptedChatModel(lambda messages: messages[-1]["content"].upper())
    fmt = {"type": "json_object", "schema": {"type": "object"}}
    assert model.chat(ask("echo"), max_tokens=10, temperature=0.1, response_format=fmt) == "ECHO"
    assert model.calls[0].response_format == fmt


def test_cancel_stops_the_stream() -> None:
    model = ScriptedChatModel(["one two three four five six"])
    cancel = CancelToken()
    got = []
    with pytest.raises(Cancelled):
        for piece in model.stream_chat(ask("q"), max_tokens=100, temperature=0.1, cancel=cancel):
            got.append(piece)
            if len(got) == 2:
                cancel.cancel()
    assert got == ["one ", "two "]
    assert model.last_timings is not None and model.last_timings.cancelled


def test_cancel_from_another_thread() -> None:
    model = ScriptedChatModel(["word " * 200], delay_s=0.005)
    cancel = CancelToken()
    threading.Timer(0.05, cancel.cancel).start()
    with pytest.raises(Cancelled):
        model.chat(ask("q"), max_tokens=1000, temperature=0.1, cancel=cancel)


def test_max_tokens_cuts_the_reply() -> None:
    model = ScriptedChatModel(["a b c d e f g h"])
    assert model.chat(ask("q"), max_tokens=3, temperature=0.1) == "a b c "
    assert model.last_timings is not None and model.last_timings.finish_reason == "length"


def test_token_counts_and_context_limit() -> None:
    model = ScriptedChatModel(["x"], n_ctx=100)
    assert model.count_tokens("abcdefgh") == 3
    assert len(model.tokenize("abcdefgh")) == 3
    assert model.count_prompt_tokens(ask("q")) > model.count_tokens(SYSTEM["content"])
    with pytest.raises(ContextOverflowError, match="exceeds the model's context of 100"):
        model.stream_chat(ask("q"), max_tokens=50, temperature=0.1)
    assert model.calls == []


def test_shared_prefix_is_reported_as_cached() -> None:
    model = ScriptedChatModel(["a", "b"])
    model.chat(ask("first question"), max_tokens=10, temperature=0.1)
    first = model.last_timings
    model.chat(ask("second question"), max_tokens=10, temperature=0.1)
    second = model.last_timings
    assert first is not None and second is not None
    assert first.cached_tokens == 0
    assert second.cached_tokens > model.count_tokens(SYSTEM["content"]) // 2
    assert second.prompt_eval_tokens < first.prompt_eval_tokens
