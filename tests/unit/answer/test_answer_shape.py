"""The shape of an answer a professional can act on: verdict first, every part, each sentence checked."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from assistant.answering.compose import (
    MAY_NOT_ANSWER,
    compose,
    copies_heading,
    direct_text,
    figures_agree,
    verdict_agrees,
)
from assistant.answering.grounding import FieldClaim, find_support
from assistant.answering.question import analyse, split_parts
from assistant.answering.reply import Reply
from assistant.answering.types import SentenceKind
from assistant.index.retrieve import SearchHit
from assistant.text import sentence_spans

LEASE = (
    "Notice of termination must be given 60 days before the end of the term. "
    "The Tenant may cure a breach within 30 days after written notice. "
    "The security deposit is 24,000 pounds. It is returned within thirty days of the end of the lease."
)
LICENCE = "You may convey a covered work in object code form, provided that you also convey the source code."


def hit(text: str, document: str = "lease", doc_id: str = "d1", page: int = 1) -> SearchHit:
    return SearchHit(
        text=text,
        document=document,
        path=f"/docs/{document}.pdf",
        page=page,
        page_end=page,
        score=1.0,
        doc_id=doc_id,
        chunk_id="c",
    )


def page_of(passage: SearchHit, text: str) -> int:
    return passage.page


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("How much is the security deposit and when is it returned?", 2),
        ("Who is the landlord? Who is the tenant?", 2),
        ("May I sell copies, and must I include the source?", 2),
        ("What is the difference between the MIT and the BSD licence?", 1),
        ("What happens if the tenant pays late and is evicted?", 1),
        ("How long is the cure period?", 1),
    ],
)
def test_question_parts(question: str, parts: int) -> None:
    assert len(split_parts(question)) == parts


@pytest.mark.parametrize(
    ("question", "yes_no"),
    [
        ("Does the licence permit commercial use?", True),
        ("May the tenant sublet the flat?", True),
        ("Is the deposit 24,000 or 12,000 pounds?", False),  # a choice, not a verdict
        ("What is the deposit?", False),
        ("Under the LGPL 2.1, is a program that links with the library a derivative work?", True),
        ("To qualify for the safe harbours, must a provider monitor its service?", True),
        ("When the lease ends, what happens to the deposit?", False),
        ("Under the lease, who pays for repairs?", False),
    ],
)
def test_yes_no_questions_are_recognised(question: str, yes_no: bool) -> None:
    assert analyse(question).yes_no is yes_no


def test_sentences_are_split_without_breaking_abbreviations_or_section_numbers() -> None:
    text = "Dr. Smith signs per clause 3.1 of the lease. The deposit is due. (a) first item;\n(b) second."
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "Dr. Smith signs per clause 3.1 of the lease.",
        "The deposit is due.",
        "(a) first item;",
        "(b) second.",
    ]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        # papers print a citation's number glued after the full stop
        ("RAI is not recommended.262 Doses of 30 mCi are used.", ["RAI is not recommended.262", "Doses of 30 mCi are used."]),
        ("It was seen (Table 2).12 Risk was low.", ["It was seen (Table 2).12", "Risk was low."]),
        # a decimal, a section number and an abbreviation's number end nothing
        ("The dose was 2.262 Gy in all. It was safe.", ["The dose was 2.262 Gy in all.", "It was safe."]),
        ("See Fig.2 The curve rises.", ["See Fig.2 The curve rises."]),
        ("Under clause 3.1 The tenant pays.", ["Under clause 3.1 The tenant pays."]),
    ],
)  # fmt: skip
def test_a_citation_number_after_a_full_stop_ends_the_sentence(text: str, sentences: list[str]) -> None:
    assert [text[a:b] for a, b in sentence_spans(text)] == sentences


def test_a_sentence_ending_in_its_citation_number_is_a_statement() -> None:
    question = "How many thyroid cancer deaths were expected in the United States in 2018?"
    text = "In 2018, approximately 2060 cancer deaths will occur among persons with thyroid carcinoma in the United States.8"
    match = find_support("2060 cancer deaths", question, [text])
    assert match is not None and match.is_statement and match.supports


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "### Results\n### Fatty Acids\nFive cell lines were cultured. Each was counted.",
            ["### Results", "### Fatty Acids", "Five cell lines were cultured.", "Each was counted."],
        ),
        ("## Rent\nThe rent is due monthly.", ["## Rent", "The rent is due monthly."]),
        ("Item #1 is the rent. The fee is # 5.", ["Item #1 is the rent.", "The fee is # 5."]),  # no heading
    ],
)
def test_a_markdown_heading_is_not_joined_to_the_sentence_under_it(text: str, sentences: list[str]) -> None:
    assert [text[a:b] for a, b in sentence_spans(text)] == sentences


def test_a_figure_copied_from_the_wrong_clause_is_not_support() -> None:
    """'60 days' is in the passage, but in the notice clause: it does not answer the cure period."""
    wrong = find_support("60 days", "How long is the cure period?", [LEASE])
    right = find_support("30 days", "How long is the cure period?", [LEASE])
    assert wrong is not None and not wrong.supports
    assert right is not None and right.supports
    assert right.quote == "The Tenant may cure a breach within 30 days after written notice."


CHARTER = (
    "The Audit Committee is appointed by the Board. The Committee shall have at most nine members, "
    "each independent of management. Committee members are appointed for three years and may be "
    "re-appointed twice. The Committee meets at least four times a year. The Committee reports to "
    "the Board after each meeting."
)


@pytest.mark.parametrize(
    ("claim", "question", "supports"),
    [
        # The question's common word ("committee") is in every sentence: it cannot vouch alone.
        ("three", "What is the maximum size of the audit committee?", False),
        ("twice", "What is the maximum size of the audit committee?", False),
        ("nine members", "What is the maximum number of members of the audit committee?", True),
        ("twice", "How many times may a committee member be re-appointed?", True),
        ("four times a year", "How often does the committee meet?", True),
    ],
)
def test_a_sentence_must_be_about_what_the_question_singles_out(
    claim: str, question: str, supports: bool
) -> None:
    match = find_support(claim, question, [CHARTER])
    assert match is not None and match.supports is supports, match


@pytest.mark.parametrize(
    ("claim", "supports"),
    [("15 days", True), ("fifteen days", True), ("16 days", False), ("8,000 pounds a month", True)],
)
def test_figures_match_however_they_are_spelled(claim: str, supports: bool) -> None:
    passage = "The tenant has fifteen days to cure. Rent is eight thousand pounds per month."
    match = find_support(claim, "How long to cure, and what is the rent?", [passage])
    assert match is not None and match.supports is supports


@pytest.mark.parametrize(
    ("claim", "supports"),
    [
        ("0.05 mg/kg for 48 hours", True),
        ("0.5 mg/kg for 48 hours", False),
        ("a 10mm gap", True),
        ("a 12mm gap", False),
    ],
)
def test_figures_with_units_glued_on_match_as_figures(claim: str, supports: bool) -> None:
    """The passage's "0.05mg/kg" and "10mm" hold the figures 0.05 and 10 though its words are "05mg" and "10mm"."""
    passage = (
        "Analgesia was buprenorphine 0.05mg/kg, given for 48 hours after the 10mm osteotomy gap was made."
    )
    match = find_support(claim, "What analgesia did the rats receive after the osteotomy gap?", [passage])
    assert match is not None and match.numbers is supports


