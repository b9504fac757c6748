"""Real embedders: int8 ONNX export once, offline, agreeing with torch fp32."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.embed import export as embed_export
from assistant.embed.base import EmbedderUnavailableError
from assistant.embed.export import ensure_onnx_export, quantization_config_name
from assistant.embed.factory import ModelEmbedder, make_embedder
from assistant.embed.model_info import bundled_model_dir

pytestmark = pytest.mark.integration

PARAGRAPHS = [
    "The tenant shall give the landlord written notice at least ninety days before the end of "
    "the lease term if the tenant does not intend to renew. Notice must be delivered by "
    "registered mail to the address stated in clause 14.",
    "Patients with a documented penicillin allergy received azithromycin 500 mg on day one "
    "followed by 250 mg daily for four days. Two patients reported mild gastrointestinal upset.",
    "Revenue recognised in the fourth quarter was restated after the auditors found that "
    "shipments made on consignment had been booked as sales before the customer accepted them.",
    "The committee approved the budget for the new library wing, including shelving for "
    "twenty thousand volumes and a reading room that overlooks the river.",
    "Short one.",
]


_CONTRACT_WORDS = "the contract obliges each party to indemnify the other against losses arising"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if "__pycache__" not in p.parts
    }


def _long_text(words: int) -> str:
    vocabulary = _CONTRACT_WORDS.split()
    return " ".join(vocabulary[i % len(vocabulary)] for i in range(words))


def test_make_embedder_is_cheap_and_names_the_model(tmp_path: Path) -> None:
    embedder = make_embedder("", "auto", tmp_path)
    assert embedder.name == "sentence-transformers/all-MiniLM-L6-v2"
    assert (embedder.dimension, embedder.max_tokens) == (384, 256)
    assert embedder.backend == "pending"
    assert list(tmp_path.iterdir()) == []  # no export at construction
    assert make_embedder("sentence-transformers/all-MiniLM-L6-v2", "auto", tmp_path).model_dir == (
        bundled_model_dir()
    )


def test_bad_settings_fail_at_construction(tmp_path: Path) -> None:
    with pytest.raises(EmbedderUnavailableError):
        make_embedder(str(tmp_path / "missing-model"), "auto", tmp_path)
    with pytest.raises(ValueError, match="backend"):
        make_embedder("", "gpu", tmp_path)


def test_export_once_offline_and_outside_site_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connects: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        connects.append(address)
        raise OSError("network access attempted in an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    bundled = bundled_model_dir()
    before = _snapshot(bundled.parent)

    embedder = make_embedder("", "onnx-int8", tmp_path)
    embedder.warm_up()
    folder = ensure_onnx_export(bundled, tmp_path)
    manifest = json.loads((folder / "quire_embedder.json").read_text(encoding="utf-8"))
    assert manifest["quantization"] == quantization_config_name()
    assert manifest["probe_min_cosine"]["int8"] > 0.97
    assert folder.parent == tmp_path / "embedders"
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temp left behind
    int8_mtime = (folder / "onnx" / "model_int8.onnx").stat().st_mtime_ns

    def no_second_export(*args: object, **kwargs: object) -> None:
        raise AssertionError("exported again although a complete export exists")

    monkeypatch.setattr(embed_export, "_export_into", no_second_export)
    again = make_embedder("", "onnx-int8", tmp_path)
    again.warm_up()
    assert again.backend == "onnx-int8"
    assert (folder / "onnx" / "model_int8.onnx").stat().st_mtime_ns == int8_mtime
    np.testing.assert_allclose(again.embed(PARAGRAPHS[:2]), embedder.embed(PARAGRAPHS[:2]), atol=1e-6)

    assert _snapshot(bundled.parent) == before
    assert connects == []


def test_killed_export_leaves_no_finished_looking_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(model_dir: Path, out: Path, *, quantize: bool) -> None:
        (out / "onnx").mkdir()
        (out / "onnx" / "model.onnx").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(embed_export, "_export_into", killed)
    with pytest.raises(KeyboardInterrupt):
        ensure_onnx_export(bundled_model_dir(), tmp_path)
    assert list((tmp_path / "embedders").iterdir()) == []


def test_int8_agrees_with_torch(int8_embedder: ModelEmbedder, torch_embedder: ModelEmbedder) -> None:
    assert int8_embedder.backend == "onnx-int8"
    assert torch_embedder.backend == "torch"
    assert int8_embedder.name == torch_embedder.name
    quantized = int8_embedder.embed(PARAGRAPHS)
    reference = torch_embedder.embed(PARAGRAPHS)
    assert quantized.shape == reference.shape == (len(PARAGRAPHS), 384)
    assert quantized.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(quantized, axis=1), 1.0, rtol=1e-4)
    cosines = np.sum(quantized * reference, axis=1)
    assert cosines.min() > 0.97, cosines


@pytest.mark.parametrize("which", ["int8_embedder", "torch_embedder"])
def test_ranks_relevant_passage_first(which: str, request: pytest.FixtureRequest) -> None:
    embedder: ModelEmbedder = request.getfixturevalue(which)
    query = embedder.embed(["How much notice must the tenant give before the lease ends?"])[0]
    passages = embedder.embed(PARAGRAPHS)
    scores = passages @ query
    assert int(np.argmax(scores)) == 0, scores
    assert scores[0] > scores[1] + 0.2


def test_batching_and_sorting_keep_order(int8_embedder: ModelEmbedder, embedder_cache_dir: Path) -> None:
    """Sorting by length, small batches and padding must not move or change any vector.

    Checked exactly on the fp32 graph (same export folder, no second export). Dynamic
    int8 quantises activations per batch tensor, so an int8 vector depends slightly on
    its batch companions (cosine >= ~0.96 for a 1-token text next to 256-token ones):
    checked loosely.
    """
    texts = [*PARAGRAPHS, _long_text(300), "", "x", *PARAGRAPHS[::-1]]
    fp32 = make_embedder("", "onnx", embedder_cache_dir, batch_size=4)
    fp32.warm_up()
    assert fp32.backend == "onnx"
    together = fp32.embed(texts)
    one_by_one = np.vstack([fp32.embed([t]) for t in texts])
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)
    np.testing.assert_allclose(together[0], together[-1], atol=1e-6)

    quantized = int8_embedder.embed(texts)
    quantized_alone = np.vstack([int8_embedder.embed([t]) for t in texts])
    assert np.sum(quantized * quantized_alone, axis=1).min() > 0.95
    assert np.sum(quantized * together, axis=1).min() > 0.95


@pytest.mark.parametrize("which", ["int8_embedder", "torch_embedder"])
def test_count_tokens_matches_hf_tokenizer(which: str, request: pytest.FixtureRequest) -> None:
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(bundled_model_dir()), local_files_only=True)
    texts = [*PARAGRAPHS, _long_text(2000), "", "Café Ünïcode — naïve 42,000.50€"]
    expected = [
        len(hf(t, add_special_tokens=False, truncation=False, verbose=False)["input_ids"]) for t in texts
    ]
    embedder: ModelEmbedder = request.getfixturevalue(which)
    assert embedder.count_tokens(texts) == expected
    assert embedder.count_tokens([]) == []
    assert expected[5] > 2000  # never truncated


def test_long_text_is_truncated_not_crashed(
    int8_embedder: ModelEmbedder, torch_embedder: ModelEmbedder
) -> None:
    text = _long_text(2000)
    quantized = int8_embedder.embed([text])
    reference = torch_embedder.embed([text])
    assert quantized.shape == (1, 384)
    assert np.isfinite(quantized).all()
    assert float(quantized[0] @ reference[0]) > 0.97  # both truncate at the same 256 word pieces


@pytest.mark.parametrize("which", ["int8_embedder", "torch_embedder"])
def test_empty_list(which: str, request: pytest.FixtureRequest) -> None:
    embedder: ModelEmbedder = request.getfixturevalue(which)
    vectors = embedder.embed([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


def test_auto_falls_back_to_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def fail(*args: object, **kwargs: object) -> Path:
        raise EmbedderUnavailableError("export refused for this test")

    monkeypatch.setattr(embed_export, "ensure_onnx_export", fail)
    embedder = make_embedder("", "auto", tmp_path)
    with caplog.at_level(logging.WARNING, logger="assistant.embed"):
        embedder.warm_up()
    assert embedder.backend == "torch"
    assert "export refused for this test" in caplog.text
    assert embedder.embed(["hello"]).shape == (1, 384)
    with pytest.raises(EmbedderUnavailableError):
        make_embedder("", "onnx-int8", tmp_path).warm_up()


def test_runtime_path_never_imports_torch_nor_writes_home(
    int8_embedder: ModelEmbedder, embedder_cache_dir: Path, tmp_path: Path
) -> None:
    """The installed app's path: onnxruntime + tokenizers only, and no telemetry files in $HOME."""
    folder = ensure_onnx_export(bundled_model_dir(), embedder_cache_dir)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from assistant.embed.onnx_backend import OnnxEmbedder\n"
        f"e = OnnxEmbedder(Path({str(folder)!r}))\n"
        "e.warm_up()\n"
        "assert e.embed(['hello world']).shape == (1, 384)\n"
        "heavy = sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "HOME": str(home)}
    env.pop("ORT_DISABLE_TELEMETRY", None)  # the embedder must set it itself
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert list(home.rglob("*")) == []  # onnxruntime writes ~/.cache/Microsoft/... without the variable


