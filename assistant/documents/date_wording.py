"""What a dated event is, in a few words taken from the sentence that holds the date.

A list of dates is only useful when each says what happens on it ("Lease term begins"),
and the words must be the document's own: no model, so nothing is paraphrased or
invented. A date with a label ("Discharged: 9 February 2026", "Date of birth: ...") is
named by its label; otherwise the words nearest the date inside its clause are kept, the
connecting words around them ("on", "the", "until") and asides ("(the "Lease")", ", less
any amounts, ") are dropped, and a second date in the same sentence borrows the subject
of the first ("The lease term begins on ... and ends on ..." gives "Lease term ends").
Words are whole tokens of the page: a number ("£18.4", "4,200") or a word is never cut.

The same words, the date's *label*, are what a deadline rule's anchor ("the end of the
term") is matched against (``deadlines.choose_anchor``): what names the date, not the rest
of its sentence. A date that only bounds something ("no earlier than 31 March 2028", "by
30 June 2026") is marked ``bound``: it is a limit, not the day a thing happens.
"""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_WORDS = 12
_LEADING = {
    "the", "this", "that", "these", "those", "a", "an", "and", "or", "but", "which", "who", "whereas",
    "on", "by", "in", "at", "from", "with", "as", "of", "to", "is", "was", "were", "are", "be", "been",
    "until", "till", "since", "then", "also", "so", "please", "kindly", "such", "-", "–", "—", "•", "*",
}  # fmt: skip
_TRAILING = {
    "on", "by", "from", "until", "till", "to", "before", "after", "of", "at", "in", "as", "is", "was",
    "are", "were", "be", "been", "the", "a", "an", "and", "or", "than", "no", "not", "later", "earlier",
    "least", "within", "for", "between", "le", "la", "les", "du", "de", "am", "el", "del", "den", "dem",
    "der", "-", "–", "—",
}  # fmt: skip
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_RANGE = {"until", "till", "to", "through", "-", "–", "—"}  # "from 1 July 2024 until 30 June 2029"
_DETERMINERS = {"the", "a", "an", "this", "that", "its", "their", "his", "her", "each", "every", "such"}
# Words that join a form label's words ("Date of birth"); a label does not start with them.
_CONNECTORS = {"of", "at", "on", "for", "to", "and", "or", "the", "by", "in", "from", "de", "du", "des"}
# "for a term of five (5) years beginning on": the event reads "... begins".
_PARTICIPLES = {
    "beginning": "begins", "ending": "ends", "commencing": "commences", "expiring": "expires",
    "starting": "starts", "terminating": "terminates", "running": "runs", "continuing": "continues",
}  # fmt: skip
_CLAUSE_BREAK = re.compile(r"[;:]")
_COMMA = re.compile(r"(?<!\d),|,(?!\d)")  # a comma, but not the one inside "4,200"
_CLAUSE_END = re.compile(r"[;:!?]|(?<!\d)[,.]|[,.](?!\d)")  # punctuation, but not inside "£18.4"
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# "(the "Lease")", "(approximately 4,200 square feet)"; not "(5)", which restates a number.
_ASIDE_PARENTHESES = re.compile(r"\s*\((?!\s*\d+\s*\))[^()]*\)")
# A piece between commas that is an aside, not the clause: ", less any amounts applied, ".
_ASIDE = re.compile(
    r"^\s*(?:less|including|excluding|except|save|plus|net\s+of|together\s+with|other\s+than|"
    r"subject\s+to|if\s+any|where\s+applicable|in\s+each\s+case)\b",
    re.IGNORECASE,
)
_FORM_FIELD = re.compile(r"\n|[;:]|[ \t]{2,}")  # what ends the previous field of a form line
_BOUND = re.compile(
    r"\b(?:before|after|by|prior\s+to|(?:no|not)\s+(?:later|earlier|sooner)\s+than)\s*$", re.IGNORECASE
)
_BETWEEN = re.compile(r"\bbetween\s*$", re.IGNORECASE)
# "The Tenant has fifteen (15) days ... to cure": the purpose names the rule, not "has".
_WEAK_VERB = re.compile(
    r"^(?:has|have|shall\s+have|will\s+have|is\s+given|are\s+given|gets?|is\s+allowed)$", re.I
)
_PURPOSE_END = re.compile(r"\b(?:before|after|unless|if|when|where|and|or|failing|otherwise|which)\b", re.I)
# "for a term of five (5) years": the period is the term.
_PERIOD_OF = re.compile(r"\b(?:a|an|the)\s+((?:[^\W\d_][\w'’-]*\s+){0,2}?[^\W\d_][\w'’-]*)\s+of\s*$", re.I)
_GENERIC_PERIOD = {
    "period",
    "total",
    "maximum",
    "minimum",
    "duration",
    "time",
    "span",
    "further",
    "additional",
}


