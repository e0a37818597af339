"""Bulk runs: throughput against a plain asyncio + httpx loop, and memory over a long input.

    python benchmarks/bench_bulk.py [--requests 1000] [--concurrency 64] [--rounds 9]
                                    [--lines 100000]

1. ``responses.bulk_async`` sends ``--requests`` requests at ``--concurrency`` against the
   emulator (in its own process); the baseline is a plain asyncio loop of
   ``httpx.AsyncClient.post(json=...)`` + ``json.loads`` tasks with the same bound. Each round
   runs both (which goes first alternates); the ratio is the median of the rounds' bulk /
   baseline ratios, the other figures the best round.
2. ``--lines`` requests from a lazy generator (tiny replies): the process's resident memory
   after the first 10% of results and at the end. Flat memory: the two stay close.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Iterator

import httpx

from openrouter import OpenRouter

try:
    from benchmarks._server import emulator_process
except ImportError:  # run as a script from the benchmarks folder
    from _server import emulator_process  # type: ignore[no-redef]

PAYLOAD = {"model": "openai/gpt-4o", "input": "hi"}


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import resource

    return pages * resource.getpagesize() / 1e6


async def _baseline(url: str, n: int, concurrency: int) -> tuple[float, float]:
    headers = {"Authorization": "Bearer bench"}
    async with httpx.AsyncClient(timeout=60) as http:  # httpx's default pool, as the SDK's
        gate = asyncio.Semaphore(concurrency)

        async def one() -> object:
            async with gate:
                # json=: each request's body encoded as it is sent, as bulk does.
                response = await http.post(url + "/responses", json=PAYLOAD, headers=headers)
                response.raise_for_status()
                return json.loads(response.content)

        start, cpu = time.perf_counter(), time.process_time()
        pending: set[asyncio.Task[object]] = set()
        for _ in range(n):
            if len(pending) >= concurrency:  # the same bounded number of tasks as bulk
                _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            pending.add(asyncio.create_task(one()))
        await asyncio.gather(*pending)
        return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


async def _bulk(url: str, n: int, concurrency: int) -> tuple[float, float]:
    # A new client per round, as the baseline's: a pool left with idle keep-alive connections
    # by an earlier round makes httpcore's pool slower for either (it checks each one).
    async with OpenRouter(api_key="bench", server_url=url, timeout_ms=60_000) as client:
        start, cpu = time.perf_counter(), time.process_time()
        done = 0
        async for result in client.responses.bulk_async(
            (PAYLOAD for _ in range(n)), concurrency=concurrency
        ):
            assert result.ok, result.error
            done += 1
        assert done == n
        return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


def _lazy(lines: int) -> Iterator[dict[str, object]]:
    for i in range(lines):
        yield {"custom_id": f"line-{i}", **PAYLOAD}


async def _memory(client: OpenRouter, lines: int, concurrency: int) -> tuple[float, float]:
    early = 0.0
    done = 0
    async for _ in client.responses.bulk_async(_lazy(lines), concurrency=concurrency):
        done += 1
        if done == max(lines // 10, 1):
            early = _rss_mb()
    return early, _rss_mb()


async def _main(args: argparse.Namespace) -> None:
    with emulator_process() as url:
        await _bulk(url, 200, args.concurrency)  # warm up
        await _baseline(url, 200, args.concurrency)
        raw: list[tuple[float, float]] = []
        bulk: list[tuple[float, float]] = []
        for round_number in range(args.rounds):
            # Both sides each round, which goes first alternating: the paired ratios' median
            # is steadier than the best rounds when the machine's speed drifts.
            if round_number % 2:
                bulk.append(await _bulk(url, args.requests, args.concurrency))
                raw.append(await _baseline(url, args.requests, args.concurrency))
            else:
                raw.append(await _baseline(url, args.requests, args.concurrency))
                bulk.append(await _bulk(url, args.requests, args.concurrency))
        (raw_wall, raw_cpu), (bulk_wall, bulk_cpu) = (
            tuple(max(figures) for figures in zip(*runs, strict=True)) for runs in (raw, bulk)
        )
        walls = [b[0] / r[0] for b, r in zip(bulk, raw, strict=True)]
        cpus = [b[1] / r[1] for b, r in zip(bulk, raw, strict=True)]
        print(f"{os.cpu_count()} cores; {args.rounds} rounds (figures: the best round)")
        print(f"asyncio + httpx loop: {raw_wall:8.0f} requests/s   {raw_cpu:8.0f} per CPU second")
        print(f"responses.bulk_async: {bulk_wall:8.0f} requests/s   {bulk_cpu:8.0f} per CPU second")
        print(
            f"ratio: {statistics.median(walls):.2f} by wall time, {statistics.median(cpus):.2f} "
            f"by the client's CPU time (goal >= 0.9; median of {args.rounds} paired rounds, by "
            f"wall time {min(walls):.2f}-{max(walls):.2f}; the server, in another process, "
            "bounds the wall time of both)"
        )
        if args.lines:
            async with OpenRouter(api_key="bench", server_url=url, timeout_ms=60_000) as client:
                early, end = await _memory(client, args.lines, args.concurrency)
            print(
                f"{args.lines} lines: resident memory {early:.1f} MB after 10%, "
                f"{end:.1f} MB at the end"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--lines", type=int, default=100_000)
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
