"""Micro-benchmark of the SSE decoder alone (no network, no JSON): events per second.

    python benchmarks/bench_sse.py [--events 200000] [--rounds 5]

Cases: the whole stream as one chunk, 64 KB chunks, 4 KB chunks, a CRLF stream in 64 KB chunks,
``event:``+``data:`` frames in 64 KB chunks, and 1-byte chunks for a smaller stream. Each figure
is the best of ``--rounds`` runs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from openrouter._wire._sse import SSEDecoder


def make_stream(events: int, line_end: bytes = b"\n", named: bool = False) -> bytes:
    parts = [b": OPENROUTER PROCESSING" + line_end + line_end]
    for seq in range(events):
        head = b"event: response.output_text.delta" + line_end if named else b""
        parts.append(
            head + b'data: {"type":"response.output_text.delta","delta":"abc ","item_id":"msg_1",'
            b'"output_index":0,"content_index":0,"sequence_number":%d}' % seq + line_end + line_end
        )
    parts.append(b"data: [DONE]" + line_end + line_end)
    return b"".join(parts)


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def decode_all(chunks: list[bytes]) -> int:
    decoder = SSEDecoder()
    feed = decoder.feed
    count = 0
    for chunk in chunks:
        count += len(feed(chunk))
    return count


def best_rate(chunks: list[bytes], expected: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        count = decode_all(chunks)
        elapsed = time.perf_counter() - start
        if count != expected:
            raise SystemExit(f"decoded {count} events, expected {expected}")
        best = min(best, elapsed)
    return expected / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--small-events", type=int, default=5_000, help="for 1-byte chunks")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    n = args.events
    lf = make_stream(n)
    crlf = make_stream(n, b"\r\n")
    named = make_stream(n, named=True)
    small = make_stream(args.small_events)
    expected = n + 1  # the deltas and [DONE]; the comment frame is not an event

    cases: list[tuple[str, Callable[[], list[bytes]], int]] = [
        ("one chunk", lambda: [lf], expected),
        ("64 KB chunks", lambda: chunked(lf, 65536), expected),
        ("4 KB chunks", lambda: chunked(lf, 4096), expected),
        ("64 KB chunks, CRLF", lambda: chunked(crlf, 65536), expected),
        ("64 KB chunks, event:+data:", lambda: chunked(named, 65536), expected),
        (
            f"1-byte chunks ({args.small_events} events)",
            lambda: chunked(small, 1),
            args.small_events + 1,
        ),
    ]
    print(f"SSE decoder, {n} events of ~{len(lf) // n} bytes ({len(lf) / 1e6:.1f} MB)")
    for name, make, count in cases:
        chunks = make()
        rate = best_rate(chunks, count, args.rounds)
        print(f"  {name:<34} {rate:>12,.0f} events/s")


if __name__ == "__main__":
    main()
