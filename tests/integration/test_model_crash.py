"""A crash in the model costs one answer: through the Session and through `quire ask --questions`.

The real fast GGUF model runs in its own process, as in the app; the process is killed with
SIGSEGV (llama.cpp's AMX crash) or SIGKILL (the out-of-memory killer) after an answer's first
word. Each test checks what the user sees, the audit log, that the next question is
answered, and that the library did not change.
"""

from __future__ import annotations

import json
import os
import signal
from functools import partial
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.config import FAST_MODEL, Settings
from assistant.embed.factory import ModelEmbedder
from assistant.llm.errors import ModelCrashedError
from assistant.llm.model import LlamaChatModel
from assistant.session.parts import Parts
from assistant.session.session import Session
from assistant.testing.documents import write_text_pdf
from assistant.testing.worker_kill import KilledMidAnswer

pytestmark = pytest.mark.integration

LEASE = [
    "Lease between Harbour Properties Ltd (the Landlord) and Mira Okafor (the Tenant).",
    "The Tenant shall pay rent of 1,250 pounds on the first day of each month.",
    "The deposit is returned within thirty days after the end of the term.",
]
QUESTIONS = ["How much is the rent?", "When is the deposit returned?", "Who is the Landlord?"]


def _parts(
    model_file: Path, embedder: ModelEmbedder, signals: list[int], made: list[KilledMidAnswer]
) -> Parts:
    def chat_model(settings: Settings, name: str | None = None) -> KilledMidAnswer:
        model = KilledMidAnswer(
            partial(LlamaChatModel, model_file, name=FAST_MODEL, settings=settings.llm), signals
        )
        made.append(model)
        return model

    return Parts(embedder=lambda _settings: embedder, chat_model=chat_model)


def _library_state(session: Session) -> tuple[list[tuple[str, str, int]], int, list[str]]:
    docs = [(d.title, d.content_hash, d.pages) for d in session.documents()]
    hits = session.search("rent each month")
    return docs, session.library.vectors.count(), [h.chunk_id for h in hits]


def test_session_survives_segfault_and_kill_mid_answer(
    tmp_path: Path, model_file: Path, int8_embedder: ModelEmbedder
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_text_pdf(docs / "lease.pdf", LEASE)
    settings = Settings.load(tmp_path / "home")
    made: list[KilledMidAnswer] = []
    with Session(
        settings, _parts(model_file, int8_embedder, [signal.SIGSEGV, signal.SIGKILL], made)
    ) as session:
        session.index([docs])
        before = _library_state(session)
        session.load_model(FAST_MODEL)
        for question, words in zip(QUESTIONS, ("signal 11, SIGSEGV", "signal 9, SIGKILL"), strict=False):
            with pytest.raises(ModelCrashedError) as raised:
                session.ask(question)
            assert (
                str(raised.value)
                == f"The model stopped unexpectedly ({words}) and has been restarted. Ask again."
            )
        result = session.ask(QUESTIONS[2])
        assert result.answer.found and "harbour" in result.answer.answer.lower()
        assert made[0].restarts == 2 and made[0].killed == [signal.SIGSEGV, signal.SIGKILL]
        assert _library_state(session) == before
        entries = session.audit.entries()
        assert [(e["question"], e["status"]) for e in entries] == [
            (QUESTIONS[0], "failed"), (QUESTIONS[1], "failed"), (QUESTIONS[2], "answered"),
        ]  # fmt: skip
        assert "signal 11" in entries[0]["error"] and "signal 9" in entries[1]["error"]
        conversations = session.list_conversations()
        assert {c.title for c in conversations} >= set(QUESTIONS)  # each question was kept


def test_ask_questions_goes_on_after_crashes_and_exits_3(
    tmp_path: Path, model_file: Path, int8_embedder: ModelEmbedder, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path / "home")
    docs = tmp_path / "docs"
    docs.mkdir()
    write_text_pdf(docs / "lease.pdf", LEASE)
    made: list[KilledMidAnswer] = []
    parts = _parts(model_file, int8_embedder, [signal.SIGSEGV, signal.SIGKILL], made)
    assert main(["--home", home, "index", str(docs), "--json"], parts=parts) == 0
    assert main(["--home", home, "docs", "--json"], parts=parts) == 0
    docs_before = capsys.readouterr().out.splitlines()[-1]
    questions = tmp_path / "questions.txt"
    questions.write_text("\n".join(QUESTIONS) + "\n", encoding="utf-8")
    assert main(["--home", home, "ask", "--questions", str(questions), "--json"], parts=parts) == 3
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 3 and [line.get("question") for line in lines[:2]] == QUESTIONS[:2]
    assert "signal 11, SIGSEGV" in lines[0]["error"] and "signal 9, SIGKILL" in lines[1]["error"]
    assert lines[2]["found"] and "harbour" in lines[2]["answer"].lower() and "error" not in lines[2]
    assert main(["--home", home, "audit", "--json"], parts=parts) == 0
    audit = json.loads(capsys.readouterr().out)
    assert [e["status"] for e in audit] == ["failed", "failed", "answered"]
    assert main(["--home", home, "docs", "--json"], parts=parts) == 0
    assert capsys.readouterr().out.splitlines()[-1] == docs_before


def test_a_model_the_user_adds_decodes_a_token_before_it_is_registered(
    tmp_path: Path,
    model_file: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`quire models add` (and Settings > Add GGUF file, through the same Session.add_model) runs the check."""
    monkeypatch.setenv(
        "QUIRE_MODELS", str(tmp_path / "models")
    )  # the registry of added models is written there
    added = tmp_path / "my-assistant.Q4_K_M.gguf"
    os.link(model_file, added)  # a second name for the same file: no 491 MB copy
    home = str(tmp_path / "home")
    with caplog.at_level("INFO", logger="assistant.llm.process"):
        assert main(["--home", home, "models", "add", str(added)]) == 0
    assert "Added my-assistant" in capsys.readouterr().out
    assert any("Started model process" in r.getMessage() for r in caplog.records)  # decoded in a child
    assert main(["--home", home, "models", "--json"]) == 0
    assert "my-assistant.q4_k_m" in {m["name"] for m in json.loads(capsys.readouterr().out)}