def test_the_verdict_opens_a_yes_no_answer() -> None:
    assert (
        direct_text("you must also convey the source", "yes", final=True)
        == "Yes. You must also convey the source."
    )
    assert direct_text("No, it may not", "no", final=True) == "No. It may not."
    assert direct_text("24,000 pounds", None, final=True) == "24,000 pounds."
    streamed = direct_text("24,000 pou", None, final=False)
    assert direct_text("24,000 pounds", None, final=True).startswith(streamed)


def test_answer_is_the_direct_answer_then_the_sentence_that_says_it() -> None:
    question = "How long is the cure period?"
    out = compose(question, analyse(question), Reply("30 days", 1), [hit(LEASE)], page_of)
    assert out.direct_supported
    assert [s.kind for s in out.sentences] == [SentenceKind.ANSWER, SentenceKind.QUOTE]
    assert out.text.splitlines() == [
        "30 days. [1]",
        "“The Tenant may cure a breach within 30 days after written notice.” [1]",
    ]
    assert out.citations[0].quote == "The Tenant may cure a breach within 30 days after written notice."


def test_a_figure_no_sentence_states_is_not_given_as_the_answer() -> None:
    """Precision before coverage: the guess is set aside and the closest passage is quoted, cited."""
    question = "How long is the cure period?"
    out = compose(question, analyse(question), Reply("60 days", 1), [hit(LEASE)], page_of)
    assert not out.direct_supported and out.unsupported_answer == "60 days." and out.short_answer == ""
    assert out.sentences[0].text == MAY_NOT_ANSWER and out.sentences[0].kind is SentenceKind.NOT_STATED
    assert not out.sentences[0].supported  # so the answer is never "verified"
    assert "60 days" not in out.text
    assert [s.kind for s in out.sentences[1:]] == [SentenceKind.QUOTE]
    assert out.citations and out.citations[0].quote in LEASE


