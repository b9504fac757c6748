"""What an answer is, as the engine hands it to every front end.

The typed ``Answer`` is what the CLI, the app and the audit log receive; ``to_json`` is
the `quire ask --json` contract (fields are added, never renamed or removed).
"""

from __future__ import annotations

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

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "document": self.document,
            "path": self.path,
            "page": self.page,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Citation:
        return cls(
            n=int(data["n"]),
            document=str(data.get("document", "")),
            path=str(data.get("path", "")),
            page=int(data.get("page", 0) or 0),
            text=str(data.get("text", "")),
        )


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

    @property
    def verified(self) -> bool:
        """True when every sentence carries a citation to a passage that was given."""
        return self.found and bool(self.citations) and not self.uncited_sentences

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
        )


TokenCallback = Callable[[str], None]
