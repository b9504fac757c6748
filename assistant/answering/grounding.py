"""The one grounding check: does the text a statement cites really say it?

Answers, summaries and extracted values are all checked here, after generation, against
the stored text of the passage or page they cite, so "supported" means the same thing
wherever a user sees it. Each kind of claim has its own named threshold, because each is
measured differently:

- an answer phrase must be mostly quoted from its passage (``ANSWER_SUPPORT`` of its words);
- a summary statement must have most of its key terms on its page (``STATEMENT_SUPPORT``);
- an extracted value, which is short and read into a table, needs nearly all of its key
  terms (``VALUE_SUPPORT``).

An answer sentence is checked against single sentences of its passage, not the whole
passage (``find_support``): the sentence must hold the answer's terms and numbers, and be
about what was asked (a term of the question that the answer does not already repeat),
so a "60 days" copied from the notice clause does not pass for a question on the cure period.

Every number a statement gives (amounts, doses, dates, periods) must be on the page too:
"60 days" does not pass for a page that says "30 days". A model's way of saying that
something is absent is recognised here as well, so it is never shown as a finding.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.answering.question import choice_options
from assistant.text import CITATION_AT_END, STOPWORDS, normalise_numbers, query_terms, sentence_spans

ANSWER_SUPPORT = 0.6  # share of an answer's words its passage must contain
STATEMENT_SUPPORT = 0.6  # share of a summary statement's key terms its page must contain
VALUE_SUPPORT = 0.8  # share of an extracted value's key terms its page must contain
REFUSAL_WORDS = 4  # "Not stated in the passages." and shorter (``is_refusal``)
MIN_STATEMENT_WORDS = 6  # a backing quote shorter than this is a heading, a label or a fragment
# Not ":": a sentence ending in a colon ("... must meet two overall conditions:") only
# announces what follows, and the answer is in what follows.
_SENTENCE_ENDS = frozenset(".!?;")
_CLOSING = "\"')]”’»"
_LIST_ITEM_END = re.compile(r";\s*(?:or|and),?$", re.IGNORECASE)
SEMANTIC_TOP = 5  # sentences of the passages, closest in meaning to the question, that count as about it
FOCUS_SUPPORT = 0.5  # share of the question's topic weight a backing sentence must hold (``focus_share``)

_WORD = re.compile(r"\w+", re.UNICODE)
# How close in meaning the question is to each text (the embedder's cosine), for ``find_support``.
Similarity = Callable[[str, Sequence[str]], Sequence[float]]
_NUMBER = re.compile(r"\d+")
_REFUSAL = re.compile(
    r"^\W*(not[ _]found|no answer|unknown|none|n/?a)\W*$|could not find|couldn't find|cannot find|"
    r"can't find|not (?:mentioned|stated|provided|given) in",
    re.IGNORECASE,
)
_NOT_STATED = re.compile(
    r"^\W*(not[ _](stated|found|mentioned|given|specified|provided)|none|n/?a|unknown|no\b.*\bstated)\b",
    re.IGNORECASE,
)


def is_refusal(answer: str) -> bool:
    """True for an empty answer or the model's way of saying the passages do not hold it.

    A bare "Not stated." is one too; "None of the parties may assign" is an answer, so only
    an answer of ``REFUSAL_WORDS`` words or fewer counts that way.
    """
    if not answer.strip() or _REFUSAL.search(answer):
        return True
    return says_not_stated(answer) and len(answer.split()) <= REFUSAL_WORDS


def may_be_refusal(partial: str) -> bool:
    """Whether streamed answer text could still turn into a refusal (so hold it back)."""
    head = partial.strip().lower()
    return len(head) < 40 and head.startswith(
        ("not", "no", "i ", "i'", "unknown", "none", "n/a", "can", "could")
    )


def support(answer: str, passage: str) -> float:
    """Share of the answer's words that the passage contains (1.0 = fully quoted)."""
    words = [w.lower() for w in _WORD.findall(answer)]
    if not words:
        return 0.0
    present = {w.lower() for w in _WORD.findall(passage)}
    return sum(1 for w in words if w in present) / len(words)


