"""`python -m bench compare`: two results files side by side, with the machine each came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.compare import flatten, main


@pytest.mark.parametrize(
    ("figures", "flat"),
    [
        ({"a": 1}, {"a": 1}),
        ({"rare": {"hit@1": 0.5, "n": 48}}, {"rare | hit@1": 0.5, "rare | n": 48}),
        ({"queries": ["x", "y"], "b": None}, {"b": None}),
        ({}, {}),
    ],
)
def test_flatten(figures: dict[str, object], flat: dict[str, object]) -> None:
    assert flatten(figures) == flat


def test_compare_prints_both_machines_and_each_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = {
        "benchmark": "rare_terms",
        "commit": "aaa",
        "cpu": "AMD EPYC",
        "figures": {"rare": {"hit@1": 0.833}},
    }
    new = {
        "benchmark": "rare_terms",
        "commit": "bbb",
        "cpu": "Intel Xeon",
        "figures": {"rare": {"hit@1": 0.854}, "x": 1},
    }
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 0
    out = capsys.readouterr().out
    assert "AMD EPYC" in out and "Intel Xeon" in out
    row = next(line for line in out.splitlines() if line.startswith("rare | hit@1"))
    assert row.split()[-3:] == ["0.833", "0.854", "+0.021"]
    assert any(line.startswith("x ") and line.split()[-1] == "1" for line in out.splitlines())
    assert main([str(tmp_path / "old.json")]) == 2
    assert main([str(tmp_path / "old.json"), str(tmp_path / "missing.json")]) == 2
