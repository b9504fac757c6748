"""PDF loading: page numbers, titles, encryption, scanned pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from assistant.ingest.loaders import load_document
from assistant.ingest.types import IngestError
from assistant.testing.documents import write_scanned_pdf, write_text_pdf

LIMIT = 100 * 1024 * 1024


def _encrypt(source: Path, target: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    with target.open("wb") as handle:
        writer.write(handle)
    return target


def test_one_pdf_page_is_one_page_number(tmp_path: Path) -> None:
    path = write_text_pdf(tmp_path / "three.pdf", ["Alpha text", "", "Gamma text"])
    doc = load_document(path, max_file_bytes=LIMIT)
    assert doc.format == "pdf"
    assert [(p.number, p.text) for p in doc.pages] == [(1, "Alpha text"), (2, ""), (3, "Gamma text")]
    assert doc.needs_ocr == []
    assert doc.warnings == []


def test_title_from_metadata(tmp_path: Path) -> None:
    path = write_text_pdf(tmp_path / "q3.pdf", ["body"], title="Quarterly Audit Report")
    assert load_document(path, max_file_bytes=LIMIT).title == "Quarterly Audit Report"


@pytest.mark.parametrize("junk", ["Untitled", "Microsoft Word - draft.docx", "  ", "x"])
def test_junk_title_falls_back_to_file_name(tmp_path: Path, junk: str) -> None:
    path = write_text_pdf(tmp_path / "contract-2024.pdf", ["body"], title=junk)
    assert load_document(path, max_file_bytes=LIMIT).title == "contract-2024"


def test_word_prefix_is_removed_from_title(tmp_path: Path) -> None:
    path = write_text_pdf(tmp_path / "a.pdf", ["body"], title="Microsoft Word - Lease Agreement")
    assert load_document(path, max_file_bytes=LIMIT).title == "Lease Agreement"


def test_scanned_pages_need_ocr(tmp_path: Path) -> None:
    path = write_scanned_pdf(tmp_path / "scan.pdf", ["Scanned page one", "Scanned page two"])
    doc = load_document(path, max_file_bytes=LIMIT)
    assert doc.needs_ocr == [1, 2]
    assert [p.number for p in doc.pages] == [1, 2]
    assert all(p.text == "" for p in doc.pages)


def test_mixed_text_and_scanned_pages(tmp_path: Path) -> None:
    text_pdf = write_text_pdf(tmp_path / "text.pdf", ["Typed cover page"])
    scan_pdf = write_scanned_pdf(tmp_path / "scan.pdf", ["Scanned annex"])
    writer = PdfWriter()
    writer.append(str(text_pdf))
    writer.append(str(scan_pdf))
    merged = tmp_path / "merged.pdf"
    with merged.open("wb") as handle:
        writer.write(handle)
    doc = load_document(merged, max_file_bytes=LIMIT)
    assert doc.pages[0].text == "Typed cover page"
    assert doc.needs_ocr == [2]


def test_encrypted_pdf_needs_password(tmp_path: Path) -> None:
    source = write_text_pdf(tmp_path / "plain.pdf", ["Confidential"])
    path = _encrypt(source, tmp_path / "locked.pdf", user_password="s3cret")
    with pytest.raises(IngestError) as info:
        load_document(path, max_file_bytes=LIMIT)
    assert info.value.reason == "PDF is encrypted and needs a password"
    assert str(path) in str(info.value)


def test_encrypted_pdf_with_empty_user_password_loads(tmp_path: Path) -> None:
    source = write_text_pdf(tmp_path / "plain.pdf", ["Readable by anyone"])
    path = _encrypt(source, tmp_path / "owner-only.pdf", user_password="")
    doc = load_document(path, max_file_bytes=LIMIT)
    assert doc.pages[0].text == "Readable by anyone"


def test_pdf_that_pypdf_rejects_is_read_by_pdfium(tmp_path: Path) -> None:
    """A broken cross-reference table: the fallback reader still gets the text."""
    good = write_text_pdf(tmp_path / "good.pdf", ["Recovered text"]).read_bytes()
    broken = good.replace(b"startxref", b"startxrex")
    path = tmp_path / "broken.pdf"
    path.write_bytes(broken)
    doc = load_document(path, max_file_bytes=LIMIT)
    assert doc.pages[0].text == "Recovered text"


def test_headers_and_footers_removed_page_numbers_kept(tmp_path: Path) -> None:
    bodies = ["Scope of the audit.", "Findings in detail.", "Recommendations.", "Signatures."]
    pages = [f"ACME Corp confidential\n{body}\nPage {n} of 4" for n, body in enumerate(bodies, start=1)]
    doc = load_document(write_text_pdf(tmp_path / "r.pdf", pages), max_file_bytes=LIMIT)
    assert [p.number for p in doc.pages] == [1, 2, 3, 4]
    assert [p.text for p in doc.pages] == bodies


_LEFT = (
    "The Tenant pays the rent on the\nfirst day of each month, by bank\ntransfer to the account the\n"
    "Landlord names in writing.\nLate rent carries interest at\nfour percent a year."
)
_MIDDLE = (
    "The Landlord insures the building\nagainst fire and flood, and the\nTenant repays the premium\n"
    "within thirty days of a demand\nthat shows how it was worked\nout for the premises."
)
_RIGHT = (
    "Either party may end this lease\non sixty days written notice,\nbut not before the first\n"
    "anniversary of the start date\nset out in the schedule to\nthis lease agreement."
)


@pytest.mark.parametrize("columns", [(_LEFT, _RIGHT), (_LEFT, _MIDDLE, _RIGHT)], ids=["two", "three"])
def test_columns_are_read_one_after_the_other(tmp_path: Path, columns: tuple[str, ...]) -> None:
    path = write_text_pdf(tmp_path / "columns.pdf", ["Lease terms\n", columns])
    text = " ".join(load_document(path, max_file_bytes=LIMIT).pages[1].text.split())
    expected = [" ".join(column.split()) for column in columns]
    assert all(part in text for part in expected)  # each column's sentences whole, not spliced
    assert [text.index(part) for part in expected] == sorted(text.index(part) for part in expected)


def test_columns_written_row_by_row_are_still_read_column_by_column(tmp_path: Path) -> None:
    """The stream mixes the columns' lines (as the IRS instructions do): only positions tell them apart.

    A printer's mark set above the page is not part of the text either.
    """
    columns = (_LEFT, _RIGHT)
    path = write_text_pdf(
        tmp_path / "irs.pdf", [columns], interleaved=True, proof="MUST be removed before printing"
    )
    text = " ".join(load_document(path, max_file_bytes=LIMIT).pages[0].text.split())
    expected = [" ".join(column.split()) for column in columns]
    assert all(part in text for part in expected)
    assert "MUST be removed" not in text


def test_single_column_page_reads_as_before(tmp_path: Path) -> None:
    path = write_text_pdf(tmp_path / "plain.pdf", [_LEFT])
    text = load_document(path, max_file_bytes=LIMIT).pages[0].text
    assert " ".join(text.split()) == " ".join(_LEFT.split())


class _WideCharPage:
    """A text page whose whole text is shorter than its characters (one took two UTF-16 units)."""

    chars = "Ab c"

    def count_chars(self) -> int:
        return len(self.chars)

    def get_text_range(self, index: int = 0, count: int = -1) -> str:
        return self.chars[:-1] if count == -1 else self.chars[index : index + count]

    def get_charbox(self, index: int, loose: bool = False) -> tuple[float, float, float, float]:
        return (10.0 * index, 700.0, 10.0 * index + 8, 712.0)


def test_characters_keep_their_boxes_when_the_page_text_does_not_line_up() -> None:
    from assistant.ingest.pdf_runs import page_runs

    runs = page_runs(_WideCharPage(), 612, 792)
    assert "".join(run.text for run in runs).replace(" ", "") == "Abc"
