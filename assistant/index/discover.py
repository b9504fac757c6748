"""Turn the paths a user names into the files to index.

Named files are always attempted (an unsupported one is reported as failed); inside
folders, files of other types are skipped, not failed, since a matter folder full of
spreadsheets and images is normal, but each is named with its reason ("unsupported type
.xyz") so the user can tell which files were left out. Symlinked folders are followed
once each, so a symlink loop cannot make the walk run forever.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason), never indexed


def discover(paths: list[Path], supported: frozenset[str]) -> Discovery:
    found = Discovery()
    seen_files: set[Path] = set()
    for raw in paths:
        path = raw.expanduser()
        try:
            resolved = path.resolve(strict=True)
        except FileNotFoundError:
            found.failed.append((str(path), "path does not exist"))
            continue
        except (RuntimeError, OSError) as exc:  # RuntimeError: pathlib's symlink loop on 3.11
            found.failed.append((str(path), _reason(exc)))
            continue
        if resolved.is_dir():
            _walk(resolved, supported, found, seen_files)
        elif resolved not in seen_files:
            seen_files.add(resolved)
            found.files.append(resolved)
    return found


def _walk(root: Path, supported: frozenset[str], found: Discovery, seen_files: set[Path]) -> None:
    visited: set[tuple[int, int]] = set()

    def onerror(exc: OSError) -> None:
        found.failed.append((str(exc.filename or root), _reason(exc)))

    for folder, dirnames, filenames in os.walk(root, followlinks=True, onerror=onerror):
        try:
            stat = Path(folder).stat()
        except OSError as exc:
            found.failed.append((folder, _reason(exc)))
            dirnames[:] = []
            continue
        key = (stat.st_dev, stat.st_ino)
        if key in visited:
            dirnames[:] = []
            continue
        visited.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.startswith("~$"):
                continue
            path = Path(folder) / name
            if path.suffix.lower() not in supported:
                found.skipped.append((str(path), unsupported_reason(path)))
                continue
            try:
                resolved = path.resolve(strict=True)
            except (RuntimeError, OSError) as exc:
                found.failed.append((str(path), _reason(exc)))
                continue
            if resolved not in seen_files:
                seen_files.add(resolved)
                found.files.append(resolved)


def unsupported_reason(path: Path) -> str:
    suffix = path.suffix.lower()
    return f"unsupported type {suffix}" if suffix else "unsupported type (no file extension)"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RuntimeError) or (isinstance(exc, OSError) and exc.errno == errno.ELOOP):
        return "symlink loop"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)
