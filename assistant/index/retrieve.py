"""Hybrid retrieval: dense (chromadb) and lexical (FTS5 BM25), fused by reciprocal rank.

Reciprocal rank fusion needs no score calibration between the two retrievers, which
is why it is robust across collections whose BM25 scales differ wildly. The passage
returned for a hit may be wider than the matched chunk (its neighbours), because an
answer often sits just before or after the sentence that matched the words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assistant.config import Fusion


class SearchMode(StrEnum):
    FUSED = "fused"
    DENSE = "dense"
    LEXICAL = "lexical"


@dataclass(frozen=True)
class SearchHit:
    """One passage found for a query, with what is needed to cite and show it."""

    document: str
    path: str
    page: int
    page_end: int
    text: str
    score: float
    doc_id: str
    chunk_id: str
    similarity: float | None = None
    char_start: int = 0
    char_end: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "document": self.document,
            "path": self.path,
            "page": self.page,
            "page_end": self.page_end,
            "text": self.text,
            "score": round(self.score, 6),
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchHit:
        """A hit read back from ``to_json`` (a stored answer's closest passages)."""
        similarity = data.get("similarity")
        return cls(
            document=str(data.get("document", "")),
            path=str(data.get("path", "")),
            page=int(data.get("page", 0) or 0),
            page_end=int(data.get("page_end", data.get("page", 0)) or 0),
            text=str(data.get("text", "")),
            score=float(data.get("score", 0.0) or 0.0),
            doc_id=str(data.get("doc_id", "")),
            chunk_id=str(data.get("chunk_id", "")),
            similarity=None if similarity is None else float(similarity),
        )


@dataclass
class RankedLists:
    """Candidate chunk ids from each retriever, best first."""

    dense: list[str] = field(default_factory=list)
    lexical: list[str] = field(default_factory=list)
    similarity: dict[str, float] = field(default_factory=dict)
    bm25: dict[str, float] = field(default_factory=dict)


def reciprocal_rank_fusion(
    lists: Sequence[Sequence[str]], *, k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Items ranked by sum of weight / (k + rank), rank starting at 1."""
    scores: dict[str, float] = {}
    for index, ranked in enumerate(lists):
        weight = 1.0 if weights is None else weights[index]
        for rank, item in enumerate(ranked, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: pair[1], reverse=True)


def rank(
    lists: RankedLists,
    mode: SearchMode,
    *,
    fusion: Fusion = Fusion.RRF,
    rrf_k: int = 60,
    weights: tuple[float, float] = (1.0, 1.0),
) -> list[tuple[str, float]]:
    """Chunk ids with their score under ``mode``, best first.

    ``weights`` are the (dense, lexical) weights of the fusion.
    """
    if mode is SearchMode.DENSE:
        return [(cid, lists.similarity.get(cid, 0.0)) for cid in lists.dense]
    if mode is SearchMode.LEXICAL:
        return [(cid, lists.bm25.get(cid, 0.0)) for cid in lists.lexical]
    if fusion is Fusion.SCORE:
        return score_fusion(lists, weights)
    return reciprocal_rank_fusion([lists.dense, lists.lexical], k=rrf_k, weights=weights)


def score_fusion(lists: RankedLists, weights: tuple[float, float]) -> list[tuple[str, float]]:
    """Weighted sum of normalised cosine and BM25 scores (0 when absent).

    Cosine is min-max normalised over the dense candidates (every chunk is one). BM25 is
    divided by the best match's score instead: min-max gave the only passage that holds a
    rare name 0 ((x - low) / (high - low) with low = high) and the weaker of two such
    passages 0, so the terms a professional types (a party, a case number, a drug) lost
    their keyword score exactly when they matter. Over the best score, every match keeps
    a positive share that grows with its BM25, and the best still scores 1.
    """
    dense = min_max({cid: lists.similarity[cid] for cid in lists.dense if cid in lists.similarity})
    best = max(lists.bm25.values(), default=0.0)
    lexical = {cid: score / best for cid, score in lists.bm25.items()} if best > 0 else {}
    fused = {
        cid: weights[0] * dense.get(cid, 0.0) + weights[1] * lexical.get(cid, 0.0)
        for cid in {*dense, *lexical}
    }
    return sorted(fused.items(), key=lambda pair: pair[1], reverse=True)


def min_max(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low or 1.0
    return {key: (value - low) / span for key, value in scores.items()}
