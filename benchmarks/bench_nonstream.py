"""Non-streaming throughput: N sequential ``send`` calls through the SDK against the same
requests through raw httpx (``client.post(json=...)`` + ``json.loads``), same server, same run.

    python benchmarks/bench_nonstream.py [--requests 500] [--rounds 20] [--emulator]

The server is the static one of ``_server.py`` (no emulator: it costs almost nothing per
request, so the figures show the clients); ``--emulator`` serves from the emulator instead.

Each round runs both sides back to back (which goes first alternates), and the ratio is the
median of the rounds' ratios: on a shared machine the speed drifts by several percent within
seconds, more than the difference being measured. It also prints each side's best round, with
client CPU per request (``time.process_time``), the SDK's own cost.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable

import httpx

from openrouter import OpenRouter

try:
    from benchmarks._server import emulator_process, service_stream, static_process
except ImportError:  # run as a script from the benchmarks folder
    from _server import (  # type: ignore[no-redef]
        emulator_process,
        service_stream,
        static_process,
    )

PAYLOAD = {"model": "openai/gpt-4o", "input": "Tell me a joke about benchmarks"}


def measure(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """(requests/s, CPU µs per request)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return n / wall, cpu / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500, help="per side and round")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--emulator", action="store_true", help="serve from the emulator")
    args = parser.parse_args()
    server = emulator_process() if args.emulator else static_process(service_stream(10))

    with server as url:
        raw = httpx.Client(timeout=60)
        headers = {"Authorization": "Bearer bench"}

        def raw_call() -> object:
            # json=: the body is encoded per request (and Content-Type set), as the SDK does.
            response = raw.post(url + "/responses", json=PAYLOAD, headers=headers)
            response.raise_for_status()
            return json.loads(response.content)

        sdk = OpenRouter(api_key="bench", server_url=url)

        def sdk_call() -> object:
            return sdk.responses.send(**PAYLOAD)

        assert sdk_call().output_text == raw_call()["output"][0]["content"][0]["text"]  # type: ignore[attr-defined,index]
        for _ in range(200):  # warm both connection pools and caches
            raw_call()
            sdk_call()
        best: dict[str, tuple[float, float]] = {}
        ratios: list[float] = []
        for round_number in range(args.rounds):
            # Each round is a pair, its order alternating, so drift hits both sides alike.
            pair = [("raw httpx", raw_call), ("openrouter", sdk_call)]
            rates: dict[str, float] = {}
            for name, fn in pair if round_number % 2 == 0 else pair[::-1]:
                rps, cpu = measure(fn, args.requests)
                rates[name] = rps
                if name not in best or rps > best[name][0]:
                    best[name] = (rps, cpu)
            ratios.append(rates["openrouter"] / rates["raw httpx"])
        raw.close()
        sdk.close()

    for name, (rps, cpu) in best.items():
        print(f"{name:<11} {rps:8.0f} requests/s   client CPU {cpu:6.0f} us/request   (best round)")
    extra = best["openrouter"][1] - best["raw httpx"][1]
    print(
        f"ratio SDK / raw httpx: {statistics.median(ratios):.2f} (goal >= 0.9; median of "
        f"{len(ratios)} paired rounds, range {min(ratios):.2f}-{max(ratios):.2f}); "
        f"best rounds {best['openrouter'][0] / best['raw httpx'][0]:.2f}; SDK adds {extra:.0f} us "
        f"CPU/request; {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
