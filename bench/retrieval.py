"""Retrieval benchmark on SQuAD v1.1 dev: quality (dense, BM25, fused), speed, memory.

Tuning (chunk size, neighbours, RRF k) uses questions from a third of the articles;
the figures reported use questions from the other two thirds. The LlamaIndex baseline
(1024-token chunks; MiniLM reads only the first 256 of them) is rebuilt and measured
in the same run.
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.embed.base import Embedder
from assistant.embed.factory import make_embedder
from assistant.index.indexer import Indexer, IndexReport
from assistant.index.library import Library
from assistant.index.retrieve import Fusion, SearchMode
from assistant.ingest.chunking import Chunk, chunk_pages
from assistant.ingest.types import Page
from bench import squad

CACHE = Path.home() / ".cache" / "quire-bench"


@dataclass(frozen=True)
class Scores:
    hit1: float
    hit5: float
    mrr10: float

    def row(self, label: str) -> str:
        return f"  {label:<34} hit@1 {self.hit1:.3f}  hit@5 {self.hit5:.3f}  MRR@10 {self.mrr10:.3f}"


def evaluate(
    library: Library, questions: list[squad.Question], mode: SearchMode, neighbours: int
) -> tuple[Scores, list[float]]:
    hits1 = hits5 = 0
    rr = 0.0
    latencies: list[float] = []
    for q in questions:
        start = time.perf_counter()
        results = library.search(q.question, k=10, mode=mode, neighbours=neighbours)
        latencies.append((time.perf_counter() - start) * 1000)
        first = next((i for i, h in enumerate(results) if squad.contains_answer(h.text, q.answers)), None)
        if first is not None:
            hits1 += first == 0
            hits5 += first < 5
            rr += 1 / (first + 1)
    n = len(questions)
    return Scores(hits1 / n, hits5 / n, rr / n), latencies


class WideChunkIndexer(Indexer):
    """LlamaIndex's default: ~1024-token chunks, whatever the embedder's window."""

    def _chunk(self, pages: list[Page]) -> list[Chunk]:
        return chunk_pages(
            pages, self.library.embedder.count_tokens, target_tokens=1024, max_tokens=1140, overlap_tokens=20
        )


def build(
    home: Path, embedder: Embedder, corpus: list[Path], chunk_tokens: int, indexer: type[Indexer] = Indexer
) -> tuple[Library, IndexReport]:
    settings = Settings.load(home)
    settings.index.chunk_tokens = chunk_tokens
    library = Library.open(settings, embedder)
    report = indexer(library).run(corpus)
    return library, report


def configure(library: Library, fusion: Fusion, rrf_k: int, dense_weight: float) -> None:
    retrieval = library.settings.retrieval
    retrieval.fusion, retrieval.rrf_k = fusion.value, rrf_k or retrieval.rrf_k
    retrieval.dense_weight = dense_weight
    retrieval.lexical_weight = 1.0 if fusion is Fusion.RRF else 1.0 - dense_weight


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main() -> None:
    data = squad.fetch(CACHE)
    articles, questions = squad.load(data)
    dev_titles, test_titles = squad.split(articles)
    dev_q = squad.sample(questions, dev_titles, 200)
    test_q = squad.sample(questions, test_titles, 400)
    work = Path(tempfile.mkdtemp(prefix="quire-bench-"))
    cache_dir = CACHE / "embedders"
    try:
        corpus = squad.write_articles(articles, work / "corpus")
        pages = sum(len(p.read_text(encoding="utf-8").split("\f")) for p in corpus)
        print(
            f"SQuAD v1.1 dev: {len(articles)} articles, {pages} pages; tuning on {len(dev_q)} questions "
            f"from {len(dev_titles)} articles, reporting on {len(test_q)} from {len(test_titles)} others.\n"
        )
        int8 = make_embedder("", "onnx-int8", cache_dir)
        int8.warm_up()

        print("Tuning (dev split):")
        best: tuple[float, int, int, Fusion, int, float] | None = None
        libraries: dict[int, tuple[Library, IndexReport]] = {}
        grid = [(Fusion.SCORE, 0, w) for w in (0.2, 0.3, 0.4, 0.5)] + [
            (Fusion.RRF, k, w) for k in (10, 60) for w in (0.3, 1.0)
        ]
        for chunk_tokens in (128, 200):
            libraries[chunk_tokens] = build(work / f"home-{chunk_tokens}", int8, corpus, chunk_tokens)
            library = libraries[chunk_tokens][0]
            for neighbours in (1, 2):
                for fusion, rrf_k, dense_weight in grid:
                    configure(library, fusion, rrf_k, dense_weight)
                    scores, _ = evaluate(library, dev_q, SearchMode.FUSED, neighbours)
                    label = (
                        f"{fusion.value} k{rrf_k} w{dense_weight}"
                        if rrf_k
                        else f"{fusion.value} w{dense_weight}"
                    )
                    print(scores.row(f"chunk {chunk_tokens} nb {neighbours} {label}"))
                    if best is None or scores.mrr10 > best[0]:
                        best = (scores.mrr10, chunk_tokens, neighbours, fusion, rrf_k, dense_weight)
        assert best is not None
        _, chunk_tokens, neighbours, fusion, rrf_k, dense_weight = best
        library, report = libraries[chunk_tokens]
        configure(library, fusion, rrf_k, dense_weight)
        print(
            f"\nChosen: chunk {chunk_tokens} tokens, {neighbours} neighbour(s) each side, "
            f"{fusion.value} fusion, rrf_k {rrf_k}, dense weight {dense_weight}\n"
        )

        print(f"Held-out split ({len(test_q)} questions):")
        latencies: dict[str, list[float]] = {}
        for mode in (SearchMode.DENSE, SearchMode.LEXICAL, SearchMode.FUSED):
            scores, latencies[mode.value] = evaluate(library, test_q, mode, neighbours)
            print(scores.row(f"Quire {mode.value}"))
        for mode in (SearchMode.DENSE, SearchMode.LEXICAL, SearchMode.FUSED):
            scores, _ = evaluate(library, test_q, mode, 0)
            print(scores.row(f"Quire {mode.value}, matched chunk only"))
        baseline, _ = build(work / "home-baseline", int8, corpus, 1024, WideChunkIndexer)
        for mode, label in ((SearchMode.LEXICAL, "BM25"), (SearchMode.DENSE, "dense (Chroma + MiniLM)")):
            scores, _ = evaluate(baseline, test_q, mode, 0)
            print(scores.row(f"LlamaIndex-style 1024-token {label}"))
        print(
            "  (LlamaIndex figures named in the issue, other data: BM25 .885/.965/.920, dense .665/.915/.768)\n"
        )

        texts = [r.text for batch in library.registry.all_chunks() for r in batch]
        start = time.perf_counter()
        for i in range(0, len(texts), 32):
            int8.embed(texts[i : i + 32])
        raw_int8 = len(texts) / (time.perf_counter() - start)
        torch_embedder = make_embedder("", "torch", cache_dir)
        torch_embedder.warm_up()
        subset = texts[:: max(1, len(texts) // 400)]
        start = time.perf_counter()
        fp32_vectors = np.vstack(
            [torch_embedder.embed(subset[i : i + 32]) for i in range(0, len(subset), 32)]
        )
        raw_torch = len(subset) / (time.perf_counter() - start)
        int8_vectors = np.vstack([int8.embed(subset[i : i + 32]) for i in range(0, len(subset), 32)])
        cosine = float(np.mean(np.sum(fp32_vectors * int8_vectors, axis=1)))
        indexing_rate = report.chunks_embedded / report.seconds
        print("Indexing (int8 ONNX embedder, reader and embedder threads overlapped):")
        print(
            f"  {report.pages_read} pages, {report.chunks_written} chunks in {report.seconds:.1f} s: "
            f"{report.pages_read / report.seconds:.1f} pages/s, {indexing_rate:.1f} chunks/s"
        )
        print(
            f"  raw int8 embedder on the same chunks: {raw_int8:.1f} chunks/s "
            f"(pipeline/raw = {indexing_rate / raw_int8:.2f})"
        )
        print(
            f"  raw torch fp32 embedder: {raw_torch:.1f} chunks/s; int8 is {raw_int8 / raw_torch:.2f}x faster; "
            f"mean cosine int8 vs fp32 {cosine:.4f}"
        )
        few = sorted(test_titles)[:6]
        sample_q = [q for q in test_q if q.article in few]
        quality_fp32 = dense_hit5(torch_embedder, library, sample_q, neighbours)
        quality_int8 = dense_hit5(int8, library, sample_q, neighbours)
        print(
            f"  dense hit@5 on the same chunks of {len(few)} articles ({len(sample_q)} held-out questions): "
            f"torch fp32 {quality_fp32:.3f}, int8 ONNX {quality_int8:.3f}\n"
        )

        print("Query latency (fused, k=10, includes embedding the query):")
        print(
            f"  {library.registry.count_chunks()} chunks: p50 {percentile(latencies['fused'], 50):.1f} ms, "
            f"p95 {percentile(latencies['fused'], 95):.1f} ms"
        )
        grow_to(library, corpus, work / "copies", 10_000)
        _, big = evaluate(library, test_q[:200], SearchMode.FUSED, neighbours)
        print(
            f"  {library.registry.count_chunks()} chunks: p50 {percentile(big, 50):.1f} ms, p95 {percentile(big, 95):.1f} ms"
        )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\nPeak RSS of the whole benchmark process: {rss:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def dense_hit5(
    embedder: Embedder, library: Library, questions: list[squad.Question], neighbours: int
) -> float:
    """Brute-force dense hit@5 with ``embedder`` over the chunks of the questions' articles.

    Limited to those articles so that torch fp32 can embed them in a minute or two;
    both embedders see exactly the same chunks and questions.
    """
    stems = {squad.file_stem(q.article) for q in questions}
    docs = [d for d in library.documents() if Path(d.path).stem in stems]
    records = [r for d in docs for r in library.registry.chunk_window(d.id, 0, d.chunks)]
    matrix = np.vstack(
        [embedder.embed([r.text for r in records[i : i + 32]]) for i in range(0, len(records), 32)]
    )
    by_doc: dict[str, list[str]] = {}
    for r in records:
        by_doc.setdefault(r.doc_id, []).append(r.text)
    hits = 0
    for q in questions:
        order = np.argsort(-(matrix @ embedder.embed([q.question])[0]))[:5]
        for i in order:
            r = records[i]
            texts = by_doc[r.doc_id][max(0, r.ordinal - neighbours) : r.ordinal + neighbours + 1]
            if squad.contains_answer(" ".join(texts), q.answers):
                hits += 1
                break
    return hits / len(questions)


def grow_to(library: Library, corpus: list[Path], folder: Path, target: int) -> None:
    """Add copies of the corpus (vectors reused, nothing re-embedded) up to ``target`` chunks."""
    copy = 0
    while library.registry.count_chunks() < target:
        copy += 1
        destination = folder / f"copy{copy}"
        destination.mkdir(parents=True)
        for path in corpus:
            shutil.copy2(path, destination / path.name)
        Indexer(library).run([destination])
