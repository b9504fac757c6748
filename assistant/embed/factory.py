"""The embedder the engine asks for: ``make_embedder`` picks and loads a backend.

Backends: ``onnx-int8`` / ``onnx`` run a folder exported once into the cache
(``assistant.embed.export``) with onnxruntime alone (``assistant.embed.onnx_backend``, no
torch); ``torch`` is sentence-transformers fp32 for any folder; ``auto`` is int8 with a
logged fallback to torch.
"""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.config import EmbedderBackend
from assistant.embed.base import Embedder, EmbedderUnavailableError, Vectors
from assistant.embed.model_info import read_model_info, resolve_model_dir
from assistant.embed.torch_backend import SentenceTransformerEmbedder

log = logging.getLogger(__name__)


class ModelEmbedder:
    """The embedder ``make_embedder`` returns: picks and loads a backend in ``warm_up``.

    Construction only reads a few small JSON files, so settings can be applied and the
    UI can show the model's name without paying for an export or a model load. The
    backend actually used is visible in ``backend`` after ``warm_up`` (``"pending"``
    before). ``name`` names the model, not the backend: int8 and fp32 vectors of the
    same model agree to cosine ~0.99 and may share one library.
    """

    def __init__(
        self, model_dir: Path, backend: EmbedderBackend | str, cache_dir: Path, *, batch_size: int = 32
    ) -> None:
        try:
            requested = EmbedderBackend(backend)
        except ValueError:
            known = ", ".join(b.value for b in EmbedderBackend)
            raise ValueError(f"unknown embedder backend {backend!r}; expected one of {known}") from None
        self.model_dir = Path(model_dir)
        self.requested_backend = requested
        self._cache_dir = Path(cache_dir)
        self._batch_size = batch_size
        self._info = read_model_info(self.model_dir)
        self._inner: Embedder | None = None
        self.backend: str = "pending"  # a EmbedderBackend once warmed up

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
        if self.requested_backend == EmbedderBackend.TORCH:
            inner: Embedder = SentenceTransformerEmbedder(self.model_dir, batch_size=self._batch_size)
            inner.warm_up()
            self._set(inner, EmbedderBackend.TORCH)
            return
        quantize = self.requested_backend in (EmbedderBackend.AUTO, EmbedderBackend.ONNX_INT8)
        try:
            onnx_embedder = self._load_onnx(quantize)
        except Exception as exc:
            if self.requested_backend != EmbedderBackend.AUTO:
                raise EmbedderUnavailableError(
                    f"{self.requested_backend} embedder for {self.name} failed: {exc}"
                ) from exc
            log.warning("int8 ONNX embedder unavailable for %s (%s); using torch fp32", self.name, exc)
            inner = SentenceTransformerEmbedder(self.model_dir, batch_size=self._batch_size)
            inner.warm_up()
            self._set(inner, EmbedderBackend.TORCH)
            return
        self._set(onnx_embedder, EmbedderBackend.ONNX_INT8 if quantize else EmbedderBackend.ONNX)

    def _load_onnx(self, quantize: bool) -> Embedder:
        from assistant.embed.export import ensure_onnx_export
        from assistant.embed.onnx_backend import OnnxEmbedder

        folder = ensure_onnx_export(self.model_dir, self._cache_dir, quantize=quantize)
        embedder = OnnxEmbedder(
            folder, file_name="model_int8.onnx" if quantize else "model.onnx", batch_size=self._batch_size
        )
        embedder.warm_up()
        return embedder

    def _set(self, inner: Embedder, backend: EmbedderBackend) -> None:
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


def make_embedder(
    model: str, backend: EmbedderBackend | str, cache_dir: Path, *, batch_size: int = 32
) -> ModelEmbedder:
    """The configured embedder, not yet loaded: call ``warm_up()`` on the worker thread.

    ``model`` is ``""`` for the bundled all-MiniLM-L6-v2 or a sentence-transformers
    folder; ``backend`` is a ``EmbedderBackend``. Raises ``EmbedderUnavailableError`` now
    (cheaply) for a folder that does not exist, so a bad setting fails at once.
    """
    return ModelEmbedder(resolve_model_dir(model), backend, cache_dir, batch_size=batch_size)
