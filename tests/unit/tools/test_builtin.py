"""The built-in tools over a real library, the sandbox, and no writes or sockets."""

from __future__ import annotations

import os
import socket
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from assistant.documents.compare import Comparison
from assistant.documents.summarize import Bullet, Summary
from assistant.index.library import Library
from assistant.tools import builtin
from assistant.tools.registry import ToolRegistry
from assistant.tools.sandbox import SandboxError, resolve_document


def test_list_search_and_read(tools: ToolRegistry) -> None:
    listed = tools.call("list_documents", {})
    assert listed.ok and sorted(d["title"] for d in listed.value) == ["clinic-letter", "lease"]
    found = tools.call("search_documents", {"query": "cure a late payment", "k": 2})
    assert found.ok and found.value[0]["document"] == "lease" and found.value[0]["page"] == 3
    page = tools.call("read_passage", {"document": "lease", "page": 2})
    assert page.ok and "eight thousand pounds" in page.value["text"]
    missing = tools.call("read_passage", {"document": "lease", "page": 9})
    assert not missing.ok and "pages 1 to 3" in missing.error
    bad_k = tools.call("search_documents", {"query": "rent", "k": 50})
    assert not bad_k.ok and "between 1 and 10" in bad_k.error


def test_date_and_calculate_tools(tools: ToolRegistry) -> None:
    days = tools.call("date_difference", {"start": "3 March 2025", "end": "1 April 2025", "unit": "days"})
    assert days.ok and days.value["value"] == 29
    bad = tools.call("date_difference", {"start": "soon", "end": "1 April 2025", "unit": "days"})
    assert not bad.ok and "cannot read 'soon' as a date" in bad.error
    total = tools.call("calculate", {"expression": "8000 * 12"})
    assert total.ok and total.value["value"] == 96000
    evil = tools.call("calculate", {"expression": "__import__('os').system('id')"})
    assert not evil.ok


@pytest.mark.parametrize(
    "reference", ["lease", "LEASE", "lease.pdf", "Lease", "clinic letter", "clinic_letter"]
)
def test_documents_resolve_by_title_or_file_name(library: Library, reference: str) -> None:
    assert resolve_document(library, reference).title in {"lease", "clinic-letter"}


def test_documents_resolve_by_id_and_registered_path(library: Library, docs: Path) -> None:
    doc = resolve_document(library, "lease")
    assert resolve_document(library, doc.id) == doc
    assert resolve_document(library, str(docs / "lease.pdf")) == doc
    assert resolve_document(library, "docs/lease.pdf") == doc


