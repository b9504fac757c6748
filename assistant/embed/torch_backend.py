"""The torch fp32 backend: any sentence-transformers folder, and the reference for int8."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant import offline
from assistant.embed.base import Vectors
from assistant.embed.model_info import read_model_info

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------
# torch fp32 fallback
# --------------------------------------------------------------------------------------


class SentenceTransformerEmbedder:
    """Any sentence-transformers folder through sentence-transformers + torch, fp32 on CPU.

    The fallback for models the ONNX path cannot run (extra Dense heads, unusual
    pooling, a failed export) and the reference the int8 vectors are checked against.
    Importing it costs 5-8 s and ~1.5 GB of packages, so the import happens in
    ``warm_up``, never at construction.
    """

    backend = "torch"

    def __init__(self, model_dir: Path, *, batch_size: int = 32) -> None:
        self._dir = Path(model_dir)
        self._info = read_model_info(self._dir)
        self._batch_size = batch_size
        self._model: Any = None
        self._counter: Any = None

    @property
    def name(self) -> str:
        return self._info.name

    @property
    def dimension(self) -> int:
        return self._info.dimension

    @property
    def max_tokens(self) -> int:
        return self._info.max_tokens

    def warm_up(self) -> None:
        if self._model is not None:
            return
        offline.enforce_offline()
        from sentence_transformers import SentenceTransformer

        started = time.perf_counter()
        model = SentenceTransformer(
            str(self._dir), device="cpu", backend="torch", local_files_only=True, trust_remote_code=False
        )
        model.eval()
        get_dimension = (
            getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        )
        dimension = get_dimension()
        self._info = replace(
            self._info,
            dimension=int(dimension or self._info.dimension),
            max_tokens=int(model.max_seq_length or self._info.max_tokens),
        )
        backend_tokenizer = getattr(model.tokenizer, "backend_tokenizer", None)
        if backend_tokenizer is not None:
            from tokenizers import Tokenizer

            counter = Tokenizer.from_str(backend_tokenizer.to_str())
            counter.no_truncation()
            counter.no_padding()
            self._counter = counter
        self._model = model
        log.info("loaded %s (torch fp32) in %.1f s", self.name, time.perf_counter() - started)

    def count_tokens(self, texts: list[str]) -> list[int]:
        self.warm_up()
        if not texts:
            return []
        if self._counter is not None:
            return [len(e.ids) for e in self._counter.encode_batch(texts, add_special_tokens=False)]
        ids = self._model.tokenizer(texts, add_special_tokens=False, truncation=False, verbose=False)
        return [len(row) for row in ids["input_ids"]]

    def embed(self, texts: list[str]) -> Vectors:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