def key_support(statement: str, page_text: str) -> float:
    """Share of the statement's meaningful words (stopwords left out) that the page contains.

    Stopwords are left out so "the", "of" and "is" cannot vouch for an invented claim;
    what must be on the page are the names, numbers and content words.
    """
    terms = query_terms(statement)
    if not terms:
        return 0.0
    present = {w.lower() for w in _WORD.findall(page_text)}
    return sum(1 for t in terms if t in present) / len(terms)


def numbers_present(statement: str, page_text: str) -> bool:
    """Whether every number in the statement is on the page: "60 days" must not pass for "sixty"-less text.

    Amounts, doses and dates are what a reader acts on, so a near match is not enough for them.
    """
    on_page = set(_NUMBER.findall(normalise_numbers(page_text)))
    return all(number in on_page for number in _NUMBER.findall(normalise_numbers(statement)))


def supported(statement: str, page_text: str, threshold: float = STATEMENT_SUPPORT) -> bool:
    """The page holds ``threshold`` of the statement's key terms and every one of its numbers."""
    return key_support(statement, page_text) >= threshold and numbers_present(statement, page_text)


def says_not_stated(value: str) -> bool:
    """True for a model's way of saying a field is absent ("not stated", "N/A", "none")."""
    return not value.strip() or bool(_NOT_STATED.search(value.strip()))


# Question words that ask for a kind of answer ("how long", "how much") rather than name a topic.
ASKING_WORDS = frozenset(
    [
        "much",
        "many",
        "long",
        "often",
        "far",
        "old",
        "kind",
        "type",
        "sort",
        "happens",
        "happen",
        "mean",
        "means",
        "say",
        "says",
        "state",
        "states",
        "document",
        "documents",
        "passage",
        "passages",
        "text",
        "tell",
    ]
)
# Words that say what kind of figure is wanted rather than what it is about. Documents say
# them in other words ("at most nine members" for a maximum, "within 30 days" for a period),
# so requiring them would refuse right answers; the figure itself must still be in the sentence.
KIND_WORDS = frozenset(
    ["maximum", "minimum", "number", "amount", "size", "length", "duration", "period", "total", "value",
     "figure", "date", "dates", "time", "times", "limit", "rate", "level", "percentage", "cost", "price",
     "threshold"]
)  # fmt: skip
# Modal verbs ask whether something is required or allowed; documents say it in other words
# ("shall", "is permitted to", "is entitled to"), so the verdict, not the sentence, carries them.
MODAL_WORDS = frozenset(["may", "must", "can", "could", "shall", "should", "might", "need", "allowed"])
# Question words that never count towards its topic.
TOPIC_STOP_WORDS = ASKING_WORDS | KIND_WORDS | MODAL_WORDS
_STEM = 6  # words compared on their first letters: "returned" ~ "return", "deposits" ~ "deposit"


_SUFFIXES = ("ing", "ed", "es", "s")  # one is taken off a word that keeps 3 letters: "meets" ~ "meet"


def stem(word: str) -> str:
    if word.isdigit():
        return word
    word = word.lower()
    if not word.endswith("ss"):
        suffix = next((s for s in _SUFFIXES if word.endswith(s) and len(word) - len(s) >= 3), "")
        word = word[: len(word) - len(suffix)]
    word = word[:_STEM]
    # British and American spellings meet: "licence" ~ "license", "offence" ~ "offense", "analyse" ~ "analyze".
    return word[:-3] + "ens" if word.endswith("enc") else word.replace("yz", "ys")


def stems(text: str) -> set[str]:
    """The word stems of ``text``, as the sentence check compares them (numbers whole)."""
    return {stem(w) for w in _WORD.findall(text)}


