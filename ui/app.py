"""`quire-desktop`: show the window first, then load the engine in the background.

Only PySide6 and light engine modules (settings, logging, jobs) are imported before the
window is shown; the library, embedder and chat model load on the engine's worker thread
while the window says "Loading models…". Start-up times go to the log file.
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()

import argparse  # noqa: E402 (the clock starts before any import)
import logging  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

log = logging.getLogger("ui.app")

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="quire-desktop", description="Quire, the private document assistant"
    )
    parser.add_argument("--home", type=Path, help="Quire home (library, conversations, settings)")
    parser.add_argument("paths", nargs="*", type=Path, help="documents or folders to add at start")
    parser.add_argument(
        "--exit-when-ready", action="store_true", help="quit once the model is loaded (start-up smoke test)"
    )
    return parser.parse_args(argv)


def load_stylesheet() -> str:
    path = RESOURCES / "style.qss"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        log.warning("No stylesheet at %s", path)
        return ""


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)

    from assistant.offline import enforce_offline

    enforce_offline()  # before any engine import on the worker reads the environment

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from assistant import logs
    from assistant.config import Settings
    from ui.engine_bridge import EngineBridge
    from ui.main_window import MainWindow

    settings = Settings.load(args.home.expanduser().resolve() if args.home else None)
    log_file = logs.configure(settings.log_path, console=True)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Quire")
    app.setApplicationDisplayName("Quire")
    app.setWindowIcon(QIcon(str(RESOURCES / "icons" / "quire.svg")))
    app.setStyleSheet(load_stylesheet())

    bridge = EngineBridge(settings)
    window = MainWindow(settings, bridge)
    window.show()

    def visible() -> None:
        log.info("Window visible %.2f s after launch (log: %s)", time.perf_counter() - _STARTED, log_file)
        window.start()
        if args.paths:
            window.add_paths([p.expanduser().resolve() for p in args.paths])

    def ready(name: str) -> None:
        log.info("Ready to answer with %s %.2f s after launch", name, time.perf_counter() - _STARTED)
        if args.exit_when_ready:
            window.close()

    def library_ready() -> None:
        log.info("Library listed %.2f s after launch", time.perf_counter() - _STARTED)

    bridge.model_loaded.connect(ready)
    bridge.model_failed.connect(lambda message: log.warning("No chat model: %s", message))
    if args.exit_when_ready:
        bridge.model_failed.connect(window.close)
        bridge.library_failed.connect(window.close)
    bridge.library_changed.connect(lambda *_: library_ready(), type=Qt.ConnectionType.SingleShotConnection)
    QTimer.singleShot(0, visible)  # after the first paint has been queued
    code = app.exec()
    bridge.shutdown()
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
