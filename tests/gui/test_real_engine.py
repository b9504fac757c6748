"""The desktop app over the real stack: MiniLM embedder, chromadb, and the default GGUF model.

Kept to one short scenario (add a PDF, ask, open the citation). The embedder's int8 export
and the assembled model are cached across runs under ``~/.cache/quire-test-models``
(``QUIRE_TEST_MODELS``), like ``tests/integration/test_llm_model.py`` does.
"""

from __future__ import annotations

import os
import signal
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from assistant.config import DEFAULT_MODEL, FAST_MODEL, Settings
from assistant.llm.catalog import assemble, get_entry
from assistant.llm.errors import ModelNotInstalledError
from assistant.llm.model import LlamaChatModel
from assistant.session.audit import AuditLog
from assistant.session.parts import Parts
from assistant.testing.documents import write_text_pdf
from assistant.testing.worker_kill import KilledMidAnswer
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


@pytest.mark.parametrize(
    ("sig", "words"), [(signal.SIGSEGV, "signal 11, SIGSEGV"), (signal.SIGKILL, "signal 9, SIGKILL")]
)
def test_a_model_crash_mid_answer_keeps_the_window_and_the_question(
    qtbot: QtBot,
    make_window: WindowMaker,
    real_settings: Settings,
    real_models_dir: Path,
    tmp_path: Path,
    sig: signal.Signals,
    words: str,
) -> None:
    """The model's process killed after the first word: a message, the window, the next answer."""
    entry = get_entry(FAST_MODEL)
    assert entry is not None
    fast = assemble(entry, real_models_dir)
    made: list[KilledMidAnswer] = []

    def chat_model(settings: Settings, name: str | None = None) -> KilledMidAnswer:
        made.append(
            KilledMidAnswer(partial(LlamaChatModel, fast, name=FAST_MODEL, settings=settings.llm), [sig])
        )
        return made[-1]

    window = make_window(Parts(chat_model=chat_model), timeout=240_000)
    pdf = write_text_pdf(tmp_path / "lease.pdf", LEASE_PAGES, title="Lease")
    assert add_and_wait(qtbot, window, [pdf], timeout=120_000).added == 1
    documents_before = [(d.id, d.content_hash) for d in window.library_pane.documents]

    chat = window.chat_pane
    chat.question.setPlainText(LATE_QUESTION)
    with job_done(qtbot, window.bridge, ANSWER, 180_000):
        chat.submit()
    assert made[0].killed == [sig]
    assert window.isVisible()
    shown = chat.transcript.toPlainText()
    assert f"The model stopped unexpectedly ({words}) and has been restarted. Ask again." in shown
    assert LATE_QUESTION in shown  # the question stays on screen...
    assert chat.question.toPlainText() == LATE_QUESTION  # ...and in the box, to ask again with Enter

    with job_done(qtbot, window.bridge, ANSWER, 180_000):
        chat.submit()
    assert chat.turns and chat.turns[-1].question == LATE_QUESTION and chat.turns[-1].found
    assert made[0].restarts == 1
    assert [(d.id, d.content_hash) for d in window.library_pane.documents] == documents_before
    entry_failed, entry_answered = AuditLog(real_settings.audit_path).entries()[-2:]
    assert entry_failed["status"] == "failed" and entry_answered["status"] == "answered"
