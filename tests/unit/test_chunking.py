from __future__ import annotations

import re

from assistant.ingest.chunking import chunk_pages
from assistant.ingest.types import Page


def words(texts: list[str]) -> list[int]:
    return [len(re.findall(r"\w+|[^\w\s]", t)) for t in texts]


def sentences(n: int, prefix: str = "Sentence") -> str:
    return " ".join(f"{prefix} number {i} talks about clause {i}." for i in range(n))


def test_chunks_fit_the_window_and_cover_all_text() -> None:
    pages = [Page(1, sentences(40)), Page(2, sentences(40, "Other"))]
    chunks = chunk_pages(pages, words, target_tokens=50, max_tokens=64)
    assert len(chunks) > 4
    assert all(words([c.text])[0] <= 64 for c in chunks)
    joined = " ".join(c.text for c in chunks)
    for i in range(40):
        assert f"Sentence number {i} " in joined
        assert f"Other number {i} " in joined


def test_chunk_carries_pages_where_it_starts_and_ends() -> None:
    pages = [Page(1, "Alpha one. " * 3), Page(2, "Beta two. " * 3), Page(3, "Gamma three. " * 30)]
    chunks = chunk_pages(pages, words, target_tokens=30, max_tokens=64)
    first = chunks[0]
    assert first.page_start == 1
    assert first.page_end > 1  # the first chunk runs over the page break
    assert chunks[-1].page_start == 3 and chunks[-1].page_end == 3


def test_character_spans_point_at_the_chunk_text() -> None:
    pages = [Page(4, "First page text. More words here."), Page(5, "Second page. Even more.")]
    chunks = chunk_pages(pages, words, target_tokens=6, max_tokens=64)
    full = "First page text. More words here.\n\nSecond page. Even more."
    for chunk in chunks:
        assert full[chunk.char_start : chunk.char_end] == chunk.text
    assert chunks[-1].page_end == 5


def test_a_sentence_longer_than_the_window_is_split_not_truncated() -> None:
    long_sentence = " ".join(f"word{i}" for i in range(300)) + "."
    chunks = chunk_pages([Page(1, long_sentence)], words, target_tokens=100, max_tokens=128)
    assert len(chunks) >= 3
    assert all(words([c.text])[0] <= 128 for c in chunks)
    assert "word0" in chunks[0].text and "word299" in chunks[-1].text


def test_empty_pages_give_no_chunks() -> None:
    assert chunk_pages([Page(1, "  \n "), Page(2, "")], words, target_tokens=50, max_tokens=64) == []


def test_overlap_repeats_the_last_sentence() -> None:
    chunks = chunk_pages([Page(1, sentences(20))], words, target_tokens=30, max_tokens=64, overlap_tokens=10)
    assert len(chunks) > 2
    last_sentence_of_first = chunks[0].text.rsplit("Sentence", 1)[1]
    assert last_sentence_of_first in chunks[1].text
