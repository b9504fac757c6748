"""One entry point for a request: route it, then answer it or run the tool loop.

The Answerer stays exactly as it is for plain questions (same latency, same grounded
reply); a tool request becomes an ``Answer`` too, carrying its trace, so the CLI, the
audit log and ``ask --json`` handle both the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from functools import partial

from assistant.answering.pipeline import Answerer
from assistant.answering.types import Answer, Confidence, PreviewCallback, TokenCallback, Turn
from assistant.jobs import Cancelled, CancelToken
from assistant.tools.builtin import ToolContext, builtin_registry
from assistant.tools.loop import ANSWER, ToolLoop
from assistant.tools.router import Route, Router

log = logging.getLogger(__name__)


class Assistant:
    """Routes each request to the Answerer or to the tools (owned by the engine thread)."""

    def __init__(self, answerer: Answerer, *, max_steps: int = 3, model_routing: bool = True) -> None:
        self.answerer = answerer
        self.context = ToolContext(answerer.library, answerer.model, answerer.library.settings)
        self.registry = builtin_registry(self.context)
        self.loop = ToolLoop(self.registry, answerer.model, max_steps=max_steps, document_titles=self._titles)
        self.router = Router(self.loop if model_routing else None)
        self.last_route: Route | None = None

    def _titles(self) -> list[str]:
        return sorted({d.title for d in self.context.library.documents(self.context.collection)})

    def ask(
        self,
        question: str,
        *,
        collection: str | None = None,
        history: Sequence[Turn] = (),
        cancel: CancelToken | None = None,
        on_token: TokenCallback | None = None,
        on_preview: PreviewCallback | None = None,
    ) -> Answer:
        """Answer ``question``; its ``trace`` lists the tool calls (empty for a plain question).

        ``history`` (earlier turns of a conversation) reaches the Answerer, which uses it to
        read a follow-up question; tool requests name what they act on themselves.
        """
        started = time.perf_counter()
        checked = self.answerer.check_question(question)  # a too-long request is refused the same way
        try:
            route = self.router.route(checked, cancel)
        except Cancelled:
            return Answer(checked, "", False, self.answerer.model.name, cancelled=True)
        self.last_route = route
        answer = partial(
            self.answerer.answer,
            checked,
            collection=collection,
            history=history,
            cancel=cancel,
            on_token=on_token,
            on_preview=on_preview,
        )
        log.info("Routed %r to %s by %s in %.1f ms", checked[:80], route.tool, route.source, route.ms)
        if route.tool == ANSWER:
            return answer()
        self.context.collection, self.context.cancel = collection, cancel
        result = Answer(checked, "", False, self.answerer.model.name)
        try:
            run = self.loop.run(checked, first_tool=route.tool, cancel=cancel)
        except Cancelled:
            result.cancelled = True
            result.timings.total_ms = (time.perf_counter() - started) * 1000
            return result
        if not run.trace:  # the model chose to answer after all
            return answer()
        result.answer, result.found = run.answer, run.ok
        result.trace = [entry.to_json() for entry in run.trace]
        if run.ok and run.tool and self.registry[run.tool].direct:
            result.tool_result = {"tool": run.tool, "value": run.value}
            # Each row or statement of a summary or table was checked against its page.
            result.confidence = Confidence.MEDIUM
        result.timings.total_ms = (time.perf_counter() - started) * 1000
        if on_token is not None and result.answer:
            on_token(result.answer)
        return result
