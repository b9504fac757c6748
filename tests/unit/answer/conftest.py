"""A real on-disk library of one PDF lease, for the answer tests that read its pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.testing.documents import write_text_pdf
from assistant.testing.fake_embedder import HashEmbedder


@pytest.fixture
def lease_library(quire_home: Path, tmp_path: Path) -> Iterator[Callable[[list[str]], Library]]:
    """Opens a library holding ``lease.pdf`` with the given pages, indexed, closed after the test."""
    with ExitStack() as stack:

        def open_library(pages: list[str]) -> Library:
            settings = Settings.load(quire_home)
            settings.answer.min_similarity = 0.05  # the hash embedder's similarities are low
            (tmp_path / "docs").mkdir()
            write_text_pdf(tmp_path / "docs" / "lease.pdf", pages)
            library = stack.enter_context(Library.open(settings, HashEmbedder()))
            Indexer(library).run([tmp_path / "docs"])
            return library

        yield open_library
