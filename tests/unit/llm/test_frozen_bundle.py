"""The installed app (a PyInstaller folder) finds its chat model and embedder inside itself."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assistant.config import DEFAULT_MODEL, Settings, default_cache_dir
from assistant.llm.catalog import assemble, get_entry, is_assembled, model_path
from assistant.llm.errors import ModelNotInstalledError
from assistant.llm.registry import list_models


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "_internal"
    (folder / "cache").mkdir(parents=True)
    (folder / "models").mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(folder), raising=False)
    monkeypatch.delenv("QUIRE_CACHE", raising=False)
    return folder


def test_the_bundled_model_is_used_without_assembly(bundle: Path, tmp_path: Path) -> None:
    entry = get_entry(DEFAULT_MODEL)
    assert entry is not None
    shipped = bundle / "models" / entry.filename
    with shipped.open("wb") as handle:
        handle.truncate(entry.size)  # sparse: only the size is checked at run time
    user_models = tmp_path / "user-models"
    assert model_path(entry, user_models) == shipped
    assert is_assembled(entry, user_models)


def test_a_truncated_bundled_model_is_not_trusted(bundle: Path, tmp_path: Path) -> None:
    entry = get_entry(DEFAULT_MODEL)
    assert entry is not None
    (bundle / "models" / entry.filename).write_bytes(b"GGUF")
    assert model_path(entry, tmp_path / "user-models") == tmp_path / "user-models" / entry.filename


def test_the_embedder_cache_is_read_from_the_bundle_even_with_a_home(bundle: Path, tmp_path: Path) -> None:
    assert default_cache_dir() == bundle / "cache"
    settings = Settings.load(tmp_path / "home")
    assert settings.cache_dir == bundle / "cache"
    assert settings.library_dir == tmp_path / "home" / "library"  # the user's data stays outside


def test_a_model_not_shipped_points_to_adding_a_gguf_not_to_pip(bundle: Path, tmp_path: Path) -> None:
    """The installed app has no pip: both the error and `quire models` name a step that works there."""
    large = get_entry("qwen2.5-coder-1.5b-instruct-q4_k_m")
    assert large is not None
    with pytest.raises(ModelNotInstalledError) as err:
        assemble(large, tmp_path / "models", locate=lambda _pkg: None)
    assert "pip" not in str(err.value)
    assert "quire models add" in str(err.value) and "Add GGUF file" in str(err.value)
    listed = {m.name: m for m in list_models(tmp_path / "models", DEFAULT_MODEL, locate=lambda _pkg: None)}
    assert not listed[large.name].installed
    assert "pip" not in listed[large.name].status and "quire models add" in listed[large.name].status
