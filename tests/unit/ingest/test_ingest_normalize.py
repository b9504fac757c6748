"""Normalisation rules: hyphenation, headers/footers, whitespace; pages never move."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.normalize import normalize_pages, pick_title
from assistant.ingest.types import Page


def _one(text: str) -> str:
    return normalize_pages([Page(7, text)])[0].text


def test_hyphenation_joined_when_next_line_is_lowercase() -> None:
    assert _one("good manage-\nment matters") == "good management matters"


def test_hyphen_kept_before_capital_or_digit() -> None:
    assert _one("Jean-\nPierre and COVID-\n19") == "Jean-Pierre and COVID-19"


def test_soft_hyphen_joined() -> None:
    assert _one("docu\u00ad\nment") == "document"


def test_unwrap_only_soft_wraps() -> None:
    text = "The quick brown\nfox jumps.\nThe end.\n- item one\n- item two\nTotal | 5\nrows"
    assert _one(text) == "The quick brown fox jumps.\nThe end.\n- item one\n- item two\nTotal | 5\nrows"


def test_whitespace_and_paragraphs() -> None:
    assert _one("  a\u00a0\u00a0b\t c  \n\n\n\n  Next para.  \n") == "a b c\n\nNext para."


def test_ligatures_and_controls() -> None:
    assert _one("e\ufb03cient \x07o\ufb00er.\r\nOk") == "efficient offer.\nOk"


def test_headers_and_footers_with_page_numbers() -> None:
    bodies = ["Alpha clause.", "Beta rule.\nGamma note.", "Delta term.", "Epsilon.\nZeta.", "Eta end."]
    pages = [Page(n, f"Smith & Co\n{body}\nPage {n} of 5") for n, body in enumerate(bodies, start=1)]
    result = normalize_pages(pages)
    assert [p.number for p in result] == [1, 2, 3, 4, 5]
    assert [p.text for p in result] == bodies


def test_header_on_most_pages_is_removed_only_in_zone() -> None:
    bodies = [f"Intro {word}.\nSecond {word}.\nThird {word}.\nLast {word}." for word in "abcde"]
    pages = [Page(n, f"Smith & Co\n{bodies[n - 1]}") for n in range(1, 4)]
    pages += [Page(4, "Other\n" + bodies[3]), Page(5, "One e.\nTwo e.\nSmith & Co\nFour e.\nFive e.")]
    result = normalize_pages(pages)
    assert result[0].text == bodies[0]  # at the top of 3 of 5 pages (60%): removed there
    assert result[3].text == "Other\n" + bodies[3]
    assert "Smith & Co" in result[4].text  # inside the body of page 5: kept


def test_no_header_removal_below_three_pages() -> None:
    pages = [Page(1, "Header\nA."), Page(2, "Header\nB.")]
    assert [p.text for p in normalize_pages(pages)] == ["Header\nA.", "Header\nB."]


def test_page_made_only_of_header_becomes_empty_not_dropped() -> None:
    pages = [Page(1, "Report\nOne."), Page(2, "Report"), Page(3, "Report\nThree.")]
    result = normalize_pages(pages)
    assert [(p.number, p.text) for p in result] == [(1, "One."), (2, ""), (3, "Three.")]


def test_pick_title() -> None:
    path = Path("/docs/lease.pdf")
    assert pick_title("  Lease\tAgreement ", path) == "Lease Agreement"
    assert pick_title(None, path) == "lease"
    assert pick_title("untitled", path) == "lease"
    assert pick_title("scan0001.tmp", path) == "lease"
    assert pick_title("12345", path) == "lease"


def test_pages_of_one_repeated_line_are_kept_not_emptied() -> None:
    from assistant.ingest.normalize import normalize_pages
    from assistant.ingest.types import Page

    pages = [Page(n, f"Page {n} of the supply contract") for n in range(1, 5)]
    assert [p.text for p in normalize_pages(pages)] == [p.text for p in pages]
