"""A comparison is answered side by side, each side from the document the question names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answering.compose import unchosen
from assistant.answering.pipeline import Answerer
from assistant.answering.question import choice_options, without_options
from assistant.answering.sides import (
    Candidate,
    asks_each,
    compare_sides,
    distinguishing,
    match_side,
    side_query,
    side_question,
    without_side,
)
from assistant.answering.types import Answer, Confidence, SentenceKind
from assistant.config import Settings
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.testing.documents import write_scanned_pdf, write_text_pdf
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.scripted_chat import ScriptedChatModel


@pytest.mark.parametrize(
    ("question", "sides"),
    [
        ("How do the GPL-3.0 and the LGPL-3.0 differ on linking?", ("GPL-3.0", "LGPL-3.0")),
        ("Both CC BY 4.0 and GPL-3.0 give 30 days to cure. From what event?", ("CC BY 4.0", "GPL-3.0")),
        ("How do the PSF License and the Zope Public License 2.1 treat trademarks?",
         ("PSF License", "Zope Public License 2.1")),
        ("What framework governed the FES study and the rat fracture-gap study?",
         ("FES study", "rat fracture-gap study")),
        ("How does the 2019 lease differ from the 2021 lease on rent?", ("2019 lease", "2021 lease")),
        ("Which is longer, the MIT licence or the BSD licence?", ("MIT licence", "BSD licence")),
        ("What is the rent and when is it due?", ()),
        ("How much is the deposit and the rent?", ()),
        ("Do both the lease and the sublease allow pets?", ()),  # no name, no shared noun
        ("Compare the deposit and the rent.", ()),
        ("How do the lease agreement and the 2027 lease differ on the rent?", ("lease agreement", "2027 lease")),
        # A second question after "and" is a part, not a side, though both say "how many".
        ("How many AML patients gave plasma and how many were in each prognosis group?", ()),
        ("What does the GPL-3.0 require and what does it forbid?", ()),
    ],
)  # fmt: skip
def test_compare_sides(question: str, sides: tuple[str, ...]) -> None:
    assert compare_sides(question) == sides


@pytest.mark.parametrize(
    ("question", "index", "query"),
    [
        ("How do the GPL-3.0 and the LGPL-3.0 differ on linking?", 0, "How do the GPL-3.0 on linking?"),
        ("How do the GPL-3.0 and the LGPL-3.0 differ on linking?", 1, "How do the LGPL-3.0 on linking?"),
        ("Compare the MPL-2.0 and the GPL-3.0 on termination.", 1, "the GPL-3.0 on termination."),
        ("Which tests did the FES study and the rat study use to compare groups?", 0,
         "Which tests did the FES study use to compare groups?"),
    ],
)  # fmt: skip
def test_side_query_leaves_out_the_other_side(question: str, index: int, query: str) -> None:
    assert side_query(question, compare_sides(question), index) == query


@pytest.mark.parametrize(
    ("question", "index", "asked"),
    [
        ("How do the GPL-3.0 and the LGPL-3.0 differ on linking?", 1, "What does the LGPL-3.0 say on linking?"),
        ("Compare the MPL-2.0 and the GPL-3.0 on termination.", 0, "What does the MPL-2.0 say on termination?"),
        ("How does the 2019 lease differ from the 2021 lease on rent?", 0, "What does the 2019 lease say on rent?"),
        ("How does the 2019 lease differ from the 2021 lease on rent?", 1, "What does the 2021 lease say on rent?"),
        ("Which of the MPL-2.0 and the Apache-2.0 end the rights, and what is lost under each?", 1,
         "Does the Apache-2.0 end the rights, and what is lost under the Apache-2.0?"),
        ("Do the Apache-2.0 and the MPL-2.0 set the same ownership threshold for control?", 1,
         "What ownership threshold for control does the MPL-2.0 set?"),
        ("Both CC BY 4.0 and GPL-3.0 give 30 days to cure. From what event does it run under each licence?", 0,
         "CC BY 4.0 give 30 days to cure. From what event does it run under CC BY 4.0?"),
        # Already a question about one side: kept as it is.
        ("Which tests did the FES study and the rat study use to compare groups?", 1,
         "Which tests did the rat study use to compare groups?"),
        ("What framework governed the FES study and the rat fracture-gap study?", 0,
         "What framework governed the FES study?"),
        # "each" inside a clause names no side: "each Contributor" stays.
        ("How do the MPL-2.0 and the Apache-2.0 differ on what each Contributor grants?", 0,
         "What does the MPL-2.0 say on what each Contributor grants?"),
    ],
)  # fmt: skip
def test_side_question_reads_as_a_question_about_one_side(question: str, index: int, asked: str) -> None:
    sides = compare_sides(question)
    assert side_question(side_query(question, sides, index), sides[index]) == asked


@pytest.mark.parametrize(
    ("query", "phrase", "topic"),
    [
        ("Which tests did the FES study use?", "FES study", "Which tests did use?"),
        ("How do the GPL-3.0 on linking?", "GPL-3.0", "How do on linking?"),
        ("How do the LGPL-3.0 on linking?", "GPL-3.0", "How do the LGPL-3.0 on linking?"),
    ],
)
def test_a_side_is_searched_in_its_document_without_its_own_name(query: str, phrase: str, topic: str) -> None:
    assert without_side(query, phrase) == topic


@pytest.mark.parametrize(
    ("question", "each"),
    [
        ("What exactly is lost under the MPL-2.0 and the Apache-2.0 in each case?", True),
        ("Do the Apache-2.0 and the MPL-2.0 set the same threshold?", True),
        ("What did the FES study and the rat study measure?", True),  # one kind of thing: two documents
        ("How do the PSF License and the Zope Public License 2.1 treat trademarks?", True),
        ("What do the Landlord and the Tenant owe?", False),  # two parties of one document
    ],
)
def test_asks_each(question: str, each: bool) -> None:
    assert asks_each(question, compare_sides(question)) is each


GPL = Candidate("g", "GPL-3.0", "/docs/GPL-3.0.txt")
LGPL = Candidate("l", "LGPL-3.0", "/docs/LGPL-3.0.txt")
STUDY = Candidate("s", "Multi-contact stimulation for hand opening", "/docs/fes-2016.pdf")


def test_a_side_named_by_title_matches_that_title_only() -> None:
    never = lambda: pytest.fail("a title match needs no search")  # noqa: E731
    assert match_side("GPL-3.0", [LGPL, GPL], never, lambda d: "", set()) == GPL
    assert match_side("LGPL-3.0", [LGPL, GPL], never, lambda d: "", set()) == LGPL


def test_a_side_not_in_a_title_is_the_best_ranked_document_that_mentions_its_names() -> None:
    texts = {"g": "GNU General Public License", "s": "FES was delivered through an array"}
    ranked = lambda: ["g", "s"]  # noqa: E731
    assert match_side("FES study", [GPL, STUDY], ranked, texts.__getitem__, set()) == STUDY
    assert match_side("FES study", [GPL, STUDY], ranked, texts.__getitem__, {"s"}) is None  # taken


# --- through the pipeline: a real on-disk library, the scripted model --------------------------

LICENCES = {
    "GPL-3.0": "The GNU GPL does not permit incorporating your program into proprietary programs.",
    "LGPL-3.0": "You may convey a Combined Work under terms of your choice, provided you give notice.",
    "MIT": "Permission is granted to deal in the Software without restriction, subject to notice.",
}


@pytest.fixture
def library(quire_home: Path, tmp_path: Path) -> Iterator[Library]:
    settings = Settings.load(quire_home)
    settings.answer.min_similarity = 0.05  # the hash embedder's similarities are low
    (tmp_path / "docs").mkdir()
    for name, text in LICENCES.items():
        write_text_pdf(tmp_path / "docs" / f"{name}.pdf", [text])
    with Library.open(settings, HashEmbedder()) as lib:
        Indexer(lib).run([tmp_path / "docs"])
        yield lib


def reply(answer: str) -> str:
    return json.dumps({"passage": 1, "answer": answer})


QUESTION = "How do the GPL-3.0 and the LGPL-3.0 differ on combining with proprietary programs?"


def test_each_side_is_answered_from_its_own_document_and_cited(library: Library) -> None:
    model = ScriptedChatModel(
        [reply("it does not permit incorporating your program into proprietary programs"),
         reply("you may convey a Combined Work under terms of your choice")]
    )  # fmt: skip
    streamed: list[str] = []
    result = Answerer(library, model, library.settings).answer(QUESTION, on_token=streamed.append)
    assert len(model.calls) == 2  # one call per side
    first, second = (call[-1]["content"] for call in model.received)
    assert "GPL-3.0.pdf" not in first and LICENCES["GPL-3.0"] in first and LICENCES["LGPL-3.0"] not in first
    assert LICENCES["LGPL-3.0"] in second and LICENCES["GPL-3.0"] not in second
    lines = result.answer.splitlines()
    assert lines[0].startswith("GPL-3.0: It does not permit") and lines[0].endswith("[1]")
    assert any(line.startswith("LGPL-3.0: You may convey") and line.endswith("[2]") for line in lines)
    assert [c.document for c in result.citations] == ["GPL-3.0", "LGPL-3.0"]
    assert [c.n for c in result.citations] == [1, 2]
    assert result.found and result.verified
    assert result.confidence is Confidence.MEDIUM  # a comparison is never "high"
    assert "".join(streamed) == result.answer  # each side shown as soon as it is done


def test_a_side_the_documents_do_not_answer_shows_its_closest_passage(library: Library) -> None:
    model = ScriptedChatModel(
        [
            reply("it does not permit incorporating your program into proprietary programs"),
            reply("not stated"),
        ]
    )
    result = Answerer(library, model, library.settings).answer(QUESTION)
    second = [s for s in result.sentences if s.text.startswith("LGPL-3.0:")]
    assert second and second[0].kind is SentenceKind.NOT_STATED
    assert any(c.document == "LGPL-3.0" for c in result.citations)  # its closest sentence, cited
    assert result.found and not result.verified


def test_two_parties_of_one_document_are_not_split(library: Library) -> None:
    model = ScriptedChatModel([reply("not stated")])
    Answerer(library, model, library.settings).answer("What do the Licensor and the Licensee owe?")
    assert len(model.calls) == 1  # the usual path: one call over the whole library


def test_a_side_whose_document_has_no_text_says_so(library: Library, tmp_path: Path) -> None:
    library.settings.index.ocr = False
    (tmp_path / "scans").mkdir()
    write_scanned_pdf(tmp_path / "scans" / "EUPL-1.2.pdf", ["European Union Public Licence"])
    Indexer(library).run([tmp_path / "scans"])
    model = ScriptedChatModel(
        [reply("it does not permit incorporating your program into proprietary programs")]
    )
    question = "How do the GPL-3.0 and the EUPL-1.2 differ on combining with proprietary programs?"
    result = Answerer(library, model, library.settings).answer(question)
    assert len(model.calls) == 1  # the side without text is not put to the model
    assert "EUPL-1.2: no passage of it was found on this." in result.answer.splitlines()
    assert result.answer.startswith("GPL-3.0: It does not permit")


@pytest.mark.parametrize(
    ("answer", "left"),
    [
        ("The LGPL-3.0 does.", ["GPL-3.0"]),
        ("the GPL-3.0", ["LGPL-3.0"]),
        ("Both do.", ["GPL-3.0", "LGPL-3.0"]),  # none picked
        ("The GPL-3.0 and the LGPL-3.0", ["GPL-3.0", "LGPL-3.0"]),  # both named: none picked
    ],
)
def test_unchosen_alternatives(answer: str, left: list[str]) -> None:
    assert unchosen(answer, ("GPL-3.0", "LGPL-3.0")) == left


CHOICE = (
    "Which of the two, the GPL-3.0 or the LGPL-3.0, lets us convey a combined work under terms of our choice?"
)


def verdict(word: str, answer: str) -> str:
    return json.dumps({"passage": 1, "verdict": word, "answer": answer})


def test_a_choice_between_two_documents_reads_both_and_is_backed_by_the_chosen_one(library: Library) -> None:
    model = ScriptedChatModel([json.dumps({"passage": 2, "answer": "the LGPL-3.0"})])
    result = Answerer(library, model, library.settings).answer(CHOICE)
    assert len(model.calls) == 1  # one answer naming one alternative, backed: no further question
    prompt = model.received[-1][-1]["content"]
    assert LICENCES["GPL-3.0"] in prompt and LICENCES["LGPL-3.0"] in prompt and LICENCES["MIT"] not in prompt
    # The LGPL's sentence backs it though that document never names the GPL-3.0, the other alternative.
    assert result.verified and result.short_answer == "the LGPL-3.0"
    assert [c.document for c in result.citations] == ["LGPL-3.0"]


UNBACKED = json.dumps({"passage": 1, "answer": "the GPL-3.0"})  # the GPL's sentence says no such thing
GPL_NO = "it does not permit incorporating your program into proprietary programs"
LGPL_YES = "you may convey a Combined Work under terms of your choice"


def ask_choice(library: Library, gpl: str, lgpl: str) -> tuple[Answer, ScriptedChatModel]:
    """CHOICE asked with a first answer no sentence backs, then each alternative's reply."""
    model = ScriptedChatModel([UNBACKED, gpl, lgpl])
    return Answerer(library, model, library.settings).answer(CHOICE), model