def test_references_outside_the_library_are_refused(library: Library, docs: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    link = docs / "link.pdf"
    link.symlink_to(secret)
    outside_dir = tmp_path / "elsewhere"
    outside_dir.mkdir()
    (outside_dir / "lease.pdf").symlink_to(docs / "lease.pdf")
    for reference in [
        "../secret.txt",
        "docs/../secret.txt",
        "/etc/passwd",
        str(secret),
        str(link),  # a symlink inside the folder whose target is outside the library
        "~/.ssh/id_rsa",
        "C:\\Windows\\system.ini",
        "",
        "nonexistent",
        "a\x00b",
    ]:
        with pytest.raises(SandboxError):
            resolve_document(library, reference)
    # A symlink that leads to a registered file reads that file, which is in the library.
    assert resolve_document(library, str(outside_dir / "lease.pdf")).title == "lease"


def test_refusals_come_back_as_tool_errors(tools: ToolRegistry) -> None:
    result = tools.call("read_passage", {"document": "../../etc/passwd", "page": 1})
    assert not result.ok and "'..'" in result.error
    result = tools.call("extract_facts", {"documents": ["/etc/passwd"], "schema": "contract"})
    assert not result.ok and "not a document in your library" in result.error


@pytest.fixture
def stub_engine(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Stand-ins for assistant.documents.summarize / assistant.documents.extract with their agreed interface."""
    calls: list[tuple[str, Any]] = []

    def summarize_document(
        library: Any, model: Any, doc: Any, *, template: str, length: str, progress: Any, cancel: Any
    ) -> Summary:
        calls.append(("summarize", (doc.title, template, length)))
        bullet = Bullet(
            "Payment: Rent is 8,000 pounds a month.", [2], "Payment", "Rent is 8,000 pounds a month."
        )
        return Summary(doc.title, template, [bullet], path=doc.path, length=length)

    def extract_facts(library: Any, model: Any, docs: Any, schema: str, *, progress: Any, cancel: Any) -> Any:
        calls.append(("extract", ([d.title for d in docs], schema)))
        rows = {"rows": [{"document": d.title} for d in docs]}
        return types.SimpleNamespace(to_json=lambda: rows, to_markdown=lambda: "| table |")

    def compare_documents(
        library: Any, model: Any, a: Any, b: Any, schema: str, *, progress: Any, cancel: Any
    ) -> Any:
        calls.append(("compare", (a.title, b.title, schema)))
        return Comparison(a, b, schema)

    monkeypatch.setattr(builtin, "summarize_document", summarize_document)
    monkeypatch.setattr(builtin, "compare_documents", compare_documents)
    monkeypatch.setattr(builtin, "extract_facts", extract_facts)
    return calls


def test_summarize_and_extract_call_the_engine(
    tools: ToolRegistry, stub_engine: list[tuple[str, Any]], tmp_path: Path
) -> None:
    summary = tools.call("summarize_document", {"document": "lease.pdf", "template": "contract"})
    assert summary.ok
    assert summary.value["document"] == "lease" and summary.value["template"] == "contract"
    assert summary.value["path"] == str(tmp_path / "docs" / "lease.pdf") and summary.value["length"] == "page"
    assert summary.value["summary"] == [
        {
            "text": "Payment: Rent is 8,000 pounds a month.",
            "pages": [2],
            "heading": "Payment",
            "quote": "Rent is 8,000 pounds a month.",
            "rewritten": False,
        }
    ]
    facts = tools.call("extract_facts", {"documents": ["lease", "clinic letter"], "schema": "medical"})
    assert facts.ok and facts.value["extraction"]["rows"][1] == {"document": "clinic-letter"}
    assert facts.value["table"] == "| table |"
    assert stub_engine == [
        ("summarize", ("lease", "contract", "page")),
        ("extract", (["lease", "clinic-letter"], "medical")),
    ]
    wrong = tools.call("summarize_document", {"document": "lease", "template": "poem"})
    assert not wrong.ok and len(stub_engine) == 2


_WATCH: dict[str, Any] = {"on": False, "root": "", "events": []}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _WATCH["on"]:
        return
    if event in ("socket.connect", "socket.getaddrinfo", "socket.bind", "socket.sendto"):
        _WATCH["events"].append((event, repr(args)[:80]))
    elif event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        path, mode = os.fsdecode(args[0]), args[1]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        )
        if writing and not Path(path).resolve().is_relative_to(_WATCH["root"]):
            _WATCH["events"].append((event, path))


sys.addaudithook(_audit)  # permanent for the process, but inert unless a test switches it on


@contextmanager
def watch(root: Path) -> Iterator[list[tuple[str, str]]]:
    _WATCH.update(on=True, root=root.resolve(), events=[])
    try:
        yield _WATCH["events"]
    finally:
        _WATCH["on"] = False


def test_tools_never_write_outside_the_data_dir_nor_open_sockets(
    tools: ToolRegistry, library: Library, stub_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a tool tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    calls = [
        ("list_documents", {}),
        ("search_documents", {"query": "rent per month"}),
        ("read_passage", {"document": "lease", "page": 1}),
        ("summarize_document", {"document": "lease"}),
        ("extract_facts", {"documents": ["lease"], "schema": "contract"}),
        ("list_dates", {}),
        ("compare_documents", {"first": "lease", "second": "clinic letter"}),
        ("date_difference", {"start": "2025-01-01", "end": "2025-02-01", "unit": "weeks"}),
        ("calculate", {"expression": "2 + 2"}),
    ]
    assert {name for name, _ in calls} == set(tools.names)
    with watch(library.settings.home) as events:
        results = [tools.call(name, arguments) for name, arguments in calls]
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert events == []


def test_the_watch_itself_sees_writes_and_sockets(tmp_path: Path, quire_home: Path) -> None:
    with watch(quire_home) as events:
        (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
        with socket.socket() as sock, pytest.raises(OSError):
            sock.connect(("127.0.0.1", 9))  # nothing listens there; the attempt is what is audited
    assert [e[0] for e in events] == ["open", "socket.connect"]


def test_unknown_collection_is_an_error_not_an_empty_list(tools: ToolRegistry) -> None:
    result = tools.call("list_documents", {"collection": "my library"})
    assert not result.ok and "there is no collection 'my library'" in result.error


@pytest.mark.parametrize("reference", ["the lease", "the lease agreement", "Lease document"])
def test_a_title_inside_a_longer_phrase_resolves(library: Library, reference: str) -> None:
    assert resolve_document(library, reference).title == "lease"
