"""DOCX and HTML: structure kept as Markdown-like lines, pages from explicit breaks."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement

from assistant.ingest.loaders import load_document

LIMIT = 100 * 1024 * 1024


def _docx(path: Path) -> docx.document.Document:
    document = docx.Document()
    document.core_properties.title = "Service Agreement"
    document.add_heading("Scope", level=1)
    document.add_paragraph("The supplier delivers the goods.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Item"
    table.cell(0, 1).text = "Price"
    table.cell(1, 0).text = "Widget"
    table.cell(1, 1).text = "10 EUR"
    document.add_heading("Payment", level=2)
    document.add_paragraph("Invoices are due in 30 days.", style="List Bullet")
    return document


def test_docx_structure_single_page(tmp_path: Path) -> None:
    path = tmp_path / "agreement.docx"
    _docx(path).save(str(path))
    doc = load_document(path, max_file_bytes=LIMIT)
    assert doc.format == "docx"
    assert doc.title == "Service Agreement"
    assert [p.number for p in doc.pages] == [1]
    assert doc.pages[0].text == (
        "# Scope\n\nThe supplier delivers the goods.\n\nItem | Price\nWidget | 10 EUR\n\n"
        "## Payment\n\n- Invoices are due in 30 days."
    )


def test_docx_explicit_page_breaks(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("First page.")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    run = document.add_paragraph().add_run("Second page.")
    run._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))  # Word marks the same break again
    document.add_page_break()
    document.add_paragraph("Third page.")
    path = tmp_path / "breaks.docx"
    document.save(str(path))
    doc = load_document(path, max_file_bytes=LIMIT)
    assert [(p.number, p.text) for p in doc.pages] == [
        (1, "First page."),
        (2, "Second page."),
        (3, "Third page."),
    ]
    assert doc.title == "breaks"


def test_docx_rendered_page_break_mid_paragraph(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("Long paragraph ends on page one, ")
    run = paragraph.add_run("and continues on page two.")
    run._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    path = tmp_path / "flow.docx"
    document.save(str(path))
    doc = load_document(path, max_file_bytes=LIMIT)
    assert [p.text for p in doc.pages] == ["Long paragraph ends on page one,", "and continues on page two."]


def test_html_structure(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        """<!doctype html><html><head><title>Clinic Guide</title>
        <style>body { color: red }</style><script>var secret = 1;</script></head>
        <body><noscript>Enable JS</noscript><template><p>hidden</p></template>
        <h1>Opening hours</h1><p>We are open <b>Monday</b> to Friday.</p>
        <ul><li>Walk-in</li><li>By appointment</li></ul>
        <table><tr><th>Day</th><th>Hours</th></tr><tr><td>Mon</td><td>9-17</td></tr></table>
        <h2>Contact</h2><p>Call us.<br>Or write.</p><!-- a comment --></body></html>""",
        encoding="utf-8",
    )
    doc = load_document(path, max_file_bytes=LIMIT)
    assert doc.format == "html"
    assert doc.title == "Clinic Guide"
    assert doc.pages[0].text == (
        "# Opening hours\n\nWe are open Monday to Friday.\n\n- Walk-in\n- By appointment\n\n"
        "Day | Hours\nMon | 9-17\n\n## Contact\n\nCall us.\nOr write."
    )
    for hidden in ("secret", "color", "Enable JS", "hidden", "comment"):
        assert hidden not in doc.pages[0].text


def test_htm_meta_charset(tmp_path: Path) -> None:
    path = tmp_path / "old.htm"
    path.write_bytes(
        b'<html><head><meta charset="windows-1252"></head><body><p>Caf\xe9 cr\xe8me</p></body></html>'
    )
    doc = load_document(path, max_file_bytes=LIMIT)
    assert doc.pages[0].text == "Café crème"
    assert doc.title == "old"
