"""Which version of each format's reader wrote a document's text.

A fix to how a format is read (PDF columns read in reading order instead of across the
page) only helps a library once its documents are read again. Each document records the
version of the reader that read it; a document read by an older one is stale: the next
index run reads it again even though the file is unchanged, and the library lists it as
worth re-indexing until then. Bump a format's number whenever its text can come out
different for the same file.
"""

from __future__ import annotations

# 2: PDF text in reading order (runs grouped by position, columns read one by one) and
# running headers kept out of quotes.
READER_VERSIONS: dict[str, int] = {"pdf": 2}
FIRST_VERSION = 1  # every format's first reader; what documents indexed before versions hold


def reader_version(fmt: str) -> int:
    """The current reader's version for a document format ("pdf", "docx", ...)."""
    return READER_VERSIONS.get(fmt, FIRST_VERSION)
