"""The professional set's scoring rules: plain string checks anyone can re-run on an answer."""

from __future__ import annotations

import pytest

from bench import pro_set

CHOICE = pro_set.ProQuestion(
    id="c",
    kind="compare",
    question="Which of the two, the GPL v2 or the PSF License, lets us keep our changes private?",
    documents=("gpl2", "psf2"),
    answer_keys=("PSF|Python",),
    choice="PSF|Python",
    other="GPL",
)


def answer(text: str, found: bool = True) -> dict[str, object]:
    return {"answer": text, "found": found, "citations": []}


@pytest.mark.parametrize(
    ("text", "correct"),
    [
        ("The PSF License. [2]\nGPL v2: No. [1]\nPSF License: Yes. [2]", True),
        # Each side is labelled, so the keys are in every such answer: the first line decides.
        ("The GPL v2. [1]\nGPL v2: Yes. [1]\nPSF License: No. [2]", False),
        ("Both the GPL v2 and the PSF License. [1] [2]", False),
        ("The documents found do not settle which.\nGPL v2: No. [1]\nPSF License: Yes. [2]", False),
        ("The Python licence. [1]", True),  # an accepted spelling of the choice
    ],
)
def test_a_choice_is_right_only_when_its_first_line_names_the_right_alternative(
    text: str, correct: bool
) -> None:
    assert pro_set.score(CHOICE, answer(text))["correct"] is correct


def test_a_choice_question_must_name_both_alternatives_to_score() -> None:
    entry = {
        "id": "c",
        "kind": "compare",
        "question": CHOICE.question,
        "documents": ["gpl2", "psf2"],
        "gold": [{"document": "psf2", "page": 1, "span": "x"}],
        "answer_keys": ["PSF"],
        "choice": "PSF",
    }
    with pytest.raises(ValueError, match="names both 'choice' and 'other'"):
        pro_set._question(entry)
    assert pro_set._question({**entry, "other": "GPL"}).choice == "PSF"  # one gold document is enough
