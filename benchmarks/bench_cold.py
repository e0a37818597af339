"""Cold start, whole process: import + construct a client + one non-streaming send, in a fresh
process, against raw httpx doing the same (``import httpx``, ``httpx.Client()``, one POST,
``json.loads``), same static server (no emulator). Figures are the child's CPU time
(user + system, from ``wait4``), with a bare ``python -c pass`` subtracted; cases interleaved.

    python benchmarks/bench_cold.py [--runs 20]

Goals: SDK whole process <= 1.5x raw httpx's; SDK import alone <= 0.3x of raw httpx's whole
process. Each figure is the median of ``--runs``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

try:
    from benchmarks._server import service_stream, static_process
except ImportError:  # run as a script from the benchmarks folder
    from _server import service_stream, static_process  # type: ignore[no-redef]

CASES = {
    "python -c pass": "pass",
    "import httpx": "import httpx",
    "raw httpx: import + Client + one POST": (
        "import httpx, json\n"
        "client = httpx.Client()\n"
        "r = client.post({url!r} + '/responses', headers={{'Authorization': 'Bearer k'}},"
        " content=json.dumps({{'model': 'openai/gpt-4o', 'input': 'hi'}}).encode())\n"
        "r.raise_for_status(); json.loads(r.content)"
    ),
    # The floor for any client whose results are pydantic models: raw httpx plus importing
    # pydantic and validating the body as a one-field model.
    "raw httpx + one pydantic model": (
        "import httpx, pydantic\n"
        "class Result(pydantic.BaseModel):\n"
        "    id: str\n"
        "client = httpx.Client()\n"
        "r = client.post({url!r} + '/responses', headers={{'Authorization': 'Bearer k'}},"
        " json={{'model': 'openai/gpt-4o', 'input': 'hi'}})\n"
        "r.raise_for_status(); Result.model_validate_json(r.content)"
    ),
    "from openrouter import OpenRouter": "from openrouter import OpenRouter",
    "openrouter: import + OpenRouter + one send": (
        "from openrouter import OpenRouter\n"
        "OpenRouter(api_key='k', server_url={url!r}).responses.send("
        "model='openai/gpt-4o', input='hi')"
    ),
}


def cpu_of(code: str) -> float:
    """CPU seconds (user + system) of one fresh interpreter running ``code``."""
    proc = subprocess.Popen([sys.executable, "-c", code])
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"the child failed ({proc.returncode}): {code}")
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    with static_process(service_stream(10)) as url:
        codes = {name: code.format(url=url) for name, code in CASES.items()}
        for _ in range(args.runs):
            for name, code in codes.items():  # interleaved: drift hits every case alike
                samples[name].append(cpu_of(code))
    medians = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    base = medians["python -c pass"]
    print(f"fresh processes, CPU ms (median of {args.runs}; {os.cpu_count()} cores)")
    for name, ms in medians.items():
        extra = "" if name == "python -c pass" else f"   (+{ms - base:6.1f} over python -c pass)"
        print(f"  {name:<44} {ms:7.1f} ms{extra}")
    raw = medians["raw httpx: import + Client + one POST"] - base
    sdk = medians["openrouter: import + OpenRouter + one send"] - base
    sdk_import = medians["from openrouter import OpenRouter"] - base
    floor = medians["raw httpx + one pydantic model"] - base
    print(f"ratio whole process, SDK / raw httpx: {sdk / raw:.2f} (goal <= 1.5)")
    print(f"ratio raw httpx + one pydantic model / raw httpx: {floor / raw:.2f} (the floor)")
    print(f"ratio SDK import alone / raw httpx whole process: {sdk_import / raw:.2f} (goal <= 0.3)")


if __name__ == "__main__":
    main()
