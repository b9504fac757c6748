"""Small real documents for tests: text-layer PDFs and image-only ("scanned") PDFs.

The text PDF is written object by object with the standard Helvetica font and
WinAnsiEncoding, so any PDF reader extracts the text back without an embedded font,
and no PDF-writing library is needed. The scanned PDF is a picture of the text made with
PIL and saved as a PDF by PIL: it has no text layer at all, which is exactly what a
scanner produces.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_PAGE_WIDTH, _PAGE_HEIGHT = 612, 792  # US letter, in points
_FONT_SIZE = 12
_LEADING = 15


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _content_stream(text: str | tuple[str, ...], interleaved: bool = False, proof: str = "") -> bytes:
    """One text block, or (for a tuple) one block per column side by side, as journals and forms set them.

    ``interleaved`` writes the columns' lines row by row across the page, as some tax forms'
    instructions do, so the stream order mixes the columns; ``proof`` is a printer's mark
    set above the page, outside anything a viewer shows.
    """
    columns = (text,) if isinstance(text, str) else text
    width = (_PAGE_WIDTH - 144) / len(columns)
    blocks = []
    if proof:
        blocks.append(b"BT /F1 %d Tf 72 %d Td %s Tj ET" % (_FONT_SIZE, _PAGE_HEIGHT + 20, _pdf_string(proof)))
    if interleaved:
        rows = [column.split("\n") for column in columns]
        for index in range(max(len(lines) for lines in rows)):
            for number, lines in enumerate(rows):
                if index < len(lines):
                    x, y = 72 + number * width, _PAGE_HEIGHT - 72 - index * _LEADING
                    blocks.append(
                        b"BT /F1 %d Tf %.0f %.0f Td %s Tj ET" % (_FONT_SIZE, x, y, _pdf_string(lines[index]))
                    )
        return b"\n".join(blocks)
    for number, column in enumerate(columns):
        parts = [
            b"BT",
            f"/F1 {_FONT_SIZE} Tf {_LEADING} TL {72 + number * width:.0f} {_PAGE_HEIGHT - 72} Td".encode(),
        ]
        for index, line in enumerate(column.split("\n")):
            if index:
                parts.append(b"T*")
            parts.append(_pdf_string(line) + b" Tj")
        parts.append(b"ET")
        blocks.append(b"\n".join(parts))
    return b"\n".join(blocks)


def write_text_pdf(
    path: Path,
    pages: Sequence[str | tuple[str, ...]],
    *,
    title: str | None = None,
    interleaved: bool = False,
    proof: str = "",
) -> Path:
    """Write a PDF with one text page per string (``\\n`` starts a new line); return ``path``.

    A tuple of strings is a page set in that many columns. An empty string makes a page
    without any text. ``title`` goes in the document information dictionary;
    ``interleaved`` and ``proof`` are as ``_content_stream`` describes.
    """
    first_page = 4
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below once the page object numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for index, text in enumerate(pages):
        page_obj = first_page + 2 * index
        kids.append(f"{page_obj} 0 R".encode())
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (_PAGE_WIDTH, _PAGE_HEIGHT, page_obj + 1)
        )
        stream = _content_stream(text, interleaved, proof) if text else b""
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream) + 1, stream))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(pages))
    info_ref = b""
    if title is not None:
        objects.append(b"<< /Title %s >>" % _pdf_string(title))
        info_ref = b" /Info %d 0 R" % len(objects)

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        info_ref,
        xref_at,
    )
    path.write_bytes(bytes(out))
    return path


def render_text_image(text: str, *, dpi: int = 200) -> Image.Image:
    """A white letter-size page image with ``text`` drawn in black, like a clean scan."""
    width, height = int(8.5 * dpi), int(11 * dpi)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(dpi // 6, 10))
    margin = dpi
    draw.multiline_text((margin, margin), text, fill="black", font=font, spacing=dpi // 12)
    return image


def write_scanned_pdf(path: Path, pages: list[str], *, dpi: int = 200) -> Path:
    """Write an image-only PDF (no text layer), one page image per string; return ``path``."""
    images = [render_text_image(text, dpi=dpi) for text in pages]
    images[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return path


# How a second version of the bundled sample lease differs from it: (old text, new text) of
# each of five amendments, as a landlord's solicitor would send them. The screenshots and
# `python -m bench comparison` compare the two versions and look for these in the redline.
LEASE_AMENDMENTS = [
    ("made on 3 March 2025", "made on 3 March 2027"),
    ("an annual base rent of £96,000", "an annual base rent of £104,000"),
    ("monthly instalments of £8,000", "monthly instalments of £8,666.67"),
    ("pay a late charge of 5% of the overdue amount", "pay a late charge of 4% of the overdue amount"),
    (
        "## 7. Governing Law",
        "## 7. Break Option\n\nThe Tenant may end this Lease on 31 March 2029 by giving the Landlord not less "
        "than nine (9) months' written notice.\n\n## 8. Governing Law",
    ),
]


def amended_lease(text: str) -> str:
    """The sample lease's text with ``LEASE_AMENDMENTS`` made."""
    for old, new in LEASE_AMENDMENTS:
        text = text.replace(old, new)
    return text
