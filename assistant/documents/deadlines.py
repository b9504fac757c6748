"""Which dated event a deadline rule counts from, and the arithmetic, shown so it can be checked.

A rule such as "at least ninety (90) days before the end of the term" becomes a date only
when the same document states the date it counts from. The anchor's words ("the end of
the term") are matched to the *labels* of the document's dated events, the words that
name each date ("Discharged:", "Date of discharge", "the term ... ending on", "expires
on"), never to the rest of a sentence that merely mentions the same word. An event
matches when its label names the same thing: the same concept (an end, a start, a
notice, a discharge...) and nothing else ("such notice to expire" is an expiry, not the
giving of a notice), with every other word of the anchor ("term" in "the end of the
term", "Landlord" in "written notice from the Landlord"); a date that only bounds
something ("no earlier than 31 March 2028") is no anchor. When no event matches, or two
that match fall on different days, the rule is listed as a period and the reason given,
never resolved by a guess. The arithmetic is ``dateutil.relativedelta``, which gets month
ends right (31 January + 1 month is 28 or 29 February), and is returned as text.

Business and working days need the public holidays that apply, which a document rarely
lists, and "clear days" leave out both ends by a rule that varies: those are not computed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from assistant.documents.date_text import PeriodMention


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What an anchor is about, with the words that say it; an event must share the concept.
CONCEPTS: dict[str, frozenset[str]] = {
    "end": _words(
        "end ends ending ended expiry expire expires expired expiring expiration until till terminates"
    ),
    "start": _words(
        "commencement commence commences commenced commencing begin begins beginning began start starts "
        "started starting effective"
    ),
    "notice": _words("notice notices notified notification notify"),
    "discharge": _words("discharge discharged discharging"),
    "admission": _words("admission admitted admit"),
    "birth": _words("birth born"),
    "invoice": _words("invoice invoices invoiced invoicing"),
    "payment": _words("paid pay payment payments paying payable"),
    "due": _words("due"),
    "completion": _words("completion completed completes"),
    "signature": _words("signed signature signing executed execution"),
}
_IGNORED = _words(
    "the a an of this that its his her their date dated day said such relevant any applicable receipt "
    "received service served giving given gave give sending sent delivery delivered issue issued written "
    "on in at to for by from with upon under"
)
_RECURRING = _words("each every any all")
NOT_COUNTED = {
    "business": "business days depend on the public holidays that apply, which the document does not list",
    "working": "working days depend on the public holidays that apply, which the document does not list",
    "banking": "banking days depend on the public holidays that apply, which the document does not list",
    "clear": "clear days leave out the first and the last day by rules that vary",
}


# A concept named by a noun that only qualifies the next word is not what the label names:
# "Discharge plan was discussed" is about a plan, "Notice period ends" about an end. The
# noun stays the head when the next word joins or dates it ("Date of discharge", "Discharge
# date", "Notice of breach served", "such notice to expire").
_NOUNS = _words(
    "end expiry expiration commencement start beginning notice notices notification discharge admission "
    "birth invoice invoices payment payments completion signature signing execution"
)
_HEAD_FOLLOWERS = _words(
    "of on at to by for in from with and or was is were are has had took takes will shall be been being "
    "date day dated served given sent delivered received issued made no number nr"
)
# "a notice of breach", "notice to quit": a notice of a kind, which a rule must name to count from it.
_NOTICE_KIND = re.compile(r"\bnotices?\s+(?:of|to)\s+(?:the\s+|a\s+|an\s+)?([^\W\d_][\w'’-]*)")


@dataclass(frozen=True)
class Candidate:
    """A dated event a rule could count from: its day (None: month and year only), label words, where.

    ``words`` are the lower-case words of the event's *label* (what names the date: "date
    of discharge", "lease term ends"), in order, not the words of its whole sentence.
    """

    value: date | None
    words: tuple[str, ...]
    label: str  # "2029-06-30 (p. 1)", for a message naming the choices
    bound: bool = False  # "no earlier than 31 March 2028": a limit, not the day something happens


_ALL_CONCEPT_WORDS = frozenset().union(*CONCEPTS.values())
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def concepts(words: Sequence[str]) -> frozenset[str]:
    """The concepts (``CONCEPTS``) that words, in order, name as their head.

    >>> sorted(concepts("date of discharge".split())), sorted(concepts("discharge plan was discussed".split()))
    (['discharge'], [])
    """
    named: set[str] = set()
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else None
        if (
            word in _NOUNS
            and following is not None
            and following not in _HEAD_FOLLOWERS
            and following not in _ALL_CONCEPT_WORDS
        ):
            continue  # "discharge plan": the noun qualifies the next one
        named.update(name for name, forms in CONCEPTS.items() if word in forms)
    return frozenset(named)


def choose_anchor(anchor: str, candidates: Sequence[Candidate], context: str = "") -> tuple[int | None, str]:
    """The index of the one event ``anchor`` names, or None and the reason in a sentence.

    Strict on purpose: an event's label must name what the anchor names (the same
    concepts, no other, and every other word of the anchor), so that "written notice"
    never counts from a date that only sits in a sentence about some notice; a notice of
    a kind ("notice of breach") must be named as that kind by the anchor or by ``context``,
    the rule's sentence ("remedy the breach within 14 days after service of the notice").
    """
    words = [w.lower().strip("'’-") for w in _WORD.findall(anchor)]
    if words and words[0] in _RECURRING:
        return None, f"counted from {anchor}, not from one date"
    wanted = concepts(words)
    content = {_stem(w) for w in words if w not in _IGNORED and w not in _ALL_CONCEPT_WORDS}
    named = {_stem(w.lower().strip("'’-")) for w in _WORD.findall(f"{anchor} {context}")}
    top: list[int] = []
    if wanted or content:
        for index, candidate in enumerate(candidates):
            stems = {_stem(w) for w in candidate.words}
            if candidate.bound or not content <= stems:
                continue
            if wanted and concepts(candidate.words) != wanted:
                continue
            kinds = {_stem(k.lower()) for k in _NOTICE_KIND.findall(" ".join(candidate.words))}
            if "notice" in wanted and not kinds <= named:
                continue  # a notice of breach is not "written notice" of anything else
            top.append(index)
    if not top:
        return None, f"the document states no date for “{anchor}”"
    if len({candidates[i].value for i in top}) > 1:
        choices = " or ".join(candidates[i].label for i in top)
        return None, f"“{anchor}” could be {choices}"
    if candidates[top[0]].value is None:
        return None, f"“{anchor}” is dated by month and year only ({candidates[top[0]].label})"
    return top[0], ""


def apply(period: PeriodMention, anchor: date) -> tuple[date, str]:
    """The day ``period`` counts to from ``anchor``, and the arithmetic as text.

    ``"2029-06-30 − 90 days"``: before an anchor counts back, after it (or "in 6 weeks")
    counts on.
    """
    step = relativedelta(**{period.unit: period.amount})
    back = period.direction < 0
    result: date = anchor - step if back else anchor + step
    unit = period.unit if period.amount != 1 else period.unit[:-1]
    return result, f"{anchor.isoformat()} {'−' if back else '+'} {period.amount} {unit}"


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word
