"""Names a question gives ("AML", "Richard Stallman", "ZPL 2.1") and the documents that hold them.

A question that names what it is about can only be answered by a document that mentions
it. Retrieval brings the closest passages of the whole library, and a small model answers
from whatever it is given: asked for "the median survival of the AML patients", it quoted
a thyroid guideline's "median survival ... about 5 months", a sentence that passed every
word check. A name is a word of the question, past its first, that carries a capital
letter or a digit (an acronym, a proper name, a version; a bare number is left to the
number check). The check is against the cited document's whole text, so a name the
passage leaves out but the document holds passes. It is a plain string test, fitted to
no document set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text import STOPWORDS, whole_phrase

_WORD = re.compile(r"[\w][\w.\-/]*[\w]|\w", re.UNICODE)
# Capitalised words that open a clause of a question rather than name anything.
_OPENERS = frozenset(
    [
        "what", "when", "where", "who", "whom", "whose", "which", "why", "how", "is", "are", "was",
        "were", "do", "does", "did", "can", "could", "may", "might", "must", "shall", "should", "will",
        "would", "has", "have", "had", "under", "according", "if", "in", "on", "for", "to", "by",
        "with", "from", "as", "at", "of", "and", "or", "but", "not", "no", "yes", "list", "name",
        "describe", "explain", "please",
    ]
)  # fmt: skip


def question_names(question: str) -> list[str]:
    """The words of ``question`` that name something: capitals or digits past its first word."""
    names: list[str] = []
    for index, match in enumerate(_WORD.finditer(question)):
        word = match.group(0)
        lower = word.lower()
        if index == 0 or lower in _OPENERS or lower in STOPWORDS or len(word) < 2:
            continue
        if word.isdigit():
            continue  # a bare figure may be written in words ("thirty (30) days"): the number check has it
        if any(c.isupper() for c in word) or any(c.isdigit() for c in word):
            names.append(word)
    return list(dict.fromkeys(names))


def phrase_names(phrase: str) -> list[str]:
    """The names in a phrase that is not a whole question ("the LGPL 2.1"): its first word counts too."""
    return question_names(f"x {phrase}")


def missing_names(names: Sequence[str], document_text: str) -> list[str]:
    """The names that ``document_text`` never mentions (case and spacing ignored).

    A name counts only as a whole word: the "GPL-3.0" is not mentioned by "LGPL-3.0".
    """
    text = _plain(document_text)
    return [name for name in names if not _mentions(text, name)]


# "v2", "v.2", "ver. 2.1": a version as a question abbreviates it; documents write "Version 2".
_VERSION = re.compile(r"^v(?:er)?\.?(\d+(?:\.\d+)*)$", re.IGNORECASE)


def _mentions(plain_text: str, name: str) -> bool:
    if re.search(whole_phrase(_plain(name)), plain_text):
        return True
    version = _VERSION.match(name)
    # "version 2" is not "version 2.1".
    return (
        version is not None
        and re.search(rf"\bversion {re.escape(version[1])}(?!\w|\.\d)", plain_text) is not None
    )


def without_versions(claim: str, names: Sequence[str]) -> str:
    """``claim`` less the names it repeats from the question that carry a figure.

    An answer that names what was asked ("The Zope Public License 2.1 is GPL compatible",
    "The Apache-2.0 sets ... 50% or more") would need a sentence holding "2.1" or "2.0", and a
    document's sentences say "this License". Which document a name picks is the names
    check's to say (the pipeline's ``accept``), against the cited document's whole text; the
    number check is for the figures the answer states.
    """
    for name in names:
        if any(c.isdigit() for c in name):
            claim = re.sub(whole_phrase(name), " ", claim, flags=re.IGNORECASE)
    return claim


def _plain(text: str) -> str:
    """Lowercase, hyphens and underscores as spaces, whitespace collapsed: "GPL-compatible" ~
    "GPL compatible", a file name's "supply_agreement_2024" ~ "supply agreement 2024"."""
    return " ".join(re.sub(r"[-_\u2010]", " ", text.lower()).split())