def test_a_choice_no_sentence_backs_asks_each_alternative_its_yes_no_question(library: Library) -> None:
    result, model = ask_choice(library, verdict("no", GPL_NO), verdict("yes", LGPL_YES))
    assert len(model.calls) == 3  # the choice, then one verdict per alternative from its own document
    first, second = (call[-1]["content"] for call in model.received[1:])
    assert "Does the GPL-3.0 let us convey a combined work" in first
    assert LICENCES["GPL-3.0"] in first and LICENCES["LGPL-3.0"] not in first
    assert "Does the LGPL-3.0 let us convey a combined work" in second
    assert LICENCES["LGPL-3.0"] in second and LICENCES["GPL-3.0"] not in second
    lines = result.answer.splitlines()
    assert lines[0] == "The LGPL-3.0. [2]"  # the alternative named first, cited to its sentence
    assert result.short_answer == "The LGPL-3.0"
    assert any(line.startswith("GPL-3.0: No.") for line in lines)
    assert [c.document for c in result.citations] == ["GPL-3.0", "LGPL-3.0"]
    assert result.verified and result.confidence is Confidence.MEDIUM


def test_a_choice_no_verdict_settles_is_not_given(library: Library) -> None:
    # The GPL's sentence says no; the LGPL side gives no verdict its sentence backs.
    result, _ = ask_choice(library, verdict("no", GPL_NO), verdict("not stated", ""))
    assert result.answer.startswith("The documents found do not settle which")
    assert not result.verified and result.short_answer == ""
    assert result.unsupported_answer and result.confidence is Confidence.LOW
    assert any(c.document == "LGPL-3.0" for c in result.citations)  # its closest sentence, cited


