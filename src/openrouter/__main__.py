"""``python -m openrouter``: the same command as the ``openrouter`` script."""

from __future__ import annotations

import sys

from openrouter.cli import main

if __name__ == "__main__":
    sys.exit(main())
