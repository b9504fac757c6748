"""What shape of answer a question asks for: yes/no, several parts, a comparison.

A professional's question often has more than one part ("How much is the deposit and
when is it returned?") or asks for a verdict ("May I distribute a modified copy?"). The
answer must open with the verdict, and every part must be answered or its absence
stated. Reading the shape from the question's own wording, before the model runs, lets
the reply schema ask for a verdict and lets the composer check each part afterwards,
whatever the model chose to write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text import query_terms, whole_phrase

# Words that open a question answered by yes or no ("Does the licence permit ...?").
_YES_NO_OPENERS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "am",
        "do",
        "does",
        "did",
        "can",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "should",
        "will",
        "would",
        "has",
        "have",
        "had",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "don't",
        "doesn't",
        "didn't",
        "can't",
        "couldn't",
        "mustn't",
        "shouldn't",
        "won't",
        "wouldn't",
        "hasn't",
        "haven't",
    ]
)
# Words that open a question asking for content ("what", "when", ...), or a request ("list").
_WH_WORDS = frozenset(
    [
        "what",
        "when",
        "where",
        "who",
        "whom",
        "whose",
        "which",
        "why",
        "how",
        "list",
        "name",
        "describe",
        "explain",
    ]
)
_COMPARE = re.compile(
    r"\b(compare|comparison|differ|differs|difference|differences|versus|vs\.?|unlike|"
    r"same as|both)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w']+", re.UNICODE)
# A new clause that is a question of its own: "? What ...", "; who ...", " and when ...",
# ", and does ...". After a bare "and" only a question word starts a new part: "late and is
# evicted" is one question.
_AUX = "|".join(sorted(w for w in _YES_NO_OPENERS if "'" not in w))
_WH = "|".join(sorted(_WH_WORDS))
_PART_BREAK = re.compile(
    rf"\?\s+|;\s*|,?\s+(?:and|or|but)\s+(?=(?:{_WH})\b)|,\s+(?:and|or|but)\s+(?=(?:{_AUX})\b)",
    re.IGNORECASE,
)
_CHOICE_SEGMENT = re.compile(r"\s*[,:;\u2014]\s*|\s+-\s+")
_CHOICE_FRAME = frozenset(["two", "both", "either", "one", "ones"])
_MAX_OPTION_WORDS = 6  # longer "alternatives" are clauses of the question, not names of a choice
_MIN_PART_TERMS = 1  # a part with no content word of its own is not a separate question


@dataclass(frozen=True)
class QuestionShape:
    """The parts of a question and the kind of answer it needs."""

    parts: tuple[str, ...]
    yes_no: bool
    compare: bool
    options: tuple[str, ...] = ()  # the alternatives of a choice question ("..., A or B?")
    quantity: bool = False  # its (first) part asks "how much" or "how many": a figure answers it

    @property
    def multi_part(self) -> bool:
        return len(self.parts) > 1


def _first_word(text: str) -> str:
    match = _WORD.search(text)
    return match.group(0).lower() if match else ""


def is_yes_no(question: str) -> bool:
    """Whether the question opens as a yes/no question ("Does ...", "May ...", "Is ...").

    "Is it A or B?" asks for a choice, not a verdict, so a question with " or " between
    two alternatives is not yes/no.
    """
    if (
        _first_word(question) not in _YES_NO_OPENERS
        and _first_word(_after_lead_in(question)) not in _YES_NO_OPENERS
    ):
        return False
    return not re.search(r"\bor\b(?! not\b)", question, re.IGNORECASE)


def _after_lead_in(question: str) -> str:
    """The question after an opening phrase set off by a comma ("Under the LGPL 2.1, is ...").

    "To qualify for the safe harbours, must a provider monitor its service?" asks for a
    verdict as plainly as "Must a provider ...?" does.
    """
    head, comma, rest = question.partition(",")
    return rest if comma and _first_word(head) not in _WH_WORDS else ""


def is_question(text: str) -> bool:
    """Whether ``text`` is worded as a question ("What ...", "Does ...") rather than a request."""
    first = _first_word(text)
    return first in _YES_NO_OPENERS or (first in _WH_WORDS and first not in ("list", "name"))


def split_parts(question: str) -> tuple[str, ...]:
    """The question's separate sub-questions, each as asked ("when is it returned").

    A part must bring a content word of its own; "and how?" alone is folded back into
    the part before it, so an ordinary question is one part.
    """
    pieces = [p.strip(" ,;?") for p in _PART_BREAK.split(question)]
    parts: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if parts and len(query_terms(piece)) < _MIN_PART_TERMS:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return tuple(parts) or (question.strip(),)


def choice_options(question: str) -> tuple[str, ...]:
    """The two alternatives a choice question names ("Which ..., the LGPL or the GPL?"), or ().

    The answer to such a question must name one of them: a reply naming neither ("the
    GNU Library Public License") answers some other question, however well a sentence
    backs it. Only "which"/"who" questions offer a choice here ("Does it allow copying or
    modifying?" asks about both); the alternatives are the phrases on either side of the one
    " or " between a comma, colon or dash and the next one (or the question mark).
    """
    first = _first_word(question)
    if first not in ("which", "who", "whose"):
        return ()
    for segment in _CHOICE_SEGMENT.split(question.strip().rstrip("?")):
        halves = re.split(r"\s+or\s+", segment.strip(), flags=re.IGNORECASE)
        if len(halves) != 2:
            continue
        left, right = (_option(h) for h in halves)
        if (
            left
            and right
            and len(left.split()) <= _MAX_OPTION_WORDS
            and len(right.split()) <= _MAX_OPTION_WORDS
        ):
            return (left, right)
    return ()


def without_options(question: str, options: tuple[str, ...]) -> str:
    """The question less its alternatives: what an answer must not merely repeat.

    Naming an alternative is how a choice question is answered ("the LGPL 2.1"), so those
    words of the question are the answer's, not a copy of the question.
    """
    if not options:
        return question
    for option in sorted(options, key=len, reverse=True):
        question = re.sub(whole_phrase(option), " ", question, flags=re.IGNORECASE)
    # "Which of the two, ..." counts the alternatives; it is not part of what is asked.
    return " ".join(w for w in question.split() if w.lower().strip(",:;") not in _CHOICE_FRAME)


def _option(phrase: str) -> str:
    words = phrase.split()
    while words and words[0].lower() in ("the", "a", "an", "either"):
        words = words[1:]
    return " ".join(words)


# "How much", "how many", and "what range (amount, percentage, dose ...) of": a figure answers them.
_HOW_MUCH = re.compile(
    r"\bhow\s+(?:much|many)\b|\b(?:what|which)\s+(?:range|amount|percentage|proportion|sum|dose|dosage)\b",
    re.IGNORECASE,
)


def analyse(question: str) -> QuestionShape:
    parts = split_parts(question)
    return QuestionShape(
        parts=parts,
        yes_no=is_yes_no(question) and len(parts) == 1,
        compare=bool(_COMPARE.search(question)),
        options=choice_options(question),
        quantity=bool(_HOW_MUCH.search(parts[0] if parts else question)),
    )
