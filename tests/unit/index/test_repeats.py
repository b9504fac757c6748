"""Which chunks count as repeats of an earlier one (and so get no vector of their own)."""

from __future__ import annotations

import pytest

from assistant.index.repeats import distinct, repeat_key


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("2026-01-03 12:00:01 GET /health 200", "2026-01-03 12:00:02 GET /health 200", True),  # timestamps
        ("Page 3 of 40  CONFIDENTIAL", "Page 4 of 40\nCONFIDENTIAL", True),  # page furniture, spacing
        ("The Tenant pays rent.", "the tenant pays rent.", True),
        ("The Tenant pays rent.", "The Landlord pays rent.", False),
        ("Escrow agent: Quillfeather Trust.", "Escrow agent: Quillfeather Trust of Reykjavik.", False),
    ],
)
def test_repeat_key(a: str, b: str, same: bool) -> None:
    assert (repeat_key(a) == repeat_key(b)) is same


def test_distinct_keeps_the_first_of_each_kind_in_order() -> None:
    texts = ["log 1", "log 2", "unique name Halvorsen", "log 3", "footer", "footer"]
    assert distinct(texts) == [0, 2, 4]
    assert distinct([]) == []
