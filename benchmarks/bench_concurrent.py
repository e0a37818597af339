"""1,000 concurrent async requests through one client: the SDK against raw httpx with the same
pool limits, same static server (no emulator), each measurement in a fresh process.

    python benchmarks/bench_concurrent.py [--requests 1000] [--deltas 200] [--rounds 5]

Figures, per mode (streams of ``--deltas`` text deltas framed as the service frames them, and
non-streaming sends):
- throughput: events/s (streams) or requests/s (sends), by wall time and by the client's CPU
  time (steadier on a busy machine; at 1,000 connections httpcore's pool, which scans every
  connection for every request, costs both clients alike and dominates);
- peak memory per request: (peak RSS - RSS before the burst) / requests;
- after: RSS and live Python memory blocks once every request is done, first before any
  ``gc.collect()`` (what refcounting alone released), then after one.

Goals: streams >= 0.95 of raw events/s, peak memory per stream <= 2x raw, memory back to the
baseline after; sends >= 0.95 of raw requests/s. Each round runs both sides (which goes first
alternates); the ratios are the median of the rounds' ratios, the other figures the best round.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

try:
    from benchmarks._server import service_stream, static_process
except ImportError:  # run as a script from the benchmarks folder
    from _server import service_stream, static_process  # type: ignore[no-redef]

HEADERS = {"Authorization": "Bearer bench"}
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KB on Linux


async def _child(url: str, who: str, stream: bool, n: int) -> dict[str, float]:
    import httpx

    from openrouter import OpenRouter

    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    client = httpx.AsyncClient(timeout=120, limits=limits)
    sdk = OpenRouter(api_key="bench", server_url=url, async_client=client)
    # Raw httpx encodes its body per request (json=), as any caller (and the SDK) must.
    payload = {"model": "openai/gpt-4o", "input": "hi", "stream": stream}

    async def raw_stream() -> int:
        count = 0
        async with client.stream("POST", url + "/responses", json=payload, headers=HEADERS) as r:
            async for line in r.aiter_lines():
                if (
                    line.startswith("data: ")
                    and line != "data: [DONE]"
                    and type(json.loads(line[6:])["type"]) is str
                ):
                    count += 1
        return count

    async def sdk_stream() -> int:
        count = 0
        events = await sdk.responses.send_async(model="openai/gpt-4o", input="hi", stream=True)
        async with events:
            async for _ in events:
                count += 1
        return count

    async def raw_send() -> int:
        response = await client.post(url + "/responses", json=payload, headers=HEADERS)
        response.raise_for_status()
        json.loads(response.content)
        return 1

    async def sdk_send() -> int:
        await sdk.responses.send_async(model="openai/gpt-4o", input="hi")
        return 1

    one = {
        ("raw", True): raw_stream,
        ("sdk", True): sdk_stream,
        ("raw", False): raw_send,
        ("sdk", False): sdk_send,
    }[(who, stream)]
    await asyncio.gather(*(one() for _ in range(20)))  # warm up: imports, caches, pool
    gc.collect()
    base_rss, base_blocks = _rss(), sys.getallocatedblocks()
    started, cpu = time.perf_counter(), time.process_time()
    done = await asyncio.gather(*(one() for _ in range(n)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _peak_rss()
    after_rss, after_blocks = _rss(), sys.getallocatedblocks()
    gc.collect()
    collected_rss, collected_blocks = _rss(), sys.getallocatedblocks()
    await client.aclose()
    return {
        "rate": sum(done) / elapsed,
        "rate_cpu": sum(done) / cpu,
        "peak_per_request": (peak - base_rss) / n,
        "rss_after": after_rss - base_rss,
        "blocks_after": after_blocks - base_blocks,
        "rss_after_gc": collected_rss - base_rss,
        "blocks_after_gc": collected_blocks - base_blocks,
    }


def _run_child(url: str, who: str, stream: bool, n: int) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", who, "--url", url, "--requests", str(n)]
    if stream:
        args.append("--stream")
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    figures: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--deltas", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", choices=["raw", "sdk"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--stream", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(args.url, args.child, args.stream, args.requests))))
        return

    results: dict[tuple[str, bool], dict[str, Any]] = {}
    # Per mode, each round's SDK / raw ratio (by wall time, by CPU time): the rounds' speed
    # drifts by more than the difference measured, so the ratio is a median of paired rounds.
    ratios: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    with static_process(service_stream(args.deltas)) as url:
        for round_number in range(args.rounds):
            for stream in (True, False):
                pair = ("raw", "sdk") if round_number % 2 == 0 else ("sdk", "raw")
                this_round: dict[str, dict[str, float]] = {}
                for who in pair:
                    figures = this_round[who] = _run_child(url, who, stream, args.requests)
                    best = results.setdefault((who, stream), dict(figures))
                    for key in ("rate", "rate_cpu"):
                        best[key] = max(best[key], figures[key])
                    for key in figures:
                        if not key.startswith("rate"):
                            best[key] = min(best[key], figures[key])
                sdk_round, raw_round = this_round["sdk"], this_round["raw"]
                ratios[stream].append(
                    (
                        sdk_round["rate"] / raw_round["rate"],
                        sdk_round["rate_cpu"] / raw_round["rate_cpu"],
                    )
                )

    n = args.requests
    print(
        f"{n:,} concurrent async requests, {args.rounds} rounds (figures: the best round); "
        f"{os.cpu_count()} cores"
    )
    for stream, unit in ((True, "events/s"), (False, "requests/s")):
        kind = f"streams of {args.deltas} deltas" if stream else "non-streaming sends"
        raw, sdk = results[("raw", stream)], results[("sdk", stream)]
        print(f"{kind}:")
        for name, r in (("raw httpx", raw), ("openrouter", sdk)):
            peak = r["peak_per_request"] / 1024
            print(
                f"  {name:<10} {r['rate']:10,.0f} {unit:<10}  peak {peak:6.1f} KB/request   "
                f"after: RSS {r['rss_after'] / 1024:+8.0f} KB, "
                f"{r['blocks_after']:+7.0f} blocks; after gc.collect(): RSS "
                f"{r['rss_after_gc'] / 1024:+8.0f} KB, {r['blocks_after_gc']:+7.0f} blocks"
            )
        walls = [wall for wall, _ in ratios[stream]]
        cpus = [cpu for _, cpu in ratios[stream]]
        print(
            f"  ratio {unit}: {statistics.median(walls):.2f} by wall time, "
            f"{statistics.median(cpus):.2f} by CPU time (goal >= 0.95; median of "
            f"{len(walls)} paired rounds, by wall time {min(walls):.2f}-{max(walls):.2f}); "
            f"best rounds {sdk['rate'] / raw['rate']:.2f};  peak memory ratio: "
            f"{sdk['peak_per_request'] / max(raw['peak_per_request'], 1):.2f} (goal <= 2)"
        )


if __name__ == "__main__":
    main()
