"""`python -m bench columns`: do quoted sentences of multi-column PDF pages read as one column?

The sentences in ``bench/data/column_sentences.json`` were copied by hand from the
rendered pages of the tuning documents' multi-column PDFs. Each is looked up, whitespace
and quote marks aside, in the page's text as pypdf reads it (the reader before column
order) and as Quire reads it now; a sentence found whole reads as one column, one that is
not was spliced with its neighbours. Prints both shares, one sentence before and after,
and the seconds Quire's reader takes per page; writes ``bench/results/columns.json``.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

from pypdf import PdfReader

from assistant.ingest.pdf import load_pdf
from bench import pro_set
from bench.results import Eta, write_results
from bench.retrieval import CACHE

SENTENCES = Path(__file__).parent / "data" / "column_sentences.json"


def plain(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').split())


def main() -> None:
    entries = json.loads(SENTENCES.read_text(encoding="utf-8"))["sentences"]
    names = {e["document"] for e in entries}
    wanted = [d for d in pro_set.DOCUMENTS if d.filename in names]
    paths = pro_set.fetch(CACHE / "pro", wanted)
    by_name = {path.name: path for path in paths.values()}
    before: dict[tuple[str, int], str] = {}
    after: dict[tuple[str, int], str] = {}
    pages = 0
    seconds = 0.0
    eta = Eta("documents read twice", len(names))
    for name in sorted(names):
        data = by_name[name].read_bytes()
        reader = PdfReader(io.BytesIO(data))
        for number, page in enumerate(reader.pages, start=1):
            before[(name, number)] = plain(page.extract_text() or "")
        started = time.perf_counter()
        document = load_pdf(by_name[name], data)
        seconds += time.perf_counter() - started
        pages += len(document.pages)
        for page in document.pages:
            after[(name, page.number)] = plain(page.text)
        eta.step()
    whole_before = [plain(e["text"]) in before[(e["document"], e["page"])] for e in entries]
    whole_after = [plain(e["text"]) in after[(e["document"], e["page"])] for e in entries]
    n = len(entries)
    figures = {
        "sentences read as one column, pypdf alone (before)": f"{sum(whole_before)} of {n}",
        "sentences read as one column, Quire (now)": f"{sum(whole_after)} of {n}",
        "reading time per page (Quire, with column order)": f"{seconds / max(pages, 1) * 1000:.0f} ms",
    }
    print("Multi-column pages: hand-copied sentences found whole in the page text")
    for label, value in figures.items():
        print(f"  {label:<55} {value}")
    example = next(
        (e for e, b, a in zip(entries, whole_before, whole_after, strict=True) if a and not b), None
    )
    if example is not None:
        key = (example["document"], example["page"])
        head = " ".join(plain(example["text"]).split()[:4])
        spot = before[key].find(head)
        print(f"\n  {example['document']} p.{example['page']}, as copied: {example['text']}")
        print(f"  before: {before[key][max(spot, 0) : max(spot, 0) + 200]}")
        print(f"  now:    {plain(example['text'])}")
    write_results("columns", figures, sentences=n)
