"""Answer benchmark: the old default chat model and the new one, side by side, in one run.

SQuAD v1.1 dev: the library holds every article but a few; questions about those absent
articles are the unanswerable ones. The not-found threshold (best passage's cosine
similarity) is calibrated on the dev split's questions, then everything is reported on
held-out questions: F1/EM on ``short_answer``, citation precision, verified share and how
often a verified answer is wrong, not-found accuracy, false refusals, TTFT, decode speed,
and bare llama-cpp-python decode speed on the same prompts.

The professional set (``bench.pro_set``: licences, forms, clinical texts from packages,
never tuned on) reports gold content, right source, refusals, length and time. The last
table is the confidence calibration: how often each level was right.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from assistant.answering.pipeline import Answerer
from assistant.answering.prompts import answer_schema
from assistant.config import DEFAULT_MODEL, Settings
from assistant.embed.factory import make_embedder
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.llm.chat import ChatMessage
from assistant.llm.registry import resolve_model
from bench import squad
from bench.results import Eta, write_results
from bench.retrieval import CACHE, percentile

QUICK_QUESTIONS = 15  # --quick: the first questions of the professional set, with the default model

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


@dataclass
class Figures:
    """What one model scored, kept to print the models side by side."""

    model: str
    rows: dict[str, str] = field(default_factory=dict)
    levels: dict[str, list[bool]] = field(default_factory=dict)  # confidence -> right or wrong
    details: list[dict[str, Any]] = field(default_factory=list)  # one record per professional question

    def add(self, name: str, value: str) -> None:
        self.rows[name] = value

    def judge(self, confidence: str, right: bool) -> None:
        self.levels.setdefault(confidence, []).append(right)


def bench_models() -> list[str]:
    """The default model; ``QUIRE_BENCH_MODELS=a,b`` measures several side by side.

    One model keeps `make bench` within its 30 minutes on 2 cores; the comparison of the
    two bundled models is a separate run: ``QUIRE_BENCH_MODELS=<fast>,<default>``.
    """
    configured = os.environ.get("QUIRE_BENCH_MODELS", "")
    return [m for m in configured.split(",") if m] or [DEFAULT_MODEL]


def main(n_answerable: int = 0, n_absent: int = 0, *, quick: bool = False, split: str = "heldout") -> None:
    """SQuAD (while its source is served) and the professional set, each benchmarked model side by side.

    ``split`` picks the professional set's documents: "heldout" (the default: the figures a
    closing note reports) or "tuning" (the documents settings may be tuned on). ``quick``
    (``python -m bench answers --quick``): the default model only, on 15 held-out questions
    spread over the documents and kinds, so it can run after every change to the answer path.
    """
    n_answerable = n_answerable or int(os.environ.get("QUIRE_BENCH_SQUAD", "50"))
    n_absent = n_absent or max(10, n_answerable // 3)
    work = Path(tempfile.mkdtemp(prefix="quire-qa-"))
    try:
        settings = Settings.load(work / "home")
        squad_set = None if quick else _squad_set(work, settings, n_answerable, n_absent)
        pro = professional_library(work, settings, split, QUICK_QUESTIONS if quick else 0)
        results = []
        for name in [DEFAULT_MODEL] if quick else bench_models():
            settings.llm.model = name
            figures = Figures(name)
            model_path = resolve_model(name, settings.models_dir)
            from assistant.llm.model import LlamaChatModel

            model = LlamaChatModel(model_path, name=name, settings=settings.llm)
            model.warm_up()
            prompts: list[tuple[list[ChatMessage], int]] = []
            if squad_set is not None:
                library, test_pos, test_neg = squad_set
                prompts = squad_figures(Answerer(library, model, settings), test_pos, test_neg, figures)
            if pro is not None:
                pro_figures(Answerer(pro[0], model, settings), pro[1], figures)
            figures.add("RSS with the model loaded", f"{psutil.Process().memory_info().rss / 1e6:,.0f} MB")
            model.close()
            if prompts:
                bare = bare_decode_rate(
                    model_path, prompts, settings.llm.max_answer_tokens, model_threads(settings)
                )
                figures.add("bare llama-cpp-python decode", f"{bare:.1f} tok/s")
            results.append(figures)
        print_side_by_side(results)
        name = ("answers_quick" if quick else "answers") + ("" if split == "heldout" else f"_{split}")
        write_results(
            name,
            {f.model: f.rows for f in results},
            split=split,
            questions={f.model: f.details for f in results},
            confidence={f.model: {k: [sum(v), len(v)] for k, v in f.levels.items()} for f in results},
        )
        if pro is not None:
            pro[0].close()
        if squad_set is not None:
            squad_set[0].close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _squad_set(
    work: Path, settings: Settings, n_answerable: int, n_absent: int
) -> tuple[Library, list[squad.Question], list[squad.Question]] | None:
    """The SQuAD library and its held-out questions (the threshold calibrated on dev), or None when gone."""
    try:
        articles, questions = squad.load(squad.fetch(CACHE))
    except RuntimeError as exc:
        print(f"  SQuAD figures skipped: {exc}")
        return None
    dev_titles, test_titles = squad.split(articles)
    rng = random.Random(5)
    absent = set(
        rng.sample(sorted(dev_titles), ABSENT_ARTICLES // 2)
        + rng.sample(sorted(test_titles), ABSENT_ARTICLES)
    )
    indexed = [a for a in articles if a.title not in absent]
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
    return library, test_pos, test_neg


def squad_figures(
    answerer: Answerer, test_pos: list[squad.Question], test_neg: list[squad.Question], figures: Figures
) -> list[tuple[list[ChatMessage], int]]:
    """Held-out SQuAD: F1/EM on ``short_answer``, citations, refusals, speed; the decode prompts."""
    from assistant.answering.prompts import answer_messages, passage_block

    f1s, ems, ttfts, rates, totals = [], [], [], [], []
    cited = precise = verified = verified_wrong = found = 0
    prompts: list[tuple[list[ChatMessage], int]] = []
    eta = Eta("SQuAD questions", len(test_pos))
    for q in test_pos:
        result = answerer.answer(q.question)
        eta.step()
        prediction = result.short_answer if result.found else ""
        f1s.append(squad.f1(prediction, q.answers))
        ems.append(squad.exact_match(prediction, q.answers))
        right = result.found and (f1s[-1] >= 0.5 or squad.contains_answer(prediction, q.answers))
        figures.judge(str(result.confidence), right)
        found += result.found
        if result.timings.ttft_ms and result.found:
            ttfts.append(result.timings.ttft_ms)
            rates.append(result.timings.tokens_per_s)
        totals.append(result.timings.total_ms)
        if result.citations:
            cited += 1
            precise += squad.contains_answer(result.citations[0].text, q.answers)
        verified += result.verified
        verified_wrong += result.verified and not right
        if result.passages and len(prompts) < 30:
            texts = [passage_block(i, p.document, p.page, p.text) for i, p in enumerate(result.passages, 1)]
            prompts.append((answer_messages(q.question, texts), len(texts)))
    refusals = [answerer.answer(q.question) for q in test_neg]
    for refusal in refusals:
        figures.judge(str(refusal.confidence), not refusal.found)
    n = len(test_pos)
    add = figures.add
    add("SQuAD held-out questions", f"{n} answerable + {len(test_neg)} absent")
    add("SQuAD F1 / EM (short_answer)", f"{np.mean(f1s):.3f} / {np.mean(ems):.3f}")
    add("SQuAD citation precision", f"{precise / max(cited, 1):.3f} of {cited}")
    add("SQuAD verified share of answered", f"{verified / max(found, 1):.3f} of {found}")
    add("SQuAD verified but wrong", f"{verified_wrong / max(verified, 1):.3f} of {verified}")
    add(
        "SQuAD not-found accuracy / false refusals",
        f"{_share(not r.found for r in refusals):.3f} / {1 - found / n:.3f}",
    )
    add(
        "SQuAD TTFT p50 / p95", f"{percentile(ttfts, 50) / 1000:.2f} s / {percentile(ttfts, 95) / 1000:.2f} s"
    )
    add("SQuAD total p50", f"{percentile(totals, 50) / 1000:.2f} s")
    add("SQuAD decode (pipeline)", f"{np.median(rates):.1f} tok/s")
    return prompts


def professional_library(
    work: Path, settings: Settings, split: str = "heldout", limit: int = 0
) -> tuple[Library, list[Any]] | None:
    """One split of the professional set indexed in a library of its own, or None if unreachable.

    ``limit`` keeps that many questions, taken in turn from each document so a short run
    still covers every document and kind. A document whose source is gone is left out,
    with its questions, and named.
    """
    from bench import pro_set

    try:
        questions = pro_set.load_questions(split=split)
        try:
            paths = pro_set.fetch(CACHE / "pro", pro_set.split_documents(split))
        except pro_set.FetchError as exc:
            print(f"  professional set: some documents are gone, going on without them\n{exc}")
            paths = exc.paths
        questions = [q for q in questions if set(q.documents) <= set(paths)]
        limit = limit or int(os.environ.get("QUIRE_BENCH_PRO", "0"))
        questions = spread(questions, limit) if limit else questions
    except Exception as exc:  # a bench without network access still reports SQuAD
        print(f"  professional set unavailable: {exc}")
        return None
    pro_settings = Settings.load(work / "pro-home")
    pro_settings.answer = settings.answer
    pro_settings.llm = settings.llm
    library = Library.open(pro_settings, make_embedder("", "onnx-int8", CACHE / "embedders"))
    folder = work / "pro-docs"
    folder.mkdir()
    for path in paths.values():
        shutil.copy(path, folder / path.name)
    Indexer(library).run([folder])
    print(f"Professional set ({split} documents): {len(questions)} questions over {len(paths)} documents.")
    return library, questions


def spread(questions: list[Any], limit: int) -> list[Any]:
    """``limit`` questions taken round-robin over their first documents, each document's in file order."""
    queues: dict[str, list[Any]] = {}
    for q in questions:
        queues.setdefault(q.documents[0], []).append(q)
    chosen: list[Any] = []
    while len(chosen) < limit and any(queues.values()):
        for queue in queues.values():
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return chosen


