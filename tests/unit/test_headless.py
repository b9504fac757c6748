"""The engine runs headless: every ``assistant`` module imports with PySide6 blocked.

The check runs in a fresh interpreter, so modules the test session already imported
(or Qt that pytest-qt loaded) cannot hide an import of PySide6.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = r"""
import importlib
import importlib.abc
import json
import pkgutil
import sys

BLOCKED = ("PySide6", "shiboken6")


class BlockQt(importlib.abc.MetaPathFinder):
    attempts = []

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            frame = sys._getframe(1)
            while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
                frame = frame.f_back
            importer = frame.f_globals.get("__name__", "?") if frame is not None else "?"
            BlockQt.attempts.append(f"{importer} -> {name}")
            raise ImportError(f"{name} is blocked: the engine must run without Qt")
        return None


sys.meta_path.insert(0, BlockQt())
import assistant

names, failures = ["assistant"], {}
for info in pkgutil.walk_packages(assistant.__path__, "assistant."):
    names.append(info.name)
for name in names:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        failures[name] = f"{type(exc).__name__}: {exc}"
qt_loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
print(json.dumps({"modules": names, "failures": failures, "attempts": BlockQt.attempts, "qt": qt_loaded}))
"""


def test_every_engine_module_imports_without_qt(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QUIRE_HOME": str(tmp_path / "quire")},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(result["modules"]) > 20, result["modules"]  # the walk really found the package
    assert {"assistant.cli", "assistant.index.library", "assistant.ingest.pdf"} <= set(result["modules"])
    assert result["failures"] == {}
    # A dependency may probe for Qt and fall back; an engine module may not import it at all.
    engine_attempts = [a for a in result["attempts"] if a.startswith("assistant")]
    assert engine_attempts == [], "an engine module tried to import Qt"
    assert result["qt"] == []
