"""A choice between two documents is put to each alternative as a question of its own."""

from __future__ import annotations

import pytest

from assistant.answering.choices import ChoiceKind, choice_question, degree_question
from assistant.answering.question import choice_options


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Which of the two, the LGPL 2.1 or the GPL v2, lets us link under terms of our choice?",
         ("Does the LGPL 2.1 let us link under terms of our choice?",
          "Does the GPL v2 let us link under terms of our choice?")),
        ("Which lets us keep our changes private: the GPL v2 or the PSF License?",
         ("Does the GPL v2 let us keep our changes private?", "Does the PSF License let us keep our changes private?")),
        ("Which licence requires a notice on modified files, the Apache-2.0 or the MPL-2.0?",
         ("Does the Apache-2.0 require a notice on modified files?",
          "Does the MPL-2.0 require a notice on modified files?")),
        ("Which of the two studies, the FES study or the rat study, was approved by an ethics committee?",
         ("Was the FES study approved by an ethics committee?", "Was the rat study approved by an ethics committee?")),
        ("Which of the two, the OFL 1.1 or the CC BY 4.0, forbids selling the work by itself?",
         ("Does the OFL 1.1 forbid selling the work by itself?", "Does the CC BY 4.0 forbid selling the work by itself?")),
        ("Which of them applies to fonts: OFL 1.1 or CC BY 4.0?",
         ("Does OFL 1.1 apply to fonts?", "Does CC BY 4.0 apply to fonts?")),
        ("Which can be sold by itself, the OFL 1.1 or the CC BY 4.0?",
         ("Can the OFL 1.1 be sold by itself?", "Can the CC BY 4.0 be sold by itself?")),
        ("Which has a patent clause, the MIT or the Apache-2.0?",
         ("Does the MIT have a patent clause?", "Does the Apache-2.0 have a patent clause?")),
        ("Which applies, the 2019 lease or the 2021 lease?", None),  # nothing left to ask
        # By degree: no yes/no question of each side settles it.
        ("Which of the two vignettes, the follow-up one or the competing-risks one, is at the higher version?", None),
        ("Which is longer, the MIT licence or the BSD licence?", None),
        ("Which study used rats, the FES study or the rat study?", None),  # past tense: kept as one answer
    ],
)  # fmt: skip
def test_choice_question_asks_each_alternative_yes_or_no(
    question: str, asked: tuple[str, str] | None
) -> None:
    options = choice_options(question)
    assert len(options) == 2
    got = tuple(choice_question(question, options, option) for option in options)
    assert got == (asked or (None, None))


@pytest.mark.parametrize(
    ("question", "asked", "kind"),
    [
        ("Which of the two vignettes, the follow-up one or the competing-risks one, is at the higher version number?",
         "What is the version number of the follow-up one?", ChoiceKind.LARGER),
        ("Which lease has the longer notice period, the 2019 lease or the 2021 lease?",
         "What is the notice period of the 2019 lease?", ChoiceKind.LARGER),
        ("Which study, the FES study or the rat study, had the smaller number of subjects?",
         "What is the number of subjects of the FES study?", ChoiceKind.SMALLER),
        ("Which is longer, the MIT licence or the BSD licence?", None, None),  # longer in what?
        ("Which of the two, the GPL-3.0 or the LGPL-3.0, is more permissive?", None, None),
    ],
)  # fmt: skip
def test_degree_question_asks_each_alternative_for_its_figure(
    question: str, asked: str | None, kind: ChoiceKind | None
) -> None:
    options = choice_options(question)
    got = degree_question(question, options, options[0])
    assert got == (None if asked is None else (asked, kind))
