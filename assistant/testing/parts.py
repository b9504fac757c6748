"""Engine parts for tests: the hashing embedder and a given (scripted) chat model."""

from __future__ import annotations

from assistant.llm.chat import ChatModel
from assistant.session.parts import Parts
from assistant.testing.fake_embedder import HashEmbedder


def fake_parts(model: ChatModel) -> Parts:
    """``Parts`` for a ``Session``, ``quire``'s ``main`` or the app's bridge, with no real model."""
    return Parts(
        embedder=lambda settings: HashEmbedder(),
        chat_model=lambda settings, name: model,
        available_memory=lambda: 1 << 40,  # the model is given: memory never swaps it for another
    )
