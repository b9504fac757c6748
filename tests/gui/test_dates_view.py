"""Key dates and deadlines in the desktop app: the library's menu, the Dates dialog, the chat."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from assistant.documents import dates as engine_dates
from assistant.llm.chat import ChatMessage
from assistant.testing.documents import write_text_pdf
from assistant.testing.scripted_chat import ScriptedChatModel
from tests.gui.conftest import ModelSlot, WindowMaker, add_and_wait, cite_passage_with, job_done
from ui.dates_view import DatesDialog
from ui.main_window import MainWindow
from ui.operations import ANSWER, TASK
from ui.results_view import ResultsDialog

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)"),
]

LEASE = [
    "Lease Agreement\nThis Lease is made on 17 June 2024 between Alder Estates plc (the Landlord)\n"
    "and Moss Bakery (the Tenant).\nThe lease term begins on 1 July 2024 and ends on 30 June 2029.",
    "Notice\nNotice of termination must be given at least ninety (90) days before the end of the term.\n"
    "Either party may end it on sixty days written notice.",
]
MEMO = ["Memo\nThe team met to discuss the fit-out of the premises."]
RULE = "at least ninety (90) days before the end of the term (2029-06-30 − 90 days)"
NOTICE = "Notice of termination must be given at least ninety (90) days before the end of the term."
LONG_PAGES = 30


def dates_reply(messages: list[ChatMessage]) -> str:
    """The tool call names the lease; anything else is answered as the other GUI tests do."""
    if "Call list_dates" in messages[-1]["content"]:
        return json.dumps({"document": "Lease"})
    return cite_passage_with("cure", "The tenant has fifteen days.")(messages)


@pytest.fixture
def dates_window(qtbot: QtBot, make_window: WindowMaker, model_slot: ModelSlot, tmp_path: Path) -> MainWindow:
    model_slot.model = ScriptedChatModel(dates_reply)
    window = make_window()
    lease = write_text_pdf(tmp_path / "lease.pdf", LEASE, title="Lease")
    memo = write_text_pdf(tmp_path / "memo.pdf", MEMO, title="Memo")
    add_and_wait(qtbot, window, [lease, memo])
    return window


def _choose_dates_in_menu(qtbot: QtBot, window: MainWindow, title: str) -> DatesDialog:
    """Select ``title`` in the library, choose Key dates and deadlines in its menu, wait for the list."""
    pane = window.library_pane
    item = next(
        pane.tree.topLevelItem(row)
        for row in range(pane.tree.topLevelItemCount())
        if pane.tree.topLevelItem(row).text(0) == title  # type: ignore[union-attr]
    )
    assert item is not None
    pane.tree.clearSelection()
    item.setSelected(True)
    menu = pane.document_menu(item)
    action = next(a for a in menu.actions() if a.objectName() == "datesAction")
    assert action.text() == "Key dates and deadlines"
    with job_done(qtbot, window.bridge, TASK):
        action.trigger()
    dialogs = window.findChildren(DatesDialog)
    assert dialogs and dialogs[-1].report is not None
    return dialogs[-1]


def _rows(dialog: DatesDialog) -> list[list[str]]:
    """The cells shown, row by row, as the user reads them."""
    model = dialog.table.model()
    return [
        [str(model.index(row, column).data()) for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def test_the_menu_lists_the_dates_with_a_deadline_and_its_rule(
    qtbot: QtBot, dates_window: MainWindow
) -> None:
    dialog = _choose_dates_in_menu(qtbot, dates_window, "Lease")
    assert dialog.windowTitle() == "Key dates and deadlines: Lease"
    rows = _rows(dialog)
    assert [row[0] for row in rows] == ["2024-06-17", "2024-07-01", "2029-04-01", "2029-06-30", "(no date)"]
    deadline = rows[2]
    assert deadline[:5] == [
        "2029-04-01",
        "deadline",
        "Notice of termination must be given (last day)",
        "Lease",
        "2",
    ]
    assert deadline[5] == RULE
    assert rows[4][1] == "period" and rows[4][5] == "sixty days written notice"
    assert not dialog.stop_button.isVisible() and dialog.ics_button.isEnabled()
    assert dialog.notes.isHidden()  # a lease full of dates leaves nothing to say

    # sorting by a column, then back by date
    dialog.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    assert _rows(dialog)[0][4] == "2"
    dialog.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert _rows(dialog)[2][0] == "2029-04-01"


def test_clicking_a_row_opens_its_page_with_the_sentence_marked(
    qtbot: QtBot, dates_window: MainWindow
) -> None:
    window = dates_window
    dialog = _choose_dates_in_menu(qtbot, window, "Lease")
    index = dialog.table.model().index(2, 0)  # the deadline, on page 2
    dialog.table.scrollTo(index)
    qtbot.mouseClick(
        dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=dialog.table.visualRect(index).center()
    )
    assert window.viewer.current_pdf_page == 2
    assert window.viewer.target is not None and window.viewer.target.text == NOTICE
    assert "Notice of termination" in window.viewer.highlight_text


def test_the_kind_and_text_filters_narrow_the_table(qtbot: QtBot, dates_window: MainWindow) -> None:
    dialog = _choose_dates_in_menu(qtbot, dates_window, "Lease")
    dialog.kind_boxes["period"].setChecked(False)
    assert {event.kind for event in dialog.shown_events()} == {"event", "deadline"}
    assert len(dialog.shown_events()) == 4 and "4 of 5" in dialog.status.text()
    dialog.kind_boxes["event"].setChecked(False)
    assert [event.date for event in dialog.shown_events()] == ["2029-04-01"]
    dialog.kind_boxes["event"].setChecked(True)
    dialog.text_filter.setText("NOTICE")  # any case, in the event, sentence, rule or note
    assert [event.kind for event in dialog.shown_events()] == ["deadline"]
    dialog.kind_boxes["period"].setChecked(True)
    assert [event.kind for event in dialog.shown_events()] == ["deadline", "period"]
    dialog.text_filter.setText("written notice")  # every word typed
    assert [event.event for event in dialog.shown_events()] == ["Either party may end it"]
    dialog.text_filter.clear()
    assert len(dialog.shown_events()) == 5 and "5 row(s)" in dialog.status.text()


def test_exports_write_the_rows_shown(qtbot: QtBot, dates_window: MainWindow, tmp_path: Path) -> None:
    dialog = _choose_dates_in_menu(qtbot, dates_window, "Lease")
    dialog.kind_boxes["period"].setChecked(False)

    assert dialog.export_csv(tmp_path / "dates.csv")
    with (tmp_path / "dates.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["date", "kind", "event", "document", "page", "text", "rule", "note"]
    assert [row[0] for row in rows[1:]] == ["2024-06-17", "2024-07-01", "2029-04-01", "2029-06-30"]
    deadline = rows[3]
    assert deadline[1:5] == ["deadline", "Notice of termination must be given (last day)", "Lease", "2"]
    assert deadline[5] == NOTICE and deadline[6] == RULE
    assert "Saved 4 row(s)" in dialog.status.text()

    assert dialog.export_markdown(tmp_path / "dates.md")
    markdown = (tmp_path / "dates.md").read_text(encoding="utf-8")
    assert markdown.startswith("| date | kind | event | document | page | text | rule | note |")
    assert (
        "| 2029-04-01 | deadline | Notice of termination must be given (last day) | Lease | 2 |" in markdown
    )
    assert "sixty days" not in markdown

    assert dialog.export_ics(tmp_path / "dates.ics")
    calendar = (tmp_path / "dates.ics").read_bytes().decode("utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR\r\n") and calendar.count("BEGIN:VEVENT") == 4
    assert "DTSTART;VALUE=DATE:20290401" in calendar
    assert "SUMMARY:Deadline: Notice of termination must be given (last day)" in calendar


def test_the_library_menu_reads_every_document_and_shows_the_notes(
    qtbot: QtBot, dates_window: MainWindow
) -> None:
    window = dates_window
    window.library_pane.tree.clearSelection()
    with job_done(qtbot, window.bridge, TASK):
        dialog = window.dates_of_selection()
    assert dialog is not None and dialog.report is not None
    assert dialog.windowTitle() == "Key dates and deadlines: 2 documents"
    assert dialog.report.documents == ["Lease", "Memo"]
    assert not dialog.notes.isHidden() and "no dates found in Memo" in dialog.notes.text()


def test_stop_cancels_a_run_and_lists_nothing(
    qtbot: QtBot, dates_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = dates_window
    long = [
        f"Minutes, page {n}\nThe board met on {n % 28 + 1} January 2025." for n in range(1, LONG_PAGES + 1)
    ]
    add_and_wait(qtbot, window, [write_text_pdf(tmp_path / "minutes.pdf", long, title="Minutes")])
    scan_page = engine_dates._scan_page

    def slow_scan(*args: object, **kwargs: object) -> None:
        time.sleep(0.05)  # a long file on a slow disk: the run is still going when Stop is pressed
        scan_page(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_dates, "_scan_page", slow_scan)
    minutes = next(d.id for d in window.library_pane.documents if d.title == "Minutes")
    with job_done(qtbot, window.bridge, TASK, 30_000):
        dialog = window.list_dates([minutes])
        assert dialog is not None and dialog.stop_button.isVisible()
        qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=10_000)
        qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    assert "stopped" in dialog.status.text() and dialog.report is None
    assert not dialog.csv_button.isEnabled() and not dialog.ics_button.isEnabled()
    assert dialog.progress.value() < LONG_PAGES
    assert not window.bridge.busy(TASK)


def test_a_dates_request_in_the_chat_shows_a_table_with_page_links(
    qtbot: QtBot, dates_window: MainWindow
) -> None:
    window = dates_window
    chat = window.chat_pane
    chat.question.setPlainText("List the key dates and deadlines in the lease")
    with job_done(qtbot, window.bridge, ANSWER, 30_000):
        qtbot.keyClick(chat.question, Qt.Key.Key_Return)
    text, html = chat.transcript.toPlainText(), chat.transcript.toHtml()
    assert "Dates and deadlines in Lease" in text and "2029-04-01" in text and RULE in text
    assert "quire-page:0/2/5" in html and "quire-table:0" in html  # the deadline's sentence links to p. 2

    chat.transcript.anchorClicked.emit(QUrl("quire-page:0/2/5"))
    assert window.viewer.current_pdf_page == 2
    assert "Notice of termination" in window.viewer.highlight_text
    chat.transcript.anchorClicked.emit(QUrl("quire-table:0"))
    dialogs = window.findChildren(ResultsDialog)
    assert dialogs and dialogs[-1].table is not None and len(dialogs[-1].table.rows) == 5
