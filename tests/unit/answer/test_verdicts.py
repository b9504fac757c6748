"""A "No" read from the sentence most about a yes/no question, and only when it denies it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from assistant.answering.compose import MAY_NOT_ANSWER
from assistant.answering.pipeline import Answerer
from assistant.answering.prompts import NOT_FOUND_MESSAGE
from assistant.answering.types import Answer
from assistant.answering.verdicts import decisive_no
from assistant.index.library import Library
from assistant.testing.scripted_chat import ScriptedChatModel

FILLER = "The premises are the ground floor of 4 Quay Street. The term is five years from 1 March."


@pytest.mark.parametrize(
    ("question", "sentence", "no"),
    [
        # a plain negation of what a plain or a permission question asks
        ("May the tenant keep a dog at the premises?", "The tenant must not keep any animal at the premises.", True),
        ("May the tenant sublet the premises?", "The tenant may not sublet the premises or any part of them.", True),
        ("Did the dose change the patients' blood pressure?", "The dose did not affect blood pressure in any patient.", True),
        ("Does the licence grant the right to use the licensor's trademarks?",
         "This licence does not grant permission to use the trademarks of the licensor.", True),
        ("Can the spouse's exemption be claimed when the spouse had income?",
         "Do not claim the exemption if your spouse had any income.", True),
        # a negated duty or restriction answers a duty question only
        ("Must the provider monitor its service?", "Nothing in this section requires a provider to monitor its service.", True),
        ("Does the statute outlaw copying the work?", "The statute does not prohibit copying the work for private study.", True),
        ("May the report be published under another licence?",
         "The requirement to keep the report under this licence does not apply to published copies.", False),
        ("May the tenant assign the lease to a buyer?", "Nothing in this lease shall prevent the tenant from assigning the lease.", False),
        ("Does opening the case void the warranty?", "Opening the case does not void the warranty.", True),
        ("Is the provider allowed to monitor its service?", "Nothing in this section requires a provider to monitor its service.", False),
        ("Must the tenant repair the roof?", "The tenant does not repair the roof in winter.", False),
        # a negation in a condition, or governing none of the question's terms, decides nothing
        ("May we distribute the combined work?",
         "If the combined work is not covered by the patent, you may distribute the combined work.", False),
        ("May the fonts be sold?", "The fonts may be bundled with software as long as they are not sold by themselves.", False),
        ("Is rent payable in advance?", "Rent is payable in advance on the first day of each month.", False),
        # asked in the negative: left to the model
        ("Is the deposit not refundable?", "The deposit is not refundable under any circumstances.", False),
        # a record's terse sentence decides; a title line negates nothing
        ("Does the patient have any known food allergies?", "No known food allergies.", True),
        ("Does the patient have any known allergies?", "No known food allergies.", False),  # a narrower denial
        ("Does the patient have a history of diabetes?", "There is no family history of diabetes in the record.", False),
        ("Does the policy cover treatment abroad?", "The policy does not cover dental treatment abroad.", False),
        ("Does the policy cover treatment abroad?", "The policy does not cover treatment abroad.", True),
        ("Does the patient have a family history of diabetes?", "There is no family history of diabetes in the record.", True),
        ("Is the tenant liable for damage to the roof?", "No liability of the tenant for roof damage", False),
        # a preposition ends the denied phrase: "following" is "after", not a qualifier
        ("Does the guideline recommend surgery after a biopsy for benign nodules?",
         "Therefore, surgery is not recommended following a biopsy for benign nodules.", True),
        ("Does the guideline recommend surgery after a biopsy for benign nodules?",
         "Therefore, surgery is not recommended following a biopsy for benign nodules.7", True),  # its citation
    ],
)  # fmt: skip
def test_a_no_is_read_only_from_a_sentence_that_denies_what_was_asked(
    question: str, sentence: str, no: bool
) -> None:
    match = decisive_no(question, [f"{FILLER} {sentence}"])
    assert (match is not None) is no
    if match is not None:
        assert match.quote == sentence


def test_a_sentence_no_more_about_the_question_than_an_affirming_one_decides_nothing() -> None:
    """Two sentences hold the question's terms equally; one denies, one does not: no verdict."""
    question = "May the tenant keep pets at the premises?"
    texts = [
        "The tenant may not keep pets at the premises.",
        "The tenant may keep pets at the premises with consent.",
    ]
    assert decisive_no(question, texts) is None
    assert decisive_no(question, texts[:1]) is not None


def test_of_sentences_equally_about_the_topic_the_one_in_the_question_s_wording_decides() -> None:
    """ "Very low risk" is asked; "low risk" is about other patients: the denial of the first decides."""
    question = "Is ablation recommended for patients at very low risk?"
    denial = "Ablation is not recommended in patients at very low risk."
    other = "If ablation is used, the guideline recommends a low dose for ablation in patients at low risk."
    match = decisive_no(question, [f"{other} {denial}"])
    assert match is not None and match.quote == denial
    # Worded alike, the affirming sentence still holds the verdict back.
    assert decisive_no(question, [f"{denial} Ablation is recommended in patients at very low risk."]) is None


PAGES = [
    "Lease between Harbourview Properties and Linden Architects.",
    "The tenant must not keep any animal at the premises. Rent is payable monthly in advance.",
]


@pytest.fixture
def library(lease_library: Callable[[list[str]], Library]) -> Library:
    return lease_library(PAGES)


def ask(
    library: Library, question: str, verdict: str, answer: str, streamed: list[str] | None = None
) -> Answer:
    model = ScriptedChatModel([json.dumps({"passage": 1, "verdict": verdict, "answer": answer})])
    return Answerer(library, model, library.settings).answer(
        question, on_token=None if streamed is None else streamed.append
    )


def test_a_question_the_model_calls_not_stated_is_answered_no_by_the_sentence_that_denies_it(
    library: Library,
) -> None:
    streamed: list[str] = []
    result = ask(library, "May the tenant keep a dog at the premises?", "not stated", "not stated", streamed)
    assert "".join(streamed) == result.answer  # the held-back "not stated" never showed
    assert result.found and result.short_answer == "No"
    assert result.answer == ("No. [1]\n“The tenant must not keep any animal at the premises.” [1]")
    assert result.verified and result.confidence == "medium"
    assert result.citations[0].page == 2


def test_a_yes_its_sentence_denies_becomes_the_sentences_no(library: Library) -> None:
    streamed: list[str] = []
    question = "May the tenant keep a dog at the premises?"
    result = ask(library, question, "yes", "pets are welcome with consent", streamed)
    assert result.short_answer == "No" and not result.unsupported_answer
    assert "".join(streamed) == result.answer  # the model's "Yes" was never shown


def test_a_question_no_sentence_denies_stays_declined(library: Library) -> None:
    result = ask(library, "May the tenant paint the walls?", "not stated", "not stated")
    assert not result.found and result.answer == NOT_FOUND_MESSAGE
    result = ask(library, "May the tenant paint the walls?", "yes", "decorating is allowed with consent")
    assert result.answer.startswith(MAY_NOT_ANSWER) and result.unsupported_answer
