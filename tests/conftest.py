"""Every test runs offline, in a temporary Quire home, with Qt offscreen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from assistant.offline import enforce_offline

enforce_offline()


@pytest.fixture(autouse=True)
def quire_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh QUIRE_HOME per test; nothing a test does touches the user's data."""
    home = tmp_path / "quire-home"
    monkeypatch.setenv("QUIRE_HOME", str(home))
    return home
