"""A choice between two documents ("Which of the two, the LGPL 2.1 or the GPL v2, lets us ...?")
put to each alternative as a question of its own.

Asked of both documents at once, the small model names the alternative whose name its
passages repeat most, and a word check cannot tell whether the sentence it leans on speaks
of the alternative named. Asked of each alternative from its own document, the answer is a
verdict its own sentence must decide ("Does the LGPL 2.1 let us ...?"), or a figure it must
state ("What is the notice period of the 2019 lease?"), and the choice follows from those
(``compose.choose_side``, ``compose.choose_by_degree``). Plain English frames, fitted to no
document; a wording they do not read keeps the one-answer path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from enum import Enum

from assistant.answering.sides import Side, without_side
from assistant.text import STOPWORDS, whole_phrase

# A choice between alternatives compared by degree ("which is at the higher version number?")
# is not settled by asking each alternative a yes/no question.
_COMPARATIVE = re.compile(
    r"\b(?:\w+er\s+than|more|less|fewer|most|least|higher|lower|longer|shorter|larger|smaller|"
    r"greater|bigger|earlier|later|older|newer|highest|lowest|longest|shortest|largest|smallest|"
    r"greatest|earliest|latest|oldest|newest|first|last)\b",
    re.IGNORECASE,
)
_MODALS = frozenset(["can", "could", "may", "might", "must", "shall", "should", "will", "would"])
_AUXILIARIES = _MODALS | {"is", "are", "was", "were", "has", "have", "does", "do"}
_CHOICE_FRAME = re.compile(
    r"^(?:which|who)(?:\s+of\s+(?:the\s+two|them|these|those|both))?\s+", re.IGNORECASE
)
MAX_CHOICE_NOUN_WORDS = 2  # "Which licence lets ...", "Which of the two studies requires ..."


def choice_question(question: str, options: Sequence[str], phrase: str) -> str | None:
    """A choice question ("Which of the two, the LGPL 2.1 or the GPL v2, lets us ...?") as the
    yes/no question it puts to one alternative ("Does the LGPL 2.1 let us ...?"), or None.

    Asked of both documents at once, the small model names the alternative whose name its
    passages repeat most, and a word check cannot tell whether the sentence it leans on
    speaks of the alternative named. Asked of each alternative from its own document, the
    answer is a verdict its own sentence must decide (``compose.verdict_agrees``), and the
    choice follows from the verdicts. None when the wording is not "which [noun] <verb> ..."
    in the present tense, or when the choice is by degree ("the higher version"), which no
    yes/no verdict settles: such a question keeps the one-answer path.
    """
    if len(options) != 2 or _COMPARATIVE.search(question):
        return None
    text = _without_alternatives(question, options)
    frame = _CHOICE_FRAME.match(text)
    if frame is None:
        return None
    words = text[frame.end() :].split()
    side = as_named(question, phrase)
    # "of the two studies" names the kind of thing chosen between: its noun is no verb.
    plural = re.search(r"\bof\s+(?:the\s+two|these|those)\s+$", frame.group(0), re.IGNORECASE)
    skip = int(bool(plural) and len(words) > 1 and _verb_like(words[1].lower()))
    heads = [word.lower() for word in words[: MAX_CHOICE_NOUN_WORDS + 1]]
    # An auxiliary is the verb wherever it stands ("Which of the two studies was ..."); a
    # word in -s only where no auxiliary is ("Which licence requires ...").
    auxiliaries = [index for index, word in enumerate(heads) if word in _AUXILIARIES]
    for index in [*auxiliaries, *range(skip, len(heads))]:
        rest = " ".join(words[index + 1 :])
        asked = _yes_no_frame(heads[index], side, rest) if rest else None
        if asked is not None:
            return asked
    return None


def _without_alternatives(question: str, options: Sequence[str]) -> str:
    """The choice question less the phrase that lists its alternatives (", the A or the B,")."""
    first, second = (whole_phrase(option) for option in options)
    listed = rf"\s*[,:;\u2014-]?\s*(?:either\s+)?(?:the\s+)?{first},?\s+or\s+(?:the\s+)?{second}\s*[,:;\u2014-]?\s*"
    return " ".join(re.sub(listed, " ", question.strip().rstrip("?. "), count=1, flags=re.IGNORECASE).split())


def as_named(question: str, phrase: str) -> str:
    """The alternative as the question names it: "the PSF License" where it says "the"."""
    return (
        f"the {phrase}" if re.search(rf"\bthe\s+{whole_phrase(phrase)}", question, re.IGNORECASE) else phrase
    )


# A choice by degree names a measure after its comparative: "the higher version number", "the
# longer notice period". The first word says whether the larger figure wins.
_LARGER = frozenset(["higher", "longer", "larger", "greater", "bigger", "later", "newer"])
_SMALLER = frozenset(["lower", "shorter", "smaller", "earlier"])
_MEASURE = re.compile(
    rf"\b(?P<degree>{'|'.join(sorted(_LARGER | _SMALLER))})\s+(?P<measure>[a-z][\w-]*(?:\s+[a-z][\w-]*){{0,3}})",
    re.IGNORECASE,
)


class ChoiceKind(Enum):
    """How a choice between two documents is put to each alternative."""

    VERDICT = "verdict"  # "Which, A or B, lets us ...?": "Does A let us ...?", decided yes or no
    LARGER = "larger"  # "Which, A or B, has the longer notice period?": each one's figure, the larger wins
    SMALLER = "smaller"  # "... the shorter notice period?": the smaller wins


def degree_question(question: str, options: Sequence[str], phrase: str) -> tuple[str, ChoiceKind] | None:
    """A choice by degree ("Which, A or B, is at the higher version number?") as the question
    it puts to one alternative ("What is the version number of A?"), and which figure wins.

    None when the comparative names no measure ("which is longer?", "more permissive"): the
    figures to compare would be the model's guess of what was meant.
    """
    match = _MEASURE.search(_without_alternatives(question, options))
    if match is None:
        return None
    words: list[str] = []
    for word in match["measure"].lower().split():
        if word in STOPWORDS and word != "of":  # "the larger number of subjects"
            break
        words.append(word)
    while words and words[-1] == "of":
        words.pop()
    if not words:
        return None
    kind = ChoiceKind.LARGER if match["degree"].lower() in _LARGER else ChoiceKind.SMALLER
    return f"What is the {' '.join(words)} of {as_named(question, phrase)}?", kind


def choice_sides(
    question: str, options: Sequence[str], sides: Sequence[Side]
) -> tuple[list[Side], ChoiceKind | None]:
    """A choice's sides, each asking its own question of its own document, and how their
    answers decide: a yes/no question (``choice_question``) or a figure to compare
    (``degree_question``); ([], None) when an alternative's question cannot be put either way."""
    asked: list[Side] = []
    kinds: set[ChoiceKind] = set()
    for side, option in zip(sides, options, strict=True):
        query = choice_question(question, options, option)
        kind = ChoiceKind.VERDICT
        if query is None:
            degree = degree_question(question, options, option)
            if degree is None:
                return [], None
            query, kind = degree
        kinds.add(kind)
        asked.append(replace(side, query=query, topic=without_side(query, option)))
    return (asked, kinds.pop()) if len(kinds) == 1 else ([], None)


def _verb_like(word: str) -> bool:
    return word in _AUXILIARIES or (len(word) > 3 and word.isalpha() and word.endswith(("s", "ed")))


def _yes_no_frame(verb: str, side: str, rest: str) -> str | None:
    """A choice's verb as a yes/no frame: "lets" -> "Does the X let us ...?"; None for no verb."""
    if verb in ("is", "are", "was", "were"):
        return f"{'Was' if verb in ('was', 'were') else 'Is'} {side} {rest}?"
    if verb in ("has", "have"):
        return f"Does {side} have {rest}?"
    if verb in ("does", "do"):
        return f"Does {side} {rest}?"
    if verb in _MODALS:
        return f"{verb.capitalize()} {side} {rest}?"
    if len(verb) > 3 and verb.endswith("s") and not verb.endswith(("ss", "us", "is")) and verb.isalpha():
        if verb.endswith("ies"):
            base = verb[:-3] + "y"
        elif verb.endswith(("ches", "shes", "sses", "xes", "zes")):
            base = verb[:-2]
        else:
            base = verb[:-1]
        return f"Does {side} {base} {rest}?"
    return None
