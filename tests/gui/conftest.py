"""A main window over a real engine on a temporary home, with fast fakes for the models.

The library is real (SQLite, chromadb, the indexer, retrieval); only the embedder
(``HashEmbedder``) and the chat model (``ScriptedChatModel``) are fakes, injected through
``EngineFactories`` exactly as the app injects the real ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant.config import Settings
from assistant.engine import open_library
from assistant.llm.chat import ChatMessage
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.scripted_chat import ScriptedChatModel
from ui.engine_bridge import EngineBridge, EngineFactories
from ui.main_window import MainWindow

_PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>(.*?)</passage>', re.DOTALL)

LEASE_PAGES = [
    "Commercial Lease Agreement\nBetween Harbourview Properties Ltd. and Linden Rowe Architects.\n"
    "The premises are the second floor of 14 Quay Street, Bristol.",
    "Late Payment\nIf rent is not received within ten days after its due date, the Tenant pays a\n"
    "late charge of five percent. The Tenant has fifteen days after written notice to cure\n"
    "a late payment before the Landlord may treat it as an event of default.",
    "Security Deposit\nOn signing, the Tenant deposits 24,000 pounds as security. The Landlord returns\n"
    "the deposit within thirty days after the end of the term.",
]
LATE_QUESTION = "How many days does the tenant have to cure a late payment?"


def cite_passage_with(keyword: str, sentence: str) -> Callable[[list[ChatMessage]], str]:
    """A scripted reply that cites whichever passage mentions ``keyword``."""

    def reply(messages: list[ChatMessage]) -> str:
        for number, text in _PASSAGE.findall(messages[-1]["content"]):
            if keyword.lower() in text.lower():
                return json.dumps({"passage": int(number), "answer": sentence})
        return json.dumps({"passage": 1, "answer": "NOT_FOUND"})

    return reply


class ModelSlot:
    """Holds the chat model the next engine will load (set it before ``make_window``)."""

    def __init__(self) -> None:
        self.model: object = ScriptedChatModel(cite_passage_with("cure", "The tenant has fifteen days."))

    def factory(self, settings: Settings) -> object:
        return self.model


@pytest.fixture
def model_slot() -> ModelSlot:
    return ModelSlot()


@pytest.fixture
def settings(quire_home: Path) -> Settings:
    settings = Settings.load(quire_home)
    settings.index.ocr = False
    return settings


@pytest.fixture
def fake_factories(model_slot: ModelSlot) -> EngineFactories:
    return EngineFactories(
        library=lambda s: open_library(s, HashEmbedder()),
        chat_model=model_slot.factory,  # type: ignore[arg-type]
    )


WindowMaker = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, settings: Settings, fake_factories: EngineFactories) -> Iterator[WindowMaker]:
    """Builds a warmed-up window; every bridge is shut down at the end of the test."""
    bridges: list[EngineBridge] = []

    def make(factories: EngineFactories | None = None, timeout: int = 20_000) -> MainWindow:
        bridge = EngineBridge(settings, factories or fake_factories)
        bridges.append(bridge)
        window = MainWindow(settings, bridge)
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignals([bridge.models_ready, bridge.library_changed], timeout=timeout):
            bridge.warm_up()
        return window

    yield make
    for bridge in bridges:
        bridge.shutdown()


def add_and_wait(qtbot: QtBot, window: MainWindow, paths: list[Path], timeout: int = 30_000) -> object:
    with qtbot.waitSignal(window.bridge.indexing_finished, timeout=timeout) as blocker:
        window.add_paths(paths)
    return blocker.args[0]
