"""The desktop app over the real stack: MiniLM embedder, chromadb, and the default GGUF model.

Kept to one short scenario (add a PDF, ask, open the citation). The embedder's int8 export
and the assembled model are cached across runs under ``~/.cache/quire-test-models``
(``QUIRE_TEST_MODELS``), like ``tests/integration/test_llm_model.py`` does.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from assistant.config import DEFAULT_MODEL, Settings
from assistant.llm.catalog import assemble, get_entry
from assistant.llm.errors import ModelNotInstalledError
from assistant.session.parts import Parts
from assistant.testing.documents import write_text_pdf
from tests.gui.conftest import LATE_QUESTION, LEASE_PAGES, WindowMaker, add_and_wait, job_done
from ui.operations import ANSWER

pytestmark = [
    pytest.mark.gui,
    pytest.mark.integration,
    pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)"),
]


def _shared_dir() -> Path:
    default = Path.home() / ".cache" / "quire-test-models"
    return Path(os.environ.get("QUIRE_TEST_MODELS", default)).expanduser()


@pytest.fixture(scope="session")
def real_models_dir() -> Path:
    entry = get_entry(DEFAULT_MODEL)
    assert entry is not None
    configured = os.environ.get("QUIRE_MODELS")
    directory = Path(configured) if configured else _shared_dir()
    try:
        assemble(entry, directory)
    except ModelNotInstalledError as exc:
        pytest.skip(str(exc))
    return directory


@pytest.fixture
def real_settings(settings: Settings, real_models_dir: Path) -> Settings:
    settings.models_dir = real_models_dir
    settings.cache_dir = _shared_dir() / "embedder-cache"  # the int8 export is made once
    return settings


def test_add_pdf_ask_and_open_citation_with_real_models(
    qtbot: QtBot, make_window: WindowMaker, real_settings: Settings, tmp_path: Path
) -> None:
    window = make_window(Parts(), timeout=240_000)
    assert window.bridge.model_ready
    assert DEFAULT_MODEL in window.model_label.text()
    pdf = write_text_pdf(tmp_path / "lease.pdf", LEASE_PAGES, title="Lease")
    report = add_and_wait(qtbot, window, [pdf], timeout=120_000)
    assert report.added == 1

    chat = window.chat_pane
    chat.question.setPlainText(LATE_QUESTION)
    tokens: list[str] = []
    window.bridge.token_received.connect(tokens.append)
    with job_done(qtbot, window.bridge, ANSWER, 180_000):
        chat.submit()
    answer = chat.turns[-1]
    assert answer.found, answer
    assert answer.citations, answer
    assert answer.verified, answer  # the cited passage contains what the answer says
    assert tokens, "the answer was not streamed"
    assert "quire-cite:0/" in chat.transcript.toHtml()

    first = answer.citations[0]
    chat.transcript.anchorClicked.emit(QUrl(f"quire-cite:0/{first.n}"))
    assert window.viewer.current_pdf_page == first.page == 2
