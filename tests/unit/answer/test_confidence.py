"""How confidence is rated from measured signals (``assistant.answering.confidence``)."""

from __future__ import annotations

import pytest

from assistant.answering.compose import Composed
from assistant.answering.confidence import rate
from assistant.answering.types import Answer, Confidence

THRESHOLD = 0.5


def answered(evidence: float) -> Answer:
    return Answer(question="q", answer="a", found=True, model="m", evidence=evidence)


@pytest.mark.parametrize(
    ("composed", "evidence", "level"),
    [
        (Composed("30 days", direct_supported=True, support_rank=1), 0.7, Confidence.HIGH),
        (Composed("30 days", direct_supported=True, support_rank=1), 0.55, Confidence.MEDIUM),  # near the threshold
        (Composed("30 days", direct_supported=True, support_rank=3), 0.7, Confidence.MEDIUM),  # retriever disagrees
        (Composed("30 days", direct_supported=True, support_rank=1, missing_parts=1), 0.7, Confidence.MEDIUM),
        (Composed("30 days", direct_supported=True, support_rank=1, multi_part=True), 0.7, Confidence.MEDIUM),
        (Composed("", direct_supported=False), 0.9, Confidence.LOW),  # no sentence states it
    ],
)  # fmt: skip
def test_confidence_levels(composed: Composed, evidence: float, level: Confidence) -> None:
    assert rate(answered(evidence), composed, THRESHOLD) is level
