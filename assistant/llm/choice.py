"""Which chat model to load: the configured one, or the fast one where memory is short.

A laptop with 4 GB free runs the default model well; one with 2 GB free would swap, and
every answer would take minutes. Quire then loads the fast model by itself and says
so, once, in words the user can act on. A model the user chose by name (Settings,
`quire models use`, `--model`) is always loaded as chosen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from assistant.config import DEFAULT_MODEL, FAST_MODEL
from assistant.llm.catalog import get_entry

log = logging.getLogger(__name__)

# What a loaded model needs beyond its file: the context's KV cache, llama.cpp's compute
# buffers, the embedder and the app itself (1.5B measured at 2.8 GB peak RSS with a 1.1 GB file).
HEADROOM = 1_700_000_000


@dataclass(frozen=True)
class ModelChoice:
    name: str
    notice: str = ""  # why this is not the configured model; empty when it is


def needed_memory(name: str) -> int:
    entry = get_entry(name)
    return (entry.size if entry is not None else 0) + HEADROOM


def choose_model(configured: str, available: int) -> ModelChoice:
    """``configured`` unless it is the default and ``available`` bytes cannot hold it."""
    if configured != DEFAULT_MODEL or available >= needed_memory(DEFAULT_MODEL):
        return ModelChoice(configured)
    default, fast = get_entry(DEFAULT_MODEL), get_entry(FAST_MODEL)
    assert default is not None and fast is not None
    notice = (
        f"Using the fast model ({fast.display_name}): this computer has {available / 1e9:.1f} GB of "
        f"memory free and the default model ({default.display_name}) needs about "
        f"{needed_memory(DEFAULT_MODEL) / 1e9:.1f} GB. Answers may be less complete; close other "
        "programs and reload the model in Settings to use the default."
    )
    log.warning("%s", notice)
    return ModelChoice(FAST_MODEL, notice)


def available_memory() -> int:
    """Bytes of memory the system can give without swapping."""
    import psutil

    return int(psutil.virtual_memory().available)
