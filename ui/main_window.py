"""The main window: library and conversations on the left, chat in the middle, viewer on the right.

It owns no engine state: it turns what the user does into jobs on the ``EngineBridge`` it
is given (the operations are in ``ui.operations``) and hands what they return to the panes,
so a test can build a window over a bridge with fake models, and the app over the real one.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QSplitter, QStackedWidget

from assistant.answering.types import PassagePreview
from assistant.config import Settings
from assistant.documents.tables import ResultTable
from ui import operations as ops
from ui.chat_pane import ChatPane
from ui.conversations_pane import ConversationsPane
from ui.dates_view import DatesDialog
from ui.dialogs import SearchDialog, SettingsDialog, show_about
from ui.document_tasks import DocumentTasks
from ui.engine_bridge import EngineBridge, Job
from ui.jobs import Operation
from ui.library_pane import LibraryPane
from ui.results_view import ResultsDialog
from ui.viewer_pane import ViewerPane
from ui.welcome import WelcomePage

if TYPE_CHECKING:
    from assistant.index.indexer import IndexReport
    from assistant.index.registry import DocumentRecord
    from assistant.index.retrieve import SearchHit
    from assistant.session.conversations import Conversation
    from assistant.session.session import AskResult

log = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "resources" / "samples"
OFFLINE = "Offline: nothing leaves this computer"
REPORT_TOOLTIP_FILES = 50  # files named in the status bar's tooltip after an index run


class MainWindow(QMainWindow):
    """The app's one window; ``start`` (once it is shown) opens the library and loads the models."""

    def __init__(self, settings: Settings, bridge: EngineBridge) -> None:
        super().__init__()
        self.settings = settings
        self.bridge = bridge
        self.collection = ""
        self._search_dialog: SearchDialog | None = None
        self._asked = 0  # numbers the questions: only the last one asked may end the pending answer
        self._library_known = False
        self._has_documents = False
        self.setWindowTitle("Quire — private document assistant")
        self.setAcceptDrops(True)
        self.resize(1400, 860)

        self.library_pane = LibraryPane()
        self.conversations_pane = ConversationsPane()
        self.conversations = self.conversations_pane.list
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.library_pane)
        left.addWidget(self.conversations_pane)
        left.setSizes([520, 300])

        self.welcome = WelcomePage()
        self.chat_pane = ChatPane()
        self.center = QStackedWidget()
        self.center.addWidget(self.welcome)
        self.center.addWidget(self.chat_pane)
        self.viewer = ViewerPane()
        self.tasks = DocumentTasks(bridge, self)

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
        self.dates_action = self._action("Key &dates and deadlines…", self.dates_of_selection)
        self.dates_action.setStatusTip(
            "Every date, deadline and time limit in the selected documents (or all those listed)"
        )
        library_menu.addAction(self.dates_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About Quire", self.open_about))

    def _connect(self) -> None:
        bridge, chat, library = self.bridge, self.chat_pane, self.library_pane
        bridge.library_changed.connect(self._on_library_changed)
        bridge.library_failed.connect(partial(self._show_error, "Opening the library"))
        bridge.model_loaded.connect(self._on_model_loaded)
        bridge.model_failed.connect(self._on_model_failed)
        bridge.busy_changed.connect(self._on_busy_changed)
        bridge.token_received.connect(chat.on_token)
        chat.question_submitted.connect(self._ask)
        chat.stop_requested.connect(partial(bridge.cancel, ops.ANSWER))
        chat.source_requested.connect(self.viewer.show_source)
        chat.table_requested.connect(self.show_table)
        self.viewer.pages_needed.connect(self._load_pages)
        library.paths_added.connect(self.add_paths)
        library.reindex_requested.connect(self.reindex)
        library.forget_requested.connect(self._forget)
        library.document_opened.connect(self._open_document)
        library.collection_selected.connect(self._on_collection)
        library.stop_requested.connect(partial(bridge.cancel, ops.INDEX))
        library.summarize_requested.connect(self.summarize)
        library.extract_requested.connect(self.extract)
        library.dates_requested.connect(self.list_dates)
        library.compare_requested.connect(self.compare)
        self.conversations_pane.conversation_opened.connect(self._open_conversation)
        self.conversations_pane.new_requested.connect(self.new_conversation)
        self.tasks.source_requested.connect(self.viewer.show_source)
        self.tasks.failed.connect(self._show_error)
        self.welcome.add_requested.connect(library.choose_files)
        self.welcome.samples_requested.connect(self.add_samples)

    def start(self) -> None:
        """List the conversations, then open the library and load the models (once shown)."""
        self._refresh_conversations()
        self.bridge.warm_up()

    # -- actions ----------------------------------------------------------------------------
    def add_paths(self, paths: list[Path]) -> Job[IndexReport]:
        self.statusBar().showMessage(f"Adding {len(paths)} item(s) to the library…")
        return self._index(ops.index(paths, self.collection or None), "Adding documents")

    def reindex(self, paths: list[Path]) -> Job[IndexReport]:
        """Read documents again even when unchanged; each keeps its id and collections."""
        return self._index(ops.index(paths, None, force=True), "Re-indexing documents")

    def _index(self, operation: Operation[IndexReport], what: str) -> Job[IndexReport]:
        return self.bridge.run(
            operation,
            group=ops.INDEX,
            what=what,
            success=self._on_indexed,
            failure=partial(self._show_error, what),
            progress=self.library_pane.show_progress,
            changes_library=True,
        )

    def add_samples(self) -> None:
        self.add_paths([SAMPLES_DIR])

    def new_conversation(self) -> None:
        self._asked += 1  # the answer in flight, if any, is no longer for what is shown
        self.conversations.clearSelection()
        self.chat_pane.new_conversation()
        self._update_center()

    def open_search(self) -> SearchDialog:
        dialog = self._search_dialog
        if dialog is None:
            dialog = SearchDialog(self)
            dialog.search_requested.connect(self._search)
            dialog.source_requested.connect(self.viewer.show_source)
            self._search_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.query.setFocus()
        return dialog

    def _search(self, query: str) -> None:
        self.bridge.run(
            ops.search(query),
            group=ops.SEARCH,
            what="Searching",
            success=partial(self._on_search_results, query),
            failure=partial(self._show_error, "Searching"),
            exclusive=True,
        )

    def _on_search_results(self, query: str, hits: list[SearchHit]) -> None:
        if self._search_dialog is not None:
            self._search_dialog.show_results(query, hits)

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.settings, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.model_file_chosen.connect(partial(self._add_model, dialog))
        dialog.accepted.connect(partial(self._apply_settings, dialog))
        self.bridge.run(
            ops.models,
            group=ops.MODELS,
            what="Listing models",
            success=dialog.show_models,
            failure=partial(self._show_error, "Listing models"),
            owner=dialog,
        )
        dialog.open()
        return dialog

    def _add_model(self, dialog: SettingsDialog, path: str) -> None:
        self.bridge.run(
            ops.add_model(path),
            group=ops.MODELS,
            what="Adding a model",
            success=dialog.show_models,
            failure=partial(self._show_error, "Adding a model"),
            owner=dialog,
        )

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
            self.bridge.load_model(self.settings)

    # -- summaries, extractions and dates -------------------------------------------------------
    def summarize(self, doc_id: str, template: str) -> ResultsDialog | None:
        doc = self._document(doc_id)
        return self.tasks.summarize(doc_id, template, doc.title if doc else "a document")

    def extract(self, doc_ids: list[str], schema: str) -> ResultsDialog | None:
        return self.tasks.extract(doc_ids, schema)

    def compare(self, doc_ids: list[str], schema: str) -> ResultsDialog | None:
        names = [doc.title if (doc := self._document(i)) else "a document" for i in doc_ids]
        return self.tasks.compare(doc_ids, schema, " and ".join(names))

    def list_dates(self, doc_ids: list[str]) -> DatesDialog | None:
        """The key dates and deadlines of documents, in a dialog to sort, filter and export."""
        doc = self._document(doc_ids[0]) if len(doc_ids) == 1 else None
        count = len(doc_ids)
        label = doc.title if doc is not None else f"{count} document{'s' if count != 1 else ''}"
        return self.tasks.dates(doc_ids, label)

    def dates_of_selection(self) -> DatesDialog | None:
        """Library > Key dates: the selected documents, or every document listed (the collection)."""
        ids = [doc_id for doc_id, _path in self.library_pane.selected_documents()]
        ids = ids or [d.id for d in self.library_pane.documents if d.status == "indexed"]
        if not ids:
            self.statusBar().showMessage("Add documents first: there are none to read dates from.", 10000)
            return None
        return self.list_dates(ids)

    def show_table(self, table: ResultTable) -> ResultsDialog:
        """A finished table (from the chat) in its own dialog, to check page links and export it."""
        return self.tasks.show_table(table)

    def open_about(self) -> None:
        show_about(self, self.settings, self.bridge.model_name)

    # -- questions and conversations -------------------------------------------------------------
    def _ask(self, conversation_id: str, question: str) -> None:
        """Ask in the background; a question asked meanwhile replaces this one (its group is exclusive)."""
        self._asked += 1
        self.bridge.run(
            ops.ask(question, conversation_id, self.collection or None),
            group=ops.ANSWER,
            what="Answering a question",
            success=partial(self._on_answered, self._asked),
            failure=partial(self._on_answer_failed, self._asked),
            progress=self._on_answer_started,
            exclusive=True,
        )

    def _on_answer_started(self, update: ops.AnswerStarted | PassagePreview) -> None:
        if isinstance(update, PassagePreview):
            self.chat_pane.on_preview(update)
            return
        self.chat_pane.on_answer_started(update.conversation_id)
        self._on_conversations(update.conversations)

    def _on_answered(self, number: int, result: AskResult) -> None:
        self.chat_pane.on_answer_finished(result, latest=number == self._asked)
        self._update_center()
        self._refresh_conversations()  # the one answered in moves to the top

    def _on_answer_failed(self, number: int, message: str) -> None:
        if number == self._asked:
            self.chat_pane.on_failed(message)

    def _refresh_conversations(self) -> None:
        self.bridge.run(
            ops.conversations,
            group=ops.CONVERSATIONS,
            what="Listing conversations",
            success=self._on_conversations,
            failure=partial(self._show_error, "Listing conversations"),
        )

    def _open_conversation(self, conversation_id: str) -> None:
        self.bridge.run(
            ops.conversation(conversation_id),
            group=ops.CONVERSATIONS,
            what="Opening a conversation",
            success=partial(self.chat_pane.show_conversation, conversation_id),
            failure=partial(self._show_error, "Opening a conversation"),
        )
        self.center.setCurrentWidget(self.chat_pane)

    def _on_conversations(self, conversations: list[Conversation]) -> None:
        self.conversations_pane.show_conversations(conversations, self.chat_pane.conversation_id)

    # -- the library ------------------------------------------------------------------------------
    def _document(self, doc_id: str) -> DocumentRecord | None:
        return next((d for d in self.library_pane.documents if d.id == doc_id), None)

    def _forget(self, doc_id: str) -> None:
        doc = self._document(doc_id)
        name = doc.title if doc is not None else "this document"
        answer = QMessageBox.question(
            self, "Forget document", f"Remove {name} from the library? The file itself is not deleted."
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.bridge.run(
                ops.forget(doc_id),
                group=ops.LIBRARY,
                what="Removing a document",
                failure=partial(self._show_error, "Removing a document"),
                changes_library=True,
            )

    def _open_document(self, path: str) -> None:
        from ui.answer_html import SourceTarget

        doc = next((d for d in self.library_pane.documents if d.path == path), None)
        self.viewer.show_source(SourceTarget(path, doc.title if doc else Path(path).name, 1, ""))

    def _load_pages(self, path: str) -> None:
        self.bridge.run(
            ops.pages(path),
            group=ops.PAGES,
            what="Opening a document",
            success=partial(self.viewer.show_pages, path),
            failure=partial(self._show_error, "Opening a document"),
        )

    def _on_collection(self, name: str) -> None:
        self.collection = name
        self.bridge.filter_collection(name)

    # -- engine events ----------------------------------------------------------------------------
    def _on_busy_changed(self, group: str, busy: bool) -> None:
        if group == ops.ANSWER:
            self.chat_pane.set_answering(busy)
            self._update_center()
        elif group == ops.INDEX:
            self.library_pane.set_indexing(busy)

    def _on_library_changed(
        self, documents: list[DocumentRecord], collections: list[tuple[str, int]]
    ) -> None:
        self.library_pane.show_library(documents, collections)
        self.chat_pane.set_library_titles([d.title for d in documents])
        self._library_known = True
        self._has_documents = bool(documents) or bool(self.collection)
        self._update_center()

    def _update_center(self) -> None:
        show_chat = self._has_documents or bool(self.chat_pane.turns) or self.chat_pane.streaming
        self.center.setCurrentWidget(self.chat_pane if show_chat else self.welcome)

    def _on_model_loading(self) -> None:
        self.model_label.setText("Loading models…")
        self.chat_pane.set_model_state(False, "Loading the chat model…")

    def _on_model_loaded(self, name: str) -> None:
        self.model_label.setText(f"Model: {name}")
        self.chat_pane.set_model_state(True, self.bridge.model_notice)
        self.statusBar().showMessage("Ready", 5000)
        log.info("Ready: model %s", name)

    def _on_model_failed(self, message: str) -> None:
        self.model_label.setText("No chat model: search only")
        self.chat_pane.set_model_state(False, f"⚠ {message}  Search (Ctrl+F) still works.")

    def _on_indexed(self, report: IndexReport) -> None:
        added = report.added + report.updated
        text = f"Library: {added} added, {report.unchanged} unchanged"
        if report.failed:
            first = report.failed[0]
            text += f", {len(report.failed)} could not be read ({Path(first.path).name}: {first.reason})"
        if report.skipped_files:
            first = report.skipped_files[0]
            text += f", {report.skipped} skipped ({Path(first.path).name}: {first.reason})"
        if report.cancelled:
            text += " (stopped)"
        left_out = [*report.failed, *report.skipped_files]
        listing = "\n".join(f"{p.path}: {p.reason}" for p in left_out[:REPORT_TOOLTIP_FILES])
        if len(left_out) > REPORT_TOOLTIP_FILES:
            listing += (
                f"\n… and {len(left_out) - REPORT_TOOLTIP_FILES} more (quire index --json lists them all)"
            )
        self.statusBar().setToolTip(f"Not indexed:\n{listing}" if left_out else "")
        self.statusBar().showMessage(text, 15000)

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
