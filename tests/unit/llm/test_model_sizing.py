"""LlamaChatModel's choices made from the GGUF header alone, without loading anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import LLMSettings, WeightRepack
from assistant.llm.errors import ModelError
from assistant.llm.gguf import read_gguf
from assistant.llm.model import (
    DEFAULT_MAX_CTX,
    LlamaChatModel,
    choose_n_ctx,
    cpu_has_avx512,
    kv_bytes_per_token,
    physical_cores,
    repack_weights,
)

from .conftest import MakeGGUF

QWEN_05B = {
    "qwen2.block_count": 24,
    "qwen2.embedding_length": 896,
    "qwen2.attention.head_count": 14,
    "qwen2.attention.head_count_kv": 2,
    "qwen2.context_length": 32768,
}


def test_kv_bytes_per_token_matches_llama_cpp_for_qwen_05b(make_gguf: MakeGGUF) -> None:
    # llama.cpp reports "KV buffer size = 96.00 MiB" for this model at n_ctx 8192.
    info = read_gguf(make_gguf(**QWEN_05B))
    assert kv_bytes_per_token(info) * 8192 == 96 * 2**20


def test_n_ctx_defaults_to_trained_capped_at_8192(make_gguf: MakeGGUF) -> None:
    info = read_gguf(make_gguf(**QWEN_05B))
    assert choose_n_ctx(info, kv_budget=1 << 30) == DEFAULT_MAX_CTX
    small = read_gguf(make_gguf("small.gguf", **{**QWEN_05B, "qwen2.context_length": 2048}))
    assert choose_n_ctx(small, kv_budget=1 << 30) == 2048


def test_n_ctx_shrinks_to_the_memory_budget(make_gguf: MakeGGUF) -> None:
    info = read_gguf(make_gguf(**QWEN_05B))
    assert choose_n_ctx(info, kv_budget=12288 * 3000) == 2816  # 3000 tokens, rounded down to 256
    assert choose_n_ctx(info, kv_budget=1) == 512  # never below a usable minimum


def test_requested_n_ctx_is_capped_at_the_trained_context(make_gguf: MakeGGUF) -> None:
    info = read_gguf(make_gguf(**QWEN_05B))
    assert choose_n_ctx(info, requested=4096) == 4096
    assert choose_n_ctx(info, requested=100_000) == 32768


def test_construction_loads_nothing(tmp_path: Path) -> None:
    model = LlamaChatModel(tmp_path / "missing.gguf", settings=LLMSettings(threads=1))
    assert model.name == "missing" and not model.loaded and model.last_timings is None
    with pytest.raises(RuntimeError, match="warm_up"):
        model.count_tokens("x")
    with pytest.raises(ModelError, match="not found"):
        model.warm_up()


def test_planned_n_ctx_comes_from_the_header(make_gguf: MakeGGUF) -> None:
    model = LlamaChatModel(make_gguf(**QWEN_05B), settings=LLMSettings(n_ctx=3000))
    assert model.n_ctx == 3000 and not model.loaded


def test_non_chat_file_is_refused_before_llama_cpp_sees_it(make_gguf: MakeGGUF) -> None:
    with pytest.raises(ModelError, match="embedding model"):
        LlamaChatModel(make_gguf("bert.gguf", arch="bert", template=None)).warm_up()


def test_physical_cores_is_positive() -> None:
    assert physical_cores() >= 1


def test_importing_the_model_layer_does_not_import_llama_cpp() -> None:
    """The window must appear before heavy imports: llama_cpp loads only in warm_up."""
    code = "import sys, assistant.llm, assistant.testing.scripted_chat; sys.exit('llama_cpp' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[3], check=False)
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("choice", "avx512", "repack"),
    [
        (WeightRepack.AUTO, True, False),  # measured: repacked Q4_K reads prompts 1.4-1.5x slower there
        (WeightRepack.AUTO, False, True),
        (WeightRepack.ON, True, True),
        (WeightRepack.OFF, False, False),
    ],
)
def test_weight_repacking_follows_the_setting_and_the_cpu(
    choice: WeightRepack, avx512: bool, repack: bool
) -> None:
    assert repack_weights(choice, avx512=avx512) is repack


def test_avx512_is_read_from_the_cpu_flags(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("flags\t\t: fpu avx2 avx512f amx_tile\n", encoding="utf-8")
    assert cpu_has_avx512(cpuinfo)
    cpuinfo.write_text("flags\t\t: fpu avx2 fma\n", encoding="utf-8")
    assert not cpu_has_avx512(cpuinfo) and not cpu_has_avx512(tmp_path / "missing")