def test_a_choice_yes_its_own_sentence_denies_is_not_taken(library: Library) -> None:
    result, _ = ask_choice(
        library,
        verdict("yes", "the GNU GPL does not permit incorporating your program into proprietary programs"),
        verdict("yes", LGPL_YES),
    )
    # The GPL's "yes" is denied by its own sentence ("does not permit"): only the LGPL is chosen.
    assert result.short_answer == "The LGPL-3.0"


def test_a_choice_both_alternatives_answer_yes_names_both(library: Library, tmp_path: Path) -> None:
    (tmp_path / "more").mkdir()
    write_text_pdf(
        tmp_path / "more" / "BSD.pdf", ["Redistribution is permitted provided the copyright notice is kept."]
    )
    Indexer(library).run([tmp_path / "more"])
    model = ScriptedChatModel(
        [json.dumps({"passage": 1, "answer": "both"}),  # names no one alternative: not an answer to a choice
         verdict("yes", "you may convey a Combined Work provided you give notice"),
         verdict("yes", "redistribution is permitted provided the copyright notice is kept")]
    )  # fmt: skip
    question = "Which of the two, the LGPL-3.0 or the BSD, requires a notice?"
    result = Answerer(library, model, library.settings).answer(question)
    assert result.short_answer == "Both the LGPL-3.0 and the BSD"
    assert [c.document for c in result.citations] == ["LGPL-3.0", "BSD"]
    assert result.verified


