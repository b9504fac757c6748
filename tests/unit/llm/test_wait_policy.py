"""llama.cpp's threads sleep while they wait, unless the user set OpenMP's policy themselves."""

from __future__ import annotations

import os

import pytest

from assistant.llm.model import use_passive_waiting


def test_threads_wait_passively_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    use_passive_waiting()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"


def test_a_policy_the_user_set_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    use_passive_waiting()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
