"""The one way the GUI talks to the engine: a worker thread that owns all engine state.

``EngineBridge`` lives on the GUI thread. It owns one ``QThread`` on which a private
``Engine`` object lives (``ui.engine_worker``); the engine creates the Library (chromadb, SQLite, the
embedder), the chat model (llama.cpp) and the conversation store lazily, in
``warm_up``, so every heavy import happens on the worker and nothing is ever touched
from two threads. Requests go in through queued signals; results, progress, tokens and
errors come back as signals named for what happened. A new question cancels the answer
in flight; long work checks a ``CancelToken`` that the GUI may set at any time.

Engine modules are imported inside the worker's methods, never at module level, so that
importing this module (before the window is shown) costs only PySide6 and the settings.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from assistant.config import Settings
from assistant.jobs import CancelToken
from ui.engine_worker import (
    AnswerResult,
    ConversationTurns,
    Engine,
    EngineFactories,
    IndexingUpdate,
    TaskResult,
)

__all__ = [
    "AnswerResult",
    "ConversationTurns",
    "EngineBridge",
    "EngineFactories",
    "IndexingUpdate",
    "TaskResult",
]

log = logging.getLogger(__name__)


class EngineBridge(QObject):
    """The GUI's handle on the engine, which runs on one worker thread it owns.

    Methods are called on the GUI thread and return at once; the work is queued on the
    worker, in order. ``stop_answer`` and ``stop_indexing`` act immediately (they set a
    thread-safe ``CancelToken``).

    Signals:
        library_changed(documents, collections): the library's documents or collections changed.
        conversations_listed(conversations): the stored conversations, newest first.
        conversation_loaded(ConversationTurns): the turns of a conversation asked for.
        models_ready(name): the chat model is loaded; questions can be asked.
        model_failed(message): no chat model (search keeps working); the message says why.
        indexing_started(count): an index run over ``count`` paths began.
        indexing_progressed(IndexingUpdate): files or OCR pages were processed.
        indexing_finished(IndexReport): an index run ended (``report.cancelled`` if stopped).
        answer_started(conversation_id, question): retrieval began for a question.
        token_received(text): a piece of the answer being generated.
        answer_finished(AnswerResult): the answer is complete, stored and audited.
        search_finished(query, hits): passages found for a search.
        pages_loaded(path, pages): the indexed text of every page of a document.
        models_listed(rows): the chat models Quire knows (``ModelInfo``).
        task_progressed(IndexingUpdate): a summary or extraction read more pages or cells.
        task_finished(TaskResult): a summary or extraction ended (``table`` None if stopped).
        engine_failed(operation, message): an operation failed; ``message`` is for the user.
    """

    library_changed = Signal(object, object)
    conversations_listed = Signal(object)
    conversation_loaded = Signal(object)
    models_ready = Signal(str)
    model_failed = Signal(str)
    indexing_started = Signal(int)
    indexing_progressed = Signal(object)
    indexing_finished = Signal(object)
    token_received = Signal(str)
    answer_started = Signal(str, str)
    answer_finished = Signal(object)
    search_finished = Signal(str, object)
    pages_loaded = Signal(str, object)
    models_listed = Signal(object)
    task_progressed = Signal(object)
    task_finished = Signal(object)
    engine_failed = Signal(str, str)

    # Requests, connected to the engine's slots (queued: they run on the worker).
    _warm_up_requested = Signal()
    _index_requested = Signal(object, object, object)
    _forget_requested = Signal(str)
    _reindex_requested = Signal(object, object)
    _filter_requested = Signal(str)
    _search_requested = Signal(str, int)
    _pages_requested = Signal(str)
    _ask_requested = Signal(str, str, object, object)
    _conversation_requested = Signal(str)
    _models_requested = Signal()
    _add_model_requested = Signal(str)
    _reload_model_requested = Signal(object)
    _summarize_requested = Signal(str, str, object)
    _extract_requested = Signal(object, str, object)
    _close_requested = Signal()

    def __init__(
        self, settings: Settings, factories: EngineFactories | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.model_name = ""
        self.model_ready = False
        self.answering = False
        self.indexing = False
        self.working = False  # a summary or an extraction is running
        self._answer_cancel = CancelToken()
        self._index_cancel = CancelToken()
        self._task_cancel = CancelToken()
        self._thread = QThread()
        self._thread.setObjectName("quire-engine")
        self._engine = Engine(copy.deepcopy(settings), factories or EngineFactories())
        self._engine.moveToThread(self._thread)
        self._thread.finished.connect(self._engine.deleteLater)
        engine = self._engine
        for name in [
            "library_changed",
            "conversations_listed",
            "conversation_loaded",
            "indexing_started",
            "indexing_progressed",
            "token_received",
            "answer_started",
            "search_finished",
            "pages_loaded",
            "models_listed",
            "task_progressed",
        ]:
            getattr(engine, name).connect(getattr(self, name))
        engine.indexing_finished.connect(self._on_indexing_finished)
        engine.answer_finished.connect(self._on_answer_finished)
        engine.task_finished.connect(self._on_task_finished)
        engine.engine_failed.connect(self._on_engine_failed)
        # Re-emitted by the handlers after the bridge's state is set: a slot that reads
        # ``model_ready`` on the signal must see it already true.
        engine.models_ready.connect(self._on_models_ready)
        engine.model_failed.connect(self._on_model_failed)
        self._warm_up_requested.connect(engine.warm_up)
        self._index_requested.connect(engine.index)
        self._forget_requested.connect(engine.forget)
        self._reindex_requested.connect(engine.reindex)
        self._filter_requested.connect(engine.filter_collection)
        self._search_requested.connect(engine.search)
        self._pages_requested.connect(engine.load_pages)
        self._ask_requested.connect(engine.ask)
        self._conversation_requested.connect(engine.load_conversation)
        self._models_requested.connect(engine.list_models)
        self._add_model_requested.connect(engine.add_model)
        self._reload_model_requested.connect(engine.reload_model)
        self._summarize_requested.connect(engine.summarize)
        self._extract_requested.connect(engine.extract)
        self._close_requested.connect(engine.close)
        self._thread.start()

    # -- requests (GUI thread) ---------------------------------------------------------
    def warm_up(self) -> None:
        self._warm_up_requested.emit()

    def add_paths(self, paths: list[Path], collection: str | None = None) -> None:
        self.indexing = True
        self._index_cancel = CancelToken()
        self._index_requested.emit(list(paths), collection, self._index_cancel)

    def reindex(self, paths: list[Path]) -> None:
        self.indexing = True
        self._index_cancel = CancelToken()
        self._reindex_requested.emit(list(paths), self._index_cancel)

    def filter_collection(self, name: str) -> None:
        """Show only the documents of collection ``name`` ('' = all)."""
        self._filter_requested.emit(name)

    def forget(self, doc_id: str) -> None:
        self._forget_requested.emit(doc_id)

    def search(self, query: str, k: int = 10) -> None:
        self._search_requested.emit(query, k)

    def load_pages(self, path: str) -> None:
        self._pages_requested.emit(path)

    def load_conversation(self, conversation_id: str) -> None:
        self._conversation_requested.emit(conversation_id)

    def list_models(self) -> None:
        self._models_requested.emit()

    def add_model(self, path: str) -> None:
        self._add_model_requested.emit(path)

    def reload_model(self, settings: Settings) -> None:
        self.model_ready = False
        self._reload_model_requested.emit(copy.deepcopy(settings))

    def ask(self, conversation_id: str, question: str, collection: str | None = None) -> None:
        """Ask in ``conversation_id`` ('' starts a new one); cancels the answer in flight."""
        self.stop_answer()
        self._answer_cancel = CancelToken()
        self.answering = True
        self._ask_requested.emit(conversation_id, question, collection, self._answer_cancel)

    def summarize(self, doc_id: str, template: str = "general") -> None:
        """Summarise a document with a template (general, contract, medical)."""
        self._task_cancel = CancelToken()
        self.working = True
        self._summarize_requested.emit(doc_id, template, self._task_cancel)

    def extract(self, doc_ids: list[str], schema: str) -> None:
        """Extract a schema's fields (a built-in name or a JSON file) from documents."""
        self._task_cancel = CancelToken()
        self.working = True
        self._extract_requested.emit(list(doc_ids), schema, self._task_cancel)

    def stop_task(self) -> None:
        self._task_cancel.cancel()

    def stop_answer(self) -> None:
        self._answer_cancel.cancel()

    def stop_indexing(self) -> None:
        """Stops the current index run at the next file (queued runs are stopped too)."""
        self._index_cancel.cancel()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop work in flight, close the stores on the worker, and end the thread."""
        if not self._thread.isRunning():
            return
        self.stop_answer()
        self.stop_indexing()
        self.stop_task()
        self._close_requested.emit()
        self._thread.quit()
        if not self._thread.wait(timeout_ms):
            log.error("The engine thread did not stop within %d ms", timeout_ms)

    # -- bookkeeping on the GUI thread ---------------------------------------------------
    def _on_indexing_finished(self, report: object) -> None:
        self.indexing = False
        self.indexing_finished.emit(report)

    def _on_answer_finished(self, result: AnswerResult) -> None:
        self.answering = False
        self.answer_finished.emit(result)

    def _on_task_finished(self, result: TaskResult) -> None:
        self.working = False
        self.task_finished.emit(result)

    def _on_engine_failed(self, operation: str, message: str) -> None:
        if operation in ("Summarizing", "Extracting"):
            self.working = False
        if operation == "Asking":
            self.answering = False
        if operation == "Adding documents":
            self.indexing = False
        self.engine_failed.emit(operation, message)

    def _on_models_ready(self, name: str) -> None:
        self.model_name = name
        self.model_ready = True
        self.models_ready.emit(name)

    def _on_model_failed(self, message: str) -> None:
        self.model_name = ""
        self.model_ready = False
        self.model_failed.emit(message)
