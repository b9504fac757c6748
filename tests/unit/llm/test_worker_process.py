"""The model in a process of its own: crashes, kills and cancels cost one answer, never the caller.

A real child process, started as the app starts it, runs the scripted model, so the process
boundary (pipe, signals, shared cancel flag, restart) is what is tested; the real GGUF model
behind the same boundary is tested in tests/integration/test_model_crash.py.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import psutil
import pytest

from assistant.jobs import Cancelled, CancelToken
from assistant.llm.chat import ChatModel, ContextOverflowError
from assistant.llm.errors import ModelCrashedError
from assistant.llm.probe import ModelCannotRunError, check_factory_runs, cpu_description
from assistant.llm.process import WorkerChatModel, describe_exit
from assistant.testing.scripted_chat import DyingChatModel, ScriptedChatModel

HELLO = [{"role": "user", "content": "Say hello."}]
REPLY = "one two three four five six seven eight nine ten"


@pytest.fixture
def worker() -> Iterator[WorkerChatModel]:
    model = WorkerChatModel(partial(ScriptedChatModel, [REPLY] * 20, delay_s=0.02), stop_grace_s=1.0)
    yield model
    model.close()


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_is_a_chat_model_that_streams_what_the_model_in_the_child_writes(worker: WorkerChatModel) -> None:
    assert isinstance(worker, ChatModel)
    pieces = list(worker.stream_chat(HELLO, max_tokens=100, temperature=0.0))
    assert "".join(pieces) == REPLY and len(pieces) == 10
    assert worker.pid != os.getpid()
    timings = worker.last_timings
    assert timings is not None and timings.completion_tokens > 0 and timings.finish_reason == "stop"
    assert worker.count_tokens("abcdefgh") == 3
    assert worker.count_prompt_tokens(HELLO) == ScriptedChatModel([]).count_prompt_tokens(HELLO)


def test_refusals_cross_the_boundary_with_their_fields(worker: WorkerChatModel) -> None:
    with pytest.raises(ContextOverflowError) as raised:
        worker.stream_chat(HELLO, max_tokens=100_000, temperature=0.0)
    assert raised.value.max_tokens == 100_000 and raised.value.n_ctx == 8192
    assert worker.chat(HELLO, max_tokens=100, temperature=0.0) == REPLY  # the child lives on


@pytest.mark.parametrize(
    ("sig", "words"), [(signal.SIGSEGV, "signal 11, SIGSEGV"), (signal.SIGKILL, "signal 9, SIGKILL")]
)
def test_a_child_killed_mid_answer_ends_that_answer_and_the_next_is_answered(
    worker: WorkerChatModel, sig: signal.Signals, words: str
) -> None:
    worker.warm_up()
    first_pid = worker.pid
    assert first_pid is not None
    stream = worker.stream_chat(HELLO, max_tokens=100, temperature=0.0)
    received = [next(stream)]
    os.kill(first_pid, sig)
    with pytest.raises(ModelCrashedError) as raised:
        received.extend(stream)
    assert str(raised.value) == f"The model stopped unexpectedly ({words}) and has been restarted. Ask again."
    assert len(received) < 10 and worker.restarts == 1
    assert _gone(first_pid)
    assert worker.chat(HELLO, max_tokens=100, temperature=0.0) == REPLY
    assert worker.pid != first_pid


def test_a_model_that_crashes_itself_while_answering_is_restarted() -> None:
    model = WorkerChatModel(partial(DyingChatModel, [REPLY] * 3, after=2))
    try:
        with pytest.raises(ModelCrashedError, match=r"signal 11, SIGSEGV\) and has been restarted"):
            model.chat(HELLO, max_tokens=100, temperature=0.0)
        assert model.restarts == 1
    finally:
        model.close()


def test_a_model_that_dies_while_loading_cannot_run_and_is_not_restarted() -> None:
    model = WorkerChatModel(partial(DyingChatModel, [REPLY], when="load", signal_number=signal.SIGABRT))
    with pytest.raises(
        ModelCrashedError, match=r"while loading \(signal 6, SIGABRT\): it cannot run on this computer"
    ):
        model.warm_up()
    assert model.restarts == 0 and model.pid is None


def test_cancel_stops_the_answer_within_a_few_pieces_and_keeps_the_child(worker: WorkerChatModel) -> None:
    worker.warm_up()
    pid = worker.pid
    cancel = CancelToken()
    received: list[str] = []
    with pytest.raises(Cancelled):
        for piece in worker.stream_chat(HELLO, max_tokens=100, temperature=0.0, cancel=cancel):
            received.append(piece)
            if len(received) == 2:
                cancel.cancel()
    assert len(received) <= 4
    assert worker.last_timings is not None and worker.last_timings.cancelled
    assert worker.chat(HELLO, max_tokens=100, temperature=0.0) == REPLY and worker.pid == pid


def test_a_child_that_ignores_a_cancel_is_killed() -> None:
    slow = WorkerChatModel(partial(ScriptedChatModel, [REPLY] * 3, delay_s=30.0), stop_grace_s=0.5)
    try:
        slow.warm_up()
        pid = slow.pid or -1
        cancel = CancelToken()
        stream = slow.stream_chat(HELLO, max_tokens=100, temperature=0.0, cancel=cancel)
        time.sleep(0.5)  # the child has looked at the flag and is deaf for 30 s: a stuck native call
        cancel.cancel()
        received: list[str] = []
        with pytest.raises(Cancelled):
            received.append(next(stream))
        assert received == []  # stopped without the 30 s piece: the child was killed, not waited for
        assert _gone(pid) and slow.pid is None
    finally:
        slow.close()


def test_a_reader_that_stops_early_leaves_the_child_ready_for_the_next_call(worker: WorkerChatModel) -> None:
    stream = worker.stream_chat(HELLO, max_tokens=100, temperature=0.0)
    next(stream)
    stream.close()
    assert worker.chat(HELLO, max_tokens=100, temperature=0.0) == REPLY
    assert worker.restarts == 0


def test_close_ends_the_child_and_frees_its_memory(worker: WorkerChatModel) -> None:
    worker.warm_up()
    pid = worker.pid or -1
    worker.close()
    assert _gone(pid) and not worker.loaded
    worker.warm_up()  # and it can be loaded again
    assert worker.loaded and worker.pid != pid


def test_the_set_up_check_names_the_cpu_and_the_fix_when_decoding_crashes(tmp_path: Path) -> None:
    with pytest.raises(ModelCannotRunError) as raised:
        check_factory_runs(partial(DyingChatModel, ["OK"], after=0), tmp_path / "m.gguf")
    message = str(raised.value)
    assert "cannot run on this computer" in message and "signal 11" in message
    assert "CPU: " in message and "make install" in message
    check_factory_runs(partial(ScriptedChatModel, ["OK"]), tmp_path / "m.gguf")  # a sound model passes


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ("fpu avx2 fma", "Test CPU with avx2"),
        (
            "avx2 avx512f avx512_vnni amx_tile amx_int8",
            "Test CPU with avx2, avx512f, avx512_vnni, amx_tile, amx_int8",
        ),
        ("sse2", "Test CPU with none of avx2"),
    ],
)
def test_cpu_description_names_the_features_that_decide_the_build(
    tmp_path: Path, flags: str, expected: str
) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: {flags}\n", encoding="utf-8")
    assert cpu_description(cpuinfo).startswith(expected)


@pytest.mark.parametrize(
    ("exitcode", "words"),
    [
        (-11, "signal 11, SIGSEGV"),
        (-9, "signal 9, SIGKILL"),
        (1, "exit code 1"),
        (None, "no exit status"),
        (-99, "signal 99"),
    ],
)
def test_describe_exit(exitcode: int | None, words: str) -> None:
    assert describe_exit(exitcode) == words


def test_a_reply_never_read_does_not_leak_into_the_next_request(worker: WorkerChatModel) -> None:
    worker.stream_chat(HELLO, max_tokens=100, temperature=0.0)  # dropped before its first piece
    assert worker.count_tokens("abcdefgh") == 3
    assert worker.chat(HELLO, max_tokens=100, temperature=0.0) == REPLY
    assert worker.restarts == 0


def test_a_model_that_dies_before_its_first_word_twice_in_a_row_is_given_up_with_the_fix() -> None:
    model = WorkerChatModel(partial(DyingChatModel, [REPLY] * 4, after=0))
    try:
        with pytest.raises(ModelCrashedError, match="has been restarted"):
            model.chat(HELLO, max_tokens=100, temperature=0.0)
        with pytest.raises(ModelCrashedError, match="cannot run on this computer") as raised:
            model.chat(HELLO, max_tokens=100, temperature=0.0)
        assert "make install" in str(raised.value) and model.restarts == 1 and model.pid is None
    finally:
        model.close()
