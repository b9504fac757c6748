"""The model layer: which GGUF chat models exist, how they are assembled, and how they run.

Importing this package is cheap: llama-cpp-python is imported only when a model is
warmed up.
"""

from assistant.config import DEFAULT_MODEL, LLMSettings
from assistant.llm.catalog import CATALOG, CatalogEntry, assemble, get_entry, is_assembled, model_path
from assistant.llm.chat import ChatMessage, ChatModel, ChatTimings, ContextOverflowError
from assistant.llm.errors import ModelError, ModelNotInstalledError
from assistant.llm.gguf import GGUFInfo, read_gguf, validate_chat_model
from assistant.llm.model import LlamaChatModel, choose_n_ctx
from assistant.llm.registry import ModelInfo, add_model, list_models, remove_model, resolve_model

__all__ = [
    "CATALOG",
    "DEFAULT_MODEL",
    "CatalogEntry",
    "ChatMessage",
    "ChatModel",
    "ChatTimings",
    "ContextOverflowError",
    "GGUFInfo",
    "LLMSettings",
    "LlamaChatModel",
    "ModelError",
    "ModelInfo",
    "ModelNotInstalledError",
    "add_model",
    "assemble",
    "choose_n_ctx",
    "get_entry",
    "is_assembled",
    "list_models",
    "model_path",
    "read_gguf",
    "remove_model",
    "resolve_model",
    "validate_chat_model",
]
