"""The chat model behind Quire's answers: a small Protocol and its llama-cpp-python backend.

Design points, each checked against llama-cpp-python 0.3.36's source:

- Loading happens in ``warm_up()`` on the engine's worker thread, never in ``__init__``,
  and the file is validated from its GGUF header first so a bad file fails with a reason.
- The chat template is the GGUF's own ``tokenizer.chat_template``: we pass
  ``chat_format="chat_template.default"``, the name under which ``Llama.__init__``
  registers a ``Jinja2ChatFormatter`` built from that metadata (left to ``None``, it may
  substitute a built-in format whose text merely looks similar).
- Prefix reuse: ``Llama.generate`` compares the new prompt's tokens with the tokens
  still in the KV cache (``_input_ids``), drops only the cells after the common prefix
  (``kv_cache_seq_rm``) and evaluates just the rest. So keeping one ``Llama`` object and
  putting the stable part of the prompt (system prompt) first is all it takes; a
  ``LlamaCache`` would only add state copies. ``ChatTimings.cached_tokens`` shows it.
- Cancellation: between tokens we stop pulling from the stream and close it; during
  prompt evaluation (seconds on 2 cores) a llama.cpp abort callback makes
  ``llama_decode`` return early. The KV state stays consistent: ``Llama.eval`` trims
  the cache to ``n_tokens`` before every decode. Cancelled streams raise ``Cancelled``.
- llama.cpp's own log lines go to the ``assistant.llm.llama_cpp`` logger, not stderr.
  (With ``verbose=False`` llama-cpp-python also redirects fds 1 and 2 to /dev/null while
  the model loads: process-wide, about a second, once.)
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psutil

from assistant.config import LLMSettings, WeightRepack
from assistant.jobs import Cancelled, CancelToken
from assistant.llm.chat import ChatMessage, ChatModel, ChatTimings, ContextOverflowError, JoinedChat
from assistant.llm.cpu import CPUINFO, read_cpu
from assistant.llm.errors import ModelError
from assistant.llm.gguf import GGUFInfo, validate_chat_model
from assistant.llm.grammar import GrammarCache

__all__ = [
    "ChatMessage",
    "ChatModel",
    "ChatTimings",
    "ContextOverflowError",
    "LlamaChatModel",
    "choose_n_ctx",
    "physical_cores",
]

log = logging.getLogger(__name__)
_cpp_log = logging.getLogger("assistant.llm.llama_cpp")

DEFAULT_MAX_CTX = 8192  # enough for passages + history; prompt reading speed is the real limit
MIN_CTX = 512
_FALLBACK_KV_BYTES_PER_TOKEN = 128 * 1024
_BANNED = -100.0  # logit bias that no token's own logit overcomes


def physical_cores() -> int:
    """Threads for llama.cpp: physical cores, since hyperthreads slow matrix kernels down."""
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def kv_bytes_per_token(info: GGUFInfo) -> int:
    """f16 K and V cache bytes one token of context costs, from the GGUF header."""
    md, arch = info.metadata, info.architecture
    layers = md.get(f"{arch}.block_count")
    heads = md.get(f"{arch}.attention.head_count")
    emb = md.get(f"{arch}.embedding_length")
    if not (isinstance(layers, int) and isinstance(heads, int) and isinstance(emb, int) and heads > 0):
        return _FALLBACK_KV_BYTES_PER_TOKEN
    kv_heads = md.get(f"{arch}.attention.head_count_kv", heads)
    kv_heads = kv_heads if isinstance(kv_heads, int) else heads
    k_len = md.get(f"{arch}.attention.key_length", emb // heads)
    v_len = md.get(f"{arch}.attention.value_length", k_len)
    return int(layers * kv_heads * (int(k_len) + int(v_len)) * 2)


def default_kv_budget() -> int:
    """KV-cache memory we allow ourselves: 1/16 of RAM, between 256 MiB and 1 GiB."""
    total = psutil.virtual_memory().total
    return int(min(max(total // 16, 256 << 20), 1 << 30))


def choose_n_ctx(info: GGUFInfo, requested: int = 0, kv_budget: int | None = None) -> int:
    """Context size: the setting if given, else the trained context capped by memory and 8192."""
    trained = info.context_length or 4096
    if requested > 0:
        return min(requested, trained)
    budget = default_kv_budget() if kv_budget is None else kv_budget
    by_memory = budget // max(kv_bytes_per_token(info), 1)
    n_ctx = min(trained, DEFAULT_MAX_CTX, by_memory) // 256 * 256
    return max(n_ctx, min(MIN_CTX, trained))


# llama.cpp logs these as errors, yet nothing is wrong for the user: how a cancel ends, and a
# GGUF vocabulary quirk the loader fixes itself ("'</s>' was not control-type ... its type will
# be overridden", on every load of the bundled Qwen models). Shown on stderr, an "ERROR" line
# before every answer tells a user something failed when nothing did.
_NOT_ERRORS = ("removing memory module entries", "control-looking token")
_log_callback: Any = None  # keeps the ctypes callback alive for the life of the process


def log_level(level: int, message: str) -> int:
    """The Python logging level of one of llama.cpp's log lines (ggml's ``level``: 2 warn, 3 error)."""
    if any(benign in message for benign in _NOT_ERRORS):
        return logging.INFO
    return {2: logging.INFO, 3: logging.ERROR}.get(level, logging.DEBUG)  # its "warnings" are chatter for us


def _install_log_bridge(llama_cpp: Any) -> None:
    """Route llama.cpp's native log lines to Python logging instead of stderr."""
    global _log_callback
    if _log_callback is not None:
        return

    def bridge(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
        message = text.decode("utf-8", errors="replace").rstrip()
        if message:
            _cpp_log.log(log_level(level, message), "%s", message)

    _log_callback = llama_cpp.llama_log_callback(bridge)
    llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))


