"""The GGUF reader on hand-written files: what it extracts and every refusal's reason."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from assistant.llm import gguf
from assistant.llm.errors import ModelError
from assistant.llm.gguf import ArraySummary, read_gguf, validate_chat_model

from .conftest import QWEN_TEMPLATE, TENSORS, MakeGGUF, chat_metadata, write_gguf


def test_valid_chat_model_metadata(make_gguf: MakeGGUF) -> None:
    info = validate_chat_model(make_gguf())
    assert info.version == 3
    assert info.architecture == "qwen2"
    assert info.name == "Tiny Test Chat"
    assert info.context_length == 4096
    assert info.chat_template == QWEN_TEMPLATE
    assert info.quantization == "Q4_K_M"
    assert info.tensor_count == len(TENSORS)
    assert info.expected_size == info.file_size
    assert info.data_offset % 32 == 0


def test_long_arrays_are_summarised_short_ones_kept(make_gguf: MakeGGUF) -> None:
    info = read_gguf(make_gguf(**{"qwen2.rope.dims": [1, 2, 3]}))
    assert info.metadata["tokenizer.ggml.tokens"] == ArraySummary(element_type=8, count=5000)
    assert info.metadata["tokenizer.ggml.token_type"] == ArraySummary(element_type=5, count=5000)
    assert info.metadata["qwen2.rope.dims"] == [1, 2, 3]


def test_unknown_file_type_is_reported_not_guessed(make_gguf: MakeGGUF) -> None:
    assert read_gguf(make_gguf(**{"general.file_type": 999})).quantization == "ftype 999"


def test_no_chat_template_is_not_a_chat_model(make_gguf: MakeGGUF) -> None:
    with pytest.raises(ModelError, match="no chat template") as err:
        validate_chat_model(make_gguf("base.gguf", template=None))
    assert err.value.path.name == "base.gguf"


def test_bert_is_an_embedding_model(make_gguf: MakeGGUF) -> None:
    with pytest.raises(ModelError, match=r"embedding model.*bert"):
        validate_chat_model(make_gguf("bert.gguf", arch="bert", template=None))


def test_embedding_architecture_refused_even_with_a_template(make_gguf: MakeGGUF) -> None:
    with pytest.raises(ModelError, match=r"embedding model.*nomic-bert"):
        validate_chat_model(make_gguf("nomic.gguf", arch="nomic-bert"))


def test_pooling_decoder_without_template_is_an_embedding_model(make_gguf: MakeGGUF) -> None:
    path = make_gguf("emb.gguf", template=None, **{"qwen2.pooling_type": 1})
    with pytest.raises(ModelError, match="embedding model"):
        validate_chat_model(path)


def test_adapter_is_refused(make_gguf: MakeGGUF) -> None:
    with pytest.raises(ModelError, match="adapter file"):
        validate_chat_model(make_gguf("lora.gguf", **{"general.type": "adapter"}))


def test_bad_magic(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(ModelError, match="not a GGUF model file"):
        validate_chat_model(path)


def test_old_ggml_file_gets_a_conversion_hint(tmp_path: Path) -> None:
    path = tmp_path / "old.bin"
    path.write_bytes(b"tjgg" + b"\0" * 100)
    with pytest.raises(ModelError, match="old GGML"):
        read_gguf(path)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(ModelError, match="empty"):
        validate_chat_model(empty)
    with pytest.raises(ModelError, match="not found"):
        validate_chat_model(tmp_path / "nope.gguf")
    with pytest.raises(ModelError, match="not a file"):
        validate_chat_model(tmp_path)


def test_unsupported_version(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "v1.gguf", chat_metadata(), TENSORS, version=1)
    with pytest.raises(ModelError, match="version 1 is not supported"):
        read_gguf(path)


def test_truncated_in_tensor_data(make_gguf: MakeGGUF) -> None:
    path = make_gguf()
    data = path.read_bytes()
    path.write_bytes(data[:-100])
    with pytest.raises(ModelError, match=r"truncated: the file has [\d,]+ bytes but its tensors need"):
        validate_chat_model(path)


@pytest.mark.parametrize("keep", [6, 30, 200, 20_000])
def test_truncated_in_header(make_gguf: MakeGGUF, keep: int) -> None:
    path = make_gguf()
    path.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(ModelError, match="truncated"):
        validate_chat_model(path)


def test_garbage_counts_are_truncation_not_a_hang(tmp_path: Path) -> None:
    path = tmp_path / "garbage.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 2**60, 2**60) + b"\0" * 64)
    with pytest.raises(ModelError, match="truncated"):
        read_gguf(path)


def test_ftype_names_match_llama_cpp() -> None:
    """Our table must agree with the llama.cpp build we ship (its enum moves over time)."""
    llama_cpp = pytest.importorskip("llama_cpp")
    constants = {
        name.removeprefix("LLAMA_FTYPE_MOSTLY_").removeprefix("LLAMA_FTYPE_"): getattr(llama_cpp, name)
        for name in dir(llama_cpp)
        if name.startswith("LLAMA_FTYPE_") and name != "LLAMA_FTYPE_GUESSED"
    }
    checked = 0
    for name, value in constants.items():
        if value in gguf.LLAMA_FTYPES:
            expected = "F32" if name == "ALL_F32" else name
            assert gguf.LLAMA_FTYPES[value] == expected, (name, value)
            checked += 1
    assert checked >= 25
