"""Smoke test of the *built* app (dist/Quire), run by packaging/smoke.sh with no network.

Standard library only, and run by the system's python3, never the project's .venv: the
bundle under test must not lean on either. Every Quire process gets a clean environment
and a fresh temporary home, so the models can only come from inside the bundle.

1. `quire index` the sample documents, `quire ask --json` a question about the lease,
   and check the answer is found, cites the lease and quotes the right figure.
2. `quire-desktop` under Xvfb: wait for a viewable window titled "Quire…", then for the
   log line that says the chat model is ready; if xdotool is installed, type a question
   into the window and wait for the answer to reach the audit log.

Prints the measured times (process start to result) and writes them as JSON with --report.
Exit status 0 when every check passed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent / "resources" / "samples"
QUESTION = "What late charge does the tenant pay on overdue rent?"
EXPECTED_DOCUMENT = "lease-agreement.md"
EXPECTED_TEXT = "5%"
GUI_QUESTION = "What is the late charge on overdue rent?"
WINDOW_PREFIX = "Quire"


class SmokeError(AssertionError):
    """A check failed; the message says which and why."""


def say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeError(message)


def network_state() -> str:
    """'none' when no outside address is reachable (as inside ``unshare -n``), else 'UP'."""
    try:
        with socket.create_connection(("192.0.2.1", 9), timeout=1.0):  # TEST-NET-1, never routed
            return "UP"
    except OSError as exc:
        unreachable = exc.errno in (101, 99)  # ENETUNREACH, EADDRNOTAVAIL: no route at all
        return "none" if unreachable else f"UP? ({exc.strerror or exc})"


def drop_page_cache() -> bool:
    """Empty the kernel page cache (root only, and not in every container) for a truly cold start."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n", encoding="ascii")
        return True
    except OSError:
        return False


