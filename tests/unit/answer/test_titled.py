"""A question that names a document by its title reads that document's own passages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answering.pipeline import Answerer
from assistant.config import Settings
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.testing.documents import write_text_pdf
from assistant.testing.fake_embedder import HashEmbedder
from assistant.testing.scripted_chat import ScriptedChatModel

CC_BY = "Patent and trademark rights are not licensed under this Public License."
# Other documents that share the question's words more than the named one's sentence does.
GPL = [
    f"Each contributor grants you a patent license to cover the licensor's patents, claim {n}."
    for n in range(1, 6)
]


@pytest.fixture
def library(quire_home: Path, tmp_path: Path) -> Iterator[Library]:
    settings = Settings.load(quire_home)
    settings.answer.min_similarity = 0.05
    settings.answer.passages = 3
    (tmp_path / "docs").mkdir()
    write_text_pdf(tmp_path / "docs" / "CC-BY-4.0.pdf", [CC_BY])
    for n, text in enumerate(GPL):
        write_text_pdf(tmp_path / "docs" / f"GPL-3.0-part{n}.pdf", [text])
    with Library.open(settings, HashEmbedder()) as lib:
        Indexer(lib).run([tmp_path / "docs"])
        yield lib


def ask(library: Library, question: str) -> str:
    model = ScriptedChatModel([json.dumps({"passage": 1, "verdict": "not stated", "answer": ""})])
    Answerer(library, model, library.settings).answer(question)
    return str(model.received[-1][-1]["content"])


def test_the_document_a_question_names_by_title_is_read(library: Library) -> None:
    prompt = ask(library, "Does a CC BY 4.0 licence cover the licensor's patents?")
    assert CC_BY in prompt
    assert prompt.count("<passage") == 3  # it takes the place of another, lower-ranked passage


def test_a_question_naming_no_title_reads_the_best_ranked_passages(library: Library) -> None:
    prompt = ask(library, "Does the licence cover the licensor's patents?")
    assert CC_BY not in prompt
