"""The sentence check alone: does "verified" point at the sentence that answers the question?

No model runs here: the claims are the professional set's own answer keys, so the figure is
the check's, not the model's. For each fact and clause question of the set (``bench.pro_set``,
the passages retrieved as the answerer retrieves them) and each value of the focus threshold
(``grounding.FOCUS_SUPPORT``), and for the check before issue 24 (any one term of the
question, the kind-of-figure words such as "maximum" counted as topic):

- ``right claim, gold sentence``: the gold answer is verified on a sentence that overlaps the
  gold span (what we want);
- ``right claim, other sentence``: the gold answer's words are verified on a sentence that
  is not the gold one (the committee's size answered from the re-appointment clause);
- ``wrong claim verified``: another question's answer, from the same document, is verified
  for this question (a confident wrong answer).

The professional set was written while the answer path was developed: it is a tuning set,
and these figures say how the mechanism behaves, not how it does on documents never seen.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from assistant.answering import grounding
from assistant.answering.grounding import find_support

FOCUS_VALUES = (0.3, 0.5, 0.7)


def _words(text: str) -> set[str]:
    return {w.lower().strip(".,;:()\"'") for w in text.split()} - {""}


def _on_gold(quote: str, spans: list[str]) -> bool:
    quoted = _words(quote)
    return any(len(_words(span) & quoted) >= 0.6 * len(_words(span)) for span in spans)


def _similarity(library: Any) -> Any:
    """The answerer's second judge: the library embedder's cosine of the question with each text."""
    from functools import partial

    from assistant.answering.pipeline import cosine_to_question

    return partial(cosine_to_question, library.embedder)


def main() -> None:
    from bench import pro_set
    from bench.rare_terms import pro_library
    from bench.results import write_results

    print("The sentence check on the professional set's answer keys (no model)")
    work = Path(tempfile.mkdtemp(prefix="quire-grounding-"))
    try:
        built = pro_library(work)
        if built is None:
            return
        library, paths = built
        questions = [
            q for q in pro_set.load_questions()
            if q.kind in ("fact", "clause") and q.gold and q.answer_keys and q.gold[0].document in paths
        ]  # fmt: skip
        cases = []
        for q in questions:
            hits = library.search(q.question, k=library.settings.retrieval.default_k)
            claim = " ".join(key.split("|")[0] for key in q.answer_keys)
            others = [o for o in questions if o.id != q.id and o.gold[0].document == q.gold[0].document]
            wrong = " ".join(k.split("|")[0] for k in others[0].answer_keys) if others else ""
            cases.append((q, [h.text for h in hits], claim, wrong))
        figures: dict[str, Any] = {}
        stop_words_now = grounding.TOPIC_STOP_WORDS
        print(f"  {len(cases)} questions")
        print(f"  {'check':<32}{'gold sentence':>16}{'other sentence':>16}{'wrong claim':>13}")
        similarity = _similarity(library)
        variants: list[tuple[str, float, frozenset[str], Any]] = [
            ("before (any term)", 1e-9, grounding.ASKING_WORDS, None)
        ]
        variants += [(f"words, focus {f:.1f}", f, grounding.TOPIC_STOP_WORDS, None) for f in FOCUS_VALUES]
        variants.append(
            (
                f"Quire: focus {grounding.FOCUS_SUPPORT} or meaning",
                grounding.FOCUS_SUPPORT,
                grounding.TOPIC_STOP_WORDS,
                similarity,
            )
        )
        for label, focus, stop_words, meaning in variants:
            grounding.TOPIC_STOP_WORDS = stop_words
            gold = other = wrong_verified = wrong_total = 0
            for q, texts, claim, wrong in cases:
                match = find_support(claim, q.question, texts, focus=focus, similarity=meaning)
                if match is not None and match.supports:
                    if _on_gold(match.quote, [g.span for g in q.gold]):
                        gold += 1
                    else:
                        other += 1
                if wrong:
                    wrong_total += 1
                    bad = find_support(wrong, q.question, texts, focus=focus, similarity=meaning)
                    wrong_verified += bad is not None and bad.supports
            n = len(cases)
            figures[label] = {
                "gold_sentence": gold / n, "other_sentence": other / n,
                "wrong_claim_verified": wrong_verified / max(wrong_total, 1), "n": n, "wrong_n": wrong_total,
            }  # fmt: skip
            wrong_share = wrong_verified / max(wrong_total, 1)
            print(f"  {label:<32}{gold / n:>16.3f}{other / n:>16.3f}{wrong_share:>13.3f}")
        grounding.TOPIC_STOP_WORDS = stop_words_now
        library.close()
        write_results("grounding", figures, split="tuning (the professional dev set)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    from assistant.offline import enforce_offline

    enforce_offline()
    main()
