"""Hand-written GGUF files, small enough to build in tmp_path for every test.

The writer follows ggml's docs/gguf.md directly rather than reusing our reader's tables,
so a bug in the reader cannot hide behind the same bug in the fixture.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

QWEN_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
F32, Q4_K = 0, 12  # ggml types: F32 is 4 bytes/element; Q4_K is 144 bytes per 256 elements


def _string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack("<Q", len(raw)) + raw


def _value(value: Any) -> bytes:
    """Type tag + payload, choosing the GGUF type from the Python type."""
    if isinstance(value, bool):
        return struct.pack("<I?", 7, value)
    if isinstance(value, int):
        return struct.pack("<II", 4, value)
    if isinstance(value, float):
        return struct.pack("<If", 6, value)
    if isinstance(value, str):
        return struct.pack("<I", 8) + _string(value)
    if isinstance(value, list):
        if value and isinstance(value[0], str):
            return struct.pack("<IIQ", 9, 8, len(value)) + b"".join(_string(v) for v in value)
        return struct.pack("<IIQ", 9, 5, len(value)) + b"".join(struct.pack("<i", v) for v in value)
    raise TypeError(value)


def write_gguf(
    path: Path,
    metadata: dict[str, Any],
    tensors: list[tuple[str, tuple[int, ...], int]],
    *,
    magic: bytes = b"GGUF",
    version: int = 3,
) -> Path:
    """Write a complete GGUF file: header, metadata, tensor table, aligned zeroed data."""
    sizes = {F32: (1, 4), Q4_K: (256, 144)}
    body = bytearray(magic + struct.pack("<IQQ", version, len(tensors), len(metadata)))
    for key, value in metadata.items():
        body += _string(key) + _value(value)
    offset = 0
    data_len = 0
    for name, dims, ggml_type in tensors:
        body += _string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        body += struct.pack("<IQ", ggml_type, offset)
        elements = 1
        for d in dims:
            elements *= d
        block, nbytes = sizes[ggml_type]
        size = elements // block * nbytes
        data_len = offset + size
        offset = -(-(offset + size) // 32) * 32
    body += b"\0" * (-len(body) % 32)
    body += b"\0" * data_len
    path.write_bytes(bytes(body))
    return path


def chat_metadata(arch: str = "qwen2", template: str | None = QWEN_TEMPLATE, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "general.architecture": arch,
        "general.type": "model",
        "general.name": "Tiny Test Chat",
        "general.file_type": 15,
        f"{arch}.context_length": 4096,
        f"{arch}.block_count": 2,
        f"{arch}.embedding_length": 64,
        f"{arch}.attention.head_count": 4,
        f"{arch}.attention.head_count_kv": 2,
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.tokens": [f"tok{i}" for i in range(5000)],
        "tokenizer.ggml.token_type": [1] * 5000,
    }
    if template is not None:
        meta["tokenizer.chat_template"] = template
    meta.update(extra)
    return meta


TENSORS = [("token_embd.weight", (256, 8), Q4_K), ("output_norm.weight", (64,), F32)]

MakeGGUF = Callable[..., Path]


@pytest.fixture
def make_gguf(tmp_path: Path) -> MakeGGUF:
    """Build a GGUF in tmp_path: ``make_gguf("x.gguf", arch=..., template=..., **metadata)``."""

    def make(
        name: str = "chat.gguf", arch: str = "qwen2", template: str | None = QWEN_TEMPLATE, **extra: Any
    ) -> Path:
        return write_gguf(tmp_path / name, chat_metadata(arch, template, **extra), TENSORS)

    return make
