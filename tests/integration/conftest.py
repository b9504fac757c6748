"""Shared, session-scoped real embedders (exporting MiniLM to int8 takes ~20 s: do it once)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from assistant.config import DEFAULT_MODEL, FAST_MODEL
from assistant.embed.factory import ModelEmbedder, make_embedder
from assistant.llm.catalog import assemble, get_entry, is_assembled, model_path
from assistant.llm.model import LlamaChatModel
from assistant.llm.process import WorkerChatModel


@pytest.fixture(scope="session")
def embedder_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Quire cache directory shared by the session's real embedders."""
    return tmp_path_factory.mktemp("embedder-cache")


@pytest.fixture(scope="session")
def int8_embedder(embedder_cache_dir: Path) -> ModelEmbedder:
    """Bundled MiniLM exported to dynamic int8 ONNX, warmed up."""
    embedder = make_embedder("", "onnx-int8", embedder_cache_dir)
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def torch_embedder(embedder_cache_dir: Path) -> ModelEmbedder:
    """Bundled MiniLM through sentence-transformers + torch fp32: the reference."""
    embedder = make_embedder("", "torch", embedder_cache_dir)
    embedder.warm_up()
    return embedder


@pytest.fixture(autouse=True)
def shared_embedder_cache(embedder_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every CLI run in the session reuses one exported int8 model (QUIRE_CACHE)."""
    monkeypatch.setenv("QUIRE_CACHE", str(embedder_cache_dir))
    return embedder_cache_dir


# The model most integration tests share: the fast one, so the suite stays well inside its time
# budget on 2 cores. The default (1.5B) runs end to end through `quire ask`/`quire chat` in
# test_answers.py and in the app in tests/gui/test_real_engine.py.
TEST_MODEL = FAST_MODEL


def _shared_models_dir() -> Path:
    """Where the bundled GGUFs are assembled once for every test session.

    ``QUIRE_MODELS`` when it already holds a verified copy, else ``QUIRE_TEST_MODELS``
    (default ``~/.cache/quire-test-models``): repeated runs cost a stat, not a copy.
    """
    entry = get_entry(DEFAULT_MODEL)
    assert entry is not None
    configured = os.environ.get("QUIRE_MODELS")
    if configured and is_assembled(entry, Path(configured)):
        return Path(configured)
    default = Path.home() / ".cache" / "quire-test-models"
    return Path(os.environ.get("QUIRE_TEST_MODELS", default)).expanduser()


@pytest.fixture(scope="session")
def models_dir() -> Path:
    directory = _shared_models_dir()
    for name in (DEFAULT_MODEL, FAST_MODEL):
        entry = get_entry(name)
        assert entry is not None
        assemble(entry, directory)  # the part packages are pinned dependencies: missing ones fail loudly
    return directory


@pytest.fixture(scope="session")
def model_file(models_dir: Path) -> Path:
    entry = get_entry(TEST_MODEL)
    assert entry is not None
    return model_path(entry, models_dir)


@pytest.fixture(scope="session")
def model(model_file: Path) -> Iterator[WorkerChatModel]:
    """The fast chat model, loaded once and shared by the integration tests.

    In a process of its own, as the app runs it: the tests go through the same boundary.
    """
    chat_model = WorkerChatModel(partial(LlamaChatModel, model_file, name=TEST_MODEL))
    chat_model.warm_up()
    yield chat_model
    chat_model.close()
