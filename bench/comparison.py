"""`python -m bench comparison`: compare two versions of a lease, against a hand-made answer.

The bundled sample lease and a second version of it with five known amendments
(``assistant.testing.documents.LEASE_AMENDMENTS``: the date, the rent and its instalments,
the late charge, a new break option) are compared with the
contract template by the default model, as `quire compare` does. Measured:

- cell accuracy: each provision's cell holds the words annotated for it (``EXPECTED``);
- cells cited: each found cell carries a page;
- differing rows: the rows marked as differing against the rows the amendments change
  (``CHANGED``), and unchanged rows wrongly marked;
- the redline: each amendment found as a changed or added clause (``REDLINE``).

Writes ``bench/results/comparison.json``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.documents.compare import Comparison, compare_documents
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.jobs import Progress
from assistant.llm.model import LlamaChatModel
from assistant.llm.registry import resolve_model
from assistant.testing.documents import amended_lease
from assistant.testing.fake_embedder import HashEmbedder
from bench.results import write_results

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "samples" / "lease-agreement.md"
# Words each cell must hold (any of the alternatives split by "|"), for the first and second version.
EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    "parties": (["Harbourview", "Linden"], ["Harbourview", "Linden"]),
    "effective_date": (["3 March 2025|2025-03-03"], ["3 March 2027|2027-03-03"]),
    "term": (["five|5"], ["five|5"]),
    "payment_terms": (["96,000|8,000"], ["104,000|8,666"]),
    "termination": (["six|6"], ["six|6|nine|9"]),
    "governing_law": (["England"], ["England"]),
}
CHANGED = {"effective_date", "payment_terms"}  # "termination" may change (a break option is added)
UNCHANGED = {"parties", "term", "governing_law"}
REDLINE = ["3 March 2027", "104,000", "8,666.67", "4%", "31 March 2029"]


def _report(progress: Progress) -> None:
    left = progress.eta_seconds
    when = "starting" if left is None else f"about {left:.0f} s left"
    sys.stderr.write(f"\r  compare: {progress.done}/{progress.total} cells, {when} ")
    sys.stderr.flush()


def _holds(value: str, words: list[str]) -> bool:
    text = value.lower()
    return all(any(w.lower() in text for w in alternatives.split("|")) for alternatives in words)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="quire-compare-"))
    try:
        (work / "docs").mkdir()
        shutil.copy(SAMPLE, work / "docs" / "lease-agreement.md")
        amended = amended_lease(SAMPLE.read_text(encoding="utf-8"))
        (work / "docs" / "lease-agreement-2027.md").write_text(amended, encoding="utf-8")
        settings = Settings.load(work / "home")
        model = LlamaChatModel(
            resolve_model(settings.llm.model, settings.models_dir),
            name=settings.llm.model,
            settings=settings.llm,
        )
        model.warm_up()
        with Library.open(settings, HashEmbedder()) as library:  # compare reads page text, not vectors
            Indexer(library).run([work / "docs"])
            by_file = {Path(d.path).name: d for d in library.documents()}
            started = time.perf_counter()
            comparison = compare_documents(
                library,
                model,
                by_file["lease-agreement.md"],
                by_file["lease-agreement-2027.md"],
                "contract",
                progress=Progress(listeners=[_report]),
            )
            sys.stderr.write("\n")
            seconds = time.perf_counter() - started
        model.close()
        figures = _figures(comparison, seconds)
        print("Compare: the sample lease against a second version with five amendments (contract template)")
        for label, value in figures.items():
            print(f"  {label:<48} {value}")
        write_results("comparison", figures, model=settings.llm.model)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _figures(comparison: Comparison, seconds: float) -> dict[str, Any]:
    cells = right = cited = found = 0
    for provision in comparison.provisions:
        if provision.name not in EXPECTED:
            continue
        for cell, words in zip((provision.a, provision.b), EXPECTED[provision.name], strict=True):
            cells += 1
            right += cell.found and _holds(cell.value, words)
            found += cell.found
            cited += cell.found and cell.page is not None
    marked = {p.name for p in comparison.provisions if p.differs}
    changes = " ".join(f"{c.a} {c.b}" for c in comparison.redline)
    return {
        "cells right (hand-annotated words)": f"{right} of {cells}",
        "found cells cited with a page": f"{cited} of {found}",
        "changed rows marked as differing": f"{len(CHANGED & marked)} of {len(CHANGED)}",
        "unchanged rows wrongly marked": f"{len(UNCHANGED & marked)} of {len(UNCHANGED)}",
        "amendments in the redline": f"{sum(1 for w in REDLINE if w in changes)} of {len(REDLINE)}",
        "redline changes listed": str(len(comparison.redline)),
        "seconds": f"{seconds:.0f}",
    }
