"""What ``openrouter bulk`` shows while it runs and when it ends: a progress bar on a terminal
(``tqdm``, from the optional ``openrouter[bulk]`` extra: small, no dependencies of its own,
handles terminal width and ETA), else a plain status line; and the final summary."""

from __future__ import annotations

import importlib
import time
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from openrouter.bulk import BulkResult, BulkSummary
    from openrouter.bulk._core import Tally

# How often a status line is written when stderr is not a terminal (a log, a CI job).
LOG_EVERY_S = 5.0
_REDRAW_EVERY_S = 0.1


def _tqdm() -> Any:
    try:
        return importlib.import_module("tqdm").tqdm
    except ImportError:
        return None


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """Shows done/total, failures, cost so far, tokens/s and the ETA as results arrive.

    ``total`` counts the input's lines; lines that never reach the engine (already answered in
    OUT, or not a JSON object) count as done when passed as ``already``.
    """

    def __init__(self, err: TextIO, total: int | None, *, interactive: bool) -> None:
        self.err = err
        self.total = total
        self.interactive = interactive
        self._start = time.monotonic()
        self._last = 0.0
        self._already = 0
        self._bar: Any = None
        tqdm = _tqdm() if interactive else None
        if tqdm is not None:
            self._bar = tqdm(total=total, unit="req", file=err, dynamic_ncols=True, leave=True)

    def _status(self, tally: Tally) -> str:
        elapsed = max(time.monotonic() - self._start, 1e-9)
        tokens = (tally.input_tokens + tally.output_tokens) / elapsed
        done = tally.done + self._already
        parts = [f"{done}/{self.total}" if self.total is not None else f"{done}"]
        parts += [f"failed {tally.failed}", f"${tally.cost:.4f}", f"{tokens:.0f} tok/s"]
        if self.total and tally.done and self._bar is None:
            # The rate is that of the requests sent in this run, not of the lines skipped.
            left = max(self.total - done, 0) * elapsed / tally.done
            parts.append(f"ETA {_duration(left)}")
        return "  ".join(parts)

    def update(self, result: BulkResult, tally: Tally, already: int = 0) -> None:
        now = time.monotonic()
        self._already = already
        if self._bar is not None:
            self._bar.update(tally.done + already - self._bar.n)
            if now - self._last >= _REDRAW_EVERY_S:
                self._last = now
                self._bar.set_postfix_str(self._status(tally).split("  ", 1)[1], refresh=False)
            return
        every = _REDRAW_EVERY_S if self.interactive else LOG_EVERY_S
        if now - self._last >= every:
            self._last = now
            self._write(self._status(tally))

    def _write(self, line: str) -> None:
        if self.interactive:
            self.err.write(f"\r\x1b[2K{line}")
        else:
            self.err.write(f"openrouter: bulk: {line}\n")
        self.err.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.interactive and self._last:
            self.err.write("\r\x1b[2K")
            self.err.flush()


def format_summary(summary: BulkSummary, skipped: int = 0, invalid: int = 0) -> str:
    """The lines printed at the end of a run."""
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary.counts.items())) or "none"
    notes = [f"{invalid} invalid input line(s)"] if invalid else []
    notes += [f"{skipped} already done"] if skipped else []
    lines = [f"requests: {counts}" + (f" (and {', '.join(notes)})" if notes else "")]
    lines.append(
        f"tokens: {summary.input_tokens} input + {summary.output_tokens} output, "
        f"cost ${summary.cost:.6f}"
    )
    if summary.p50_latency_s is not None and summary.p95_latency_s is not None:
        lines.append(f"latency: p50 {summary.p50_latency_s:.2f}s, p95 {summary.p95_latency_s:.2f}s")
    lines.append(
        f"throughput: {summary.requests_per_s:.1f} requests/s, "
        f"{summary.tokens_per_s:.0f} tokens/s over {summary.elapsed_s:.1f}s"
    )
    if summary.stopped_by == "cost_cap":
        lines.append("stopped: the cost cap was reached (raise --max-cost and run again)")
    elif summary.stopped_by == "stopped":
        lines.append("stopped: interrupted (run the same command again to go on)")
    return "".join(f"openrouter: bulk: {line}\n" for line in lines)
