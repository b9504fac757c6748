"""Answer benchmark on SQuAD v1.1 dev with the bundled 0.5B model.

The library holds every article but a few; questions about those absent articles are
the unanswerable ones. The not-found threshold (best passage's cosine similarity) is
calibrated on the dev split's questions, then everything is reported on held-out
questions: F1/EM, citation precision, verified share, not-found accuracy, false-refusal
rate, TTFT, decode speed, and bare llama-cpp-python decode speed on the same prompts.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.answering.pipeline import Answerer
from assistant.answering.prompts import answer_schema
from assistant.config import Settings
from assistant.embed.factory import make_embedder
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.llm.chat import ChatMessage
from assistant.llm.registry import resolve_model
from bench import squad
from bench.retrieval import CACHE, percentile

ABSENT_ARTICLES = 10


def calibrate(library: Library, answerable: list[squad.Question], absent: list[squad.Question]) -> float:
    """The similarity threshold with the best accuracy, refusing at most 5% of answerable."""

    def evidence(q: squad.Question) -> float:
        hits = library.search(q.question, k=library.settings.answer.passages, neighbours=0)
        return max((h.similarity or 0.0 for h in hits), default=0.0)

    pos = np.array([evidence(q) for q in answerable])
    neg = np.array([evidence(q) for q in absent])
    best, best_score = 0.0, -1.0
    for threshold in np.arange(0.05, 0.80, 0.01):
        refused = float(np.mean(pos < threshold))
        if refused > 0.05:
            break
        score = float(np.mean(neg < threshold)) + (1 - refused)
        if score > best_score:
            best, best_score = float(threshold), score
    print(
        f"  evidence: answerable median {np.median(pos):.3f}, absent median {np.median(neg):.3f}; "
        f"threshold {best:.2f} (dev: {np.mean(neg < best):.0%} of absent refused, "
        f"{np.mean(pos < best):.0%} of answerable refused)"
    )
    return best


def bare_decode_rate(
    model_path: Path, prompts: list[tuple[list[ChatMessage], int]], max_tokens: int, threads: int
) -> float:
    """Decode tokens/s of llama-cpp-python alone on the same prompts (no Quire code)."""
    import llama_cpp

    llm = llama_cpp.Llama(
        model_path=str(model_path),
        n_ctx=4096,
        n_threads=threads,
        verbose=False,
        chat_format="chat_template.default",
    )
    rates = []
    for messages, passages in prompts:
        first = last = 0.0
        tokens = 0
        schema = {"type": "json_object", "schema": answer_schema(passages)}
        stream = llm.create_chat_completion(
            messages=list(messages), max_tokens=max_tokens, stream=True, response_format=schema
        )
        for chunk in stream:
            if chunk["choices"][0]["delta"].get("content"):
                last = time.perf_counter()
                first = first or last
                tokens += 1
        if tokens > 1 and last > first:
            rates.append((tokens - 1) / (last - first))
    return float(np.median(rates)) if rates else 0.0


def main(n_answerable: int = 100, n_absent: int = 30) -> None:
    articles, questions = squad.load(squad.fetch(CACHE))
    dev_titles, test_titles = squad.split(articles)
    rng = random.Random(5)
    absent = set(
        rng.sample(sorted(dev_titles), ABSENT_ARTICLES // 2)
        + rng.sample(sorted(test_titles), ABSENT_ARTICLES)
    )
    indexed = [a for a in articles if a.title not in absent]
    work = Path(tempfile.mkdtemp(prefix="quire-qa-"))
    try:
        settings = Settings.load(work / "home")
        settings.llm.model = os.environ.get("QUIRE_BENCH_MODEL", settings.llm.model)  # e.g. the 1.5B
        embedder = make_embedder("", "onnx-int8", CACHE / "embedders")
        library = Library.open(settings, embedder)
        Indexer(library).run(squad.write_articles(indexed, work / "corpus"))
        print(
            f"Answers: library of {len(indexed)} articles; {len(absent)} articles left out for unanswerable questions."
        )
        dev_pos = squad.sample(questions, dev_titles - absent, 150, seed=11)
        dev_neg = squad.sample(questions, dev_titles & absent, 60, seed=11)
        settings.answer.min_similarity = calibrate(library, dev_pos, dev_neg)
        test_pos = squad.sample(questions, test_titles - absent, n_answerable, seed=3)
        test_neg = squad.sample(questions, test_titles & absent, n_absent, seed=3)

        model_path = resolve_model(settings.llm.model, settings.models_dir)
        from assistant.llm.model import LlamaChatModel

        model = LlamaChatModel(model_path, name=settings.llm.model, settings=settings.llm)
        model.warm_up()
        answerer = Answerer(library, model, settings)
        f1s, ems, ttfts, rates = [], [], [], []
        cited = precise = verified = found = 0
        prompts: list[tuple[list[ChatMessage], int]] = []
        for q in test_pos:
            result = answerer.answer(q.question)
            prediction = result.answer.rsplit(" [", 1)[0] if result.found else ""
            f1s.append(squad.f1(prediction, q.answers))
            ems.append(squad.exact_match(prediction, q.answers))
            found += result.found
            if result.timings.ttft_ms and result.found:
                ttfts.append(result.timings.ttft_ms)
                rates.append(result.timings.tokens_per_s)
            if result.citations:
                cited += 1
                precise += squad.contains_answer(result.citations[0].text, q.answers)
            verified += result.verified
            if result.passages and len(prompts) < 30:
                from assistant.answering.prompts import answer_messages, passage_block

                texts = [
                    passage_block(i, p.document, p.page, p.text) for i, p in enumerate(result.passages, 1)
                ]
                prompts.append((answer_messages(q.question, texts), len(texts)))
        refused_absent = sum(not answerer.answer(q.question).found for q in test_neg)
        n = len(test_pos)
        print(f"Held-out: {n} answerable questions, {len(test_neg)} about articles not in the library")
        print(f"  SQuAD F1 {np.mean(f1s):.3f}, exact match {np.mean(ems):.3f}")
        print(
            f"  citation precision (cited passage holds a gold answer): {precise / max(cited, 1):.3f} of {cited} cited"
        )
        print(
            f"  answers with a valid, supporting citation (verified): {verified / max(found, 1):.3f} of {found} answered"
        )
        print(
            f"  not-found accuracy on absent: {refused_absent / len(test_neg):.3f}; false refusals: {1 - found / n:.3f}"
        )
        print(
            f"  TTFT p50 {percentile(ttfts, 50) / 1000:.2f} s, p95 {percentile(ttfts, 95) / 1000:.2f} s; decode {np.median(rates):.1f} tok/s"
        )
        model.close()
        bare = bare_decode_rate(model_path, prompts, settings.llm.max_answer_tokens, model_threads(settings))
        print(
            f"  bare llama-cpp-python decode on the same prompts: {bare:.1f} tok/s (pipeline/bare {np.median(rates) / bare:.2f})"
        )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak RSS with the model loaded: {rss:.0f} MB")
        print("  (LlamaIndex defaults on this machine kind, from the issue: F1 0.15, TTFT p50 11.9 s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def model_threads(settings: Settings) -> int:
    from assistant.llm.model import physical_cores

    return settings.llm.threads or physical_cores()
