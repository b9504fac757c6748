"""Builds the engine's parts from settings, so the CLI and the desktop app agree.

Construction is cheap (no model is loaded here); heavy work happens in ``warm_up``
on whichever thread owns the engine.
"""

from __future__ import annotations

from assistant.config import Settings
from assistant.embed import Embedder, make_embedder
from assistant.index.library import Library


def build_embedder(settings: Settings) -> Embedder:
    return make_embedder(settings.embedder.model, settings.embedder.backend, settings.cache_dir)


def open_library(settings: Settings, embedder: Embedder | None = None) -> Library:
    """The library in ``settings.home``, reconciled after any interrupted run."""
    return Library.open(settings, embedder or build_embedder(settings))
