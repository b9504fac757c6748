"""Entry point of the frozen app: one analysis, two executables in one folder.

PyInstaller builds this script twice, as ``quire-desktop`` (the GUI) and ``quire`` (the
command line); the executable's own name says which one to run, so both share one set of
libraries, models and data in ``_internal/``.
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path


def main() -> int:
    multiprocessing.freeze_support()  # a no-op unless a library starts worker processes (Windows, macOS)
    if Path(sys.executable).stem.lower() == "quire":
        from assistant.cli import main as cli_main

        return cli_main()
    from ui.app import main as gui_main

    return gui_main()


if __name__ == "__main__":
    sys.exit(main())
