"""Routing: does a request need a tool, and which one?

Most requests are plain questions ("what is the notice period?"), and they must reach
the Answerer with no added latency, so the judge is a set of patterns that costs
microseconds. A question, by its wording or its question mark, is answered, whatever words
it contains: a question that mentions a "discharge summary" or "the dates" is still a
question about what the documents say. A tool runs only when it is asked for as a command
("summarise the lease", "could you list the deadlines in the lease?", "extract the parties
into a table"), or for arithmetic with its operands written out. Only a command with a weak,
ambiguous sign ("documents about ...", "compare the two leases") is put to the model, as a
constrained choice among the tools: a question never pays for a routing call.
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

# A request that asks politely is still a command: "Could you summarise the lease?".
_POLITE = re.compile(
    r"^\s*(?:(?:please|kindly|now|ok(?:ay)?|quire)[,\s]+)*"
    r"(?:(?:can|could|would|will) you(?: please)?\s+|i(?:'d| would) like (?:you )?to\s+"
    r"|i (?:want|need) (?:you )?to\s+|help me(?: to)?\s+|let'?s\s+)?(?:please\s+)?",
    re.IGNORECASE,
)
_THINGS = r"(?:documents|files|contracts|agreements|records|letters|reports|notes|papers)"

# (tool, pattern) for commands, matched at the start of the request once any polite opener
# is removed; the first match wins, so the more specific come first. A tool runs only when
# it is asked for this way: "summarise the lease", never "what does the summary say?".
COMMANDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "summarize_document",
        re.compile(
            r"(?:summari[sz]e|sum up|recap|outline the main points)\b"
            r"|(?:give|write|make|produce|prepare|draft)(?: me| us)? (?:a |an |the )?(?:short |brief |quick |one[- ]page |detailed )?"
            r"(?:summary|summaries|overview|gist|recap|precis|synopsis)\b"
            r"|(?:a |an |the )?(?:short |brief )?(?:summary|overview|gist|synopsis|tl;?dr)(?: of)?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "compare_documents",
        re.compile(
            r"(?:compare|contrast|redline|diff)\b.{1,80}?\b(?:and|with|to|against|versus|vs\.?)\b"
            r"|(?:compare|contrast|redline|diff) (?:the|these|those|both|my) (?:two|2|versions?)\b"
            r"|(?:make|give|show|produce|prepare|draft)(?: me| us)? (?:a |the )?(?:comparison|redline) of\b",
            re.IGNORECASE,
        ),
    ),
    (
        "read_passage",
        re.compile(
            r"(?:read|show|quote|open|display|print|go to)\b.{0,30}?\bpage \d+\b|(?:the )?text of page \d+",
            re.IGNORECASE,
        ),
    ),
    (
        "list_documents",
        re.compile(
            rf"(?:list|show|name|count)(?: me)? (?:all |every )?(?:of )?(?:the |my |our )?{_THINGS}"
            r"(?: (?:in|of) (?:my |the |this )?(?:library|collection|folder|matter))?\s*[.!]?\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        "list_dates",
        re.compile(
            r"(?:list|show|give|find|get|pull|make|build|create|draw up|set out|collect)\b.{0,40}?"
            r"\b(?:dates|deadlines?|due dates|time limits?|timeline|chronology|expiry dates|key dates)\b"
            r"|(?:(?:all|every|the|key|important|upcoming|critical) )+(?:dates|deadlines|time limits)\b"
            r"|(?:a |the )?(?:timeline|chronology) of\b",
            re.IGNORECASE,
        ),
    ),
    (
        "extract_facts",
        re.compile(
            r"(?:extract|pull out|tabulate|fill in)\b"
            r"|(?:put|turn|organi[sz]e)\b.{1,80}?\b(?:in|into) (?:a |the )?(?:table|spreadsheet|csv)\b"
            r"|(?:make|build|create|give)(?: me)? (?:a |the )?(?:table|spreadsheet|csv) of\b"
            r"|(?:a |the )?(?:table|spreadsheet|csv) of\b",
            re.IGNORECASE,
        ),
    ),
    (
        "search_documents",
        re.compile(
            rf"(?:find|search|look for|locate|show|list)\b.{{0,30}}?\b{_THINGS}\b"
            r"|search (?:for|my|the|all)\b|(?:list|find|show|locate) (?:all|every|each)\b",
            re.IGNORECASE,
        ),
    ),
]
# Questions about the library itself, not about what its documents say: a list, not an answer.
LIBRARY_QUESTIONS: list[tuple[str, re.Pattern[str]]] = [
    (
        "list_documents",
        re.compile(
            rf"^\s*(?:how many {_THINGS}\b|what {_THINGS} (?:do i have|are (?:there|in)|have i (?:added|indexed)))",
            re.IGNORECASE,
        ),
    ),
    (
        "search_documents",
        re.compile(
            rf"^\s*(?:which|what) {_THINGS} (?:mention|contain|refer to|talk about|discuss|are about|cite|name)\b",
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


def as_command(request: str) -> str | None:
    """The request without its polite opener when it is a command; None when it is a question.

    "Could you summarise the lease?" is a command ("summarise the lease?"); "What does the
    summary say?" and "Is there a deadline?" are questions, and so is anything else that
    ends with a question mark.
    """
    stripped = _POLITE.sub("", request, count=1)
    if stripped != request.lstrip() and any(pattern.match(stripped) for _tool, pattern in COMMANDS):
        return stripped
    if is_question(request) or request.rstrip().endswith("?"):
        return None
    return stripped


def _computation(request: str) -> str | None:
    """A date difference or a sum with its operands written out: arithmetic, not a document question."""
    dates = len(DATE.findall(request))
    if (dates >= 2 and _DURATION.search(request)) or (
        dates >= 1 and re.search(r"\bdays? (?:until|since|from today)\b", request, re.IGNORECASE)
    ):
        return "date_difference"
    numbers = len(_NUMBER.findall(request))
    if not dates and (
        _ARITHMETIC.search(request)
        or (numbers >= 1 and _CALC_WORDS.search(request))  # "how to calculate the penalty" is a question
        or (numbers >= 2 and _ARITH_WORDS.search(request))
    ):
        return "calculate"
    return None


def route_by_rules(request: str) -> str | None:
    """A tool name or ``answer`` when the patterns are sure; None when only the model can tell.

    A question is answered, never routed, whatever words it uses ("What does the discharge
    summary say about follow-up?", "Which page lists the side effects?"): the answer path
    checks every sentence against its passage, and a tool's output is not checked that way.
    The only questions that reach a tool are arithmetic with its operands written out and
    questions about the library itself ("How many documents do I have?", "Which documents
    mention asbestos?"), whose answer is a list of documents, not a sentence of one.
    """
    computed = _computation(request)
    if computed is not None:
        return computed
    command = as_command(request)
    if command is None:
        return next((tool for tool, pattern in LIBRARY_QUESTIONS if pattern.match(request)), ANSWER)
    for tool, pattern in COMMANDS:
        if pattern.match(command):
            return tool
    if _DURATION.search(command) or WEAK.search(command):
        return None  # a command with a weak sign ("documents about ...", "compare the two leases")
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
