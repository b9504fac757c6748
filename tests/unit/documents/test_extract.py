"""Extraction with the scripted model over a real on-disk library, schema files, exports."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from assistant.documents import extract
from assistant.documents.extract import SchemaError, extract_facts, load_schema
from assistant.index.library import Library
from assistant.jobs import Cancelled, CancelToken, Progress
from assistant.llm.chat import ChatMessage
from assistant.testing.scripted_chat import ScriptedChatModel
from tests.unit.documents.conftest import doc

PASSAGE = re.compile(r'<passage n="(\d+)" page="(\d+)">\n(.*?)\n</passage>', re.DOTALL)
ANSWERS = {  # field -> (a phrase to look for, the value to give)
    "parties": ("between", None),
    "effective date": ("made on", None),
    "payment terms": ("rent of", None),
    "governing law": ("governed by", None),
    "termination": ("notice", "ninety days notice"),  # the page says sixty: must be dropped
}


def fill(messages: list[ChatMessage]) -> str:
    """Copies, for each field, the text after the phrase from the passage that holds it."""
    prompt = messages[-1]["content"]
    field = prompt.rsplit("Field: ", 1)[1].split(" (")[0]
    look, given = ANSWERS.get(field, ("", None))
    for number, _page, text in PASSAGE.findall(prompt):
        if look and look in text:
            value = given or text.split(look, 1)[1].strip().split("\n")[0].split(" between")[0].rstrip(".")
            return json.dumps({"passage": int(number), "value": value})
    return json.dumps({"passage": 1, "value": "not stated"})


def test_one_row_per_document_with_values_on_their_pages(library: Library) -> None:
    docs = [doc(library, "lease-a"), doc(library, "lease-b")]
    seen: list[tuple[int, int]] = []
    progress = Progress(listeners=[lambda p: seen.append((p.done, p.total))])
    table = extract_facts(library, ScriptedChatModel(fill), docs, "contract", progress=progress)
    a, b = table.rows
    assert a.cells["parties"].value.startswith("Alder Estates plc") and a.cells["parties"].page == 1
    assert (a.cells["effective_date"].page, b.cells["effective_date"].page) == (1, 1)
    assert "17 June 2024" in a.cells["effective_date"].value
    assert b.cells["payment_terms"].value.startswith("12,300 dollars") and b.cells["payment_terms"].page == 2
    assert b.cells["governing_law"].page == 3
    assert not a.cells["termination"].found  # "ninety" is not on the page: never shown
    assert not a.cells["term"].found and a.cells["term"].to_json()["status"] == "not stated"
    assert seen[-1] == (12, 12)


def test_csv_and_markdown_exports(library: Library, tmp_path: Path) -> None:
    table = extract_facts(library, ScriptedChatModel(fill), [doc(library, "lease-b")], "contract")
    table.to_csv(tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "document",
        "parties",
        "effective_date",
        "term",
        "payment_terms",
        "termination",
        "governing_law",
    ]
    assert rows[1][0] == "lease-b" and rows[1][2] == "1 October 2023 (p. 1)" and rows[1][3] == "not stated"
    markdown = table.to_markdown()
    assert markdown.splitlines()[0].startswith("| document | parties |")
    assert "| lease-b | " in markdown and "(p. 3)" in markdown
    assert json.loads(json.dumps(table.to_json()))["rows"][0]["cells"]["governing_law"]["page"] == 3


def test_long_document_uses_retrieved_passages_mapped_to_pages(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extract, "WHOLE_DOCUMENT_TOKENS", 10)
    model = ScriptedChatModel(fill)
    table = extract_facts(library, model, [doc(library, "services")], "contract")
    cell = table.rows[0].cells["governing_law"]
    assert cell.page == 19 and "England and Wales" in cell.value
    assert all(len(PASSAGE.findall(c.messages[-1]["content"])) <= 3 for c in model.calls)


def test_unindexed_document_gets_an_error_row_and_cancel_stops(library: Library) -> None:
    import dataclasses

    pending = dataclasses.replace(doc(library, "lease-a"), status="pending")
    table = extract_facts(library, ScriptedChatModel([]), [pending], "medical")
    assert table.rows[0].error.startswith("not indexed") and "not indexed" in table.to_markdown()
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        extract_facts(library, ScriptedChatModel(fill), [doc(library, "lease-a")], "contract", cancel=cancel)


def test_user_schema_file(tmp_path: Path) -> None:
    path = tmp_path / "lease.json"
    path.write_text(
        json.dumps(
            [
                {"name": "tenant", "description": "who rents", "type": "string"},
                {"name": "rent", "description": "monthly rent"},
            ]
        )
    )
    schema = load_schema(str(path))
    assert schema.name == "lease" and [(f.name, f.type) for f in schema.fields] == [
        ("tenant", "string"),
        ("rent", "string"),
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "is not valid JSON"),
        ("{}", "must hold a non-empty JSON list"),
        ("[]", "must hold a non-empty JSON list"),
        ('["tenant"]', "field 1: must be an object"),
        ('[{"name": "", "description": "x"}]', "field 1: 'name' must be"),
        ('[{"name": "tenant"}]', "(tenant): 'description' must say"),
        (
            '[{"name": "tenant", "description": "x", "type": "money"}]',
            "'type' must be one of string, date, number, list",
        ),
        (
            '[{"name": "a", "description": "x"}, {"name": "a", "description": "y"}]',
            "field 2: the name 'a' is used twice",
        ),
        ('[{"name": "a", "description": "x", "desc": "y"}]', "unknown keys desc"),
    ],
)
def test_bad_schema_file_names_the_file_and_the_problem(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "fields.json"
    path.write_text(content)
    with pytest.raises(SchemaError) as error:
        load_schema(str(path))
    assert str(path) in str(error.value) and problem in str(error.value)


def test_missing_schema_file_and_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="does not exist"):
        load_schema(str(tmp_path / "nope.json"))
    with pytest.raises(SchemaError, match="unknown schema 'poem'"):
        load_schema("poem")
