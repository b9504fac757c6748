"""The real default model: assembly, validation, streaming, cancellation, JSON, prefix reuse.

The 491 MB GGUF is assembled once into a shared cache (``QUIRE_TEST_MODELS``, default
``~/.cache/quire-test-models``) or reused from ``QUIRE_MODELS`` when that already holds a
verified copy, so repeated runs cost a ``stat``, not a copy and a hash.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from pathlib import Path

import pytest

from assistant.config import DEFAULT_MODEL, FAST_MODEL, LLMSettings
from assistant.jobs import Cancelled, CancelToken
from assistant.llm.catalog import assemble, get_entry, is_assembled
from assistant.llm.chat import ChatMessage, ContextOverflowError
from assistant.llm.errors import ModelError
from assistant.llm.gguf import validate_chat_model
from assistant.llm.model import LlamaChatModel
from assistant.llm.process import WorkerChatModel
from assistant.llm.registry import list_models

pytestmark = pytest.mark.integration


def system(text: str) -> ChatMessage:
    return ChatMessage(role="system", content=text)


def user(text: str) -> ChatMessage:
    return ChatMessage(role="user", content=text)


def passages(topic: str, n: int) -> str:
    return " ".join(
        f"Passage {i}: The {topic} contract for unit {i} runs {i + 10} months; rent is due on day {i % 28 + 1}."
        for i in range(n)
    )


def test_both_bundled_models_are_verified_and_listed(models_dir: Path, model_file: Path) -> None:
    rows = {r.name: r for r in list_models(models_dir, active=DEFAULT_MODEL)}
    for name in (DEFAULT_MODEL, FAST_MODEL):
        entry = get_entry(name)
        assert entry is not None and is_assembled(entry, models_dir)
        assert rows[name].status == "ready"
    assert rows[DEFAULT_MODEL].active and not rows[FAST_MODEL].active
    assert rows[FAST_MODEL].path == model_file  # the one the shared test model loads


def test_real_file_header_matches_the_catalog(model_file: Path) -> None:
    entry = get_entry(FAST_MODEL)
    assert entry is not None
    info = validate_chat_model(model_file)
    assert info.architecture == "qwen2"
    assert info.quantization == entry.quantization == "Q4_K_M"
    assert info.context_length == entry.context_length
    assert info.expected_size == info.file_size == entry.size
    assert info.chat_template is not None and "<|im_start|>" in info.chat_template


def test_truncated_copy_is_refused_with_a_clear_message(model_file: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.gguf"
    with model_file.open("rb") as src, truncated.open("wb") as dst:
        dst.write(src.read(1024 * 1024))
    with pytest.raises(ModelError, match="truncated") as err:
        validate_chat_model(truncated)
    assert err.value.path == truncated
    assert str(truncated) in str(err.value)
    with pytest.raises(ModelError, match="truncated"):
        LlamaChatModel(truncated).warm_up()


def test_llama_cpp_logs_go_to_our_logger_not_stderr(
    model: WorkerChatModel,
    model_file: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="assistant.llm.llama_cpp"):
        second = LlamaChatModel(model_file, settings=LLMSettings(n_ctx=512))
        second.warm_up()
        second.close()
    assert any(r.name == "assistant.llm.llama_cpp" for r in caplog.records)
    captured = capfd.readouterr()
    assert "llama_" not in captured.err and "llama_" not in captured.out


def test_loaded_model_settings(model: WorkerChatModel) -> None:
    assert model.loaded
    assert 512 <= model.n_ctx <= 8192 and model.n_ctx % 256 == 0
    assert model.count_tokens("hello world") == len(model.tokenize("hello world")) > 0


def test_streams_a_short_reply(model: WorkerChatModel) -> None:
    messages = [system("You are terse."), user("Say hello in one short sentence.")]
    pieces = list(model.stream_chat(messages, max_tokens=24, temperature=0.1))
    assert len(pieces) > 1
    assert "".join(pieces).strip()
    timings = model.last_timings
    assert timings is not None and not timings.cancelled
    assert timings.prompt_tokens == model.count_prompt_tokens(messages)
    assert 0 < timings.completion_tokens <= 25
    assert timings.ttft_s > 0 and timings.decode_tokens_per_s > 0


def _cancel_after(cancel: CancelToken, delay_s: float) -> list[float]:
    """Cancel from another thread after ``delay_s``; the list receives the moment it fired."""
    fired: list[float] = []

    def fire() -> None:
        fired.append(time.perf_counter())
        cancel.cancel()

    threading.Timer(delay_s, fire).start()
    return fired


def test_cancel_during_decoding_delivers_no_further_token(model: WorkerChatModel) -> None:
    """Counted in tokens, not seconds, so a busy machine cannot fail it: once the user
    stops, the stream ends at once and nothing more reaches the screen."""
    cancel = CancelToken()
    messages = [system("You write long essays."), user("Write a long essay about the history of paper.")]
    before: list[str] = []
    after: list[str] = []
    with pytest.raises(Cancelled):
        for piece in model.stream_chat(messages, max_tokens=400, temperature=0.1, cancel=cancel):
            (after if cancel.cancelled else before).append(piece)
            if len(before) == 5:
                cancel.cancel()
    assert len(before) == 5 and after == []
    timings = model.last_timings
    assert timings is not None and timings.cancelled and timings.finish_reason == "cancelled"
    # Decoding stopped within a few tokens (the model's process may have decoded one or two
    # more before it read the flag), not 400.
    assert timings.completion_tokens <= len(before) + 3


def test_cancel_during_prompt_reading_stops_before_the_prompt_is_read(model: WorkerChatModel) -> None:
    """A long prompt takes seconds to read on a laptop; a new question must not wait for it.

    Counted in tokens: llama.cpp stopped part-way through the prompt and wrote nothing.
    """
    cancel = CancelToken()
    messages = [system(passages("cancelled", 60)), user("List every unit and its term, one per line.")]
    _cancel_after(cancel, 0.3)
    with pytest.raises(Cancelled):
        model.chat(messages, max_tokens=512, temperature=0.1, cancel=cancel)
    timings = model.last_timings
    assert timings is not None and timings.cancelled and timings.completion_tokens == 0
    assert timings.prompt_eval_tokens < timings.prompt_tokens
    # The model still answers normally after an aborted decode.
    assert model.chat([user("Say yes.")], max_tokens=4, temperature=0.1).strip()


def test_json_schema_constrained_output(model: WorkerChatModel) -> None:
    schema = {
        "type": "object",
        "properties": {
            "unit": {"type": "integer"},
            "months": {"type": "integer"},
            "found": {"type": "boolean"},
        },
        "required": ["unit", "months", "found"],
    }
    messages = [
        system("Answer in JSON. " + passages("json", 5)),
        user("How many months does the contract for unit 3 run?"),
    ]
    text = model.chat(
        messages, max_tokens=48, temperature=0.1, response_format={"type": "json_object", "schema": schema}
    )
    data = json.loads(text)
    assert set(data) == {"unit", "months", "found"}
    assert isinstance(data["unit"], int) and isinstance(data["months"], int)
    assert isinstance(data["found"], bool)


def test_avoided_reply_is_not_written_again(model: WorkerChatModel) -> None:
    """What the answer pipeline relies on to replace an answer that repeats the question."""
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    messages = [system("Reply in JSON."), user("Name one colour of the rainbow.")]

    def answer(avoid: list[str]) -> str:
        text = "".join(
            model.stream_chat(
                messages, max_tokens=24, temperature=0.0, avoid=avoid,
                response_format={"type": "json_object", "schema": schema},
            )
        )  # fmt: skip
        return str(json.loads(text)["answer"]).strip()

    first = answer([])
    second = answer([first])
    assert second and second.split()[0].lower() != first.split()[0].lower()


def test_second_question_reuses_the_system_prompt(model: WorkerChatModel) -> None:
    sys_msg = system("Answer from these passages only. " + passages("prefix", 30))
    shared = model.count_prompt_tokens([sys_msg]) - 5  # minus the generation prompt's markers
    model.chat([sys_msg, user("Which unit runs 15 months?")], max_tokens=12, temperature=0.1)
    first = model.last_timings
    model.chat([sys_msg, user("When is rent due for unit 4?")], max_tokens=12, temperature=0.1)
    second = model.last_timings
    assert first is not None and second is not None
    assert first.cached_tokens < shared  # nothing of this system prompt was cached yet
    assert second.cached_tokens >= shared
    assert second.prompt_eval_tokens < first.prompt_eval_tokens // 4


def test_prompt_that_does_not_fit_is_refused_before_decoding(model: WorkerChatModel) -> None:
    huge = user("word " * (model.n_ctx + 10))
    with pytest.raises(ContextOverflowError, match="exceeds the model's context"):
        model.stream_chat([huge], max_tokens=64, temperature=0.1)


def test_model_file_with_parts_missing_never_half_exists(tmp_path: Path, model_file: Path) -> None:
    """A user-visible copy of a file in the models dir is re-verified, not trusted by size."""
    entry = get_entry(FAST_MODEL)
    assert entry is not None
    copy_dir = tmp_path / "models"
    copy_dir.mkdir()
    shutil.copyfile(model_file, copy_dir / model_file.name)
    assert not is_assembled(entry, copy_dir)
    assert assemble(entry, copy_dir, locate=lambda pkg: None) == copy_dir / model_file.name
    assert is_assembled(entry, copy_dir)
