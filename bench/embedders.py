"""Embedding speed and agreement per backend: torch fp32, ONNX fp32, ONNX int8 (1 and 2 threads).

Run from the repository root: ``python -m bench.embedders [--n 300] [--cache DIR]``.
Speeds are chunks per second after a warm-up batch; agreement is the cosine of each
vector with torch fp32's vector for the same text (the reference every backend must
match closely enough to share a library).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embed.base import Embedder
from assistant.embed.export import ensure_onnx_export
from assistant.embed.model_info import bundled_model_dir
from assistant.embed.onnx_backend import OnnxEmbedder
from assistant.embed.torch_backend import SentenceTransformerEmbedder

_VOCABULARY = (
    "agreement party tenant landlord notice term renewal clause liability indemnify damages breach "
    "patient dose allergy treatment trial outcome adverse event protocol cohort diagnosis symptom "
    "revenue audit quarter restated consignment shipment customer acceptance ledger reconciliation "
    "the of and to in that is for on with as by at from which shall must may not be any all each "
    "within days written registered mail address stated before after during following however "
    "committee approved budget library wing shelving volumes reading room river construction"
)
_WORDS = _VOCABULARY.split()


def synthetic_paragraphs(n: int, words: int = 200, seed: int = 7) -> list[str]:
    """Deterministic pseudo-prose: ~200 words is ~230-260 MiniLM word pieces, Quire's chunk size."""
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(n):
        sentence_words = [rng.choice(_WORDS) for _ in range(words)]
        text = " ".join(sentence_words)
        paragraphs.append(text[0].upper() + text[1:] + ".")
    return paragraphs


def _timed(embedder: Embedder, texts: list[str], batch: int) -> tuple[np.ndarray, float]:
    embedder.warm_up()
    embedder.embed(texts[:batch])  # warm-up batch: first-run allocations, lazy kernels
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    return vectors, time.perf_counter() - started


def measure_embedders(
    texts: list[str], cache_dir: Path, *, batch_size: int = 32, onnx_threads: tuple[int, ...] = (1, 2)
) -> list[dict[str, Any]]:
    """One row per backend: chunks/s on ``texts`` and mean/min cosine vs torch fp32.

    The ONNX rows are measured once per entry of ``onnx_threads``; torch runs with its
    default thread count (all cores). The export into ``cache_dir`` happens before any
    timing and is reported as ``export_s`` on the first ONNX row.
    """
    model_dir = bundled_model_dir()
    started = time.perf_counter()
    folder = ensure_onnx_export(model_dir, cache_dir, quantize=True)
    export_s = time.perf_counter() - started

    import torch

    reference_embedder = SentenceTransformerEmbedder(model_dir, batch_size=batch_size)
    reference, seconds = _timed(reference_embedder, texts, batch_size)
    tokens = reference_embedder.count_tokens(texts)
    common = {"n": len(texts), "mean_tokens": round(float(np.mean(tokens)), 1), "batch": batch_size}
    rows: list[dict[str, Any]] = [
        {
            "backend": "torch-fp32",
            "threads": torch.get_num_threads(),
            "chunks_per_s": round(len(texts) / seconds, 1),
            "mean_cos_vs_torch": 1.0,
            "min_cos_vs_torch": 1.0,
            **common,
        }
    ]
    for file_name, label in (("model.onnx", "onnx-fp32"), ("model_int8.onnx", "onnx-int8")):
        for threads in onnx_threads:
            embedder = OnnxEmbedder(folder, file_name=file_name, batch_size=batch_size, threads=threads)
            vectors, seconds = _timed(embedder, texts, batch_size)
            cosines = np.sum(vectors * reference, axis=1)
            rows.append(
                {
                    "backend": label,
                    "threads": threads,
                    "chunks_per_s": round(len(texts) / seconds, 1),
                    "mean_cos_vs_torch": round(float(cosines.mean()), 4),
                    "min_cos_vs_torch": round(float(cosines.min()), 4),
                    **common,
                }
            )
    rows[1]["export_s"] = round(export_s, 1)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300, help="number of synthetic 200-word paragraphs")
    parser.add_argument("--cache", type=Path, default=None, help="cache dir (default: a fresh temp dir)")
    args = parser.parse_args()
    texts = synthetic_paragraphs(args.n)
    with tempfile.TemporaryDirectory(prefix="quire-bench-") as tmp:
        rows = measure_embedders(texts, args.cache or Path(tmp))
    base = rows[0]["chunks_per_s"]
    print(f"{len(texts)} paragraphs, mean {rows[0]['mean_tokens']} word pieces, {os.cpu_count()} CPUs")
    if "export_s" in rows[1]:
        print(f"export (fp32 + int8, incl. imports): {rows[1]['export_s']} s")
    print(f"{'backend':<12}{'threads':>8}{'chunks/s':>10}{'speed-up':>10}{'mean cos':>10}{'min cos':>9}")
    for row in rows:
        print(
            f"{row['backend']:<12}{row['threads']:>8}{row['chunks_per_s']:>10}"
            f"{row['chunks_per_s'] / base:>9.2f}x{row['mean_cos_vs_torch']:>10}{row['min_cos_vs_torch']:>9}"
        )


if __name__ == "__main__":
    main()
