"""What this CPU is and which of its vector features decide how llama.cpp runs here.

One reader of /proc/cpuinfo for the set-up check's message, the weight-repacking choice and
the benchmarks' records, so the three never disagree about the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
# The features that pick llama.cpp's and onnxruntime's kernels (AMX's crash them: issue 22).
FEATURES = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16")


@dataclass(frozen=True)
class Cpu:
    model: str
    flags: frozenset[str]

    @property
    def features(self) -> list[str]:
        """Those of ``FEATURES`` this CPU has, in their usual order."""
        return [f for f in FEATURES if f in self.flags]

    def describe(self) -> str:
        """ "Intel(R) Xeon(R) Processor with avx2, avx512f, amx_tile": the CPU and the features that matter here."""
        return f"{self.model} with {', '.join(self.features) or 'none of ' + ', '.join(FEATURES)}"


def read_cpu(cpuinfo: Path = CPUINFO) -> Cpu:
    """This CPU, from the first processor's lines of ``cpuinfo`` ("an unknown CPU" when unreadable)."""
    try:
        lines = cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return Cpu("an unknown CPU", frozenset())
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "")
    flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
    return Cpu(model or "an unknown CPU", frozenset(flags))
