"""What an answer is, as the engine hands it to every front end.

The typed ``Answer`` is what the CLI, the app and the audit log receive; ``to_json`` is
the `quire ask --json` contract (fields are added, never renamed or removed).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.errors import QuireError
from assistant.index.retrieve import SearchHit


class QuestionError(QuireError, ValueError):
    """The question cannot be asked as given; the message says why and what to do."""


@dataclass(frozen=True)
class Citation:
    n: int
    document: str
    path: str
    page: int
    text: str
    doc_id: str = ""
    chunk_id: str = ""
    quote: str = ""  # the passage's own sentence that backs what cites it (marked in the viewer)

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "document": self.document,
            "path": self.path,
            "page": self.page,
            "text": self.text,
            "quote": self.quote,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Citation:
        return cls(
            n=int(data["n"]),
            document=str(data.get("document", "")),
            path=str(data.get("path", "")),
            page=int(data.get("page", 0) or 0),
            text=str(data.get("text", "")),
            quote=str(data.get("quote", "")),
        )


class SentenceKind(enum.StrEnum):
    """What a sentence of an answer is, so a reader (and the UI) can tell them apart."""

    ANSWER = "answer"  # the direct answer, in the model's words, checked against its quote
    QUOTE = "quote"  # a passage's own sentence, verbatim, that backs the answer
    NOT_STATED = "not_stated"  # a part of the question the passages were searched for and lack


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer with the passages it cites and whether they back it."""

    text: str
    citations: tuple[int, ...] = ()
    supported: bool = False
    kind: SentenceKind = SentenceKind.ANSWER

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "citations": list(self.citations),
            "supported": self.supported,
            "kind": str(self.kind),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnswerSentence:
        kind = str(data.get("kind", SentenceKind.ANSWER))
        return cls(
            text=str(data.get("text", "")),
            citations=tuple(int(n) for n in data.get("citations", []) if isinstance(n, int)),
            supported=bool(data.get("supported", False)),
            kind=SentenceKind(kind) if kind in SentenceKind.__members__.values() else SentenceKind.ANSWER,
        )


class Confidence(enum.StrEnum):
    """How far a reader can rely on an answer without opening its source (see ``confidence``)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str


@dataclass
class Timings:
    retrieval_ms: float = 0.0
    ttft_ms: float = 0.0
    tokens_per_s: float = 0.0
    total_ms: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def to_json(self) -> dict[str, float]:
        return {
            "retrieval_ms": round(self.retrieval_ms, 1),
            "ttft_ms": round(self.ttft_ms, 1),
            "tokens_per_s": round(self.tokens_per_s, 2),
            "total_ms": round(self.total_ms, 1),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Timings:
        fields = {f: data[f] for f in cls.__dataclass_fields__ if isinstance(data.get(f), int | float)}
        return cls(**fields)


@dataclass
class Answer:
    """An answer and everything needed to check it; ``to_json`` is `quire ask --json`."""

    question: str
    answer: str
    found: bool
    model: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[SearchHit] = field(default_factory=list)
    uncited_sentences: list[str] = field(default_factory=list)
    invalid_citations: list[int] = field(default_factory=list)
    search_query: str = ""
    evidence: float = 0.0
    timings: Timings = field(default_factory=Timings)
    cancelled: bool = False
    trace: list[dict[str, object]] = field(default_factory=list)  # tool calls (assistant.tools.loop)
    tool_result: dict[str, Any] | None = None  # {"tool", "value"}: a summary or table that is the reply
    short_answer: str = ""  # the direct answer alone: "Yes", "24,000 pounds", the gist of a clause
    sentences: list[AnswerSentence] = field(default_factory=list)
    confidence: Confidence = Confidence.LOW
    unsupported_answer: str = ""  # the model's answer that no sentence backs: not shown as the answer

    @property
    def verified(self) -> bool:
        """True when every sentence cites a given passage and the sentence it quotes backs it.

        A cited passage that merely contains the answer's words is not enough: the direct
        answer is checked against one sentence of its passage that is about what was asked
        (``grounding.find_support``), so "verified" means the page says this, in answer to this.
        An answer that states a part of the question is not in the documents found answers
        only the rest: it is not verified, since a reader takes the mark for the whole answer.
        """
        return (
            self.found
            and bool(self.citations)
            and not self.uncited_sentences
            and all(s.supported and s.kind is not SentenceKind.NOT_STATED for s in self.sentences)
        )

    @property
    def needs_review(self) -> bool:
        """Whether a professional should check this answer against its source before relying on it."""
        return self.confidence is Confidence.LOW

    def to_json(self) -> dict[str, object]:
        return {
            "answer": self.answer,
            "found": self.found,
            "citations": [c.to_json() for c in self.citations],
            "model": self.model,
            "timings": self.timings.to_json(),
            "verified": self.verified,
            "uncited_sentences": self.uncited_sentences,
            "invalid_citations": self.invalid_citations,
            "search_query": self.search_query,
            "closest": [] if self.found else [p.to_json() for p in self.passages],
            "cancelled": self.cancelled,
            "trace": self.trace,
            "tool_result": self.tool_result,
            "short_answer": self.short_answer,
            "sentences": [s.to_json() for s in self.sentences],
            "confidence": str(self.confidence),
            "unsupported_answer": self.unsupported_answer,
        }

    @classmethod
    def from_json(cls, question: str, data: dict[str, Any]) -> Answer:
        """An answer read back from ``to_json`` (a stored conversation turn).

        ``verified`` is derived, so it is not read back; passages survive only as the
        closest passages of a not-found answer, which is all ``to_json`` keeps of them.
        """
        trace = data.get("trace")
        tool_result = data.get("tool_result")
        return cls(
            question=question,
            answer=str(data.get("answer", "")),
            found=bool(data.get("found", False)),
            model=str(data.get("model", "")),
            citations=[Citation.from_json(c) for c in data.get("citations", []) if isinstance(c, dict)],
            passages=[SearchHit.from_json(p) for p in data.get("closest", []) if isinstance(p, dict)],
            uncited_sentences=[str(s) for s in data.get("uncited_sentences", [])],
            invalid_citations=[int(n) for n in data.get("invalid_citations", [])],
            search_query=str(data.get("search_query", "")),
            timings=Timings.from_json(data.get("timings") or {}),
            cancelled=bool(data.get("cancelled", False)),
            trace=list(trace) if isinstance(trace, list) else [],
            tool_result=tool_result if isinstance(tool_result, dict) else None,
            short_answer=str(data.get("short_answer", "")),
            unsupported_answer=str(data.get("unsupported_answer", "")),
            sentences=[AnswerSentence.from_json(s) for s in data.get("sentences", []) if isinstance(s, dict)],
            confidence=_confidence(data.get("confidence")),
        )


def _confidence(value: object) -> Confidence:
    """A stored confidence; an answer saved before confidence existed reads as needing review."""
    try:
        return Confidence(str(value))
    except ValueError:
        return Confidence.LOW


@dataclass(frozen=True)
class PassagePreview:
    """The passage sentence that best matches the question, shown before the model's first word.

    Something true to read at once while the model reads the passages: it is the
    document's own sentence with its page, labelled as a passage, never as the answer.
    """

    document: str
    path: str
    page: int
    sentence: str


TokenCallback = Callable[[str], None]
PreviewCallback = Callable[[PassagePreview], None]
