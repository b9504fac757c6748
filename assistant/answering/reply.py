"""Read the model's structured reply, while it streams and once it is complete.

The reply is decoded under a JSON schema (passage number, then answer), but a reply can
still be cut short or name a passage that was not given (a scripted or a foreign model);
and a small model often answers with the question's own words. Each case is recognised
here; whether the cited passage supports the answer is ``assistant.answering.grounding``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_ANSWER_FIELD = re.compile(r'"answer"\s*:\s*"')
_PASSAGE_FIELD = re.compile(r'"passage"\s*:\s*(\d+)')
_VERDICT_FIELD = re.compile(r'"verdict"\s*:\s*"([a-z ]+)"')
_WORD = re.compile(r"\w+", re.UNICODE)
# Words that carry no content of their own: an answer made of these and question words
# still only repeats the question.
# fmt: off
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "and", "or", "is", "was",
    "were", "are", "be", "been", "with", "from", "as", "that", "this", "what", "which",
    "who", "whom", "whose", "when", "where", "why", "how", "did", "do", "does",
})
# fmt: on
_STEM = 4  # shortest word that matches a longer question word it begins...
_SUFFIX = 3  # ...when the rest is an inflection's length ("-s", "-ed", "-ing")


@dataclass(frozen=True)
class Reply:
    answer: str
    passage: int | None  # None when the number was missing or not one of the passages given
    invalid_passage: int | None = None
    verdict: str | None = None  # "yes", "no" or "not stated" for a yes/no question


def _verdict(value: object) -> str | None:
    text = str(value).strip().lower() if value is not None else ""
    return text if text in ("yes", "no", "not stated") else None


def parse_reply(raw: str, passages: int) -> Reply:
    """The answer text and cited passage number from a (possibly truncated) JSON reply."""
    answer = ""
    number: int | None = None
    verdict: str | None = None
    try:
        data = json.loads(raw)
        if isinstance(data, dict):
            answer = str(data.get("answer", ""))
            value = data.get("passage")
            number = int(value) if isinstance(value, int | str) and str(value).isdigit() else None
            verdict = _verdict(data.get("verdict"))
    except ValueError:
        answer = partial_answer(raw)
        match = _PASSAGE_FIELD.search(raw)
        number = int(match.group(1)) if match else None
        verdict_match = _VERDICT_FIELD.search(raw)
        verdict = _verdict(verdict_match.group(1)) if verdict_match else None
    answer = " ".join(answer.split())
    if number is not None and not 1 <= number <= passages:
        return Reply(answer, None, number, verdict)
    return Reply(answer, number, None, verdict)


def partial_verdict(raw: str) -> str | None:
    """The verdict of a yes/no reply once it has been written in full, while streaming."""
    match = _VERDICT_FIELD.search(raw)
    return _verdict(match.group(1)) if match else None


def partial_answer(raw: str) -> str:
    """The text of the ``answer`` field so far, while the JSON is still streaming."""
    match = _ANSWER_FIELD.search(raw)
    if match is None:
        return ""
    body = raw[match.end() :]
    end = re.search(r'(?<!\\)"', body)
    if end is not None:
        body = body[: end.start()]
    body = re.sub(r"\\(u[0-9a-fA-F]{0,3})?$", "", body)  # an escape cut in half
    try:
        return str(json.loads(f'"{body}"'))
    except ValueError:
        return body.replace('\\"', '"').replace("\\n", "\n")


def repeats_question(answer: str, question: str, *, partial: bool = False) -> bool:
    """Whether every content word of ``answer`` is already in ``question``.

    A small model often copies the question's own subject as the answer ("What does ATP
    store?" -> "ATP"): that is almost never what the user asked for, and such a reply is
    decoded again with it ruled out. With ``partial`` the answer is still streaming, so
    its last word may be unfinished and counts if it begins a question word.
    """
    words = [w.lower() for w in _WORD.findall(answer)]
    growing = words.pop() if partial and words and answer[-1:].isalnum() else ""
    asked = {w.lower() for w in _WORD.findall(question)}
    content = [w for w in words if w not in _FUNCTION_WORDS]
    if not content and not growing:
        return False
    if growing and not any(q.startswith(growing) for q in asked | _FUNCTION_WORDS):
        return False
    return all(w in asked or _same_stem(w, asked) for w in content)


def _same_stem(word: str, asked: set[str]) -> bool:
    """Whether ``word`` is a question word with an inflection ("astronaut" ~ "astronauts")."""
    for other in asked:
        short, long = sorted((word, other), key=len)
        if len(short) >= _STEM and long.startswith(short) and len(long) - len(short) <= _SUFFIX:
            return True
    return False
