"""Export a sentence-transformers folder to ONNX (fp32 + dynamic int8), once, offline.

Why: dynamic int8 runs MiniLM 1.6-2.5x faster than torch fp32 on CPU with the same
retrieval quality, and the exported folder can be run without torch (see
``assistant.embed.onnx_backend``). ``backend="onnx"`` in sentence-transformers re-exports on
every load (2 s, 1.2 GB peak) unless the result is saved, so we save it under Quire's
cache directory, keyed by the source folder's content, and never anywhere else: in
particular never into the source folder, which for the bundled model is site-packages.

Layout of one export (also loadable by sentence-transformers with ``backend="onnx"``)::

    <cache>/embedders/<model-slug>-<hash12>/
        quire_embedder.json        manifest, written last (name, window, files, config)
        onnx/model.onnx            fp32
        onnx/model_int8.onnx       dynamic int8 (when quantize=True)
        tokenizer.json, tokenizer_config.json, vocab.txt, special_tokens_map.json,
        config.json, modules.json, sentence_bert_config.json, 1_Pooling/config.json, ...

The export is built in ``<cache>/embedders/.tmp-*`` and renamed into place, so a
killed export never leaves a folder that looks finished.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from assistant import offline
from assistant.embed.base import EmbedderUnavailableError
from assistant.embed.model_info import read_model_info

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1
MANIFEST = "quire_embedder.json"
FP32_FILE = "onnx/model.onnx"
INT8_FILE = "onnx/model_int8.onnx"
SUPPORTED_MODULES = {"Transformer", "Pooling", "Normalize"}
# Files whose content defines the model; weights are keyed by name and size (hashing
# 90 MB-1 GB on every start would cost more than the check is worth).
_KEY_FILES = (
    "config.json",
    "modules.json",
    "sentence_bert_config.json",
    "tokenizer.json",
    "1_Pooling/config.json",
)
_WEIGHT_PATTERNS = ("*.safetensors", "*.bin", "*.onnx", "onnx/*.onnx")
_STALE_TMP_SECONDS = 3600
_PROBES = (
    "The tenant must give written notice ninety days before the lease ends.",
    "Patients with a penicillin allergy received azithromycin instead.",
    "Revenue recognised in the fourth quarter was restated after the audit.",
    "short",
)
_MIN_PROBE_COSINE = 0.95


def cpu_flags() -> set[str]:
    """The ``flags`` line of /proc/cpuinfo (empty where there is none, e.g. macOS)."""
    try:
        with Path("/proc/cpuinfo").open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def quantization_config_name(flags: set[str] | None = None) -> str:
    """The optimum ``AutoQuantizationConfig`` preset that fits this CPU.

    ``avx512_vnni`` gives ~2.5x over fp32 where the CPU has VNNI, ``avx2`` ~1.7x
    everywhere on x86-64; ``arm64`` for Apple silicon / ARM Linux. These are the names
    ``export_dynamic_quantized_onnx_model`` accepts in sentence-transformers 5.x.
    """
    if platform.machine().lower() in ("arm64", "aarch64"):
        return "arm64"
    flags = cpu_flags() if flags is None else flags
    if "avx512_vnni" in flags:
        return "avx512_vnni"
    if "avx512f" in flags and "avx512bw" in flags:
        return "avx512"
    return "avx2"


def export_dir_name(model_dir: Path) -> str:
    """``<slug-of-model-name>-<12 hex>``: readable, and new when the model's files change."""
    digest = hashlib.sha256(f"quire-onnx-export-{EXPORT_FORMAT}\n".encode())
    for rel in _KEY_FILES:
        path = model_dir / rel
        if path.is_file():
            digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    weights = sorted({p for pattern in _WEIGHT_PATTERNS for p in model_dir.glob(pattern) if p.is_file()})
    for path in weights:
        digest.update(f"{path.relative_to(model_dir).as_posix()}:{path.stat().st_size}\n".encode())
    slug = re.sub(r"[^a-z0-9]+", "-", read_model_info(model_dir).name.lower()).strip("-")[:60] or "model"
    return f"{slug}-{digest.hexdigest()[:12]}"


def _is_complete(folder: Path, quantize: bool) -> bool:
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        return False
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    files = manifest.get("files", {}) if isinstance(manifest, dict) else {}
    needed = ["int8"] if quantize else ["fp32"]  # the installed app ships the int8 file only
    return all(isinstance(files.get(k), str) and (folder / files[k]).is_file() for k in needed)


def ensure_onnx_export(model_dir: Path, cache_dir: Path, *, quantize: bool = True) -> Path:
    """The exported folder for ``model_dir``, exporting it first if it is not there yet.

    Returns at once when a complete export exists. Raises ``EmbedderUnavailableError``
    when the model cannot be run by the ONNX path (extra modules such as a Dense head,
    pooling other than mean/cls, no fast tokenizer) or when the exported model's vectors
    disagree with sentence-transformers' own on a few probe sentences.
    """
    model_dir = Path(model_dir).resolve()
    root = Path(cache_dir) / "embedders"
    final = root / export_dir_name(model_dir)
    if _is_complete(final, quantize):
        return final

    info = read_model_info(model_dir)
    extra = [m for m in info.modules if m not in SUPPORTED_MODULES]
    if extra or info.pooling not in ("mean", "cls"):
        raise EmbedderUnavailableError(
            f"{info.name} cannot run on the ONNX path (modules {list(info.modules)}, pooling {info.pooling!r})"
        )
    root.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(root)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=root))
    try:
        _export_into(model_dir, tmp, quantize=quantize)
        _install(tmp, final, quantize)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _install(tmp: Path, final: Path, quantize: bool) -> None:
    """Move a finished export into place; a concurrent exporter that won keeps its folder."""
    if _is_complete(final, quantize):
        return
    old: Path | None = None
    if final.exists():  # incomplete, or fp32-only and int8 is now wanted: replace it
        old = final.with_name(f".old-{final.name}-{os.getpid()}")
        final.rename(old)
    tmp.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    log.info("embedder export ready at %s", final)


