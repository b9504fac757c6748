"""The chat model on a busy laptop: prompt reading and decoding, quiet and with one core kept busy.

Users' laptops run other programs. llama.cpp's worker threads wait for each other by
spinning (OpenMP's active wait) unless told to sleep, and a spinning thread that shares its
core with another process wastes that core's time slices. Each configuration runs in a
fresh process, because OpenMP reads ``OMP_WAIT_POLICY`` once, when llama.cpp is loaded:

- ``unset``: llama.cpp as Quire ran it before (OpenMP's default: spin, then sleep);
- ``PASSIVE``: threads sleep while they wait, Quire's default now (``LlamaChatModel``);
- with 2 threads (the physical cores here) and with 1.

The prompt is about 560 tokens of passages with a new first line each run, so nothing comes
from the KV cache: the figure is cold prompt reading, which is what sets time to first word.
A run that is still decoding after ``DECODE_LIMIT_S`` is stopped and its rate so far counted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import numpy as np

RUNS = 3
MAX_TOKENS = 48
DECODE_LIMIT_S = 25.0
_PASSAGE = (
    "The Tenant shall pay rent of 2,450 euros per month, in advance, on the first day of each month. "
    "Either party may end this Lease on sixty days notice in writing. The deposit of two months' rent "
    "is returned within thirty days of the end of the Lease, less any amount needed to repair damage. "
)


def _messages(run: int) -> list[dict[str, str]]:
    passages = "\n\n".join(f'<passage n="{n}">\n{_PASSAGE * 2}\n</passage>' for n in range(1, 5))
    return [
        {"role": "system", "content": f"Run {run}-{time.time_ns()}. Answer from the passages."},
        {
            "role": "user",
            "content": f"{passages}\n\nQuestion: When is the deposit returned, and how much is it?",
        },
    ]


def child(policy: str, threads: int, model_name: str) -> None:
    """One configuration, in this process: print one JSON line of rates."""
    if policy == "unset":
        os.environ.pop("OMP_WAIT_POLICY", None)
        import llama_cpp  # noqa: F401  (OpenMP reads the environment now, before Quire could set it)
    else:
        os.environ["OMP_WAIT_POLICY"] = policy
    from assistant.config import LLMSettings, Settings
    from assistant.jobs import Cancelled, CancelToken
    from assistant.llm.model import LlamaChatModel
    from assistant.llm.registry import resolve_model

    settings = Settings.load()
    path = resolve_model(model_name, settings.models_dir)
    model = LlamaChatModel(path, name=model_name, settings=LLMSettings(threads=threads))
    model.warm_up()
    prompt_rates, decode_rates, ttfts = [], [], []
    for run in range(RUNS):
        cancel = CancelToken()
        timer = threading.Timer(DECODE_LIMIT_S, cancel.cancel)
        timer.start()
        try:
            model.chat(_messages(run), max_tokens=MAX_TOKENS, temperature=0.0, cancel=cancel)  # type: ignore[arg-type]
        except Cancelled:
            pass
        finally:
            timer.cancel()
        timings = model.last_timings
        assert timings is not None
        if timings.completion_tokens:
            ttfts.append(timings.ttft_s)
            prompt_rates.append(timings.prompt_eval_tokens / timings.ttft_s)
            decode_rates.append(timings.decode_tokens_per_s)
    model.close()
    print(
        json.dumps(
            {
                "prompt_tokens": timings.prompt_tokens,
                "prompt_tps": float(np.median(prompt_rates)) if prompt_rates else 0.0,
                "decode_tps": float(np.median(decode_rates)) if decode_rates else 0.0,
                "ttft_s": float(np.median(ttfts)) if ttfts else float("nan"),
            }
        )
    )


def _busy_core() -> subprocess.Popen[bytes]:
    """Another program keeping one core busy (a browser tab, a sync client, a compile)."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def _measure(policy: str, threads: int, busy: bool, model: str) -> dict[str, float]:
    load = _busy_core() if busy else None
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.load", "--child", policy, str(threads), model],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
    finally:
        if load is not None:
            load.kill()
            load.wait()
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """The wait policies and thread counts on the default model; then each benchmarked model,
    quiet and with one core busy, with Quire's settings (PASSIVE, 2 threads)."""
    from assistant.config import DEFAULT_MODEL
    from bench.answers import bench_models

    print("Chat model under load: cold prompt reading and decoding, median of 3 runs each")
    print(
        f"  {'model':<36}{'OMP_WAIT_POLICY':<16}{'threads':>8}{'machine':>10}{'prompt tok/s':>14}"
        f"{'decode tok/s':>14}{'TTFT':>8}"
    )
    configurations = [
        (DEFAULT_MODEL, "unset", 2, False),
        (DEFAULT_MODEL, "unset", 2, True),
        (DEFAULT_MODEL, "PASSIVE", 1, True),
    ]
    for name in bench_models():
        configurations += [(name, "PASSIVE", 2, False), (name, "PASSIVE", 2, True)]
    for model, policy, threads, busy in configurations:
        r = _measure(policy, threads, busy, model)
        machine = "1 busy" if busy else "quiet"
        print(
            f"  {model:<36}{policy:<16}{threads:>8}{machine:>10}{r['prompt_tps']:>14.1f}{r['decode_tps']:>14.1f}"
            f"{r['ttft_s']:>7.1f}s   ({r['prompt_tokens']:.0f}-token prompt)"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        from assistant.offline import enforce_offline

        enforce_offline()
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        main()
