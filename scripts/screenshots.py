"""`make screenshots`: drive the real app through its main screens and save a PNG of each.

Runs under Xvfb (``xvfb-run``) with a temporary home, the bundled samples indexed and the
default model answering, so the pictures show what a user sees. Then it launches
``quire-desktop --exit-when-ready`` twice on a fresh home and reports the time from launch
to a visible window and to "ready", read from the app's log.

    python -m scripts.screenshots docs/
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
from collections.abc import Callable
from pathlib import Path

from assistant.offline import enforce_offline

log = logging.getLogger("scripts.screenshots")

# The small default model sometimes declines; the first question it answers with a citation is shown.
QUESTIONS = [
    "How much is the security deposit and when is it returned?",
    "What annual base rent does the landlord offer for the renewal?",
    "How many days does the tenant have to cure a late payment?",
]
WIDTH, HEIGHT = 1440, 880


def _wait(app: object, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s
    while not condition():
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
    from assistant.testing.documents import amended_lease, write_text_pdf
    from ui import operations as ops
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

    def idle(group: str) -> Callable[[], bool]:
        """True once no job of ``group`` is queued or running (each wait follows the request)."""
        return lambda: not bridge.busy(group)

    def open_first_source() -> bool:
        """Click the last answer's first citation (a declined one: its closest passage), as a
        reader would, and wait for the viewer to show the page; False when it has neither."""
        chat = window.chat_pane
        answer = chat.turns[-1] if chat.turns else None
        if answer is None or not (answer.citations or answer.passages):
            return False
        turn = len(chat.turns) - 1
        if answer.citations:
            link, path = f"quire-cite:{turn}/{answer.citations[0].n}", answer.citations[0].path
        else:
            link, path = f"quire-passage:{turn}/0", answer.passages[0].path
        chat.transcript.anchorClicked.emit(QUrl(link))
        if not path.lower().endswith(".pdf"):
            _wait(app, idle(ops.PAGES), 30, "the cited page")
        _settle(app, 1.5)  # QPdfView renders pages asynchronously
        return True

    bridge.library_changed.connect(lambda *_: state.setdefault("library", True))
    bridge.model_loaded.connect(lambda name: state.setdefault("model", name))
    bridge.model_failed.connect(lambda message: state.setdefault("model", message))
    bridge.library_failed.connect(lambda message: state.setdefault("model", message))
    window.start()
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
    _wait(app, idle(ops.INDEX), 300, "indexing the samples")
    chat = window.chat_pane
    for question in QUESTIONS:
        window.new_conversation()
        chat.question.setPlainText(question)
        chat.submit()
        _wait(app, idle(ops.ANSWER), 300, "the answer")
        if chat.turns and chat.turns[-1].citations:
            break
    shoot(window, "02-library-and-chat.png")

    if open_first_source():
        shoot(window, "03-viewer-cited-page.png")

    search = window.open_search()
    search.move(window.geometry().center() - search.rect().center())
    search.query.setText("renewal rent deposit")
    search.search_requested.emit("renewal rent deposit")
    _wait(app, idle(ops.SEARCH), 60, "search results")
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
    _wait(app, idle(ops.MODELS), 60, "the model list")
    shoot(settings_dialog, "06-settings.png")
    settings_dialog.reject()
    window.open_about()
    about = window.findChild(QWidget, "aboutDialog")
    if about is not None:
        _wait(app, lambda: True, 1, "the About dialog")
        shoot(about, "07-about.png")
        about.close()

    documents = window.library_pane.documents
    lease = next((d for d in documents if "lease" in d.title.lower()), documents[0])
    dialog = window.extract([d.id for d in documents if d.format == "pdf" or d is lease], "contract")
    _wait(app, idle(ops.TASK), 600, "the extraction")
    if dialog is not None:
        dialog.resize(1100, 420)
        shoot(dialog, "08-extraction-table.png")
        dialog.close()
    dialog = window.summarize(lease.id, "contract")
    _wait(app, idle(ops.TASK), 600, "the summary")
    if dialog is not None:
        dialog.resize(1100, 560)
        shoot(dialog, "09-summary.png")
        dialog.close()

    # A second version of the sample lease, as a landlord's amendment would change it.
    amended = scratch / "lease-agreement-2027.md"
    text = (RESOURCES / "samples" / "lease-agreement.md").read_text(encoding="utf-8")
    amended.write_text(amended_lease(text), encoding="utf-8")
    window.add_paths([amended])
    _wait(app, idle(ops.INDEX), 300, "indexing the amended lease")
    second = next(d for d in window.library_pane.documents if d.path == str(amended))
    dialog = window.compare([lease.id, second.id], "contract")
    _wait(app, idle(ops.TASK), 900, "the comparison")
    if dialog is not None:
        dialog.resize(1300, 640)
        shoot(dialog, "12-comparison.png")
        dialog.close()
    # The same two versions compared by a question in the chat: each side from its own document.
    window.new_conversation()
    chat.question.setPlainText("How do the lease agreement and the 2027 lease differ on the monthly rent?")
    chat.submit()
    _wait(app, idle(ops.ANSWER), 300, "the side-by-side answer")
    shoot(window, "13-compare-question.png")
    # A yes/no question: the verdict stands on the sentence that decides it, quoted and cited.
    window.new_conversation()
    chat.question.setPlainText(
        "Can the Landlord's total liability exceed the rent paid in the previous twelve months?"
    )
    chat.submit()
    _wait(app, idle(ops.ANSWER), 300, "the yes/no answer")
    shoot(window, "14-yes-no-question.png")
    # A record's field: the allergy printed under its "Allergies" label is the answer, cited.
    window.new_conversation()
    chat.question.setPlainText("What allergies does the patient have?")
    chat.submit()
    _wait(app, idle(ops.ANSWER), 300, "the record's answer")
    open_first_source()
    shoot(window, "15-record-field.png")
    window.close()
    return saved


_VISIBLE = re.compile(r"Window visible ([\d.]+) s after launch")
_READY = re.compile(r"Ready to answer with \S+ ([\d.]+) s after launch")


def measure_startup(runs: int = 2) -> list[tuple[float, float]]:
    """(visible, ready) seconds of ``python -m ui.app --exit-when-ready`` on fresh homes."""
    from assistant.config import Settings, default_cache_dir

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
            text = Settings.load(home).log_path.read_text(encoding="utf-8")
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
        from assistant.config import Settings

        home = Path(tmp) / "home"
        logs.configure(Settings.load(home).log_path, console=False)
        log.addHandler(logging.StreamHandler())
        saved = capture(args.out_dir, home)
    lines = [str(path) for path in saved]  # the command's output, on stdout
    if not args.no_timing:
        lines += [
            f"start-up: window visible {visible:.2f} s, ready {ready:.2f} s after launch"
            for visible, ready in measure_startup()
        ]
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