def _remove_stale_temps(root: Path) -> None:
    """Leftovers of killed exports (old enough that no live export can own them)."""
    now = time.time()
    for path in [*root.glob(".tmp-*"), *root.glob(".old-*")]:
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > _STALE_TMP_SECONDS:
                shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _quiet_export() -> Iterator[None]:
    """Silence sentence-transformers' export chatter.

    It warns "No 'model.onnx' found ... Exporting" and advises ``save_pretrained`` into
    the *source* folder (site-packages for the bundled model), which is what we must not
    do; transformers adds deprecation warnings from the ONNX tracer.
    """
    names = ("sentence_transformers", "optimum", "transformers")
    saved = {name: logging.getLogger(name).level for name in names}
    root_filter = _DropBelowWarning()  # onnxruntime's quantizer logs ~100 lines at INFO on the root logger
    logging.getLogger().addFilter(root_filter)
    try:
        for name in names:
            logging.getLogger(name).setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.getLogger().removeFilter(root_filter)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


class _DropBelowWarning(logging.Filter):
    """Drops INFO/DEBUG records logged straight on the root logger (ours all use named loggers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def _export_into(model_dir: Path, out: Path, *, quantize: bool) -> None:
    """Export fp32 (and int8) ONNX plus tokenizer and configs into ``out``, then verify.

    ``save_pretrained(out)`` writes the sentence-transformers folder with
    ``onnx/model.onnx``; ``export_dynamic_quantized_onnx_model(model, config, str(out))``
    writes ``out/onnx/model_qint8_<config>.onnx``. Both only write where they are told
    (optimum's intermediate files go to a temporary directory it deletes).
    """
    offline.enforce_offline()
    started = time.perf_counter()
    info = read_model_info(model_dir)
    config_name = quantization_config_name() if quantize else None
    log.info("exporting %s to ONNX%s (first use only)", info.name, f" int8/{config_name}" if quantize else "")
    with _quiet_export():
        from sentence_transformers import SentenceTransformer
        from sentence_transformers.backend import export_dynamic_quantized_onnx_model

        model = SentenceTransformer(
            str(model_dir), backend="onnx", device="cpu", local_files_only=True, trust_remote_code=False
        )
        model.save_pretrained(str(out))
        if config_name is not None:
            # The weights' dtype names the file (qint8 for VNNI/AVX-512, quint8 for AVX2):
            # name it ourselves so every CPU's export lands where it is looked for.
            suffix = f"int8_{config_name}"
            export_dynamic_quantized_onnx_model(model, config_name, str(out), file_suffix=suffix)
            (out / "onnx" / f"model_{suffix}.onnx").rename(out / INT8_FILE)
        reference = np.asarray(model.encode(list(_PROBES), normalize_embeddings=True), dtype=np.float32)
    if not (out / "tokenizer.json").is_file():
        raise EmbedderUnavailableError(f"{info.name} has no fast tokenizer (tokenizer.json)")

    files = {"fp32": FP32_FILE} | ({"int8": INT8_FILE} if quantize else {})
    manifest: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "name": info.name,
        "source": str(model_dir),
        "dimension": info.dimension,
        "max_tokens": info.max_tokens,
        "pooling": info.pooling,
        "files": files,
        "quantization": config_name,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
    }
    # Verify through the runtime path itself, so a pooling or tokenizer mismatch is caught here.
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    cosines = _probe(out, reference, files)
    manifest["probe_min_cosine"] = cosines
    manifest["export_seconds"] = round(time.perf_counter() - started, 2)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    log.info("exported %s in %.1f s (probe cosine %s)", info.name, manifest["export_seconds"], cosines)


def _probe(out: Path, reference: np.ndarray, files: dict[str, str]) -> dict[str, float]:
    from assistant.embed.onnx_backend import OnnxEmbedder

    result: dict[str, float] = {}
    for kind, rel in files.items():
        embedder = OnnxEmbedder(out, file_name=Path(rel).name, batch_size=len(_PROBES))
        cosine = float(np.min(np.sum(embedder.embed(list(_PROBES)) * reference, axis=1)))
        result[kind] = round(cosine, 4)
        if cosine < _MIN_PROBE_COSINE:
            raise EmbedderUnavailableError(
                f"exported {kind} model disagrees with sentence-transformers (cosine {cosine:.3f})"
            )
    return result


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str] = {}
    for package in ("sentence-transformers", "optimum-onnx", "onnxruntime", "transformers"):
        with contextlib.suppress(PackageNotFoundError):
            found[package] = version(package)
    return found
