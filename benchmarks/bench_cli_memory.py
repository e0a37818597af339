"""Peak memory of the CLI echoing a big prompt through its built-in emulator:
``openrouter --emulator`` with a ``--megabytes`` prompt piped on stdin (the emulator's default
model echoes it back as a stream), against the same command with a one-word prompt. Figures are
the child process's peak RSS (``wait4``); the answer goes to a pipe that is counted and dropped.

    python benchmarks/bench_cli_memory.py [--megabytes 20] [--runs 2]

Goal: the extra peak stays within a small multiple of the data (measured 2.4 GB for 20 MB).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time


def run(prompt_path: str) -> tuple[int, int, float]:
    """(peak RSS bytes, output bytes, seconds) of one CLI run reading ``prompt_path``."""
    with open(prompt_path, "rb") as stdin:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "openrouter", "--emulator"],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        size = 0
        while block := proc.stdout.read(1 << 16):
            size += len(block)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(f"the CLI failed with exit code {proc.returncode}")
    return usage.ru_maxrss * 1024, size, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=20)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    data = int(args.megabytes * 1024 * 1024)
    line = "All work and no play makes Jack a dull boy. " * 4 + "\n"
    with tempfile.TemporaryDirectory() as folder:
        small, big = os.path.join(folder, "small"), os.path.join(folder, "big")
        with open(small, "w") as file:
            file.write("hello\n")
        with open(big, "w") as file:
            file.write(line * (data // len(line) + 1))
        base = min(run(small)[0] for _ in range(args.runs))
        peak, out, seconds = min(run(big) for _ in range(args.runs))
    mb = 1024 * 1024
    print(f"CLI --emulator, {args.megabytes:g} MB prompt on stdin")
    print(f"  one-word prompt: peak RSS {base / mb:8.1f} MB")
    print(
        f"  {args.megabytes:g} MB prompt:     peak RSS {peak / mb:8.1f} MB "
        f"({out / mb:.1f} MB of output in {seconds:.1f} s)"
    )
    print(
        f"  extra peak: {(peak - base) / mb:.1f} MB = {(peak - base) / data:.1f}x the prompt "
        f"(goal: a small multiple); {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
