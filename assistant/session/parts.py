"""How a ``Session`` builds its heavy parts: the embedder and the chat model.

Construction is cheap (no model is loaded here); heavy work happens in ``warm_up`` on
whichever thread owns the session. Tests hand a ``Parts`` with fakes to the session, the
CLI's ``main`` or the app's bridge, so every front end is tested through the same seam.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.embed.base import Embedder

if TYPE_CHECKING:
    from assistant.llm.chat import ChatModel


def build_embedder(settings: Settings) -> Embedder:
    from assistant.embed.factory import make_embedder

    return make_embedder(settings.embedder.model, settings.embedder.backend, settings.cache_dir)


def build_chat_model(settings: Settings, name: str | None = None) -> ChatModel:
    """The configured chat model, assembled and verified on first use, not yet loaded.

    llama.cpp runs in a process of its own (``WorkerChatModel``), so a native crash in it
    ends one answer, not the app.

    Raises ``ModelError`` naming the file (or what to add) when the model cannot be
    used; search and the rest of Quire keep working without it.
    """
    from assistant.llm.model import LlamaChatModel
    from assistant.llm.process import WorkerChatModel
    from assistant.llm.registry import resolve_model

    model_name = name or settings.llm.model
    path = resolve_model(model_name, settings.models_dir)
    return WorkerChatModel(partial(LlamaChatModel, path, name=model_name, settings=settings.llm))


def _available_memory() -> int:
    from assistant.llm.choice import available_memory

    return available_memory()


EmbedderFactory = Callable[[Settings], Embedder]
ChatModelFactory = Callable[[Settings, "str | None"], "ChatModel"]


@dataclass(frozen=True)
class Parts:
    """The factories a session builds its embedder and chat model with."""

    embedder: EmbedderFactory = build_embedder
    chat_model: ChatModelFactory = build_chat_model
    available_memory: Callable[[], int] = _available_memory
