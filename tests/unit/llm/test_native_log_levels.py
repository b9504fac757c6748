"""llama.cpp's own log lines reach the user's terminal only when something really failed."""

from __future__ import annotations

import logging

import pytest

from assistant.llm.model import log_level


@pytest.mark.parametrize(
    ("level", "message", "expected"),
    [
        # A GGUF vocabulary quirk the loader fixes itself, on every load of the bundled models.
        (3, "load: control-looking token: 128247 '</s>' was not control-type; this is probably a bug "
            "in the model. its type will be overridden", logging.INFO),
        (3, "llama_memory_seq_rm: removing memory module entries for seq_id = 0", logging.INFO),  # a cancel
        (3, "llama_decode: failed to decode, ret = -1", logging.ERROR),
        (3, "gguf_init_from_file: failed to read magic", logging.ERROR),
        (2, "llama_context: n_ctx_per_seq < n_ctx_train", logging.INFO),
        (1, "print_info: file format = GGUF V3", logging.DEBUG),
    ],
)  # fmt: skip
def test_llama_cpp_log_levels(level: int, message: str, expected: int) -> None:
    assert log_level(level, message) == expected