LICENCE = (
    "The Apache Licensor may terminate this License for breach on 60 days' notice. "
    "Licensees may sell copies for a fee."
)


@pytest.mark.parametrize(
    ("question", "answer", "named", "supported"),
    [
        # The version the question gives is the names check's to verify, not the sentence's.
        ("What notice does the Apache-2.0 require for termination?",
         "The Apache-2.0 requires 60 days' notice for termination.", (), True),
        # A comparison's side, asked about apart: its name is no longer in the question.
        ("What notice does the licensor need to terminate for breach?", "The MPL-2.0 requires 60 days' notice.",
         ("MPL-2.0",), True),
        # A figure the answer states is still the sentence's to hold.
        ("What notice does the Apache-2.0 require for termination?", "The Apache-2.0 requires 90 days' notice.",
         (), False),
        ("What notice does the licensor need to terminate for breach?", "The MPL-2.0 requires 60 days' notice.",
         (), False),
    ],
)  # fmt: skip
def test_a_version_the_question_names_is_not_a_figure_the_sentence_must_hold(
    question: str, answer: str, named: tuple[str, ...], supported: bool
) -> None:
    out = compose(question, analyse(question), Reply(answer, 1), [hit(LICENCE)], page_of, named=named)
    assert out.direct_supported is supported


RECORD = "Discharge summary\n\nAllergies\nPenicillin (urticaria). No known food allergies.\n\nMedications\nMetformin 500 mg."


def test_a_record_s_terse_line_is_shown_with_the_lines_above_it() -> None:
    """ "No known food allergies." alone would read as "no allergies" to a doctor in a hurry."""
    question = "Does the patient have any known allergies?"
    out = compose(question, analyse(question), Reply("none", 1, verdict="no"), [hit(RECORD)], page_of)
    assert out.unsupported_answer and not out.direct_supported
    assert [c.quote for c in out.citations] == ["Allergies Penicillin (urticaria). No known food allergies."]


def test_every_part_is_answered_by_a_quote_or_stated_missing() -> None:
    question = "How much is the security deposit and when is it returned?"
    out = compose(question, analyse(question), Reply("24,000 pounds", 1), [hit(LEASE)], page_of)
    assert "It is returned within thirty days" in out.text
    assert out.missing_parts == 0

    only_deposit = hit("The security deposit is 24,000 pounds. Rent is due monthly.")
    out = compose(question, analyse(question), Reply("24,000 pounds", 1), [only_deposit], page_of)
    assert out.missing_parts == 1
    assert out.sentences[-1].kind is SentenceKind.NOT_STATED
    assert out.sentences[-1].text == "The documents found do not say: “When is it returned?”"


