"""Logging set-up: everything to a rotating file in the home, warnings to stderr.

Errors are logged with context and shown to the user as one readable line; the
details (tracebacks) go to the file, never to the terminal.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def configure(path: Path, *, verbose: bool = False, console: bool = True) -> Path:
    """Log to the file ``path`` (``Settings.log_path``), errors also to stderr; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_quire", False):
            root.removeHandler(handler)
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(FORMAT))
    file_handler._quire = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler()
        stream.setLevel(logging.DEBUG if verbose else logging.ERROR)
        stream.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        stream._quire = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    for noisy in ("chromadb", "httpx", "urllib3", "sentence_transformers", "transformers", "onnxruntime"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