@dataclass(frozen=True)
class SentenceMatch:
    """The sentence (or two adjacent sentences) of a passage that best backs a claim."""

    passage: int  # index into the passages searched
    start: int
    end: int
    quote: str  # the passage's own words, whitespace collapsed
    claim_share: float  # share of the claim's key terms the quote holds
    numbers: bool  # every number of the claim is in the quote
    on_topic: bool  # the quote or the sentence before it holds a term the question adds
    labelled: bool = False  # the claim is the value of a field whose label names what was asked

    @property
    def is_statement(self) -> bool:
        """Whether the quote reads as a statement, not a heading or a title line.

        "Creative Commons Attribution 4.0 International Public License" shares a question's
        words but states nothing: a backing quote has ``MIN_STATEMENT_WORDS`` words or more
        and ends as a sentence does (a colon announces a list; it does not end a statement),
        or as an item of a legal list does ("... within 30 days of discovery; or").
        """
        return self.labelled or reads_as_statement(self.quote)

    @property
    def supports(self) -> bool:
        return (
            self.numbers
            and (self.on_topic or self.labelled)
            and self.is_statement
            and self.claim_share >= ANSWER_SUPPORT
        )


def reads_as_statement(text: str, min_words: int = MIN_STATEMENT_WORDS) -> bool:
    """``min_words`` words or more, ending as a sentence or as an item of a legal list does."""
    # An item of a legal list ends "...; or" and is a whole provision.
    # A reference number after the full stop ("... in the United States.8") is not the sentence's.
    body = text.rstrip("0123456789") if CITATION_AT_END.search(text) else text
    body = _LIST_ITEM_END.sub(";", body.rstrip(_CLOSING))
    return len(text.split()) >= min_words and body[-1:] in _SENTENCE_ENDS


def _share(terms: list[str], present: set[str]) -> float:
    return sum(1 for t in terms if t in present) / len(terms) if terms else 0.0


def asked_terms(question: str) -> list[str]:
    """The stems of the words that say what a question is about, in order, each once: not its
    asking words ("how long"), kinds of figure ("maximum") or modals ("may")."""
    return list(dict.fromkeys(stem(t) for t in query_terms(question) if t not in TOPIC_STOP_WORDS))


def focus_weights(topic: Sequence[str], sentences: Sequence[set[str]]) -> dict[str, float]:
    """How much each of the question's topic terms tells the passages' sentences apart.

    A term found in most sentences of the passages retrieved ("committee" in a committee's
    charter, "licence" in a licence) says little about which sentence answers; one found
    in few ("maximum", "size", "supplied") is what the question is about. Inverse sentence
    frequency, as BM25 weighs terms, computed on the passages at hand, so no threshold is
    fitted to one document set.
    """
    total = len(sentences)
    return {t: math.log(1 + (total + 1) / (1 + sum(1 for s in sentences if t in s))) for t in topic}


def focus_share(weights: dict[str, float], context: set[str]) -> float:
    """The share of the question's topic weight that a sentence (with the one before) holds."""
    whole = sum(weights.values())
    return sum(w for t, w in weights.items() if t in context) / whole if whole else 1.0


