"""Builds the engine's parts from settings, so the CLI and the desktop app agree.

Construction is cheap (no model is loaded here); heavy work happens in ``warm_up``
on whichever thread owns the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.embed import Embedder, make_embedder
from assistant.index.library import Library

if TYPE_CHECKING:
    from assistant.llm.model import LlamaChatModel


def build_embedder(settings: Settings) -> Embedder:
    return make_embedder(settings.embedder.model, settings.embedder.backend, settings.cache_dir)


def open_library(settings: Settings, embedder: Embedder | None = None) -> Library:
    """The library in ``settings.home``, reconciled after any interrupted run."""
    return Library.open(settings, embedder or build_embedder(settings))


def build_chat_model(settings: Settings, name: str | None = None) -> LlamaChatModel:
    """The configured chat model, assembled and verified on first use, not yet loaded.

    Raises ``ModelError`` naming the file (or the packages to install) when the model
    cannot be used; search and the rest of Quire keep working without it.
    """
    from assistant.llm.model import LlamaChatModel
    from assistant.llm.registry import resolve_model

    model_name = name or settings.llm.model
    path = resolve_model(model_name, settings.models_dir)
    return LlamaChatModel(path, name=model_name, settings=settings.llm)
