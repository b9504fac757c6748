"""A "No" read from the sentence that decides a yes/no question, when the model gives none.

The small model answers most yes/no questions "not stated", or "yes" to nearly anything:
asked whether a filer may claim the spouse's exemption, it said "not stated" over a
passage that reads "Do not check box 7b if your spouse had any U.S. gross income." As a
judge of one sentence it said "yes" to that sentence too (tuning documents: 10 of 15
verdicts wrong). What a word check can read reliably is a sentence that negates the very
thing asked: "This License does not grant permission to use the trade names, trademarks
...", "Increasing gap size did not affect construct stiffness", "nothing in section 512
requires a service provider to monitor its service". So a "No" is given when:

- the sentence is the one of the passages most about the question: it holds the largest
  share of the question's topic weight (``grounding.focus_weights``, the question's own
  terms less the names that pick its document, which the names check holds the document
  to), and no other sentence holds as much, unless every one of them reads "No" too;
- it is a statement of ``VERDICT_MIN_WORDS`` words or more, ending as a sentence (a
  heading or a title line decides nothing; a record's "No known food allergies." does);
- a negation in its main clause governs at least ``SCOPE_TERMS`` of those terms: the
  words after "not" name what the question asks about. A "no" that opens a noun phrase
  denies that phrase only: "no known food allergies" does not deny "any known
  allergies", so the phrase may hold no word the question lacks. A negation inside a condition
  ("If ... the Covered Software is not Incompatible ..., this License permits ...") says
  nothing of the main clause, so a negation after "if", "unless", "when" ... counts for
  nothing;
- what is negated is of the kind asked: a negated duty or restriction ("nothing ...
  requires", "does not prohibit", "the requirement ... does not apply") answers a question
  about a duty or a restriction ("must ...?", "does it outlaw ...?") with "No", but says
  nothing of a plain or a permission question ("can a report be published under another
  licence?" is a "yes" when "the requirement ... does not apply"); a plain negation
  ("did not affect", "may not offer", "must not keep") answers a plain or a permission
  question, not a duty question (that a provider does not monitor says nothing of
  whether it must).

A "Yes" is never read this way: an affirming sentence on the topic does not decide a
question (a sentence that fonts "may be sold with any software" does not say they may be
sold on their own). A question asked in the negative is left to the model as well. The
rules are about how sentences negate, fitted to no document set; every verdict they give
is shown with its sentence, cited, and rated no higher than "medium".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from assistant.answering.grounding import (
    SentenceMatch,
    asked_terms,
    focus_share,
    focus_weights,
    reads_as_statement,
    stem,
    stems,
)
from assistant.answering.names import question_names
from assistant.text import STOPWORDS, sentence_spans

SCOPE_TERMS = 2  # topic terms a negation must govern for its sentence to answer "No"
# A record's terse sentence decides as well as a long one ("No known food allergies."); a
# shorter line ending in a full stop is a heading ("10.1. New Versions.").
VERDICT_MIN_WORDS = 4
# Grammatical negation only: "without" qualifies ("persons with and without diabetes") and
# "prohibit" is a restriction word, read by what it restricts.
_NEGATION = re.compile(r"\b(no|not|never|neither|nor|none|nothing|cannot|\w+n't)\b", re.IGNORECASE)
# Words that open a condition or a concession: a negation after them is not the main clause's.
_CONDITION = re.compile(
    r"\b(if|unless|where|whereas|when|whenever|whether|provided|except|although|though)\b", re.IGNORECASE
)
# Stems of words that state a duty or a restriction, in a question or around a negation.
_DUTY = frozenset(
    stem(w)
    for w in (
        "must", "shall", "need", "needs", "required", "requires", "requirement", "obliged", "obligation",
        "mandatory", "prohibit", "prohibited", "forbid", "forbidden", "restrict", "restriction",
        "outlaw", "outlaws", "ban", "banned", "illegal", "unlawful", "limit", "limitation",
        # restricting verbs: "nothing ... shall prevent the tenant from assigning" permits it
        "prevent", "preclude", "void", "forfeit",
    )
)  # fmt: skip
_PROHIBITING_MODALS = frozenset(["must", "shall"])
_DENYING_DETERMINERS = frozenset(["no", "none", "neither"])
_CLAUSE_BREAK = re.compile(r"[,;:()]")
# Prepositions the stopword list lacks: they end the phrase a negation opens as a stopword does
# ("not recommended following lobectomy" denies recommending it, after lobectomy).
_PHRASE_BREAKS = frozenset(
    ["following", "within", "without", "upon", "across", "including", "regarding", "concerning", "per",
     "via", "among", "onto", "towards", "toward", "since", "beyond", "except", "despite"]
)  # fmt: skip
_AFTER_WORDS = 5  # words after a negation read for what it negates ("nothing in section 512 requires")


def decisive_no(question: str, texts: Sequence[str]) -> SentenceMatch | None:
    """The sentence of ``texts`` that answers the yes/no ``question`` "No", or None."""
    if _NEGATION.search(question):
        return None
    names = set().union(*(stems(n) for n in question_names(question)), set())
    topic = [t for t in asked_terms(question) if t not in names and not t.isdigit()]
    if len(topic) < SCOPE_TERMS:
        return None
    asks_duty = bool(stems(question) & _DUTY)
    sentences = [
        (index, start, end, text[start:end])
        for index, text in enumerate(texts)
        for start, end in sentence_spans(text)
    ]
    sentence_stems = [stems(s) for *_, s in sentences]
    weights = focus_weights(topic, sentence_stems)
    scored = [(focus_share(weights, words), place) for place, words in enumerate(sentence_stems)]
    best = max((share for share, _ in scored), default=0.0)
    if best <= 0:
        return None
    tied = [place for share, place in scored if share == best]
    # Among sentences equally about the topic, the one in the question's own wording decides:
    # "not recommended in patients at very low risk" answers "... at very low risk?", where
    # "recommend ... in patients at low risk" is about other patients.
    phrasing = _word_pairs(question)
    wording = {place: len(_word_pairs(sentences[place][3]) & phrasing) for place in tied}
    top = [sentences[place] for place in tied if wording[place] == max(wording.values())]
    matches = [SentenceMatch(i, a, b, " ".join(s.split()), 1.0, True, True) for i, a, b, s in top]
    words = stems(question)
    if all(
        reads_as_statement(m.quote, VERDICT_MIN_WORDS) and _reads_no(m.quote, topic, words, asks_duty)
        for m in matches
    ):
        return matches[0]
    return None


def _word_pairs(text: str) -> set[tuple[str, str]]:
    """Adjacent word pairs, stemmed: "very low", "low risk"."""
    words = [stem(w) for w in re.findall(r"\w+", text)]
    return set(pairwise(words))


def _reads_no(sentence: str, topic: Sequence[str], asked: set[str], asks_duty: bool) -> bool:
    """Whether a negation in the main clause of ``sentence`` denies what the question asks."""
    for cue in _NEGATION.finditer(sentence):
        before = sentence[: cue.start()]
        if _CONDITION.search(before):
            return False  # this and every later negation lie in or after a condition
        if len(set(topic) & stems(sentence[cue.end() :])) < SCOPE_TERMS:
            continue
        if _narrower(sentence[cue.end() :], asked, whole=cue.group(0).lower() in _DENYING_DETERMINERS):
            continue
        # "must not" and "shall not" forbid the act itself: the modal is not what is negated.
        clause = stems(_CLAUSE_BREAK.split(before)[-1]) - _PROHIBITING_MODALS
        after = stems(" ".join(sentence[cue.end() :].split()[:_AFTER_WORDS]))
        negates_duty = bool((clause | after) & _DUTY)
        if negates_duty == asks_duty:
            return True
    return False


def _narrower(rest: str, asked: set[str], *, whole: bool) -> bool:
    """Whether the phrase a negation opens denies something narrower than what was asked.

    "No known food allergies" denies food allergies, not allergies: it does not answer
    "does the patient have any known allergies?" (the record lists a penicillin allergy
    just before it), and "does not cover dental treatment" does not answer whether the
    policy covers treatment. The phrase runs from the negation to its first function word
    or punctuation. A qualifier stands before the word it narrows, so no word the
    question lacks may stand between two of its words ("cover dental treatment"); a
    phrase opened by "no" (``whole``) names what it denies from its first word, so none
    may stand before its last word of the question either ("no family history of
    diabetes" is not "no history of diabetes"). The verb a "not" negates, and what
    follows the question's words, may be the document's own ("does not grant
    permission", "did not affect construct stiffness").
    """
    words: list[str] = []
    for word in re.findall(r"[\w'-]+|[^\w\s]", rest):
        if not word[0].isalnum() or word.lower() in STOPWORDS or word.lower() in _PHRASE_BREAKS:
            break
        words.append(word)
    inside = [stem(word) in asked for word in words]
    if True not in inside:
        return False
    last = len(inside) - 1 - inside[::-1].index(True)
    first = 0 if whole else inside.index(True)
    return not all(inside[first : last + 1])
