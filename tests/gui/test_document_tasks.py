"""Summaries and extractions in the desktop app: a table with page links, export, stop, chat."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from assistant.documents.prompts import EXTRACT_SYSTEM
from assistant.llm.chat import ChatMessage
from assistant.testing.documents import write_text_pdf
from assistant.testing.long_documents import policy_pages
from assistant.testing.scripted_chat import ScriptedChatModel, keep_sentences
from tests.gui.conftest import LEASE_PAGES, ModelSlot, WindowMaker, add_and_wait, cite_passage_with, job_done
from ui.main_window import MainWindow
from ui.operations import ANSWER, TASK
from ui.results_view import ResultsDialog

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)"),
]

PARTIES = "Harbourview Properties Ltd. and Linden Rowe Architects"


def document_reply(messages: list[ChatMessage]) -> str:
    """Map replies copy each page's longest line; extraction finds the parties; tool calls name the lease."""
    system, request = messages[0]["content"], messages[-1]["content"]
    if "Shortened sentence" in request:
        return keep_sentences(messages)
    if system == EXTRACT_SYSTEM:
        if "parties" in request.lower() and "Harbourview" in request:
            return json.dumps({"passage": 1, "value": PARTIES})
        return json.dumps({"passage": 1, "value": "not stated"})
    if "Call summarize_document" in request:
        return json.dumps({"document": "Lease"})
    return cite_passage_with("cure", "The tenant has fifteen days.")(messages)


@pytest.fixture
def lease_window(qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot, tmp_path: Path) -> MainWindow:
    model_slot.model = ScriptedChatModel(document_reply)
    window = make_window()
    add_and_wait(qtbot, window, [write_text_pdf(tmp_path / "lease.pdf", LEASE_PAGES, title="Lease")])
    return window


def _lease_id(window: MainWindow) -> str:
    return next(d.id for d in window.library_pane.documents if d.title == "Lease")


def _finish(qtbot: QtBot, window: MainWindow, start: object) -> ResultsDialog:
    with job_done(qtbot, window.bridge, TASK, 30_000):
        dialog = start()  # type: ignore[operator]
    assert isinstance(dialog, ResultsDialog)
    return dialog


