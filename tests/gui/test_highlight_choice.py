"""Which line the viewer marks: the evidence the reader is checking, not the passage's heading."""

from __future__ import annotations

from assistant.answering.types import Answer
from ui.answer_html import resolve_link
from ui.viewer_pane import pdf_line_to_highlight

PAGE = (
    "Renewal terms\n"
    "The Landlord offers to renew the lease for a further three years.\n"
    "The security deposit remains 24,000 pounds and is returned within thirty days.\n"
    "Unrelated closing remarks of the letter."
)
PASSAGE = " ".join(PAGE.splitlines()[:3])


def test_the_line_with_the_cited_words_is_marked() -> None:
    line = pdf_line_to_highlight(PAGE, PASSAGE, "The deposit is 24,000 pounds [1].")
    assert line.startswith("The security deposit remains 24,000 pounds")


def test_without_a_focus_the_passage_first_line_is_marked() -> None:
    assert pdf_line_to_highlight(PAGE, PASSAGE) == "Renewal terms"


def test_a_table_value_is_found_anywhere_on_the_page() -> None:
    assert pdf_line_to_highlight(PAGE, "three years", "three years").startswith("The Landlord offers")


def test_a_citation_link_carries_the_sentence_that_cites_it() -> None:
    details = {
        "answer": "Rent is 8,000 pounds [1]. The deposit is 24,000 pounds [2].",
        "citations": [
            {"n": 1, "path": "/a.pdf", "document": "A", "page": 1, "text": "rent"},
            {"n": 2, "path": "/a.pdf", "document": "A", "page": 2, "text": "deposit"},
        ],
    }
    target = resolve_link("quire-cite:0/2", [Answer.from_json("q", details)])
    assert target is not None and target.page == 2 and target.focus == "The deposit is 24,000 pounds [2]."


def test_sources_sharing_a_title_are_told_apart_by_file_name() -> None:
    from ui.answer_html import render_answer

    details = {
        "answer": "Lease agreement: 96,000 [1].\n2027 lease: 104,000 [2].",
        "found": True,
        "citations": [
            {"n": 1, "path": "/d/lease-agreement.md", "document": "Commercial Lease", "page": 1, "text": "a"},
            {
                "n": 2,
                "path": "/d/lease-agreement-2027.md",
                "document": "Commercial Lease",
                "page": 1,
                "text": "b",
            },
            {"n": 3, "path": "/d/renewal.pdf", "document": "Renewal letter", "page": 2, "text": "c"},
        ],
    }
    html = render_answer(0, Answer.from_json("q", details))
    assert "[1] Commercial Lease (lease-agreement.md), page 1" in html
    assert "[2] Commercial Lease (lease-agreement-2027.md), page 1" in html
    assert "[3] Renewal letter, page 2" in html  # a title of its own stays as it is