def find_support(
    claim: str,
    question: str,
    passages: Sequence[str],
    *,
    focus: float = FOCUS_SUPPORT,
    similarity: Similarity | None = None,
) -> SentenceMatch | None:
    """The best sentence of ``passages`` for ``claim`` as an answer to ``question``, or None.

    "About what was asked" is ``focus_share`` >= ``focus``: the sentence, or the one before
    it, holds that share of the question's topic weight (``focus_weights``). A sentence that
    shares only the question's common word ("committee") with it is about something else:
    re-appointment, not the committee's maximum size. Documents often say what was asked
    in other words ("eight subjects participated" for "how many volunteers"), so with a
    ``similarity`` (the embedder's), a sentence whose meaning ranks among the
    ``SEMANTIC_TOP`` sentences of the passages closest to the question is about it too: a
    rank among the passages at hand, not a cosine threshold fitted to one document set.

    Two adjacent sentences are tried as one quote too: "The deposit is 24,000 pounds. It is
    returned within thirty days." backs an answer that joins both.
    """
    claim = normalise_numbers(claim)
    claim_terms = [stem(t) for t in query_terms(claim)]
    claim_numbers = _NUMBER.findall(claim)
    claim_stems = set(claim_terms)
    asked = asked_terms(question)
    topic = [t for t in asked if t not in claim_stems]
    # What is asked about is named in words; the question's figures ("for the 1.0, 1.5 and 2.0 mm
    # gaps") qualify it, and a sentence of other figures for the same gaps is not about it.
    topic = [t for t in topic if not t.isdigit()] or topic
    # A choice question's alternatives ("the landlord or the tenant") are what the answer picks
    # from: the one not picked is not what the sentence must be about.
    alternatives = set().union(*(stems(o) for o in choice_options(question)))
    topic = [t for t in topic if t not in alternatives]
    if not topic:
        # The claim is the question itself (a bare "Yes." or "The LGPL 2.1." is checked on
        # the question's terms): a sentence sharing its common words ("library", "work",
        # "terms" in a definition) must still hold the words that tell it apart ("choice").
        topic = [t for t in asked if not t.isdigit() and t not in alternatives]
    field = FieldClaim.of(claim, question)
    split = [(text, sentence_spans(text)) for text in passages]
    all_stems = [[stems(normalise_numbers(text[a:b])) for a, b in spans] for text, spans in split]
    # Numbers as figures, not words: "0.05mg/kg" holds the 05 of "0.05 mg/kg" though its word is "05mg".
    all_numbers = [
        [set(_NUMBER.findall(normalise_numbers(text[a:b]))) for a, b in spans] for text, spans in split
    ]
    weights = focus_weights(topic, [s for sentences in all_stems for s in sentences])
    candidates: list[tuple[SentenceMatch, tuple[int, int]]] = []  # each with its first sentence
    for index, ((text, spans), sentence_stems, sentence_numbers) in enumerate(
        zip(split, all_stems, all_numbers, strict=True)
    ):
        for i, (start, _) in enumerate(spans):
            single = 0.0
            for j in (i, i + 1):
                if j >= len(spans) or (j > i and spans[j][1] - start > 600):
                    continue
                stop = spans[j][1]
                quote = text[start:stop]
                window = sentence_stems[i] | sentence_stems[j]
                context = window | (sentence_stems[i - 1] if i else set())
                share = _share(claim_terms, window)
                if j > i and share <= max(single, _share(claim_terms, sentence_stems[j])):
                    continue  # the second sentence adds nothing the claim needs
                single = share
                numbers = all(n in sentence_numbers[i] | sentence_numbers[j] for n in claim_numbers)
                on_topic = not topic or focus_share(weights, context) >= focus
                labelled = j == i and field is not None and field.labels(quote)
                match = SentenceMatch(
                    index, start, stop, " ".join(quote.split()), share, numbers, on_topic, labelled
                )
                candidates.append((match, (index, i)))
    # A bare figure ("32.6±5.4") says nothing of what it measures: a sentence close in meaning
    # that holds it may give it for another quantity (the construct's stiffness, not its strain).
    worded = any(not t.isdigit() for t in claim_terms)
    if similarity is not None and worded and not any(m.supports for m, _ in candidates):
        near = _closest_in_meaning(question, split, similarity)
        candidates = [(replace(m, on_topic=m.on_topic or at in near), at) for m, at in candidates]
    # Prefer a quote that supports; then more of the claim; then the shorter quote.
    ranked = max(
        candidates,
        key=lambda c: (
            c[0].supports,
            c[0].numbers and c[0].on_topic,
            c[0].claim_share,
            c[0].start - c[0].end,
        ),
        default=None,
    )
    return ranked[0] if ranked is not None else None


# A form's or a title page's label: capitalised words ending the text before a value ("OMB Number:").
_LABEL_WORDS = 3
_LABEL_WORD = re.compile(r"^[A-Z][A-Za-z-]*:?$")
_FIELD_VALUE_WORDS = 3