def test_a_part_whose_one_word_the_quotes_share_is_still_missing() -> None:
    """A quote that mentions a copy does not say what must become of the copy."""
    question = "What may the owner of a computer authorise, and what must become of that copy afterwards?"
    passage = hit(
        "The owner of a computer may authorise the making of a copy of a program to repair the computer."
    )
    out = compose(
        question, analyse(question), Reply("the making of a copy of a program", 1), [passage], page_of
    )
    assert out.direct_supported and out.missing_parts == 1
    assert (
        out.sentences[-1].text
        == "The documents found do not say: “What must become of that copy afterwards?”"
    )


def test_a_comparison_cites_both_documents() -> None:
    question = "How do the GPL and the MIT licence differ on source code?"
    gpl = hit(LICENCE, "GPL", "d1")
    mit = hit("The MIT licence asks for no source code, only this notice.", "MIT licence", "d2")
    reply = Reply("Only the GPL requires conveying the source code", 1)
    out = compose(question, analyse(question), reply, [gpl, mit], page_of)
    assert [c.document for c in out.citations] == ["GPL", "MIT licence"]
    assert out.missing_parts == 0

    one_document = compose(question, analyse(question), reply, [gpl], page_of)
    assert one_document.sentences[-1].kind is SentenceKind.NOT_STATED
    assert "one document (GPL)" in one_document.sentences[-1].text


@pytest.mark.parametrize(
    ("question", "options"),
    [
        (
            "Which of the two, the LGPL 2.1 or the GPL v2, lets us link under terms of our choice?",
            ("LGPL 2.1", "GPL v2"),
        ),
        ("Which lets us keep our changes private: the GPL v2 or the PSF License?", ("GPL v2", "PSF License")),
        ("Who pays for repairs, the landlord or the tenant?", ("landlord", "tenant")),
        ("Does the licence allow copying or modifying?", ()),  # about both, not a choice
        ("What happens if the tenant pays late or not at all?", ()),
        ("Which party may terminate, and on what notice?", ()),
    ],
)
def test_choice_questions_name_their_alternatives(question: str, options: tuple[str, ...]) -> None:
    assert analyse(question).options == options


CHOICE = "Who pays for repairs, the landlord or the tenant?"
REPAIRS = "The Landlord shall pay for all structural repairs to the premises during the term."


@pytest.mark.parametrize(
    ("question", "reply", "shown_as_answer"),
    [
        (CHOICE, Reply("The landlord pays for structural repairs", 1), True),
        (CHOICE, Reply("Structural repairs to the premises", 1), False),  # names neither
        (CHOICE, Reply("The landlord, not the tenant, pays for repairs", 1), False),  # names both
        (
            "Must the landlord pay for structural repairs?",
            Reply("The landlord shall pay for all structural repairs", 1, verdict="yes"),
            True,
        ),
        (
            "Must the landlord pay for structural repairs?",
            Reply("The landlord shall pay for all structural repairs", 1),
            False,
        ),
    ],
)
def test_an_answer_of_the_wrong_shape_is_set_aside(
    question: str, reply: Reply, shown_as_answer: bool
) -> None:
    """A choice is answered by naming one alternative, a yes/no question by a verdict: else the closest passages."""
    out = compose(question, analyse(question), reply, [hit(REPAIRS)], page_of)
    assert out.direct_supported is shown_as_answer
    assert (out.sentences[0].text == MAY_NOT_ANSWER) is not shown_as_answer


def test_a_sentence_the_pipeline_refuses_backs_nothing() -> None:
    question = "How long is the cure period?"
    out = compose(
        question, analyse(question), Reply("30 days", 1), [hit(LEASE)], page_of, accept=lambda m: False
    )
    assert not out.direct_supported and out.unsupported_answer == "30 days."


