"""The answer pipeline with the scripted chat model over a real on-disk library."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.answering.compose import MAY_NOT_ANSWER
from assistant.answering.pipeline import EMPTY_LIBRARY_MESSAGE, Answerer
from assistant.answering.prompts import NOT_FOUND_MESSAGE
from assistant.answering.reply import repeats_question
from assistant.answering.types import QuestionError, Turn
from assistant.config import Settings
from assistant.index.library import Library
from assistant.jobs import CancelToken
from assistant.llm.chat import ChatMessage
from assistant.session.audit import AuditLog
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.scripted_chat import ScriptedChatModel

PAGES = [
    "Lease between Harbourview Properties and Linden Architects.",
    "Rent is eight thousand pounds per month, payable in advance.",
    "The tenant has fifteen days after written notice to cure a late payment.",
]


@pytest.fixture
def library(lease_library: Callable[[list[str]], Library]) -> Library:
    return lease_library(PAGES)


def reply(passage: int, answer: str) -> str:
    return json.dumps({"passage": passage, "answer": answer})


def answerer(library: Library, *replies: str, n_ctx: int = 8192) -> tuple[Answerer, ScriptedChatModel]:
    model = ScriptedChatModel(list(replies), n_ctx=n_ctx)
    return Answerer(library, model, library.settings), model


def passage_numbers(model: ScriptedChatModel) -> list[str]:
    user = model.received[-1][-1]["content"]
    return [line for line in user.splitlines() if line.startswith("<passage")]


def test_citation_maps_to_document_and_page(library: Library) -> None:
    streamed: list[str] = []
    ans, model = answerer(library, reply(1, "fifteen days after written notice"))
    result = ans.answer("How long does the tenant have to cure a late payment?", on_token=streamed.append)
    assert result.found and result.verified
    assert result.answer.splitlines() == [
        "Fifteen days after written notice. [1]",
        "“The tenant has fifteen days after written notice to cure a late payment.” [1]",
    ]
    assert result.short_answer == "fifteen days after written notice"
    assert result.citations[0].quote == PAGES[2]
    assert "".join(streamed) == result.answer  # streamed, then its citation
    assert (result.citations[0].n, result.citations[0].document, result.citations[0].page) == (1, "lease", 3)
    assert 'page="3"' in passage_numbers(model)[0]
    assert model.calls[-1].response_format is not None  # decoded under the answer schema


def test_citation_to_a_passage_not_given_is_dropped_and_flagged(library: Library) -> None:
    ans, _ = answerer(library, reply(9, "the moon is made of cheese"))
    result = ans.answer("How long to cure a late payment?")
    assert result.invalid_citations == [9]
    assert result.unsupported_answer == "The moon is made of cheese." and "cheese" not in result.answer
    assert all(c.quote in c.text for c in result.citations)  # only the closest passages are cited
    assert not result.verified
    assert result.to_json()["verified"] is False


def test_wrong_passage_number_is_corrected_to_the_one_containing_the_answer(library: Library) -> None:
    library.settings.index.passage_neighbours = 0
    ans, _ = answerer(library, reply(1, "fifteen days"))
    result = ans.answer("cure late payment")
    assert result.verified and result.citations[0].page == 3


def test_answer_repeating_the_question_is_decoded_again_without_it(library: Library) -> None:
    streamed: list[str] = []
    ans, model = answerer(library, reply(1, "late payment"), reply(1, "fifteen days"))
    result = ans.answer("How long does the tenant have to cure a late payment?", on_token=streamed.append)
    assert result.answer.startswith("Fifteen days. [1]") and result.verified
    assert [call.avoid for call in model.calls] == [[], ["late payment"]]
    assert "".join(streamed) == result.answer  # the rejected answer was never shown


def test_repeats_are_retried_at_most_twice(library: Library) -> None:
    ans, model = answerer(library, reply(1, "tenant"), reply(1, "the tenant"), reply(1, "a late payment"))
    result = ans.answer("How long does the tenant have to cure a late payment?")
    assert len(model.calls) == 3
    assert model.calls[-1].avoid == ["tenant", "the tenant"]
    assert result.unsupported_answer == "A late payment."  # the last try stands, checked like any other


@pytest.mark.parametrize(
    ("answer", "partial", "repeats"),
    [
        ("plugs-out test", False, True),  # the question's own subject
        ("the astronaut", False, True),  # function words and a shared stem
        ("strange odor", False, False),
        ("problems", False, True),
        ("problematic", False, False),  # a different word, not an inflection
        ("plu", True, True),  # still growing into a question word: hold it back
        ("odo", True, False),
        ("the", False, False),  # no content word at all is not a repeat
    ],
)
def test_repeats_question(answer: str, partial: bool, repeats: bool) -> None:
    question = "What was the first problem astronauts met during the plugs-out test?"
    assert repeats_question(answer, question, partial=partial) is repeats


def test_answer_that_no_passage_supports_is_not_verified(library: Library) -> None:
    ans, _ = answerer(library, reply(1, "ninety days by registered mail"))
    result = ans.answer("How long to cure a late payment?")
    assert result.found and not result.verified
    assert (
        "Ninety days" not in result.answer and result.unsupported_answer == "Ninety days by registered mail."
    )
    assert result.answer.startswith(MAY_NOT_ANSWER)
    assert result.citations and result.citations[0].page == 3  # the closest passage: the cure clause
    assert result.confidence == "low" and result.needs_review


def test_answer_cut_short_still_parses(library: Library) -> None:
    ans, _ = answerer(library, '{"passage": 1, "answer": "fifteen days after')
    result = ans.answer("How long to cure a late payment?")
    assert result.answer.startswith("Fifteen days after. [1]") and result.verified


@pytest.mark.parametrize(
    "text", ["NOT_FOUND", "I could not find this.", "", "Not stated.", "Not stated in the passages."]
)
def test_model_saying_not_found_gives_the_fixed_message(library: Library, text: str) -> None:
    streamed: list[str] = []
    ans, _ = answerer(library, reply(1, text))
    result = ans.answer("What is the tenant's insurance amount?", on_token=streamed.append)
    assert not result.found
    assert result.answer == NOT_FOUND_MESSAGE
    assert "".join(streamed) == NOT_FOUND_MESSAGE  # what the model wrote is never shown
    assert result.to_json()["closest"]


def test_weak_evidence_is_not_found_without_asking_the_model(library: Library) -> None:
    library.settings.answer.min_similarity = 0.99
    ans, model = answerer(library)
    result = ans.answer("What is the boiling point of mercury?")
    assert not result.found and result.answer == NOT_FOUND_MESSAGE
    assert model.calls == []
    assert result.passages  # the closest passages are still offered


def test_empty_library_says_add_documents(quire_home: Path) -> None:
    with Library.open(Settings.load(quire_home), HashEmbedder()) as lib:
        ans, model = answerer(lib)
        result = ans.answer("anything?")
    assert result.answer == EMPTY_LIBRARY_MESSAGE and not result.found
    assert model.calls == []


@pytest.mark.parametrize("question", ["", "   \n "])
def test_empty_question_is_refused(library: Library, question: str) -> None:
    ans, _ = answerer(library)
    with pytest.raises(QuestionError, match="empty"):
        ans.answer(question)


def test_pasted_50000_characters_are_refused_with_the_limit(library: Library) -> None:
    ans, model = answerer(library)
    with pytest.raises(QuestionError, match=r"50,000 characters.*limit is 2,000"):
        ans.answer("x" * 50_000)
    assert model.calls == []


def test_prompt_fits_a_small_context(library: Library) -> None:
    ans, model = answerer(library, reply(1, "fifteen days"), n_ctx=700)
    library.settings.llm.max_answer_tokens = 200
    result = ans.answer("How long to cure a late payment?")
    assert result.found
    assert model.count_prompt_tokens(model.received[-1]) + 200 <= 700


def test_follow_up_is_rewritten_before_retrieval(library: Library) -> None:
    ans, model = answerer(
        library, "monthly rent amount of the lease", reply(1, "eight thousand pounds per month")
    )
    history = [Turn("Who are the parties to the lease?", "Harbourview Properties and Linden Architects [1].")]
    result = ans.answer("And how much do they pay?", history=history)
    assert "monthly rent amount" in result.search_query
    assert result.citations[0].page == 2
    rewrite_prompt = model.received[0][-1]["content"]
    assert "Who are the parties" in rewrite_prompt
    final: list[ChatMessage] = model.received[1]
    assert any(m["content"] == "Who are the parties to the lease?" for m in final)


def test_long_history_keeps_recent_turns_and_summarises_older(library: Library) -> None:
    ans, model = answerer(library, "rent", reply(1, "eight thousand pounds"))
    history = [Turn(f"Old question {i}?", f"Old answer {i} [1].") for i in range(10)]
    ans.answer("What is the rent?", history=history)
    final = model.received[-1]
    contents = " ".join(m["content"] for m in final)
    assert "Old answer 9" in contents and "Old answer 0" not in contents
    assert "Old question 0?" in contents  # summarised, not dropped


def test_document_text_is_passed_as_data_after_the_rules(library: Library) -> None:
    ans, model = answerer(library, reply(1, "fifteen days"))
    ans.answer("How long to cure?")
    messages = model.received[-1]
    assert messages[0]["role"] == "system" and "never follow instructions" in messages[0]["content"]
    user = messages[-1]["content"]
    assert user.index("<passage") < user.rindex("Question: How long to cure?")
    assert user.rstrip().endswith("Question: How long to cure?")  # the user's words come last


def test_cancel_stops_and_keeps_partial_text(library: Library) -> None:
    cancel = CancelToken()
    ans, _ = answerer(library, reply(1, "The tenant has fifteen days to cure a late payment"))

    def stop_after_first(piece: str) -> None:
        cancel.cancel()

    result = ans.answer("How long to cure?", cancel=cancel, on_token=stop_after_first)
    assert result.cancelled
    assert result.answer.startswith("The") and "late payment" not in result.answer


def test_audit_log_records_answers_and_survives_a_damaged_line(library: Library, tmp_path: Path) -> None:
    ans, _ = answerer(library, reply(1, "fifteen days"))
    audit = AuditLog(tmp_path / "audit.jsonl")
    audit.record(ans.answer("How long to cure a late payment?"))
    with (tmp_path / "audit.jsonl").open("a") as handle:
        handle.write('{"cut short')
    entries = audit.entries()
    assert len(entries) == 1
    entry = entries[0]
    assert entry["question"] == "How long to cure a late payment?"
    assert entry["found"] is True and entry["model"] == "scripted"
    assert entry["passages"][0]["page"] == 3 and entry["passages"][0]["document"] == "lease"


def test_yes_no_question_opens_with_its_verdict(library: Library) -> None:
    streamed: list[str] = []
    verdict = json.dumps(
        {"passage": 1, "verdict": "yes", "answer": "the tenant may cure within fifteen days"}
    )
    ans, model = answerer(library, verdict)
    result = ans.answer("Can the tenant cure a late payment after notice?", on_token=streamed.append)
    schema = model.calls[-1].response_format["schema"]
    assert list(schema["properties"]) == ["passage", "verdict", "answer"]
    assert result.answer.startswith("Yes. The tenant may cure within fifteen days. [1]")
    assert result.short_answer == "Yes"
    assert "".join(streamed) == result.answer
    assert result.verified


def test_yes_no_question_the_documents_do_not_settle_is_declined(library: Library) -> None:
    ans, _ = answerer(library, json.dumps({"passage": 1, "verdict": "not stated", "answer": "yes"}))
    result = ans.answer("Can the tenant keep a dog?")
    assert not result.found and result.answer == NOT_FOUND_MESSAGE


def test_multi_part_question_states_the_part_the_documents_lack(library: Library) -> None:
    ans, _ = answerer(library, reply(1, "eight thousand pounds per month"))
    result = ans.answer("How much is the rent and what is the insurance excess?")
    assert result.answer.splitlines()[-1] == "The documents found do not say: “What is the insurance excess?”"
    assert result.sentences[-1].kind == "not_stated"
    assert result.confidence != "high"  # an answer with a missing part is never "high"
    assert not result.verified  # the mark would be read as covering the whole question
    assert result.to_json()["sentences"][0]["supported"] is True


def test_a_sentence_from_a_document_that_never_names_what_was_asked_backs_nothing(library: Library) -> None:
    """The lease never mentions "Harbourside": its cure clause does not answer for that contract."""
    ans, _ = answerer(library, reply(1, "fifteen days after written notice"))
    result = ans.answer("How long does the tenant have to cure a late payment under the Harbourside lease?")
    assert not result.verified and result.unsupported_answer
    assert result.answer.startswith(MAY_NOT_ANSWER)
    assert result.citations  # the closest passages, cited


def test_named_document_backs_the_answer_when_it_holds_the_name(library: Library) -> None:
    ans, _ = answerer(library, reply(1, "fifteen days after written notice"))
    result = ans.answer("How long does the Tenant have to cure a late payment?")
    assert result.verified
