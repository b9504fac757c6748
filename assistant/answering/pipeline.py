"""Question -> retrieval -> passages fitted to a token budget -> streamed, cited answer.

The model replies under a JSON schema (the passage it answers from, a verdict for a
yes/no question, then the direct answer), which a small model follows reliably where
free-form citation syntax fails. The rest of the answer is composed from the passages'
own sentences and checked (``assistant.answering.compose``): the direct answer must be
backed by one sentence of a passage that is about what was asked, every further part of
the question gets its sentence or a plain "the documents found do not say", and weak
retrieval evidence or the model's own "not found" gives a fixed, honest message with the
closest passages instead of a guess. An answer that only repeats the question's words
tells the user nothing; it is decoded again with it ruled out.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from assistant.answering.choices import ChoiceKind, as_named, choice_sides
from assistant.answering.compose import (
    Composed,
    choose_by_degree,
    choose_side,
    closest_sentences,
    compose,
    direct_text,
    label_side,
    merge_sides,
    shift_citations,
    unchosen,
)
from assistant.answering.confidence import rate
from assistant.answering.grounding import SentenceMatch, is_refusal, may_be_refusal
from assistant.answering.names import missing_names, phrase_names, question_names
from assistant.answering.prompts import (
    NOT_FOUND_MESSAGE,
    answer_messages,
    answer_schema,
    passage_block,
    question_text,
    rewrite_messages,
)
from assistant.answering.question import QuestionShape, analyse, without_options
from assistant.answering.reply import Reply, parse_reply, partial_answer, partial_verdict, repeats_question
from assistant.answering.sides import (
    SIDE_CANDIDATES,
    Candidate,
    Side,
    asks_each,
    compare_sides,
    match_side,
    side_query,
    side_question,
    titled_by,
    titled_document,
    without_side,
)
from assistant.answering.types import (
    Answer,
    AnswerSentence,
    PassagePreview,
    PreviewCallback,
    QuestionError,
    SentenceKind,
    TokenCallback,
    Turn,
)
from assistant.config import AnswerSettings, Settings
from assistant.embed.base import Embedder
from assistant.index.library import Library
from assistant.index.retrieve import SearchHit
from assistant.jobs import Cancelled, CancelToken
from assistant.llm.chat import ChatMessage, ChatModel
from assistant.llm.errors import ModelCrashedError
from assistant.text import clip

log = logging.getLogger(__name__)

EMPTY_LIBRARY_MESSAGE = "Your library is empty: add documents first."
MAX_RETRIES = 2  # decodings after the first when an answer only repeats the question
TITLED_PASSAGES = 1  # passages kept from the one document a question names by its title


class Answerer:
    """Answers questions from a Library with a ChatModel (both owned by one thread)."""

    def __init__(self, library: Library, model: ChatModel, settings: Settings) -> None:
        self.library = library
        self.model = model
        self.settings: AnswerSettings = settings.answer
        self.llm = settings.llm
        self._texts: dict[str, str] = {}  # documents' text read for the answer in progress

    def answer(
        self,
        question: str,
        *,
        collection: str | None = None,
        history: Sequence[Turn] = (),
        cancel: CancelToken | None = None,
        on_token: TokenCallback | None = None,
        on_preview: PreviewCallback | None = None,
    ) -> Answer:
        """Answer ``question``; ``on_token`` gets the answer as it is written, ``on_preview``
        the best-matching passage sentence before the model starts."""
        started = time.perf_counter()
        self._texts = {}  # a document may be re-indexed between answers
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
        shape = analyse(question)
        sides = self._sides(question, shape, collection) if not history else []
        choices, kind = (
            choice_sides(question, shape.options, sides) if sides and shape.options else ([], None)
        )
        names = [as_named(question, option) for option in shape.options]
        if kind is not None and kind is not ChoiceKind.VERDICT:
            # "Which, A or B, has the longer notice period?": no one sentence compares two
            # documents' figures, so each alternative's figure is asked of its own document.
            self._answer_sides(
                result, question, choices, started, cancel, None, on_preview, choice=(names, kind)
            )
            return self._finish(result, started, on_token)
        if sides and not shape.options:
            # Each side's evidence is weighed on its own: a comparison's wording ("how do the
            # 2024 and the 2025 agreements differ ...") is far from every single passage.
            self._answer_sides(result, question, sides, started, cancel, on_token, on_preview)
            return self._finish(result, started, None)
        if not hits or result.evidence < self.settings.min_similarity:
            result.passages = hits
            result.answer = NOT_FOUND_MESSAGE
            return self._finish(result, started, on_token)
        if sides:  # a choice: one answer naming one alternative, from both documents' passages
            hits = self._choice_passages(sides) or hits
        elif not history:
            hits = self._with_titled(question, hits, collection)
        asked = question_text(question, shape)
        passages, texts = self._fit(asked, hits, history_messages, earlier)
        result.passages = passages
        if on_preview is not None:
            self._preview(question, passages, on_preview)
        messages = answer_messages(asked, texts, history_messages, earlier)
        streamed: list[str] = []
        sink = None if on_token is None else _tee(on_token, streamed)
        rejected: list[str] = []
        own_words = without_options(question, shape.options)  # an answer must say more than these
        while True:
            raw = self._generate(own_words, shape, messages, result, started, cancel, sink, rejected)
            repeated = self._repeated_answer(raw, own_words, result)
            if not repeated or len(rejected) == MAX_RETRIES:
                break
            rejected.append(repeated)
        self._judge(
            result, raw, shape, {o: side.doc_id for o, side in zip(shape.options, sides, strict=False)}
        )
        if (
            kind is ChoiceKind.VERDICT
            and not result.cancelled
            and (result.unsupported_answer or not result.found)
        ):
            # No sentence backs the alternative named: each alternative is asked its own
            # yes/no question from its own document ("Does A let us ...?"), and the verdicts
            # its sentences decide pick the answer.
            self._answer_sides(result, question, choices, started, cancel, None, None, choice=(names, kind))
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
        except ModelCrashedError:
            raise  # the answer is lost; the session records it and the model restarts
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

    def _preview(self, question: str, passages: list[SearchHit], on_preview: PreviewCallback) -> None:
        closest = closest_sentences(question, [p.text for p in passages])
        if not closest:
            return
        match = closest[0]
        hit = passages[match.passage]
        page = self.library.page_for(hit, match.quote)
        on_preview(PassagePreview(hit.document, hit.path, page, match.quote))

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
        shape: QuestionShape,
        messages: list[ChatMessage],
        result: Answer,
        started: float,
        cancel: CancelToken | None,
        on_token: TokenCallback | None,
        avoid: Sequence[str],
    ) -> str:
        """The raw JSON reply; the answer field streams to ``on_token`` as it is written.

        Text that could still become a refusal or a repeat of the question is held back
        until it can no longer be one. A yes/no answer is held back whole until it is
        checked: the model writes "Yes" over sentences that say no, and a "Yes" the reader
        watched, then taken back as "No", is what costs a product its trust. The reply is
        short (a verdict and one sentence), and the closest sentence is shown meanwhile.
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
                response_format={
                    "type": "json_object",
                    "schema": answer_schema(len(result.passages), yes_no=shape.yes_no),
                },
                avoid=avoid,
            ):
                if not first:
                    first = time.perf_counter()
                raw += piece
                if on_token is not None:
                    verdict = partial_verdict(raw)
                    answer = partial_answer(raw)
                    held = (
                        shape.yes_no  # shown only once checked (see above)
                        or bool(shape.options)  # so is a choice: its check may ask each alternative
                        or may_be_refusal(answer)
                        or repeats_question(answer, question, partial=True)
                    )
                    text = direct_text(answer, verdict, final=False)
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

    def _judge(
        self, result: Answer, raw: str, shape: QuestionShape, alternatives: dict[str, str] | None = None
    ) -> None:
        """Decide found / not found, then compose the checked, cited answer from the reply.

        ``alternatives``: a choice's alternatives and the document each was matched to
        (``_for_alternative``).
        """
        reply = parse_reply(raw, len(result.passages))
        if reply.invalid_passage is not None:
            result.invalid_citations = [reply.invalid_passage]
        refused = reply.verdict == "not stated" or (reply.verdict is None and is_refusal(reply.answer))
        if result.cancelled:  # the user stopped it: show what was written, and nothing more
            result.found = bool(reply.answer or reply.verdict)
            result.answer = direct_text(reply.answer, reply.verdict, final=False)
            result.short_answer = reply.answer
            return
        # A yes/no question the model calls "not stated" may still be denied by its sentence.
        if refused and not shape.yes_no:
            self._decline(result)
            return
        # A follow-up ("and how much do they pay?") is about what its standalone query names.
        topic = result.search_query or result.question
        # The alternative the answer does not pick need not be named by its sentence's document.
        left = unchosen(reply.answer, shape.options)
        accept = self._names_in_document(topic, result.passages, drop=left)
        picked = [option for option in shape.options if option not in left]
        if len(picked) == 1:
            own = (alternatives or {}).get(picked[0])
            accept = _for_alternative(accept, picked[0], own, result.passages)
        composed = compose(
            topic, shape, reply, result.passages, self.library.page_for, self._similarity, accept
        )
        if refused and not composed.read_verdict:
            self._decline(result)
            return
        result.found = True
        self._apply(result, composed)

    def _decline(self, result: Answer) -> None:
        result.answer = NOT_FOUND_MESSAGE
        result.confidence = rate(result, None, self.settings.min_similarity)

    def _apply(self, result: Answer, composed: Composed) -> None:
        """The composed answer's parts onto ``result``, and its confidence."""
        result.answer = composed.text
        result.short_answer = composed.short_answer
        result.sentences = composed.sentences
        result.citations = composed.citations
        result.uncited_sentences = composed.uncited
        result.unsupported_answer = composed.unsupported_answer
        result.confidence = rate(result, composed, self.settings.min_similarity)

    # -- comparisons -----------------------------------------------------------------
    def _sides(self, question: str, shape: QuestionShape, collection: str | None) -> list[Side]:
        """The documents a comparison or a choice names, one per side, or [] for the usual path.

        Two names joined by "and" or "or" are two documents only with a sign of it: the
        question compares or asks about each side (``asks_each``), both sides name a
        document's title, or each side's document never mentions the other side's names
        ("the Landlord or the Tenant" are both in the lease: one document, the usual path).
        """
        phrases = compare_sides(question)
        if not phrases:
            return []
        candidates = self._candidates(collection)
        # A side its title names is matched first, so that search for the others ("the lease
        # agreement" against "the 2027 lease") cannot take its document.
        titles = [titled_document(p, candidates, set(), [o for o in phrases if o != p]) for p in phrases]
        taken = {t.doc_id for t in titles if t is not None}
        if len(taken) < sum(t is not None for t in titles):
            return []  # two sides name one title
        sides: list[Side] = []
        for index, phrase in enumerate(phrases):
            bare = side_query(question, phrases, index)
            query = side_question(bare, phrase)

            def ranked(query: str = bare) -> list[str]:
                hits = self.library.search(query, k=SIDE_CANDIDATES, collection=collection, neighbours=0)
                return [h.doc_id for h in hits]

            others = [other for other in phrases if other != phrase]
            found = titles[index] or match_side(
                phrase, candidates, ranked, self._document_text, taken, others
            )
            if found is None:
                log.info("No document for %r of the comparison %r: answered the usual way", phrase, question)
                return []
            taken.add(found.doc_id)
            label = phrase[:1].upper() + phrase[1:]
            sides.append(Side(label, found.doc_id, found.title, query, without_side(query, phrase)))
        titled = all(t is not None for t in titles)
        if shape.compare or asks_each(question, phrases) or titled or self._apart(phrases, sides):
            return sides
        return []

    def _apart(self, phrases: Sequence[str], sides: Sequence[Side]) -> bool:
        """Whether each side's document leaves out the names of every other side."""
        names = [phrase_names(phrase) for phrase in phrases]
        if not all(names):
            return False
        texts = [f"{side.document} {self._document_text(side.doc_id)}" for side in sides]
        return all(
            missing_names(names[j], texts[i]) for i in range(len(sides)) for j in range(len(sides)) if i != j
        )

    def _candidates(self, collection: str | None) -> list[Candidate]:
        """The indexed documents a side or a question may name."""
        return [
            Candidate(d.id, d.title, d.path)
            for d in self.library.registry.documents(collection, statuses=("indexed",))
        ]

    def _with_titled(self, question: str, hits: list[SearchHit], collection: str | None) -> list[SearchHit]:
        """``hits`` holding at least ``TITLED_PASSAGES`` of the document the question names by
        its title ("Does the CC BY 4.0 licence cover patents?" and the file CC-BY-4.0.txt).

        Passages of other documents that merely share the question's words ("patent
        licenses" in the GPL) can outrank the named document's own sentence, and the names
        check then refuses every one of them. The named document's best passages take the
        places of the lowest-ranked others, never of its own: a question that names the
        form may still be answered by the instructions, which keep the places they ranked.
        """
        names = [name for name in question_names(question) if not name.isdigit()]
        candidates = self._candidates(collection)
        titled = titled_by(names, candidates)
        if titled is None or len(hits) < TITLED_PASSAGES:
            return hits
        own = [h for h in hits if h.doc_id == titled.doc_id]
        if len(own) >= TITLED_PASSAGES:
            return hits
        found = self.library.search(question, k=TITLED_PASSAGES, documents=[titled.doc_id], neighbours=0)
        seen = {h.chunk_id for h in hits}
        extra = [h for h in found if h.chunk_id not in seen][: TITLED_PASSAGES - len(own)]
        others = [h for h in hits if h.doc_id != titled.doc_id][: len(hits) - len(own) - len(extra)]
        log.info("Question names %s by its title: %d of its passages added", titled.title, len(extra))
        # The retriever's order stands; an added passage ranks last, so it backs at most "medium".
        return [h for h in hits if h in own or h in others] + extra

    def _choice_passages(self, sides: Sequence[Side]) -> list[SearchHit]:
        """The best passages of each alternative's document, taken in turn: a choice between
        two documents is read from both, whichever one the whole library ranks higher."""
        each = max(1, self.settings.passages // len(sides))
        per_side = [
            self.library.search(side.topic, k=each, documents=[side.doc_id], neighbours=0) for side in sides
        ]
        return [hit for group in itertools.zip_longest(*per_side) for hit in group if hit is not None]

    def _answer_sides(
        self,
        result: Answer,
        question: str,
        sides: Sequence[Side],
        started: float,
        cancel: CancelToken | None,
        on_token: TokenCallback | None,
        on_preview: PreviewCallback | None,
        *,
        choice: tuple[Sequence[str], ChoiceKind] | None = None,
    ) -> None:
        """Each side answered from its own document's passages, checked and cited on its own.

        One model call per side: the model reads only that document, so it cannot answer
        one side with the other's sentence, and each side's answer is checked against its
        own passages. The sides are shown one after the other, each as soon as it is done.
        A ``choice`` (the alternatives as the question names them, and how they are put)
        has each side give its verdict (``choose_side``) or its figure (``choose_by_degree``),
        and the answer names the alternative they pick.
        """
        parts: list[Composed] = []
        passages: list[SearchHit] = []
        ttft = 0.0
        asked_evidence = result.evidence
        for side in sides:
            hits = self.library.search(
                side.topic, k=self.settings.passages, documents=[side.doc_id], neighbours=0
            )
            # Evidence from the whole question or from the side's own topic: either wording
            # may be far from the passages ("how do the 2024 and 2025 agreements differ ..."
            # from every one; "which tests did use ..." without its study from its own).
            best = max((h.similarity or 0.0 for h in hits), default=0.0)
            if max(best, asked_evidence) < self.settings.min_similarity:
                hits = []  # too far from the point: the side says its document has no passage on it
            result.evidence = max(result.evidence, best)
            shape = replace(analyse(side.query), compare=False, options=())
            shape = shape if choice and choice[1] is ChoiceKind.VERDICT else replace(shape, yes_no=False)
            asked = f"{question_text(side.query, shape)}\n(Answer for {side.label} only, from its passages.)"
            kept, texts = self._fit(asked, hits, [], "")
            if on_preview is not None and not passages:
                self._preview(side.topic, kept, on_preview)
            raw = ""
            if kept:
                messages = answer_messages(asked, texts)
                result.passages = kept  # the reply's schema allows this side's passages only
                raw = self._generate(side.query, shape, messages, result, started, cancel, None, ())
                ttft = ttft or result.timings.ttft_ms
            if result.cancelled:
                break
            composed = self._compose_side(side, shape, raw, kept)
            composed = shift_citations(composed, len(passages))
            passages.extend(kept)
            parts.append(composed)
            if on_token is not None:
                on_token(("\n" if len(parts) > 1 else "") + composed.text)
        result.timings.ttft_ms = ttft or result.timings.ttft_ms
        result.passages = passages
        if result.cancelled:
            result.answer = "\n".join(p.text for p in parts)
            return
        result.found = any(p.direct_supported or p.unsupported_answer for p in parts)
        if choice is not None and result.found:
            names, kind = choice
            chosen = (
                choose_side(parts, names)
                if kind is ChoiceKind.VERDICT
                else choose_by_degree(parts, names, larger=kind is ChoiceKind.LARGER)
            )
            self._apply(result, chosen)
        else:
            self._apply(result, merge_sides(parts))

    def _compose_side(
        self, side: Side, shape: QuestionShape, raw: str, passages: list[SearchHit]
    ) -> Composed:
        """One side's answer, its first sentence labelled with the side it is about.

        A side the model found nothing for is composed from an empty reply, which no
        sentence backs: the reader gets that document's closest sentences, cited.
        """
        if not passages:  # nothing of that document cleared retrieval
            empty = Composed(short_answer="", missing_parts=1)
            empty.sentences.append(
                AnswerSentence("no passage of it was found on this.", (), True, SentenceKind.NOT_STATED)
            )
            return label_side(empty, side.label)
        reply = parse_reply(raw, len(passages))
        if reply.verdict == "not stated" or is_refusal(reply.answer):
            reply = Reply(answer="", passage=None)
        accept = self._names_in_document(side.topic, passages)
        composed = compose(
            side.topic,
            shape,
            reply,
            passages,
            self.library.page_for,
            self._similarity,
            accept,
            named=phrase_names(side.label),
        )
        return label_side(composed, side.label)

    def _document_text(self, doc_id: str) -> str:
        """A document's whole text, read once per answer: a comparison's names checks, the
        match of its sides and each side's backing sentence all ask for the same documents."""
        if doc_id not in self._texts:
            self._texts[doc_id] = " ".join(page.text for page in self.library.registry.pages(doc_id))
        return self._texts[doc_id]

    def _names_in_document(
        self, question: str, passages: Sequence[SearchHit], drop: Sequence[str] = ()
    ) -> Callable[[SentenceMatch], bool]:
        """A check that the backing sentence's document mentions every name the question gives,
        except those of the phrases in ``drop``."""
        dropped = {name for phrase in drop for name in phrase_names(phrase)}
        names = [name for name in question_names(question) if name not in dropped]

        def accept(match: SentenceMatch) -> bool:
            if not names:
                return True
            hit = passages[match.passage]
            text = (self._document_text(hit.doc_id) if hit.doc_id else "") or hit.text
            missing = missing_names(names, f"{hit.document} {text}")
            if missing:
                log.info(
                    "%s never mentions %s, which %r names: its sentence backs nothing",
                    hit.document,
                    missing,
                    question,
                )
            return not missing

        return accept

    def _similarity(self, question: str, texts: Sequence[str]) -> list[float]:
        return cosine_to_question(self.library.embedder, question, texts)

    def _finish(self, result: Answer, started: float, on_token: TokenCallback | None) -> Answer:
        if on_token is not None and result.answer:
            on_token(result.answer)
        result.timings.total_ms = (time.perf_counter() - started) * 1000
        return result


def _for_alternative(
    accept: Callable[[SentenceMatch], bool], option: str, doc_id: str | None, passages: Sequence[SearchHit]
) -> Callable[[SentenceMatch], bool]:
    """``accept``, holding the sentence that backs a choice's answer to the alternative it names.

    "All Python licenses, unlike the GPL, let you distribute a modified version ..." is in a
    document that mentions the GPL and "version 2", yet it says nothing for "the GPL v2": an
    alternative matched to a document is backed only by a sentence of that document, and
    one that is not (two parties of one lease) only by a sentence that names it.
    """

    def check(match: SentenceMatch) -> bool:
        if doc_id is not None:
            own = passages[match.passage].doc_id == doc_id
        else:
            own = not missing_names(phrase_names(option), match.quote)
        return own and accept(match)

    return check


def cosine_to_question(embedder: Embedder, question: str, texts: Sequence[str]) -> list[float]:
    """Cosine of the question with each text, by ``embedder`` (the sentence check's second judge)."""
    vectors = np.asarray(embedder.embed([question, *texts]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return [float(v) for v in vectors[1:] @ vectors[0]]


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
