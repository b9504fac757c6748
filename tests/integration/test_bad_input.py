"""Bad input through the real `quire index --json`: one test per case of issue 3.

Every case runs in a library that already holds a document, indexes the bad file next
to a good one, and checks that the failure names the file and says why, that the good
file was indexed anyway (exit 3), and that the earlier document is still found.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

import assistant.index.indexer as indexer_module
from assistant.cli import main
from assistant.testing.documents import write_text_pdf

pytestmark = pytest.mark.integration

BASELINE_TEXT = (
    "Warehouse maintenance schedule. The lessee repaints the loading dock every spring "
    "and has the forklifts serviced every autumn by an approved mechanic."
)
BASELINE_QUERY = "when is the loading dock repainted"
GOOD_TEXT = (
    "Audit memo. The auditor found duplicate invoices from the catering supplier in March "
    "and asked the finance team to recover the double payments."
)
GOOD_QUERY = "duplicate invoices from the catering supplier"
CONTRACT_PAGES = [
    "Supply agreement between Acme Limited and Borealis GmbH, signed in Lyon.",
    "Deliveries arrive every Tuesday morning at the northern depot.",
    "Late deliveries incur a penalty of two percent of the order value per week.",
]
CONTRACT_QUERY = "penalty for late deliveries"


class Quire:
    """The `quire` CLI in-process on one home that already holds the baseline document."""

    def __init__(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        self.capsys = capsys
        self.tmp = tmp_path
        self.home = str(tmp_path / "home")
        self.baseline = write(tmp_path / "earlier" / "maintenance.txt", BASELINE_TEXT)
        code, report = self.index(self.baseline)
        assert (code, report["added"]) == (0, 1), report

    def cli(self, *args: str) -> tuple[int, list[Any]]:
        code = main(["--home", self.home, *args])
        out = self.capsys.readouterr().out
        return code, [json.loads(line) for line in out.splitlines() if line.strip()]

    def index(self, *paths: Path, options: tuple[str, ...] = ()) -> tuple[int, dict[str, Any]]:
        code, lines = self.cli("index", *map(str, paths), *options, "--json")
        assert len(lines) == 1, lines
        return code, lines[0]

    def good_file(self) -> Path:
        return write(self.tmp / "batch" / "audit memo.txt", GOOD_TEXT)

    def top_hits(self, *queries: str) -> list[dict[str, Any]]:
        """The best passage for each query."""
        file = self.tmp / "queries.txt"
        file.write_text("\n".join(queries) + "\n", encoding="utf-8")
        code, results = self.cli("search", "--queries", str(file), "-k", "1", "--json")
        assert code == 0 and len(results) == len(queries)
        assert all(results), f"a query found nothing: {dict(zip(queries, results, strict=True))}"
        return [result[0] for result in results]

    def assert_found(self, expected: dict[str, Path]) -> None:
        """Each query's best passage comes from the expected file."""
        hits = self.top_hits(*expected)
        for (query, path), hit in zip(expected.items(), hits, strict=True):
            assert hit["path"] == str(path.resolve()), f"{query!r} found {hit['path']}"

    def assert_partial(self, code: int, report: dict[str, Any], bad: Path, *reasons: str) -> str:
        """Exit 3; one failure naming ``bad`` with a reason containing ``reasons``; the rest done."""
        assert code == 3, report
        assert len(report["failed"]) == 1, report["failed"]
        failure = report["failed"][0]
        assert Path(failure["path"]).name == bad.name and str(bad.parent.name) in failure["path"]
        for words in reasons:
            assert words.lower() in failure["reason"].lower(), failure
        assert report["added"] == 1, report
        self.assert_found({GOOD_QUERY: self.tmp / "batch" / "audit memo.txt", BASELINE_QUERY: self.baseline})
        return str(failure["reason"])


