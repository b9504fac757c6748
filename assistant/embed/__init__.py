"""Embedding models: the protocol (``base``) first, then the backends that implement it.

Importing this package is cheap: onnxruntime, tokenizers and torch are imported only when
a backend warms up.
"""

from assistant.embed.base import Embedder, EmbedderUnavailableError, Vectors

__all__ = ["Embedder", "EmbedderBackend", "EmbedderUnavailableError", "Vectors"]
