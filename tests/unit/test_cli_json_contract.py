"""Every `quire ... --json` output stays what scripts already read.

The command line's JSON is a public contract: fields are added, never renamed or removed.
This test runs each command on a fixed library (generated PDFs, the hashing embedder, the
scripted chat model) and compares the output with ``tests/data/cli_json_contract.json``,
recorded from the code before the engine-API redesign. Only what changes from run to run
(timings, clock times, the temporary folder) is normalised away; every key, value and
order must match. After a deliberate, additive change to a command's output, record the
file again with ``QUIRE_RECORD_CONTRACT=1`` and review the diff: only additions may appear.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from assistant import cli
from assistant.llm.chat import ChatMessage
from assistant.testing.documents import write_text_pdf
from assistant.testing.long_documents import long_contract, short_contract
from assistant.testing.parts import fake_parts
from assistant.testing.scripted_chat import ScriptedChatModel, keep_sentences
from tests.unit.documents.test_extract import fill

RECORD = Path(__file__).resolve().parents[1] / "data" / "cli_json_contract.json"
VOLATILE = {
    "id",
    "doc_id",
    "chunk_id",
    "seconds",
    "time",
    "retrieval_ms",
    "ttft_ms",
    "tokens_per_s",
    "total_ms",
    "ms",
}
# `models --json` also describes this machine's models folder (what is assembled, its size).
MACHINE = {"path", "size", "installed", "status", "quantization", "context_length"}
_PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', re.DOTALL)


def scripted_reply(messages: list[ChatMessage]) -> str:
    """Answers copy the first line of passage 1; summaries and extraction copy page text."""
    prompt = messages[-1]["content"]
    if "Field: " in prompt:
        return fill(messages)
    if "Shortened sentence" in prompt:
        return keep_sentences(messages)
    found = _PASSAGE.findall(prompt)
    if found:
        line = found[0][1].strip().splitlines()[0]
        return json.dumps({"passage": int(found[0][0]), "answer": line})
    return "{}"


def normalise(value: Any, root: str, volatile: set[str] = VOLATILE) -> Any:
    if isinstance(value, dict):
        return {
            k: ("<volatile>" if k in volatile else normalise(v, root, volatile)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [normalise(v, root, volatile) for v in value]
    if isinstance(value, str) and root:
        return value.replace(root, "<tmp>")
    return value


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_text_pdf(folder / "services.pdf", long_contract().pages[:6])
    write_text_pdf(
        folder / "lease-a.pdf",
        short_contract("Alder Estates plc", "Moss Bakery", "17 June 2024", "2,450 euros", "Ireland"),
    )
    write_text_pdf(
        folder / "lease-b.pdf",
        short_contract(
            "Northgate Holdings Inc", "Pellucid LLC", "1 October 2023", "12,300 dollars", "New York"
        ),
    )
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    return folder


COMMANDS: list[list[str]] = [
    ["index", "{docs}", "--collection", "matters", "--json"],
    ["index", "{docs}", "--json"],
    ["docs", "--json"],
    ["collections", "--json"],
    ["search", "rent per month", "-k", "3", "--json"],
    ["search", "governing law", "--mode", "lexical", "--collection", "matters", "--json"],
    ["ask", "What rent does the Tenant pay for the lease?", "--json"],
    ["ask", "How many documents are in my library?", "--json"],
    ["ask", "What is the capital of Peru?", "--json"],
    ["summarize", "lease-a", "--template", "contract", "--json"],
    ["extract", "lease-a", "lease-b", "--schema", "contract", "--json"],
    ["compare", "lease-a", "lease-b", "--json"],
    ["models", "--json"],
    ["audit", "--json"],
    ["audit", "--needs-review", "--json"],
]


def run_all(home: Path, docs: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    parts = fake_parts(ScriptedChatModel(scripted_reply))
    outputs = []
    for command in COMMANDS:
        argv = [part.format(docs=docs) for part in command]
        code = cli.main(["--home", str(home), *argv], parts=parts)
        out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        if command[0] == "models":
            out = normalise(out, "", VOLATILE | MACHINE)
        outputs.append({"argv": command, "exit": code, "json": out})
    return outputs


def test_every_json_output_matches_the_recorded_contract(
    quire_home: Path,
    docs: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    got = normalise(run_all(quire_home, docs, capsys), str(tmp_path))
    if os.environ.get("QUIRE_RECORD_CONTRACT") == "1":
        RECORD.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(RECORD.read_text(encoding="utf-8"))
    assert [o["argv"] for o in got] == [o["argv"] for o in expected]
    for now, then in zip(got, expected, strict=True):
        assert now == then, f"`quire {' '.join(now['argv'])}` changed its JSON"
