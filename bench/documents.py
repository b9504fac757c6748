"""Whole-document summaries: time per page and faithfulness, on generated 20-page documents.

Faithfulness is the share of bullets whose cited pages contain their key terms (the
check `quire summarize` applies before showing a bullet, re-run here on the output);
"proposed facts kept" is the share of the model's map-step facts that passed that
check, i.e. how often the model cited a page that really says what it wrote (a wrong
page inside the window is corrected, not counted as kept). Coverage is the share of
the 20 pages, each holding one distinctive fact, that the summary cites. The library
uses the hash embedder: a summary reads stored page text and never the vectors.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from assistant.answering.grounding import supported
from assistant.config import Settings
from assistant.documents import summarize
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.index.registry import DocumentRecord
from assistant.llm.chat import ChatModel
from assistant.llm.registry import resolve_model
from assistant.testing.documents import write_text_pdf
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.long_documents import long_contract, medical_record

CASES = [("contract", long_contract, "contract"), ("medical record", medical_record, "medical")]


def main() -> None:
    from assistant.llm.model import LlamaChatModel

    work = Path(tempfile.mkdtemp(prefix="quire-documents-"))
    try:
        settings = Settings.load(work / "home")
        model = LlamaChatModel(
            resolve_model(settings.llm.model, settings.models_dir),
            name=settings.llm.model,
            settings=settings.llm,
        )
        model.warm_up()
        model.chat([{"role": "user", "content": "hi"}], max_tokens=1, temperature=0.0)  # first-call costs
        (work / "docs").mkdir()
        for name, make, _template in CASES:
            write_text_pdf(work / "docs" / f"{name.replace(' ', '-')}.pdf", make().pages)
        print(f"Summaries of generated 20-page documents ({model.name}, {model.n_ctx} ctx)")
        print(
            f"{'document':<16}{'template':<10}{'s/page':>8}{'bullets':>9}{'faithful':>10}{'kept':>7}{'coverage':>10}"
        )
        with Library.open(settings, HashEmbedder()) as library:
            Indexer(library).run([work / "docs"])
            for name, _make, template in CASES:
                doc = next(d for d in library.documents() if d.title == name.replace(" ", "-"))
                for kind in ("general", template):
                    _run(library, model, doc, name, kind)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(library: Library, model: ChatModel, doc: DocumentRecord, name: str, template: str) -> None:
    proposed = kept = 0
    original = summarize.verified_pages

    def counting(text: str, cited: object, window: list[int], texts: dict[int, str]) -> list[int]:
        nonlocal proposed, kept
        pages = original(text, cited, window, texts)
        proposed += 1
        kept += bool(pages)
        return pages

    summarize.verified_pages = counting
    try:
        started = time.perf_counter()
        result = summarize.summarize_document(library, model, doc, template=template)
        seconds = time.perf_counter() - started
    finally:
        summarize.verified_pages = original
    texts = {p.number: p.text for p in library.registry.pages(doc.id)}
    cited = [b for b in result.bullets if b.pages]
    faithful = sum(all(supported(b.text.split(": ", 1)[-1], texts[p]) for p in b.pages) for b in cited)
    covered = {p for b in cited for p in b.pages}
    print(
        f"{name:<16}{template:<10}{seconds / len(texts):>8.2f}{len(result.bullets):>9}"
        f"{faithful / max(len(cited), 1):>10.0%}{kept / max(proposed, 1):>7.0%}{len(covered) / len(texts):>10.0%}"
    )
