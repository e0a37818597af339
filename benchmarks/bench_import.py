"""Cold-start cost: ``from openrouter import OpenRouter; OpenRouter()`` in a fresh process,
against ``import httpx, pydantic`` (the floor any httpx + pydantic SDK could reach), interleaved
in the same run.

    python benchmarks/bench_import.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "python -c pass": "pass",
    "import httpx, pydantic": "import httpx, pydantic",
    "OpenRouter()": "from openrouter import OpenRouter; OpenRouter()",
}


def run_once(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.runs):
        for name, code in CASES.items():  # interleaved, so drift hits every case alike
            samples[name].append(run_once(code))
    medians = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    for name, ms in medians.items():
        print(f"{name:<26} {ms:7.1f} ms (median of {args.runs})")
    ratio = medians["OpenRouter()"] / medians["import httpx, pydantic"]
    print(f"ratio OpenRouter() / (import httpx, pydantic): {ratio:.2f} (target <= 1.25)")


if __name__ == "__main__":
    main()
