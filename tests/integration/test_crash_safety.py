"""kill -9 at any moment leaves the two stores in agreement, and `index` resumes.

A child process indexes 40 multi-chunk text files with the hash embedder into a fresh
home; the parent kills it with SIGKILL at moments spread over the indexing time, then
opens the same library in-process (which reconciles), checks that the registry and
chromadb agree and that every document marked indexed is whole and searchable, and
finally re-runs the indexer to completion.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.index.registry import Status
from assistant.index.repeats import distinct
from assistant.index.retrieve import SearchMode
from assistant.testing.fake_embedder import HashEmbedder

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FILES = 40
BATCH = 8  # small embedding batches: many separate writes, so kills land between and inside them
# When to kill, as shares of an uninterrupted run's indexing time measured on this machine
# first: fixed delays went stale once indexing got faster (2.5 s, then 0.7 s).
KILL_AT = (0.02, 0.2, 0.4, 0.65, 0.9)

CHILD = """
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.index.indexer import Indexer
from assistant.index.library import Library
from assistant.testing.fake_embedder import HashEmbedder

home, docs = Path(sys.argv[1]), Path(sys.argv[2])
settings = Settings.load(home)
settings.index.embed_batch_size = int(sys.argv[3])
with Library.open(settings, HashEmbedder()) as library:
    print("indexing", flush=True)
    report = Indexer(library).run([docs])
print("finished", report.added, flush=True)
"""


TOPICS = [
    "payment",
    "delivery",
    "notice",
    "audit",
    "escrow",
    "warranty",
    "liability",
    "renewal",
    "pricing",
    "venue",
    "insurance",
    "privacy",
    "assignment",
]


def word(n: int) -> str:
    """A word only file ``n`` contains (FTS5 keeps letters and digits together)."""
    return f"docword{n}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 text files of ~1,000 tokens each: several chunks per file."""
    folder = tmp_path_factory.mktemp("crash-corpus")
    for n in range(FILES):
        sentences = (  # words, not only numbers, differ between chunks: none is a repeat of another
            f"Document {n} sentence {i} mentions {word(n)} and the {TOPICS[i % 13]} clause "
            f"about {TOPICS[(i // 13 + n) % 13]} terms."
            for i in range(70)
        )
        (folder / f"file{n:02d}.txt").write_text(" ".join(sentences), encoding="utf-8")
    return folder


@contextmanager
def indexing_child(script: Path, home: Path, corpus: Path) -> Iterator[subprocess.Popen[str]]:
    """The indexing child, yielded once it has opened the library and started indexing."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QUIRE_HOME": str(home)}
    child = subprocess.Popen(
        [sys.executable, str(script), str(home), str(corpus), str(BATCH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the library is open and indexing starts
        assert line.strip() == "indexing", f"child did not start indexing: {line!r}"
        yield child
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


def indexing_seconds(script: Path, home: Path, corpus: Path) -> float:
    """How long the child takes to index the whole corpus here, left alone."""
    with indexing_child(script, home, corpus) as child:
        started = time.perf_counter()
        assert child.wait(timeout=120) == 0
        return time.perf_counter() - started


def index_and_kill(script: Path, home: Path, corpus: Path, delay: float) -> int:
    """SIGKILL the indexing child ``delay`` s after it starts indexing; its exit code."""
    with indexing_child(script, home, corpus) as child:
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        return child.wait(timeout=30)


def assert_consistent(library: Library) -> list[str]:
    """The stores agree and every indexed document is whole and searchable; their paths."""
    assert library.verify() == []
    indexed = library.registry.documents(statuses=(Status.INDEXED,))
    for doc in indexed:
        chunks = library.registry.chunk_window(doc.id, 0, doc.chunks)
        assert doc.chunks > 1 and [c.ordinal for c in chunks] == list(range(doc.chunks)), doc.path
        with_vectors = [chunks[i] for i in distinct([c.text for c in chunks])]  # repeats have none
        assert len(with_vectors) > 1, doc.path
        assert sorted(library.vectors.ids_of_document(doc.id)) == sorted(c.id for c in with_vectors)
        n = int(Path(doc.path).stem.removeprefix("file"))
        lexical = library.search(word(n), k=50, mode=SearchMode.LEXICAL, neighbours=0)
        assert {h.chunk_id for h in lexical} == {c.id for c in chunks}, doc.path
        dense = library.search(with_vectors[-1].text, k=1, mode=SearchMode.DENSE, neighbours=0)
        assert dense and dense[0].chunk_id == with_vectors[-1].id, doc.path
    # Nothing half-written survives the reconciliation on open.
    statuses = {d.status for d in library.registry.documents()}
    assert statuses <= {Status.INDEXED, Status.PENDING}, statuses
    return [d.path for d in indexed]


def test_sigkill_at_any_moment_keeps_the_stores_in_step(corpus: Path, tmp_path: Path) -> None:
    script = tmp_path / "index_child.py"
    script.write_text(CHILD, encoding="utf-8")
    full_run = indexing_seconds(script, tmp_path / "home-timing", corpus)
    partial_runs = 0
    for round_number, delay in enumerate(share * full_run for share in KILL_AT):
        home = tmp_path / f"home-{round_number}"
        code = index_and_kill(script, home, corpus, delay)
        settings = Settings.load(home)
        with Library.open(settings, HashEmbedder()) as library:
            survived = assert_consistent(library)
            if code == -signal.SIGKILL and 0 < len(survived) < FILES:
                partial_runs += 1

            report = Indexer(library).run([corpus])
            assert report.failed == []
            assert (report.documents, report.unchanged, report.added) == (
                FILES,
                len(survived),
                FILES - len(survived),
            ), f"round {round_number} (killed after {delay:.2f} s of {full_run:.2f} s)"
            assert len(assert_consistent(library)) == FILES
    # The delays must really have interrupted indexing half-way, not before or after it.
    assert partial_runs >= 2, (
        f"no kill landed in the middle of a {full_run:.2f} s indexing run: adjust KILL_AT"
    )
