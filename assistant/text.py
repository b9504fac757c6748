"""Text helpers shared across the engine: meaningful words, and clipping for display.

``query_terms`` decides which words of a question the full-text index searches for and
which words of a statement its page must contain, so retrieval and the grounding checks
agree on what counts as a content word.
"""

from __future__ import annotations

import re

_TERM = re.compile(r"\w+", re.UNICODE)
# Words too common to help BM25 pick a passage; FTS5 has no stopword list of its own.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)


def query_terms(text: str) -> list[str]:
    """The meaningful lowercase words of ``text``, in order, without repeats."""
    words = [w.lower() for w in _TERM.findall(text)]
    return list(dict.fromkeys(w for w in words if w not in STOPWORDS)) or list(dict.fromkeys(words))


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shorten(text: str, limit: int) -> str:
    """``text`` on one line (whitespace collapsed), then clipped to ``limit`` characters."""
    return clip(" ".join(text.split()), limit)


def tagged_block(tag: str, text: str, **attributes: object) -> str:
    """Document text inside ``<tag a="...">`` ... ``</tag>`` for a prompt.

    Passages are quoted data: the text cannot close its tag early, and an attribute value
    (a document title, say) cannot break out of its quotes or onto another line.
    """
    attrs = "".join(f' {name}="{_attribute(value)}"' for name, value in attributes.items())
    clean = text.replace(f"</{tag}>", f"</ {tag}>")
    return f"<{tag}{attrs}>\n{clean}\n</{tag}>"


def _attribute(value: object) -> str:
    return " ".join(str(value).split()).replace('"', "'")
