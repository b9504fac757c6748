"""The embedder contract: what the index needs from an embedding model.

The protocol comes first and the backends import it, never the reverse, so an
embedder can be faked, swapped or exported without touching the index. Haystack-style:
construction is cheap; ``warm_up()`` loads the model on the worker thread that will use
it. Vectors come back L2-normalised float32, so cosine similarity is a dot product.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from assistant.errors import QuireError

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


class EmbedderUnavailableError(QuireError, RuntimeError):
    """The requested model or backend cannot run here (missing folder, failed export)."""
