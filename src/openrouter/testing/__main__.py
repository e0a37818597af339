"""``python -m openrouter.testing --port 8080``: run the emulator until Ctrl-C."""

from openrouter.testing._command import main

if __name__ == "__main__":
    raise SystemExit(main())