@pytest.fixture
def quire(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Quire:
    return Quire(capsys, tmp_path)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def encrypted_pdf(path: Path, user_password: str, algorithm: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    source = write_text_pdf(path.with_name("plain-" + path.name), CONTRACT_PAGES)
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    source.unlink()
    path.write_bytes(buffer.getvalue())
    return path


# -- PDFs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_encrypted_pdf_with_a_password_is_reported(quire: Quire, tmp_path: Path, algorithm: str) -> None:
    if algorithm.startswith("AES"):
        pytest.importorskip("cryptography")  # pypdf needs it to write AES
    bad = encrypted_pdf(tmp_path / "batch" / "locked.pdf", "secret", algorithm)
    code, report = quire.index(bad, quire.good_file())
    reason = quire.assert_partial(code, report, bad, "encrypted", "password")
    assert reason == "PDF is encrypted and needs a password"


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_encrypted_pdf_with_empty_user_password_is_indexed(
    quire: Quire, tmp_path: Path, algorithm: str
) -> None:
    if algorithm.startswith("AES"):
        pytest.importorskip("cryptography")  # pypdf needs it to write AES
    pdf = encrypted_pdf(tmp_path / "batch" / "open.pdf", "", algorithm)
    code, report = quire.index(pdf, quire.good_file())
    assert (code, report["added"], report["failed"]) == (0, 2, []), report
    hit = quire.top_hits(CONTRACT_QUERY)[0]
    assert hit["path"] == str(pdf.resolve()) and hit["page"] == 3
    assert "two percent" in hit["text"]
    quire.assert_found({BASELINE_QUERY: quire.baseline})


def test_truncated_pdf_is_reported(quire: Quire, tmp_path: Path) -> None:
    data = write_text_pdf(tmp_path / "whole.pdf", CONTRACT_PAGES).read_bytes()
    bad = tmp_path / "batch" / "cut.pdf"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(data[: len(data) // 2])
    code, report = quire.index(bad, quire.good_file())
    quire.assert_partial(code, report, bad, "PDF is damaged or truncated")


def test_pdf_without_text_or_images_is_reported(quire: Quire, tmp_path: Path) -> None:
    bad = tmp_path / "batch" / "blank.pdf"
    bad.parent.mkdir(parents=True, exist_ok=True)
    write_text_pdf(bad, [""])
    code, report = quire.index(bad, quire.good_file())
    quire.assert_partial(code, report, bad, "no extractable text and no scanned images")


# -- text ---------------------------------------------------------------------------------
def test_zero_byte_file_is_reported(quire: Quire, tmp_path: Path) -> None:
    bad = write(tmp_path / "batch" / "empty.txt", "")
    code, report = quire.index(bad, quire.good_file())
    quire.assert_partial(code, report, bad, "file is empty")


def test_binary_data_named_txt_is_reported(quire: Quire, tmp_path: Path) -> None:
    bad = tmp_path / "batch" / "photo.txt"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    code, report = quire.index(bad, quire.good_file())
    quire.assert_partial(code, report, bad, "binary data, not text")


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-16-le"])
def test_legacy_encodings_are_decoded(quire: Quire, tmp_path: Path, encoding: str) -> None:
    text = (
        "Le résumé du contrat de bail : le locataire règle le loyer avant le cinq du mois, "
        "et la caution est restituée à la fin de l'été."
    )
    french = write(tmp_path / "batch" / "bail.txt", text, encoding=encoding)
    code, report = quire.index(french, quire.good_file())
    assert (code, report["added"], report["failed"]) == (0, 2, []), report
    hit = quire.top_hits("résumé du contrat")[0]
    assert hit["path"] == str(french.resolve())
    assert "résumé" in hit["text"] and "restituée à la fin de l'été" in hit["text"]
    quire.assert_found({BASELINE_QUERY: quire.baseline, GOOD_QUERY: quire.good_file()})


def test_file_over_the_size_limit_is_refused_with_how_to_raise_it(quire: Quire, tmp_path: Path) -> None:
    bad = write(tmp_path / "batch" / "export.txt", GOOD_TEXT.replace("Audit", "Huge export") + "\n")
    with bad.open("r+b") as handle:  # sparse: 200 MB on paper, a few bytes on disk
        handle.truncate(200 * 1024 * 1024)
    code, report = quire.index(bad, quire.good_file())
    reason = quire.assert_partial(code, report, bad, "200 MB", "100 MB limit", "--max-file-mb", "max_file_mb")
    assert reason.startswith("file is 200 MB")


def test_size_limit_is_configurable(quire: Quire, tmp_path: Path) -> None:
    # 2 MB on disk: a little text padded with blank lines (few chunks, cheap to embed).
    padded = BASELINE_TEXT.replace("Warehouse", "Depot") + "\n" + " \n" * (1024 * 1024)
    big = write(tmp_path / "batch" / "padded.txt", padded)
    assert big.stat().st_size > 2 * 1024 * 1024
    code, report = quire.index(big, quire.good_file(), options=("--max-file-mb", "1"))
    quire.assert_partial(code, report, big, "over the 1 MB limit", "--max-file-mb")

    code, report = quire.index(big)  # the default limit (100 MB) takes it
    assert (code, report["added"], report["failed"]) == (0, 1, []), report
    hit = quire.top_hits("Depot maintenance schedule")[0]
    assert hit["path"] == str(big.resolve())

    assert quire.cli("index", str(big), "--max-file-mb", "0", "--json")[0] == 2


def test_unsupported_extension_named_explicitly_fails(quire: Quire, tmp_path: Path) -> None:
    bad = tmp_path / "batch" / "budget.xlsx"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    code, report = quire.index(bad, quire.good_file())
    quire.assert_partial(code, report, bad, "unsupported file type '.xlsx'", ".pdf", ".txt")


def test_unsupported_extension_inside_a_folder_is_skipped(quire: Quire, tmp_path: Path) -> None:
    quire.good_file()
    (tmp_path / "batch" / "budget.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    (tmp_path / "batch" / "scan.tiff").write_bytes(b"II*\x00")
    code, report = quire.index(tmp_path / "batch")
    assert (code, report["added"], report["failed"], report["skipped"]) == (0, 1, [], 2), report
    assert report["skipped_files"] == [  # each named, with the reason
        {"path": str(tmp_path / "batch" / "budget.xlsx"), "reason": "unsupported type .xlsx"},
        {"path": str(tmp_path / "batch" / "scan.tiff"), "reason": "unsupported type .tiff"},
    ]
    quire.assert_found({GOOD_QUERY: quire.good_file(), BASELINE_QUERY: quire.baseline})


# -- the file system ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "named"), [("loop.txt", "explicitly"), ("loop", "explicitly"), ("loop.txt", "inside-folder")]
)
def test_symlink_loop_is_reported(quire: Quire, tmp_path: Path, name: str, named: str) -> None:
    good = quire.good_file()
    loop = tmp_path / "batch" / name
    loop.symlink_to(name)  # `ln -s loop loop`: points at itself
    code, report = quire.index(*([loop, good] if named == "explicitly" else [tmp_path / "batch"]))
    quire.assert_partial(code, report, loop, "symlink loop")


@pytest.mark.timeout(120)
def test_folder_symlink_to_its_parent_terminates_and_indexes_each_file_once(
    quire: Quire, tmp_path: Path
) -> None:
    root = tmp_path / "batch"
    good = quire.good_file()
    nested = write(root / "sub" / "contract.txt", "\n\n".join(CONTRACT_PAGES))
    (root / "sub" / "up").symlink_to("..", target_is_directory=True)
    (root / "sub" / "self").symlink_to(".", target_is_directory=True)
    code, report = quire.index(root)
    assert (code, report["added"], report["failed"], report["documents"]) == (0, 2, [], 3), report
    _, [docs] = quire.cli("docs", "--json")
    paths = [d["path"] for d in docs]
    assert sorted(paths) == sorted(str(p.resolve()) for p in (quire.baseline, good, nested))
    quire.assert_found({CONTRACT_QUERY: nested, GOOD_QUERY: good, BASELINE_QUERY: quire.baseline})


def test_file_deleted_while_indexing_is_reported(
    quire: Quire, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleted after it was found and hashed, just before the loader reads it."""
    doomed = write(tmp_path / "batch" / "doomed.txt", CONTRACT_PAGES[1])
    real_load = indexer_module.load_document

    def delete_then_load(path: Path, **kwargs: Any) -> Any:
        if path.name == doomed.name:
            path.unlink()
        return real_load(path, **kwargs)

    monkeypatch.setattr(indexer_module, "load_document", delete_then_load)
    code, report = quire.index(doomed, quire.good_file())
    quire.assert_partial(code, report, doomed, "not found")
    _, [docs] = quire.cli("docs", "--json")
    assert all(d["path"] != str(doomed) for d in docs)


def test_file_deleted_between_discovery_and_reading_is_reported(
    quire: Quire, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doomed = write(tmp_path / "batch" / "doomed.txt", CONTRACT_PAGES[1])
    quire.good_file()
    real_discover = indexer_module.discover

    def discover_then_delete(*args: Any) -> Any:
        found = real_discover(*args)
        doomed.unlink()
        return found

    monkeypatch.setattr(indexer_module, "discover", discover_then_delete)
    code, report = quire.index(tmp_path / "batch")
    quire.assert_partial(code, report, doomed, "no such file")


def test_unicode_and_spaces_in_paths(quire: Quire, tmp_path: Path) -> None:
    folder = tmp_path / "batch" / "Dossier Müller"
    contract = write(folder / "contrat été 2024.txt", "\n\n".join(CONTRACT_PAGES))
    good = quire.good_file()
    code, report = quire.index(folder, good)
    assert (code, report["added"], report["failed"]) == (0, 2, []), report
    hit = quire.top_hits(CONTRACT_QUERY)[0]
    assert hit["path"] == str(contract.resolve()) and hit["document"] == "contrat été 2024"
    _, [docs] = quire.cli("docs", "--json")
    assert str(contract.resolve()) in [d["path"] for d in docs]
    assert main(["--home", quire.home, "forget", str(contract)]) == 0
    assert "contrat été 2024" in quire.capsys.readouterr().out
    quire.assert_found({GOOD_QUERY: good, BASELINE_QUERY: quire.baseline})


def test_path_that_does_not_exist_is_reported(quire: Quire, tmp_path: Path) -> None:
    missing = tmp_path / "batch" / "nowhere" / "missing.txt"
    code, report = quire.index(missing, quire.good_file())
    reason = quire.assert_partial(code, report, missing, "does not exist")
    assert report["failed"][0]["path"] == str(missing)
    assert reason == "path does not exist"
    assert not missing.exists()
