"""The main window: library and conversations on the left, chat in the middle, viewer on the right.

It owns no engine state: it wires the panes to the ``EngineBridge`` it is given, so a test
can build a window over a bridge with fake models, and the app over the real one.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from assistant.config import Settings
from assistant.result_table import ResultTable
from ui.chat_pane import ChatPane
from ui.dialogs import SearchDialog, SettingsDialog, show_about
from ui.engine_bridge import AnswerResult, EngineBridge, TaskResult
from ui.library_pane import LibraryPane
from ui.results_view import ResultsDialog
from ui.viewer_pane import ViewerPane

log = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "resources" / "samples"
CONVERSATION_ROLE = Qt.ItemDataRole.UserRole
OFFLINE = "Offline: nothing leaves this computer"

WELCOME_HTML = """
<h1>Welcome to Quire</h1>
<p>Quire answers questions from <b>your own documents</b>, privately, on this computer.</p>
<ol>
<li><b>Add documents</b>: PDF, Word, text, Markdown or HTML files, or a whole folder.
    You can also drop files on this window.</li>
<li><b>Ask a question</b> in plain words, like <i>“How long is the notice period?”</i></li>
<li><b>Check the answer</b>: every claim cites a page [1]; click it to see the passage.</li>
</ol>
<p>Not sure yet? Try it with three short sample documents (a lease, a discharge summary and
an audit memo).</p>
"""


class WelcomePage(QWidget):
    """The first-run screen: what Quire does and the one thing to do first.

    Signals:
        add_requested(): the user wants to add documents.
        samples_requested(): the user wants to try the bundled samples.
    """

    add_requested = Signal()
    samples_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        text = QLabel(WELCOME_HTML)
        text.setWordWrap(True)
        text.setObjectName("welcomeText")
        self.add_button = QPushButton("Add documents…")
        self.add_button.setObjectName("primaryButton")
        self.add_button.clicked.connect(self.add_requested)
        self.samples_button = QPushButton("Try the sample documents")
        self.samples_button.clicked.connect(self.samples_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(text)
        layout.addWidget(self.add_button)
        layout.addWidget(self.samples_button)
        layout.addStretch(1)


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings, bridge: EngineBridge) -> None:
        super().__init__()
        self.settings = settings
        self.bridge = bridge
        self.collection = ""
        self.task_dialog: ResultsDialog | None = None  # the dialog of the summary/extraction running
        self._library_known = False
        self._has_documents = False
        self.setWindowTitle("Quire — private document assistant")
        self.setAcceptDrops(True)
        self.resize(1400, 860)

        self.library_pane = LibraryPane()
        self.conversations = QListWidget()
        self.conversations.setObjectName("conversations")
        self.conversations.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.conversations.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.conversations.itemClicked.connect(self._open_conversation)
        conversations_title = QLabel("Conversations")
        conversations_title.setObjectName("paneTitle")
        new_button = QPushButton("New conversation")
        new_button.clicked.connect(self.new_conversation)
        conversations_box = QWidget()
        box_layout = QVBoxLayout(conversations_box)
        box_layout.setContentsMargins(6, 6, 6, 6)
        box_layout.addWidget(conversations_title)
        box_layout.addWidget(new_button)
        box_layout.addWidget(self.conversations, 1)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.library_pane)
        left.addWidget(conversations_box)
        left.setSizes([520, 300])

        self.welcome = WelcomePage()
        self.chat_pane = ChatPane()
        self.center = QStackedWidget()
        self.center.addWidget(self.welcome)
        self.center.addWidget(self.chat_pane)
        self.viewer = ViewerPane()

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.center)
        splitter.addWidget(self.viewer)
        splitter.setSizes([330, 560, 510])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)

        self.model_label = QLabel("Loading models…")
        self.model_label.setObjectName("modelLabel")
        self.statusBar().addPermanentWidget(self.model_label)
        self.statusBar().addPermanentWidget(QLabel(OFFLINE))
        self._build_menus()
        self._connect()
        self.chat_pane.set_model_state(False, "Loading models… you can add documents meanwhile.")

    # -- construction ---------------------------------------------------------------------
    def _action(
        self, text: str, slot: Any, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.add_action = self._action(
            "&Add documents…", self.library_pane.choose_files, QKeySequence.StandardKey.Open
        )
        file_menu.addAction(self.add_action)
        file_menu.addAction(self._action("Add &folder…", self.library_pane.choose_folder))
        file_menu.addAction(self._action("Try the &sample documents", self.add_samples))
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Settings…", self.open_settings, "Ctrl+,"))
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))
        chat_menu = bar.addMenu("&Conversation")
        self.new_action = self._action(
            "&New conversation", self.new_conversation, QKeySequence.StandardKey.New
        )
        chat_menu.addAction(self.new_action)
        chat_menu.addAction(self._action("&Stop answer", self.chat_pane.stop))
        library_menu = bar.addMenu("&Library")
        self.search_action = self._action("&Search…", self.open_search, QKeySequence.StandardKey.Find)
        library_menu.addAction(self.search_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About Quire", self.open_about))

    def _connect(self) -> None:
        bridge, chat, library = self.bridge, self.chat_pane, self.library_pane
        bridge.library_changed.connect(self._on_library_changed)
        bridge.conversations_listed.connect(self._on_conversations)
        bridge.conversation_loaded.connect(chat.show_conversation)
        bridge.models_ready.connect(self._on_models_ready)
        bridge.model_failed.connect(self._on_model_failed)
        bridge.indexing_started.connect(lambda _n: library.set_indexing(True))
        bridge.indexing_progressed.connect(library.show_progress)
        bridge.indexing_finished.connect(self._on_indexing_finished)
        bridge.answer_started.connect(chat.on_answer_started)
        bridge.token_received.connect(chat.on_token)
        bridge.answer_finished.connect(self._on_answer_finished)
        bridge.pages_loaded.connect(self.viewer.show_pages)
        bridge.engine_failed.connect(self._on_engine_failed)
        chat.question_submitted.connect(self._ask)
        chat.stop_requested.connect(bridge.stop_answer)
        chat.source_requested.connect(self.viewer.show_source)
        self.viewer.pages_needed.connect(bridge.load_pages)
        library.paths_added.connect(self.add_paths)
        library.reindex_requested.connect(bridge.reindex)
        library.forget_requested.connect(self._forget)
        library.document_opened.connect(self._open_document)
        library.collection_selected.connect(self._on_collection)
        library.stop_requested.connect(bridge.stop_indexing)
        library.summarize_requested.connect(self.summarize)
        library.extract_requested.connect(self.extract)
        chat.table_requested.connect(self.show_table)
        bridge.task_progressed.connect(self._on_task_progress)
        bridge.task_finished.connect(self._on_task_finished)
        self.welcome.add_requested.connect(library.choose_files)
        self.welcome.samples_requested.connect(self.add_samples)

    # -- actions ----------------------------------------------------------------------------
    def add_paths(self, paths: list[Path]) -> None:
        self.library_pane.set_indexing(True)
        self.statusBar().showMessage(f"Adding {len(paths)} item(s) to the library…")
        self.bridge.add_paths(paths, self.collection or None)

    def add_samples(self) -> None:
        self.add_paths([SAMPLES_DIR])

    def new_conversation(self) -> None:
        self.conversations.clearSelection()
        self.chat_pane.new_conversation()
        self._update_center()

    def open_search(self) -> SearchDialog:
        dialog = getattr(self, "_search_dialog", None)
        if dialog is None:
            dialog = SearchDialog(self)
            dialog.search_requested.connect(self.bridge.search)
            dialog.source_requested.connect(self.viewer.show_source)
            self.bridge.search_finished.connect(dialog.show_results)
            self._search_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.query.setFocus()
        return dialog

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.bridge.models_listed.connect(dialog.show_models)  # Qt disconnects it when the dialog goes
        dialog.model_file_chosen.connect(self.bridge.add_model)
        dialog.accepted.connect(partial(self._apply_settings, dialog))
        self.bridge.list_models()
        dialog.open()
        return dialog

    def _apply_settings(self, dialog: SettingsDialog) -> None:
        changed, moved = dialog.model_changed(), dialog.location_changed()
        self.settings.llm = dialog.result_settings.llm
        self.settings.storage = dialog.result_settings.storage
        try:
            self.settings.save()
        except OSError as exc:
            log.exception("Could not save settings")
            self._show_error("Saving settings", f"{self.settings.home}: {exc.strerror or exc}")
            return
        if moved:
            self.statusBar().showMessage(
                f"The library moves to {self.settings.library_dir} when Quire next starts.", 20000
            )
        if changed:
            self._on_model_loading()
            self.bridge.reload_model(self.settings)

    # -- summaries and extractions --------------------------------------------------------------
    def summarize(self, doc_id: str, template: str) -> ResultsDialog | None:
        doc = next((d for d in self.library_pane.documents if d.id == doc_id), None)
        dialog = self._start_task(f"Summary of {doc.title if doc else 'a document'}")
        if dialog is not None:
            self.bridge.summarize(doc_id, template)
        return dialog

    def extract(self, doc_ids: list[str], schema: str) -> ResultsDialog | None:
        dialog = self._start_task(f"Facts from {len(doc_ids)} document(s)")
        if dialog is not None:
            self.bridge.extract(doc_ids, schema)
        return dialog

    def _start_task(self, title: str) -> ResultsDialog | None:
        """A new results dialog for a run; None (and a message) while another run is going."""
        if self.bridge.working:
            self.statusBar().showMessage("Wait for the summary or extraction in progress, or stop it.", 10000)
            if self.task_dialog is not None:
                self.task_dialog.raise_()
            return None
        dialog = self._results_dialog(title)
        dialog.stop_requested.connect(self.bridge.stop_task)
        dialog.destroyed.connect(self._forget_task_dialog)  # closed by the user while running
        self.task_dialog = dialog
        return dialog

    def _forget_task_dialog(self) -> None:
        self.task_dialog = None

    def _end_task(self) -> ResultsDialog | None:
        """The running task's dialog, no longer tracked (a later close must not clear the next one)."""
        dialog, self.task_dialog = self.task_dialog, None
        if dialog is not None:
            dialog.destroyed.disconnect(self._forget_task_dialog)
        return dialog

    def show_table(self, table: ResultTable) -> ResultsDialog:
        """A finished table (from the chat) in its own dialog, to check page links and export it."""
        dialog = self._results_dialog(table.title)
        dialog.show_table(table)
        return dialog

    def _results_dialog(self, title: str) -> ResultsDialog:
        dialog = ResultsDialog(title, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.source_requested.connect(self.viewer.show_source)
        dialog.show()
        return dialog

    def _on_task_progress(self, update: Any) -> None:
        if self.task_dialog is not None:
            self.task_dialog.show_progress(update)

    def _on_task_finished(self, result: TaskResult) -> None:
        dialog = self._end_task()
        if dialog is None:
            return
        if result.table is None:
            dialog.show_stopped()
        else:
            dialog.show_table(result.table)

    def open_about(self) -> None:
        show_about(self, self.settings, self.bridge.model_name)

    def _ask(self, conversation_id: str, question: str) -> None:
        self.bridge.ask(conversation_id, question, self.collection or None)

    def _forget(self, doc_id: str) -> None:
        doc = next((d for d in self.library_pane.documents if d.id == doc_id), None)
        name = doc.title if doc is not None else "this document"
        answer = QMessageBox.question(
            self, "Forget document", f"Remove {name} from the library? The file itself is not deleted."
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.bridge.forget(doc_id)

    def _open_document(self, path: str) -> None:
        from ui.answer_html import SourceTarget

        doc = next((d for d in self.library_pane.documents if d.path == path), None)
        self.viewer.show_source(SourceTarget(path, doc.title if doc else Path(path).name, 1, ""))

    def _open_conversation(self, item: QListWidgetItem) -> None:
        self.bridge.load_conversation(str(item.data(CONVERSATION_ROLE)))
        self.center.setCurrentWidget(self.chat_pane)

    def _on_collection(self, name: str) -> None:
        self.collection = name
        self.bridge.filter_collection(name)

    # -- engine events ----------------------------------------------------------------------------
    def _on_library_changed(self, documents: list[Any], collections: list[tuple[str, int]]) -> None:
        self.library_pane.show_library(documents, collections)
        self._library_known = True
        self._has_documents = bool(documents) or bool(self.collection)
        self._update_center()

    def _update_center(self) -> None:
        show_chat = self._has_documents or bool(self.chat_pane.turns) or self.chat_pane.streaming
        self.center.setCurrentWidget(self.chat_pane if show_chat else self.welcome)

    def _on_conversations(self, conversations: list[Any]) -> None:
        self.conversations.clear()
        for conversation in conversations:
            item = QListWidgetItem(conversation.title)
            item.setData(CONVERSATION_ROLE, conversation.id)
            item.setToolTip(conversation.title)
            self.conversations.addItem(item)
            if conversation.id == self.chat_pane.conversation_id:
                item.setSelected(True)

    def _on_model_loading(self) -> None:
        self.model_label.setText("Loading models…")
        self.chat_pane.set_model_state(False, "Loading the chat model…")

    def _on_models_ready(self, name: str) -> None:
        self.model_label.setText(f"Model: {name}")
        self.chat_pane.set_model_state(True, "")
        self.statusBar().showMessage("Ready", 5000)
        log.info("Ready: model %s", name)

    def _on_model_failed(self, message: str) -> None:
        self.model_label.setText("No chat model: search only")
        self.chat_pane.set_model_state(False, f"⚠ {message}  Search (Ctrl+F) still works.")

    def _on_indexing_finished(self, report: Any) -> None:
        self.library_pane.set_indexing(False)
        added = report.added + report.updated
        text = f"Library: {added} added, {report.unchanged} unchanged"
        if report.failed:
            first = report.failed[0]
            text += f", {len(report.failed)} could not be read ({Path(first.path).name}: {first.reason})"
        if report.cancelled:
            text += " (stopped)"
        self.statusBar().showMessage(text, 15000)

    def _on_answer_finished(self, result: AnswerResult) -> None:
        self.chat_pane.on_answer_finished(result)
        self._update_center()

    def _on_engine_failed(self, operation: str, message: str) -> None:
        log.warning("%s failed: %s", operation, message)
        if operation in ("Summarizing", "Extracting"):
            dialog = self._end_task()
            if dialog is not None:
                dialog.show_failure(message)
        if operation == "Asking":
            self.chat_pane.on_failed(message)
            return
        if operation == "Adding documents":
            self.library_pane.set_indexing(False)
        self._show_error(operation, message)

    def _show_error(self, operation: str, message: str) -> None:
        self.statusBar().showMessage(f"{operation} failed: {message}", 20000)
        box = QMessageBox(QMessageBox.Icon.Warning, f"{operation} failed", message, parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- window events ---------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.library_pane.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.library_pane.dropEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.bridge.shutdown()
        super().closeEvent(event)
