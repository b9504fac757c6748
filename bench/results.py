"""Figures that outlive the run: each benchmark writes ``bench/results/NAME.json`` with its context.

A figure without its machine is not a figure here: CPUs differ between sessions (AVX2-only
AMD EPYC, AVX-512 and AMX Intel Xeon), so every file records the CPU model and the flags
that decide llama.cpp's kernels, the thread count, the commit and the date, beside the
figures themselves.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

from assistant.llm.cpu import read_cpu

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    """The CPU model, the flags that matter to llama.cpp and onnxruntime, and the core count."""
    cpu = read_cpu()
    return {"cpu": cpu.model, "cpu_flags": cpu.features, "cores": os.cpu_count()}


def commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, timeout=10,
            cwd=Path(__file__).resolve().parent,
        )  # fmt: skip
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, timeout=10,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() + ("+changes" if dirty else "")


def write_results(name: str, figures: dict[str, Any], **context: Any) -> Path:
    """Write ``bench/results/NAME.json``: the figures with the machine, commit and date; return its path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    data = {
        "benchmark": name,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        **machine(),
        **context,
        "figures": figures,
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"  written to {path.relative_to(RESULTS_DIR.parent.parent)}")
    return path


class Eta:
    """Progress and an ETA on one line of stderr while a benchmark works through its items."""

    def __init__(self, what: str, total: int) -> None:
        import time

        self.what, self.total, self.started, self._clock = what, total, time.perf_counter(), time.perf_counter
        self.done = 0

    def step(self) -> None:
        import sys

        self.done += 1
        elapsed = self._clock() - self.started
        left = elapsed / self.done * (self.total - self.done)
        end = "\n" if self.done >= self.total else ""
        sys.stderr.write(
            f"\r  {self.what}: {self.done}/{self.total}, {elapsed:.0f} s, about {left:.0f} s left {end}"
        )
        sys.stderr.flush()