class Wording(NamedTuple):
    """A date's event in a few words, the label its anchor is matched against, and whether it only bounds."""

    event: str
    label: str
    bound: bool


def _tokens(text: str) -> list[str]:
    words: list[str] = []
    for raw in _ASIDE_PARENTHESES.sub("", text).split():
        word = raw.strip("[]\"'“”‘’,.;")
        if word.count("(") != word.count(")"):
            word = word.strip("()").strip("[]\"'“”‘’,.;")
        if word:
            words.append(word)
    return words


def _trim(words: list[str]) -> list[str]:
    start, end = 0, len(words)
    while start < end and (words[start].lower() in _LEADING or words[start].lower() in _WEEKDAYS):
        start += 1
    while end > start and (words[end - 1].lower() in _TRAILING or words[end - 1].lower() in _WEEKDAYS):
        end -= 1
    return words[start:end]


def _nearest(words: list[str]) -> list[str]:
    """At most ``MAX_WORDS`` of ``words``, the last ones, from a phrase's start where there is one.

    "... the second floor of 14 Quay Street for a term of five (5) years beginning" gives
    "a term of five (5) years beginning": the longest tail that fits and starts a noun phrase.
    """
    first = len(words) - MAX_WORDS
    for index in range(max(first, 0), len(words) - 1):
        if words[index].lower() in _DETERMINERS:
            return words[index:]
    return words[-MAX_WORDS:]


def few_words(text: str, *, nearest_end: bool) -> str:
    """At most ``MAX_WORDS`` whole words of ``text``, those nearest the date, first letter capital."""
    words = _trim(_tokens(text))
    if len(words) > MAX_WORDS:
        words = _trim(_nearest(words) if nearest_end else words[:MAX_WORDS])
    return _phrase(words)


def _phrase(words: list[str]) -> str:
    if not words:
        return ""
    if words[-1].lower() in _PARTICIPLES:
        words = [*words[:-1], _PARTICIPLES[words[-1].lower()]]
    return _capital(" ".join(words))


def _count(text: str) -> int:
    return len(_trim(_tokens(text)))


def clause_before(page: str, floor: int, position: int) -> str:
    """The text of the clause that leads up to ``position`` (not before ``floor``).

    The clause ends at the nearest ";" or ":", and within it at the nearest comma that
    leaves at least three words; a comma piece that is an aside (", less any amounts
    applied, ") is passed over.
    """
    pieces = _CLAUSE_BREAK.split(page[floor:position])
    while len(pieces) > 1 and not _WORD.search(pieces[-1]):
        pieces.pop()  # "Date of discharge: 6 February 2025": the label before the colon says it
    parts = _COMMA.split(pieces[-1])
    chosen: list[str] = []
    words = 0
    for index in range(len(parts) - 1, -1, -1):
        count = _count(parts[index])
        if count == 0 or (index > 0 and _ASIDE.match(parts[index])):
            continue
        chosen.insert(0, parts[index])
        words += count
        if words >= 3:
            break
    return ",".join(chosen) if chosen else pieces[-1]


def clause_after(page: str, position: int, ceiling: int) -> str:
    """The text from ``position`` to the end of its clause (not past ``ceiling``).

    A comma or point inside a number ("£18.4 million", "1,250") does not end the clause.
    """
    text = page[position:ceiling].lstrip(" ,\t\n")
    stop = _CLAUSE_END.search(text)
    return text[: stop.start()] if stop else text


def form_label(page: str, floor: int, start: int) -> str:
    """The label of a date written as a form field ("Date of birth: 12/07/1948"), or "".

    On a line of several fields ("Patient: Margaret Ellison Date of birth: ...") the
    previous field's value is left out: the label starts at its last capitalised word
    that does not follow a connecting word ("Date of Birth", not "Ellison Date of Birth").
    """
    before = page[floor:start]
    stripped = before.rstrip()
    if not stripped.endswith(":"):
        return ""
    head = stripped[:-1]
    separators = list(_FORM_FIELD.finditer(head))
    last = separators[-1] if separators else None
    words = _tokens(head[last.end() :] if last is not None else head)
    if last is not None and last.group() == ":":
        words = _label_start(words)
    return _phrase(_trim(words)[-MAX_WORDS:])


