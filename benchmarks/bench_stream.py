"""Streaming throughput: one response of 20,000 text deltas framed as the service frames it
(``event: <type>`` line, then ``data: {...}``), read as typed events through the SDK against
the floor, raw httpx: line splitting + ``json.loads`` of each ``data:`` line + a type check.
Same static server (no emulator), same run, sync and async.

    python benchmarks/bench_stream.py [--deltas 20000] [--rounds 5] [--data-only]

``--data-only`` drops the ``event:`` lines (the framing older versions of this script used).
Rounds alternate raw/SDK; each figure is the best round. Events per second are given by wall
time and by the client's CPU time (the server runs in another process): on a busy machine the
CPU-time ratio is the steadier one. Goal: SDK / raw >= 0.8.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections.abc import Awaitable, Callable

import httpx

from openrouter import OpenRouter

try:
    from benchmarks._server import service_stream, static_process
except ImportError:  # run as a script from the benchmarks folder
    from _server import service_stream, static_process  # type: ignore[no-redef]

PAYLOAD = {"model": "openai/gpt-4o", "input": "stream please", "stream": True}
HEADERS = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
BODY = json.dumps(PAYLOAD).encode()


def _raw_line(line: str) -> int:
    if line.startswith("data: ") and line != "data: [DONE]":
        event = json.loads(line[6:])
        if type(event["type"]) is str:
            return 1
    return 0


def sync_figures(url: str, rounds: int) -> dict[str, float]:
    raw = httpx.Client(timeout=60)
    sdk = OpenRouter(api_key="bench", server_url=url)

    def raw_stream() -> int:
        count = 0
        with raw.stream("POST", url + "/responses", content=BODY, headers=HEADERS) as r:
            for line in r.iter_lines():
                count += _raw_line(line)
        return count

    def sdk_stream() -> int:
        count = 0
        with sdk.responses.send(model="openai/gpt-4o", input="stream please", stream=True) as s:
            for _ in s:
                count += 1
        return count

    def measure(fn: Callable[[], int]) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        events = fn()
        return events / (time.perf_counter() - wall), events / (time.process_time() - cpu)

    assert raw_stream() == sdk_stream()  # warm up; also checks both see every event
    best = dict.fromkeys(("raw", "sdk", "raw_cpu", "sdk_cpu"), 0.0)
    for _ in range(rounds):
        for name, fn in (("raw", raw_stream), ("sdk", sdk_stream)):
            wall_rate, cpu_rate = measure(fn)
            best[name] = max(best[name], wall_rate)
            best[name + "_cpu"] = max(best[name + "_cpu"], cpu_rate)
    raw.close()
    sdk.close()
    return best


async def async_figures(url: str, rounds: int) -> dict[str, float]:
    raw = httpx.AsyncClient(timeout=60)
    sdk = OpenRouter(api_key="bench", server_url=url)

    async def raw_stream() -> int:
        count = 0
        async with raw.stream("POST", url + "/responses", content=BODY, headers=HEADERS) as r:
            async for line in r.aiter_lines():
                count += _raw_line(line)
        return count

    async def sdk_stream() -> int:
        count = 0
        stream = await sdk.responses.send_async(
            model="openai/gpt-4o", input="stream please", stream=True
        )
        async with stream:
            async for _ in stream:
                count += 1
        return count

    async def measure(fn: Callable[[], Awaitable[int]]) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        events = await fn()
        return events / (time.perf_counter() - wall), events / (time.process_time() - cpu)

    assert await raw_stream() == await sdk_stream()
    best = dict.fromkeys(("raw", "sdk", "raw_cpu", "sdk_cpu"), 0.0)
    for _ in range(rounds):
        for name, fn in (("raw", raw_stream), ("sdk", sdk_stream)):
            wall_rate, cpu_rate = await measure(fn)
            best[name] = max(best[name], wall_rate)
            best[name + "_cpu"] = max(best[name + "_cpu"], cpu_rate)
    await raw.aclose()
    await sdk.aclose()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deltas", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data-only", action="store_true", help="frames without event: lines")
    args = parser.parse_args()
    body = service_stream(args.deltas)
    if args.data_only:
        body = b"".join(
            line + b"\n" for line in body.split(b"\n")[:-1] if not line.startswith(b"event:")
        )
    framing = "data: lines only" if args.data_only else "event: + data: lines"
    with static_process(body) as url:
        figures = {
            "sync": sync_figures(url, args.rounds),
            "async": asyncio.run(async_figures(url, args.rounds)),
        }
    print(
        f"one stream of {args.deltas:,} deltas, frames with {framing}; best of {args.rounds}; "
        f"{os.cpu_count()} cores"
    )
    for mode, best in figures.items():
        for clock, key in (("wall", ""), ("cpu", "_cpu")):
            raw, sdk = best["raw" + key], best["sdk" + key]
            print(
                f"{mode:<5} {clock:<4}  raw httpx {raw:10,.0f} events/s   "
                f"openrouter {sdk:10,.0f} events/s   ratio {sdk / raw:.2f} (goal >= 0.8)"
            )


if __name__ == "__main__":
    main()
