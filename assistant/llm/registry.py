"""The models a user has: catalog models (assembled or not) and GGUF files they added.

User-added files stay where they are; ``catalog.json`` in the shared models directory
maps a name to each path. Every file is validated from its GGUF header when listed or
resolved, so a file that was moved, truncated or replaced shows up with the reason
instead of failing inside llama.cpp.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.files import atomic_write_json
from assistant.jobs import CancelToken, Progress
from assistant.llm.catalog import (
    CATALOG,
    CatalogEntry,
    PartLocator,
    assemble,
    get_entry,
    is_assembled,
    locate_part,
    model_path,
)
from assistant.llm.errors import ModelError
from assistant.llm.gguf import validate_chat_model

log = logging.getLogger(__name__)

REGISTRY_FILE = "catalog.json"


@dataclass(frozen=True)
class ModelInfo:
    """One row of ``quire models``: a catalog model or a user-added GGUF."""

    name: str
    display_name: str
    path: Path
    size: int
    quantization: str
    context_length: int | None
    installed: bool  # usable now, or assemblable from installed part packages
    active: bool
    source: str  # "catalog" or "user"
    status: str  # human-readable: "ready", "will be assembled on first use", why not usable

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "path": str(self.path),
            "size": self.size,
            "quantization": self.quantization,
            "context_length": self.context_length,
            "installed": self.installed,
            "active": self.active,
            "source": self.source,
            "status": self.status,
        }


def load_user_models(models_dir: Path) -> dict[str, Path]:
    """User-registered models, name -> path; an unreadable registry is logged, not fatal."""
    path = Path(models_dir) / REGISTRY_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(m["name"]): Path(m["path"]) for m in data.get("models", [])}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("Ignoring unreadable model registry %s: %s", path, exc)
        return {}


def _save_user_models(models_dir: Path, models: dict[str, Path]) -> None:
    models_dir.mkdir(parents=True, exist_ok=True)
    data = {"models": [{"name": n, "path": str(p)} for n, p in sorted(models.items())]}
    atomic_write_json(models_dir / REGISTRY_FILE, data)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-.") or "model"


def add_model(path: Path | str, models_dir: Path, name: str | None = None) -> ModelInfo:
    """Register a GGUF file the user points at, after checking it is a usable chat model.

    The file stays where it is (it may be large); only its path is recorded. The name
    defaults to the file's stem. Raises ``ModelError`` with the reason it was refused.
    """
    path = Path(path).expanduser().resolve()
    info = validate_chat_model(path)
    name = _slug(name or path.stem)
    if get_entry(name) is not None:
        raise ModelError(path, f"the name {name!r} belongs to a catalog model; choose another name")
    models = load_user_models(models_dir)
    if name in models and models[name] != path:
        raise ModelError(path, f"the name {name!r} is already used for {models[name]}; choose another name")
    models[name] = path
    _save_user_models(Path(models_dir), models)
    log.info("Registered model %s -> %s", name, path)
    return ModelInfo(name, info.name, path, info.file_size, info.quantization, info.context_length,
                     True, False, "user", "ready")  # fmt: skip


def remove_model(name: str, models_dir: Path) -> bool:
    """Forget a user-added model (the file itself is left alone). False if unknown."""
    models = load_user_models(models_dir)
    if models.pop(name, None) is None:
        return False
    _save_user_models(Path(models_dir), models)
    return True


def _catalog_info(entry: CatalogEntry, models_dir: Path, active: str, locate: PartLocator) -> ModelInfo:
    target = model_path(entry, models_dir)
    if is_assembled(entry, models_dir):
        installed, status = True, "ready"
    elif all(locate(pkg) is not None for pkg in entry.parts):
        installed, status = True, "will be assembled on first use"
    else:
        from assistant.config import bundle_dir  # here: assistant.config imports this package

        installed = False
        if bundle_dir() is not None:  # the installed app has no pip to fetch parts with
            status = "not in this installation: add its .gguf file with `quire models add PATH`"
        else:
            status = (
                f"not installed: needs {len(entry.parts)} packages ({entry.parts[0]} .. {entry.parts[-1]})"
            )
    return ModelInfo(entry.name, entry.display_name, target, entry.size, entry.quantization,
                     entry.context_length, installed, entry.name == active, "catalog", status)  # fmt: skip


def list_models(models_dir: Path, active: str, locate: PartLocator = locate_part) -> list[ModelInfo]:
    """Every model Quire knows: the catalog first, then user-added files (validated)."""
    rows = [_catalog_info(e, Path(models_dir), active, locate) for e in CATALOG]
    for name, path in sorted(load_user_models(models_dir).items()):
        try:
            info = validate_chat_model(path)
        except ModelError as exc:
            size = path.stat().st_size if path.is_file() else 0
            rows.append(ModelInfo(name, path.stem, path, size, "unknown", None, False,
                                  name == active, "user", exc.reason))  # fmt: skip
            continue
        rows.append(ModelInfo(name, info.name, path, info.file_size, info.quantization, info.context_length,
                              True, name == active, "user", "ready"))  # fmt: skip
    return rows


def resolve_model(
    name: str,
    models_dir: Path,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    locate: PartLocator = locate_part,
) -> Path:
    """The GGUF path for model ``name``, assembling a catalog model on first use.

    This is what the engine calls before constructing ``LlamaChatModel``; every failure
    is a ``ModelError`` naming the file or the packages to install.
    """
    entry = get_entry(name)
    if entry is not None:
        return assemble(entry, models_dir, progress=progress, cancel=cancel, locate=locate)
    user = load_user_models(models_dir)
    if name in user:
        validate_chat_model(user[name])
        return user[name]
    known = ", ".join([e.name for e in CATALOG] + sorted(user))
    raise ModelError(Path(models_dir) / name, f"unknown model {name!r}; known models: {known}")
