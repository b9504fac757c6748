"""Question -> retrieval -> passages fitted to a token budget -> streamed, cited answer.

The model replies under a JSON schema (the passage it answers from, then a short
phrase copied from it), which a 0.5B model follows reliably where free-form citation
syntax fails. Everything shown as verified is checked after generation: a passage
number that was not given is dropped, an answer its passage does not contain is
flagged, and weak retrieval evidence or the model's own "not found" gives a fixed,
honest message with the closest passages instead of a guess. An answer that only
repeats the question's words tells the user nothing; it is decoded again with it ruled out.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence

from assistant.answering.grounding import (
    ANSWER_SUPPORT,
    is_refusal,
    may_be_refusal,
    support,
)
from assistant.answering.prompts import (
    NOT_FOUND_MESSAGE,
    answer_messages,
    answer_schema,
    passage_block,
    rewrite_messages,
)
from assistant.answering.reply import parse_reply, partial_answer, repeats_question
from assistant.answering.types import Answer, Citation, QuestionError, TokenCallback, Turn
from assistant.config import AnswerSettings, Settings
from assistant.index.library import Library
from assistant.index.retrieve import SearchHit
from assistant.jobs import Cancelled, CancelToken
from assistant.llm.chat import ChatMessage, ChatModel
from assistant.text import clip

log = logging.getLogger(__name__)

EMPTY_LIBRARY_MESSAGE = "Your library is empty: add documents first."
MAX_RETRIES = 2  # decodings after the first when an answer only repeats the question


class Answerer:
    """Answers questions from a Library with a ChatModel (both owned by one thread)."""

    def __init__(self, library: Library, model: ChatModel, settings: Settings) -> None:
        self.library = library
        self.model = model
        self.settings: AnswerSettings = settings.answer
        self.llm = settings.llm

    def answer(
        self,
        question: str,
        *,
        collection: str | None = None,
        history: Sequence[Turn] = (),
        cancel: CancelToken | None = None,
        on_token: TokenCallback | None = None,
    ) -> Answer:
        started = time.perf_counter()
        question = self.check_question(question)
        result = Answer(question=question, answer="", found=False, model=self.model.name)
        if not self.library.registry.documents(statuses=("indexed",)):
            result.answer = EMPTY_LIBRARY_MESSAGE
            return self._finish(result, started, on_token)
        history_messages, earlier = self._history(history)
        result.search_query = self._standalone(question, history_messages, cancel) if history else question
        hits = self.library.search(
            result.search_query, k=self.settings.passages, collection=collection, neighbours=0
        )
        result.timings.retrieval_ms = (time.perf_counter() - started) * 1000
        result.evidence = max((h.similarity or 0.0 for h in hits), default=0.0)
        if not hits or result.evidence < self.settings.min_similarity:
            result.passages = hits
            result.answer = NOT_FOUND_MESSAGE
            return self._finish(result, started, on_token)
        passages, texts = self._fit(question, hits, history_messages, earlier)
        result.passages = passages
        messages = answer_messages(question, texts, history_messages, earlier)
        streamed: list[str] = []
        sink = None if on_token is None else _tee(on_token, streamed)
        rejected: list[str] = []
        while True:
            raw = self._generate(question, messages, result, started, cancel, sink, rejected)
            repeated = self._repeated_answer(raw, question, result)
            if not repeated or len(rejected) == MAX_RETRIES:
                break
            rejected.append(repeated)
        self._judge(result, raw)
        if on_token is not None:
            shown = "".join(streamed)
            rest = result.answer[len(shown) :] if result.answer.startswith(shown) else ""
            if rest:
                on_token(rest)
        return self._finish(result, started, None)

    # -- steps ---------------------------------------------------------------------
    def check_question(self, question: str) -> str:
        """The question with its whitespace collapsed; ``QuestionError`` if empty or too long.

        Public so the tool router refuses a request exactly as the Answerer would.
        """
        question = " ".join(question.split())
        if not question:
            raise QuestionError("The question is empty: type what you want to find in your documents.")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionError(
                f"The question is {len(question):,} characters long; the limit is {limit:,}. "
                "Ask a shorter question, or save the long text as a document and index it."
            )
        return question

    def _history(self, history: Sequence[Turn]) -> tuple[list[ChatMessage], str]:
        """Recent turns verbatim; older questions summarised in one line."""
        keep = self.settings.history_turns
        recent, older = (
            list(history)[-keep:] if keep else [],
            list(history)[:-keep] if keep else list(history),
        )
        messages: list[ChatMessage] = []
        for turn in recent:
            messages.append({"role": "user", "content": turn.question})
            messages.append({"role": "assistant", "content": clip(turn.answer, 600)})
        earlier = "; ".join(clip(t.question, 120) for t in older[-8:])
        return messages, earlier

    def _standalone(self, question: str, history: list[ChatMessage], cancel: CancelToken | None) -> str:
        """A follow-up ("and the deposit?") rewritten as a query retrieval can use."""
        try:
            rewritten = self.model.chat(
                rewrite_messages(question, history[-4:]), max_tokens=48, temperature=0.0, cancel=cancel
            )
        except Cancelled:
            return question  # the answer step sees the same token and stops at once
        except Exception:
            log.exception("Could not rewrite follow-up question %r; searching with it as is", question)
            return question
        rewritten = rewritten.strip().strip('"').splitlines()[0] if rewritten.strip() else ""
        return f"{rewritten} {question}" if rewritten else question

    def _fit(
        self, question: str, hits: list[SearchHit], history: list[ChatMessage], earlier: str
    ) -> tuple[list[SearchHit], list[str]]:
        """Passages in rank order within the token budget (the last one trimmed to fit)."""
        base = self.model.count_prompt_tokens(answer_messages(question, [], history, earlier))
        room = self.model.n_ctx - base - self.llm.max_answer_tokens
        budget = min(self.settings.passage_tokens, room)
        kept: list[SearchHit] = []
        texts: list[str] = []
        for hit in hits:
            block = passage_block(len(kept) + 1, hit.document, hit.page, hit.text)
            cost = self.model.count_tokens(block) + 2
            if cost > budget:
                trimmed = _trim_to_tokens(self.model, hit.text, budget - 40)
                if len(trimmed) >= 200 or not kept:
                    kept.append(hit)
                    texts.append(passage_block(len(kept), hit.document, hit.page, trimmed))
                break
            kept.append(hit)
            texts.append(block)
            budget -= cost
        return kept, texts

    def _repeated_answer(self, raw: str, question: str, result: Answer) -> str:
        """The reply's answer if it only repeats the question (and should be decoded again).

        Each retry rules out how the rejected answers began, so greedy decoding has to
        take the passage's next best phrase; `make bench` measures what this gains.
        Streaming holds such an answer back, so the user never sees the rejected one.
        """
        answer = parse_reply(raw, len(result.passages)).answer
        if result.cancelled or not repeats_question(answer, question):
            return ""
        log.info("Answer %r only repeats the question %r", answer, question)
        return answer

    def _generate(
        self,
        question: str,
        messages: list[ChatMessage],
        result: Answer,
        started: float,
        cancel: CancelToken | None,
        on_token: TokenCallback | None,
        avoid: Sequence[str],
    ) -> str:
        """The raw JSON reply; the answer field streams to ``on_token`` as it is written.

        Text that could still become a refusal or a repeat of the question is held back
        until it can no longer be one.
        """
        raw = ""
        shown = ""
        first = 0.0
        try:
            for piece in self.model.stream_chat(
                messages,
                max_tokens=self.llm.max_answer_tokens,
                temperature=self.llm.temperature,
                cancel=cancel,
                response_format={"type": "json_object", "schema": answer_schema(len(result.passages))},
                avoid=avoid,
            ):
                if not first:
                    first = time.perf_counter()
                raw += piece
                if on_token is not None:
                    text = partial_answer(raw)
                    held = may_be_refusal(text) or repeats_question(text, question, partial=True)
                    if len(text) > len(shown) and text.startswith(shown) and not held:
                        on_token(text[len(shown) :])
                        shown = text
        except Cancelled:
            result.cancelled = True
        timings = self.model.last_timings
        result.timings.ttft_ms = ((first or time.perf_counter()) - started) * 1000
        if timings is not None:
            result.timings.tokens_per_s = timings.decode_tokens_per_s
            result.timings.prompt_tokens = timings.prompt_tokens
            result.timings.completion_tokens = timings.completion_tokens
        return raw

    def _judge(self, result: Answer, raw: str) -> None:
        """Decide found / not found, and keep the citation only if its passage supports the answer."""
        reply = parse_reply(raw, len(result.passages))
        if reply.invalid_passage is not None:
            result.invalid_citations = [reply.invalid_passage]
        if is_refusal(reply.answer) and not result.cancelled:
            result.answer = NOT_FOUND_MESSAGE
            return
        result.found = bool(reply.answer)
        number = self._supporting_passage(reply.answer, reply.passage, result.passages)
        if number is None:
            result.answer = reply.answer
            result.uncited_sentences = [reply.answer] if reply.answer else []
            return
        hit = result.passages[number - 1]
        result.answer = f"{reply.answer} [{number}]"
        page = self.library.page_for(hit, reply.answer)
        result.citations.append(
            Citation(number, hit.document, hit.path, page, hit.text, hit.doc_id, hit.chunk_id)
        )

    def _supporting_passage(self, answer: str, cited: int | None, passages: list[SearchHit]) -> int | None:
        """The cited passage if it contains the answer, else the one that does, else None.

        A small model sometimes copies the right phrase but names the wrong passage; the
        citation a user clicks must lead to the text that says it.
        """
        scores = [support(answer, hit.text) for hit in passages]
        if cited is not None and scores[cited - 1] >= ANSWER_SUPPORT:
            return cited
        best = max(range(len(scores)), key=scores.__getitem__, default=None)
        if best is not None and scores[best] >= ANSWER_SUPPORT:
            return best + 1
        return None

    def _finish(self, result: Answer, started: float, on_token: TokenCallback | None) -> Answer:
        if on_token is not None and result.answer:
            on_token(result.answer)
        result.timings.total_ms = (time.perf_counter() - started) * 1000
        return result


def _tee(target: TokenCallback, record: list[str]) -> TokenCallback:
    def forward(text: str) -> None:
        record.append(text)
        target(text)

    return forward


def _trim_to_tokens(model: ChatModel, text: str, tokens: int) -> str:
    """The longest run of whole sentences from the start of ``text`` within ``tokens``."""
    if tokens <= 0:
        return ""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    out = ""
    for sentence in sentences:
        candidate = f"{out} {sentence}".strip()
        if model.count_tokens(candidate) > tokens:
            break
        out = candidate
    return out or text[: tokens * 3]
