"""`quire ask`, `quire chat`, `quire models` and `quire audit`: the answering side of the CLI.

Each command is a thin layer over the ``Session``: it parses, calls one session method
and prints what comes back; the session stores and audits.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.cli.common import ExitCode, UsageError, read_lines
from assistant.cli.common import emit as _emit

if TYPE_CHECKING:
    from assistant.answering.types import Answer, PassagePreview
    from assistant.session.session import Session


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ask = commands.add_parser("ask", help="answer a question from your documents, with citations")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--questions", type=Path, help="file with one question per line (with --json)")
    ask.add_argument("--collection")
    ask.add_argument("--model", help="chat model name (see `quire models`)")
    ask.add_argument("--json", action="store_true")
    ask.add_argument(
        "--no-history", action="store_true", help="keep no conversation (the answer is still audited)"
    )

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
    audit.add_argument(
        "--needs-review",
        action="store_true",
        help="only answers of low confidence, to check against their sources",
    )


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _print_model_notice(session: Session) -> None:
    if session.model_notice:
        print(session.model_notice, file=sys.stderr)


def _print_preview(preview: PassagePreview) -> None:
    """The closest passage sentence while the model reads: something true to read at once."""
    _write(f"[closest passage, {preview.document} p. {preview.page}: “{preview.sentence}”]\n")


def _print_sources(answer: Answer) -> None:
    if answer.trace:
        print("\nTools used:")
        for step in answer.trace:
            state = "ok" if step["ok"] else f"failed: {step['result']}"
            print(f"  {step['tool']}({json.dumps(step['arguments'], ensure_ascii=False)})  {state}")
        return
    if answer.found:
        if answer.unsupported_answer:
            print(
                f"\n(!) Not confirmed by your documents, so not given as the answer: {answer.unsupported_answer}"
            )
        elif not answer.verified:
            print(
                "\n(!) Not every sentence of this answer is backed by a passage: check it against the sources."
            )
        print("\nClosest passages:" if answer.unsupported_answer else "\nSources:")
        for c in answer.citations:
            print(f"  [{c.n}] {c.document}, page {c.page}  ({c.path})")
        print(f"\nConfidence: {confidence_note(answer)}")
    elif answer.passages:
        print("\nClosest passages:")
        for n, p in enumerate(answer.passages, start=1):
            print(f"  {n}. {p.document}, page {p.page}: {' '.join(p.text.split())[:160]}…")


def _question_list(args: argparse.Namespace) -> list[str]:
    if (args.question is None) == (args.questions is None):
        raise UsageError("give a QUESTION or --questions FILE")
    if args.questions is None:
        return [args.question]
    if not args.json:
        raise UsageError("--questions needs --json")
    return read_lines(args.questions)


def cmd_ask(args: argparse.Namespace, session: Session) -> int:
    """Each question is answered in a new conversation (as in the app) unless ``--no-history``."""
    from assistant.answering.types import QuestionError
    from assistant.cli.terminal import cancel_on_interrupt
    from assistant.jobs import CancelToken
    from assistant.llm.errors import ModelCrashedError

    questions = _question_list(args)
    session.load_model(args.model)
    _print_model_notice(session)
    failures = 0
    for question in questions:
        cancel = CancelToken()
        streamed: list[str] = []
        try:
            with cancel_on_interrupt(cancel):
                answer = session.ask(
                    question,
                    collection=args.collection,
                    remember=not args.no_history,
                    cancel=cancel,
                    on_token=None if args.json else _streamer(streamed),
                    on_preview=None if args.json else _print_preview,
                ).answer
        except QuestionError as exc:
            if args.questions is None:
                raise UsageError(str(exc)) from exc
            _emit({"question": question, "error": str(exc)})
            failures += 1
            continue
        except ModelCrashedError as exc:  # one answer lost; the model was restarted for the next
            if args.questions is None:
                raise
            _emit({"question": question, "error": str(exc)})
            failures += 1
            continue
        if args.json:
            _emit(answer.to_json())
        else:
            print()
            _print_correction(answer, "".join(streamed))
            _print_sources(answer)
    return ExitCode.PARTIAL if failures else ExitCode.OK


def _streamer(record: list[str]) -> Callable[[str], None]:
    def write(text: str) -> None:
        record.append(text)
        _write(text)

    return write


def _print_correction(answer: Answer, streamed: str) -> None:
    """The final answer, when what streamed was a guess the check then set aside.

    The direct answer streams as the model writes it; when no sentence of the passages
    states it, the answer becomes "the documents may not answer this directly" with the
    closest passages, and a terminal cannot take back what it printed, so it says so.
    """
    if streamed and not answer.answer.startswith(streamed):
        print("\n(!) No sentence of your documents states the answer above. Instead:")
        print(answer.answer)


def cmd_chat(args: argparse.Namespace, session: Session) -> int:
    from assistant.answering.types import QuestionError
    from assistant.cli.terminal import cancel_on_interrupt
    from assistant.jobs import CancelToken
    from assistant.llm.errors import ModelCrashedError

    model = session.load_model(args.model)
    _print_model_notice(session)
    conversation_id: str | None = None
    print(f"Quire chat ({model.name}, offline). Empty line or Ctrl+D to quit; Ctrl+C stops an answer.")
    while True:
        try:
            question = input("\nYou: ").strip()
        except EOFError:
            break
        if not question:
            break
        cancel = CancelToken()
        streamed: list[str] = []
        sys.stdout.write("Quire: ")
        try:
            with cancel_on_interrupt(cancel):
                result = session.ask(
                    question,
                    conversation_id=conversation_id,
                    collection=args.collection,
                    cancel=cancel,
                    on_token=_streamer(streamed),
                    on_preview=_print_preview,
                )
        except (QuestionError, ModelCrashedError) as exc:
            print(exc)
            continue
        conversation_id = result.conversation_id
        print()
        _print_correction(result.answer, "".join(streamed))
        _print_sources(result.answer)
    return ExitCode.OK


def cmd_models(args: argparse.Namespace, session: Session) -> int:
    settings = session.settings
    if args.action == "use":
        if not args.target:
            raise UsageError("models use NAME")
        known = {m.name for m in session.models()}
        if args.target not in known:
            raise UsageError(f"unknown model {args.target!r}; known: {', '.join(sorted(known))}")
        settings.llm.model = args.target
        settings.save()
        print(f"Now using {args.target}.")
        return ExitCode.OK
    if args.action == "add":
        if not args.target:
            raise UsageError("models add PATH_TO.gguf")
        info = session.add_model(Path(args.target).expanduser().resolve())
        print(
            f"Added {info.name} ({info.quantization}, context {info.context_length}). Use it with: quire models use {info.name}"
        )
        return ExitCode.OK
    rows = session.models()
    if args.json:
        _emit([m.to_json() for m in rows])
        return ExitCode.OK
    for m in rows:
        mark = "*" if m.active else " "
        size = f"{m.size / 1e6:,.0f} MB" if m.size else "-"
        print(
            f"{mark} {m.name:<40} {m.quantization:<8} ctx {m.context_length or '?':<6} {size:>9}  {m.status}"
        )
    return ExitCode.OK


def confidence_note(answer: Answer) -> str:
    """The confidence as a reader should take it, in words."""
    from assistant.answering.types import Confidence

    if answer.confidence is Confidence.HIGH:
        return "high (the cited sentences state the answer)"
    if answer.confidence is Confidence.MEDIUM:
        return "medium (read the cited sentences before relying on it)"
    return "low: check the source before relying on this answer"


def cmd_audit(args: argparse.Namespace, session: Session) -> int:
    entries = session.audit.entries()
    if args.needs_review:
        entries = [e for e in entries if e.get("needs_review")]
    if args.json:
        _emit(entries)
        return ExitCode.OK
    if not entries:
        print("No answers need review." if args.needs_review else "No answers recorded yet.")
    for entry in entries[-args.n :]:
        pages = ", ".join(f"{p['document']} p.{p['page']}" for p in entry["passages"])
        state = "verified" if entry.get("verified") else ("found" if entry["found"] else "not found")
        if entry.get("status") == "failed":
            state = "failed, no answer"
            entry["answer"] = entry.get("error", "")
        elif entry.get("confidence"):
            state += f", {entry['confidence']} confidence"
        print(
            f"{entry['time']}  [{state}]  {entry['question']}\n    -> {entry['answer']}\n    passages: {pages or '-'}"
        )
    return ExitCode.OK
