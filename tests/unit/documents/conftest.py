"""A real on-disk library of generated documents, and a scripted model that copies page sentences."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.documents.prompts import EXTRACT_SYSTEM
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.llm.chat import ChatMessage
from assistant.testing.documents import write_text_pdf
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.long_documents import long_contract, short_contract


@pytest.fixture
def library(quire_home: Path, tmp_path: Path) -> Iterator[Library]:
    settings = Settings.load(quire_home)
    docs = tmp_path / "docs"
    docs.mkdir()
    write_text_pdf(docs / "services.pdf", long_contract().pages)
    write_text_pdf(
        docs / "lease-a.pdf",
        short_contract("Alder Estates plc", "Moss Bakery", "17 June 2024", "2,450 euros", "Ireland"),
    )
    write_text_pdf(
        docs / "lease-b.pdf",
        short_contract(
            "Northgate Holdings Inc", "Pellucid LLC", "1 October 2023", "12,300 dollars", "New York"
        ),
    )
    with Library.open(settings, HashEmbedder()) as lib:
        Indexer(lib).run([docs])
        yield lib


def doc(library: Library, title: str) -> Any:
    return next(d for d in library.documents() if d.title == title)


def not_stated(messages: list[ChatMessage]) -> str:
    assert messages[0]["content"] == EXTRACT_SYSTEM
    return json.dumps({"passage": 1, "value": "not stated"})
