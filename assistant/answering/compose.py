"""Turn the model's checked reply into the answer a professional reads.

The model writes only the direct answer (and, for a yes/no question, its verdict): that
is all a small model does reliably, and it keeps decoding short. Everything after it is
the documents' own words, chosen and checked here:

1. the direct answer, cited to the sentence of a passage that backs it
   (``grounding.find_support``); when no sentence does, the model's answer is a guess and
   is not shown as the answer: the reader is told the documents may not answer it
   directly, and reads the closest sentence of each of the best passages, cited
   (precision before coverage; the guess stays in ``unsupported_answer``);
2. that sentence, quoted verbatim, so the reader sees what the page says;
3. for each further part of the question, the passage sentence that addresses it, or a
   plain statement that the documents found do not say;
4. for a comparison, the best sentence of each document, so both are cited.

A quote is verbatim by construction, so it is supported; the direct answer is the only
sentence in the model's words, and it alone can fail the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from assistant.answering.grounding import (
    ASKING_WORDS,
    SentenceMatch,
    Similarity,
    asked_terms,
    find_support,
    focus_share,
    focus_weights,
    reads_as_statement,
    stems,
)
from assistant.answering.names import question_names, without_versions
from assistant.answering.question import QuestionShape, without_options
from assistant.answering.reply import Reply, repeats_question
from assistant.answering.types import AnswerSentence, Citation, SentenceKind
from assistant.answering.verdicts import decisive_no
from assistant.index.retrieve import SearchHit
from assistant.text import normalise_numbers, query_terms, sentence_spans

PART_SUPPORT = 0.5  # share of a part's own terms a sentence needs to count as addressing it
MAX_QUOTES = 4
CLOSEST_PASSAGES = 2  # passages quoted when no sentence states the answer
CLOSEST_MIN_WORDS = 6
MAY_NOT_ANSWER = "The documents found may not answer this directly. The closest passages say (check them before relying on them):"
_COMPARE_WORDS = frozenset(
    ["compare", "comparison", "differ", "differs", "difference", "differences", "versus", "vs", "unlike"]
)

_NEGATION = re.compile(
    r"\b(no|not|never|neither|nor|none|nothing|cannot|without|prohibit(?:s|ed)?|forbid(?:s|den)?|"
    r"\w+n't)\b",
    re.IGNORECASE,
)

# A figure: digits, maybe with a unit glued on ("5mg", "50%"), not digits inside a code ("16SV5824").
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_QUANTITY = re.compile(r"(?<![^\W\d_])(?<!\d)\d+(?:[.,]\d+)*[^\W\d_]*%?(?!\w)")

# The page of a passage that holds the given text (``Library.page_for``).
PageFinder = Callable[[SearchHit, str], int]


@dataclass
class Composed:
    """The parts of an ``Answer`` the composer decides."""

    short_answer: str
    sentences: list[AnswerSentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    direct_supported: bool = False
    unsupported_answer: str = (
        ""  # the model's answer when no sentence backs it: kept, never shown as the answer
    )
    support_rank: int | None = None  # rank (1 = best retrieved) of the passage backing the answer
    missing_parts: int = 0
    multi_part: bool = False  # parts after the first are checked by shared words only
    read_verdict: bool = False  # the verdict was read from its sentence's negation (``verdicts``)
    verdict: str | None = None  # "yes" or "no" when a sentence backs one (a yes/no question)
    side_answer: str = ""  # a comparison side's short answer before its label (``label_side``)

    @property
    def text(self) -> str:
        return "\n".join(_with_markers(s) for s in self.sentences)

    @property
    def uncited(self) -> list[str]:
        return [s.text for s in self.sentences if s.kind is SentenceKind.ANSWER and not s.supported]


def direct_text(answer: str, verdict: str | None, *, final: bool) -> str:
    """The direct answer as shown: the verdict first, the first letter capitalised.

    Used on the streaming text too, so what the user watched is a prefix of the final answer.
    """
    body = answer.strip()
    if verdict in ("yes", "no"):
        words = body.split(maxsplit=1)
        if words and words[0].lower().strip(",.:;!") in ("yes", "no"):
            body = words[1] if len(words) > 1 else ""
        body = f"{verdict.capitalize()}. {body[:1].upper()}{body[1:]}".strip()
    else:
        body = body[:1].upper() + body[1:]
    if final and body and body[-1] not in ".!?":
        body += "."
    return body


def compose(
    question: str,
    shape: QuestionShape,
    reply: Reply,
    passages: Sequence[SearchHit],
    page_for: PageFinder,
    similarity: Similarity | None = None,
    accept: Callable[[SentenceMatch], bool] | None = None,
    named: Sequence[str] = (),
) -> Composed:
    """``accept``: the pipeline's further check of the backing sentence (its document names
    what the question names); a sentence it refuses backs nothing. ``named``: names the
    question gave that ``question`` no longer holds (a comparison's side, asked about apart)."""
    texts = [p.text for p in passages]
    short = reply.verdict.capitalize() if reply.verdict in ("yes", "no") else reply.answer
    out = Composed(short_answer=short, multi_part=shape.multi_part)
    direct = direct_text(reply.answer, reply.verdict, final=True)
    # The passage the model chose is searched first: when it backs the answer, it is the citation.
    # The direct answer answers the first part; the other parts get their own sentences below.
    match = _backing(
        reply, shape.parts[0] if shape.multi_part else question, texts, similarity, shape.options, named
    )
    quotes: list[SentenceMatch] = []
    # An answer that only repeats the question ("a late payment" for "how long to cure a late
    # payment?") is in the sentence because the question is: it states nothing.
    if (
        match is not None
        and match.supports
        and not repeats_question(reply.answer, without_options(question, shape.options))
        and answers_shape(reply, shape)
        and not copies_heading(reply.answer, question, texts)
        and verdict_agrees(reply.verdict, question, match.quote)
        and figures_agree(reply.verdict, question, match.quote, named)
        and (accept is None or accept(match))
    ):
        out.direct_supported = True
        out.support_rank = match.passage + 1
        out.sentences.append(AnswerSentence(direct, (match.passage + 1,), True, SentenceKind.ANSWER))
        out.verdict = reply.verdict if reply.verdict in ("yes", "no") else None
        quotes.append(match)
    elif shape.yes_no and (no := _decisive_no(question, texts, accept)) is not None:
        # The model gave no verdict a sentence backs, but the sentence most about the question denies it.
        out.direct_supported, out.read_verdict, out.short_answer, out.verdict = True, True, "No", "no"
        out.support_rank = no.passage + 1
        out.sentences.append(AnswerSentence("No.", (no.passage + 1,), True, SentenceKind.ANSWER))
        quotes.append(no)
    else:
        # No sentence states the model's answer: it is a guess, and it is not shown as the answer.
        out.unsupported_answer, out.short_answer = direct, ""
        out.sentences.append(AnswerSentence(MAY_NOT_ANSWER, (), False, SentenceKind.NOT_STATED))
        quotes.extend(closest_sentences(question, texts))
    if shape.multi_part:
        _cover_parts(shape, texts, quotes, out)
    if shape.compare:
        _cover_documents(question, passages, quotes, out)
    _add_quotes(quotes, out)
    out.citations = _citations(quotes, passages, page_for)
    return out


def answers_shape(reply: Reply, shape: QuestionShape) -> bool:
    """Whether the reply is the kind of answer the question asks for.

    A yes/no question is answered by a verdict: a reply without one ("A program that ...
    is called a") leaves the reader to guess it. A choice question ("which, A or B?") is
    answered by naming exactly one of its alternatives. "How much" and "how many" are
    answered by a figure ("eight subjects", "$500,000", "0.05mg/kg"), not by a name or a
    reference that carries digits ("BMBF 16SV5824" for how much money a grant gave), and by
    one the question does not give itself ("section 1201" is no range of damages for a
    violation of section 1201).
    """
    if shape.yes_no and reply.verdict not in ("yes", "no"):
        return False
    if shape.quantity and not _new_figures(reply.answer, shape.parts[0] if shape.parts else ""):
        return False
    if shape.options:
        return len(unchosen(reply.answer, shape.options)) == len(shape.options) - 1
    return True


_SECTION_NUMBER = re.compile(r"^(?:\(?[a-z]\)|[a-z]\.|\(?\d{1,3}(?:\.\d{1,3})*[.)]?)\s+", re.IGNORECASE)
_ASKS_A_NAME = re.compile(
    r"(?:^\W*|,\s*)(which|who|whose|whom)\b|\b(name|named|title|titled|called|heading)\b", re.IGNORECASE
)


def copies_heading(answer: str, question: str, texts: Sequence[str]) -> bool:
    """Whether the answer is a heading of the passages copied out ("10.1. New Versions.",
    "Eligibility for Limitations Generally.").

    A heading names what a section is about, not what it says: its words are in the section's
    sentences, so the word check would pass it as the answer to "how much notice ...?" or
    "what two requirements ...?". A question asking which one, who, or for a name or a
    title may be answered by a heading's words; a field's value ("Edition 1.0") carries a
    figure, and is checked as a field.
    """
    if _ASKS_A_NAME.search(question):
        return False
    wanted = _plain(answer)
    if not wanted or any(ch.isdigit() for ch in wanted):
        return False
    # A heading is a sentence of its own ("10.1. New Versions.") or a line of its own, which
    # the sentence rules join to the first sentence under it.
    pieces = [text[a:b] for text in texts for a, b in sentence_spans(text)]
    pieces += [line for text in texts for line in text.splitlines()]
    return any(
        _plain(piece) == wanted and not reads_as_statement(" ".join(piece.split())) for piece in pieces
    )


def _plain(text: str) -> str:
    """Lower case, one space, no section number before or full stop after: "10.1. New Versions." -> "new versions"."""
    return _SECTION_NUMBER.sub("", " ".join(text.split())).rstrip(" .:;").lower()


# A number after these words names a place in a text, not an amount: "section 1203", "page 26".
_REFERENCE_REACH = 60  # characters before a figure read for the reference it belongs to
_REFERENCE = re.compile(
    r"\b(?:sections?|§+|articles?|art\.|clauses?|paragraphs?|para\.|pages?|p\.|pp\.|chapters?|parts?|"
    r"schedules?|forms?|tables?|figures?|fig\.|rules?|lines?|boxes|box|items?|titles?|version|v\.)"
    r"\s*(?:[\w.()-]*\d[\w.()-]*\s*(?:,|and|or|to|through|-)?\s*)*$",
    re.IGNORECASE,
)


def _new_figures(answer: str, question: str) -> set[str]:
    """The amounts of ``answer`` ("$500,000", "8 subjects") that ``question`` does not give."""
    return _amounts(answer) - _amounts(question)


def _amounts(text: str) -> set[str]:
    """The figures of ``text`` that are amounts: a reference carrying a number ("section
    1203", "page 26") is none."""
    text = normalise_numbers(text)
    return {
        figure.group(0)
        for match in _QUANTITY.finditer(text)
        if not _REFERENCE.search(text[max(0, match.start() - _REFERENCE_REACH) : match.start()])
        and (figure := _FIGURE.search(match.group(0))) is not None
    }


def figures_agree(verdict: str | None, question: str, quote: str, named: Sequence[str] = ()) -> bool:
    """Whether a "yes" sentence holds every amount the question gives.

    "Is the licence reinstated when the violation is cured within 30 days?" is not answered
    yes by a sentence that reinstates it "prior to 60 days after" compliance: the amount is
    the question's qualifier, and a sentence without it is about another case. A name's
    figures ("MPL-2.0", and ``named``, a side's name the question no longer holds) are no
    amounts. A "no" may rest on another figure, and its polarity is checked apart.
    """
    if verdict != "yes":
        return True
    return _amounts(without_versions(question, [*question_names(question), *named])) <= _amounts(quote)


def _decisive_no(
    question: str, texts: list[str], accept: Callable[[SentenceMatch], bool] | None
) -> SentenceMatch | None:
    match = decisive_no(question, texts)
    return match if match is not None and (accept is None or accept(match)) else None


def unchosen(answer: str, options: Sequence[str]) -> list[str]:
    """The alternatives of a choice question that ``answer`` does not name (all when it names
    none or several: then no alternative is picked)."""
    named = [option for option in options if _distinct(option, options) & stems(answer)]
    return [option for option in options if option not in named] if len(named) == 1 else list(options)


def verdict_agrees(verdict: str | None, question: str, quote: str) -> bool:
    """Whether the quote can decide the verdict: a "no" needs a sentence that says no.

    A verdict is given only when its sentence decides it. The test is on polarity, the one
    thing a word check can read: a sentence that negates ("no differences were found",
    "is not restricted") does not back a "yes" to a question that does not, and a sentence
    without a negation does not back a "no". A question asked in the negative ("Is it not
    ...?") turns both round. A verdict that fails is set aside and the sentence is shown,
    so the reader decides.
    """
    if verdict not in ("yes", "no"):
        return True
    negated = _negates(quote) != _negates(question)
    return negated is (verdict == "no")


def _negates(text: str) -> bool:
    return bool(_NEGATION.search(text))


def _distinct(option: str, options: Sequence[str]) -> set[str]:
    """The stems of ``option`` that the other alternatives do not share ("lgpl" of "LGPL 2.1" vs "GPL v2")."""
    others = set().union(*(stems(o) for o in options if o != option))
    return stems(" ".join(query_terms(option))) - others


def closest_sentences(question: str, texts: list[str]) -> list[SentenceMatch]:
    """The sentence of each of the best ``CLOSEST_PASSAGES`` passages that shares most with the question.

    Only quotes of ``CLOSEST_MIN_WORDS`` words or more: a heading ("## 3. Late Payment")
    shares the question's words but tells the reader nothing. A record's terse line is
    read with the lines before it in its paragraph (``_record_lines``), so "No known food
    allergies." is shown with the "Allergies / Penicillin (urticaria)." above it, never alone.
    """
    wanted = stems(" ".join(query_terms(question)))
    split = [(text, sentence_spans(text)) for text in texts[:CLOSEST_PASSAGES]]
    split_stems = [[stems(text[a:b]) for a, b in spans] for text, spans in split]
    topic = [t for t in asked_terms(question) if not t.isdigit()]
    weights = focus_weights(topic, [words for sentences in split_stems for words in sentences])
    chosen: list[SentenceMatch] = []
    for index, ((text, spans), sentence_stems) in enumerate(zip(split, split_stems, strict=True)):
        # Most of the question's words first; between equals, its rarer topic words
        # ("allergies" tells a record's lines apart, "patient" does not: ``focus_weights``);
        # then the shorter, which says less besides.
        scored: list[tuple[int, float, int, int, int]] = []
        for i, (a, b) in enumerate(spans):
            first = _record_lines(text, spans, i)
            start = spans[first][0]
            if not text[a:b].lstrip().startswith("#") and len(text[start:b].split()) >= CLOSEST_MIN_WORDS:
                words = set().union(*sentence_stems[first : i + 1])
                scored.append((len(wanted & words), focus_share(weights, words), start - b, start, b))
        shared, *_, start, end = max(scored, default=(0, 0.0, 0, 0, 0))
        quote = " ".join(text[start:end].split())
        if shared and quote not in {m.quote for m in chosen}:
            chosen.append(SentenceMatch(index, start, end, quote, shared / max(len(wanted), 1), True, True))
    return chosen


def _record_lines(text: str, spans: list[tuple[int, int]], i: int) -> int:
    """The first sentence of sentence ``i``'s quote: one of fewer than ``CLOSEST_MIN_WORDS`` words
    takes in the sentences before it in its paragraph until the quote is that long."""
    first = i
    while first > 0 and len(text[spans[first][0] : spans[i][1]].split()) < CLOSEST_MIN_WORDS:
        before_start, before_end = spans[first - 1]
        if "\n\n" in text[before_end : spans[first][0]] or text[before_start:].lstrip().startswith("#"):
            break  # a paragraph or a heading ends the record's field
        first -= 1
    return first


def _backing(
    reply: Reply,
    question: str,
    texts: list[str],
    similarity: Similarity | None,
    options: tuple[str, ...] = (),
    named: Sequence[str] = (),
) -> SentenceMatch | None:
    """The sentence that backs the answer: in the passage the model chose if it has one.

    A bare verdict ("Yes.") says nothing checkable by itself, so the sentence must then
    back the question's own terms: the provision the verdict is about. So must a bare
    alternative ("The LGPL 2.1."): its sentence states the point the choice is about, and
    the names check holds it to the chosen alternative's document.
    """
    claim = reply.answer
    if reply.verdict is not None and len(query_terms(claim)) < 2:
        claim = f"{question} {claim}"
    elif options and not set(query_terms(claim)) - set(query_terms(" ".join(options))):
        question = claim = without_options(question, options)
    else:
        claim = without_versions(claim, [*question_names(question), *named])
    if reply.passage is not None:
        chosen = find_support(claim, question, [texts[reply.passage - 1]])
        if chosen is not None and chosen.supports:
            return replace(chosen, passage=reply.passage - 1)
    return find_support(claim, question, texts, similarity=similarity)


def _own_terms(part: str, others: Sequence[str]) -> set[str]:
    """The stems of the words only this part of the question uses."""
    shared = set().union(*(stems(" ".join(query_terms(o))) for o in others)) if others else set()
    mine = {t for t in query_terms(part) if t not in ASKING_WORDS}
    return stems(" ".join(mine)) - shared


def _cover_parts(shape: QuestionShape, texts: list[str], quotes: list[SentenceMatch], out: Composed) -> None:
    """Each part answered by a quote, or stated as absent: never silently dropped."""
    for index, part in enumerate(shape.parts):
        others = shape.parts[:index] + shape.parts[index + 1 :]
        own = _own_terms(part, others)
        if not own:
            continue
        said = stems(" ".join(q.quote for q in quotes))
        if out.direct_supported:
            said |= stems(out.sentences[0].text)
        # One shared word is not an answer: "what must become of that copy?" is not answered
        # by a quote that mentions a copy.
        if len(own & said) / len(own) >= PART_SUPPORT:
            continue
        match = find_support(part, part, texts)
        if match is not None and _covers(own, match) and len(quotes) < MAX_QUOTES:
            quotes.append(match)
            continue
        out.missing_parts += 1
        asked = part[:1].upper() + part[1:]
        out.sentences.append(
            AnswerSentence(f"The documents found do not say: “{asked}?”", (), True, SentenceKind.NOT_STATED)
        )


def _covers(own: set[str], match: SentenceMatch) -> bool:
    return len(own & stems(match.quote)) / len(own) >= PART_SUPPORT


def _cover_documents(
    question: str, passages: Sequence[SearchHit], quotes: list[SentenceMatch], out: Composed
) -> None:
    """For a comparison, the best sentence of each of the first two documents retrieved."""
    documents = list(dict.fromkeys(p.doc_id or p.path for p in passages))[:2]
    cited = {passages[q.passage].doc_id or passages[q.passage].path for q in quotes}
    # What is compared: the question's terms that neither name a document nor ask to compare.
    titles = stems(" ".join(p.document for p in passages))
    topic = " ".join(t for t in query_terms(question) if t not in _COMPARE_WORDS and not stems(t) & titles)
    for document in documents:
        if document in cited or len(quotes) >= MAX_QUOTES:
            continue
        indexes = [i for i, p in enumerate(passages) if (p.doc_id or p.path) == document]
        match = find_support(topic or question, question, [passages[i].text for i in indexes])
        if match is not None and match.claim_share >= PART_SUPPORT:
            quotes.append(replace(match, passage=indexes[match.passage]))
    if len(documents) < 2:
        title = passages[0].document if passages else ""
        out.sentences.append(
            AnswerSentence(
                f"The passages found all come from one document ({title}): the comparison may be incomplete.",
                (),
                True,
                SentenceKind.NOT_STATED,
            )
        )
        out.missing_parts += 1


def _add_quotes(quotes: list[SentenceMatch], out: Composed) -> None:
    """The backing sentences, verbatim and each cited, after the direct answer."""
    seen: set[str] = set()
    position = 1
    for match in quotes:
        if match.quote in seen:
            continue
        seen.add(match.quote)
        sentence = AnswerSentence(f"“{match.quote}”", (match.passage + 1,), True, SentenceKind.QUOTE)
        out.sentences.insert(position, sentence)
        position += 1


def _citations(
    quotes: list[SentenceMatch], passages: Sequence[SearchHit], page_for: PageFinder
) -> list[Citation]:
    """One citation per passage cited, carrying the first sentence quoted from it."""
    citations: dict[int, Citation] = {}
    for match in quotes:
        n = match.passage + 1
        if n in citations:
            continue
        hit = passages[match.passage]
        page = page_for(hit, match.quote)
        citations[n] = Citation(
            n, hit.document, hit.path, page, hit.text, hit.doc_id, hit.chunk_id, match.quote
        )
    return [citations[n] for n in sorted(citations)]


def _with_markers(sentence: AnswerSentence) -> str:
    markers = "".join(f" [{n}]" for n in sentence.citations)
    return f"{sentence.text}{markers}"


def label_side(composed: Composed, label: str) -> Composed:
    """One side of a comparison with its first sentence opened by the side's name."""
    first, *rest = composed.sentences
    text = first.text[:1].lower() + first.text[1:] if first.kind is SentenceKind.NOT_STATED else first.text
    labelled = replace(first, text=f"{label}: {text}")
    short = f"{label}: {composed.short_answer}" if composed.short_answer else ""
    return replace(
        composed, sentences=[labelled, *rest], short_answer=short, side_answer=composed.short_answer
    )


def shift_citations(composed: Composed, offset: int) -> Composed:
    """The same answer citing passages numbered from ``offset`` + 1: a side's passages
    follow the sides before it in the answer's one list of passages."""
    if not offset:
        return composed
    sentences = [replace(s, citations=tuple(n + offset for n in s.citations)) for s in composed.sentences]
    citations = [replace(c, n=c.n + offset) for c in composed.citations]
    return replace(composed, sentences=sentences, citations=citations)


def merge_sides(sides: Sequence[Composed]) -> Composed:
    """The sides of a comparison as one answer, verified only when every side is.

    The model's guess is kept as the unsupported answer only when no side is backed: a
    comparison with one side stated and cited still tells the reader something checked,
    and its other side says plainly that the documents may not answer it.
    """
    backed = [s for s in sides if s.direct_supported]
    return Composed(
        short_answer="; ".join(s.short_answer for s in backed),
        sentences=[sentence for side in sides for sentence in side.sentences],
        citations=[citation for side in sides for citation in side.citations],
        direct_supported=bool(backed),
        unsupported_answer=""
        if backed
        else "; ".join(s.unsupported_answer for s in sides if s.unsupported_answer),
        support_rank=max((s.support_rank for s in backed if s.support_rank is not None), default=None),
        missing_parts=sum(s.missing_parts for s in sides) + len(sides) - len(backed),
        multi_part=True,
    )


UNDECIDED_CHOICE = (
    "The documents found do not settle which: what each one says on the point follows "
    "(check it before relying on it)."
)


def choose_side(sides: Sequence[Composed], names: Sequence[str]) -> Composed:
    """A choice ("which, A or B, lets us ...?") answered from each alternative's own verdict.

    The alternative whose sentence says yes is the answer, named first and cited to that
    sentence; each side's verdict and quote follow. Both "yes" is "Both ..."; both "no" is
    "Neither ...". When no verdict picks one (no side says yes, and not every side says no),
    the answer is not given: the reader is told the documents found do not settle it and
    reads what each side's document says, so a choice is never inferred from silence.
    """
    said = [side.verdict for side in sides]
    chosen = [i for i, verdict in enumerate(said) if verdict == "yes"]
    if len(chosen) == 1:
        lead = names[chosen[0]]
    elif chosen and len(chosen) == len(sides):
        lead = "Both " + " and ".join(names)
    elif all(verdict == "no" for verdict in said):
        lead = "Neither " + " nor ".join(names)
    else:
        return _undecided(sides)
    backing = [
        i for i, verdict in enumerate(said) if verdict is not None and (verdict == "yes" or not chosen)
    ]
    return _led(sides, lead, backing)


def choose_by_degree(sides: Sequence[Composed], names: Sequence[str], larger: bool) -> Composed:
    """A choice by degree ("which, A or B, has the longer notice period?") from each
    alternative's own figure: each side's backed answer must state one, and the larger (or
    the smaller) wins. A side without a backed figure leaves the choice undecided."""
    figures = [_first_figure(side.side_answer) if side.direct_supported else None for side in sides]
    read = [_value(f) for f in figures]
    values = [v for v in read if v is not None]
    if len(sides) != 2 or len(values) != len(read):
        return _undecided(sides)
    if values[0] == values[1]:
        lead = f"Both the same ({figures[0]})"
    else:
        pick = values.index(max(values) if larger else min(values))
        lead = f"{names[pick]} ({figures[pick]} against {figures[1 - pick]})"
    return _led(sides, lead, [0, 1])


def _first_figure(answer: str) -> str | None:
    match = _FIGURE.search(normalise_numbers(answer))
    return match.group(0) if match else None


def _value(figure: str | None) -> float | None:
    """A figure as a number ("24,000" -> 24000.0); None for none or a dotted code ("1.6.1")."""
    try:
        return None if figure is None else float(figure.replace(",", ""))
    except ValueError:
        return None


def _led(sides: Sequence[Composed], lead: str, backing: Sequence[int]) -> Composed:
    """The sides merged under one opening sentence naming the choice, cited to the sides that decide it."""
    cited = tuple(n for i in backing for n in _answer_citations(sides[i]))
    lead = lead[:1].upper() + lead[1:] + "."
    merged = merge_sides(sides)
    return replace(
        merged,
        sentences=[AnswerSentence(lead, cited, True, SentenceKind.ANSWER), *merged.sentences],
        short_answer=lead.rstrip("."),
    )


def _undecided(sides: Sequence[Composed]) -> Composed:
    """No choice given: what each side's document says, under a plain "not settled"."""
    merged = merge_sides(sides)
    undecided = AnswerSentence(UNDECIDED_CHOICE, (), False, SentenceKind.NOT_STATED)
    guess = "; ".join(
        s.short_answer or s.unsupported_answer for s in sides if s.short_answer or s.unsupported_answer
    )
    return replace(
        merged,
        sentences=[undecided, *merged.sentences],
        short_answer="",
        direct_supported=False,
        unsupported_answer=guess or UNDECIDED_CHOICE,
    )


def _answer_citations(side: Composed) -> tuple[int, ...]:
    return next((s.citations for s in side.sentences if s.kind is SentenceKind.ANSWER and s.supported), ())
