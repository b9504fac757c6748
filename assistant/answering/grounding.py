"""The one grounding check: does the text a statement cites really say it?

Answers, summaries and extracted values are all checked here, after generation, against
the stored text of the passage or page they cite, so "supported" means the same thing
wherever a user sees it. Each kind of claim has its own named threshold, because each is
measured differently:

- an answer phrase must be mostly quoted from its passage (``ANSWER_SUPPORT`` of its words);
- a summary statement must have most of its key terms on its page (``STATEMENT_SUPPORT``);
- an extracted value, which is short and read into a table, needs nearly all of its key
  terms (``VALUE_SUPPORT``).

Every number a statement gives (amounts, doses, dates, periods) must be on the page too:
"60 days" does not pass for a page that says "30 days". A model's way of saying that
something is absent is recognised here as well, so it is never shown as a finding.
"""

from __future__ import annotations

import re

from assistant.text import query_terms

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
    on_page = set(_NUMBER.findall(page_text))
    return all(number in on_page for number in _NUMBER.findall(statement))


def supported(statement: str, page_text: str, threshold: float = STATEMENT_SUPPORT) -> bool:
    """The page holds ``threshold`` of the statement's key terms and every one of its numbers."""
    return key_support(statement, page_text) >= threshold and numbers_present(statement, page_text)


def says_not_stated(value: str) -> bool:
    """True for a model's way of saying a field is absent ("not stated", "N/A", "none")."""
    return not value.strip() or bool(_NOT_STATED.search(value.strip()))
