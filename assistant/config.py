"""Typed settings and the directories Quire may write to.

Everything Quire writes lives under one *home* (``QUIRE_HOME`` or ``--home``
override the platform default), except assembled model files, which live in one
models directory shared by every home (``QUIRE_MODELS``) so that a new or temporary
library never copies a model again.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from assistant.files import atomic_write_json

log = logging.getLogger(__name__)

APP_NAME = "Quire"
SETTINGS_FILE = "settings.json"
AUDIT_FILE = "audit.jsonl"
CONVERSATIONS_FILE = "conversations.sqlite3"
LOG_FILE = "quire.log"
DEFAULT_MAX_FILE_MB = 100


def bundle_dir() -> Path | None:
    """The read-only data folder of a frozen build (PyInstaller's ``sys._MEIPASS``), else None.

    The installable app (``make package``) carries the default chat model in
    ``<bundle>/models`` and the exported embedder in ``<bundle>/cache``, so it runs with
    no prepare step and no network; the user's data still goes to the platform's folders.
    """
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) if getattr(sys, "frozen", False) and base else None


def bundled_cache_dir() -> Path | None:
    """``<bundle>/cache`` (the embedder exported at build time) in a frozen build that has one."""
    bundle = bundle_dir()
    return bundle / "cache" if bundle is not None and (bundle / "cache").is_dir() else None


def default_home() -> Path:
    env = os.environ.get("QUIRE_HOME")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_models_dir() -> Path:
    env = os.environ.get("QUIRE_MODELS")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "models"


def default_cache_dir() -> Path:
    """Derived artefacts that can always be rebuilt (exported ONNX embedders).

    A frozen build reads its embedder from inside itself: it has no torch to export one.
    """
    env = os.environ.get("QUIRE_CACHE")
    if env:
        return Path(env).expanduser()
    bundled = bundled_cache_dir()
    if bundled is not None:
        return bundled
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


# The default chat model, chosen by `make bench` on held-out and professional questions; the
# fast one answers in a third of the time with less complete answers, and is what Quire falls
# back to where memory is short (``assistant.llm.choice``).
DEFAULT_MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"
FAST_MODEL = "qwen2.5-coder-0.5b-instruct-q4_k_m"


class WeightRepack(enum.StrEnum):
    """Whether llama.cpp repacks the model's weights for this CPU's vector units at load.

    ``auto`` turns it off on CPUs with AVX-512: there, measured with both bundled models
    (``python -m bench worker``, bench/results/worker.json), the repacked Q4_K weights read
    prompts 1.4-1.5x slower with the 1.5B model (time to first word 13.5 s against 9.0 s with
    a core busy) for 5-10% faster decoding. Elsewhere (AVX2 CPUs) it stays on, as before.
    """

    AUTO = "auto"
    ON = "on"
    OFF = "off"


@dataclass
class LLMSettings:
    """Which chat model to run and how.

    ``model`` is a catalog name or the name of a user-added GGUF (``quire models``);
    ``threads`` 0 = physical cores; ``gpu_layers`` layers offloaded when llama.cpp was
    built with a GPU backend (0 = CPU only, -1 = all); ``n_ctx`` 0 = the model's trained
    context capped by ``LlamaChatModel``'s memory budget; ``max_answer_tokens`` is the room
    the answer pipeline keeps free for the reply; ``temperature`` stays low because
    grounded answers should not be creative.
    """

    model: str = DEFAULT_MODEL
    threads: int = 0
    gpu_layers: int = 0
    repack_weights: WeightRepack = WeightRepack.AUTO
    n_ctx: int = 0
    max_answer_tokens: int = 384
    temperature: float = 0.0


class Fusion(enum.StrEnum):
    """How the dense and lexical rankings are combined (see ``RetrievalSettings``)."""

    RRF = "rrf"
    SCORE = "score"


class EmbedderBackend(enum.StrEnum):
    """How the embedder runs: ``auto`` is int8 ONNX with a logged fallback to torch."""

    AUTO = "auto"
    ONNX_INT8 = "onnx-int8"
    ONNX = "onnx"
    TORCH = "torch"


@dataclass
class IndexSettings:
    """How documents are read and cut into chunks."""

    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 0
    passage_neighbours: int = 2
    max_file_mb: int = DEFAULT_MAX_FILE_MB
    # Distinct passages one file may bring (repeats of a log line count once): each costs ~30 ms to
    # embed on 2 cores, so 15,000 is ~8 minutes; a larger file is refused, naming this limit.
    max_file_passages: int = 15_000
    ocr: bool = True
    embed_batch_size: int = 32


@dataclass
class RetrievalSettings:
    """Fusion of dense and lexical rankings; defaults tuned by `make bench` on a dev split.

    ``fusion`` is ``score`` (weighted sum of min-max normalised cosine and BM25) or
    ``rrf`` (weighted reciprocal rank fusion with ``rrf_k``). On SQuAD the lexical
    side is the stronger one, and score fusion beat RRF on the dev split.
    """

    fusion: Fusion = Fusion.SCORE
    rrf_k: int = 10
    dense_weight: float = 0.3
    lexical_weight: float = 0.7
    candidates: int = 30
    default_k: int = 5


@dataclass
class EmbedderSettings:
    """``model`` is a sentence-transformers folder or empty for the bundled MiniLM.

    ``backend`` is ``auto`` (int8 ONNX when it can be exported, else torch),
    ``onnx-int8``, ``onnx`` or ``torch``.
    """

    model: str = ""
    backend: EmbedderBackend = EmbedderBackend.AUTO


@dataclass
class AnswerSettings:
    """How questions are answered from the library.

    ``passage_tokens`` bounds the passages put in the prompt: on 2 cores the model
    reads ~160 prompt tokens a second, so this is what sets time to first word.
    ``min_similarity`` is the not-found threshold on the best passage's cosine
    similarity, calibrated by `make bench` on questions the library cannot answer
    (0.35 on SQuAD dev: refuses two thirds of questions about absent articles while
    refusing at most 5% of answerable ones; the model's own "not found" catches more).
    """

    passages: int = 4
    passage_tokens: int = 520
    min_similarity: float = 0.35
    history_turns: int = 3
    max_question_chars: int = 2000


@dataclass
class StorageSettings:
    """Where the library lives when not in the home (a larger disk, an encrypted volume).

    ``library_location`` empty means ``<home>/library``. Settings, conversations and
    logs stay in the home, so a library on a removable disk that is absent does not
    take the settings with it.
    """

    library_location: str = ""


@dataclass
class Settings:
    """All of Quire's settings, stored as JSON in the home directory."""

    home: Path = field(default_factory=default_home)
    models_dir: Path = field(default_factory=default_models_dir)
    cache_dir: Path = field(default_factory=default_cache_dir)
    index: IndexSettings = field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    embedder: EmbedderSettings = field(default_factory=EmbedderSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)
    answer: AnswerSettings = field(default_factory=lambda: AnswerSettings())
    storage: StorageSettings = field(default_factory=StorageSettings)

    @property
    def library_dir(self) -> Path:
        location = self.storage.library_location.strip()
        return Path(location).expanduser() if location else self.home / "library"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def log_path(self) -> Path:
        return self.log_dir / LOG_FILE

    @property
    def audit_path(self) -> Path:
        """Every answer given from this library; it travels with the library, not the home."""
        return self.library_dir / AUDIT_FILE

    @property
    def conversations_path(self) -> Path:
        """Conversations stay in the home: rebuilding a library never loses what was asked."""
        return self.home / CONVERSATIONS_FILE

    @classmethod
    def load(cls, home: Path | None = None) -> Settings:
        """Settings for ``home`` (default: the platform's), merged over defaults.

        Unknown keys in the file are ignored with a warning rather than failing, so an
        older Quire can open a newer home.
        """
        settings = cls(home=home) if home is not None else cls()
        if home is not None and "QUIRE_CACHE" not in os.environ and bundled_cache_dir() is None:
            settings.cache_dir = home / "cache"
        path = settings.home / SETTINGS_FILE
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                _merge(settings, data, path)
            except (OSError, ValueError) as exc:
                log.warning("Ignoring unreadable settings file %s: %s", path, exc)
        return settings

    def save(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        data = {
            "index": dataclasses.asdict(self.index),
            "retrieval": dataclasses.asdict(self.retrieval),
            "embedder": dataclasses.asdict(self.embedder),
            "llm": dataclasses.asdict(self.llm),
            "answer": dataclasses.asdict(self.answer),
            "storage": dataclasses.asdict(self.storage),
        }
        atomic_write_json(self.home / SETTINGS_FILE, data)


def _merge(settings: Settings, data: dict[str, Any], source: Path) -> None:
    for section_name, values in data.items():
        section = getattr(settings, section_name, None)
        if section is None or not dataclasses.is_dataclass(section) or not isinstance(values, dict):
            log.warning("Unknown settings section %r in %s", section_name, source)
            continue
        known = {f.name: f for f in dataclasses.fields(section)}
        for key, value in values.items():
            if key not in known:
                log.warning("Unknown setting %s.%s in %s", section_name, key, source)
                continue
            expected = type(getattr(section, key))
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if issubclass(expected, enum.Enum):
                try:
                    value = expected(value)
                except ValueError:
                    choices = ", ".join(str(member.value) for member in expected)
                    log.warning("Setting %s.%s in %s should be one of %s", section_name, key, source, choices)
                    continue
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                log.warning("Setting %s.%s in %s should be %s", section_name, key, source, expected.__name__)
                continue
            setattr(section, key, value)