@pytest.mark.parametrize(
    ("verdict", "question", "quote", "agrees"),
    [
        ("no", "Does the LGPL restrict running the program?", "The act of running the Program is not restricted.", True),
        ("yes", "Does the LGPL restrict running the program?", "The act of running the Program is not restricted.", False),
        ("yes", "Did rotating the forearm change finger extension?", "No differences were found in finger extension.", False),
        ("yes", "May I charge a fee?", "You may charge any price or no price for each copy.", False),  # ambiguous: shown, not decided
        ("yes", "May I charge a fee?", "You may charge a fee for the physical act of transferring a copy.", True),
        ("no", "May I charge a fee?", "You may charge a fee for the physical act of transferring a copy.", False),
        ("yes", "Is the deposit not refundable?", "The deposit is not refundable.", True),  # asked in the negative
        (None, "How long is the cure period?", "No cure period applies.", True),  # no verdict to decide
    ],
)  # fmt: skip
def test_a_verdict_stands_only_when_its_sentence_decides_it(
    verdict: str | None, question: str, quote: str, agrees: bool
) -> None:
    assert verdict_agrees(verdict, question, quote) is agrees


REINSTATED = (
    "The rights are reinstated if the Contributor fails to notify You prior to 60 days after compliance."
)


@pytest.mark.parametrize(
    ("verdict", "question", "quote", "agrees"),
    [
        ("yes", "Is the licence reinstated when a violation is cured within 30 days?", REINSTATED, False),
        ("yes", "Is the licence reinstated when compliance lasts 60 days?", REINSTATED, True),
        ("no", "Is the licence reinstated when a violation is cured within 30 days?", REINSTATED, True),  # polarity decides
        ("yes", "Does the MPL-2.0 reinstate the rights?", REINSTATED, True),  # a name's figures are no amount
        ("yes", "Under section 5.2, are the rights reinstated?", REINSTATED, True),  # nor is a reference
        ("yes", "Is the deposit returned within thirty days?", "It is returned within 30 days of the end.", True),
        (None, "Within how many days is it returned: 30?", "It is returned within 60 days.", True),
    ],
)  # fmt: skip
def test_a_yes_holds_the_amounts_the_question_gives(
    verdict: str | None, question: str, quote: str, agrees: bool
) -> None:
    assert figures_agree(verdict, question, quote) is agrees


def test_a_sentence_ending_in_a_colon_backs_nothing() -> None:
    """It announces a list: the answer is in what follows."""
    question = "What two conditions must a provider meet?"
    match = find_support(
        "two overall conditions", question, ["A service provider must meet two overall conditions:"]
    )
    assert match is not None and not match.is_statement


@pytest.mark.parametrize("ending", ["; or", "; or,", "; and", "; and,"])
def test_an_item_of_a_legal_list_backs_its_answer(ending: str) -> None:
    """A list item ending '...; or' (older licences write '; or,') is a whole provision, not a fragment."""
    text = (
        "Your rights are reinstated: automatically as of the date the violation is cured, "
        f"provided it is cured within 30 days of Your discovery of the violation{ending}"
    )
    question = "Within what time must a violation be cured for the rights to be reinstated?"
    match = find_support("30 days of your discovery of the violation", question, [text])
    assert match is not None and match.is_statement and match.supports


_RECORD_ALLERGIES = "Allergies\nPenicillin (urticaria). No known food allergies."
_RECORD_MEDICATIONS = "Medications\nMetformin 500 mg twice daily.\nFollow-up in two weeks."
_FORM_HEADER = (
    "View Attachments Version 02 OMB Number: 4040-0004 Expiration Date: 01/31/2009 Application for Assistance"
)


