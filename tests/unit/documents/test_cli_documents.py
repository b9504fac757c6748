"""`quire summarize` and `quire extract` with the scripted model over a real on-disk library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import cli
from assistant.index.library import Library
from assistant.session.parts import Parts
from assistant.testing.parts import fake_parts
from assistant.testing.scripted_chat import ScriptedChatModel, keep_sentences
from tests.unit.documents.test_extract import fill


@pytest.fixture
def scripted(library: Library) -> Parts:
    library.close()  # the CLI opens the library itself
    return fake_parts(ScriptedChatModel(keep_sentences))


def test_summarize_json(scripted: Parts, quire_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--home", str(quire_home), "summarize", "services", "--json"], parts=scripted) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["document"] == "services" and data["template"] == "general" and data["cached"] is False
    assert data["summary"] and all({"text", "pages"} <= set(b) and b["pages"] for b in data["summary"])
    assert data["length"] == "page" and data["coverage"]["sections_drawn_on"] == 5
    assert cli.main(["--home", str(quire_home), "summarize", "services.pdf"], parts=scripted) == 0
    out = capsys.readouterr().out
    assert "Summary of services (general, page) (cached):" in out and "Pages 1-4:\n- This Services" in out
    assert "(p. 1)" in out and "(drawn from 5 of 5 section(s); cites 12 of 20 page(s))" in out
    argv = ["--home", str(quire_home), "summarize", "services", "--length", "paragraph", "--json"]
    assert cli.main(argv, parts=scripted) == 0
    assert len(json.loads(capsys.readouterr().out)["summary"]) == 5


def test_extract_writes_csv_and_markdown(
    scripted: Parts, quire_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--home", str(quire_home), "extract", "lease-a", "lease-b", "--schema", "contract"]
    outputs = ["--csv", str(tmp_path / "t.csv"), "--markdown", str(tmp_path / "t.md"), "--json"]
    assert cli.main([*argv, *outputs], parts=fake_parts(ScriptedChatModel(fill))) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["document"] for r in data["rows"]] == ["lease-a", "lease-b"]
    assert "lease-b" in (tmp_path / "t.csv").read_text() and "(p. 1)" in (tmp_path / "t.md").read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["summarize", "nothing-here"], "not in the library: nothing-here"),
        (
            ["extract", "nothing-here", "--schema", "contract"],
            "not in the library and not a collection: nothing-here",
        ),
        (["extract", "services", "--schema", "missing.json"], "schema file missing.json does not exist"),
    ],
)
def test_bad_input_is_named(
    scripted: Parts, quire_home: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert cli.main(["--home", str(quire_home), *argv], parts=scripted) == 2
    assert message in capsys.readouterr().err