def test_a_choice_between_two_parties_of_one_document_is_answered_the_usual_way(
    quire_home: Path, tmp_path: Path
) -> None:
    settings = Settings.load(quire_home)
    settings.answer.min_similarity = 0.05
    (tmp_path / "docs").mkdir()
    write_text_pdf(tmp_path / "docs" / "lease.pdf", ["The Tenant pays for repairs; the Landlord insures."])
    write_text_pdf(tmp_path / "docs" / "memo.pdf", ["The Landlord visited on Monday."])
    with Library.open(settings, HashEmbedder()) as lib:
        Indexer(lib).run([tmp_path / "docs"])
        model = ScriptedChatModel([json.dumps({"passage": 1, "answer": "the Tenant"})])
        Answerer(lib, model, lib.settings).answer("Who pays for repairs, the Tenant or the Landlord?")
    assert len(model.calls) == 1
    assert "<passage" in model.received[-1][-1]["content"]


LEASES = {
    "2019 lease": "Either party may end this lease by giving a notice period of 60 days.",
    "2021 lease": "Either party may end this lease by giving a notice period of 90 days.",
}


@pytest.fixture
def leases(quire_home: Path, tmp_path: Path) -> Iterator[Library]:
    settings = Settings.load(quire_home)
    settings.answer.min_similarity = 0.05
    (tmp_path / "leases").mkdir()
    for name, text in LEASES.items():
        write_text_pdf(tmp_path / "leases" / f"{name}.pdf", [text])
    with Library.open(settings, HashEmbedder()) as lib:
        Indexer(lib).run([tmp_path / "leases"])
        yield lib


