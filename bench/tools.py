"""Tool selection on the written requests in tests/data/tool_requests.jsonl.

For each request the expected route is a tool or ``answer`` (a plain question for the
Answerer). Reported per tool: the rule router alone (requests it cannot place go to
the Answerer), rules then the bundled model for what the rules leave open (what
`quire ask` does), and the model alone, with the latency of each judge. For requests
routed to the right tool, the share whose arguments, decoded under the tool's own
schema, pass validation.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from assistant.config import Settings
from assistant.index.library import Library
from assistant.llm.registry import resolve_model
from assistant.tools.builtin import ToolContext, builtin_registry
from assistant.tools.loop import ToolLoop
from assistant.tools.router import route_by_rules
from bench.retrieval import percentile

REQUESTS = Path(__file__).resolve().parent.parent / "tests" / "data" / "tool_requests.jsonl"


def load(path: Path = REQUESTS) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["request"], row["tool"]) for row in rows]


def main() -> None:
    from assistant.llm.model import LlamaChatModel

    requests = load()
    work = Path(tempfile.mkdtemp(prefix="quire-tools-"))
    try:
        settings = Settings.load(work / "home")
        library = Library(settings)  # empty: only the tools' descriptions matter for choosing
        model = LlamaChatModel(
            resolve_model(settings.llm.model, settings.models_dir),
            name=settings.llm.model,
            settings=settings.llm,
        )
        model.warm_up()
        registry = builtin_registry(ToolContext(library, model, settings))
        loop = ToolLoop(registry, model)
        model.chat([{"role": "user", "content": "hi"}], max_tokens=1, temperature=0.0)  # first-call costs

        right: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        rule_ms: list[float] = []
        model_ms: list[float] = []
        to_model = valid_args = arg_tries = 0
        for request, expected in requests:
            started = time.perf_counter()
            ruled = route_by_rules(request)
            rule_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            chosen = loop.choose(request)
            model_ms.append((time.perf_counter() - started) * 1000)
            to_model += ruled is None
            combined = chosen if ruled is None else ruled
            counts = right[expected]
            counts["n"] += 1
            counts["rules"] += (ruled or "answer") == expected
            counts["combined"] += combined == expected
            counts["model"] += chosen == expected
            if combined == expected and expected in registry:
                arg_tries += 1
                arguments = loop.arguments(expected, request)
                valid_args += registry.validate(expected, arguments) is None
        n = len(requests)
        print(f"Tool selection: {n} written requests, model {settings.llm.model}")
        print(f"  {'expected':<20} {'n':>3}  {'rules':>6}  {'rules+model':>11}  {'model':>6}")
        for tool in [*registry.names, "answer"]:
            c = right[tool]
            if c["n"]:
                print(
                    f"  {tool:<20} {c['n']:>3}  {c['rules'] / c['n']:>6.2f}  {c['combined'] / c['n']:>11.2f}  {c['model'] / c['n']:>6.2f}"
                )
        totals = {key: sum(c[key] for c in right.values()) / n for key in ("rules", "combined", "model")}
        print(
            f"  {'all':<20} {n:>3}  {totals['rules']:>6.2f}  {totals['combined']:>11.2f}  {totals['model']:>6.2f}"
        )
        print(
            f"  rules decide {1 - to_model / n:.0%} of requests in p50 {percentile(rule_ms, 50):.3f} ms; "
            f"the model's choice takes p50 {percentile(model_ms, 50):.0f} ms, p95 {percentile(model_ms, 95):.0f} ms"
        )
        print(f"  arguments valid for the chosen tool: {valid_args}/{arg_tries}")
        model.close()
        library.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