class Bundle:
    """The built folder and a clean environment to run its executables in."""

    def __init__(self, dist: Path, home: Path) -> None:
        self.dist = dist
        self.cli = dist / "quire"
        self.gui = dist / "quire-desktop"
        self.home = home
        runtime = home.parent / "run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        self.env = {
            "HOME": str(home),
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "XDG_RUNTIME_DIR": str(runtime),
            "TMPDIR": str(home.parent / "tmp"),
        }
        (home.parent / "tmp").mkdir(exist_ok=True)

    @property
    def data_dir(self) -> Path:
        return self.home / ".local" / "share" / "Quire"

    def run_cli(self, *args: str, timeout: float = 600) -> tuple[float, subprocess.CompletedProcess[str]]:
        started = time.perf_counter()
        done = subprocess.run(
            [str(self.cli), *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        return time.perf_counter() - started, done


def cli_checks(bundle: Bundle, docs: Path, results: dict[str, Any]) -> None:
    seconds, done = bundle.run_cli("--help")
    check(
        done.returncode == 0 and "usage: quire" in done.stdout, f"quire --help failed: {done.stderr[-2000:]}"
    )
    results["cli_help_s"] = round(seconds, 2)  # bootloader + interpreter + argparse: the floor

    seconds, done = bundle.run_cli("index", str(docs), "--json")
    check(done.returncode == 0, f"quire index exited {done.returncode}: {done.stderr[-2000:]}")
    summary = json.loads(done.stdout)
    check(not summary.get("failed"), f"quire index reported failures: {summary.get('failed')}")
    check(summary.get("added", 0) >= 3, f"quire index added {summary.get('added')} documents, expected 3")
    results["cli_index_s"] = round(seconds, 2)
    say(f"index: {summary.get('added')} documents, {summary.get('chunks')} chunks in {seconds:.1f} s")

    cold = drop_page_cache()
    seconds, done = bundle.run_cli("ask", QUESTION, "--json")
    check(done.returncode == 0, f"quire ask exited {done.returncode}: {done.stderr[-2000:]}")
    answer = json.loads(done.stdout)
    results["cli_first_answer_s"] = round(seconds, 2)
    results["cli_first_answer_page_cache_dropped"] = cold
    results["cli_answer"] = {
        key: answer.get(key) for key in ("answer", "found", "verified", "model", "timings")
    }
    say(f"ask: {answer.get('answer')!r} (found={answer.get('found')}, verified={answer.get('verified')})")
    say(f"ask: first answer {seconds:.1f} s after the process started (timings {answer.get('timings')})")
    check(answer.get("found") is True, f"the answer was not found: {answer}")
    citations = answer.get("citations") or []
    check(bool(citations), "the answer has no citation")
    cited = [str(c.get("path", "")) for c in citations]
    check(
        any(path.endswith(EXPECTED_DOCUMENT) for path in cited),
        f"no citation of {EXPECTED_DOCUMENT}: {cited}",
    )
    quoted = str(answer.get("answer", "")) + " ".join(str(c.get("text", "")) for c in citations)
    check(EXPECTED_TEXT in quoted, f"neither the answer nor its citation mention {EXPECTED_TEXT!r}")

    seconds, done = bundle.run_cli("models", "--json")
    check(done.returncode == 0, f"quire models exited {done.returncode}: {done.stderr[-2000:]}")
    models = json.loads(done.stdout)
    active = [m for m in models if m.get("active")]
    check(bool(active) and active[0].get("status") == "ready", f"the default model is not ready: {active}")
    check(
        str(active[0].get("path", "")).startswith(str(bundle.dist)),
        f"the default model is not the bundled one: {active[0].get('path')}",
    )
    results["model_path"] = active[0].get("path")


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise SmokeError(f"timed out after {timeout:.0f} s waiting for {what}")


@contextlib.contextmanager
def xvfb(tmp: Path) -> Iterator[str]:
    xvfb_bin = shutil.which("Xvfb")
    check(xvfb_bin is not None, "Xvfb is not installed (apt-get install -y xvfb)")
    assert xvfb_bin is not None
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    display = f":{number}"
    log = (tmp / "xvfb.log").open("w")
    server = subprocess.Popen(
        [xvfb_bin, display, "-screen", "0", "1440x900x24", "-nolisten", "tcp"], stdout=log, stderr=log
    )
    try:
        wait_for(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), 20, "Xvfb to start")
        yield display
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(10)
        log.close()


def find_window(display: str) -> str | None:
    """The id of a viewable top-level window whose title starts with "Quire", if any."""
    tree = subprocess.run(
        ["xwininfo", "-display", display, "-root", "-tree"], capture_output=True, text=True, check=False
    ).stdout
    for line in tree.splitlines():
        parts = line.strip().split(" ", 1)
        if len(parts) == 2 and parts[0].startswith("0x") and parts[1].startswith(f'"{WINDOW_PREFIX}'):
            info = subprocess.run(
                ["xwininfo", "-display", display, "-id", parts[0]],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if "Map State: IsViewable" in info:
                return parts[0]
    return None


def log_line(path: Path, offset: int, needle: str) -> str | None:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            handle.seek(offset)
            return next((line.strip() for line in handle if needle in line), None)
    except OSError:
        return None


def count_lines(path: Path) -> int:
    try:
        return len(path.read_text(encoding="utf-8").splitlines())
    except OSError:
        return 0


def gui_checks(bundle: Bundle, tmp: Path, results: dict[str, Any]) -> None:
    log_file = bundle.data_dir / "logs" / "quire.log"
    audit = bundle.data_dir / "library" / "audit.jsonl"
    offset = log_file.stat().st_size if log_file.exists() else 0
    answers_before = count_lines(audit)
    with xvfb(tmp) as display:
        env = {**bundle.env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        output = (tmp / "gui.log").open("w")
        cold = drop_page_cache()
        started = time.perf_counter()
        app = subprocess.Popen([str(bundle.gui)], env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            window = wait_for(lambda: app.poll() is None and find_window(display), 120, "a Quire window")
            results["gui_window_s"] = round(time.perf_counter() - started, 2)
            results["gui_window_page_cache_dropped"] = cold
            say(f"gui: window {window} viewable {results['gui_window_s']:.2f} s after launch")
            ready = wait_for(
                lambda: log_line(log_file, offset, "Ready to answer with"), 300, "the chat model"
            )
            results["gui_model_ready_s"] = round(time.perf_counter() - started, 2)
            results["gui_log_ready"] = ready
            visible = log_line(log_file, offset, "Window visible")
            results["gui_log_window"] = visible
            say(f"gui: model ready {results['gui_model_ready_s']:.2f} s after launch")
            xdotool = shutil.which("xdotool")
            if xdotool is None:
                say("gui: xdotool not installed, so no question is typed into the window")
                app.terminate()
            else:
                ask_in_window(xdotool, display, window, audit, answers_before, started, results)
                # File > Quit (Ctrl+Q): the app shuts its engine down and exits by itself.
                subprocess.run(
                    [xdotool, "key", "--window", window, "ctrl+q"],
                    env={"DISPLAY": display, "PATH": "/usr/bin:/bin"},
                    check=False,
                    capture_output=True,
                )
        finally:
            try:
                code = app.wait(20)
            except subprocess.TimeoutExpired:
                app.terminate()
                try:
                    code = app.wait(20)
                except subprocess.TimeoutExpired:
                    app.kill()
                    code = app.wait(10)
            output.close()
        results["gui_exit_code"] = code
        if shutil.which("xdotool") is not None:
            check(code == 0, f"quire-desktop exited with {code} (0 expected after Ctrl+Q)")


def ask_in_window(
    xdotool: str,
    display: str,
    window: str,
    audit: Path,
    answers_before: int,
    started: float,
    results: dict[str, Any],
) -> None:
    env = {"DISPLAY": display, "PATH": "/usr/bin:/bin"}

    def xdo(*args: str) -> None:
        subprocess.run([xdotool, *args], env=env, check=True, capture_output=True, timeout=30)

    # No window manager under Xvfb: click into the question box (bottom of the middle pane,
    # about 40% across the window) to give it the keyboard focus, then type.
    info = subprocess.run(
        ["xwininfo", "-display", display, "-id", window], capture_output=True, text=True, check=False
    ).stdout
    size = dict(re.findall(r"^\s*(Width|Height):\s*(\d+)", info, flags=re.MULTILINE))
    width, height = int(size.get("Width", "1400")), int(size.get("Height", "860"))
    xdo("mousemove", "--window", window, str(int(width * 0.41)), str(height - 70), "click", "1")
    time.sleep(0.3)
    asked = time.perf_counter()
    xdo("type", "--delay", "5", GUI_QUESTION)
    xdo("key", "Return")
    wait_for(lambda: count_lines(audit) > answers_before, 300, "the answer in the window", interval=0.2)
    now = time.perf_counter()
    entry = json.loads(audit.read_text(encoding="utf-8").splitlines()[-1])
    results["gui_answer_after_question_s"] = round(now - asked, 2)
    results["gui_first_answer_s"] = round(now - started, 2)
    results["gui_answer"] = {k: entry.get(k) for k in ("question", "answer", "found", "verified")}
    say(f"gui: answer {entry.get('answer')!r} {now - asked:.1f} s after the question was typed")
    check(
        entry.get("question") == GUI_QUESTION, f"the audit log's last question is {entry.get('question')!r}"
    )
    check(entry.get("found") is True, f"the window's answer was not found: {entry.get('answer')!r}")
    check(bool(entry.get("citations")), "the window's answer has no citation")


def snapshot(folder: Path) -> dict[str, int]:
    """Path -> mtime of everything in the bundle, to prove the app treats it as read-only."""
    return {str(p.relative_to(folder)): p.lstat().st_mtime_ns for p in folder.rglob("*")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Smoke test of the built Quire folder.")
    parser.add_argument("dist", type=Path, help="the built folder (dist/Quire)")
    parser.add_argument("--report", type=Path, help="write the measurements here as JSON")
    parser.add_argument("--no-gui", action="store_true", help="skip the Xvfb part")
    parser.add_argument("--keep", action="store_true", help="keep the temporary home for inspection")
    parser.add_argument("--network", choices=["namespace", "allowed"], default="namespace")
    args = parser.parse_args(argv)
    dist = args.dist.resolve()
    check((dist / "quire").is_file() and (dist / "quire-desktop").is_file(), f"no built app in {dist}")

    results: dict[str, Any] = {"dist": str(dist), "network": network_state()}
    say(f"network: {results['network']}")
    if args.network == "namespace":
        check(results["network"] == "none", "the network is reachable: run this through smoke.sh")
    tmp = Path(tempfile.mkdtemp(prefix="quire-smoke-"))
    try:
        home = tmp / "home"
        home.mkdir()
        docs = tmp / "documents"
        shutil.copytree(SAMPLES, docs)
        bundle = Bundle(dist, home)
        before = snapshot(dist)
        cli_checks(bundle, docs, results)
        if not args.no_gui:
            gui_checks(bundle, tmp, results)
        changed = sorted(set(snapshot(dist).items()) ^ set(before.items()))
        check(not changed, f"the app wrote into its own folder: {changed[:10]}")
        results["passed"] = True
        say("smoke test passed")
        return 0
    except (SmokeError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        results["passed"] = False
        results["error"] = str(exc)
        say(f"SMOKE TEST FAILED: {exc}")
        for name in ("gui.log", "xvfb.log"):
            if (tmp / name).exists():
                say(f"--- {name} (tail) ---\n" + (tmp / name).read_text(errors="replace")[-3000:])
        return 1
    finally:
        if args.report:
            args.report.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