DEGREE = "Which lease has the longer notice period, the 2019 lease or the 2021 lease?"


def test_a_choice_by_degree_compares_each_documents_own_figure(leases: Library) -> None:
    model = ScriptedChatModel([reply("a notice period of 60 days"), reply("a notice period of 90 days")])
    result = Answerer(leases, model, leases.settings).answer(DEGREE)
    assert len(model.calls) == 2  # no one-answer guess: one sentence cannot compare two documents
    first, second = (call[-1]["content"] for call in model.received)
    assert "What is the notice period of the 2019 lease?" in first and LEASES["2021 lease"] not in first
    assert "What is the notice period of the 2021 lease?" in second and LEASES["2019 lease"] not in second
    assert result.answer.splitlines()[0] == "The 2021 lease (90 against 60). [1] [2]"
    assert result.short_answer == "The 2021 lease (90 against 60)"
    assert result.verified


def test_a_choice_by_degree_without_both_figures_is_not_given(leases: Library) -> None:
    model = ScriptedChatModel([reply("a notice period of 60 days"), reply("not stated")])
    result = Answerer(leases, model, leases.settings).answer(DEGREE)
    assert result.answer.startswith("The documents found do not settle which")
    assert not result.verified and result.short_answer == ""


def test_a_choice_neither_yes_no_nor_figure_settles_is_one_answer_from_both_documents(
    library: Library,
) -> None:
    # "Which is more permissive" asks no yes/no question of each side, nor names a measure.
    model = ScriptedChatModel([json.dumps({"passage": 2, "answer": "the LGPL-3.0"})])
    question = "Which of the two, the GPL-3.0 or the LGPL-3.0, is more permissive about combined works?"
    result = Answerer(library, model, library.settings).answer(question)
    assert len(model.calls) == 1
    prompt = model.received[-1][-1]["content"]
    assert LICENCES["GPL-3.0"] in prompt and LICENCES["LGPL-3.0"] in prompt and LICENCES["MIT"] not in prompt
    assert result.short_answer in ("", "the LGPL-3.0")


@pytest.mark.parametrize(
    ("question", "left"),
    [
        (CHOICE, "Which of the the or the , lets us convey a combined work under terms of our choice?"),
        ("Who pays, the Tenant or the Landlord?", "Who pays, the or the ?"),
        ("What is the rent?", "What is the rent?"),  # no alternatives: the question as asked
    ],
)
def test_without_options(question: str, left: str) -> None:
    assert without_options(question, choice_options(question)) == left


def test_each_side_weighs_its_own_evidence(library: Library) -> None:
    library.settings.answer.min_similarity = 0.99  # nothing is that close
    model = ScriptedChatModel([])
    result = Answerer(library, model, library.settings).answer(QUESTION)
    assert model.calls == []  # no side is put to the model without a passage on the point
    assert not result.found
    assert result.answer.splitlines() == [
        "GPL-3.0: no passage of it was found on this.",
        "LGPL-3.0: no passage of it was found on this.",
    ]


