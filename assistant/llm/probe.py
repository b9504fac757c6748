"""Does a model run on this computer? One token decoded in a throwaway process, before anyone relies on it.

A llama.cpp build can load a model and still die on its first matrix multiply (the AMX
kernels of ggml-org/llama.cpp#20824 on Intel Xeons since Sapphire Rapids). `make install`
checks each bundled model this way and stops with the reason, and the app checks a model
the user adds before it is registered, so the failure is a sentence at set-up, not a
crash at the first question.
"""

from __future__ import annotations

import dataclasses
import logging
from functools import partial
from pathlib import Path

from assistant.config import LLMSettings
from assistant.llm.cpu import CPUINFO, read_cpu
from assistant.llm.errors import ModelCrashedError, ModelError
from assistant.llm.worker import ModelFactory

log = logging.getLogger(__name__)

PROBE_CTX = 512  # a small context loads fast; the kernels that crash are the same
REBUILD_HINT = (
    "Rebuild llama-cpp-python for this CPU: `rm -rf build/llama-native-* .venv/.llama-* && make install` "
    "(the Makefile builds llama.cpp without AMX, whose kernels crash on Q4_K models: "
    "ggml-org/llama.cpp#20824)."
)


class ModelCannotRunError(ModelError):
    """A model that loads but cannot decode here: the message names the CPU and the fix."""


def cpu_description(cpuinfo: Path = CPUINFO) -> str:
    """ "Intel(R) Xeon(R) Processor with avx2, avx512f, amx_tile": the CPU and the features that matter here."""
    return read_cpu(cpuinfo).describe()


def check_factory_runs(factory: ModelFactory, path: Path | str) -> None:
    """Decode one token with the model ``factory`` builds, in a child process; raise if the child dies."""
    from assistant.llm.process import WorkerChatModel

    model = WorkerChatModel(factory, restart=False)
    try:
        model.warm_up()
        model.chat([{"role": "user", "content": "Say OK."}], max_tokens=1, temperature=0.0)
    except ModelCrashedError as exc:
        cpu = cpu_description()
        log.error("Model %s cannot run here (%s) on %s", path, exc.how, cpu)
        raise ModelCannotRunError(
            path,
            f"this model cannot run on this computer: llama.cpp stopped ({exc.how}) while decoding "
            f"one token. CPU: {cpu}. {REBUILD_HINT}",
        ) from exc
    finally:
        model.close()


def check_model_runs(path: Path, settings: LLMSettings | None = None) -> None:
    """``check_factory_runs`` for a GGUF file, with a small context and the configured threads."""
    from assistant.llm.model import LlamaChatModel

    probe_settings = dataclasses.replace(settings or LLMSettings(), n_ctx=PROBE_CTX)
    check_factory_runs(partial(LlamaChatModel, path, name=path.stem, settings=probe_settings), path)
