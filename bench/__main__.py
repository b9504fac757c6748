"""`make bench`: every benchmark; `python -m bench NAME...` runs some (retrieval, rare_terms,
grounding, columns, answers, tools, documents, comparison, load, worker; `worker --lib DIR` adds another llama.cpp build;
`answers --split tuning` measures the documents settings may be tuned on, instead of the held-out ones);
`python -m bench compare OLD.json NEW.json` prints two results files side by side.

Each benchmark runs on its own: one whose data source is gone (the registry stopped serving
``bigbench==1.0.0``, SQuAD's source) says which package is missing, and the others still run.
"""

import sys
import traceback
from collections.abc import Callable

from assistant.offline import enforce_offline

enforce_offline()

from bench import (  # noqa: E402
    answers,
    columns,
    comparison,
    documents,
    grounding,
    load,
    rare_terms,
    retrieval,
    tools,
    worker,
)

ORDER = [
    "retrieval",
    "rare_terms",
    "grounding",
    "columns",
    "answers",
    "tools",
    "documents",
    "comparison",
    "load",
    "worker",
]


def _option(name: str, default: str) -> str:
    """``--name VALUE`` from the command line, else ``default``."""
    args = sys.argv[1:]
    return args[args.index(name) + 1] if name in args[:-1] else default


def _run(name: str, main: Callable[[], None]) -> bool:
    try:
        main()
    except Exception as exc:  # one benchmark's failure must not hide the others' figures
        print(f"\n{name}: skipped, it failed: {type(exc).__name__}: {exc}")
        traceback.print_exc(limit=3, file=sys.stdout)
        return False
    return True


if __name__ == "__main__":
    if sys.argv[1:2] == ["compare"]:
        from bench import compare

        sys.exit(compare.main(sys.argv[2:]))
    options = sys.argv[sys.argv.index("--lib") :] if "--lib" in sys.argv else []
    values = {_option("--split", "")}
    wanted = [
        a for a in sys.argv[1:] if a not in options and a not in values and not a.startswith("--")
    ] or ORDER
    runs = {
        "retrieval": retrieval.main,
        "rare_terms": rare_terms.main,
        "grounding": grounding.main,
        "answers": lambda: answers.main(quick="--quick" in sys.argv, split=_option("--split", "heldout")),
        "tools": tools.main,
        "documents": documents.main,
        "columns": columns.main,
        "comparison": comparison.main,
        "load": load.main,
        "worker": lambda: worker.main(options),
    }
    unknown = [name for name in wanted if name not in runs]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(ORDER)}")
    failed = [name for name in ORDER if name in wanted and not (print() or _run(name, runs[name]))]
    if failed:
        print(f"\nBenchmarks that did not finish: {', '.join(failed)}")