def use_passive_waiting() -> None:
    """Let llama.cpp's threads sleep while they wait for each other, unless the user chose otherwise.

    OpenMP's threads spin while waiting by default; on a laptop where another program keeps
    a core busy, a spinning thread burns the time slices its partner needs and decoding
    collapses (``python -m bench load`` measures it). OpenMP reads the variable once, when
    llama.cpp is loaded, so this runs before the first ``import llama_cpp``.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def cpu_has_avx512(cpuinfo: Path = CPUINFO) -> bool:
    return "avx512f" in read_cpu(cpuinfo).flags


def repack_weights(choice: WeightRepack, avx512: bool | None = None) -> bool:
    """Whether llama.cpp repacks the weights at load (see ``WeightRepack``)."""
    if choice is WeightRepack.AUTO:
        return not (cpu_has_avx512() if avx512 is None else avx512)
    return choice is WeightRepack.ON


@contextlib.contextmanager
def model_params(*, use_extra_bufts: bool) -> Iterator[None]:
    """``Llama()`` with ``use_extra_bufts`` set, which llama-cpp-python 0.3.36 does not expose.

    ``Llama.__init__`` takes its model parameters from ``llama_model_default_params()``; for
    the length of the load, that function returns them with the flag set. The model runs in
    a process of its own, one load at a time, so nothing else sees the swap.
    """
    import llama_cpp.llama_cpp as low

    if use_extra_bufts:
        yield
        return
    default = low.llama_model_default_params

    def params() -> Any:
        values = default()
        values.use_extra_bufts = False
        return values

    low.llama_model_default_params = params
    try:
        yield
    finally:
        low.llama_model_default_params = default


class LlamaChatModel(JoinedChat):
    """A GGUF chat model run in-process by llama-cpp-python.

    Not thread-safe: one worker thread owns it (warm_up, tokenize, stream_chat); only
    ``CancelToken.cancel`` may be called from elsewhere.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        name: str | None = None,
        settings: LLMSettings | None = None,
        kv_budget: int | None = None,
    ) -> None:
        self._path = Path(path)
        self._name = name or self._path.stem
        self._settings = settings or LLMSettings()
        self._kv_budget = kv_budget
        self._llm: Any = None
        self._formatter: Any = None
        self._info: GGUFInfo | None = None
        self._n_ctx = 0
        self._last_timings: ChatTimings | None = None
        self._abort_cb: Any = None
        self._grammars: GrammarCache | None = None
        self.load_seconds = 0.0

    @property
    def name(self) -> str:
        return self._name

    @property
    def path(self) -> Path:
        return self._path

    @property
    def info(self) -> GGUFInfo:
        if self._info is None:
            self._info = validate_chat_model(self._path)
        return self._info

    @property
    def n_ctx(self) -> int:
        """The context size in use (after warm_up) or planned (read from the header)."""
        if not self._n_ctx:
            self._n_ctx = choose_n_ctx(self.info, self._settings.n_ctx, self._kv_budget)
        return self._n_ctx

    @property
    def last_timings(self) -> ChatTimings | None:
        return self._last_timings

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    def warm_up(self) -> None:
        """Load the model (idempotent). Raises ``ModelError`` naming the file if it cannot."""
        if self._llm is not None:
            return
        info = validate_chat_model(self._path)
        self._info = info
        use_passive_waiting()
        import llama_cpp  # deferred: importing it costs time the UI should not wait for
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        _install_log_bridge(llama_cpp)
        threads = self._settings.threads or physical_cores()
        n_ctx = self.n_ctx
        started = time.perf_counter()
        repack = repack_weights(self._settings.repack_weights)
        try:
            with model_params(use_extra_bufts=repack):
                llm = llama_cpp.Llama(
                    model_path=str(self._path),
                    n_ctx=n_ctx,
                    n_threads=threads,
                    n_threads_batch=threads,
                    n_gpu_layers=self._settings.gpu_layers,
                    chat_format="chat_template.default",
                    verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(self._path, f"llama.cpp could not load the model: {exc}") from exc
        eos, bos = llm.token_eos(), llm.token_bos()
        self._formatter = Jinja2ChatFormatter(
            template=str(llm.metadata.get("tokenizer.chat_template") or info.chat_template),
            eos_token=llm._model.token_get_text(eos) if eos != -1 else "",
            bos_token=llm._model.token_get_text(bos) if bos != -1 else "",
            stop_token_ids=[eos],
        )
        self._llm = llm
        self._grammars = GrammarCache(llm._model.vocab)
        self.load_seconds = time.perf_counter() - started
        log.info(
            "Loaded %s in %.1f s (n_ctx %d, %d threads, %d GPU layers, weights %s)",
            self._name, self.load_seconds, n_ctx, threads, self._settings.gpu_layers,
            "repacked" if repack else "as stored",
        )  # fmt: skip

    def close(self) -> None:
        """Free the model's memory now rather than at garbage collection."""
        if self._llm is not None:
            self._llm.close()
            self._llm = None
            self._grammars = None

    def _require(self) -> Any:
        if self._llm is None:
            raise RuntimeError(f"model {self._name!r} is not loaded: call warm_up() first")
        return self._llm

    def tokenize(self, text: str) -> list[int]:
        """Tokens of plain text (special-token text is not interpreted, no BOS)."""
        return list(self._require().tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def render_prompt(self, messages: Sequence[ChatMessage]) -> str:
        """The exact prompt text the GGUF's chat template makes of ``messages``."""
        self._require()
        return str(self._formatter(messages=list(messages)).prompt)

    def count_prompt_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Tokens the whole prompt takes, template markers and generation prompt included."""
        prompt = self.render_prompt(messages)
        return len(self._require().tokenize(prompt.encode("utf-8"), add_bos=False, special=True))

    def _set_abort(self, cancel: CancelToken | None) -> None:
        import llama_cpp

        llm = self._require()
        if cancel is None:
            # NULL first, then drop our reference: llama.cpp must never hold a freed thunk.
            llama_cpp.llama_set_abort_callback(llm.ctx, llama_cpp.ggml_abort_callback(), None)
            self._abort_cb = None
            return
        self._abort_cb = llama_cpp.ggml_abort_callback(lambda _data: cancel.cancelled)
        llama_cpp.llama_set_abort_callback(llm.ctx, self._abort_cb, None)

    def stream_chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float,
        cancel: CancelToken | None = None,
        response_format: dict[str, Any] | None = None,
        avoid: Sequence[str] = (),
    ) -> Iterator[str]:
        """Yield the reply as it is generated; see the module docstring for cancellation.

        Checks happen now, not at the first ``next()``: ``ContextOverflowError`` if the
        prompt and ``max_tokens`` do not fit, ``GrammarError`` if the schema of
        ``response_format`` (``{"type": "json_object", "schema": {...}}``) cannot be decoded
        under. The schema's grammar is built and checked here (see ``assistant.llm.grammar``);
        any other ``response_format`` is passed to llama-cpp-python as is.
        """
        llm = self._require()
        prompt_tokens = self.count_prompt_tokens(messages)
        if prompt_tokens + max_tokens > llm.n_ctx():
            raise ContextOverflowError(prompt_tokens, max_tokens, llm.n_ctx())
        constraint: dict[str, Any] = {"response_format": response_format}
        schema = (response_format or {}).get("schema")
        if isinstance(schema, dict) and self._grammars is not None:
            constraint = {"grammar": self._grammars.for_schema(schema)}
        bias = {token: _BANNED for token in self._first_tokens(avoid)}
        return self._generate(llm, messages, prompt_tokens, max_tokens, temperature, cancel, constraint, bias)

    def _first_tokens(self, texts: Sequence[str]) -> set[int]:
        """The tokens each text can start with (after a space or not, capitalised or not).

        Tokens of digits and punctuation are left alone: banning them would also ban the
        JSON syntax and passage numbers the reply is made of.
        """
        tokens: set[int] = set()
        for text in texts:
            for variant in {text, text.lower(), text[:1].upper() + text[1:]}:
                for spelled in (variant, f" {variant}"):
                    ids = self.tokenize(spelled)
                    if ids and any(
                        ch.isalpha() for ch in self._require().detokenize(ids[:1]).decode(errors="ignore")
                    ):
                        tokens.add(ids[0])
        return tokens

    def _generate(
        self,
        llm: Any,
        messages: Sequence[ChatMessage],
        prompt_tokens: int,
        max_tokens: int,
        temperature: float,
        cancel: CancelToken | None,
        constraint: dict[str, Any],
        logit_bias: dict[int, float],
    ) -> Iterator[str]:
        import llama_cpp

        # An aborted decode leaves its tokens queued in llama.cpp's perf counters;
        # synchronizing folds them in so the reset really starts from zero.
        llama_cpp.llama_synchronize(llm.ctx)
        llama_cpp.llama_perf_context_reset(llm.ctx)
        started = time.perf_counter()
        first = last = 0.0
        cancelled = False
        finish: str | None = None
        # The abort callback only guards prompt evaluation; it is removed at the first
        # token so the per-node Python call does not slow decoding down.
        self._set_abort(cancel)
        stream = llm.create_chat_completion(
            messages=list(messages),
            max_tokens=max_tokens,
            temperature=temperature,
            stream=True,
            logit_bias=logit_bias or None,
            **constraint,
        )
        try:
            while True:
                if cancel is not None and cancel.cancelled:
                    cancelled = True
                    break
                try:
                    chunk = next(stream)
                except StopIteration:
                    break
                except RuntimeError:
                    if cancel is not None and cancel.cancelled:  # llama_decode aborted
                        cancelled = True
                        break
                    raise
                choice = chunk["choices"][0]
                finish = choice.get("finish_reason") or finish
                text = choice.get("delta", {}).get("content")
                if text:
                    last = time.perf_counter()
                    if not first:
                        first = last
                        self._set_abort(None)
                    yield text
        finally:
            stream.close()
            self._set_abort(None)
            perf = llama_cpp.llama_perf_context(llm.ctx)
            completion = perf.n_eval + 1 if first else 0
            decode_s = last - first
            self._last_timings = ChatTimings(
                prompt_tokens=prompt_tokens,
                prompt_eval_tokens=min(int(perf.n_p_eval), prompt_tokens),
                completion_tokens=completion,
                ttft_s=(first or time.perf_counter()) - started,
                decode_tokens_per_s=(completion - 1) / decode_s if decode_s > 0 else 0.0,
                total_s=time.perf_counter() - started,
                cancelled=cancelled,
                finish_reason="cancelled" if cancelled else finish,
            )
        if cancelled:
            raise Cancelled()
