"""`quire ask`, `quire chat`, `quire models` and `quire audit`: the answering side of the CLI.

Kept apart from ``assistant.cli`` (the library commands) so each stays small; both
share its exit codes and JSON conventions.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli_common import EXIT_OK, EXIT_PARTIAL, UsageError
from assistant.cli_common import emit as _emit
from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.answer import Answer, Answerer


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ask = commands.add_parser("ask", help="answer a question from your documents, with citations")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--questions", type=Path, help="file with one question per line (with --json)")
    ask.add_argument("--collection")
    ask.add_argument("--model", help="chat model name (see `quire models`)")
    ask.add_argument("--json", action="store_true")

    chat = commands.add_parser("chat", help="interactive conversation with follow-up questions")
    chat.add_argument("--collection")
    chat.add_argument("--model")

    models = commands.add_parser("models", help="list chat models, add a GGUF file, or switch")
    models.add_argument("action", nargs="?", choices=["list", "use", "add"], default="list")
    models.add_argument("target", nargs="?", help="model name (use) or GGUF path (add)")
    models.add_argument("--json", action="store_true")

    audit = commands.add_parser("audit", help="show the log of answers given from this library")
    audit.add_argument("--json", action="store_true")
    audit.add_argument("-n", type=int, default=20, help="last N entries (text output)")


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _answerer(settings: Settings, model_name: str | None) -> Answerer:
    from assistant.answer import Answerer
    from assistant.engine import build_chat_model, open_library

    library = open_library(settings)
    model = build_chat_model(settings, model_name)
    model.warm_up()
    return Answerer(library, model, settings)


def _print_sources(answer: Answer) -> None:
    if answer.trace:
        print("\nTools used:")
        for step in answer.trace:
            state = "ok" if step["ok"] else f"failed: {step['result']}"
            print(f"  {step['tool']}({json.dumps(step['arguments'], ensure_ascii=False)})  {state}")
        return
    if answer.found:
        if not answer.verified:
            print("\n(!) Not every sentence of this answer cites a passage: check it against the sources.")
        print("\nSources:")
        for c in answer.citations:
            print(f"  [{c.n}] {c.document}, page {c.page}  ({c.path})")
    elif answer.passages:
        print("\nClosest passages:")
        for n, p in enumerate(answer.passages, start=1):
            print(f"  {n}. {p.document}, page {p.page}: {' '.join(p.text.split())[:160]}…")


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.answer import QuestionError
    from assistant.audit import AuditLog
    from assistant.jobs import CancelToken
    from assistant.terminal import cancel_on_interrupt

    if (args.question is None) == (args.questions is None):
        raise UsageError("give a QUESTION or --questions FILE")
    if args.questions is not None and not args.json:
        raise UsageError("--questions needs --json")
    if args.questions is not None:
        try:
            questions = args.questions.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {args.questions}: {exc}") from exc
    else:
        questions = [args.question]
    from assistant.tools.assist import Assistant

    answerer = _answerer(settings, args.model)
    assistant = Assistant(answerer)  # plain questions go straight to the answerer; tool requests to tools
    audit = AuditLog(settings.library_dir / "audit.jsonl")
    failures = 0
    for question in questions:
        cancel = CancelToken()
        stream = None if args.json else _write
        try:
            with cancel_on_interrupt(cancel):
                answer = assistant.ask(question, collection=args.collection, cancel=cancel, on_token=stream)
        except QuestionError as exc:
            if args.questions is None:
                raise UsageError(str(exc)) from exc
            _emit({"question": question, "error": str(exc)})
            failures += 1
            continue
        audit.record(answer)
        if args.json:
            _emit(answer.to_json())
        else:
            print()
            _print_sources(answer)
    answerer.library.close()
    return EXIT_PARTIAL if failures else EXIT_OK


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.answer import QuestionError, Turn
    from assistant.audit import AuditLog
    from assistant.history import ConversationStore
    from assistant.jobs import CancelToken
    from assistant.terminal import cancel_on_interrupt
    from assistant.tools.assist import Assistant

    answerer = _answerer(settings, args.model)
    assistant = Assistant(answerer)
    audit = AuditLog(settings.library_dir / "audit.jsonl")
    store = ConversationStore(settings.home / "conversations.sqlite3")
    conversation = None
    turns: list[Turn] = []
    print(
        f"Quire chat ({answerer.model.name}, offline). Empty line or Ctrl+D to quit; Ctrl+C stops an answer."
    )
    while True:
        try:
            question = input("\nYou: ").strip()
        except EOFError:
            break
        if not question:
            break
        cancel = CancelToken()
        sys.stdout.write("Quire: ")
        try:
            with cancel_on_interrupt(cancel):
                answer = assistant.ask(
                    question,
                    collection=args.collection,
                    history=turns,
                    cancel=cancel,
                    on_token=_write,
                )
        except QuestionError as exc:
            print(exc)
            continue
        print()
        _print_sources(answer)
        audit.record(answer)
        if conversation is None:
            conversation = store.create(question, args.collection)
        store.add_turn(conversation.id, question, answer.answer, answer.found, answer.to_json())
        turns.append(Turn(question, answer.answer))
    store.close()
    answerer.library.close()
    return EXIT_OK


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.llm.registry import add_model, list_models

    if args.action == "use":
        if not args.target:
            raise UsageError("models use NAME")
        known = {m.name for m in list_models(settings.models_dir, settings.llm.model)}
        if args.target not in known:
            raise UsageError(f"unknown model {args.target!r}; known: {', '.join(sorted(known))}")
        settings.llm.model = args.target
        settings.save()
        print(f"Now using {args.target}.")
        return EXIT_OK
    if args.action == "add":
        if not args.target:
            raise UsageError("models add PATH_TO.gguf")
        info = add_model(Path(args.target).expanduser().resolve(), settings.models_dir)
        print(
            f"Added {info.name} ({info.quantization}, context {info.context_length}). Use it with: quire models use {info.name}"
        )
        return EXIT_OK
    rows = list_models(settings.models_dir, settings.llm.model)
    if args.json:
        _emit([m.to_json() for m in rows])
        return EXIT_OK
    for m in rows:
        mark = "*" if m.active else " "
        size = f"{m.size / 1e6:,.0f} MB" if m.size else "-"
        print(
            f"{mark} {m.name:<40} {m.quantization:<8} ctx {m.context_length or '?':<6} {size:>9}  {m.status}"
        )
    return EXIT_OK


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.audit import AuditLog

    entries = AuditLog(settings.library_dir / "audit.jsonl").entries()
    if args.json:
        _emit(entries)
        return EXIT_OK
    if not entries:
        print("No answers recorded yet.")
    for entry in entries[-args.n :]:
        pages = ", ".join(f"{p['document']} p.{p['page']}" for p in entry["passages"])
        state = "verified" if entry.get("verified") else ("found" if entry["found"] else "not found")
        print(
            f"{entry['time']}  [{state}]  {entry['question']}\n    -> {entry['answer']}\n    passages: {pages or '-'}"
        )
    return EXIT_OK
