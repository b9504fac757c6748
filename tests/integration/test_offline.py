"""Offline and contained: no connection attempted, nothing written outside Quire's folders.

The subprocess test runs the installed `quire` console script with a clean environment
(none of the offline variables the test session sets), HOME and the XDG folders pointed
at an empty fake home, and a ``sitecustomize`` that records every socket operation
through an audit hook (which sees calls from any library, not only patched ones).
Afterwards the fake home and the temporary folder must still be empty: this is what
catches onnxruntime's telemetry folder (~/.cache/Microsoft), Hugging Face caches,
chromadb's ~/.chroma and the like.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"

AUDIT_HOOK = """
import os
import sys

_LOG = os.environ["QUIRE_TEST_SOCKET_LOG"]
_WATCHED = ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
            "socket.gethostbyname", "socket.gethostbyaddr", "socket.bind")


def _hook(event, args):
    if event in _WATCHED:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{event} {args[1:]!r}\\n")


sys.addaudithook(_hook)
"""


def quire_command() -> list[str]:
    script = Path(sys.executable).with_name("quire")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.usefixtures("int8_embedder")  # exported into the shared cache beforehand: runs only load it
def test_cli_writes_only_inside_its_own_folders(tmp_path: Path, embedder_cache_dir: Path) -> None:
    fake_home = tmp_path / "fake-home"
    fake_tmp = tmp_path / "fake-tmp"
    hooks = tmp_path / "hooks"
    for folder in (fake_home, fake_tmp, hooks):
        folder.mkdir()
    (hooks / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    socket_log = tmp_path / "sockets.log"
    quire_home = tmp_path / "quire-home"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(fake_home),
        "XDG_CACHE_HOME": str(fake_home / ".cache"),
        "XDG_DATA_HOME": str(fake_home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(fake_home / ".config"),
        "XDG_STATE_HOME": str(fake_home / ".local" / "state"),
        "TMPDIR": str(fake_tmp),
        "QUIRE_CACHE": str(embedder_cache_dir),  # the session's exported int8 model
        "PYTHONPATH": str(hooks),
        "QUIRE_TEST_SOCKET_LOG": str(socket_log),
    }

    def quire(*args: str) -> Any:
        done = subprocess.run(
            [*quire_command(), "--home", str(quire_home), *args, "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    report = quire("index", str(SAMPLES))
    assert (report["added"], report["failed"]) == (3, [])
    hits = quire("search", "penicillin allergy")
    assert hits and "discharge" in hits[0]["path"]

    assert tree(fake_home) == [], "written outside Quire's folders"
    assert tree(fake_tmp) == [], "temporary files left behind"
    assert not socket_log.exists(), socket_log.read_text(encoding="utf-8")
    assert (quire_home / "library").is_dir()


def test_no_network_call_during_index_and_search(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def blocked(*args: object, **kwargs: object) -> Any:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.socket') else args}")
            raise OSError(f"network disabled in this test ({name})")

        return blocked

    for method in ("connect", "connect_ex", "sendto", "sendmsg", "bind"):
        monkeypatch.setattr(socket.socket, method, refuse(f"socket.socket.{method}"))
    for function in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, function, refuse(f"socket.{function}"))
    home = str(tmp_path / "home")
    docs = tmp_path / "docs"
    shutil.copytree(SAMPLES, docs)
    assert main(["--home", home, "index", str(docs), "--json"]) == 0
    assert main(["--home", home, "search", "penicillin", "--json"]) == 0
    assert main(["--home", home, "docs", "--json"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert json.loads(out[0])["added"] == 3
    assert "discharge" in json.loads(out[1])[0]["path"]
    assert attempts == []
