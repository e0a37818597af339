"""Running the emulator from a shell: ``serve`` in the foreground until Ctrl-C."""

from __future__ import annotations

import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

from openrouter.testing._emulator import DEFAULT_API_KEY, Emulator

__all__ = ["serve"]


def serve(
    port: int,
    host: str = "127.0.0.1",
    api_key: str | None = DEFAULT_API_KEY,
    *,
    validate: bool | None = None,
    quiet: bool = False,
) -> None:
    """Run an emulator in the foreground until Ctrl-C (or SIGTERM); then return normally.

    Prints the base URL and key to use; logs one line per request to stderr unless ``quiet``.
    """

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    emulator = Emulator(
        api_key=api_key, host=host, port=port, validate=validate, log=None if quiet else log
    )
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def stop_serving(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        # Both, explicitly: a shell that starts us in the background ignores SIGINT, and
        # `kill -INT` should still stop the emulator.
        for which in (signal.SIGINT, signal.SIGTERM):
            previous[which] = signal.signal(which, stop_serving)
    try:
        with emulator:
            key = (
                f"API key: {emulator.api_key}"
                if api_key is not None
                else "API key: any non-empty Bearer key"
            )
            print(f"OpenRouter emulator listening on {emulator.url}", flush=True)
            print(f"{key}  (endpoint: POST {emulator.url}/responses; Ctrl-C to stop)", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    finally:
        for which, handler in previous.items():
            signal.signal(which, handler)