@dataclass(frozen=True)
class FieldClaim:
    """A claim read as the value of a labelled field whose label names what was asked.

    Forms, records and title pages state facts as fields, not sentences: "OMB Number:
    4040-0004", "Version 4", "Edition 1.0", a record's "Allergies" line above "Penicillin
    (urticaria).". Such a field is no statement, yet it answers "what is the OMB number?" as
    plainly as a sentence would, when the answer is the field's value standing right after the
    label, and the label's words are the question's, one of them a word of its topic, not
    only a kind of figure ("Number: 12" does not answer every question about a number;
    "Expiration Date" does not answer "until when is it valid?", which a reader would have
    to infer). Under a label on its own line, the value is the whole next line (a longer one
    is a statement, checked as one); after a label on the same line, a figure or a code of
    ``_FIELD_VALUE_WORDS`` words at most, since the words after a label in running text need
    not be its value.

    The claim is read once (``of``), then matched against each sentence tried (``labels``).
    """

    value: tuple[str, ...]  # the value's words, lower case, edge punctuation off
    question_stems: set[str]
    asked: set[str]  # the question's topic stems (``asked_terms``)

    @classmethod
    def of(cls, claim: str, question: str) -> FieldClaim | None:
        """The claim's value, or None when it is no field's value (empty, or a statement's length)."""
        words = claim.split()
        question_stems = stems(question)
        # The claim may repeat the label ("Version 4"): its value is what follows the question's words.
        lead = 0
        while (
            lead < len(words) - 1
            and _LABEL_WORD.match(words[lead])
            and stem(words[lead].rstrip(":")) in question_stems
        ):
            lead += 1
        value = tuple(w.strip(".,;").lower() for w in words[lead:])
        if not value or len(value) >= MIN_STATEMENT_WORDS:
            return None
        return cls(value, question_stems, set(asked_terms(question)))

    def labels(self, text: str) -> bool:
        """Whether ``text`` gives this value right after a label that names what was asked."""
        value, question_stems, asked = self.value, self.question_stems, self.asked
        tokens = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        for at in range(len(tokens) - len(value) + 1):
            if tuple(t.strip(".,;").lower() for t, _, _ in tokens[at : at + len(value)]) != value:
                continue
            own_line = at > 0 and "\n" in text[tokens[at - 1][2] : tokens[at][1]]
            last, _, end = tokens[at + len(value) - 1]
            line_end = text.find("\n", end)
            whole_line = (
                last.endswith((".", ";")) or not text[end : line_end if line_end >= 0 else len(text)].strip()
            )
            inline_figure = len(value) <= _FIELD_VALUE_WORDS and any(ch.isdigit() for ch in "".join(value))
            if not (own_line and whole_line) and not inline_figure:
                continue
            # The label is read back from the value, a word at a time, as long as each word is the
            # question's: "View Attachments Version 02" is the field "Version", after a button's words.
            label: set[str] = set()
            for token, _, _ in reversed(tokens[max(0, at - _LABEL_WORDS) : at]):
                if not _LABEL_WORD.match(token) or (label and token.endswith(":")):
                    break
                if token.lower().rstrip(":") in STOPWORDS:
                    continue
                if stem(token.rstrip(":")) not in question_stems:
                    break
                label.add(stem(token.rstrip(":")))
            if label & asked:
                return True
        return False


def _closest_in_meaning(
    question: str, split: Sequence[tuple[str, list[tuple[int, int]]]], similarity: Similarity
) -> set[tuple[int, int]]:
    """(passage, sentence) of the ``SEMANTIC_TOP`` sentences, each read with the one before, closest to the question."""
    places: list[tuple[int, int]] = []
    texts: list[str] = []
    for index, (text, spans) in enumerate(split):
        for i, (a, b) in enumerate(spans):
            before = text[spans[i - 1][0] : spans[i - 1][1]] if i else ""
            places.append((index, i))
            texts.append(f"{before} {text[a:b]}".strip())
    if not texts:
        return set()
    scores = similarity(question, texts)
    order = sorted(range(len(texts)), key=lambda k: -scores[k])
    return {places[k] for k in order[:SEMANTIC_TOP]}
