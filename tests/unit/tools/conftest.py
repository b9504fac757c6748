"""A small real library (hash embedder, SQLite, chromadb on disk) and tools bound to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.testing.documents import write_text_pdf
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.scripted_chat import ScriptedChatModel
from assistant.tools.builtin import ToolContext, builtin_registry
from assistant.tools.registry import ToolRegistry

LEASE = [
    "Lease between Harbourview Properties and Linden Architects.",
    "Rent is eight thousand pounds per month, payable in advance.",
    "The tenant has fifteen days after written notice to cure a late payment.",
]
CLINIC = ["Patient: Mara Quint. Diagnosis: type 2 diabetes. Metformin 500 mg twice daily."]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_text_pdf(folder / "lease.pdf", LEASE)
    write_text_pdf(folder / "clinic-letter.pdf", CLINIC)
    return folder


@pytest.fixture
def library(quire_home: Path, docs: Path) -> Iterator[Library]:
    settings = Settings.load(quire_home)
    with Library.open(settings, HashEmbedder()) as lib:
        Indexer(lib).run([docs])
        yield lib


@pytest.fixture
def context(library: Library) -> ToolContext:
    return ToolContext(library, ScriptedChatModel([]), library.settings)


@pytest.fixture
def tools(context: ToolContext) -> ToolRegistry:
    return builtin_registry(context)