def test_the_side_a_file_name_names_is_matched_first(quire_home: Path, tmp_path: Path) -> None:
    """Two versions share a title; "the 2027 lease" names one by its file name, and search for
    "the lease agreement" must not take that one."""
    settings = Settings.load(quire_home)
    settings.answer.min_similarity = 0.05
    (tmp_path / "docs").mkdir()
    write_text_pdf(
        tmp_path / "docs" / "lease-agreement.pdf", ["The rent is 8,000 pounds a month."], title="Lease"
    )
    write_text_pdf(
        tmp_path / "docs" / "lease-agreement-2027.pdf", ["The rent is 8,500 pounds a month."], title="Lease"
    )
    with Library.open(settings, HashEmbedder()) as lib:
        Indexer(lib).run([tmp_path / "docs"])
        model = ScriptedChatModel([reply("8,000 pounds a month"), reply("8,500 pounds a month")])
        question = "How do the lease agreement and the 2027 lease differ on the rent?"
        result = Answerer(lib, model, lib.settings).answer(question)
    assert len(model.calls) == 2
    assert "8,000" in model.received[0][-1]["content"] and "8,500" not in model.received[0][-1]["content"]
    assert [Path(c.path).name for c in result.citations] == [
        "lease-agreement.pdf",
        "lease-agreement-2027.pdf",
    ]


@pytest.mark.parametrize(
    ("phrase", "others", "words"),
    [
        ("2027 lease", ["lease agreement"], ["2027"]),
        ("lease agreement", ["2027 lease"], ["agreement"]),
        ("rent", ["rent increase"], []),  # nothing tells it apart: no document of its own
    ],
)
def test_distinguishing_words(phrase: str, others: list[str], words: list[str]) -> None:
    assert distinguishing(phrase, others) == words


def test_sides_that_nothing_tells_apart_name_no_documents() -> None:
    ranked = lambda: ["g", "s"]  # noqa: E731
    assert match_side("rent", [GPL, STUDY], ranked, lambda d: "rent", set(), ["rent increase"]) is None


def test_each_document_is_read_once_per_answer(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []
    pages = library.registry.pages

    def counted(doc_id: str) -> list[object]:
        reads.append(doc_id)
        return list(pages(doc_id))

    monkeypatch.setattr(library.registry, "pages", counted)
    # "GNU GPL" is in no title: its document is found by search among those that name it, the
    # two documents are checked to name apart, and the chosen one backs the answer's names.
    model = ScriptedChatModel([json.dumps({"passage": 1, "answer": "the MIT licence"})])
    question = "Which, the GNU GPL or the MIT licence, permits dealing in the Software without restriction?"
    result = Answerer(library, model, library.settings).answer(question)
    assert result.verified  # the names were checked
    assert len(reads) == len(set(reads)) >= 2


def test_a_chosen_alternative_is_backed_only_by_its_own_document(quire_home: Path, tmp_path: Path) -> None:
    settings = Settings.load(quire_home)
    settings.answer.min_similarity = 0.05
    (tmp_path / "docs").mkdir()
    psf = "All Python licenses, unlike the GPL-3.0, let you distribute a modified version without making your changes open source."
    write_text_pdf(tmp_path / "docs" / "PSF.pdf", [psf])
    write_text_pdf(tmp_path / "docs" / "GPL-3.0.pdf", [LICENCES["GPL-3.0"]])
    question = "Which lets us distribute a modified version without releasing our changes as open source: the GPL-3.0 or the PSF?"
    with Library.open(settings, HashEmbedder()) as lib:
        Indexer(lib).run([tmp_path / "docs"])
        model = ScriptedChatModel(
            [json.dumps({"passage": 2, "answer": "the GPL-3.0"}),  # the PSF's sentence names the GPL, against it
             verdict("not stated", ""),
             verdict("yes", "all Python licenses let you distribute a modified version without making your changes open source")]
        )  # fmt: skip
        result = Answerer(lib, model, lib.settings).answer(question)
    assert result.short_answer == "The PSF"
    assert len(model.calls) == 3  # the GPL's answer was not backed: each alternative was asked


def test_a_choice_within_one_document_is_backed_only_by_a_sentence_naming_the_alternative(
    quire_home: Path, tmp_path: Path
) -> None:
    settings = Settings.load(quire_home)
    settings.answer.min_similarity = 0.05
    (tmp_path / "docs").mkdir()
    write_text_pdf(
        tmp_path / "docs" / "lease.pdf",
        ["The occupier pays for repairs to the premises. The Tenant and the Landlord sign this lease."],
    )
    with Library.open(settings, HashEmbedder()) as lib:
        Indexer(lib).run([tmp_path / "docs"])
        model = ScriptedChatModel([json.dumps({"passage": 1, "answer": "the Landlord"})])
        result = Answerer(lib, model, lib.settings).answer(
            "Who pays for repairs, the Tenant or the Landlord?"
        )
    # The sentence on repairs names neither party: it does not say the Landlord pays.
    assert not result.verified and result.unsupported_answer == "The Landlord."