def _linked_copy(source: Path, target: Path) -> Path:
    """A user's own copy of the bundled folder, made of symlinks (no 90 MB copy)."""
    for path in source.rglob("*"):
        if path.is_file():
            (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
            (target / path.relative_to(source)).symlink_to(path)
    return target


def test_user_folder_with_same_content_reuses_the_export(
    int8_embedder: ModelEmbedder, embedder_cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exports are keyed by content, not by path: a copied model folder is not exported again."""
    folder = _linked_copy(bundled_model_dir(), tmp_path / "my-minilm")

    def no_export(*args: object, **kwargs: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(embed_export, "_export_into", no_export)
    embedder = make_embedder(str(folder), "auto", embedder_cache_dir)
    embedder.warm_up()
    assert embedder.backend == "onnx-int8"
    assert embedder.name == int8_embedder.name


def test_model_with_a_dense_head_is_refused_by_the_onnx_path(tmp_path: Path) -> None:
    folder = _linked_copy(bundled_model_dir(), tmp_path / "with-dense")
    modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    modules.insert(
        2, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}
    )
    (folder / "modules.json").unlink()
    (folder / "modules.json").write_text(json.dumps(modules), encoding="utf-8")
    with pytest.raises(EmbedderUnavailableError, match="Dense"):
        ensure_onnx_export(folder, tmp_path / "cache")
    assert not (tmp_path / "cache" / "embedders").exists() or not any(
        (tmp_path / "cache" / "embedders").iterdir()
    )
