"""The operations the window runs on the engine, and the job groups they run in.

Each function here returns an ``Operation``: a closure over plain values (ids, paths,
strings) that ``EngineBridge.run`` executes on the worker thread with the worker's
``Session``. Keeping them out of the widgets means no widget can reach an engine
object, and the "what does this button do to the engine" code reads in one place.
Results are the engine's typed values (``AskResult``, ``Answer``, ``IndexReport``,
``ResultTable``...), handed over to the GUI thread and not touched by the worker again.

Engine modules are imported inside the operations, on the worker.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.errors import QuireError
from ui.jobs import JobContext, Operation

if TYPE_CHECKING:
    from assistant.answering.types import Answer
    from assistant.documents.dates import DatesReport
    from assistant.documents.tables import ResultTable
    from assistant.index.indexer import IndexReport
    from assistant.index.registry import DocumentRecord
    from assistant.index.retrieve import SearchHit
    from assistant.ingest.types import Page
    from assistant.llm.registry import ModelInfo
    from assistant.session.conversations import Conversation
    from assistant.session.session import AskResult, Session

# Job groups: the bridge says which are busy, and a new job of an exclusive group stops the last.
ANSWER = "answer"  # exclusive: a new question replaces the one being answered
INDEX = "index"
TASK = "task"  # a summary, an extraction or a list of dates, one at a time
SEARCH = "search"
PAGES = "pages"
CONVERSATIONS = "conversations"
LIBRARY = "library"
MODELS = "models"  # the model list in Settings
MODEL = "model"  # loading the chat model
WARM_UP = "warm-up"


@dataclass(frozen=True)
class AnswerStarted:
    """A question was accepted into ``conversation_id``; ``conversations`` lists it already."""

    conversation_id: str
    conversations: list[Conversation]


def ask(question: str, conversation_id: str, collection: str | None) -> Operation[AskResult]:
    """Answer in ``conversation_id`` ('' starts one); reports ``AnswerStarted``, then the
    ``PassagePreview`` to show before the first word, and streams tokens."""

    def run(session: Session, job: JobContext) -> AskResult:
        def started(accepted_in: str) -> None:
            job.report(AnswerStarted(accepted_in, session.list_conversations()))

        return session.ask(
            question,
            conversation_id=conversation_id or None,
            collection=collection,
            cancel=job.cancel,
            on_token=job.on_token,
            on_started=started,
            on_preview=job.report,
        )

    return run


def conversations(session: Session, job: JobContext) -> list[Conversation]:
    return session.list_conversations()


def conversation(conversation_id: str) -> Operation[list[Answer]]:
    """The answers of a stored conversation, rebuilt as typed ``Answer``s."""

    def run(session: Session, job: JobContext) -> list[Answer]:
        from assistant.answering.types import Answer

        return [
            Answer.from_json(turn.question, dict(turn.details)) for turn in session.turns(conversation_id)
        ]

    return run


def index(paths: Sequence[Path], collection: str | None, *, force: bool = False) -> Operation[IndexReport]:
    """Add (or with ``force`` read again) files and folders, reporting files and OCR pages."""
    chosen = list(paths)

    def run(session: Session, job: JobContext) -> IndexReport:
        return session.index(
            chosen,
            collection,
            force=force,
            progress=job.progress("files"),
            ocr_progress=job.progress("ocr"),
            cancel=job.cancel,
        )

    return run


def forget(doc_id: str) -> Operation[None]:
    def run(session: Session, job: JobContext) -> None:
        doc = session.find_document(doc_id)
        if doc is not None:
            session.forget(doc)

    return run


def search(query: str, k: int = 10) -> Operation[list[SearchHit]]:
    def run(session: Session, job: JobContext) -> list[SearchHit]:
        return session.search(query, k=k)

    return run


def pages(path: str) -> Operation[list[Page]]:
    """The indexed text of every page of the document at ``path`` (none if it was forgotten)."""

    def run(session: Session, job: JobContext) -> list[Page]:
        doc = session.find_document(path)
        return session.pages(doc.id) if doc is not None else []

    return run


def models(session: Session, job: JobContext) -> list[ModelInfo]:
    return session.models()


def add_model(path: str) -> Operation[list[ModelInfo]]:
    """Register a GGUF file; the new model list comes back so Settings shows it at once."""

    def run(session: Session, job: JobContext) -> list[ModelInfo]:
        session.add_model(Path(path))
        return session.models()

    return run


def load_model(settings: Settings | None = None) -> Operation[str]:
    """Load the chat model ``settings`` name (the session frees the one loaded before).

    Reports the session's ``model_notice`` (a str) when another model was loaded instead.
    """
    chosen = copy.deepcopy(settings) if settings is not None else None  # the GUI's copy keeps changing

    def run(session: Session, job: JobContext) -> str:
        if chosen is not None:
            session.settings.llm = chosen.llm
            session.settings.answer = chosen.answer
        name = session.load_model().name
        if session.model_notice:
            job.report(session.model_notice)  # e.g. the fast model, for lack of memory
        return name

    return run


def warm_up(session: Session, job: JobContext) -> None:
    """List the library before the embedder loads, so the window fills while it does."""
    job.library_changed()
    session.warm_up_library()


def summarize(doc_id: str, template: str, length: str = "page") -> Operation[ResultTable]:
    def run(session: Session, job: JobContext) -> ResultTable:
        doc = _document(session, doc_id)
        progress = job.progress("sentences")
        return session.summarize(doc, template, length=length, progress=progress, cancel=job.cancel).table()

    return run


def compare(doc_ids: Sequence[str], schema: str) -> Operation[ResultTable]:
    """Two documents side by side (``CompareError`` says why two cannot be compared)."""
    chosen = list(doc_ids)

    def run(session: Session, job: JobContext) -> ResultTable:
        docs = [doc for doc in map(session.find_document, chosen) if doc is not None]
        if len(docs) != 2:
            raise QuireError("Choose two documents that are in the library to compare them.")
        progress = job.progress("fields")
        return session.compare(docs[0], docs[1], schema, progress=progress, cancel=job.cancel).table()

    return run


def extract(doc_ids: Sequence[str], schema: str) -> Operation[ResultTable]:
    """Extract a schema's fields (a built-in name or a JSON file) from documents, as a table.

    Documents forgotten since they were chosen are left out: the others still make a table.
    """
    chosen = list(doc_ids)

    def run(session: Session, job: JobContext) -> ResultTable:
        docs = [doc for doc in map(session.find_document, chosen) if doc is not None]
        if not docs:
            raise QuireError("The documents chosen are no longer in the library; choose them again.")
        return session.extract(docs, schema, progress=job.progress("fields"), cancel=job.cancel).table()

    return run


def dates(doc_ids: Sequence[str]) -> Operation[DatesReport]:
    """Every dated event, deadline and period in documents, read from their stored pages.

    No chat model is needed (it works where none is installed). Documents forgotten since
    they were chosen are left out, as in ``extract``; the report's notes name those that
    could not be read.
    """
    chosen = list(doc_ids)

    def run(session: Session, job: JobContext) -> DatesReport:
        docs = [doc for doc in map(session.find_document, chosen) if doc is not None]
        if not docs:
            raise QuireError("The documents chosen are no longer in the library; choose them again.")
        return session.dates(docs, progress=job.progress("pages"), cancel=job.cancel)

    return run


def _document(session: Session, doc_id: str) -> DocumentRecord:
    doc = session.find_document(doc_id)
    if doc is None:
        raise QuireError(f"A document chosen ({doc_id}) is no longer in the library; choose it again.")
    return doc
