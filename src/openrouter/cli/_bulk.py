"""``openrouter bulk IN.jsonl -o OUT.jsonl``: many requests from a JSON-lines file, one result
line each, resumable."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from types import FrameType
from typing import IO, Any, TextIO

from openrouter.cli._args import (
    DEFAULT_MODEL,
    Parser,
    add_connection_options,
    non_negative_float,
    positive_int,
)
from openrouter.cli._bulk_progress import Progress, format_summary
from openrouter.cli._connect import open_client
from openrouter.cli._exit import (
    EXIT_BULK_FAILED,
    EXIT_CODES_HELP,
    EXIT_COST_CAP,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    CLIError,
)

__all__ = ["build_bulk_parser", "run_bulk"]

DESCRIPTION = """\
Send every request of a JSON-lines file and write one result line per request
to OUT as it finishes (flushed at once, so OUT is valid at any moment).

Each input line is a JSON object of send parameters (model, input,
instructions, ...) with an optional "custom_id"; without one, the line number
is the id. Each output line has custom_id, status (ok, failed,
skipped_cost_cap, not_started), response, error, usage, cost, attempts and
latency_s.

Concurrency adapts: it is halved on a 429 (no request starts before its
Retry-After) and climbs back by one per run of successes, never above
--concurrency. Failed requests are retried per the client's policy, then
recorded as failed.

Resume: run the same command again. Ids already answered in OUT are skipped;
with --retry-failed, failed ones are sent again, except those that may have
been billed (a connection lost after sending, a broken stream). Ctrl-C starts
no new request and waits for those in flight (Ctrl-C again abandons them)."""

EPILOG = f"""\
examples:
  openrouter bulk prompts.jsonl -o results.jsonl --concurrency 32
  openrouter bulk prompts.jsonl -o results.jsonl --max-cost 5 -m openai/gpt-4o
  openrouter bulk prompts.jsonl -o results.jsonl --retry-failed
  openrouter bulk prompts.jsonl -o results.jsonl --emulator   # offline

  an input line: {{"custom_id": "q1", "input": "Summarise: ...", "max_output_tokens": 200}}

progress: a bar on a terminal with pip install 'openrouter[bulk]' (tqdm),
else a status line; every 5 seconds on stderr when it is not a terminal.

{EXIT_CODES_HELP}"""


def build_bulk_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=f"{PROG} bulk",
        usage="%(prog)s IN.jsonl -o OUT.jsonl [--concurrency N] [--max-cost USD] [options]",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", metavar="IN.jsonl", help="the requests, one JSON object a line")
    run = parser.add_argument_group("run")
    run.add_argument("-o", "--output", required=True, metavar="OUT.jsonl", help="the results")
    run.add_argument(
        "-c",
        "--concurrency",
        type=positive_int,
        default=16,
        metavar="N",
        help="most requests in flight at once (default: 16)",
    )
    run.add_argument(
        "--max-cost",
        type=non_negative_float,
        metavar="USD",
        help="start no request once the cost so far plus those in flight would pass USD",
    )
    run.add_argument(
        "-m",
        "--model",
        help=f"model for lines without one (default: $OPENROUTER_MODEL, else {DEFAULT_MODEL})",
    )
    run.add_argument(
        "--retry-failed",
        action="store_true",
        help="send failed requests of OUT again (never those that may have been billed)",
    )
    add_connection_options(parser)
    return parser


def answered_ids(path: str, retry_failed: bool) -> set[str]:
    """The ids in an earlier run's output that must not be sent again (the last line of an id
    wins). A line cut off by a crash is removed, so that appending keeps the file valid."""
    skip: set[str] = set()
    try:
        handle = open(path, "rb+")  # noqa: SIM115 - closed below; truncated in place
    except FileNotFoundError:
        return skip
    with handle:
        end = 0
        for raw in handle:
            if not raw.endswith(b"\n"):
                break
            end += len(raw)
            try:
                record = json.loads(raw)
                custom_id, status = str(record["custom_id"]), record["status"]
            except (ValueError, KeyError, TypeError):
                continue
            error = record.get("error") or {}
            billed = status == "failed" and bool(error.get("may_be_billed"))
            if status == "ok" or billed or (status == "failed" and not retry_failed):
                skip.add(custom_id)
            else:
                skip.discard(custom_id)
        handle.truncate(end)
    return skip


def count_lines(path: str) -> int | None:
    """The lines of a regular file (for the progress total), read in blocks."""
    if path == "-" or not os.path.isfile(path):
        return None
    count, last = 0, b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (0 if last == b"\n" else 1)


class _Output:
    """Result lines, each written whole and flushed, from any thread."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self._handle.write(line)
            self._handle.flush()


class _Counts:
    """Input lines that never reach the engine: already answered, or not a JSON object."""

    skipped = 0
    invalid = 0


def read_requests(
    lines: IO[str], skip: set[str], model: str, output: _Output, counts: _Counts
) -> Iterator[dict[str, Any]]:
    """The input's requests, lazily; a line that is not a JSON object is recorded as failed."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            params = json.loads(line)
            if not isinstance(params, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            if str(number) not in skip:
                error = {"type": "InvalidLine", "message": str(exc), "status": None}
                output.write({"custom_id": str(number), "status": "failed", "error": error})
                counts.invalid += 1
            continue
        custom_id = str(params.setdefault("custom_id", str(number)))
        if custom_id in skip:
            counts.skipped += 1
            continue
        params.setdefault("model", model)
        yield params


def run_bulk(args: argparse.Namespace, err: TextIO) -> int:
    model = args.model or os.environ.get("OPENROUTER_MODEL") or DEFAULT_MODEL
    skip = answered_ids(args.output, args.retry_failed)
    total = count_lines(args.input)
    counts = _Counts()
    stop_signals = [0]
    with ExitStack() as stack:
        try:
            source: IO[str] = sys.stdin
            if args.input != "-":
                source = stack.enter_context(open(args.input, encoding="utf-8"))
        except OSError as exc:
            raise CLIError(EXIT_USAGE, f"cannot read {args.input}: {exc.strerror}") from None
        output = _Output(stack.enter_context(open(args.output, "a", encoding="utf-8")))
        client = open_client(args, stack, err)
        requests = read_requests(source, skip, model, output, counts)
        run = stack.enter_context(
            client.responses.bulk(
                requests, concurrency=args.concurrency, max_cost_usd=args.max_cost
            )
        )

        def on_interrupt(signum: int, frame: FrameType | None) -> None:
            stop_signals[0] += 1
            if stop_signals[0] > 1:
                raise KeyboardInterrupt  # the second Ctrl-C abandons the requests in flight
            run.stop()
            err.write(
                f"\n{PROG}: bulk: stopping: waiting for {run.engine.in_flight} request(s) "
                "in flight (Ctrl-C again to abandon them)\n"
            )
            err.flush()

        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, on_interrupt)
            stack.callback(signal.signal, signal.SIGINT, previous)
        # The total is the input's lines: the ids of OUT need not all come from this input,
        # so subtracting them would understate it; skipped lines count as done instead.
        progress = Progress(err, total, interactive=err.isatty())
        stack.callback(progress.close)
        for result in run:
            output.write(result.to_dict())
            progress.update(result, run.engine.tally, counts.skipped + counts.invalid)
        summary = run.summary()
    err.write(format_summary(summary, counts.skipped, counts.invalid))
    err.flush()
    if stop_signals[0]:
        return EXIT_INTERRUPTED
    if summary.stopped_by == "cost_cap":
        return EXIT_COST_CAP
    return EXIT_BULK_FAILED if summary.counts.get("failed") or counts.invalid else EXIT_OK
