"""Repeated passages (log lines, a header on every page) are kept out of the vector index's way.

A 25 MB log file is thousands of chunks that say the same thing with other timestamps.
Embedding each costs minutes, and thousands of near-identical vectors degrade chromadb's
HNSW graph until dense search stops reaching a passage in another file (a name that occurs
once in the library was lost that way). So within a document, a chunk whose text equals an
earlier chunk's once digits and spacing are set aside gets no vector of its own: the first
occurrence stands for it in dense search. Every chunk, repeated or not, keeps its row,
its page and its full-text entry, so keyword search and citations still reach each place.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def repeat_key(text: str) -> str:
    """What two chunks share when they say the same thing: the text, lowercased, digits and spacing aside."""
    folded = _SPACE.sub(" ", _DIGITS.sub("0", text.lower())).strip()
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=16).hexdigest()


def distinct(texts: Sequence[str]) -> list[int]:
    """Indexes of the texts that are the first of their kind, in order."""
    seen: set[str] = set()
    kept: list[int] = []
    for index, text in enumerate(texts):
        key = repeat_key(text)
        if key not in seen:
            seen.add(key)
            kept.append(index)
    return kept
