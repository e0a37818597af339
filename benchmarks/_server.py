"""Runs the emulator in a separate process, so its CPU time never counts against the client."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_SCRIPT = """
import sys, threading
from openrouter.testing import Emulator, Reply
emu = Emulator(api_key=None, validate=False)
{setup}
emu.start()
print(emu.url, flush=True)
sys.stdin.read()  # serve until the parent closes our stdin
emu.stop()
"""


@contextmanager
def emulator_process(setup: str = "") -> Iterator[str]:
    """Yields the base URL of an emulator running in a child process."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT.format(setup=setup)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"emulator did not start: {url!r}")
        yield url
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
