"""A small pure-Python reader for GGUF headers, so Quire can judge a model file cheaply.

Why not ask llama.cpp? Loading a file to learn that it is truncated or an embedding model
costs seconds and hundreds of megabytes, and llama.cpp's refusals are log lines, not
reasons a user can act on. The header says everything we need: architecture, trained
context, chat template, quantization, and (from the tensor table) how long the file must
be. Big arrays (a 150k-entry vocabulary) are stepped over without building Python
objects, so reading a 0.5B model's header takes a fraction of a second.

Format reference: ggml's ``docs/gguf.md`` (little-endian, versions 2 and 3).
"""

from __future__ import annotations

import logging
import mmap
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.llm.errors import ModelError

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32
# Arrays up to this many elements are kept as lists; longer ones (vocabularies, merges)
# are summarised, which is what keeps parsing fast and memory flat.
KEEP_ARRAY_MAX = 64

_STRING = 8
_ARRAY = 9
_SCALARS: dict[int, struct.Struct] = {
    0: struct.Struct("<B"),
    1: struct.Struct("<b"),
    2: struct.Struct("<H"),
    3: struct.Struct("<h"),
    4: struct.Struct("<I"),
    5: struct.Struct("<i"),
    6: struct.Struct("<f"),
    7: struct.Struct("<?"),
    10: struct.Struct("<Q"),
    11: struct.Struct("<q"),
    12: struct.Struct("<d"),
}
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")

# llama.h `enum llama_ftype` (general.file_type): the quantization a file was made with.
LLAMA_FTYPES: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
    10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M",
    16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S",
    22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M",
    28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0",
    37: "TQ2_0", 38: "MXFP4_MOE",
}  # fmt: skip

# ggml.h `enum ggml_type` -> (elements per block, bytes per block), to size tensor data.
GGML_TYPE_SIZES: dict[int, tuple[int, int]] = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24),
    8: (32, 34), 9: (32, 36), 10: (256, 84), 11: (256, 110), 12: (256, 144),
    13: (256, 176), 14: (256, 210), 15: (256, 292), 16: (256, 66), 17: (256, 74),
    18: (256, 98), 19: (256, 50), 20: (32, 18), 21: (256, 110), 22: (256, 82),
    23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8),
    29: (256, 56), 30: (1, 2), 34: (256, 54), 35: (256, 66), 39: (32, 17),
}  # fmt: skip

# Encoder-only architectures: they embed text, they cannot chat.
EMBEDDING_ARCHITECTURES = frozenset(
    {"bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "modern-bert",
     "neo-bert", "t5encoder", "clip", "wavtokenizer-dec"}
)  # fmt: skip
# general.type values that are not standalone language models.
NON_MODEL_TYPES = frozenset({"adapter", "mmproj", "imatrix", "clip-vision"})


@dataclass(frozen=True)
class ArraySummary:
    """Stands in for a long metadata array we stepped over (vocabulary, merges)."""

    element_type: int
    count: int


@dataclass(frozen=True)
class GGUFInfo:
    """What a GGUF header says about a model file."""

    path: Path
    version: int
    tensor_count: int
    file_size: int
    data_offset: int
    # Bytes the file must have to hold every tensor; None if a tensor type is unknown.
    expected_size: int | None
    metadata: Mapping[str, Any] = field(repr=False)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name", "") or self.path.stem)

    @property
    def context_length(self) -> int | None:
        value = self.metadata.get(f"{self.architecture}.context_length")
        return int(value) if isinstance(value, int) else None

    @property
    def chat_template(self) -> str | None:
        value = self.metadata.get("tokenizer.chat_template")
        return value if isinstance(value, str) and value.strip() else None

    @property
    def file_type(self) -> int | None:
        value = self.metadata.get("general.file_type")
        return int(value) if isinstance(value, int) else None

    @property
    def quantization(self) -> str:
        ftype = self.file_type
        if ftype is None:
            return "unknown"
        return LLAMA_FTYPES.get(ftype, f"ftype {ftype}")


class _Truncated(Exception):
    """The header runs past the end of the file."""


