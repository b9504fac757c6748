"""Plain data passed from loaders to the chunker and the index.

Page numbers are 1-based and always the page a reader sees in a viewer, so that
every citation can be checked against the original file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import QuireError


class IngestError(QuireError):
    """A file could not be read; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class Page:
    """The text of one page (or one section, for formats without pages)."""

    number: int
    text: str


@dataclass
class ExtractedDocument:
    """What a loader read from one file.

    ``needs_ocr`` lists page numbers whose text layer is empty and that hold an
    image worth running OCR on; the indexer OCRs them later, in the background.
    ``warnings`` are per-page problems the user should see (never silently empty).
    """

    path: Path
    title: str
    format: str
    pages: list[Page]
    needs_ocr: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def page_count(self) -> int:
        return len(self.pages)
