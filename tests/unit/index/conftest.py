from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.index.indexer import Indexer, IndexReport
from assistant.index.library import Library
from assistant.testing.fake_embedder import HashEmbedder


@pytest.fixture
def settings(quire_home: Path) -> Settings:
    return Settings.load(quire_home)


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def library(settings: Settings, embedder: HashEmbedder) -> Iterator[Library]:
    with Library.open(settings, embedder) as lib:
        yield lib


def index(library: Library, *paths: Path, collection: str | None = None) -> IndexReport:
    return Indexer(library).run(list(paths), collection)
