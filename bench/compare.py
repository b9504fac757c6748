"""`python -m bench compare OLD.json NEW.json`: two results files side by side, figure by figure.

A closing note cites two files in ``bench/results/`` instead of re-running old code; this
prints them together with each one's commit, date and CPU, so a figure is never read
without the machine it came from (a figure from an AVX2 laptop is not one from an AMX Xeon).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested figures as ``a | b | c`` keys with scalar values (lists are left out)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix} | {key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        return {}
    return {prefix: value}


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "-" if value is None else str(value)


def render(old: dict[str, Any], new: dict[str, Any]) -> str:
    lines = []
    for label in ("benchmark", "commit", "date", "cpu", "cpu_flags", "threads"):
        lines.append(f"{label:<12}{_cell(old.get(label)):<44}{_cell(new.get(label))}")
    a, b = flatten(old.get("figures", {})), flatten(new.get("figures", {}))
    width = max((len(k) for k in {*a, *b}), default=10) + 2
    lines.append("")
    lines.append(f"{'figure':<{width}}{'old':>12}{'new':>12}{'change':>12}")
    for key in [*a, *(k for k in b if k not in a)]:
        old_value, new_value = a.get(key), b.get(key)
        change = ""
        if (
            isinstance(old_value, int | float)
            and isinstance(new_value, int | float)
            and not isinstance(old_value, bool)
        ):
            change = f"{new_value - old_value:+.3f}"
        lines.append(f"{key:<{width}}{_cell(old_value):>12}{_cell(new_value):>12}{change:>12}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m bench compare OLD.json NEW.json", file=sys.stderr)
        return 2
    try:
        old, new = (json.loads(Path(p).read_text(encoding="utf-8")) for p in argv)
    except (OSError, ValueError) as exc:
        print(f"cannot read the results files: {exc}", file=sys.stderr)
        return 2
    print(render(old, new))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