def test_summary_table_links_to_pages_and_exports(
    qtbot: QtBot, lease_window: MainWindow, tmp_path: Path
) -> None:
    window = lease_window
    dialog = _finish(qtbot, window, lambda: window.summarize(_lease_id(window), "general"))
    assert dialog.table is not None and dialog.table.rows
    column = dialog.table.columns.index("Summary")
    cited = [row[column].pages for row in dialog.table.rows]
    assert all(cited) and {p for pages in cited for p in pages} <= {1, 2, 3}
    assert f"quire-page:0/{column}" in dialog.view.toHtml()
    assert dialog.csv_button.isEnabled() and not dialog.stop_button.isVisible()

    first_page = dialog.table.rows[0][column].pages[0]
    dialog.view.anchorClicked.emit(QUrl(f"quire-page:0/{column}"))
    assert window.viewer.current_pdf_page == first_page

    dialog.export_to(tmp_path / "summary.csv")
    with (tmp_path / "summary.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == dialog.table.columns and len(rows) == len(dialog.table.rows) + 1
    assert f"(p. {first_page}" in rows[1][column]
    dialog.export_to(tmp_path / "summary.md")
    header = "| " + " | ".join(dialog.table.columns) + " |"
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").startswith(header)


def test_extraction_table_states_what_was_not_found(qtbot: QtBot, lease_window: MainWindow) -> None:
    window = lease_window
    dialog = _finish(qtbot, window, lambda: window.extract([_lease_id(window)], "contract"))
    assert dialog.table is not None
    header, row = dialog.table.columns, dialog.table.rows[0]
    parties = row[header.index("parties")]
    assert parties.text == PARTIES and parties.pages == (1,)
    assert any(cell.text == "not stated" and not cell.pages for cell in row[1:])
    text = dialog.view.toPlainText()
    assert PARTIES in text and "not stated" in text


def test_bad_schema_file_is_reported_in_the_dialog(
    qtbot: QtBot, lease_window: MainWindow, tmp_path: Path
) -> None:
    window = lease_window
    schema = tmp_path / "fields.json"
    schema.write_text("{not json", encoding="utf-8")
    with job_done(qtbot, window.bridge, TASK):
        dialog = window.extract([_lease_id(window)], str(schema))
    shown = window.statusBar().currentMessage()
    assert shown.startswith("Extracting failed") and "fields.json" in shown
    assert dialog is not None and "fields.json" in dialog.status.text()
    assert not window.bridge.busy(TASK)
    # the failure ended the run: a new one may start
    assert _finish(qtbot, window, lambda: window.extract([_lease_id(window)], "contract")).table is not None


def test_stop_ends_a_summary_and_keeps_nothing(
    qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot, tmp_path: Path
) -> None:
    model_slot.model = ScriptedChatModel(document_reply, delay_s=0.05)
    window = make_window()
    add_and_wait(qtbot, window, [write_text_pdf(tmp_path / "policy.pdf", policy_pages(), title="Policy")])
    policy = next(d.id for d in window.library_pane.documents if d.title == "Policy")
    with job_done(qtbot, window.bridge, TASK, 30_000):
        dialog = window.summarize(policy, "general")  # its long sentences are written by the model
        assert dialog is not None
        qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    assert "stopped" in dialog.status.text() and dialog.table is None
    assert not dialog.csv_button.isEnabled()


def test_summary_asked_in_the_chat_shows_a_table(qtbot: QtBot, lease_window: MainWindow) -> None:
    window = lease_window
    chat = window.chat_pane
    chat.question.setPlainText("Summarise the lease")
    with job_done(qtbot, window.bridge, ANSWER, 30_000):
        qtbot.keyClick(chat.question, Qt.Key.Key_Return)
    html = chat.transcript.toHtml()
    assert "Summary of Lease" in chat.transcript.toPlainText()
    assert "quire-page:0/0/2" in html and "quire-table:0" in html

    chat.transcript.anchorClicked.emit(QUrl("quire-page:0/0/2"))
    assert window.viewer.current_pdf_page in (1, 2, 3)
    chat.transcript.anchorClicked.emit(QUrl("quire-table:0"))
    dialogs = window.findChildren(ResultsDialog)
    assert dialogs and dialogs[-1].table is not None and dialogs[-1].csv_button.isEnabled()


def _compare_menu(window: MainWindow, titles: list[str]) -> QMenu:
    pane = window.library_pane
    pane.tree.clearSelection()
    items = [
        pane.tree.topLevelItem(row)
        for row in range(pane.tree.topLevelItemCount())
        if pane.tree.topLevelItem(row).text(0) in titles  # type: ignore[union-attr]
    ]
    for item in items:
        item.setSelected(True)  # type: ignore[union-attr]
    menu = pane.document_menu(items[0])  # type: ignore[arg-type]
    found = menu.findChild(QMenu, "compareMenu")
    assert isinstance(found, QMenu)
    return found


def test_two_selected_documents_are_compared_side_by_side(
    qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot, tmp_path: Path
) -> None:
    model_slot.model = ScriptedChatModel(document_reply)
    window = make_window()
    second = [page.replace("24,000 pounds", "30,000 pounds") for page in LEASE_PAGES]
    add_and_wait(
        qtbot,
        window,
        [
            write_text_pdf(tmp_path / "lease.pdf", LEASE_PAGES, title="Lease"),
            write_text_pdf(tmp_path / "lease-2025.pdf", second, title="Lease 2025"),
        ],
    )
    assert not _compare_menu(window, ["Lease"]).isEnabled()  # one document: nothing to compare with
    menu = _compare_menu(window, ["Lease", "Lease 2025"])
    assert menu.isEnabled() and menu.title() == "Compare the two documents"
    with job_done(qtbot, window.bridge, TASK, 30_000):
        menu.actions()[0].trigger()
    dialog = window.findChildren(ResultsDialog)[-1]
    assert dialog.table is not None and dialog.table.columns[0] == "provision"
    parties = dialog.table.rows[0]
    assert parties[1].text == PARTIES and parties[1].pages == (1,)
    changed = [row for row in dialog.table.rows if row[0].text == "clause changed"]
    assert changed and "[-24,000-] {+30,000+}" in changed[0][3].text
    assert changed[0][1].pages == (3,) and changed[0][2].pages == (3,)
