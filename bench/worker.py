"""The model's own process: what the boundary costs, what each llama.cpp build does, and crash recovery.

For each benchmarked model (the default; ``QUIRE_BENCH_MODELS=a,b`` for more), quiet and
with one core kept busy, on the same cold prompts (``bench.load``'s ~560-token passages, a
new first line each run, 48 tokens of reply):

- ``bare, weights repacked``: llama-cpp-python's ``Llama`` in the benchmark's own process, as
  a script would use it, with the build ``make install`` made (AMX off) and llama.cpp's
  default load (``CPU_REPACK`` of the Q4_K weights);
- ``bare, use_extra_bufts=false``: the other mitigation of the AMX crash, which also turns
  the repacking off (Quire's ``WeightRepack`` setting chooses between the two loads);
- ``worker``: Quire's ``WorkerChatModel``, the model in a child process with Quire's
  settings, timed where the tokens arrive, in the parent; its decode rate is compared with
  the bare run that loads the weights the same way;
- ``crash -> next first word``: the worker killed with SIGSEGV after an answer's first word,
  then the time from the kill to the first word of the next answer (restart included).

Rates are taken where the pieces arrive, so the pipe's cost is inside the worker's figure:
decode = (pieces - 1) / (last - first), prompt = prompt tokens / time to first piece.
``--lib DIR`` runs the bare configuration with another build of llama.cpp's libraries
(``LLAMA_CPP_LIB_PATH``): a build with AMX on an AMX CPU dies, and that is reported as such.
Each configuration runs in a fresh process (OpenMP reads its settings once per process).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import time
from typing import Any

RUNS = 3
MAX_TOKENS = 48
THREADS = 2
N_CTX = 2048


def _timed(pieces: Any, prompt_tokens: int) -> dict[str, float]:
    started = time.perf_counter()
    first = last = 0.0
    count = 0
    for _piece in pieces:
        last = time.perf_counter()
        first = first or last
        count += 1
    ttft = first - started
    return {
        "ttft_s": ttft,
        "prompt_tps": prompt_tokens / ttft if ttft > 0 else 0.0,
        "decode_tps": (count - 1) / (last - first) if last > first else 0.0,
        "pieces": count,
    }


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def child_bare(model_name: str, extra_bufts: bool) -> dict[str, Any]:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import llama_cpp
    import llama_cpp.llama_cpp as low

    from assistant.config import Settings
    from assistant.llm.model import model_params
    from assistant.llm.registry import resolve_model
    from bench.load import _messages

    path = resolve_model(model_name, Settings.load().models_dir)
    with model_params(use_extra_bufts=extra_bufts):
        llm = llama_cpp.Llama(
            model_path=str(path), n_ctx=N_CTX, n_threads=THREADS, n_threads_batch=THREADS,
            chat_format="chat_template.default", verbose=False,
        )  # fmt: skip
    runs = []
    for run in range(RUNS):
        low.llama_perf_context_reset(llm.ctx)
        stream = llm.create_chat_completion(
            messages=_messages(run),  # type: ignore[arg-type]
            max_tokens=MAX_TOKENS,
            temperature=0.0,
            stream=True,
        )
        pieces = (c["choices"][0]["delta"].get("content") for c in stream)  # type: ignore[index,union-attr]
        timed = _timed((p for p in pieces if p), 0)
        prompt = low.llama_perf_context(llm.ctx).n_p_eval  # what llama.cpp read: the whole cold prompt
        timed["prompt_tps"] = prompt / timed["ttft_s"] if timed["ttft_s"] > 0 else 0.0
        runs.append(timed)
    return _median(runs)


def child_worker(model_name: str) -> dict[str, Any]:
    from functools import partial

    from assistant.config import LLMSettings, Settings
    from assistant.llm.errors import ModelCrashedError
    from assistant.llm.model import LlamaChatModel
    from assistant.llm.process import WorkerChatModel
    from assistant.llm.registry import resolve_model
    from bench.load import _messages

    path = resolve_model(model_name, Settings.load().models_dir)
    settings = LLMSettings(threads=THREADS, n_ctx=N_CTX)
    model = WorkerChatModel(partial(LlamaChatModel, path, name=model_name, settings=settings))
    started = time.perf_counter()
    model.warm_up()
    load_s = time.perf_counter() - started
    runs = []
    for run in range(RUNS):
        messages = _messages(run)
        prompt = model.count_prompt_tokens(messages)  # type: ignore[arg-type]
        runs.append(_timed(model.stream_chat(messages, max_tokens=MAX_TOKENS, temperature=0.0), prompt))  # type: ignore[arg-type]
    result: dict[str, Any] = _median(runs)
    result["load_s"] = load_s
    # A crash after the first word, then the next answer: the time the user waits after "Ask again".
    stream = model.stream_chat(_messages(99), max_tokens=MAX_TOKENS, temperature=0.0)  # type: ignore[arg-type]
    next(stream)
    killed = time.perf_counter()
    os.kill(model.pid or 0, signal.SIGSEGV)
    try:
        list(stream)
        result["crash_message"] = "(no crash seen)"
    except ModelCrashedError as exc:
        result["crash_message"] = str(exc)
    next(iter(model.stream_chat(_messages(100), max_tokens=MAX_TOKENS, temperature=0.0)))  # type: ignore[arg-type]
    result["crash_to_next_first_word_s"] = time.perf_counter() - killed
    model.close()
    return result


def _busy_core() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def _measure(mode: str, model: str, busy: bool, lib: str | None = None) -> dict[str, Any]:
    env = dict(os.environ)
    if lib:
        env["LLAMA_CPP_LIB_PATH"] = lib
    load = _busy_core() if busy else None
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.worker", "--child", mode, model],
            capture_output=True, text=True, timeout=900, env=env,
        )  # fmt: skip
    finally:
        if load is not None:
            load.kill()
            load.wait()
    if done.returncode != 0:
        from assistant.llm.process import describe_exit

        return {"failed": describe_exit(done.returncode), "stderr": done.stderr.strip()[-300:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    from bench.answers import bench_models
    from bench.results import Eta, machine, write_results

    args = list(sys.argv[1:] if argv is None else argv)
    lib = args[args.index("--lib") + 1] if "--lib" in args else None
    info = machine()
    print(
        f"The model's process: {info['cpu']} ({', '.join(info['cpu_flags'])}), {THREADS} threads, median of {RUNS}"
    )
    print(
        f"  {'model':<36}{'configuration':<34}{'machine':>8}{'prompt tok/s':>14}{'decode tok/s':>14}{'TTFT':>8}"
    )
    figures: dict[str, Any] = {}
    from assistant.config import WeightRepack
    from assistant.llm.model import repack_weights

    quire_repacks = repack_weights(WeightRepack.AUTO)
    quire = "repacked" if quire_repacks else "as stored"
    configurations = [("bare", "bare, weights repacked"), ("bare-no-extra-bufts", "bare, use_extra_bufts=false"),
                      ("worker", f"worker (Quire: weights {quire})")]  # fmt: skip
    models = bench_models()  # the default model: `make bench` keeps within 30 minutes on 2 cores
    eta = Eta("configurations", 2 * len(models) * (len(configurations) + bool(lib)))
    for model in models:
        for busy in (False, True):
            rows = []
            for mode, label in configurations:
                rows.append((label, _measure(mode, model, busy)))
                eta.step()
            if lib:
                rows.append((f"bare, build at {lib}", _measure("bare", model, busy, lib)))
                eta.step()
            machine_state = "1 busy" if busy else "quiet"
            for label, r in rows:
                figures[f"{model} | {label} | {machine_state}"] = r
                if "failed" in r:
                    print(f"  {model:<36}{label:<34}{machine_state:>8}  died: {r['failed']}")
                    continue
                print(
                    f"  {model:<36}{label:<34}{machine_state:>8}{r['prompt_tps']:>14.1f}{r['decode_tps']:>14.1f}"
                    f"{r['ttft_s']:>7.1f}s"
                )
            bare, worker = rows[0 if quire_repacks else 1][1], rows[2][1]  # the same load option
            if "failed" not in bare and "failed" not in worker and bare["decode_tps"]:
                ratio = worker["decode_tps"] / bare["decode_tps"]
                figures[f"{model} | worker/bare decode | {machine_state}"] = ratio
                print(
                    f"  {'':<36}worker decode / bare decode: {ratio:.2f}; crash -> next first word: "
                    f"{worker['crash_to_next_first_word_s']:.1f} s (load {worker['load_s']:.1f} s)"
                )
    write_results("worker", figures, threads=THREADS, runs=RUNS, max_tokens=MAX_TOKENS, lib=lib)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        from assistant.offline import enforce_offline

        enforce_offline()
        mode, name = sys.argv[2], sys.argv[3]
        result = child_worker(name) if mode == "worker" else child_bare(name, extra_bufts=mode == "bare")
        print(json.dumps(result))
    else:
        main()
