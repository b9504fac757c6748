"""The outline a summary is chosen from: headings, complete sentences, running headers set aside."""

from __future__ import annotations

import pytest

from assistant.documents.outline import _is_heading, is_complete_sentence, outline
from assistant.ingest.types import Page


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("12. Termination", True),
        ("3. Rent and Payment", True),
        ("ARTICLE 4 - TERM", True),
        ("## Governing law", True),
        ("Section 5 Governing Law", True),
        ("SIGNED BY THE PARTIES", True),
        ("Security Deposit", True),
        ("12.1 Either party may terminate this agreement on", False),  # a numbered paragraph's first line
        ("The Tenant shall pay rent.", False),
        ("1. The Tenant shall pay the rent on the first day of each month.", False),
        ("Total due:", False),
        ("", False),
    ],
)
def test_heading(line: str, heading: bool) -> None:
    assert _is_heading(line) is heading


def test_title_case_line_inside_a_sentence_is_not_a_heading() -> None:
    assert _is_heading("Alder Estates Plc", opens_paragraph=True)
    assert not _is_heading("Alder Estates Plc", opens_paragraph=False)


@pytest.mark.parametrize(
    ("text", "complete"),
    [
        ("The Tenant shall pay rent of 2,450 euros per month, in advance.", True),
        ("12.1 Either party may terminate this agreement on ninety days notice.", True),
        ('"Services" means the design services described in Schedule 1.', True),
        ("The Tenant shall pay rent of 2,450 euros per month, unless termin", False),  # clipped
        ("and the Landlord shall return the deposit within thirty days.", False),  # a sentence's tail
        ("Rent is due.", False),  # a label more than a statement
        ("Bolts 4 2.00 Nuts 8 1.50 Washers 12 0.80 Total 24 4.30.", False),  # a table read as text
    ],
)
def test_complete_sentence(text: str, complete: bool) -> None:
    assert is_complete_sentence(text) is complete


def test_sections_follow_headings_and_running_headers_are_never_quoted() -> None:
    header = "Lease between Alder and Moss - page {n}"
    pages = [
        Page(1, f"{header.format(n=1)}\nThis Lease is made on 17 June 2024 between Alder and Moss.\n1. Rent\n"
                "The Tenant shall pay rent of 2,450 euros per month, in advance."),
        Page(2, f"{header.format(n=2)}\nThe rent is reviewed every year on the first of June.\n2. Ending\n"
                "Either party may end this Lease on sixty days written notice."),
        Page(3, f"{header.format(n=3)}\nThe Landlord returns the deposit within thirty days of the end."),
    ]  # fmt: skip
    shape = outline(pages)
    assert [(s.title, s.first_page, s.last_page) for s in shape.sections] == [
        ("Opening", 1, 1),
        ("1. Rent", 1, 2),
        ("2. Ending", 2, 3),
    ]
    assert [(s.page, shape.sections[s.section].title) for s in shape.statements] == [
        (1, "Opening"),
        (1, "1. Rent"),
        (2, "1. Rent"),
        (2, "2. Ending"),
        (3, "2. Ending"),
    ]
    assert not any("page" in s.text for s in shape.statements)


def test_document_without_headings_is_cut_into_runs_of_pages() -> None:
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
    pages = [
        Page(n, f"The {word} finding was recorded by the auditor during the visit.")
        for n, word in enumerate(words, 1)
    ]
    shape = outline(pages)
    assert [s.title for s in shape.sections] == ["Pages 1-4", "Pages 5-8", "Page 9"]
    assert [s.section for s in shape.statements] == [0, 0, 0, 0, 1, 1, 1, 1, 2]


def test_sentences_with_figures_and_obligations_score_above_boilerplate() -> None:
    pages = [
        Page(1, "The Supplier shall deliver the goods to the Customer within 30 days of each order.\n"
                "The Customer shall pay the Supplier for the goods within 60 days of delivery.\n"
                "This page is intentionally left blank for the convenience of readers."),
    ]  # fmt: skip
    scores = {s.text.split()[1]: s.score for s in outline(pages).statements}
    assert scores["Supplier"] > scores["page"] and scores["Customer"] > scores["page"]


def test_reference_pages_and_bullet_runs() -> None:
    references = "\n".join(
        f"{n}. Smith JA, Jones RB, Brown K, et al. Outcome of thyroid surgery in {n}00 patients. "
        f"Thyroid 20{n:02d};{n}:1-9. Available at: https://pubmed.example/{n}."
        for n in range(1, 8)
    )
    guidance = (
        "Recommended options for patients with low-risk disease:\n"
        "• Lobectomy is preferred for tumours smaller than 4 cm without nodal disease.\n"
        "• Active surveillance may be offered to patients who decline surgery after counselling."
    )
    shape = outline([Page(1, guidance), Page(2, references)])
    assert [s.text for s in shape.statements] == [
        "Lobectomy is preferred for tumours smaller than 4 cm without nodal disease.",
        "Active surveillance may be offered to patients who decline surgery after counselling.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Protecting Users' Legal Rights From Anti-Circumvention Law.",  # a title with a full stop
        "At least $100,000 but not over $160,850 $ × 28% (.28) $ $ 5,889.25 $ over $349,700.",  # a table row
    ],
)
def test_titles_and_table_rows_are_not_sentences(text: str) -> None:
    assert not is_complete_sentence(text)


def test_reference_numbers_after_a_full_stop_end_the_sentence() -> None:
    page = Page(
        1,
        "Mortality rates for thyroid carcinoma are, in general, very low in every registry.7 "
        "Those patients with cytology suspicious for neoplasm should undergo diagnostic lobectomy.2,3 "
        "The fee rose to 5.5 Million pounds in the second year of the agreement.",
    )
    assert [s.text for s in outline([page]).statements] == [
        "Mortality rates for thyroid carcinoma are, in general, very low in every registry.",
        "Those patients with cytology suspicious for neoplasm should undergo diagnostic lobectomy.",
        "The fee rose to 5.5 Million pounds in the second year of the agreement.",
    ]
