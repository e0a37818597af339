"""``python -m openrouter.testing --port 8080``: run the emulator until Ctrl-C."""

from __future__ import annotations

import sys

from openrouter.testing._command import main

if __name__ == "__main__":
    sys.exit(main())
