"""The names a question gives, and whether a document mentions them (``assistant.answering.names``)."""

from __future__ import annotations

import pytest

from assistant.answering.names import missing_names, question_names


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("What was the median overall survival of the unfavorable-prognosis AML patients?", ["AML"]),
        ("According to Richard Stallman, is the Python 1.6.1 licence GPL-compatible?",
         ["Richard", "Stallman", "Python", "1.6.1", "GPL-compatible"]),
        ("Under the ZPL 2.1, on what condition may a derived product be promoted?", ["ZPL", "2.1"]),
        ("What activity of 131I does the guideline recommend?", ["131I"]),
        ("How much is the deposit? When is it returned?", []),  # "When" opens a part, names nothing
        ("What happens after 30 days?", []),  # a bare figure is left to the number check
        ("Which version of the competing-risks vignette is this?", []),
    ],
)  # fmt: skip
def test_question_names(question: str, names: list[str]) -> None:
    assert question_names(question) == names


@pytest.mark.parametrize(
    ("names", "text", "missing"),
    [
        (["AML"], "The median survival from diagnosis of anaplastic carcinoma is about 5 months.", ["AML"]),
        (["AML"], "Plasma of 39 adult patients with de novo aml was recovered.", []),
        (["GPL-compatible"], "The FSF calls this licence GPL\ncompatible.", []),
        (["ZPL", "2.1"], "Zope Public License (ZPL) Version 2.1", []),
        (["GPL-3.0"], "LGPL-3.0: the GNU Lesser General Public License", ["GPL-3.0"]),  # whole words only
        (["GPL"], "compatible with the GPL.", []),
        # A version as questions abbreviate it, as documents write it.
        (["GPL", "v2"], "the GNU GPL, Version 2, June 1991", []),
        (["v2.1"], "Lesser General Public License, version 2.1", []),
        (["v2"], "GNU GENERAL PUBLIC LICENSE Version 3", ["v2"]),
        (["v2"], "Version 2.1", ["v2"]),  # 2 is not 2.1
    ],
)
def test_missing_names(names: list[str], text: str, missing: list[str]) -> None:
    assert missing_names(names, text) == missing
