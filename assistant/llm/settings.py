"""Settings of the chat model, one section (``llm``) of Quire's settings file.

Zero means "choose for this machine" for ``threads`` and ``n_ctx``, so a settings file
copied to another laptop keeps working without edits.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MODEL = "qwen2.5-coder-0.5b-instruct-q4_k_m"


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
    n_ctx: int = 0
    max_answer_tokens: int = 384
    temperature: float = 0.0
