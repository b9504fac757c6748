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


def whole_phrase(phrase: str) -> str:
    """A regex for ``phrase`` as whole words: "GPL-3.0" is not found inside "LGPL-3.0"."""
    return rf"(?<![\w-]){re.escape(phrase)}(?!\w)"


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


# A sentence ends at . ! ? (after a word, not an abbreviation's single letter or a section
# number like "3.1") before the next sentence's capital, digit, bracket or quote; a line
# break that starts a numbered, lettered or bulleted item ("(a)", "2.", "- ") ends one too. Legal and
# clinical text runs long, so a very long sentence is cut again at its semicolons.
# A reference number glued after the full stop ("... not recommended.262 RAI ablation ...", as
# papers print superscript citations) ends a sentence too: a decimal's digits follow a digit.
_CITATION_AFTER_STOP = "|".join(
    f"(?<={before}\\.{digits})"
    for before in (r"[^\W\d_]", r"[)\]]")
    for digits in (r"\d", r"\d\d", r"\d\d\d")
)
# The same number ending a quoted sentence ("... in the United States.8"): the sentence ends before it.
CITATION_AT_END = re.compile(rf"(?:{_CITATION_AFTER_STOP})$")
_SENTENCE_END = re.compile(
    r"(?<=[^\s.]{2}[.!?])[\"'”’)]?\s+(?=[\"'“‘(\[A-Z0-9])"
    rf"|(?:{_CITATION_AFTER_STOP})\s+(?=[A-Z])"
    r"|\n\s*(?=\(?[0-9a-zA-Z]{1,3}[.)]\s|[-*•]\s)|\n\s*\n"
)
_LONG_SENTENCE = 400
_ABBREVIATIONS = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "no",
        "nos",
        "vs",
        "art",
        "sec",
        "fig",
        "inc",
        "ltd",
        "co",
        "corp",
        "jr",
        "sr",
        "approx",
    ]
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, whitespace at the edges left out.

    Offsets, not strings, so a caller can quote a sentence verbatim and mark it on its page.
    A Markdown heading line is a span of its own (``_HEADING_LINE``).
    """
    spans: list[tuple[int, int]] = []
    cut = 0
    for match in _HEADING_LINE.finditer(text):
        spans.extend(_sentences(text, cut, match.start()))
        spans.append((match.start(), match.end()))
        cut = match.end()
    spans.extend(_sentences(text, cut, len(text)))
    return spans


# A Markdown heading line ("### Results"): it ends at its line end, with no full stop, so the
# sentence rules would join it to the first sentence under it.
_HEADING_LINE = re.compile(r"^#{1,6}[ \t][^\n]*$", re.MULTILINE)


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in _SENTENCE_END.finditer(text, start, end):
        # The full stop is before a citation number glued after it ("... recommended.262 RAI").
        stop = (
            len(text[: match.start()].rstrip("0123456789")) if match.group(0)[:1].isspace() else match.start()
        )
        before = text[max(0, stop - 6) : stop].rstrip("\"'”’).!?").split()
        if text[stop - 1 : stop] == "." and before and before[-1].lower() in _ABBREVIATIONS:
            continue
        spans.extend(_clause_spans(text, start, match.start()))
        start = match.end()
    spans.extend(_clause_spans(text, start, end))
    return spans


def _clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    if end - start > _LONG_SENTENCE:
        cut = start
        for match in re.finditer(r";\s+", text[start:end]):
            pieces.append((cut, start + match.start() + 1))
            cut = start + match.end()
        pieces.append((cut, end))
    else:
        pieces.append((start, end))
    out = []
    for a, b in pieces:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


# fmt: off
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "fourty": 40,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# fmt: on
_NUMBER_WORDS = "|".join(sorted([*_UNITS, *_SCALES], key=len, reverse=True))
_WORD_NUMBER = re.compile(
    rf"\b(?:{_NUMBER_WORDS})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORDS}))*\b", re.IGNORECASE
)
_GROUPED = re.compile(r"\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b")


def normalise_numbers(text: str) -> str:
    """``text`` with numbers in one spelling: words as digits, no thousands separators.

    "fifteen days", "15 days" and "eight thousand" vs "8,000" are the same figure to a
    reader, so the grounding checks must compare them as one.
    """
    text = _GROUPED.sub(lambda m: m.group(0).replace(",", ""), text)
    return _WORD_NUMBER.sub(lambda m: str(number_value(m.group(0))), text)


def number_value(words: str) -> int | None:
    """ "ninety" -> 90, "twenty-one" -> 21, "one hundred and eighty" -> 180; None if not a number."""
    total = current = 0
    for word in re.split(r"[\s-]+", words.strip().lower()):
        if word == "and":
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
        else:
            return None
    return total + current
