"""``python -m assistant.cli``: the same as the ``quire`` command."""

import sys

from assistant.cli.entry import main

if __name__ == "__main__":
    sys.exit(main())
