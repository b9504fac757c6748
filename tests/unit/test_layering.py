"""Imports go one way: kernel <- ingest/embed/llm <- index <- answering <- documents <- tools
<- session <- cli and ui.

Read from the source (every ``import``, also the ones inside functions and under
``TYPE_CHECKING``), so a lazy import cannot hide a dependency that points upwards. The
layer picture is the one ``docs/ARCHITECTURE.md`` draws; a change to it changes both.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The kernel: settings, errors, jobs, text helpers, SQLite migrations, atomic writes, logging.
KERNEL = {"config", "errors", "jobs", "text", "migrations", "files", "logs", "offline"}
# Rank of each top-level part of `assistant`; a module may import its own part and lower ranks.
RANKS = {
    "kernel": 0,
    "ingest": 1,
    "embed": 1,
    "llm": 1,
    "index": 2,
    "answering": 3,
    "documents": 4,  # summaries and extraction check their statements with answering's grounding
    "tools": 5,
    "session": 6,
    "cli": 7,
    "testing": 7,  # the fakes tests use in place of the parts; nothing in the engine imports them
}


def part_of(module: str) -> str:
    """``assistant.index.library`` -> ``index``; ``ui.chat_pane`` -> ``ui``."""
    pieces = module.split(".")
    if pieces[0] != "assistant" or len(pieces) == 1:
        return pieces[0]
    return "kernel" if pieces[1] in KERNEL else pieces[1]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports from ``assistant`` or ``ui``, absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("assistant", "ui")}


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_every_engine_part_has_a_rank() -> None:
    tops = {part_of(module_name(p)) for p in sources("assistant") if module_name(p) != "assistant"}
    assert tops == set(RANKS), "a new top-level part of assistant/ needs a place in the layers"


@pytest.mark.parametrize("path", sources("assistant"), ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_imports_only_its_own_layer_and_below(path: Path) -> None:
    here = module_name(path)
    if here == "assistant":
        return
    mine = part_of(here)
    upward = []
    for name in imports_of(path):
        other = part_of(name)
        if other == "ui":
            upward.append(f"{name} (the engine never imports the UI)")
        elif other in RANKS and other != mine and RANKS[other] >= RANKS[mine]:
            upward.append(f"{name} ({other}, rank {RANKS[other]} >= {mine}, rank {RANKS[mine]})")
    assert upward == [], f"{here} imports upwards"


@pytest.mark.parametrize("path", sources("ui"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_app_reaches_the_engine_through_the_session(path: Path) -> None:
    """The UI builds no engine part itself: no library, model, store or audit log of its own."""
    builders = {
        "assistant.index.indexer.Indexer",
        "assistant.index.registry.Registry",
        "assistant.index.vectors",
        "assistant.embed.factory",
        "assistant.llm.model",
        "assistant.session.parts.build_chat_model",
        "assistant.session.parts.build_embedder",
        "assistant.session.conversations.ConversationStore",
        "assistant.session.audit.AuditLog",
        "assistant.answering.pipeline",
        "assistant.tools",
        "assistant.cli",
    }
    used = {name for name in imports_of(path) if any(name.startswith(b) for b in builders)}
    assert used == set(), f"{module_name(path)} builds engine parts instead of asking the Session"


def test_the_command_line_never_imports_the_app() -> None:
    offenders = [
        module_name(p) for p in sources("assistant/cli") if any(part_of(n) == "ui" for n in imports_of(p))
    ]
    assert offenders == []
