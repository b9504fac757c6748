"""JSON schemas turned into llama.cpp grammars, each checked before any decoding uses it.

Constrained decoding is how a small model is made to reply in valid JSON. llama-cpp-python
converts the schema to a GBNF grammar and hands it to llama.cpp; when that grammar does not
parse (its converter escapes a double quote inside an enum value wrongly, for one), llama.cpp
returns no sampler and llama-cpp-python adds the null pointer to its sampler chain: the
process dies with SIGSEGV, and in the app the window goes with it. So every grammar is built
here and parsed by llama.cpp once, on its own, before a decode is allowed to use it; one that
does not parse raises ``GrammarError``, which callers log and fall back from.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from assistant.errors import QuireError

log = logging.getLogger(__name__)

_CACHE_LIMIT = 64  # schemas seen by one model; the tool loop's change with the library's titles


class GrammarError(QuireError, ValueError):
    """A response schema that llama.cpp cannot turn into a grammar (decoding would crash)."""


class GrammarCache:
    """Checked grammars of one loaded model, by schema (building one can take a while)."""

    def __init__(self, vocab: Any) -> None:
        self._vocab = vocab
        self._grammars: dict[str, Any] = {}

    def for_schema(self, schema: dict[str, Any]) -> Any:
        """The ``LlamaGrammar`` for ``schema``; ``GrammarError`` when llama.cpp rejects it."""
        from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

        key = json.dumps(schema, sort_keys=True, ensure_ascii=False)
        if key in self._grammars:
            return self._grammars[key]
        try:
            text = json_schema_to_gbnf(json.dumps(schema))
        except Exception as exc:  # the converter's own refusals (unsupported keywords)
            raise GrammarError(f"the response schema cannot be turned into a grammar: {exc}") from exc
        if not self._parses(text):
            log.error("llama.cpp rejected the grammar of response schema %.300s", key)
            raise GrammarError("llama.cpp could not parse the grammar built from the response schema")
        if len(self._grammars) >= _CACHE_LIMIT:
            self._grammars.pop(next(iter(self._grammars)))
        grammar = LlamaGrammar.from_string(text, verbose=False)
        self._grammars[key] = grammar
        return grammar

    def _parses(self, text: str) -> bool:
        import llama_cpp

        sampler = llama_cpp.llama_sampler_init_grammar(self._vocab, text.encode("utf-8"), b"root")
        if not sampler:
            return False
        llama_cpp.llama_sampler_free(sampler)
        return True
