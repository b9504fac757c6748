"""A main window over a real engine on a temporary home, with fast fakes for the models.

The library is real (SQLite, chromadb, the indexer, retrieval); only the embedder
(``HashEmbedder``) and the chat model (``ScriptedChatModel``) are fakes, injected through
the session's ``Parts`` exactly as the app gets the real ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from assistant.config import Settings
from assistant.index.indexer import IndexReport
from assistant.jobs import JobState
from assistant.llm.chat import ChatMessage
from assistant.session.parts import Parts
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.scripted_chat import ScriptedChatModel
from ui.engine_bridge import EngineBridge
from ui.main_window import MainWindow
from ui.operations import INDEX

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
    """Holds the chat model the engine loads next (set it before ``make_window`` or a model switch)."""

    def __init__(self) -> None:
        self.model = ScriptedChatModel(cite_passage_with("cure", "The tenant has fifteen days."))

    def factory(self, settings: Settings, name: str | None = None) -> ScriptedChatModel:
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
def fake_parts(model_slot: ModelSlot) -> Parts:
    return Parts(embedder=lambda s: HashEmbedder(), chat_model=model_slot.factory)


WindowMaker = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, settings: Settings, fake_parts: Parts) -> Iterator[WindowMaker]:
    """Builds a warmed-up window; every bridge is shut down at the end of the test."""
    bridges: list[EngineBridge] = []

    def make(parts: Parts | None = None, timeout: int = 20_000) -> MainWindow:
        bridge = EngineBridge(settings, parts or fake_parts)
        bridges.append(bridge)
        window = MainWindow(settings, bridge)
        qtbot.addWidget(window)
        window.show()
        with qtbot.waitSignals([bridge.model_loaded, bridge.library_changed], timeout=timeout):
            window.start()
        return window

    yield make
    for bridge in bridges:
        bridge.shutdown()


@contextmanager
def job_done(qtbot: QtBot, bridge: EngineBridge, group: str, timeout: int = 20_000) -> Iterator[None]:
    """Runs the block, then waits until the last job of ``group`` has ended (however it ended)."""
    with qtbot.waitSignal(
        bridge.busy_changed,
        timeout=timeout,
        check_params_cb=lambda name, busy: name == group and not busy,
    ):
        yield


def add_and_wait(qtbot: QtBot, window: MainWindow, paths: list[Path], timeout: int = 30_000) -> IndexReport:
    with job_done(qtbot, window.bridge, INDEX, timeout):
        job = window.add_paths(paths)
    assert job.state is JobState.DONE, job.error
    assert job.result is not None
    return job.result
