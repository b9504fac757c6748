"""The hash embedder keeps the Embedder contract and makes retrieval tests meaningful."""

from __future__ import annotations

import numpy as np

from assistant.embed.base import Embedder
from assistant.testing.fake_embedder import HashEmbedder


def test_implements_protocol() -> None:
    embedder = HashEmbedder()
    assert isinstance(embedder, Embedder)
    assert embedder.name == "test/hash-embedder"
    assert embedder.dimension == 64
    assert embedder.max_tokens == 256
    embedder.warm_up()


def test_vectors_are_normalised_float32_and_deterministic() -> None:
    texts = ["The tenant pays rent monthly.", "", "!!!", "Ünïcode façade naïve"]
    first = HashEmbedder().embed(texts)
    second = HashEmbedder().embed(texts)
    assert first.shape == (4, 64)
    assert first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(first, second)


def test_empty_list() -> None:
    embedder = HashEmbedder()
    assert embedder.embed([]).shape == (0, 64)
    assert embedder.count_tokens([]) == []


def test_texts_sharing_words_rank_above_unrelated() -> None:
    embedder = HashEmbedder()
    query, related, unrelated = embedder.embed(
        [
            "How many days of notice does the lease require?",
            "The lease requires ninety days of written notice before termination.",
            "Patients allergic to penicillin were given azithromycin.",
        ]
    )
    assert float(query @ related) > float(query @ unrelated) + 0.2


def test_case_insensitive() -> None:
    upper, lower = HashEmbedder().embed(["LEASE NOTICE", "lease notice"])
    np.testing.assert_allclose(upper, lower)


def test_count_tokens_counts_words_and_punctuation() -> None:
    assert HashEmbedder().count_tokens(["Hello, world!", "one two three", ""]) == [4, 3, 0]


def test_long_text_is_truncated_to_window() -> None:
    embedder = HashEmbedder(max_tokens=10)
    head = " ".join(f"w{i}" for i in range(10))
    long_text = head + " " + " ".join(f"x{i}" for i in range(1000))
    np.testing.assert_allclose(embedder.embed([long_text]), embedder.embed([head]))
    assert embedder.count_tokens([long_text]) == [1010]  # counting is never truncated


def test_counts_embedded_texts() -> None:
    embedder = HashEmbedder()
    embedder.embed(["a", "b"])
    embedder.embed(["c"])
    assert embedder.embedded_texts == 3
