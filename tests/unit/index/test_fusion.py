"""Score fusion: a passage that holds the query's rare term keeps a keyword score however few match."""

from __future__ import annotations

import pytest

from assistant.index.retrieve import RankedLists, score_fusion

WEIGHTS = (0.3, 0.7)


def _lists(similarity: dict[str, float], bm25: dict[str, float]) -> RankedLists:
    dense = sorted(similarity, key=lambda c: -similarity[c])
    lexical = sorted(bm25, key=lambda c: -bm25[c])
    return RankedLists(dense=dense, lexical=lexical, similarity=similarity, bm25=bm25)


def test_the_only_lexical_match_keeps_its_keyword_score_and_ranks_first() -> None:
    similarity = {"log:1": 0.62, "log:2": 0.61, "memo:7": 0.35, "other:3": 0.40}
    fused = dict(score_fusion(_lists(similarity, {"memo:7": 9.5}), WEIGHTS))
    assert fused["memo:7"] == pytest.approx(0.7)  # the dense weight alone would be 0
    assert max(fused, key=lambda c: fused[c]) == "memo:7"


@pytest.mark.parametrize(
    ("bm25", "expected"),
    [
        ({"a": 8.0}, {"a": 1.0}),
        ({"a": 8.0, "b": 2.0}, {"a": 1.0, "b": 0.25}),  # the weaker of two keeps its share
        ({"a": 4.0, "b": 4.0}, {"a": 1.0, "b": 1.0}),
        ({}, {}),
    ],
)
def test_keyword_scores_are_shares_of_the_best_match(
    bm25: dict[str, float], expected: dict[str, float]
) -> None:
    fused = dict(score_fusion(_lists({}, bm25), (0.0, 1.0)))
    assert fused == pytest.approx(expected)


def test_a_passage_found_by_both_sides_beats_one_found_by_either() -> None:
    similarity = {"both": 0.55, "dense-only": 0.60, "floor": 0.20}
    bm25 = {"both": 5.0, "lexical-only": 6.0}
    ranked = [cid for cid, _ in score_fusion(_lists(similarity, bm25), WEIGHTS)]
    assert ranked[0] == "both"