class _Cursor:
    """Sequential little-endian reads over a memory map; running off the end is ``_Truncated``."""

    def __init__(self, buf: mmap.mmap) -> None:
        self.buf = buf
        self.size = len(buf)
        self.pos = 0

    def _need(self, n: int) -> None:
        if n < 0 or self.pos + n > self.size:
            raise _Truncated()

    def unpack(self, fmt: struct.Struct) -> Any:
        self._need(fmt.size)
        (value,) = fmt.unpack_from(self.buf, self.pos)
        self.pos += fmt.size
        return value

    def u32(self) -> int:
        return int(self.unpack(_U32))

    def u64(self) -> int:
        return int(self.unpack(_U64))

    def string(self) -> str:
        n = self.u64()
        self._need(n)
        raw = self.buf[self.pos : self.pos + n]
        self.pos += n
        return raw.decode("utf-8", errors="replace")

    def skip_strings(self, count: int) -> None:
        buf, pos, size, u64 = self.buf, self.pos, self.size, _U64.unpack_from
        for _ in range(count):
            if pos + 8 > size:
                raise _Truncated()
            pos += 8 + u64(buf, pos)[0]
        if pos > size:
            raise _Truncated()
        self.pos = pos

    def value(self, vtype: int) -> Any:
        if vtype in _SCALARS:
            return self.unpack(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            etype, count = self.u32(), self.u64()
            if count <= KEEP_ARRAY_MAX and etype != _ARRAY:
                return [self.value(etype) for _ in range(count)]
            if etype in _SCALARS:
                nbytes = count * _SCALARS[etype].size
                self._need(nbytes)
                self.pos += nbytes
            elif etype == _STRING:
                self.skip_strings(count)
            else:
                for _ in range(count):
                    self.value(etype)
            return ArraySummary(etype, count)
        raise ValueError(f"unknown metadata value type {vtype}")


def read_gguf(path: Path | str) -> GGUFInfo:
    """Parse a GGUF file's header, metadata and tensor table.

    Raises ``ModelError`` when the file is missing, is not GGUF, is a GGUF version we
    cannot read, or ends before its header does. It does not judge whether the model
    can chat: that is ``validate_chat_model``.
    """
    path = Path(path)
    if not path.exists():
        raise ModelError(path, "file not found")
    if not path.is_file():
        raise ModelError(path, "not a file")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            if head[:4] != GGUF_MAGIC:
                raise ModelError(path, _bad_magic_reason(head[:4]))
            if len(head) < 8:
                raise ModelError(path, "truncated: the file ends inside the GGUF header")
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
                return _parse(path, _Cursor(buf))
    except _Truncated:
        raise ModelError(
            path, f"truncated: the file ({path.stat().st_size:,} bytes) ends inside its GGUF header"
        ) from None
    except ValueError as exc:
        raise ModelError(path, f"damaged GGUF header: {exc}") from None
    except OSError as exc:
        raise ModelError(path, f"cannot read the file: {exc.strerror or exc}") from None


def _bad_magic_reason(magic: bytes) -> str:
    if not magic:
        return "not a GGUF model file: the file is empty"
    if magic in (b"lmgg", b"fmgg", b"tjgg"):
        return "an old GGML-format model; convert it to GGUF with llama.cpp's tools"
    if magic == b"FUGG":
        return "a big-endian GGUF file, which this machine cannot use"
    return f"not a GGUF model file (it starts with {magic!r}, expected b'GGUF')"


def _parse(path: Path, cur: _Cursor) -> GGUFInfo:
    cur.pos = 4
    version = cur.u32()
    if version not in (2, 3):
        raise ModelError(path, f"GGUF version {version} is not supported (only 2 and 3); reconvert the model")
    tensor_count, kv_count = cur.u64(), cur.u64()
    # Each entry takes at least 8 bytes, so a count beyond that is garbage, not a big model.
    if tensor_count > cur.size // 8 or kv_count > cur.size // 8:
        raise _Truncated()
    metadata: dict[str, Any] = {}
    for _ in range(kv_count):
        key = cur.string()
        metadata[key] = cur.value(cur.u32())
    data_end = 0
    known_sizes = True
    for _ in range(tensor_count):
        cur.string()  # tensor name
        n_dims = cur.u32()
        if n_dims > 8:
            raise ValueError(f"tensor with {n_dims} dimensions")
        elements = 1
        for _ in range(n_dims):
            elements *= cur.u64()
        ggml_type, offset = cur.u32(), cur.u64()
        block = GGML_TYPE_SIZES.get(ggml_type)
        if block is None:
            known_sizes = False
            data_end = max(data_end, offset)
        else:
            data_end = max(data_end, offset + elements // block[0] * block[1])
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0:
        alignment = DEFAULT_ALIGNMENT
    data_offset = -(-cur.pos // alignment) * alignment
    return GGUFInfo(
        path=path,
        version=version,
        tensor_count=tensor_count,
        file_size=cur.size,
        data_offset=data_offset,
        expected_size=data_offset + data_end if known_sizes else None,
        metadata=metadata,
    )


def validate_chat_model(path: Path | str) -> GGUFInfo:
    """Read ``path`` and insist it is a complete GGUF chat model.

    Every refusal is a ``ModelError`` whose reason tells the user what is wrong with the
    file (missing, not GGUF, truncated, an embedding model, no chat template), so the UI
    can show it instead of a llama.cpp crash or a model that answers in gibberish.
    """
    info = read_gguf(path)
    size = info.file_size
    if info.expected_size is not None and size < info.expected_size:
        raise ModelError(
            info.path,
            f"truncated: the file has {size:,} bytes but its tensors need {info.expected_size:,}; "
            "copy or re-assemble it again",
        )
    if info.data_offset > size:
        raise ModelError(info.path, f"truncated: the file ends ({size:,} bytes) before its tensor data")
    if info.tensor_count == 0:
        raise ModelError(info.path, "the file holds no tensors (a vocabulary-only or empty GGUF)")
    kind = str(info.metadata.get("general.type", "model"))
    if kind in NON_MODEL_TYPES:
        raise ModelError(info.path, f"a {kind} file, not a language model")
    arch = info.architecture
    if not arch:
        raise ModelError(info.path, "the file does not name its architecture (general.architecture)")
    if arch in EMBEDDING_ARCHITECTURES:
        raise ModelError(info.path, f"an embedding model (architecture {arch!r}), not a chat model")
    if info.chat_template is None:
        if f"{arch}.pooling_type" in info.metadata:
            raise ModelError(info.path, f"an embedding model ({arch} with pooling), not a chat model")
        raise ModelError(
            info.path,
            "not a chat model: it has no chat template (tokenizer.chat_template); "
            'use an instruction-tuned ("Instruct"/"chat") GGUF',
        )
    log.debug(
        "Validated %s: %s %s, ctx %s, %s", info.path, arch, info.name, info.context_length, info.quantization
    )
    return info
