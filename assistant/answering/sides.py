"""The sides of a comparison ("the GPL-3.0 and the LGPL-3.0") and the document each names.

A comparison answered from the whole library's closest passages is answered from
whichever document happens to rank first: both sides of "How do the GPL-3.0 and the
LGPL-3.0 differ on ...?" were read from one licence, or the second side's passages never
reached the model. Each side is found here as the question words it (a phrase on either
side of "and", "or", "versus"), then matched to one document of the library: by title or
file name when the side names one, else by retrieval restricted to documents that mention
every name the side gives. The pipeline then answers each side from its own document.
Plain word rules, so they hold on any document set; a question whose sides cannot be told
apart, or that name one document twice, is answered the usual way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from assistant.answering.names import missing_names, phrase_names
from assistant.answering.question import choice_options
from assistant.text import STOPWORDS, whole_phrase

_WORD = re.compile(r"\S+")
_JOINERS = frozenset(["and", "or", "versus", "vs", "vs."])
# Words that end a side's phrase on its left: a determiner or the words that open the question.
_LEFT_STOPS = frozenset(
    [
        "the", "a", "an", "both", "between", "do", "does", "did", "how", "which", "what", "compare",
        "comparing", "contrast", "in", "is", "are", "were", "was", "under", "by", "from", "to", "for",
        "on", "about",
    ]
)  # fmt: skip
_FROM = frozenset(["from", "with"])
_DIFFER = frozenset(["differ", "differs", "different", "compared", "compare", "compares"])
_SKIP_RIGHT = frozenset(["the", "a", "an", "in", "under", "of"])  # "... and in the rat study"
# Words that ask to compare rather than name what is compared ("compare" only as the request's
# first word: "which tests did they use to compare their groups" asks about the comparing).
_COMPARE_WORDS = frozenset(["differ", "differs", "difference", "differences", "versus", "vs", "both"])
_LEADING_COMPARE = frozenset(["compare", "contrast"])
_EACH = re.compile(r"\b(each|both|same|either|neither|respectively)\b", re.IGNORECASE)
# Words that open a question: after "and", they start the question's next part.
_QUESTION_WORDS = frozenset(["how", "what", "when", "where", "which", "who", "whom", "whose", "why"])
MAX_SIDE_WORDS = 8
SIDE_CANDIDATES = 10  # passages searched for a side's document when its name is no title


@dataclass(frozen=True)
class Side:
    """One side of a comparison: the phrase the question names it by, and its document."""

    label: str  # as the question words it, capitalised: "GPL-3.0", "The rat fracture-gap study"
    doc_id: str
    document: str  # the document's title
    query: str  # the question as it bears on this side (``side_question``): what the model reads
    topic: str  # that question without the side's own name: what is searched for in its document


@dataclass(frozen=True)
class Candidate:
    """A library document a side may name."""

    doc_id: str
    title: str
    path: str


def compare_sides(question: str) -> tuple[str, ...]:
    """The two things a comparison sets side by side, as the question names them, or ().

    A choice question's alternatives are its sides. Otherwise the first "A and B" (or
    "A versus B") in which both phrases carry a name (a capital or a digit, as
    ``question_names`` reads one), or that end on the same noun ("the FES study and the
    rat fracture-gap study"). The left phrase runs back to a determiner or an opening
    word, the right one forward over names, or up to the noun the left one ends with.
    """
    options = choice_options(question)
    if options:
        return options
    words = [w.group(0) for w in _WORD.finditer(question.rstrip("?. "))]
    for index, word in enumerate(words):
        before = words[index - 1].lower() if index else ""
        if index == 0 or not (word.lower() in _JOINERS or (word.lower() in _FROM and before in _DIFFER)):
            continue
        if index + 1 < len(words) and _clean(words[index + 1]).lower() in _QUESTION_WORDS:
            continue  # "How many patients ... and how many were ...?": a second question, not a side
        # "the 2019 lease differs from the 2021 lease": the left side ends before the verb.
        left = _left_phrase(words[: index - 1] if word.lower() in _FROM else words[:index])
        right, same_noun = _right_phrase(words[index + 1 :], left)
        if left and right and (same_noun or (phrase_names(left) and phrase_names(right))):
            return (left, right)
    return ()


def _clean(word: str) -> str:
    return word.strip(",;:()\"'“”")


def _left_phrase(words: Sequence[str]) -> str:
    taken: list[str] = []
    for word in reversed(words):
        # "BY" of "CC BY 4.0" is a name's word; "by" is not.
        if (word.lower() in _LEFT_STOPS and not word.isupper()) or len(taken) == MAX_SIDE_WORDS:
            break
        taken.insert(0, _clean(word))
        if word[:1] in "(,":
            break
    return " ".join(w for w in taken if w)


def _right_phrase(words: Sequence[str], left: str) -> tuple[str, bool]:
    """The phrase after the joiner, and whether it ends on the left phrase's noun."""
    head = _clean(left.split()[-1]).lower() if left else ""
    index = 0
    while index < len(words) and words[index].lower() in _SKIP_RIGHT:
        index += 1
    rest = [_clean(w) for w in words[index : index + MAX_SIDE_WORDS]]
    cut = [i for i, word in enumerate(words[index : index + MAX_SIDE_WORDS]) if word[-1:] in ",;:"]
    rest = rest[: cut[0] + 1] if cut else rest
    lowered = [w.lower() for w in rest]
    # The noun the left side ends with, or another of its words: "the lease agreement and the
    # 2027 lease".
    shared = [i for i, word in enumerate(lowered) if word == head] or [
        i for i, word in enumerate(lowered) if word in _content(left)
    ]
    if shared:
        end = shared[0] + 1
        # A name's trailing words stay with it: "the Zope Public License 2.1".
        while end < len(rest) and phrase_names(rest[end]):
            end += 1
        return " ".join(rest[:end]), True
    # No shared noun: the run of names (and hyphenated words) that opens the phrase.
    run: list[str] = []
    for word in rest:
        if not (phrase_names(word) or "-" in word):
            break
        run.append(word)
    return " ".join(run), False


def _content(phrase: str) -> set[str]:
    """The phrase's words that can tell it apart: not determiners or other function words."""
    return {w for w in (_clean(word).lower() for word in phrase.split()) if w and w not in STOPWORDS}


def distinguishing(phrase: str, others: Sequence[str]) -> list[str]:
    """The words of a side that the other sides do not use ("2027" of "the 2027 lease")."""
    used = set().union(*(_content(other) for other in others)) if others else set()
    return sorted(_content(phrase) - used)


def side_query(question: str, sides: Sequence[str], index: int) -> str:
    """The question as it bears on one side: the other side and the comparing words left out.

    "How do the GPL-3.0 and the LGPL-3.0 differ on combining ...?" becomes, for the GPL's
    side, "How do the GPL-3.0 on combining ...?": the model reads only that document's
    passages, and a word of the other side or "differ" names nothing that side's sentences
    hold, so the answer check would count it as missed.
    """
    text = question
    for other, phrase in enumerate(sides):
        if other == index:
            continue
        name = whole_phrase(phrase)
        joiner = r"(?:and|or|versus|vs\.?|from|with)"
        article = r"(?:(?:the|a|an|in|under)\s+)*"
        if other > index:  # "the A and the B": the joiner goes with B
            text = re.sub(rf",?\s+{joiner}\s+{article}{name}", "", text, count=1, flags=re.IGNORECASE)
        else:
            # "the 2019 lease differs from the 2021 lease": the verb goes with the side left out.
            differ = r"(?:(?:differs?|different|compared)\s+)?"
            text = re.sub(rf"{article}{name},?\s+{differ}{joiner}\s+", "", text, count=1, flags=re.IGNORECASE)
        text = re.sub(name, " ", text, flags=re.IGNORECASE)
    words = text.split()
    if words and words[0].lower() in _LEADING_COMPARE:
        words = words[1:]
    return " ".join(w for w in words if _clean(w).lower() not in _COMPARE_WORDS)


# Words that put a topic after a side's name: "How do the GPL-3.0 and the LGPL-3.0 differ on
# linking?", "Compare the MPL-2.0 and the GPL-3.0 on termination."
_TOPIC_PREPOSITIONS = r"(?:on|in|over|about|regarding|concerning|as to|with regard to|with respect to)"
# "under each", "in each licence", "for both studies" at the end of a clause: each side's own name.
_EACH_SIDE = re.compile(
    r"\b(under|in|for|by|of|from)\s+(?:each|both)(?:\s+(?:of them|one|[a-z]+))?(?=\s*[?.,;:]|\s*$)",
    re.IGNORECASE,
)


def side_question(query: str, phrase: str) -> str:
    """``query`` (``side_query``) as a question about one side that reads as English.

    Leaving the other side out of a comparing question leaves its frame behind: "How do the
    GPL-3.0 on linking?", "Which of the MPL-2.0 end ...?", "Do the Apache-2.0 set the same
    threshold ...?", "... run under each licence?". The small model reads a broken frame as
    a question about nothing and answers "not stated", or restates it. Each frame becomes the
    question it asks of one side: "What does the GPL-3.0 say on linking?", "Does the
    MPL-2.0 end ...?", "What threshold ... does the Apache-2.0 set?", "... run under the
    CC BY 4.0?". Plain English frames, fitted to no document; any other wording is kept.
    """
    name = rf"(?P<side>(?:the\s+)?{whole_phrase(phrase)})"
    text = " ".join(query.split())
    rules = (
        (
            rf"^how\s+(?:do|does|did)\s+{name}\s+(?P<prep>{_TOPIC_PREPOSITIONS})\s+",
            "What does {side} say {prep} ",
        ),
        (rf"^{name}\s+(?P<prep>{_TOPIC_PREPOSITIONS})\s+", "What does {side} say {prep} "),
        (rf"^which\s+of\s+{name}\s+", "Does {side} "),
    )
    for pattern, frame in rules:
        match = re.match(pattern, text, re.IGNORECASE)
        if match:
            text = (
                frame.format(**match.groupdict()) + text[match.end() :].rstrip(".") + "?" * (text[-1:] != "?")
            )
            break
    same = re.match(
        rf"^(?:do|does|did)\s+{name}\s+(?P<verb>\w+)\s+(?:the\s+)?same\s+(?P<rest>[^?]+)\?*$",
        text,
        re.IGNORECASE,
    )
    if same:
        text = f"What {same['rest']} does {same['side']} {same['verb']}?"
    side = re.search(name, text, re.IGNORECASE)
    own = side.group(0) if side else phrase
    return _EACH_SIDE.sub(lambda m: f"{m.group(1)} {own}", text)


def without_side(query: str, phrase: str) -> str:
    """``query`` less the side's own phrase: within the side's document, "the FES study"
    names every page, and the pages about what was asked are found by the rest."""
    name = rf"(?:\b(?:the|a|an)\s+)?{whole_phrase(phrase)}"
    return " ".join(re.sub(name, " ", query, count=1, flags=re.IGNORECASE).split())


def asks_each(question: str, sides: Sequence[str]) -> bool:
    """Whether a question that does not say "compare" still asks about each side apart.

    "... and what is lost under each?", "Do the A and the B set the same threshold?", or
    two sides of one kind ("the FES study and the rat study", "the PSF License and the Zope
    Public License 2.1"). Without such a sign, "the
    Landlord and the Tenant" are two parties of one document, not two documents.
    """
    if _EACH.search(question):
        return True
    # The right side holds the noun the left one ends with: "the PSF License and the Zope
    # Public License 2.1", as ``compare_sides`` reads two things of one kind.
    left, *others = ([_clean(w).lower() for w in side.split()] for side in sides)
    return bool(left) and all(left[-1] in words for words in others)


def titled_document(
    phrase: str, candidates: Sequence[Candidate], taken: set[str], others: Sequence[str] = ()
) -> Candidate | None:
    """The one free document whose title or file name holds every name of ``phrase`` (or,
    for a side without one, every word that tells it from the ``others``: "2027")."""
    return titled_by(phrase_names(phrase) or distinguishing(phrase, others), candidates, taken)


def titled_by(
    names: Sequence[str], candidates: Sequence[Candidate], taken: AbstractSet[str] = frozenset()
) -> Candidate | None:
    """The one free document whose title or file name holds every one of ``names``, if any."""
    if not names:
        return None
    titled = [
        c
        for c in candidates
        if c.doc_id not in taken and not missing_names(names, f"{c.title} {Path(c.path).stem}")
    ]
    return titled[0] if len(titled) == 1 else None


def match_side(
    phrase: str,
    candidates: Sequence[Candidate],
    ranked: Callable[[], Sequence[str]],
    text_of: Callable[[str], str],
    taken: set[str],
    others: Sequence[str] = (),
) -> Candidate | None:
    """The document ``phrase`` names: the one whose title or file name holds all its names,
    else the best-ranked for the phrase among documents that mention them all. A side with
    no name must at least be told apart by words the ``others`` sides do not use, each in
    its document ("the rent and the rent increase" name no two documents).

    ``ranked`` gives, when a title does not settle it, the doc ids in rank order for the
    side's question; ``text_of`` a document's text.
    A document already ``taken`` by the other side is never the answer: "the GPL-3.0"
    must not match the LGPL-3.0's title, and two sides in one document compare nothing.
    """
    titled = titled_document(phrase, candidates, taken, others)
    if titled is not None:
        return titled
    names = phrase_names(phrase) or distinguishing(phrase, others)
    if not names:
        return None
    by_id = {c.doc_id: c for c in candidates if c.doc_id not in taken}
    for doc_id in dict.fromkeys(ranked()):
        candidate = by_id.get(doc_id)
        if candidate is None:
            continue
        if not missing_names(names, f"{candidate.title} {Path(candidate.path).stem} {text_of(doc_id)}"):
            return candidate
    return None