@pytest.mark.parametrize(
    ("question", "claim", "text", "backed"),
    [
        ("What is the OMB number printed on the form?", "4040-0004", _FORM_HEADER, True),
        ("Which version of the form is this?", "Version 02", _FORM_HEADER, True),
        ("Which version of the vignette is this?", "Version 4", "SDCC April 2021 http://example.org/ Version 4 Compiled 7th May", True),
        ("Which edition of the data model is this?", "Edition 1.0", "Edition 1.0", True),
        ("Which edition of the data model is this?", "1.0", "Edition 1.0", True),
        # The label must name what was asked, all of it: a reader would have to infer these.
        ("Until what date is the form valid?", "01/31/2009", _FORM_HEADER, False),
        ("What is the form's received date?", "01/31/2009", _FORM_HEADER, False),
        ("What is the OMB number printed on the form?", "02", _FORM_HEADER, False),
        # A kind of figure alone ("number") does not say which number.
        ("What number is printed on the form?", "4040-0004", _FORM_HEADER, False),
        # A value must be a figure or code, right after its label, in the form's own capitalised words.
        ("What is the OMB number printed on the form?", "Application", _FORM_HEADER, False),
        ("From what size of gift must the filer see page 26?", "250", "If you made any gift of $250 or more, see page 26", False),
        ("What is the OMB number?", "4040-0005", _FORM_HEADER, False),
        # A record prints the field's name on a line above its value: the value is that whole line.
        ("What allergies does the patient have?", "Penicillin (urticaria)", _RECORD_ALLERGIES, True),
        ("What medications does the patient take?", "Metformin 500 mg twice daily", _RECORD_MEDICATIONS, True),
        ("What medications does the patient take?", "Metformin", _RECORD_MEDICATIONS, False),  # part of the line
        ("What medications does the patient take?", "Penicillin (urticaria)", _RECORD_ALLERGIES, False),
        ("What allergies does the patient have?", "Penicillin", "The Allergies clinic prescribed Penicillin.", False),
    ],
)  # fmt: skip
def test_a_form_field_backs_its_value_when_its_label_names_what_was_asked(
    question: str, claim: str, text: str, backed: bool
) -> None:
    """Forms and title pages give facts as labelled fields, not sentences ("OMB Number: 4040-0004")."""
    field = FieldClaim.of(claim, question)
    assert (field is not None and field.labels(text)) is backed
    match = find_support(claim, question, [text])
    assert match is not None and match.supports is backed


def test_a_bare_alternative_needs_the_words_that_tell_its_sentence_apart() -> None:
    """Checked on the question's own terms, a definition sharing the licence's common words
    ("library", "work", "terms") does not back "The LGPL 2.1."; the sentence that says
    what was asked (terms of one's choice) does."""
    question = (
        "Which of the two, the LGPL 2.1 or the GPL v2, lets us distribute a work linking the library "
        "under terms of our own choice?"
    )
    common = (
        'A "work that uses the Library" is a work linked with the library, distributed under these terms. '
        "You may distribute the library under these terms. A work based on the library is distributed "
        "under these terms. The library terms apply to each work distributed."
    )
    right = "You may distribute such a work linking the library under terms of your choice."
    shape = analyse(question)
    for text, backed in ((common, False), (f"{common} {right}", True)):
        reply = Reply(answer="The LGPL 2.1", passage=None)
        composed = compose(question, shape, reply, [hit(text, "LGPL-2.1")], page_of)
        assert composed.direct_supported is backed


GRANT = "The Ministry of Research awarded the study 250,000 euros of funding [BMBF 16SV5824]."
REMEDIES = (
    "Any person injured by a violation of section 1201 or 1202 may bring a civil action in Federal court. "
    "Section 1203 gives courts the power to award statutory damages of $200 to $2,500 per act."
)
_GRANT_QUESTION = "How much money did the Ministry of Research award to the study?"
_RANGE_QUESTION = "What range of damages may a court award for a violation of section 1201?"


@pytest.mark.parametrize(
    ("text", "question", "answer", "shown_as_answer"),
    [
        (GRANT, _GRANT_QUESTION, "250,000 euros", True),
        (GRANT, _GRANT_QUESTION, "the Ministry of Research [BMBF 16SV5824]", False),  # a reference, not an amount
        (GRANT, _GRANT_QUESTION, "the Ministry of Research", False),
        (REMEDIES, _RANGE_QUESTION, "$200 to $2,500 per act", True),
        # the question's own figure, and figures that name a place in the text, are no amount
        (REMEDIES, _RANGE_QUESTION,
         "Any person injured by a violation of section 1201 or 1202 may bring a civil action in Federal court", False),
        (REMEDIES, "What amount may a court award under section 1203?", "Section 1203 gives courts the power", False),
        (REMEDIES, "Where may a person injured by a violation of section 1201 bring a civil action?", "in Federal court", True),
    ],
)  # fmt: skip
def test_how_much_and_what_range_are_answered_by_an_amount(
    text: str, question: str, answer: str, shown_as_answer: bool
) -> None:
    """A figure answers them, not a reference carrying digits, nor a figure the question gives itself."""
    out = compose(question, analyse(question), Reply(answer, 1), [hit(text)], page_of)
    assert out.direct_supported is shown_as_answer


