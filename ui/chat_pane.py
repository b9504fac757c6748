"""The chat pane: a transcript of questions and streamed, cited answers, and the question box."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.answer_html import (
    TABLE_SCHEME,
    render_conversation,
    render_question,
    resolve_link,
    titles_shared,
    turn_table,
)

if TYPE_CHECKING:
    from assistant.answering.types import Answer, PassagePreview
    from assistant.session.session import AskResult

STREAMING_STYLE = "margin:2px 0 4px 0; color:#222222;"
PREVIEW_STYLE = "margin:2px 0 4px 0; color:#555555; background-color:#f4f6f8; padding:4px;"
ERROR_STYLE = "color:#9b1c1c; margin:2px 0 4px 0;"


class QuestionEdit(QPlainTextEdit):
    """Enter sends, Shift+Enter starts a new line, Esc stops the answer in flight.

    Signals:
        submitted(): Enter was pressed.
        escape_pressed(): Esc was pressed.
    """

    submitted = Signal()
    escape_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
            else:
                self.submitted.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            return
        super().keyPressEvent(event)


class ChatPane(QWidget):
    """Shows one conversation; the main window feeds it what the engine's jobs return.

    ``turns`` are the conversation's answers (each knows its question). While an answer
    is being written, ``asking`` is its question and the streamed text is shown under it.

    Signals:
        question_submitted(conversation_id, question): the user sent a question ('' = new conversation).
        stop_requested(): the user pressed Stop or Esc while an answer was streaming.
        source_requested(SourceTarget): a citation, passage or table page link was clicked.
        table_requested(ResultTable): the user asked to open a summary or extraction as a table.
    """

    question_submitted = Signal(str, str)
    stop_requested = Signal()
    source_requested = Signal(object)
    table_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conversation_id = ""
        self.turns: list[Answer] = []
        self._shared_titles: frozenset[str] = frozenset()  # titles two library documents carry
        self.asking = ""  # the question whose answer is being written ('' when none)
        self._streamed = ""
        self._preview: PassagePreview | None = None
        self._error = ""
        self._failed_question = self._last_asked = ""
        self._model_ready = False

        self.transcript = QTextBrowser()
        self.transcript.setObjectName("transcript")
        self.transcript.setOpenLinks(False)
        self.transcript.setOpenExternalLinks(False)
        self.transcript.anchorClicked.connect(self._on_link)
        self.transcript.setPlaceholderText(
            "Ask a question about your documents. Answers cite the pages they come from: "
            "click a citation to see the page."
        )

        self.question = QuestionEdit()
        self.question.setObjectName("questionEdit")
        self.question.setPlaceholderText("Ask about your documents…  (Enter sends, Shift+Enter: new line)")
        self.question.setFixedHeight(70)
        self.question.submitted.connect(self.submit)
        self.question.escape_pressed.connect(self.stop)

        self.send_button = QPushButton("Ask")
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.submit)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setEnabled(False)
        self.stop_button.setToolTip("Stop the answer being written (Esc)")
        self.stop_button.clicked.connect(self.stop)
        self.hint = QLabel("Loading models…")
        self.hint.setObjectName("chatHint")

        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        row = QHBoxLayout()
        row.addWidget(self.question, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.hint)
        layout.addLayout(row)

        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.stop)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(40)
        self._refresh_timer.timeout.connect(self._render)

    @property
    def streaming(self) -> bool:
        """Whether an answer is being written (Stop and Esc act)."""
        return bool(self.asking)

    # -- user actions --------------------------------------------------------------
    def submit(self) -> None:
        question = self.question.toPlainText().strip()
        if not question:
            return
        self.question.clear()
        self._error = ""
        self._failed_question = ""
        self.asking = question  # a new question replaces the one in flight
        self._last_asked = question  # kept for a failure, which may arrive after ``asking`` is cleared
        self._streamed = ""
        self._preview = None
        self.stop_button.setEnabled(True)
        self._render()
        self.question_submitted.emit(self.conversation_id, question)

    def stop(self) -> None:
        if self.streaming:
            self.stop_requested.emit()

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() == TABLE_SCHEME:
            table = turn_table(url.toString(), self.turns)
            if table is not None:
                self.table_requested.emit(table)
            return
        target = resolve_link(url.toString(), self.turns)
        if target is not None:
            self.source_requested.emit(target)

    # -- engine events (connected by the main window) ---------------------------------
    def set_model_state(self, ready: bool, message: str) -> None:
        self._model_ready = ready
        self.hint.setText(message)
        self.hint.setVisible(bool(message))

    def new_conversation(self) -> None:
        if self.streaming:
            self.stop_requested.emit()
        self.conversation_id = ""
        self.turns = []
        self._error = ""
        self._failed_question = ""
        self.set_answering(False)
        self.question.setFocus()

    def show_conversation(self, conversation_id: str, turns: Sequence[Answer]) -> None:
        if self.streaming:
            return  # never swap the transcript under an answer being written
        self.conversation_id = conversation_id
        self.turns = list(turns)
        self._error = ""
        self._failed_question = ""
        self._render()

    def on_answer_started(self, conversation_id: str) -> None:
        """The question being answered was accepted into ``conversation_id`` (new or this one)."""
        self.conversation_id = conversation_id
        self._render()

    def on_preview(self, preview: PassagePreview) -> None:
        """Show the best passage sentence while the model reads (labelled: it is not the answer)."""
        if self.streaming:
            self._preview = preview
            self._render()

    def on_token(self, text: str) -> None:
        if not self.streaming:
            return
        self._streamed += text
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def on_answer_finished(self, result: AskResult, *, latest: bool) -> None:
        """Show a finished (or stopped) answer if it belongs to the conversation shown.

        ``latest`` is False for an answer replaced by a newer question or left by "New
        conversation": it is shown only when it was stored in this very conversation, so
        the transcript always matches what a restart would show.
        """
        if latest and not self.conversation_id:
            self.conversation_id = result.conversation_id
        if result.conversation_id != self.conversation_id:
            return
        self.turns.append(result.answer)
        if latest:
            self.asking = self._streamed = ""
            self._preview = None
        self._render()

    def on_failed(self, message: str) -> None:
        """Show why the answer failed under its question, and offer the question again.

        The question stays in the transcript above the message, and goes back into the
        empty question box, so "Ask again" (after a model crash, say) is one Enter away.
        """
        self._error = message
        self._failed_question = self._last_asked
        if self._last_asked and not self.question.toPlainText().strip():
            self.question.setPlainText(self._last_asked)
        self.set_answering(False)

    def set_answering(self, answering: bool) -> None:
        """Whether answer jobs are in flight; when the last ends, nothing is pending any more."""
        self.stop_button.setEnabled(answering)
        if answering:
            return
        self.asking = ""
        self._streamed = ""
        self._preview = None
        self._refresh_timer.stop()
        self._render()

    def set_library_titles(self, titles: Sequence[str]) -> None:
        """The library's document titles: sources whose title two documents carry show their file."""
        shared = titles_shared(titles)
        if shared != self._shared_titles:
            self._shared_titles = shared
            self._render()

    # -- rendering ----------------------------------------------------------------------
    def _render(self) -> None:
        parts = [render_conversation(self.turns, self._shared_titles)]
        if self.asking:
            parts.append(render_question(self.asking))
            if self._preview is not None:
                preview = self._preview
                parts.append(
                    f'<p style="{PREVIEW_STYLE}"><b>Closest passage</b> (not yet the answer), '
                    f"{html.escape(preview.document, quote=False)}, page {preview.page}:<br>"
                    f"<i>“{html.escape(preview.sentence, quote=False)}”</i></p>"
                )
            text = html.escape(self._streamed, quote=False).replace("\n", "<br>")
            parts.append(f'<p style="{STREAMING_STYLE}">{text or "<i>Searching your documents…</i>"} ▍</p>')
        if self._error:
            if self._failed_question and not self.asking:
                parts.append(render_question(self._failed_question))
            parts.append(f'<p style="{ERROR_STYLE}">⚠ {html.escape(self._error, quote=False)}</p>')
        self.transcript.setHtml("".join(parts))
        self.transcript.moveCursor(QTextCursor.MoveOperation.End)
        bar = self.transcript.verticalScrollBar()
        bar.setValue(bar.maximum())
