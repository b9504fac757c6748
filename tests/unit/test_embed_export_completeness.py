"""An embedder export counts as ready when the file the chosen backend reads is there."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.embed.export import MANIFEST, _is_complete


def _export(folder: Path, files: dict[str, str]) -> Path:
    for relative in files.values():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(b"onnx")
    (folder / MANIFEST).write_text(json.dumps({"files": files}), encoding="utf-8")
    return folder


def test_an_int8_only_export_serves_the_int8_backend_but_not_fp32(tmp_path: Path) -> None:
    folder = _export(tmp_path, {"int8": "onnx/model_int8.onnx"})  # what the installed app ships
    assert _is_complete(folder, quantize=True)
    assert not _is_complete(folder, quantize=False)


def test_a_missing_file_makes_the_export_incomplete(tmp_path: Path) -> None:
    folder = _export(tmp_path, {"fp32": "onnx/model.onnx", "int8": "onnx/model_int8.onnx"})
    assert _is_complete(folder, quantize=True) and _is_complete(folder, quantize=False)
    (folder / "onnx" / "model_int8.onnx").unlink()
    assert not _is_complete(folder, quantize=True)