_SECTIONS = (
    "Notice is given in writing.\n\n10.1. New Versions.\n\nOnly the steward may publish new versions.\n"
    "Eligibility for Limitations Generally\nA provider must adopt a policy on repeat infringers."
)


@pytest.mark.parametrize(
    ("answer", "question", "heading"),
    [
        ("10.1. New Versions.", "How much advance notice must the steward give?", True),
        ("New Versions", "How much advance notice must the steward give?", True),
        ("Eligibility for Limitations Generally.", "What two requirements must a provider meet?", True),  # a line of its own
        # the section's words said as a sentence, or more than the heading
        ("A provider must adopt a policy on repeat infringers.", "What must a provider adopt?", False),
        ("Eligibility for limitations generally requires a policy", "What must a provider meet?", False),
        # asked for a name or which one: a heading's words may answer
        ("New Versions", "Which section covers new versions?", False),
        ("New Versions", "What is the title of section 10.1?", False),
        ("New Versions", "Under the licence, which section covers new versions?", False),
    ],
)  # fmt: skip
def test_a_heading_copied_out_is_no_answer(answer: str, question: str, heading: bool) -> None:
    """A heading names what its section is about; its words pass the word check all the same."""
    assert copies_heading(answer, question, [_SECTIONS]) is heading


def test_a_heading_given_as_the_answer_is_set_aside_for_the_closest_passages() -> None:
    question = "What two requirements must a provider meet to be eligible for the limitations?"
    out = compose(
        question,
        analyse(question),
        Reply("Eligibility for Limitations Generally", 1),
        [hit(_SECTIONS)],
        page_of,
    )
    assert not out.direct_supported and out.unsupported_answer


@pytest.mark.parametrize(
    ("question", "claim", "sentence"),
    [
        ("Is the licence the PSF grants royalty-free?", "a royalty-free license",
         "PSF hereby grants Licensee a nonexclusive, royalty-free, world-wide license."),
        ("What is the maximum fine for a first offence?", "$500,000",
         "The maximum fine for a first offense is $500,000 in every case."),
        ("How were the samples analysed?", "by flow cytometry",
         "The samples were analyzed by flow cytometry in every run."),
    ],
)  # fmt: skip
def test_british_and_american_spellings_are_the_same_word(question: str, claim: str, sentence: str) -> None:
    """Questions written in British English are asked of documents written in American English."""
    match = find_support(claim, question, [f"The term is five years. Rent is due monthly. {sentence}"])
    assert match is not None and match.supports and match.quote == sentence


def _closest_first(closest: str) -> Callable[[str, Sequence[str]], list[float]]:
    """An embedder's similarity in which the sentence starting ``closest`` is nearest the question."""
    return lambda question, texts: [1.0 if closest in text else 0.1 for text in texts]


STUDY = (
    "The protocol was approved by the ethics board. Eight healthy subjects participated in the study. "
    "The construct stiffness for the three gaps was 32.6 N/mm. Each gap was measured twice."
)


@pytest.mark.parametrize(
    ("question", "claim", "closest", "backed"),
    [
        # said in other words ("volunteers took part"), found close in meaning: backed
        ("How many volunteers took part in the study?", "Eight healthy subjects", "Eight healthy", True),
        # a bare figure says nothing of what it measures: stiffness is not the strain asked for
        (
            "What interfragmentary strain did the authors find for the gaps?",
            "32.6",
            "The construct stiffness",
            False,
        ),
    ],
)
def test_a_sentence_close_in_meaning_backs_a_worded_answer_not_a_bare_figure(
    question: str, claim: str, closest: str, backed: bool
) -> None:
    assert not find_support(claim, question, [STUDY]).supports  # type: ignore[union-attr]
    match = find_support(claim, question, [STUDY], similarity=_closest_first(closest))
    assert match is not None and match.supports is backed and closest in match.quote
