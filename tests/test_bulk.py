"""Bulk runs against the emulator: faults, the cost cap, resume, Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from openrouter import OpenRouter
from openrouter.bulk import AdaptiveConcurrency, CostBudget
from openrouter.cli import main
from openrouter.testing import Emulator, Fault
from openrouter.utils import BackoffStrategy, RetryConfig

# The injected 429s and 500s form one queue: after 429s halve the concurrency, one request can
# meet many of them in a row. Enough attempts (and time) that every one of them heals, so the
# only failures left are the dropped connections, which must never be retried.
HEALING = RetryConfig(
    "backoff", BackoffStrategy(1, 5, 2.0, 60_000), retry_connection_errors=True, max_attempts=100
)
MODEL = "openai/gpt-4o"


def _requests(n: int) -> list[dict[str, object]]:
    return [{"custom_id": f"r{i}", "model": MODEL, "input": f"q{i}"} for i in range(n)]


def _write_input(path: Path, n: int) -> None:
    path.write_text("".join(json.dumps({"input": f"q{i}"}) + "\n" for i in range(n)))


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_adaptive_concurrency_halves_once_per_wave_and_climbs_back() -> None:
    limit = AdaptiveConcurrency(8)
    limit.rate_limited(started_at=0.0, now=1.0, retry_after=2.0)
    assert limit.limit == 4 and not limit.can_start(0, 2.5) and limit.can_start(3, 3.0)
    limit.rate_limited(started_at=0.5, now=1.1, retry_after=None)  # same wave: no second cut
    assert limit.limit == 4
    for _ in range(4):
        limit.succeeded()
    assert limit.limit == 5
    for _ in range(100):
        limit.succeeded()
    assert limit.limit == 8  # never above the bound


def test_cost_budget_counts_the_requests_in_flight() -> None:
    budget = CostBudget(1.0)
    assert budget.can_start(0) and not budget.can_start(1)  # no cost known yet: one probe
    budget.add(0.25)
    assert budget.can_start(2) and not budget.can_start(3)  # 0.25 + 3 * 0.25 = 1.0 ok; 4 not


def test_a_thousand_requests_with_faults_each_id_exactly_once(
    openrouter_emulator: Emulator,
) -> None:
    emu = openrouter_emulator
    emu.enqueue(Fault.status(429, retry_after_ms=2), times=40)
    emu.enqueue(Fault.status(500), times=30)
    emu.enqueue(Fault.reset(), times=10)
    with OpenRouter(api_key=emu.api_key, server_url=emu.url, retry_config=HEALING) as client:
        with client.responses.bulk(_requests(1000), concurrency=32) as run:
            results = list(run)
    ids = Counter(r.custom_id for r in results)
    assert set(ids) == {f"r{i}" for i in range(1000)} and set(ids.values()) == {1}
    failed = [r for r in results if r.status == "failed"]
    # Dropped connections after sending are not retried (they may have been billed).
    assert failed and all(r.error and r.error.may_be_billed for r in failed)
    assert all(r.error and r.error.type == "APIConnectionError" for r in failed)
    assert sum(r.attempts for r in results) == len(emu.requests)
    summary = run.summary()
    assert summary.counts["ok"] == 1000 - len(failed) and summary.p95_latency_s is not None


def test_async_bulk_with_an_async_input(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    emu.enqueue(Fault.status(429, retry_after=None), times=5)

    async def source():  # type: ignore[no-untyped-def]
        for request in _requests(50):
            yield request

    async def go() -> list[str]:
        async with OpenRouter(api_key=emu.api_key, server_url=emu.url, retry_config=HEALING) as c:
            run = c.responses.bulk_async(source(), concurrency=8)
            ids = [r.custom_id async for r in run if r.ok]
            assert run.concurrency_limit <= 8
            return ids

    assert sorted(asyncio.run(go())) == sorted(f"r{i}" for i in range(50))


def test_cost_cap_stops_then_resume_sends_no_finished_id(
    openrouter_emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = openrouter_emulator
    monkeypatch.setenv("OPENROUTER_API_KEY", emu.api_key)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(src, 100)
    args = ["bulk", str(src), "-o", str(out), "--base-url", emu.url, "-m", MODEL, "-c", "4"]
    assert main([*args, "--max-cost", "0.0005"]) == 11
    first = _lines(out)
    ok = {r["custom_id"] for r in first if r["status"] == "ok"}
    assert 0 < len(ok) < 100 and first[-1]["status"] == "skipped_cost_cap"
    sent_first = len(emu.requests)
    assert sent_first == len(ok)
    assert main(args) == 0
    # Only the ids not answered yet were sent: the emulator saw each request once in total.
    assert len(emu.requests) == 100
    inputs = Counter(r.json["input"] for r in emu.requests)
    assert set(inputs.values()) == {1}
    final = {r["custom_id"]: r["status"] for r in _lines(out)}
    assert len(final) == 100 and set(final.values()) == {"ok"}


def test_retry_failed_resends_only_what_was_not_billed(
    openrouter_emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = openrouter_emulator
    monkeypatch.setenv("OPENROUTER_API_KEY", emu.api_key)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(src, 3)
    emu.enqueue(Fault.status(400), Fault.reset())
    args = ["bulk", str(src), "-o", str(out), "--base-url", emu.url, "-c", "1", "--no-retry"]
    assert main(args) == 12
    assert main(args) == 0 and len(emu.requests) == 3  # failed ones kept without the flag
    assert main([*args, "--retry-failed"]) == 0
    assert len(emu.requests) == 4  # the 400 again; never the dropped (maybe billed) one
    statuses = {r["custom_id"]: r["status"] for r in _lines(out)}  # the last line wins
    assert statuses == {"1": "ok", "2": "failed", "3": "ok"}


def test_ctrl_c_finishes_in_flight_then_resume_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(src, 60)
    with Emulator() as emu:
        emu.enqueue(Fault.stall(0.05), times=60)
        monkeypatch.setenv("OPENROUTER_API_KEY", emu.api_key)
        args = ["bulk", str(src), "-o", str(out), "--base-url", emu.url, "-c", "2"]
        # A real process, for a real Ctrl-C; the resume runs in this one.
        command = [sys.executable, "-m", "openrouter", *args]
        proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while (not out.exists() or len(out.read_text().splitlines()) < 4) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
        assert proc.returncode == 130, err
        assert "interrupted" in err
        first = _lines(out)  # every line is whole JSON
        assert 4 <= len(first) < 60 and {r["status"] for r in first} == {"ok"}
        # In-flight requests were finished and written, not abandoned.
        assert len(emu.requests) == len(first)
        # Wider, so the rest of the stalled answers take a quarter of the time.
        assert main([*args, "-c", "8"]) == 0, capsys.readouterr().err
        assert len(emu.requests) == 60
    ids = Counter(r["custom_id"] for r in _lines(out))
    assert set(ids) == {str(i) for i in range(1, 61)} and set(ids.values()) == {1}


def test_stop_lets_in_flight_finish(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    with OpenRouter(api_key=emu.api_key, server_url=emu.url) as client:
        run = client.responses.bulk(iter(_requests(1000)), concurrency=4)
        with run:
            first = next(run)
            run.stop()
            rest = list(run)
    assert first.ok and all(r.status in ("ok", "not_started") for r in rest)
    assert len(emu.requests) == 1 + sum(r.ok for r in rest) < 20
    assert run.summary().stopped_by == "stopped"


def test_progress_counts_lines_answered_before_as_done() -> None:
    import io

    from openrouter.bulk import BulkResult
    from openrouter.bulk._core import Tally
    from openrouter.cli._bulk_progress import Progress

    # OUT may hold ids of other inputs: the total stays the input's lines, and the lines
    # skipped as already answered count as done (it once showed "1/0").
    err = io.StringIO()
    progress = Progress(err, 10, interactive=False)
    tally = Tally()
    result = BulkResult(custom_id="x", status="ok")
    tally.add(result)
    progress.update(result, tally, already=4)
    assert "bulk: 5/10" in err.getvalue()
