"""The engine's home on the worker thread: builds and owns every engine object.

``Engine`` is moved to the one worker ``QThread`` that ``EngineBridge`` owns; all its
slots run there. Engine modules are imported inside its methods, so importing this module
costs only PySide6 and the settings, and the heavy imports (chromadb, onnxruntime,
llama_cpp) happen on the worker after the window is shown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from assistant.config import Settings
from assistant.jobs import CancelToken, Progress
from assistant.result_table import ResultTable

if TYPE_CHECKING:
    from assistant.history import ConversationStore
    from assistant.index.library import Library
    from assistant.llm.chat import ChatModel
    from assistant.tools.assist import Assistant

log = logging.getLogger(__name__)

LibraryFactory = Callable[[Settings], "Library"]
ChatModelFactory = Callable[[Settings], "ChatModel"]


def _default_library(settings: Settings) -> Library:
    from assistant.engine import open_library

    return open_library(settings)


def _default_chat_model(settings: Settings) -> ChatModel:
    from assistant.engine import build_chat_model

    return build_chat_model(settings)


@dataclass
class EngineFactories:
    """How the worker builds the engine's parts; tests inject fakes here."""

    library: LibraryFactory = _default_library
    chat_model: ChatModelFactory = _default_chat_model


@dataclass(frozen=True)
class IndexingUpdate:
    """A snapshot of indexing progress, safe to hand to the GUI thread."""

    stage: str
    done: int
    total: int
    detail: str
    eta_seconds: float | None

    @classmethod
    def of(cls, progress: Progress) -> IndexingUpdate:
        return cls(progress.stage, progress.done, progress.total, progress.detail, progress.eta_seconds)


@dataclass(frozen=True)
class AnswerResult:
    """One finished (or stopped) answer and the conversation it belongs to."""

    conversation_id: str
    question: str
    details: dict[str, Any]  # Answer.to_json(): what is stored and re-rendered after restart


@dataclass(frozen=True)
class ConversationTurns:
    conversation_id: str
    turns: list[dict[str, Any]] = field(default_factory=list)  # question, answer, found, details


@dataclass(frozen=True)
class TaskResult:
    """A finished summary or extraction as a table; ``table`` is None when the user stopped it."""

    operation: str
    table: ResultTable | None


def _humanize(exc: BaseException) -> str:
    """One readable line for the user; the traceback goes to the log file."""
    path = getattr(exc, "path", None)
    reason = getattr(exc, "reason", None)
    if path is not None and reason:
        return f"{Path(path).name}: {reason} ({path})"
    return str(exc) or type(exc).__name__


