"""`make screenshots`: drive the real app through its main screens and save a PNG of each.

Runs under Xvfb (``xvfb-run``) with a temporary home, the bundled samples indexed and the
default model answering, so the pictures show what a user sees. Then it launches
``quire-desktop --exit-when-ready`` twice on a fresh home and reports the time from launch
to a visible window and to "ready", read from the app's log.

    python -m ui.screenshots docs/
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.offline import enforce_offline

log = logging.getLogger("ui.screenshots")

# The small default model sometimes declines; the first question it answers with a citation is shown.
QUESTIONS = [
    "How much is the security deposit and when is it returned?",
    "What annual base rent does the landlord offer for the renewal?",
    "How many days does the tenant have to cure a late payment?",
]
WIDTH, HEIGHT = 1440, 880


def _wait(app: object, condition: object, timeout_s: float, what: str) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        QApplication.processEvents()
        time.sleep(0.02)
    for _ in range(10):  # let layouts and paints settle
        QApplication.processEvents()
        time.sleep(0.02)


def _settle(app: object, seconds: float) -> None:
    """Let Qt paint for ``seconds`` (asynchronous PDF rendering and highlights)."""
    deadline = time.monotonic() + seconds
    _wait(app, lambda: time.monotonic() > deadline, seconds + 1, "painting")


def capture(out_dir: Path, home: Path) -> list[Path]:
    from PySide6.QtCore import QUrl
    from PySide6.QtWidgets import QApplication, QWidget

    from assistant.config import Settings, default_cache_dir
    from assistant.testing.documents import write_text_pdf
    from ui.app import RESOURCES, load_stylesheet
    from ui.engine_bridge import EngineBridge
    from ui.main_window import MainWindow

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setStyleSheet(load_stylesheet())
    settings = Settings.load(home)
    settings.cache_dir = default_cache_dir()  # reuse the embedder export the app made before
    bridge = EngineBridge(settings)
    window = MainWindow(settings, bridge)
    window.resize(WIDTH, HEIGHT)
    window.show()
    saved: list[Path] = []
    state: dict[str, object] = {}

    def shoot(widget: QWidget, name: str) -> None:
        path = out_dir / name
        widget.grab().save(str(path))
        saved.append(path)
        log.info("saved %s", path)

    bridge.library_changed.connect(lambda *_: state.setdefault("library", True))
    bridge.models_ready.connect(lambda name: state.setdefault("model", name))
    bridge.model_failed.connect(lambda message: state.setdefault("model", message))
    bridge.indexing_finished.connect(lambda report: state.__setitem__("indexed", report))
    bridge.answer_finished.connect(lambda result: state.__setitem__("answer", result))
    bridge.pages_loaded.connect(lambda *_: state.__setitem__("pages", True))
    bridge.search_finished.connect(lambda _q, hits: state.__setitem__("hits", hits))
    bridge.models_listed.connect(lambda rows: state.__setitem__("models", rows))
    bridge.warm_up()
    _wait(app, lambda: "library" in state, 60, "the library")
    shoot(window, "01-first-run.png")

    _wait(app, lambda: "model" in state, 300, "the chat model")
    scratch = home.parent / "extra"
    scratch.mkdir(exist_ok=True)
    pdf = write_text_pdf(
        scratch / "renewal-letter.pdf",
        [
            "Harbourview Properties Ltd.\n14 Quay Street, Bristol\n\nRe: Lease renewal",
            "Renewal terms\nThe Landlord offers to renew the lease for a further three years.\n"
            "The new annual base rent would be 99,000 pounds, payable monthly in advance.\n"
            "The security deposit remains 24,000 pounds and is returned within thirty days.",
        ],
        title="Renewal letter",
    )
    window.add_paths([RESOURCES / "samples", pdf])
    _wait(app, lambda: "indexed" in state, 300, "indexing the samples")
    for question in QUESTIONS:
        state.pop("answer", None)
        window.new_conversation()
        window.chat_pane.question.setPlainText(question)
        window.chat_pane.submit()
        _wait(app, lambda: "answer" in state, 300, "the answer")
        if state["answer"].details.get("citations"):  # type: ignore[attr-defined]
            break
    shoot(window, "02-library-and-chat.png")

    details = state["answer"].details  # type: ignore[attr-defined]
    # A cited answer opens its first citation; a declined one its closest passage.
    sources = details.get("citations") or details.get("closest") or []
    if sources:
        link = f"quire-cite:0/{sources[0]['n']}" if details.get("citations") else "quire-passage:0/0"
        window.chat_pane.transcript.anchorClicked.emit(QUrl(link))
        if not str(sources[0]["path"]).lower().endswith(".pdf"):
            _wait(app, lambda: "pages" in state, 30, "the cited page")
        _settle(app, 1.5)  # QPdfView renders pages asynchronously
        shoot(window, "03-viewer-cited-page.png")

    search = window.open_search()
    search.move(window.geometry().center() - search.rect().center())
    search.query.setText("renewal rent deposit")
    search.search_requested.emit("renewal rent deposit")
    _wait(app, lambda: "hits" in state, 60, "search results")
    pdf_item = next(
        (
            search.results.item(i)
            for i in range(search.results.count())
            if "Renewal" in search.results.item(i).text()
        ),
        search.results.item(0),
    )
    if pdf_item is not None:
        search.results.setCurrentItem(pdf_item)
        search.results.itemClicked.emit(pdf_item)
        _settle(app, 1.5)
    shoot(search, "04-search.png")
    search.hide()
    shoot(window, "05-viewer-pdf.png")

    settings_dialog = window.open_settings()
    _wait(app, lambda: "models" in state, 60, "the model list")
    shoot(settings_dialog, "06-settings.png")
    settings_dialog.reject()
    window.open_about()
    about = window.findChild(QWidget, "aboutDialog")
    if about is not None:
        _wait(app, lambda: True, 1, "the About dialog")
        shoot(about, "07-about.png")
        about.close()

    bridge.task_finished.connect(lambda result: state.__setitem__("task", result))
    documents = window.library_pane.documents
    lease = next((d for d in documents if "lease" in d.title.lower()), documents[0])
    dialog = window.extract([d.id for d in documents if d.format == "pdf" or d is lease], "contract")
    _wait(app, lambda: "task" in state, 600, "the extraction")
    if dialog is not None:
        dialog.resize(1100, 420)
        shoot(dialog, "08-extraction-table.png")
        dialog.close()
    state.pop("task", None)
    dialog = window.summarize(lease.id, "contract")
    _wait(app, lambda: "task" in state, 600, "the summary")
    if dialog is not None:
        shoot(dialog, "09-summary.png")
        dialog.close()
    window.close()
    return saved


_VISIBLE = re.compile(r"Window visible ([\d.]+) s after launch")
_READY = re.compile(r"Ready to answer with \S+ ([\d.]+) s after launch")


def measure_startup(runs: int = 2) -> list[tuple[float, float]]:
    """(visible, ready) seconds of ``python -m ui.app --exit-when-ready`` on fresh homes."""
    from assistant.config import default_cache_dir

    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="quire-start-") as tmp:
            home = Path(tmp) / "home"
            started = time.perf_counter()
            # The shared cache holds the embedder export, as it does for the app's default home.
            env = {**os.environ, "QUIRE_CACHE": str(default_cache_dir())}
            command = [sys.executable, "-m", "ui.app", "--home", str(home), "--exit-when-ready"]
            subprocess.run(command, check=True, timeout=600, env=env)
            wall = time.perf_counter() - started
            text = (home / "logs" / "quire.log").read_text(encoding="utf-8")
            visible, ready = _VISIBLE.search(text), _READY.search(text)
            if visible is None or ready is None:
                raise RuntimeError(f"start-up times missing from the log of {home}")
            results.append((float(visible.group(1)), float(ready.group(1))))
            log.info("run: visible %.2f s, ready %.2f s, process %.2f s", *results[-1], wall)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("docs"))
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args(argv)
    enforce_offline()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="quire-shots-") as tmp:
        from assistant import logs

        home = Path(tmp) / "home"
        logs.configure(home / "logs", console=False)
        log.addHandler(logging.StreamHandler())
        saved = capture(args.out_dir, home)
    for path in saved:
        print(path)  # noqa: T201 (the command's output)
    if not args.no_timing:
        for visible, ready in measure_startup():
            print(f"start-up: window visible {visible:.2f} s, ready {ready:.2f} s after launch")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