def _label_start(words: list[str]) -> list[str]:
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if word.lower() in _CONNECTORS or not word[:1].isupper():
            continue
        if index == 0 or words[index - 1].lower() not in _CONNECTORS:
            return words[index:]
    return words


def event_words(page: str, floor: int, start: int, end: int, ceiling: int, previous: str) -> Wording:
    """The event of the date at ``page[start:end]`` in a few words, its label and whether it only bounds.

    ``floor`` is where its clause may begin (the sentence start or the end of the previous
    date in the sentence), ``ceiling`` where it must stop; ``previous`` is the event of the
    previous date in the same sentence, or "".
    """
    wording = _event_words(page, floor, start, end, ceiling, previous)
    words = wording.event.split()
    if len(words) <= MAX_WORDS:
        return wording
    event = " ".join(words[-MAX_WORDS:])  # "... paid from": the words added at the end stay
    return Wording(_capital(event), event, wording.bound)


def _event_words(page: str, floor: int, start: int, end: int, ceiling: int, previous: str) -> Wording:
    label = form_label(page, floor, start)
    if label:
        return Wording(label, label, False)
    raw = page[floor:start]
    limit = _BOUND.search(raw)
    bound = limit is not None
    before = clause_before(page, floor, start)
    lead = " ".join(before.split()).lower()
    if previous and lead in _RANGE:
        words = _capital(f"{subject(previous)} ends")
        return Wording(words, words, False)
    if previous and lead == "and" and previous.endswith(" from"):  # "paid between 1 April and 31 March"
        words = _capital(f"{subject(previous)} until")
        return Wording(words, words, False)
    words = few_words(before, nearest_end=True)
    if previous and words and len(words.split()) <= 2 and before.strip()[:1].islower():
        words = _phrase(f"{subject(previous)} {words[0].lower()}{words[1:]}".split())
        return Wording(words, words, bound)
    if words:
        if _BETWEEN.search(raw):
            words = f"{words} from"
        if limit is not None and len(words.split()) + len(limit.group().split()) <= MAX_WORDS:
            words = f"{words} {' '.join(limit.group().lower().split())}"  # "... no earlier than"
        return Wording(words, words, bound)
    words = few_words(clause_after(page, end, ceiling), nearest_end=False)
    if not words and previous:  # "signed on 1 March 2025 and 3 March 2025": the same event again
        return Wording(previous, previous, bound)
    return Wording(words, words, bound)


def rule_words(page: str, floor: int, opens: int, closes: int, ceiling: int) -> str:
    """What a period at ``page[opens:closes]`` is about, in a few words ("Tenant to cure a late payment").

    The words before the period in its clause, as for a date; when they are only a
    subject and "has" ("The Tenant has fifteen (15) days ... to cure a late payment"), the
    purpose after the period is added; "for a term of five (5) years" is the "Term".
    """
    before = clause_before(page, floor, opens)
    named = _PERIOD_OF.search(before)
    if named is not None and not {w.lower() for w in named.group(1).split()} & (
        _CONNECTORS | _GENERIC_PERIOD
    ):
        return _phrase(named.group(1).split())
    words = _trim(_tokens(before))
    after = clause_after(page, closes, ceiling)
    if 2 <= len(words) <= 4:
        verb = next(
            (n for n in range(1, len(words)) if _WEAK_VERB.match(" ".join(words[n:]))),
            None,
        )
        purpose = re.match(r"\s*to\s+\w", after)
        if verb is not None and purpose is not None:
            stop = _PURPOSE_END.search(after)
            tail = _tokens(after[: stop.start()] if stop else after)
            return _phrase(_trim(words[:verb] + tail)[:MAX_WORDS])
    text = few_words(before, nearest_end=True)
    return text or few_words(after, nearest_end=False)


def _capital(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def subject(event: str) -> str:
    """ "Lease term begins" -> "Lease term": the event without its last word (its verb, mostly)."""
    words = event.split()
    return " ".join(words[:-1]) if len(words) > 1 else event


def cue(text: str) -> tuple[str, ...]:
    """The lower-case words of a label, in order, for matching an anchor's words against it."""
    return tuple(w.lower().strip("'’-") for w in _WORD.findall(text))