class Engine(QObject):
    """Lives on the worker thread; every slot runs there. See ``EngineBridge`` for signals."""

    library_opened = Signal(object)  # list[DocumentRecord], list[(collection, count)]
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

    def __init__(self, settings: Settings, factories: EngineFactories) -> None:
        super().__init__()
        self.settings = settings
        self.factories = factories
        self.library: Library | None = None
        self.model: ChatModel | None = None
        self._assistant: Assistant | None = None
        self.store: ConversationStore | None = None
        self._last_refresh = 0.0
        self.collection_filter: str | None = None

    # -- start-up ----------------------------------------------------------------
    @Slot()
    def warm_up(self) -> None:
        """Conversations first (fast), then the library, the embedder and the chat model."""
        started = time.perf_counter()
        try:
            self._open_store()
            self._emit_conversations()
            self._open_library()
            self._emit_library()
            assert self.library is not None
            self.library.warm_up()
            log.info("Library ready in %.1f s", time.perf_counter() - started)
        except Exception as exc:
            log.exception("Could not open the library in %s", self.settings.library_dir)
            self.engine_failed.emit("Opening the library", _humanize(exc))
            return
        self._load_model()
        log.info("Engine warm-up finished in %.1f s", time.perf_counter() - started)

    def _open_store(self) -> None:
        if self.store is None:
            from assistant.history import ConversationStore

            self.store = ConversationStore(self.settings.home / "conversations.sqlite3")

    def _open_library(self) -> None:
        if self.library is None:
            self.library = self.factories.library(self.settings)

    def _load_model(self) -> None:
        from assistant.llm.errors import ModelError

        self.model = None
        try:
            model = self.factories.chat_model(self.settings)
            model.warm_up()
        except ModelError as exc:
            log.exception("Chat model unavailable")
            self.model_failed.emit(_humanize(exc))
            return
        except Exception as exc:
            log.exception("Chat model failed to load")
            self.model_failed.emit(f"The chat model could not be loaded: {_humanize(exc)}")
            return
        self.model = model
        self.models_ready.emit(model.name)

    @Slot(object)
    def reload_model(self, settings: Settings) -> None:
        self.settings.llm = settings.llm
        self.settings.answer = settings.answer
        self.model = None
        self._assistant = None  # it holds the old model: let it go before the new one loads
        self._load_model()

    # -- library ---------------------------------------------------------------------
    def _emit_library(self) -> None:
        if self.library is not None:
            self.library_changed.emit(
                self.library.documents(self.collection_filter), self.library.registry.collections()
            )

    def _emit_conversations(self) -> None:
        if self.store is not None:
            self.conversations_listed.emit(self.store.conversations())

    @Slot(object, object, object)
    def index(self, paths: list[Path], collection: str | None, cancel: CancelToken) -> None:
        self._index(paths, collection, cancel, force=False)

    @Slot(object, object)
    def reindex(self, paths: list[Path], cancel: CancelToken) -> None:
        """Read documents again even when unchanged; each keeps its id and collections."""
        self._index(paths, None, cancel, force=True)

    def _index(self, paths: list[Path], collection: str | None, cancel: CancelToken, *, force: bool) -> None:
        from assistant.index.indexer import Indexer

        try:
            self._open_library()
            assert self.library is not None
            self.indexing_started.emit(len(paths))
            progress = Progress(stage="files", listeners=[self._forward_progress])
            ocr = Progress(stage="ocr", listeners=[self._forward_progress])
            indexer = Indexer(self.library, progress=progress, ocr_progress=ocr, cancel=cancel, force=force)
            report = indexer.run(paths, collection)
        except Exception as exc:
            log.exception("Indexing %s failed", [str(p) for p in paths])
            self.engine_failed.emit("Adding documents", _humanize(exc))
            self._emit_library()
            return
        for problem in report.failed:
            log.warning("Could not index %s: %s", problem.path, problem.reason)
        self._emit_library()
        self.indexing_finished.emit(report)

    def _forward_progress(self, progress: Progress) -> None:
        self.indexing_progressed.emit(IndexingUpdate.of(progress))
        self._emit_library_if_due()

    def _emit_library_if_due(self) -> None:
        """Status changes (indexing -> indexed) show while a long run goes on, twice a second."""
        now = time.monotonic()
        if now - self._last_refresh > 0.5:
            self._last_refresh = now
            self._emit_library()

    @Slot(str)
    def filter_collection(self, name: str) -> None:
        self.collection_filter = name or None
        self._emit_library()

    @Slot(str)
    def forget(self, doc_id: str) -> None:
        try:
            self._open_library()
            assert self.library is not None
            doc = self.library.find_document(doc_id)
            if doc is not None:
                self.library.forget(doc)
        except Exception as exc:
            log.exception("Could not forget %s", doc_id)
            self.engine_failed.emit("Removing a document", _humanize(exc))
        self._emit_library()

    @Slot(str, int)
    def search(self, query: str, k: int) -> None:
        try:
            self._open_library()
            assert self.library is not None
            hits = self.library.search(query, k=k)
        except Exception as exc:
            log.exception("Search for %r failed", query)
            self.engine_failed.emit("Searching", _humanize(exc))
            return
        self.search_finished.emit(query, hits)

    @Slot(str)
    def load_pages(self, path: str) -> None:
        try:
            self._open_library()
            assert self.library is not None
            doc = self.library.find_document(path)
            pages = self.library.registry.pages(doc.id) if doc is not None else []
        except Exception as exc:
            log.exception("Could not read the pages of %s", path)
            self.engine_failed.emit("Opening a document", _humanize(exc))
            return
        self.pages_loaded.emit(path, pages)

    @Slot()
    def list_models(self) -> None:
        from assistant.llm.registry import list_models

        try:
            rows = list_models(self.settings.models_dir, self.settings.llm.model)
        except Exception as exc:
            log.exception("Could not list models")
            self.engine_failed.emit("Listing models", _humanize(exc))
            return
        self.models_listed.emit(rows)

    @Slot(str)
    def add_model(self, path: str) -> None:
        from assistant.llm.registry import add_model

        try:
            add_model(Path(path), self.settings.models_dir)
        except Exception as exc:
            log.exception("Could not add model %s", path)
            self.engine_failed.emit("Adding a model", _humanize(exc))
            return
        self.list_models()

    # -- conversations ----------------------------------------------------------------------
    @Slot(str)
    def load_conversation(self, conversation_id: str) -> None:
        try:
            self._open_store()
            assert self.store is not None
            turns = [
                {"question": t.question, "answer": t.answer, "found": t.found, "details": t.details}
                for t in self.store.turns(conversation_id)
            ]
        except Exception as exc:
            log.exception("Could not load conversation %s", conversation_id)
            self.engine_failed.emit("Opening a conversation", _humanize(exc))
            return
        self.conversation_loaded.emit(ConversationTurns(conversation_id, turns))

    @Slot(str, str, object, object)
    def ask(self, conversation_id: str, question: str, collection: str | None, cancel: CancelToken) -> None:
        from assistant.answer import QuestionError, Turn
        from assistant.audit import AuditLog

        try:
            self._open_store()
            self._open_library()
            assert self.store is not None and self.library is not None
            if self.model is None:
                raise QuestionError(
                    "No chat model is loaded, so questions cannot be answered. Search (Ctrl+F) still "
                    "works; choose a model in Settings."
                )
            if not conversation_id:
                conversation_id = self.store.create(question, collection).id
                self._emit_conversations()
            stored = self.store.turns(conversation_id)
            history = [Turn(t.question, t.answer) for t in stored]
            self.answer_started.emit(conversation_id, question)
            answer = self._assistant_for(self.library, self.model).ask(
                question,
                collection=collection,
                history=history,
                cancel=cancel,
                on_token=self.token_received.emit,
            )
            details = answer.to_json()
            self.store.add_turn(conversation_id, answer.question, answer.answer, answer.found, details)
            AuditLog(self.settings.library_dir / "audit.jsonl").record(answer)
        except QuestionError as exc:
            self.engine_failed.emit("Asking", str(exc))
            return
        except Exception as exc:
            log.exception("Answering %r failed", question)
            self.engine_failed.emit("Asking", _humanize(exc))
            return
        self.answer_finished.emit(AnswerResult(conversation_id, answer.question, details))
        self._emit_conversations()

    def _assistant_for(self, library: Library, model: ChatModel) -> Assistant:
        """The router and tools around the Answerer, rebuilt only when the model changes."""
        from assistant.answer import Answerer
        from assistant.tools.assist import Assistant

        if self._assistant is None or self._assistant.answerer.model is not model:
            self._assistant = Assistant(Answerer(library, model, self.settings))
        return self._assistant

    # -- whole-document work ------------------------------------------------------------------
    @Slot(str, str, object)
    def summarize(self, doc_id: str, template: str, cancel: CancelToken) -> None:
        from assistant.summarize import summarize_document

        def run(library: Library, model: ChatModel, progress: Progress) -> ResultTable:
            doc = library.find_document(doc_id)
            if doc is None:
                raise LookupError(f"{doc_id} is no longer in the library")
            return summarize_document(
                library, model, doc, template=template, progress=progress, cancel=cancel
            ).table()

        self._document_task("Summarizing", run, cancel)

    @Slot(object, str, object)
    def extract(self, doc_ids: list[str], schema_name: str, cancel: CancelToken) -> None:
        from assistant.extract import extract_facts, load_schema

        def run(library: Library, model: ChatModel, progress: Progress) -> ResultTable:
            docs = [d for d in (library.find_document(i) for i in doc_ids) if d is not None]
            schema = load_schema(schema_name)
            return extract_facts(library, model, docs, schema, progress=progress, cancel=cancel).table()

        self._document_task("Extracting", run, cancel)

    def _document_task(
        self,
        operation: str,
        run: Callable[[Library, ChatModel, Progress], ResultTable],
        cancel: CancelToken,
    ) -> None:
        """Run a summary or an extraction with progress; the table (or None if stopped) comes back."""
        from assistant.jobs import Cancelled

        try:
            self._open_library()
            assert self.library is not None
            if self.model is None:
                raise RuntimeError("No chat model is loaded; choose one in Settings.")
            progress = Progress(stage=operation.lower(), listeners=[self._forward_task_progress])
            table = run(self.library, self.model, progress)
        except Cancelled:
            log.info("%s stopped by the user", operation)
            self.task_finished.emit(TaskResult(operation, None))
            return
        except Exception as exc:
            log.exception("%s failed", operation)
            self.engine_failed.emit(operation, _humanize(exc))
            return
        self.task_finished.emit(TaskResult(operation, table))

    def _forward_task_progress(self, progress: Progress) -> None:
        self.task_progressed.emit(IndexingUpdate.of(progress))

    @Slot()
    def close(self) -> None:
        for closeable in (self.library, self.store):
            if closeable is not None:
                try:
                    closeable.close()
                except Exception:
                    log.exception("Error while closing %r", closeable)
        self.library = None
        self.store = None
