"""Peak memory of the CLI echoing a big prompt through its built-in emulator:
``openrouter --emulator`` with a ``--megabytes`` prompt piped on stdin (the emulator's default
model echoes it back as a stream), against the same command with a one-word prompt. Figures are
the child process's peak RSS (``wait4``); the answer goes to a pipe that is counted and dropped.

    python benchmarks/bench_cli_memory.py [--megabytes 20] [--runs 2]

Goal: the extra peak stays within a small multiple of the data (measured 2.4 GB for 20 MB
once, when the emulator rendered the whole stream in memory). "CLI, emulator apart" is the
same command pointed with ``--base-url`` at an emulator in another process: the command's
client side alone, so that the two figures tell the client's share from the emulator's.

The echoed answer's final events repeat the whole text: the CLI raises its bound on one SSE
event with the size of its prompt, while the "SDK alone" client keeps the SDK's default
(16 MiB), so there a prompt over about 16 MB ends with a StreamError; its peak is measured all
the same.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

try:
    from benchmarks._server import emulator_process
except ImportError:  # run as a script from the benchmarks folder
    from _server import emulator_process  # type: ignore[no-redef]

# The SDK's share alone: the same echo streamed by a client whose emulator runs in another
# process (the CLI's --emulator runs it in-process, so the CLI figure counts both). It reports
# its own peak, since wait4 would fold in its child's.
_SDK_ONLY = """
import resource, sys
from openrouter import OpenRouter
sys.path.insert(0, {here!r})
from _server import emulator_process
prompt = sys.stdin.read()
try:
    with emulator_process() as url, OpenRouter(api_key="k", server_url=url) as client:
        with client.responses.send(model="m", input=prompt, stream=True) as stream:
            for event in stream:
                if event.type == "response.output_text.delta":
                    sys.stdout.write(event.delta)
except Exception as exc:
    print(type(exc).__name__ + ": " + str(exc), file=sys.stderr)
    code = 1
else:
    code = 0
# This process alone (wait4 would also count the emulator, our child).
print("PEAK", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, file=sys.stderr)
sys.exit(code)
"""


def run(
    prompt_path: str, sdk_only: bool = False, apart: bool = False
) -> tuple[int, int, float, str]:
    """(peak RSS bytes, output bytes, seconds, how it ended) of one CLI run reading
    ``prompt_path`` (or of the SDK alone streaming the same echo; ``apart``: of the CLI with
    its emulator in another process)."""
    here = os.path.dirname(os.path.abspath(__file__))
    if apart:
        with emulator_process() as url:
            return _run([sys.executable, "-m", "openrouter", "--base-url", url], prompt_path)
    if sdk_only:
        command = [sys.executable, "-c", _SDK_ONLY.format(here=here)]
    else:
        command = [sys.executable, "-m", "openrouter", "--emulator"]
    return _run(command, prompt_path, sdk_only)


def _run(
    command: list[str], prompt_path: str, sdk_only: bool = False
) -> tuple[int, int, float, str]:
    env = dict(os.environ, OPENROUTER_API_KEY="sk-or-emulator")  # any key: only --base-url uses it
    with open(prompt_path, "rb") as stdin:
        started = time.perf_counter()
        proc = subprocess.Popen(
            command,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None
        size = 0
        while block := proc.stdout.read(1 << 16):
            size += len(block)
        assert proc.stderr is not None
        errors = proc.stderr.read().decode(errors="replace").strip()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
    peak = usage.ru_maxrss * 1024
    if sdk_only and errors.splitlines() and errors.splitlines()[-1].startswith("PEAK "):
        peak = int(errors.splitlines()[-1].split()[1])
        errors = "\n".join(errors.splitlines()[:-1])
    ended = "exit 0"
    if proc.returncode:
        last = errors.splitlines()[-1] if errors else ""
        ended = f"exit {proc.returncode}: {last[:200]}"
    return peak, size, elapsed, ended


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
        mb = 1024 * 1024
        print(f"{args.megabytes:g} MB prompt on stdin; {os.cpu_count()} cores")
        rows = (
            ("CLI --emulator", False, False),
            ("CLI, emulator apart", False, True),
            ("SDK alone", True, False),
        )
        for title, sdk_only, apart in rows:
            base = min(run(small, sdk_only, apart)[0] for _ in range(args.runs))
            peak, out, seconds, ended = min(run(big, sdk_only, apart) for _ in range(args.runs))
            print(f"{title}:")
            print(f"  one-word prompt: peak RSS {base / mb:8.1f} MB")
            print(
                f"  {args.megabytes:g} MB prompt:     peak RSS {peak / mb:8.1f} MB "
                f"({out / mb:.1f} MB of output in {seconds:.1f} s; {ended})"
            )
            print(
                f"  extra peak: {(peak - base) / mb:.1f} MB = {(peak - base) / data:.1f}x "
                "the prompt (goal: a small multiple)"
            )


if __name__ == "__main__":
    main()
