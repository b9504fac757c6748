"""The one grounding check: does the text a statement cites really say it?

Answers, summaries and extracted values are all checked here, after generation, against
the stored text of the passage or page they cite, so "supported" means the same thing
wherever a user sees it. Each kind of claim has its own named threshold, because each is
measured differently:

- an answer phrase must be mostly quoted from its passage (``ANSWER_SUPPORT`` of its words);
- a summary statement must have most of its key terms on its page (``STATEMENT_SUPPORT``);
- an extracted value, which is short and read into a table, needs nearly all of its key
  terms (``VALUE_SUPPORT``).

An answer sentence is checked against single sentences of its passage, not the whole
passage (``find_support``): the sentence must hold the answer's terms and numbers, and be
about what was asked (a term of the question that the answer does not already repeat),
so a "60 days" copied from the notice clause does not pass for a question on the cure period.

Every number a statement gives (amounts, doses, dates, periods) must be on the page too:
"60 days" does not pass for a page that says "30 days". A model's way of saying that
something is absent is recognised here as well, so it is never shown as a finding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.text import normalise_numbers, query_terms, sentence_spans

ANSWER_SUPPORT = 0.6  # share of an answer's words its passage must contain
STATEMENT_SUPPORT = 0.6  # share of a summary statement's key terms its page must contain
VALUE_SUPPORT = 0.8  # share of an extracted value's key terms its page must contain

_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"\d+")
_REFUSAL = re.compile(
    r"^\W*(not[ _]found|no answer|unknown|none|n/?a)\W*$|could not find|couldn't find|cannot find|"
    r"can't find|not (?:mentioned|stated|provided|given) in",
    re.IGNORECASE,
)
_NOT_STATED = re.compile(
    r"^\W*(not[ _](stated|found|mentioned|given|specified|provided)|none|n/?a|unknown|no\b.*\bstated)\b",
    re.IGNORECASE,
)


def is_refusal(answer: str) -> bool:
    """True for an empty answer or the model's way of saying the passages do not hold it."""
    return not answer.strip() or bool(_REFUSAL.search(answer))


def may_be_refusal(partial: str) -> bool:
    """Whether streamed answer text could still turn into a refusal (so hold it back)."""
    head = partial.strip().lower()
    return len(head) < 40 and head.startswith(
        ("not", "no", "i ", "i'", "unknown", "none", "n/a", "can", "could")
    )


def support(answer: str, passage: str) -> float:
    """Share of the answer's words that the passage contains (1.0 = fully quoted)."""
    words = [w.lower() for w in _WORD.findall(answer)]
    if not words:
        return 0.0
    present = {w.lower() for w in _WORD.findall(passage)}
    return sum(1 for w in words if w in present) / len(words)


def key_support(statement: str, page_text: str) -> float:
    """Share of the statement's meaningful words (stopwords left out) that the page contains.

    Stopwords are left out so "the", "of" and "is" cannot vouch for an invented claim;
    what must be on the page are the names, numbers and content words.
    """
    terms = query_terms(statement)
    if not terms:
        return 0.0
    present = {w.lower() for w in _WORD.findall(page_text)}
    return sum(1 for t in terms if t in present) / len(terms)


def numbers_present(statement: str, page_text: str) -> bool:
    """Whether every number in the statement is on the page: "60 days" must not pass for "sixty"-less text.

    Amounts, doses and dates are what a reader acts on, so a near match is not enough for them.
    """
    on_page = set(_NUMBER.findall(normalise_numbers(page_text)))
    return all(number in on_page for number in _NUMBER.findall(normalise_numbers(statement)))


def supported(statement: str, page_text: str, threshold: float = STATEMENT_SUPPORT) -> bool:
    """The page holds ``threshold`` of the statement's key terms and every one of its numbers."""
    return key_support(statement, page_text) >= threshold and numbers_present(statement, page_text)


def says_not_stated(value: str) -> bool:
    """True for a model's way of saying a field is absent ("not stated", "N/A", "none")."""
    return not value.strip() or bool(_NOT_STATED.search(value.strip()))


# Question words that ask for a kind of answer ("how long", "how much") rather than name a topic.
ASKING_WORDS = frozenset(
    [
        "much",
        "many",
        "long",
        "often",
        "far",
        "old",
        "kind",
        "type",
        "sort",
        "happens",
        "happen",
        "mean",
        "means",
        "say",
        "says",
        "state",
        "states",
        "document",
        "documents",
        "passage",
        "passages",
        "text",
        "tell",
    ]
)
_STEM = 6  # words compared on their first letters: "returned" ~ "return", "deposits" ~ "deposit"


def _stem(word: str) -> str:
    return word if word.isdigit() else word.lower()[:_STEM]


def stems(text: str) -> set[str]:
    """The word stems of ``text``, as the sentence check compares them (numbers whole)."""
    return {_stem(w) for w in _WORD.findall(text)}


@dataclass(frozen=True)
class SentenceMatch:
    """The sentence (or two adjacent sentences) of a passage that best backs a claim."""

    passage: int  # index into the passages searched
    start: int
    end: int
    quote: str  # the passage's own words, whitespace collapsed
    claim_share: float  # share of the claim's key terms the quote holds
    numbers: bool  # every number of the claim is in the quote
    on_topic: bool  # the quote or the sentence before it holds a term the question adds

    @property
    def supports(self) -> bool:
        return self.numbers and self.on_topic and self.claim_share >= ANSWER_SUPPORT


def _share(terms: list[str], present: set[str]) -> float:
    return sum(1 for t in terms if t in present) / len(terms) if terms else 0.0


def find_support(claim: str, question: str, passages: Sequence[str]) -> SentenceMatch | None:
    """The best sentence of ``passages`` for ``claim`` as an answer to ``question``, or None.

    Two adjacent sentences are tried as one quote too: "The deposit is 24,000 pounds. It is
    returned within thirty days." backs an answer that joins both.
    """
    claim = normalise_numbers(claim)
    claim_terms = [_stem(t) for t in query_terms(claim)]
    claim_numbers = _NUMBER.findall(claim)
    claim_stems = set(claim_terms)
    topic = [_stem(t) for t in query_terms(question) if _stem(t) not in claim_stems and t not in ASKING_WORDS]
    best: tuple[tuple[bool, bool, float, int], SentenceMatch] | None = None
    for index, text in enumerate(passages):
        spans = sentence_spans(text)
        sentence_stems = [stems(normalise_numbers(text[a:b])) for a, b in spans]
        for i, (start, _) in enumerate(spans):
            single = 0.0
            for j in (i, i + 1):
                if j >= len(spans) or (j > i and spans[j][1] - start > 600):
                    continue
                stop = spans[j][1]
                quote = text[start:stop]
                window = sentence_stems[i] | sentence_stems[j]
                context = window | (sentence_stems[i - 1] if i else set())
                share = _share(claim_terms, window)
                if j > i and share <= max(single, _share(claim_terms, sentence_stems[j])):
                    continue  # the second sentence adds nothing the claim needs
                single = share
                numbers = all(n in window for n in claim_numbers)
                on_topic = not topic or any(t in context for t in topic)
                match = SentenceMatch(index, start, stop, " ".join(quote.split()), share, numbers, on_topic)
                # Prefer a quote that supports; then more of the claim; then the shorter quote.
                key = (match.supports, numbers and on_topic, share, -(stop - start))
                if best is None or key > best[0]:
                    best = (key, match)
    return best[1] if best is not None else None
