"""The default model gives way to the fast one only where memory is short, and says so."""

from __future__ import annotations

from pathlib import Path

from assistant.config import DEFAULT_MODEL, FAST_MODEL, Settings
from assistant.llm.choice import choose_model, needed_memory
from assistant.session.parts import Parts
from assistant.session.session import Session
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.scripted_chat import ScriptedChatModel

GB = 1_000_000_000


def test_enough_memory_keeps_the_default() -> None:
    assert choose_model(DEFAULT_MODEL, 8 * GB).name == DEFAULT_MODEL
    assert choose_model(DEFAULT_MODEL, 8 * GB).notice == ""


def test_short_memory_loads_the_fast_model_and_says_why() -> None:
    choice = choose_model(DEFAULT_MODEL, int(1.5 * GB))
    assert choice.name == FAST_MODEL
    assert "1.5 GB of memory free" in choice.notice and "fast model" in choice.notice
    assert needed_memory(DEFAULT_MODEL) > needed_memory(FAST_MODEL)


def test_a_model_the_user_chose_is_loaded_as_chosen() -> None:
    assert choose_model("my-own-model", 1 * GB).name == "my-own-model"
    assert choose_model(FAST_MODEL, 1 * GB).notice == ""


def test_session_reports_the_swap(quire_home: Path) -> None:
    asked: list[str | None] = []

    def chat_model(settings: Settings, name: str | None) -> ScriptedChatModel:
        asked.append(name)
        return ScriptedChatModel([])

    parts = Parts(embedder=lambda s: HashEmbedder(), chat_model=chat_model, available_memory=lambda: GB)
    session = Session(Settings.load(quire_home), parts)
    session.load_model()
    assert asked == [FAST_MODEL] and "fast model" in session.model_notice
    session.load_model("my-own-model")
    assert asked[-1] == "my-own-model" and session.model_notice == ""
    session.unload_model()
