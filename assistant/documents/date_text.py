"""Finding date strings, time periods and sentences in one page's text, by explicit patterns.

Why patterns and not dateutil's fuzzy parser: fuzzy parsing finds a "date" in almost any
number ("section 3.1" becomes 3 January, "£24,000" a year), and a list of deadlines that
invents dates is worse than none. So a candidate is only ever one of the shapes people
write dates in (day month year in English, French, German or Spanish, month day year, ISO,
numeric with a four-digit year, month and year alone), and it is kept only when it is a
real calendar day. Everything here works on one page's text and returns offsets into it,
so that what is reported is the page's own text, verbatim.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date

from assistant.text import number_value

# -- month names ------------------------------------------------------------------------------
_ENGLISH = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_FOREIGN = {
    # French
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9,
    "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7,
    "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}  # fmt: skip
MONTHS = {**_ENGLISH, **_FOREIGN}
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))

_DMY = re.compile(
    rf"(?<![\w/.,-])(?P<d>[0-3]?\d)(?:st|nd|rd|th|er|º)?\.?\s+(?:(?:of|de)\s+)?"
    rf"(?P<m>{_MONTH})\.?,?\s+(?:(?:de|del)\s+)?(?P<y>\d{{4}})(?![\w])",
    re.IGNORECASE,
)
_MDY = re.compile(
    rf"(?<![\w])(?P<m>{_MONTH})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?![\w])",
    re.IGNORECASE,
)
_ISO = re.compile(r"(?<![\w./-])(?P<y>\d{4})-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)(?![\w]|[./-]\d)")
_NUMERIC = re.compile(
    r"(?<![\w./-])(?P<a>[0-3]?\d)(?P<sep>[/.-])(?P<b>[0-3]?\d)(?P=sep)(?P<y>\d{4})(?![\w]|[./-]\d)"
)
_MONTH_YEAR = re.compile(
    rf"(?<![\w])(?P<m>{_MONTH})\.?,?\s+(?:(?:de|del)\s+)?(?P<y>\d{{4}})(?![\w])", re.IGNORECASE
)
FIRST_YEAR, LAST_YEAR = 1800, 2200  # a four-digit number outside these is not a year in a document

# The shapes a date mention can have; the numeric ones matter for day-first or month-first.
DMY, MDY, ISO, DAY_FIRST, MONTH_FIRST, DOTTED, SAME, AMBIGUOUS, MONTH_YEAR = (
    "dmy", "mdy", "iso", "numeric-day-first", "numeric-month-first", "dotted", "numeric-same",
    "ambiguous", "month-year",
)  # fmt: skip


@dataclass(frozen=True)
class DateMention:
    """A date as written on the page, with its reading(s).

    ``day`` is None for a month and year alone. An ``AMBIGUOUS`` numeric date ("03/04/2025")
    holds its day-first reading in ``year``/``month``/``day`` and the month-first one in
    ``month_first``; which one stands is decided per document (``dates.py``).
    """

    start: int
    end: int
    text: str
    year: int
    month: int
    day: int | None
    shape: str
    foreign: bool = False
    month_first: date | None = None

    @property
    def value(self) -> date | None:
        return None if self.day is None else date(self.year, self.month, self.day)


@dataclass(frozen=True)
class Invalid:
    """Something written like a date that is not a calendar day ("31 June 2024")."""

    start: int
    text: str


def find_dates(text: str) -> tuple[list[DateMention], list[Invalid]]:
    """Every date string on the page, in order, without overlaps; and the impossible ones."""
    found: list[DateMention | Invalid] = []
    for pattern, reader in (
        (_DMY, _named),
        (_MDY, _named),
        (_ISO, _iso),
        (_NUMERIC, _numeric),
        (_MONTH_YEAR, _month_year),
    ):
        for match in pattern.finditer(text):
            item = reader(match, pattern)
            if item is not None:
                found.append(item)
    kept: list[DateMention | Invalid] = []
    taken_until = -1
    for item in sorted(found, key=lambda i: (i.start, -len(i.text))):
        if item.start >= taken_until:  # full dates start earlier than the month-year inside them
            kept.append(item)
            taken_until = item.start + len(item.text)
    return [i for i in kept if isinstance(i, DateMention)], [i for i in kept if isinstance(i, Invalid)]


def _named(match: re.Match[str], pattern: re.Pattern[str]) -> DateMention | Invalid | None:
    name = match["m"].lower()
    year, month, day = int(match["y"]), MONTHS[name], int(match["d"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if not _valid(year, month, day):
        return Invalid(match.start(), match[0])
    shape = DMY if pattern is _DMY else MDY
    return DateMention(match.start(), match.end(), match[0], year, month, day, shape, name in _FOREIGN)


def _iso(match: re.Match[str], _pattern: re.Pattern[str]) -> DateMention | Invalid | None:
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if not _valid(year, month, day):
        return Invalid(match.start(), match[0])
    return DateMention(match.start(), match.end(), match[0], year, month, day, ISO)


def _numeric(match: re.Match[str], _pattern: re.Pattern[str]) -> DateMention | Invalid | None:
    a, b, year = int(match["a"]), int(match["b"]), int(match["y"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    day_first, month_first = _valid(year, b, a), _valid(year, a, b)
    start, end, written = match.start(), match.end(), match[0]
    if day_first and month_first and a != b:
        if match["sep"] == ".":  # 03.04.2025 is a European way of writing: day first
            return DateMention(start, end, written, year, b, a, DOTTED)
        return DateMention(start, end, written, year, b, a, AMBIGUOUS, month_first=date(year, a, b))
    if day_first:
        return DateMention(start, end, written, year, b, a, DAY_FIRST if a != b else SAME)
    if month_first:
        return DateMention(start, end, written, year, a, b, MONTH_FIRST)
    return Invalid(start, written)


def _month_year(match: re.Match[str], _pattern: re.Pattern[str]) -> DateMention | None:
    name = match["m"].lower()
    year = int(match["y"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if name == "may" and match["m"] == "may":  # "the Tenant may 2025 ..." is a verb, not May
        return None
    return DateMention(
        match.start(), match.end(), match[0], year, MONTHS[name], None, MONTH_YEAR, name in _FOREIGN
    )


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def spelled(value: date) -> str:
    """A date as a reader checks it: "3 April 2025" (day first) and "April 3, 2025"."""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def spelled_month_first(value: date) -> str:
    return f"{MONTH_NAMES[value.month - 1]} {value.day}, {value.year}"


# -- periods ----------------------------------------------------------------------------------
_UNITS_1_9 = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _alternation(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_TENS_WRITTEN = _alternation([*_TENS, "fourty"])
_BELOW_100 = (
    rf"(?:(?:{_TENS_WRITTEN})(?:[\s-]+(?:{_alternation(_UNITS_1_9)}))?|{_alternation(_TEENS + _UNITS_1_9)})"
)
_NUMBER_WORDS = (
    rf"(?:(?:{_alternation(_UNITS_1_9)}|a|one)\s+hundred(?:(?:\s+and)?\s+{_BELOW_100})?|{_BELOW_100}|an?)"
)
_PERIOD = re.compile(
    rf"(?<![\w.,£$€-])(?P<num>\d{{1,4}}|{_NUMBER_WORDS})(?:\s*\(\s*(?P<digits>\d{{1,4}})\s*\))?[\s-]+"
    r"(?:(?P<counting>calendar|business|working|banking|clear)\s+)?(?P<unit>days?|weeks?|months?|years?)\b"
    r"(?P<notice>['’]?s?(?:\s+(?:prior|advance|written|clear|prior\s+written))?\s+notice\b)?",
    re.IGNORECASE,
)
# Words after a period that make it something else than a time limit: "three months' rent".
_NOT_A_LIMIT = re.compile(r"^['’]?s?\s+(?:rent|salary|pay|wages|fees?|interest|old|of\s+age)\b", re.I)
_PREFIX = re.compile(
    r"(?P<prefix>(?:(?:not|no)\s+(?:later|earlier|sooner|more|less|fewer)\s+than|at\s+(?:least|most|"
    r"the\s+latest|the\s+earliest)|up\s+to|(?:a\s+)?minimum\s+of|(?:a\s+)?maximum\s+of|within|in|after|"
    r"for|by)\s+)$",
    re.IGNORECASE,
)
_EARLIEST_BEFORE = re.compile(r"^(?:(?:not|no)\s+(?:earlier|sooner|more)\s+than|at\s+most|up\s+to|maximum)")
_LATEST_BEFORE = re.compile(
    r"^(?:at\s+least|(?:not|no)\s+(?:less|fewer|later)\s+than|at\s+the\s+latest|(?:a\s+)?minimum)"
)
_EARLIEST_AFTER = re.compile(
    r"^(?:(?:not|no)\s+(?:earlier|sooner|less|fewer)\s+than|at\s+least|at\s+the\s+earliest|(?:a\s+)?minimum)"
)
_LATEST_AFTER = re.compile(
    r"^(?:within|by|(?:not|no)\s+(?:later|more)\s+than|at\s+most|up\s+to|at\s+the\s+latest|maximum)"
)
_BEFORE = r"before|prior\s+to|in\s+advance\s+of|ahead\s+of"
_AFTER = r"after|following|from|since|of"
_DIRECTION = re.compile(rf"\b(?P<dir>{_BEFORE}|{_AFTER})\b", re.IGNORECASE)
# Where an anchor's words end: "written notice from the Landlord | to cure a late payment".
_ANCHOR_END = re.compile(
    r"[,;:.!?()]|\b(?:and|or|unless|provided|whichever|which|in\s+which|if|where|but|"
    r"to\s+(?:the|a|an)\s+\w+|to\s+(?!(?:the|a|an|its|his|her|their|such|each|any)\b)(?-i:[a-z])\w*)\b",
    re.IGNORECASE,
)
_MAX_ANCHOR_WORDS = 10
UNITS = ("days", "weeks", "months", "years")


@dataclass(frozen=True)
class PeriodMention:
    """A stated length of time and, where the text gives one, what it counts from.

    ``direction`` is -1 for "before X", +1 for "after/of/from X", 0 when nothing is named
    (``relation`` is then "in"/"within"/"after" for "review in 6 weeks", else ""). ``bound``
    says which end of a window the computed day is: "latest", "earliest" or "".
    """

    start: int  # where the rule's wording starts (with "within", "at least"...)
    end: int  # where it ends (after the anchor's words, or after the period)
    amount: int
    unit: str  # one of UNITS
    counting: str  # "", "calendar", "business", "working", "banking" or "clear"
    direction: int
    relation: str
    anchor_text: str
    anchor_start: int
    bound: str
    period_text: str  # "thirty (30) days"
    notice: bool = False  # "ninety days' written notice": a notice period


def find_periods(text: str, sentence_end: int, start: int = 0) -> list[PeriodMention]:
    """The periods in ``text[start:sentence_end]``, each with its direction and anchor words."""
    periods: list[PeriodMention] = []
    for match in _PERIOD.finditer(text, start, sentence_end):
        amount = _amount(match)
        if amount is None or amount <= 0 or _NOT_A_LIMIT.match(text[match.end() : match.end() + 20]):
            continue
        if match["num"].lower() in ("a", "an") and not _PREFIX.search(
            text[max(0, match.start() - 30) : match.start()]
        ):
            continue  # "a day" alone is prose; "within a month" is a limit
        unit = match["unit"].lower()
        unit = unit if unit.endswith("s") else unit + "s"
        before = text[max(start, match.start() - 40) : match.start()]
        prefix = _PREFIX.search(before)
        rule_start = match.start() - (len(prefix["prefix"]) if prefix else 0)
        prefix_words = " ".join(prefix["prefix"].lower().split()) if prefix else ""
        notice = bool(match["notice"])
        direction, relation, anchor_text, anchor_start, end = _direction(text, match, sentence_end, notice)
        if direction == 0 and prefix_words in ("in", "within", "after"):
            relation = prefix_words
        periods.append(
            PeriodMention(
                start=rule_start,
                end=end,
                amount=amount,
                unit=unit,
                counting=(match["counting"] or "").lower(),
                direction=direction,
                relation=relation,
                anchor_text=anchor_text,
                anchor_start=anchor_start,
                bound=_bound(prefix_words, direction),
                period_text=text[match.start() : match.end("unit")],
                notice=notice,
            )
        )
    return periods


def _amount(match: re.Match[str]) -> int | None:
    if match["digits"]:
        return int(match["digits"])  # "thirty (30) days": the figure is what binds
    number = match["num"]
    return int(number) if number.isdigit() else words_to_number(number)


def words_to_number(words: str) -> int | None:
    """ "ninety" -> 90, "a hundred" -> 100, "an" (as in "an hour") -> 1; None if not a number."""
    return number_value(re.sub(r"^\s*an?\b", "one", words, flags=re.IGNORECASE))


def _direction(
    text: str, match: re.Match[str], sentence_end: int, notice: bool
) -> tuple[int, str, str, int, int]:
    """(direction, relation word, anchor words, anchor offset, rule end) after the period.

    "90 days' notice before the expiry date" counts back from the expiry date, but in
    "90 days' notice of renewal" the "of" belongs to the notice: after a notice period
    only a "before" names an anchor.
    """
    end = match.end()
    rest = text[end:sentence_end]
    found = _DIRECTION.search(rest)
    if found is not None:
        between = rest[: found.start()]
        word = " ".join(found["dir"].lower().split())
        words = between.split()
        before = re.fullmatch(_BEFORE, word) is not None
        clean = not re.search(r"[;:.!?]", between)
        if notice and not before:
            usable = False
        elif word == "of":
            usable = not words or (len(words) == 1 and words[0] in ("'", "’", "'s", "’s"))
        elif before:
            usable = clean and len(words) <= 8
        else:
            usable = clean and len(words) <= 3 and "notice" not in between.lower()
        if usable:
            anchor_start = end + found.end()
            while anchor_start < sentence_end and text[anchor_start].isspace():
                anchor_start += 1
            anchor_end = _anchor_end(text, anchor_start, sentence_end)
            anchor_text = text[anchor_start:anchor_end].strip()
            if anchor_text:
                return (-1 if before else 1), word, anchor_text, anchor_start, anchor_start + len(anchor_text)
    return 0, "", "", -1, end


def _anchor_end(text: str, start: int, sentence_end: int) -> int:
    stop = _ANCHOR_END.search(text, start, sentence_end)
    end = stop.start() if stop is not None else sentence_end
    words = list(re.finditer(r"\S+", text[start:end]))
    if len(words) > _MAX_ANCHOR_WORDS:
        end = start + words[_MAX_ANCHOR_WORDS - 1].end()
    return end


def _bound(prefix: str, direction: int) -> str:
    if direction < 0:
        if _EARLIEST_BEFORE.match(prefix):
            return "earliest"
        return "latest" if _LATEST_BEFORE.match(prefix) else ""
    if _EARLIEST_AFTER.match(prefix):
        return "earliest"
    return "latest" if _LATEST_AFTER.match(prefix) else ""


# -- sentences --------------------------------------------------------------------------------
_ABBREVIATIONS = {
    "no", "nos", "dr", "mr", "mrs", "ms", "prof", "st", "cl", "para", "paras", "p", "pp", "art", "arts",
    "sec", "sect", "e.g", "i.e", "etc", "vs", "v", "cf", "approx", "ref", "fig", "vol", "ch", "sched",
}  # fmt: skip
_CONTINUES = {
    "between",
    "of",
    "and",
    "or",
    "the",
    "a",
    "an",
    "on",
    "to",
    "by",
    "with",
    "for",
    "in",
    "at",
    "from",
}
_HEADING_WORDS = 10
_SECTION_WORDS = 6  # a line this short, unpunctuated, is a section heading ("Follow-up")
_BULLET = re.compile(r"[ \t]*[-•*–]\s")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|[A-Z]\.)\s+")
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")
_BLANK = re.compile(r"\n[ \t]*\n")
_NEXT_CHAR = re.compile(r"\s*(\S)")
_NEXT_MONTH = re.compile(rf"\s+(?:{_MONTH})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int

    def text(self, page: str) -> str:
        return page[self.start : self.end]


def sentences(text: str) -> list[Sentence]:
    """The page cut into sentences (and headings and form lines), as offsets into ``text``.

    A PDF line break is not a sentence break, except after a short line without closing
    punctuation that is followed by a capital (a heading, "Date of discharge: ...").
    """
    cuts = {0, len(text)}
    for match in _END.finditer(text):
        if _sentence_ends(text, match):
            cuts.add(match.end())
    cuts.update(m.start() for m in _BLANK.finditer(text))
    offset = 0
    for line in text.split("\n")[:-1]:
        offset += len(line) + 1
        words = line.split()
        following = _NEXT_CHAR.match(text, offset)
        if _BULLET.match(text, offset):
            cuts.add(offset)  # "- Cefuroxime ... (until 12 February 2026)." is an item of its own
        if (
            words
            and len(words) <= _HEADING_WORDS
            and not re.search(r"[.!?,;]$", line.rstrip())
            and words[-1].lower() not in _CONTINUES
            and following is not None
            and following.group(1).isupper()
        ):
            cuts.add(offset - 1)
    found: list[Sentence] = []
    bounds = sorted(cuts)
    for left, right in itertools.pairwise(bounds):
        while left < right and text[left].isspace():
            left += 1
        while right > left and text[right - 1].isspace():
            right -= 1
        if left < right:
            found.append(Sentence(left, right))
    return found


def headings(text: str) -> list[tuple[int, str]]:
    """The section headings of a page, in order, as (offset, heading without "#" or numbering).

    A heading is a Markdown "#" line, or a short line of its own (at most six words) that
    starts with a capital and has no punctuation, colon or year in it ("Follow-up",
    "Medications at discharge"); a form line ("Date of discharge: ...") is not one.
    """
    found: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        title = _NUMBERING.sub("", stripped.lstrip("#").strip())
        words = title.split()
        if words and (
            stripped.startswith("#")
            or (
                len(words) <= _SECTION_WORDS
                and title[0].isupper()
                and not re.search(r"[.!?,;:]|\d{4}", title)
                and words[-1].lower() not in _CONTINUES
            )
        ):
            found.append((offset + line.index(stripped[0]), title))
        offset += len(line) + 1
    return found


def _sentence_ends(text: str, match: re.Match[str]) -> bool:
    after = _NEXT_CHAR.match(text, match.end())
    if after is not None:
        first = after.group(1)
        if not (first.isupper() or first.isdigit() or first in "\"'“‘(["):
            return False
    word = re.search(r"([\w.]+)[.!?]+[\"'”’)\]]*$", text[max(0, match.start() - 12) : match.end()])
    if word is not None:
        token = word.group(1).lower().rstrip(".")
        if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            return False
        if token.isdigit() and len(token) <= 2 and _NEXT_MONTH.match(text, match.end()):
            return False  # "3. März 2031": a German day, not the end of a sentence
        if token in MONTHS and after is not None and after.group(1).isdigit():
            return False  # "2 Feb. 2025"
    return True
