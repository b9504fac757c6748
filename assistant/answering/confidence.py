"""How far an answer can be relied on without opening its source: high, medium or low.

Built from signals measured on the answer itself, never from the model's own say-so:

- the sentence check: is the direct answer backed by a sentence, about what was asked,
  of a passage that was given (``compose``)? An answer without one is ``low``;
- retrieval evidence: how far the best passage's similarity clears the not-found
  threshold (``HIGH_MARGIN``). The threshold itself is calibrated per embedder by
  `make bench`, so the margin travels with it across document sets;
- agreement between retrieval and the model: the backing sentence is in one of the
  ``TOP_RANKS`` passages the retriever ranked highest;
- completeness: a part of the question the documents found do not answer caps it at ``medium``;
  so does a question of several parts, whose later parts are matched to sentences by
  shared words only (on the tuning documents, two of the three wrong "high" answers to
  two-part questions had a right first part and a wrong second one).
- how the verdict was read: a "No" read from its sentence's negation by rule
  (``verdicts.decisive_no``), not stated by the model and backed, is at most ``medium``.

`make bench` prints, per level, how often answers were right on the dev sets: "high"
must be right far more often than "low".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.answering.types import Answer, Confidence

if TYPE_CHECKING:
    from assistant.answering.compose import Composed

HIGH_MARGIN = 0.10  # similarity above the not-found threshold that "high" needs
TOP_RANKS = 2  # the backing passage must be among the retriever's best this many


def rate(answer: Answer, composed: Composed | None, min_similarity: float) -> Confidence:
    """The confidence of a finished answer (``composed`` None for a refusal)."""
    if answer.cancelled:
        return Confidence.LOW
    if composed is None:
        # A refusal: sure when nothing came close, worth a look when a passage nearly matched.
        return Confidence.HIGH if answer.evidence < min_similarity else Confidence.MEDIUM
    if not composed.direct_supported or composed.support_rank is None:
        return Confidence.LOW
    if (
        composed.missing_parts
        or composed.multi_part
        or composed.read_verdict
        or answer.evidence < min_similarity + HIGH_MARGIN
        or composed.support_rank > TOP_RANKS
    ):
        return Confidence.MEDIUM
    return Confidence.HIGH