def pro_figures(answerer: Answerer, questions: list[Any], figures: Figures) -> None:
    """The professional set: gold content, right source, supported sentences, refusals, length, speed."""
    from bench import pro_set

    correct, source, refused_absent, false_refusals, lengths, ttfts, totals = [], [], [], [], [], [], []
    declined_absent: list[bool] = []  # refused, or no sentence states the guess (closest passages shown)
    supported_right: list[bool] = []
    answered_right: list[bool] = []  # a direct answer given (found, and a sentence states it)
    verified_right: list[bool] = []
    set_aside = 0  # answers no sentence states: "may not answer this directly" and the closest passages
    eta = Eta("professional questions", len(questions))
    for q in questions:
        result = answerer.answer(q.question)
        eta.step()
        data = result.to_json()
        score = pro_set.score(q, data)
        figures.details.append(
            {
                "id": q.id,
                "kind": q.kind,
                "correct": bool(score["correct"]) and not result.unsupported_answer,
                "found": result.found,
                "set_aside": bool(result.unsupported_answer),
                "verified": result.verified,
                "confidence": str(result.confidence),
                "right_source": bool(score["right_source"]),
                "answer": result.answer[:300],
            }
        )
        totals.append(result.timings.total_ms)
        if result.found and result.timings.ttft_ms:
            ttfts.append(result.timings.ttft_ms)
        if q.kind == "absent":
            refused_absent.append(not result.found)
            declined_absent.append(not result.found or bool(result.unsupported_answer))
            figures.judge(str(result.confidence), bool(score["correct"]))
            continue
        correct.append(bool(score["correct"]) and not result.unsupported_answer)
        source.append(bool(score["right_source"]))
        set_aside += bool(result.unsupported_answer)
        if result.found and not result.unsupported_answer:
            answered_right.append(correct[-1])
        if result.verified:
            verified_right.append(correct[-1])
        false_refusals.append(not result.found)
        figures.judge(str(result.confidence), bool(score["correct"]))
        if result.found:
            lengths.append(len(result.answer.split()))
            shown = [s for s in result.sentences if s.kind == "answer" and s.supported]
            supported_right.extend(bool(score["correct"]) for _ in shown)
    add = figures.add
    add("PRO correct (gold content, all parts)", f"{_share(correct):.3f} of {len(correct)}")
    for kind in ("fact", "clause", "yesno", "compare"):
        mine = [d for d in figures.details if d["kind"] == kind]
        answered = [d["correct"] for d in mine if d["found"] and not d["set_aside"]]
        add(
            f"PRO {kind}: correct / precision",
            f"{_share(d['correct'] for d in mine):.3f} of {len(mine)} / {_share(answered):.3f} of {len(answered)}",
        )
    add("PRO precision (correct / answered)", f"{_share(answered_right):.3f} of {len(answered_right)}")
    add(
        "PRO verified but wrong",
        f"{1 - _share(verified_right) if verified_right else 0:.3f} of {len(verified_right)}",
    )
    add("PRO set aside: closest passages shown", f"{set_aside / max(len(correct), 1):.3f}")
    add("PRO right document and page cited", f"{_share(source):.3f}")
    add(
        "PRO answers shown supported that are right",
        f"{_share(supported_right):.3f} of {len(supported_right)}",
    )
    add(
        "PRO not-found accuracy / false refusals",
        f"{_share(refused_absent):.3f} / {_share(false_refusals):.3f}",
    )
    add(
        "PRO absent: refused or set aside (not answered)",
        f"{_share(declined_absent):.3f} of {len(declined_absent)}",
    )
    add("PRO answer length (words, median)", f"{np.median(lengths) if lengths else 0:.0f}")
    add(
        "PRO TTFT p50 / p95",
        f"{percentile(ttfts or [0], 50) / 1000:.2f} s / {percentile(ttfts or [0], 95) / 1000:.2f} s",
    )
    add("PRO total p50", f"{percentile(totals or [0], 50) / 1000:.2f} s")


def _share(values: Iterable[bool]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def print_side_by_side(results: list[Figures]) -> None:
    """One row per figure, one column per model; then the confidence calibration table."""
    names = list(dict.fromkeys(k for f in results for k in f.rows))
    width = max(len(n) for n in names)
    print()
    print(f"  {'':<{width}}  " + "  ".join(f"{f.model:<36}" for f in results))
    for name in names:
        print(f"  {name:<{width}}  " + "  ".join(f"{f.rows.get(name, '-'):<36}" for f in results))
    print("\n  Confidence calibration (share right per level, SQuAD held-out and professional set together):")
    for figures in results:
        cells = []
        for level in ("high", "medium", "low"):
            judged = figures.levels.get(level, [])
            cells.append(f"{level} {_share(judged):.2f} of {len(judged)}")
        print(f"  {figures.model:<36}  " + ", ".join(cells))


def model_threads(settings: Settings) -> int:
    from assistant.llm.model import physical_cores

    return settings.llm.threads or physical_cores()
