"""``Session``: the one engine API that the command line and the desktop app both call.

A session is the only place where the engine's parts are built: the library (registry,
vectors and the embedder), the chat model, the tools around the answerer, the
conversation store and the audit log. Front ends hold one session per thread that owns
it (the CLI's main thread, the app's worker thread), ask it to do things, and render what
it returns; none of them builds a part or writes a record itself. So a question asked in
`quire chat` and one asked in the app are answered, stored and audited the same way.

Nothing heavy happens in ``__init__``: the library opens on first use, the embedder and
chat model load in ``warm_up_library`` and ``load_model`` (Haystack's ``warm_up``), on the
thread that will use them. Reading the registry (listing, forgetting, summarising from
stored pages) never loads the embedder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.errors import QuireError
from assistant.index.library import Library
from assistant.index.retrieve import SearchHit, SearchMode
from assistant.jobs import CancelToken, Progress
from assistant.session.parts import Parts

if TYPE_CHECKING:
    from assistant.answering.types import Answer, PreviewCallback, TokenCallback
    from assistant.documents.compare import Comparison
    from assistant.documents.dates import DatesReport
    from assistant.documents.extract import Extraction, ExtractionSchema
    from assistant.documents.summarize import Summary
    from assistant.index.indexer import IndexReport
    from assistant.index.registry import DocumentRecord
    from assistant.ingest.types import Page
    from assistant.llm.chat import ChatModel
    from assistant.llm.registry import ModelInfo
    from assistant.session.audit import AuditLog
    from assistant.session.conversations import Conversation, ConversationStore, StoredTurn
    from assistant.tools.assist import Assistant

log = logging.getLogger(__name__)


class NoModelError(QuireError, RuntimeError):
    """A question or a document task was asked for while no chat model is loaded."""


@dataclass(frozen=True)
class AskResult:
    """An answer and the conversation it was stored in (empty when not remembered)."""

    conversation_id: str
    answer: Answer


class Session:
    """Builds and owns every engine part for one thread; every front end calls only this.

    Not thread-safe, like the parts it owns (SQLite connections and the llama.cpp context
    belong to the thread that opened them).
    """

    def __init__(self, settings: Settings, parts: Parts | None = None) -> None:
        self.settings = settings
        self.parts = parts or Parts()
        self._library: Library | None = None
        self._model: ChatModel | None = None
        self._assistant: Assistant | None = None
        self._conversations: ConversationStore | None = None
        self._audit: AuditLog | None = None
        self.model_notice = ""  # why the loaded model is not the configured one (short memory)

    # -- parts -----------------------------------------------------------------------------
    @property
    def library(self) -> Library:
        """The library, opened for reading; ``searchable_library`` adds the embedder."""
        if self._library is None:
            self._library = Library(self.settings)
        return self._library

    def searchable_library(self) -> Library:
        """The library with its embedder attached and checked (not loaded until first use)."""
        library = self.library
        if library.has_embedder:
            return library
        library.attach_embedder(self.parts.embedder(self.settings))
        return library

    def warm_up_library(self) -> Library:
        """Open the library and load the embedder now, so the first search is fast."""
        library = self.searchable_library()
        library.warm_up()
        return library

    @property
    def model(self) -> ChatModel | None:
        """The session's chat model, or None before ``load_model`` (or after it failed)."""
        return self._model

    def load_model(self, name: str | None = None) -> ChatModel:
        """Load the configured chat model (or ``name``), freeing the one loaded before.

        Raises ``ModelError`` naming the file or what to add when it cannot be used; the
        session keeps working for everything but questions and document tasks. Without
        ``name``, the default model gives way to the fast one where memory is short, and
        ``model_notice`` says so.
        """
        from assistant.llm.choice import choose_model

        self.unload_model()
        self.model_notice = ""
        if name is None:
            choice = choose_model(self.settings.llm.model, self.parts.available_memory())
            name, self.model_notice = (choice.name, choice.notice) if choice.notice else (None, "")
        model = self.parts.chat_model(self.settings, name)
        model.warm_up()
        self._model = model
        return model

    def unload_model(self) -> None:
        """Free the chat model's memory (the tools around it go too)."""
        model, self._model, self._assistant = self._model, None, None
        if model is not None:
            model.close()

    def require_model(self) -> ChatModel:
        if self._model is None:
            raise NoModelError(
                "No chat model is loaded, so questions cannot be answered. Search still works; "
                "choose a model in Settings or with `quire models use NAME`."
            )
        return self._model

    @property
    def conversations(self) -> ConversationStore:
        if self._conversations is None:
            from assistant.session.conversations import ConversationStore

            self._conversations = ConversationStore(self.settings.conversations_path)
        return self._conversations

    @property
    def audit(self) -> AuditLog:
        if self._audit is None:
            from assistant.session.audit import AuditLog

            self._audit = AuditLog(self.settings.audit_path)
        return self._audit

    def _assistant_for(self, model: ChatModel) -> Assistant:
        """The router and tools around the answerer, rebuilt only when the model changes."""
        from assistant.answering.pipeline import Answerer
        from assistant.tools.assist import Assistant

        if self._assistant is None or self._assistant.answerer.model is not model:
            self._assistant = Assistant(Answerer(self.searchable_library(), model, self.settings))
        return self._assistant

    # -- questions -------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        *,
        conversation_id: str | None = None,
        collection: str | None = None,
        remember: bool = True,
        cancel: CancelToken | None = None,
        on_token: TokenCallback | None = None,
        on_started: Callable[[str], None] | None = None,
        on_preview: PreviewCallback | None = None,
    ) -> AskResult:
        """Answer ``question``, audit the answer and store the turn in its conversation.

        With ``conversation_id`` the earlier turns of that conversation are the history a
        follow-up is read against; without it (and with ``remember``) a new conversation is
        started, named after the question. ``on_started`` receives the conversation id once
        the question is accepted, before the answer is generated; ``on_preview`` the best
        passage sentence, before the model's first word. ``remember=False`` keeps no turn
        (the answer is still audited).
        """
        from assistant.answering.types import Turn
        from assistant.llm.errors import ModelError

        assistant = self._assistant_for(self.require_model())
        checked = assistant.answerer.check_question(question)  # refused before anything is stored
        history: list[Turn] = []
        if conversation_id:
            history = [Turn(t.question, t.answer) for t in self.conversations.turns(conversation_id)]
        elif remember:
            conversation_id = self.conversations.create(checked, collection).id
        conversation_id = conversation_id or ""
        if on_started is not None:
            on_started(conversation_id)
        try:
            answer = assistant.ask(
                checked,
                collection=collection,
                history=history,
                cancel=cancel,
                on_token=on_token,
                on_preview=on_preview,
            )
        except ModelError as exc:  # the model's process died: the question is on record, unanswered
            self.audit.record_failure(checked, assistant.answerer.model.name, str(exc))
            raise
        if remember and conversation_id:
            self.conversations.add_turn(
                conversation_id, answer.question, answer.answer, answer.found, answer.to_json()
            )
        self.audit.record(answer)
        return AskResult(conversation_id, answer)

    def list_conversations(self) -> list[Conversation]:
        return self.conversations.conversations()

    def turns(self, conversation_id: str) -> list[StoredTurn]:
        return self.conversations.turns(conversation_id)

    # -- the library -----------------------------------------------------------------------
    def index(
        self,
        paths: Sequence[Path],
        collection: str | None = None,
        *,
        force: bool = False,
        progress: Progress | None = None,
        ocr_progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> IndexReport:
        """Add or update files and folders; bad files are reported, the rest go on."""
        from assistant.index.indexer import Indexer

        indexer = Indexer(
            self.searchable_library(),
            progress=progress,
            ocr_progress=ocr_progress,
            cancel=cancel,
            force=force,
        )
        return indexer.run(list(paths), collection)

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        collection: str | None = None,
        mode: SearchMode = SearchMode.FUSED,
    ) -> list[SearchHit]:
        if not query.strip():
            return []
        return self.searchable_library().search(query, k=k, collection=collection, mode=mode)

    def documents(self, collection: str | None = None) -> list[DocumentRecord]:
        return self.library.documents(collection)

    def collections(self) -> list[tuple[str, int]]:
        return self.library.registry.collections()

    def document_collections(self, doc_id: str) -> list[str]:
        return self.library.registry.document_collections(doc_id)

    def pages(self, doc_id: str) -> list[Page]:
        return self.library.registry.pages(doc_id)

    def find_document(self, reference: str) -> DocumentRecord | None:
        return self.library.find_document(reference)

    def resolve_targets(self, targets: Sequence[str]) -> tuple[list[DocumentRecord], list[str]]:
        """Documents named directly or through their collection, in order, each once; and what was not found."""
        from assistant.index.registry import Status

        collections = {name for name, _count in self.collections()}
        docs: dict[str, DocumentRecord] = {}
        problems: list[str] = []
        for target in targets:
            found = self.library.documents(target) if target in collections else []
            if not found:
                doc = self.find_document(target)
                found = [doc] if doc is not None else []
            if not found:
                problems.append(f"not in the library and not a collection: {target}")
            for doc in found:
                if doc.status != Status.INDEXED:
                    problems.append(f"{doc.title} is not indexed (status: {doc.status}): {doc.path}")
                docs.setdefault(doc.id, doc)
        return list(docs.values()), problems

    def forget(self, doc: DocumentRecord) -> None:
        """Remove a document from the library (never from disk)."""
        self.library.forget(doc)

    def reembed(self, progress: Progress, cancel: CancelToken) -> int:
        from assistant.index.reembed import reembed

        library = self.library
        if not library.has_embedder:  # re-embedding replaces the recorded embedder: no check
            library.attach_embedder(self.parts.embedder(self.settings), check=False)
        return reembed(library, progress, cancel)

    # -- whole-document work ---------------------------------------------------------------
    def summarize(
        self,
        doc: DocumentRecord,
        template: str = "general",
        *,
        length: str = "page",
        model_name: str | None = None,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> Summary:
        """A cached or new summary; the chat model is loaded only when a sentence needs writing."""
        from assistant.documents.summarize import summarize_document

        return summarize_document(
            self.library,
            self._task_model(model_name),
            doc,
            template=template,
            length=length,
            progress=progress,
            cancel=cancel,
        )

    def extract(
        self,
        docs: Sequence[DocumentRecord],
        schema: ExtractionSchema | str,
        *,
        model_name: str | None = None,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> Extraction:
        from assistant.documents.extract import extract_facts

        return extract_facts(
            self.searchable_library(),
            self._task_model(model_name),
            docs,
            schema,
            progress=progress,
            cancel=cancel,
        )

    def compare(
        self,
        a: DocumentRecord,
        b: DocumentRecord,
        schema: ExtractionSchema | str = "contract",
        *,
        model_name: str | None = None,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> Comparison:
        """Two documents' provisions side by side, cited, and a clause redline for two versions."""
        from assistant.documents.compare import compare_documents

        return compare_documents(
            self.searchable_library(),
            self._task_model(model_name),
            a,
            b,
            schema,
            progress=progress,
            cancel=cancel,
        )

    def dates(
        self,
        targets: Sequence[DocumentRecord | str],
        *,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
    ) -> DatesReport:
        """Every dated event, deadline and period in documents (records, or names, paths, ids, collections).

        Reads stored pages only: no model and no embedder are loaded. A name that matches
        nothing is a note in the report, and the other targets are still read.
        """
        from assistant.documents.dates import find_dates

        docs: dict[str, DocumentRecord] = {}
        missing: list[str] = []
        for target in targets:
            found = [target] if not isinstance(target, str) else self.resolve_targets([target])[0]
            if not found:
                missing.append(str(target))
            for doc in found:
                docs.setdefault(doc.id, doc)
        return find_dates(
            self.library, list(docs.values()), missing=missing, progress=progress, cancel=cancel
        )

    def _task_model(self, name: str | None) -> ChatModel:
        """The session's model, or (none yet, or another name) a new one that loads on first use.

        A new one replaces the old and stays the session's, so it is closed with the
        session; a cached summary never loads it at all.
        """
        if self._model is None or (name is not None and name != self._model.name):
            self.unload_model()
            self._model = self.parts.chat_model(self.settings, name)
        return self._model

    # -- models ----------------------------------------------------------------------------
    def models(self) -> list[ModelInfo]:
        from assistant.llm.registry import list_models

        return list_models(self.settings.models_dir, self.settings.llm.model)

    def add_model(self, path: Path) -> ModelInfo:
        """Register a user's GGUF file once it has decoded a token here (``ModelCannotRunError`` if not)."""
        from assistant.llm.gguf import validate_chat_model
        from assistant.llm.probe import check_model_runs
        from assistant.llm.registry import add_model

        validate_chat_model(path)  # a file that is not a chat model is refused before anything loads
        check_model_runs(path, self.settings.llm)
        return add_model(path, self.settings.models_dir)

    def close(self) -> None:
        """Close the stores and free the model; errors are logged, the rest still close."""
        self.unload_model()
        for closeable in (self._library, self._conversations):
            if closeable is None:
                continue
            try:
                closeable.close()
            except Exception:
                log.exception("Error while closing %r", closeable)
        self._library = self._conversations = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
