"""The runtime embedder: onnxruntime + tokenizers + numpy, no torch.

Importing this path costs ~0.1 s and ~150 MB of packages instead of the 5-8 s and
~1.5 GB of sentence-transformers, which is why the installed app embeds through it.
It runs a folder written by ``assistant.embed.export`` (``model_int8.onnx`` and/or
``model.onnx`` plus the tokenizer and configs) and reproduces sentence-transformers'
pipeline: truncate to the model's window, run the transformer, mean (or CLS) pool
with the attention mask, L2-normalise.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant import offline
from assistant.embed.base import EmbedderUnavailableError, Vectors
from assistant.embed.model_info import read_model_info

log = logging.getLogger(__name__)

# 1 intra-op thread, measured on the 2-vCPU machine (AMD EPYC, KVM) with bench/embedders.py
# and interleaved 1-vs-2 runs on 200-word chunks: int8 median 13.2 vs 14.0 chunks/s under
# load ~6, 11.6 vs 10.6 at raised priority (1 vs 2 threads), within noise of each other;
# 1 thread used ~7% less CPU per chunk, and it leaves the other core to the UI, chromadb and OCR
# (the OCR sessions showed the same: 1 thread beat 2 under load). QUIRE_EMBED_THREADS
# overrides it for machines with more cores.
DEFAULT_THREADS = 1
SUPPORTED_POOLING = ("mean", "cls")


def default_threads() -> int:
    """Intra-op threads: the env override, else ``DEFAULT_THREADS`` capped by the CPU count."""
    env = os.environ.get("QUIRE_EMBED_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(DEFAULT_THREADS, os.cpu_count() or 1))


def find_onnx_file(folder: Path, file_name: str) -> Path:
    """``file_name`` in the folder itself or in its ``onnx/`` subfolder (sentence-transformers layout)."""
    for candidate in (folder / file_name, folder / "onnx" / file_name):
        if candidate.is_file():
            return candidate
    raise EmbedderUnavailableError(f"no {file_name} in {folder} or {folder / 'onnx'}")


class OnnxEmbedder:
    """An exported sentence-transformers model run by onnxruntime.

    One session, ``threads`` intra-op threads, sequential execution. Texts in one
    ``embed`` call are sorted by length before batching so each batch pads only to its
    own longest text (about half the work of padding everything to 256 on mixed chunk
    lengths); results come back in the caller's order.
    """

    def __init__(
        self,
        model_dir: Path,
        *,
        file_name: str = "model_int8.onnx",
        batch_size: int = 32,
        threads: int | None = None,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.file_name = file_name
        self.backend = "onnx-int8" if "int8" in file_name else "onnx"
        self._info = read_model_info(self.model_dir)
        if self._info.pooling not in SUPPORTED_POOLING:
            raise EmbedderUnavailableError(
                f"pooling {self._info.pooling!r} is not supported by the ONNX path"
            )
        self._batch_size = max(1, batch_size)
        self._threads = threads or default_threads()
        self._session: Any = None
        self._tokenizer: Any = None
        self._counter: Any = None
        self._input_names: tuple[str, ...] = ()
        self._output_name = ""
        self._pad_id = 0

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
        if self._session is not None:
            return
        offline.enforce_offline()  # ORT_DISABLE_TELEMETRY must be set before the import
        import onnxruntime as ort
        from tokenizers import Tokenizer

        started = time.perf_counter()
        ort.disable_telemetry_events()
        options = ort.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Idle worker threads otherwise spin and steal a core from the UI / the chat model.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        path = find_onnx_file(self.model_dir, self.file_name)
        session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])

        tokenizer_path = self.model_dir / "tokenizer.json"
        if not tokenizer_path.is_file():
            raise EmbedderUnavailableError(f"no tokenizer.json in {self.model_dir}")
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        # tokenizer.json files often ship truncation and padding fixed at 128: set ours
        # explicitly. Padding is done per batch in _embed_batch (to that batch's longest).
        tokenizer.enable_truncation(max_length=self.max_tokens)
        pad = tokenizer.padding or {}
        self._pad_id = int(pad.get("pad_id") or tokenizer.token_to_id("[PAD]") or 0)
        tokenizer.no_padding()
        counter = Tokenizer.from_file(str(tokenizer_path))
        counter.no_truncation()
        counter.no_padding()

        outputs = [o.name for o in session.get_outputs()]
        self._output_name = "last_hidden_state" if "last_hidden_state" in outputs else outputs[0]
        self._input_names = tuple(i.name for i in session.get_inputs())
        self._tokenizer, self._counter, self._session = tokenizer, counter, session
        log.info(
            "loaded %s (%s, threads=%d) in %.2f s",
            path.name,
            self.name,
            self._threads,
            time.perf_counter() - started,
        )

    def count_tokens(self, texts: list[str]) -> list[int]:
        self.warm_up()
        if not texts:
            return []
        return [len(e.ids) for e in self._counter.encode_batch(texts, add_special_tokens=False)]

    def embed(self, texts: list[str]) -> Vectors:
        self.warm_up()
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(texts)  # truncated, unpadded
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids), reverse=True)
        for start in range(0, len(order), self._batch_size):
            rows = order[start : start + self._batch_size]
            out[rows] = self._embed_batch([encodings[i] for i in rows])
        return out

    def _embed_batch(self, encodings: list[Any]) -> npt.NDArray[np.float32]:
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        types = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            mask[row, :n] = 1
            types[row, :n] = encoding.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        feeds = {k: v for k, v in feeds.items() if k in self._input_names}
        (output,) = self._session.run([self._output_name], feeds)
        hidden: npt.NDArray[np.float32] = np.asarray(output, dtype=np.float32)
        pooled: npt.NDArray[np.float32]
        if self._info.pooling == "cls":
            pooled = hidden[:, 0, :]
        else:
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        normalised: npt.NDArray[np.float32] = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return normalised
