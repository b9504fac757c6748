"""Routing: does a request need a tool, and which one?

Most requests are plain questions ("what is the notice period?"), and they must reach
the Answerer with no added latency, so the first judge is a set of patterns that costs
microseconds. A request with a clear sign ("summarise...", "between 3 March 2025 and
...", "1,200 * 0.04", "the key dates") goes straight to its tool, even when it is worded
as a question; one with no sign at all goes straight to the Answerer; only a request with
a weak, ambiguous sign ("how many days until 3 May", "documents about ...") that is not
worded as a question is put to the model, as a constrained choice among the tools.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Literal

from assistant.answering.question import is_question
from assistant.jobs import CancelToken
from assistant.tools.loop import ANSWER, ToolLoop

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
DATE = re.compile(
    rf"\b(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {_MONTH},? \d{{4}}|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|today)\b",
    re.IGNORECASE,
)
_ARITHMETIC = re.compile(
    r"\d\s*(?:[-+*/×÷^x]|\*\*)\s*\(?-?\s*[£$€]?\d|\d\s*%\s*of\b|\b(?:sqrt|round)\s*\(", re.IGNORECASE
)
_CALC_WORDS = re.compile(
    r"\b(?:calculate|compute|work out)\b|\d\s*(?:times|divided by|multiplied by|plus|minus)\s*[£$€]?\d",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_ARITH_WORDS = re.compile(
    r"\b(?:times|divided by|multiplied by|plus|minus|add|sum of|total of)\b", re.IGNORECASE
)
_DURATION = re.compile(
    r"\bhow (?:many|long)\b.*\b(?:days?|weeks?|months?|years?)\b|\b(?:days?|weeks?|months?|years?) (?:between|from|until|since)\b",
    re.IGNORECASE,
)

# (tool, pattern): the first match wins, so the more specific come first.
STRONG: list[tuple[str, re.Pattern[str]]] = [
    (
        "summarize_document",
        re.compile(
            r"\bsumm?ar(?:y|ies|i[sz]e|i[sz]ing)\b|\b(?:overview|gist|key points|tl;?dr)\b", re.IGNORECASE
        ),
    ),
    (
        "extract_facts",
        re.compile(
            r"\bextract\b|\bpull out\b|\b(?:table|spreadsheet|csv) of\b|\bfill in (?:a|the) (?:table|form)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "read_passage",
        re.compile(
            r"\b(?:read|show|quote|open|display|text of)\b.{0,20}\bpage \d+\b|\bpage \d+ of\b", re.IGNORECASE
        ),
    ),
    (
        # A list of dates, however it is worded (a question too): "what are the key dates",
        # "every deadline", "when do the leases expire". A single date ("When is the deposit
        # returned?", "What is the deadline for ...?") is a fact question for the Answerer.
        "list_dates",
        re.compile(
            r"\b(?:key|important|critical|main|upcoming|relevant) (?:dates?|deadlines?)\b|\bdeadlines\b"
            r"|\b(?:every|each|all|any|list(?: of)?)(?: the| my)? (?:deadlines?|dates|due dates|time limits)\b"
            r"|\b(?:due|expiry|expiration|renewal) dates\b|\btime limits\b"
            r"|\bwhen (?:do|will|are) (?:the |my |our |these |all |any )?(?:\w+ )?\w+s\b.{0,40}?"
            r"\b(?:expire|renew|lapse|fall due|due)\b"
            r"|\b(?:timeline|chronology) of\b|\b(?:make|build|create|draw up|give me) (?:a |the )?(?:timeline|chronology)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "list_documents",
        re.compile(
            r"\b(?:list|show|name) (?:all |every )?(?:of )?(?:the |my )?(?:documents|files)\b(?! (?:that|which|where|mentioning|about|containing|with))"
            r"|\bhow many (?:documents|files)\b|\bwhat (?:documents|files) (?:do i have|are (?:there|in))\b",
            re.IGNORECASE,
        ),
    ),
    (
        "search_documents",
        re.compile(
            r"\b(?:which|what) (?:documents|files|contracts|agreements|records|letters|reports)\b"
            r"|\b(?:list|find|show) (?:all|every|each)\b|\bsearch (?:for|my|the)\b|\bwhere (?:is|are|does)\b.*\bmention",
            re.IGNORECASE,
        ),
    ),
]
WEAK = re.compile(
    r"\b(?:deadline|total|sum|average|percent(?:age)?|interest)\b"
    r"|\b(?:documents|files|folder|library|collection)\b|\bpage \d+\b|\bcompare\b",
    re.IGNORECASE,
)

Source = Literal["rules", "model", "default"]


@dataclass(frozen=True)
class Route:
    """Where a request goes: a tool name or ``answer``, who decided, and what it cost."""

    tool: str
    source: Source
    ms: float


def route_by_rules(request: str) -> str | None:
    """A tool name or ``answer`` when the patterns are sure; None when only the model can tell."""
    dates = len(DATE.findall(request))
    if (dates >= 2 and _DURATION.search(request)) or (
        dates >= 1 and re.search(r"\bdays? (?:until|since|from today)\b", request, re.IGNORECASE)
    ):
        return "date_difference"
    for tool, pattern in STRONG:
        if pattern.search(request):
            return tool
    numbers = len(_NUMBER.findall(request))
    if not dates and (
        _ARITHMETIC.search(request)
        or _CALC_WORDS.search(request)
        or (numbers >= 2 and _ARITH_WORDS.search(request))
    ):
        return "calculate"
    if _DURATION.search(request) and dates == 1:
        return None
    if WEAK.search(request) and not is_question(request):
        # A question ("Does the LGPL ...?", "What is the total ...?") is answered from the
        # passages, with every sentence checked: only a request worded as a command is put to
        # the model, so a plain question never pays for a routing call.
        return None
    return ANSWER


class Router:
    """Rules first; the model only for the requests the rules cannot place (if it is given)."""

    def __init__(self, loop: ToolLoop | None = None) -> None:
        self.loop = loop

    def route(self, request: str, cancel: CancelToken | None = None) -> Route:
        started = time.perf_counter()
        decided = route_by_rules(request)
        if decided is not None:
            return Route(decided, "rules", (time.perf_counter() - started) * 1000)
        if self.loop is None:
            return Route(ANSWER, "default", (time.perf_counter() - started) * 1000)
        tool = self.loop.choose(request, cancel=cancel)
        return Route(tool, "model", (time.perf_counter() - started) * 1000)
