"""Whole-document summaries of real documents: seconds per page, and whether each sentence holds up.

The documents ship inside packages, pinned by version and SHA-256, and no summary setting
was tuned on them: a 137-page clinical guideline (NCCN, thyroid carcinoma) from pypdf's
test files, the 50-page IRS 1040NR instructions (the case that took over 30 minutes before
summaries were reworked), and the GPL v3 under the contract template. Each is summarised
with the default model in its worker process, as the app does, at the default length, and
the longest also with one core kept busy.

For every summary it reports:
- seconds in all and per page, and the model calls made;
- sentences supported by their cited page (the answers' sentence check, re-run here);
- truncated sentences (not a complete sentence; the aim is 0) and repeated ones;
- sections drawn on, of those holding a complete sentence;
- sentences the model shortened, and those shown as the document wrote them.

Heading accuracy is judged by reading the contract-template output (printed in full).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from assistant.answering.grounding import supported
from assistant.config import Settings
from assistant.documents.outline import is_complete_sentence
from assistant.documents.summarize import DUPLICATE_JACCARD, Summary, summarize_document
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.index.registry import DocumentRecord
from assistant.llm.model import LlamaChatModel
from assistant.llm.process import WorkerChatModel
from assistant.llm.registry import resolve_model
from assistant.testing.fake_embedder import HashEmbedder
from bench import pro_set
from bench.pro_set import FetchError

# (document key, template); the pro set's documents are fetched with its own pins
CASES = [("nccn-thyroid", "general"), ("i1040nr", "general"), ("gpl3", "contract")]
CACHE = Path.home() / ".cache" / "quire-bench" / "pro"


def main() -> None:
    from bench.results import Eta, write_results

    wanted = {key for key, _ in CASES}
    pinned = [d for d in pro_set.DOCUMENTS if d.key in wanted]
    try:
        paths = pro_set.fetch(CACHE, pinned)
    except FetchError as exc:
        print(f"documents: some sources are gone, going on without them\n{exc}")
        paths = exc.paths
    cases = [(key, template) for key, template in CASES if key in paths]
    if not cases:
        print("documents: no document could be had; nothing to measure")
        return
    work = Path(tempfile.mkdtemp(prefix="quire-documents-"))
    try:
        settings = Settings.load(work / "home")
        (work / "docs").mkdir()
        for key, _ in cases:
            shutil.copy(paths[key], work / "docs" / paths[key].name)
        model = WorkerChatModel(
            partial(
                LlamaChatModel,
                resolve_model(settings.llm.model, settings.models_dir),
                name=settings.llm.model,
                settings=settings.llm,
            )
        )
        model.warm_up()
        rows: dict[str, Any] = {}
        eta = Eta("summaries", len(cases) + 1)
        with Library.open(settings, HashEmbedder()) as library:  # a summary reads page text, not vectors
            Indexer(library).run([work / "docs"])
            by_file = {Path(d.path).name: d for d in library.documents()}
            for number, (key, template) in enumerate(cases):
                doc = by_file[paths[key].name]
                rows[f"{key} ({template})"] = _run(library, model, doc, template, busy=False)
                eta.step()
                if number == 0:  # the longest, again with one core kept busy
                    _forget_cached(library)
                    rows[f"{key} ({template}), 1 core busy"] = _run(library, model, doc, template, busy=True)
                    eta.step()
        model.close()
        _print(rows)
        write_results("documents", rows, model=settings.llm.model, threads=settings.llm.threads)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(
    library: Library, model: WorkerChatModel, doc: DocumentRecord, template: str, busy: bool
) -> dict[str, Any]:
    calls = 0
    chat = model.chat

    def counted(*args: Any, **kwargs: Any) -> str:
        nonlocal calls
        calls += 1
        return chat(*args, **kwargs)

    model.chat = counted  # type: ignore[method-assign]
    load = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        started = time.perf_counter()
        summary = summarize_document(library, model, doc, template=template)
        seconds = time.perf_counter() - started
    finally:
        model.chat = chat  # type: ignore[method-assign]
        if load is not None:
            load.kill()
            load.wait()
    pages = {p.number: p.text for p in library.registry.pages(doc.id)}
    _show(summary)
    return {**_figures(summary, pages), "seconds": round(seconds, 1),
            "seconds_per_page": round(seconds / max(len(pages), 1), 2), "model_calls": calls}  # fmt: skip


def _figures(summary: Summary, pages: dict[int, str]) -> dict[str, Any]:
    shown = [b for b in summary.bullets if b.quote]
    bodies = [b.text.split(": ", 1)[1] if summary.template != "general" else b.text for b in shown]
    supported_count = sum(
        all(supported(body, pages[p]) for p in b.pages) for body, b in zip(bodies, shown, strict=True)
    )
    terms = [set(body.lower().split()) for body in bodies]
    repeated = sum(
        1
        for i, a in enumerate(terms)
        for b in terms[:i]
        if len(a & b) / max(len(a | b), 1) >= DUPLICATE_JACCARD
    )
    return {
        "pages": len(pages),
        "sentences": len(shown),
        "not_stated_headings": len(summary.bullets) - len(shown),
        "supported_by_cited_page": supported_count,
        "truncated": sum(not is_complete_sentence(body) for body in bodies),
        "repeated": repeated,
        "rewritten_by_model": sum(b.rewritten for b in shown),
        "sections_drawn_on": summary.coverage.sections_drawn_on,
        "sections_total": summary.coverage.sections_total,
        "pages_cited": summary.coverage.pages_cited,
    }


def _forget_cached(library: Library) -> None:
    shutil.rmtree(library.settings.library_dir / "summaries", ignore_errors=True)


def _show(summary: Summary) -> None:
    print(f"\n  Summary of {summary.document} ({summary.template}):")
    for bullet in summary.bullets:
        mark = "*" if bullet.rewritten else "-"
        print(f"   {mark} [{bullet.heading}] {bullet.text} (p. {', '.join(map(str, bullet.pages))})")


def _print(rows: dict[str, Any]) -> None:
    print(f"\n{'summary':<42}{'pages':>6}{'s':>7}{'s/page':>8}{'calls':>6}{'sent.':>6}"
          f"{'supp.':>6}{'trunc.':>7}{'rep.':>5}{'rewr.':>6}{'sections':>10}")  # fmt: skip
    for name, r in rows.items():
        print(
            f"{name:<42}{r['pages']:>6}{r['seconds']:>7.0f}{r['seconds_per_page']:>8.2f}{r['model_calls']:>6}"
            f"{r['sentences']:>6}{r['supported_by_cited_page']:>6}{r['truncated']:>7}{r['repeated']:>5}"
            f"{r['rewritten_by_model']:>6}{r['sections_drawn_on']:>5}/{r['sections_total']:<4}"
        )


if __name__ == "__main__":
    main()
