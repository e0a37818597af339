"""Streaming throughput: one response of 20,000 text deltas, read as typed events through the
SDK against raw httpx line splitting + ``json.loads`` of each ``data:`` line, same server,
same run.

    python benchmarks/bench_stream.py [--deltas 20000] [--rounds 5]

Rounds alternate raw/SDK; each figure is the best round.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import httpx

from openrouter import OpenRouter

try:
    from benchmarks._server import emulator_process
except ImportError:  # run as a script from the benchmarks folder
    from _server import emulator_process  # type: ignore[no-redef]

PAYLOAD = {"model": "openai/gpt-4o", "input": "stream please", "stream": True}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deltas", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup = f"emu.default_reply = Reply.text('abcd' * {args.deltas}, delta_size=4)"

    with emulator_process(setup) as url:
        raw = httpx.Client(timeout=60)
        headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
        body = json.dumps(PAYLOAD).encode()

        def raw_stream() -> int:
            count = 0
            with raw.stream("POST", url + "/responses", content=body, headers=headers) as r:
                for line in r.iter_lines():
                    if line.startswith("data: ") and line != "data: [DONE]":
                        json.loads(line[6:])
                        count += 1
            return count

        sdk = OpenRouter(api_key="bench", server_url=url)

        def sdk_stream() -> int:
            count = 0
            with sdk.responses.send(
                model=PAYLOAD["model"], input=PAYLOAD["input"], stream=True
            ) as s:
                for _ in s:
                    count += 1
            return count

        def measure(fn: Callable[[], int]) -> tuple[float, int]:
            start = time.perf_counter()
            events = fn()
            return events / (time.perf_counter() - start), events

        raw_events, sdk_events = raw_stream(), sdk_stream()  # warm up; also checks both agree
        assert raw_events == sdk_events >= args.deltas, (raw_events, sdk_events)
        best = {"raw httpx": 0.0, "openrouter": 0.0}
        for _ in range(args.rounds):
            for name, fn in (("raw httpx", raw_stream), ("openrouter", sdk_stream)):
                best[name] = max(best[name], measure(fn)[0])
        raw.close()
        sdk.close()

    for name, rate in best.items():
        print(f"{name:<11} {rate:10,.0f} events/s  ({sdk_events} events per stream)")
    ratio = best["openrouter"] / best["raw httpx"]
    print(
        f"typed SDK events: {best['openrouter']:,.0f}/s (target >= 100,000); "
        f"ratio SDK / raw httpx: {ratio:.2f} (target >= 0.3)"
    )


if __name__ == "__main__":
    main()
