"""A deterministic embedder with no model, for fast tests of indexing and retrieval.

Vectors are a hashed bag of lowercase words and character trigrams, so texts that
share words (or word stems) point in similar directions: a retrieval test built on it
still has to find the passage that talks about the question's subject, which a random
or constant fake would not check.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from assistant.embed.base import Vectors

_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w+")


class HashEmbedder:
    """Implements ``assistant.embed.Embedder`` with hashing instead of a network.

    Words weigh 1.0 and trigrams (of ``" word "``, so prefixes and suffixes count) 0.5;
    each feature lands in one of ``dimension`` buckets with a hash-derived sign. Same
    text, same vector, in every process (``blake2b``, not Python's salted ``hash``).
    """

    backend = "hash"

    def __init__(self, dimension: int = 64, max_tokens: int = 256) -> None:
        self._dimension = dimension
        self._max_tokens = max_tokens
        self.warmed_up = False
        self.embedded_texts = 0  # lets tests assert that unchanged text is not embedded twice

    @property
    def name(self) -> str:
        return "test/hash-embedder"

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def warm_up(self) -> None:
        self.warmed_up = True

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Words and punctuation marks, each one token."""
        return [len(_TOKEN.findall(text)) for text in texts]

    def embed(self, texts: list[str]) -> Vectors:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = _TOKEN.findall(text)[: self._max_tokens]  # truncate like a real model
            for word in _WORD.findall(" ".join(tokens).lower()):
                self._add(out[row], "w:" + word, 1.0)
                padded = f" {word} "
                for i in range(len(padded) - 2):
                    self._add(out[row], "t:" + padded[i : i + 3], 0.5)
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
            else:  # empty or punctuation-only text: a fixed unit vector, never NaN
                out[row, 0] = 1.0
        self.embedded_texts += len(texts)
        return out

    def _add(self, vector: Vectors, feature: str, weight: float) -> None:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        sign = 1.0 if value & 1 else -1.0
        vector[(value >> 1) % self._dimension] += sign * weight
