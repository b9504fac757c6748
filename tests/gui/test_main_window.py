"""The desktop app end to end over the real library, with fake embedder and chat model."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from assistant.config import Settings
from assistant.errors import QuireError
from assistant.ingest.versions import FIRST_VERSION
from assistant.jobs import JobState
from assistant.llm.chat import ChatMessage
from assistant.testing.documents import write_text_pdf
from assistant.testing.scripted_chat import ScriptedChatModel
from tests.gui.conftest import (
    LATE_QUESTION,
    LEASE_PAGES,
    ModelSlot,
    WindowMaker,
    add_and_wait,
    cite_passage_with,
    job_done,
)
from ui.dialogs import SettingsDialog
from ui.main_window import MainWindow
from ui.operations import ANSWER, CONVERSATIONS, INDEX, LIBRARY, MODELS, PAGES, SEARCH

# The offscreen platform plugin has no window system to pass size hints or raise() to.
pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)"),
]


def _lease(tmp_path: Path) -> Path:
    return write_text_pdf(tmp_path / "lease.pdf", LEASE_PAGES, title="Lease")


def _ask(qtbot: QtBot, window: MainWindow, question: str, timeout: int = 20_000) -> None:
    chat = window.chat_pane
    chat.question.setPlainText(question)
    with job_done(qtbot, window.bridge, ANSWER, timeout):
        qtbot.keyClick(chat.question, Qt.Key.Key_Return)


def test_first_run_shows_welcome_and_loaded_model(make_window: WindowMaker) -> None:
    window = make_window()
    assert window.windowTitle().startswith("Quire")
    assert window.center.currentWidget() is window.welcome
    assert "scripted" in window.model_label.text()
    assert window.library_pane.empty_hint.isVisible()


def test_add_pdf_ask_and_open_cited_page(qtbot: QtBot, make_window: WindowMaker, tmp_path: Path) -> None:
    window = make_window()
    report = add_and_wait(qtbot, window, [_lease(tmp_path)])
    assert report.added == 1 and not report.failed
    item = window.library_pane.item_for(str(tmp_path / "lease.pdf"))
    assert item is not None and item.text(1) == "Indexed"
    assert window.center.currentWidget() is window.chat_pane

    tokens: list[str] = []
    window.bridge.token_received.connect(tokens.append)
    _ask(qtbot, window, LATE_QUESTION)
    assert "".join(tokens).startswith("The tenant has fifteen days.")
    html = window.chat_pane.transcript.toHtml()
    assert "quire-cite:0/1" in html
    assert "fifteen days" in window.chat_pane.transcript.toPlainText()
    assert "Sources" in window.chat_pane.transcript.toPlainText()

    window.chat_pane.transcript.anchorClicked.emit(QUrl("quire-cite:0/1"))
    viewer = window.viewer
    assert viewer.stack.currentWidget() is viewer.pdf_view
    assert viewer.current_pdf_page == 2
    assert viewer.highlight_text and viewer.highlight_text in LEASE_PAGES[1]  # a line of the cited page
    qtbot.waitUntil(lambda: viewer.pdf_view.currentSearchResultIndex() >= 0, timeout=5000)


def test_text_document_citation_scrolls_to_passage(
    qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot, tmp_path: Path
) -> None:
    model_slot.model = ScriptedChatModel(cite_passage_with("deposit", "The deposit is 24,000 pounds."))
    note = tmp_path / "deposit.md"
    note.write_text(
        "# Deposit\n\n" + "Filler about the premises. " * 40 + "\n\nThe security deposit is 24,000 pounds.\n"
    )
    window = make_window()
    add_and_wait(qtbot, window, [note])
    _ask(qtbot, window, "How large is the security deposit?")
    with job_done(qtbot, window.bridge, PAGES, 10_000):
        window.chat_pane.transcript.anchorClicked.emit(QUrl("quire-cite:0/1"))
    viewer = window.viewer
    assert viewer.stack.currentWidget() is viewer.text_view
    assert "security deposit is 24,000 pounds" in viewer.text_view.toPlainText()
    assert "deposit" in viewer.highlight_text


def test_a_citation_marks_the_quoted_field_not_its_whole_passage(
    qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot, tmp_path: Path
) -> None:
    """A record's field is quoted with its lines joined ("Allergies Penicillin (urticaria)."):
    the viewer marks those two lines on the page, not the whole record around them."""
    model_slot.model = ScriptedChatModel(cite_passage_with("allergies", "Penicillin (urticaria)"))
    record = tmp_path / "discharge.txt"
    record.write_text(
        "DISCHARGE SUMMARY\n\nReason for admission\nCommunity-acquired pneumonia of the right lower lobe.\n\n"
        "Allergies\nPenicillin (urticaria). No known food allergies.\n\n"
        "Hospital course\nThe patient was treated with intravenous ceftriaxone for five days.\n"
    )
    window = make_window()
    add_and_wait(qtbot, window, [record])
    _ask(qtbot, window, "What allergies does the patient have?")
    answer = window.chat_pane.turns[-1]
    assert answer.verified and answer.citations[0].quote == "Allergies Penicillin (urticaria)."
    with job_done(qtbot, window.bridge, PAGES, 10_000):
        window.chat_pane.transcript.anchorClicked.emit(QUrl("quire-cite:0/1"))
    assert window.viewer.highlight_text == "Allergies\nPenicillin (urticaria)."


def test_escape_stops_answer_in_flight(
    qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot, tmp_path: Path
) -> None:
    long_answer = "The tenant has fifteen days. " + "More words follow here. " * 200
    long_reply = json.dumps({"passage": 1, "answer": long_answer})
    model_slot.model = ScriptedChatModel([long_reply], delay_s=0.02)
    window = make_window()
    add_and_wait(qtbot, window, [_lease(tmp_path)])
    chat = window.chat_pane
    chat.question.setPlainText(LATE_QUESTION)
    with job_done(qtbot, window.bridge, ANSWER):
        qtbot.keyClick(chat.question, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "fifteen" in chat.transcript.toPlainText(), timeout=10_000)
        assert chat.stop_button.isEnabled()
        qtbot.keyClick(chat.question, Qt.Key.Key_Escape)
    answer = chat.turns[-1]
    assert answer.cancelled is True
    assert len(answer.answer) < len(long_reply) / 2
    assert not chat.stop_button.isEnabled()
    assert "Stopped before the answer was complete" in chat.transcript.toPlainText()


def test_shift_enter_makes_a_new_line(qtbot: QtBot, make_window: WindowMaker) -> None:
    window = make_window()
    chat = window.chat_pane
    chat.question.setPlainText("first line")
    chat.question.moveCursor(chat.question.textCursor().MoveOperation.End)
    qtbot.keyClick(chat.question, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert chat.question.toPlainText() == "first line\n"
    assert not chat.streaming


def test_not_found_answer_looks_different(
    qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot, tmp_path: Path
) -> None:
    model_slot.model = ScriptedChatModel([json.dumps({"passage": 1, "answer": "NOT_FOUND"})])
    window = make_window()
    add_and_wait(qtbot, window, [_lease(tmp_path)])
    _ask(qtbot, window, LATE_QUESTION)
    text = window.chat_pane.transcript.toPlainText()
    assert "could not find this in your documents" in text
    assert "quire-cite:" not in window.chat_pane.transcript.toHtml()


def test_answer_no_sentence_backs_asks_the_reader_to_check_the_source(
    qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot, tmp_path: Path
) -> None:
    """'Sixty days' is nowhere in the late-payment clause: it is not given as the answer, never verified.

    The reader is told the documents may not answer it directly and reads the closest passage, cited.
    """
    model_slot.model = ScriptedChatModel([json.dumps({"passage": 1, "answer": "sixty days"})])
    window = make_window()
    add_and_wait(qtbot, window, [_lease(tmp_path)])
    _ask(qtbot, window, LATE_QUESTION)
    answer = window.chat_pane.turns[-1]
    assert answer.found and not answer.verified and answer.confidence == "low"
    assert answer.unsupported_answer == "Sixty days."
    text = window.chat_pane.transcript.toPlainText()
    assert "Check the source." in text and "may not answer this directly" in text
    assert "Sixty days" not in text and "sixty days" not in text
    assert "quire-cite:" in window.chat_pane.transcript.toHtml()  # the closest passage opens its page


def test_backed_answer_quotes_its_sentence_and_shows_its_confidence(
    qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot, tmp_path: Path
) -> None:
    model_slot.model = ScriptedChatModel(cite_passage_with("cure", "fifteen days after written notice"))
    window = make_window()
    add_and_wait(qtbot, window, [_lease(tmp_path)])
    _ask(qtbot, window, LATE_QUESTION)
    text = window.chat_pane.transcript.toPlainText()
    assert "Fifteen days after written notice. [" in text
    assert "“The Tenant has fifteen days after written notice to cure a late payment" in text
    assert "confidence" in text.lower() and "Check the source." not in text


def test_closest_passage_shows_before_the_first_word_and_goes_with_the_answer(
    qtbot: QtBot, make_window: WindowMaker
) -> None:
    from assistant.answering.types import PassagePreview

    window = make_window()
    chat = window.chat_pane
    chat.asking = LATE_QUESTION  # as submit() sets it, without starting a job
    chat.on_preview(PassagePreview("Lease", "/docs/lease.pdf", 2, "The Tenant has fifteen days to cure."))
    text = chat.transcript.toPlainText()
    assert "Closest passage (not yet the answer), Lease, page 2" in text
    assert "“The Tenant has fifteen days to cure.”" in text
    chat.set_answering(False)
    assert "Closest passage" not in chat.transcript.toPlainText()


def test_corrupt_file_shows_its_error(qtbot: QtBot, make_window: WindowMaker, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    window = make_window()
    report = add_and_wait(qtbot, window, [broken])
    assert report.failed
    item = window.library_pane.item_for(str(broken))
    assert item is not None
    assert item.text(1).startswith("Failed: ")
    assert len(item.text(1)) > len("Failed: ") + 5
    assert "broken.pdf" in window.statusBar().currentMessage()


def test_conversation_survives_restart(qtbot: QtBot, make_window: WindowMaker, tmp_path: Path) -> None:
    window = make_window()
    add_and_wait(qtbot, window, [_lease(tmp_path)])
    _ask(qtbot, window, LATE_QUESTION)
    assert window.conversations.count() == 1
    window.close()

    again = make_window()
    assert again.conversations.count() == 1
    item = again.conversations.item(0)
    assert item is not None and "cure a late payment" in item.text()
    with job_done(qtbot, again.bridge, CONVERSATIONS, 10_000):
        again.conversations.itemClicked.emit(item)
    transcript = again.chat_pane.transcript
    assert LATE_QUESTION in transcript.toPlainText()
    assert "quire-cite:0/1" in transcript.toHtml()


def test_ctrl_n_starts_a_new_conversation(qtbot: QtBot, make_window: WindowMaker, tmp_path: Path) -> None:
    window = make_window()
    add_and_wait(qtbot, window, [_lease(tmp_path)])
    _ask(qtbot, window, LATE_QUESTION)
    window.new_action.trigger()
    assert window.chat_pane.conversation_id == ""
    assert window.chat_pane.turns == []


def test_search_dialog_opens_result_in_viewer(qtbot: QtBot, make_window: WindowMaker, tmp_path: Path) -> None:
    window = make_window()
    add_and_wait(qtbot, window, [_lease(tmp_path)])
    dialog = window.open_search()
    dialog.query.setText("security deposit thirty days")
    with job_done(qtbot, window.bridge, SEARCH, 10_000):
        qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert dialog.results.count() >= 1
    first = dialog.results.item(0)
    assert first is not None and "page 3" in first.text()
    dialog.results.itemClicked.emit(first)
    assert window.viewer.current_pdf_page == 3


def test_settings_dialog_saves_typed_settings(qtbot: QtBot, make_window: WindowMaker) -> None:
    window = make_window()
    with job_done(qtbot, window.bridge, MODELS, 10_000):
        dialog = window.open_settings()
    assert dialog.model.count() >= 1
    dialog.answer_tokens.setValue(512)
    dialog.threads.setValue(2)
    dialog.model.setCurrentIndex(max(dialog.model.findData(window.settings.llm.model), 0))
    with qtbot.waitSignal(window.bridge.model_loaded, timeout=10_000):
        dialog._save()
    from assistant.config import Settings

    saved = Settings.load(window.settings.home)
    assert saved.llm.max_answer_tokens == 512 and saved.llm.threads == 2


def test_library_location_is_saved_for_the_next_start(
    qtbot: QtBot, make_window: WindowMaker, tmp_path: Path
) -> None:
    window = make_window()
    with job_done(qtbot, window.bridge, MODELS, 10_000):
        dialog = window.open_settings()
    assert dialog.location.text() == str(window.settings.home / "library")
    assert not dialog.set_library_location(tmp_path / "missing")
    assert "cannot write" in dialog.location_note.text()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert dialog.set_library_location(elsewhere)
    dialog.model.setCurrentIndex(max(dialog.model.findData(window.settings.llm.model), 0))
    dialog._save()
    qtbot.waitUntil(lambda: not window.findChildren(SettingsDialog), timeout=5000)  # saved and closed
    assert "next starts" in window.statusBar().currentMessage()
    from assistant.config import Settings

    saved = Settings.load(window.settings.home)
    assert saved.library_dir == elsewhere and saved.home == window.settings.home


def test_model_ready_is_announced_once_with_the_bridge_state_set(
    qtbot: QtBot, make_window: WindowMaker
) -> None:
    window = make_window()
    seen: list[bool] = []
    window.bridge.model_loaded.connect(lambda _name: seen.append(window.bridge.model_ready))
    with qtbot.waitSignal(window.bridge.model_loaded, timeout=10_000):
        window.bridge.load_model(window.settings)
    qtbot.wait(200)  # a second, early announcement would have arrived by now
    assert seen == [True]


def test_a_second_question_cancels_the_first(
    qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot, tmp_path: Path
) -> None:
    long_answer = "The tenant has fifteen days. " + "More words follow here. " * 200
    deposit = cite_passage_with("deposit", "The deposit is 24,000 pounds.")

    def reply(messages: list[ChatMessage]) -> str:
        request = messages[-1]["content"]
        if "<passage" not in request:
            return ""  # the follow-up's rewrite for the search: none, it is searched as asked
        if LATE_QUESTION in request:
            return json.dumps({"passage": 1, "answer": long_answer})
        return deposit(messages)

    model_slot.model = ScriptedChatModel(reply, delay_s=0.02)
    window = make_window()
    add_and_wait(qtbot, window, [_lease(tmp_path)])
    chat = window.chat_pane
    tokens: list[str] = []
    window.bridge.token_received.connect(tokens.append)
    chat.question.setPlainText(LATE_QUESTION)
    with job_done(qtbot, window.bridge, ANSWER, 30_000):
        qtbot.keyClick(chat.question, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "fifteen" in chat.transcript.toPlainText(), timeout=10_000)
        chat.question.setPlainText("How large is the security deposit?")
        qtbot.keyClick(chat.question, Qt.Key.Key_Return)
        tokens.clear()  # the first question is cancelled now: none of its words may follow
        assert window.bridge.busy(ANSWER) and chat.stop_button.isEnabled()
    first, second = chat.turns
    assert first.cancelled and len(first.answer) < len(long_answer) / 2
    assert not second.cancelled and "24,000 pounds" in second.answer
    assert "More words" not in "".join(tokens)  # the first answer stopped writing into the second
    text = chat.transcript.toPlainText()
    assert "Stopped before the answer was complete" in text and "24,000 pounds" in text
    assert not chat.stop_button.isEnabled() and not chat.streaming
    assert window.conversations.count() == 1  # both asked in one conversation


def test_a_failure_ends_the_busy_state_of_its_group(
    qtbot: QtBot, make_window: WindowMaker, caplog: pytest.LogCaptureFixture
) -> None:
    window = make_window()
    bridge = window.bridge
    busy: list[tuple[str, bool]] = []
    bridge.busy_changed.connect(lambda group, state: busy.append((group, state)))
    failures: list[str] = []

    def locked(session: object, job: object) -> None:
        raise QuireError("The shelf is locked: unlock it in Settings.")

    def buggy(session: object, job: object) -> None:
        raise KeyError("shelf")

    with job_done(qtbot, bridge, "shelf"):
        job = bridge.run(locked, group="shelf", what="Opening the shelf", failure=failures.append)
        assert bridge.busy("shelf")
    assert not bridge.busy("shelf") and busy == [("shelf", True), ("shelf", False)]
    assert job.state is JobState.FAILED and failures == ["The shelf is locked: unlock it in Settings."]

    with job_done(qtbot, bridge, "shelf"):
        bridge.run(buggy, group="shelf", what="Opening the shelf", failure=failures.append)
    assert not bridge.busy("shelf")
    assert "(opening the shelf)" in failures[1] and "KeyError" not in failures[1]
    assert str(window.settings.log_dir) in failures[1]  # where to look, instead of the traceback
    logged = [r for r in caplog.records if "Opening the shelf failed unexpectedly" in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the bug's traceback is in the log


def test_switching_the_model_in_settings_frees_the_old_one(
    qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot
) -> None:
    window = make_window()
    old = model_slot.model
    model_slot.model = ScriptedChatModel(["unused"], name="other-model")
    with job_done(qtbot, window.bridge, MODELS, 10_000):
        dialog = window.open_settings()
    dialog.model.setCurrentIndex(max(dialog.model.findData(window.settings.llm.model), 0))
    dialog.answer_tokens.setValue(256)  # any change of the model settings loads the model again
    with qtbot.waitSignal(window.bridge.model_loaded, timeout=10_000) as blocker:
        dialog._save()
    assert blocker.args == ["other-model"] and "other-model" in window.model_label.text()
    assert old.closes == 1 and model_slot.model.closes == 0


def test_a_document_read_by_an_older_version_says_so_until_reindexed(
    qtbot: QtBot, make_window: WindowMaker, settings: Settings, tmp_path: Path
) -> None:
    window = make_window()
    lease = _lease(tmp_path)
    add_and_wait(qtbot, window, [lease])
    db = sqlite3.connect(settings.library_dir / "registry.sqlite3")
    with db:  # as a library indexed before the PDF reader read columns in order
        db.execute("UPDATE documents SET reader = ?", (FIRST_VERSION,))
    db.close()
    with job_done(qtbot, window.bridge, LIBRARY):
        window.bridge.refresh_library()
    item = window.library_pane.item_for(str(lease))
    assert item is not None and "older version: Re-index" in item.text(1)

    with job_done(qtbot, window.bridge, INDEX, 30_000):
        window.reindex([lease])
    item = window.library_pane.item_for(str(lease))
    assert item is not None and item.text(1) == "Indexed"


def test_a_source_whose_title_another_document_shares_is_named_by_its_file(
    qtbot: QtBot, make_window: WindowMaker, tmp_path: Path
) -> None:
    """Two versions of one lease carry one title: an answer citing one says which file it is."""
    window = make_window()
    (tmp_path / "v2").mkdir()
    write_text_pdf(tmp_path / "v2" / "lease-2027.pdf", LEASE_PAGES, title="Lease")
    add_and_wait(qtbot, window, [_lease(tmp_path)])
    _ask(qtbot, window, LATE_QUESTION)
    assert ", page 2" in window.chat_pane.transcript.toPlainText()
    assert "(lease.pdf)" not in window.chat_pane.transcript.toPlainText()  # the only "Lease" so far

    add_and_wait(qtbot, window, [tmp_path / "v2" / "lease-2027.pdf"])
    text = window.chat_pane.transcript.toPlainText()
    assert "[1] Lease (lease.pdf), page 2" in text  # the answer already shown says which lease
