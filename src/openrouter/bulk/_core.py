"""The I/O-free parts of a bulk run: adaptive concurrency, the cost budget, result records and
the running totals. The engine (``_engine``) only sends, waits and yields."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "AdaptiveConcurrency",
    "BulkError",
    "BulkResult",
    "BulkStatus",
    "BulkSummary",
    "CostBudget",
    "Tally",
    "error_record",
    "split_request",
]

BulkStatus = Literal["ok", "failed", "skipped_cost_cap", "not_started"]
"""``ok``: answered; ``failed``: the request's final attempt failed; ``skipped_cost_cap``: taken
from the input but not started, because the cost cap was reached; ``not_started``: taken from
the input but not started, because the run was stopped."""


@dataclass(frozen=True, slots=True)
class BulkError:
    """Why a request failed: the exception's class name, message and HTTP status (if any).

    ``may_be_billed`` is True when the request may have reached the model (a connection lost
    after sending, a timeout, a broken stream): such a request is never sent again by a bulk run.
    """

    type: str
    message: str
    status: int | None = None
    may_be_billed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "message": self.message,
            "status": self.status,
            "may_be_billed": self.may_be_billed,
        }


@dataclass(frozen=True, slots=True)
class BulkResult:
    """One request's outcome. ``response`` is the typed result when ``status == "ok"``;
    ``error`` says what went wrong otherwise, and ``exception`` is the typed error raised
    (``errors.TooManyRequestsResponseError``...). ``latency_s`` covers every attempt."""

    custom_id: str
    status: BulkStatus
    response: Any = None
    error: BulkError | None = None
    exception: BaseException | None = None
    usage: Any = None
    cost: float | None = None
    attempts: int = 0
    latency_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record: what ``openrouter bulk`` writes, one per line."""
        response = self.response
        to_dict = getattr(response, "to_dict", None)
        usage = self.usage
        return {
            "custom_id": self.custom_id,
            "status": self.status,
            "response": to_dict() if to_dict is not None else response,
            "error": self.error.to_dict() if self.error is not None else None,
            "usage": usage.to_dict() if usage is not None else None,
            "cost": self.cost,
            "attempts": self.attempts,
            "latency_s": round(self.latency_s, 6),
        }


def error_record(exc: BaseException) -> BulkError:
    """The record of a request's final failure."""
    from openrouter import errors

    status = exc.status_code if isinstance(exc, errors.OpenRouterError) else None
    # A stream that broke, or a connection lost after the request went out, may have been
    # generated (and billed) in full: sending it again could pay twice.
    billed = isinstance(exc, errors.StreamError) or (
        isinstance(exc, errors.APIConnectionError) and exc.request_sent
    )
    message = " ".join(str(getattr(exc, "message", None) or exc or type(exc).__name__).split())
    return BulkError(type(exc).__name__, message, status, billed)


def split_request(params: Mapping[str, Any], index: int) -> tuple[str, dict[str, Any]]:
    """The request's ``custom_id`` (else its 1-based position) and its send parameters."""
    rest = dict(params)
    custom_id = rest.pop("custom_id", None)
    # Bulk runs want whole results: a stream would have to be read to know its cost anyway.
    rest.pop("stream", None)
    return (str(custom_id) if custom_id is not None else str(index)), rest


class AdaptiveConcurrency:
    """Additive increase, multiplicative decrease, within ``bound``.

    A rate limit halves the limit (once per wave: a 429 for a request started before the last
    cut does not cut again) and pauses new starts for its ``Retry-After``; every ``limit``
    successes in a row raise the limit by one, never above ``bound``.
    """

    __slots__ = ("_cut_at", "_successes", "bound", "limit", "paused_until")

    def __init__(self, bound: int) -> None:
        if bound < 1:
            raise ValueError("concurrency must be at least 1")
        self.bound = bound
        self.limit = bound
        self.paused_until = 0.0
        self._successes = 0
        self._cut_at = -math.inf

    def can_start(self, in_flight: int, now: float) -> bool:
        return in_flight < self.limit and now >= self.paused_until

    def rate_limited(self, started_at: float, now: float, retry_after: float | None) -> None:
        if retry_after is not None and retry_after > 0:
            self.paused_until = max(self.paused_until, now + retry_after)
        if started_at >= self._cut_at:
            self.limit = max(1, self.limit // 2)
            self._cut_at = now
            self._successes = 0

    def succeeded(self) -> None:
        self._successes += 1
        if self._successes >= self.limit:
            self._successes = 0
            self.limit = min(self.bound, self.limit + 1)


class CostBudget:
    """Spent cost plus an estimate for the requests in flight, against ``cap`` (USD).

    The estimate per request is ``estimate`` when given, else the running mean of the costs
    reported so far; until a first cost is known only one request may be in flight.
    """

    __slots__ = ("_costed", "cap", "estimate", "spent")

    def __init__(self, cap: float | None, estimate: float | None = None) -> None:
        self.cap = cap
        self.estimate = estimate
        self.spent = 0.0
        self._costed = 0

    def per_request(self) -> float | None:
        if self.estimate is not None:
            return self.estimate
        return self.spent / self._costed if self._costed else None

    def can_start(self, in_flight: int) -> bool:
        if self.cap is None:
            return True
        each = self.per_request()
        if each is None:
            return in_flight == 0 and self.spent < self.cap
        return self.spent + (in_flight + 1) * each <= self.cap

    def add(self, cost: float | None) -> None:
        if cost is not None:
            self.spent += cost
            self._costed += 1


class _Histogram:
    """Latencies in logarithmic buckets (2% wide): percentiles in flat memory."""

    __slots__ = ("_buckets", "count")
    _STEP = math.log(1.02)

    def __init__(self) -> None:
        self._buckets: dict[int, int] = {}
        self.count = 0

    def add(self, seconds: float) -> None:
        key = math.floor(math.log(max(seconds, 1e-6)) / self._STEP)
        self._buckets[key] = self._buckets.get(key, 0) + 1
        self.count += 1

    def percentile(self, fraction: float) -> float | None:
        if not self.count:
            return None
        rank = max(1, math.ceil(fraction * self.count))
        seen = 0
        for key in sorted(self._buckets):
            seen += self._buckets[key]
            if seen >= rank:
                return math.exp((key + 0.5) * self._STEP)
        return None  # pragma: no cover - the loop always reaches rank


@dataclass(frozen=True, slots=True)
class BulkSummary:
    """Totals of a run: counts by status, tokens, cost, latency percentiles, throughput.

    ``stopped_by`` is ``"cost_cap"`` or ``"stopped"`` (``stop()``, Ctrl-C) when the run ended
    before its input did, else None.
    """

    counts: dict[str, int]
    input_tokens: int
    output_tokens: int
    cost: float
    p50_latency_s: float | None
    p95_latency_s: float | None
    elapsed_s: float
    stopped_by: str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def requests_per_s(self) -> float:
        return self.total / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def tokens_per_s(self) -> float:
        tokens = self.input_tokens + self.output_tokens
        return tokens / self.elapsed_s if self.elapsed_s > 0 else 0.0


@dataclass(slots=True)
class Tally:
    """Running totals, updated once per result."""

    counts: dict[str, int] = field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    _latency: _Histogram = field(default_factory=_Histogram)

    def add(self, result: BulkResult) -> None:
        self.counts[result.status] = self.counts.get(result.status, 0) + 1
        if result.usage is not None:
            self.input_tokens += result.usage.input_tokens
            self.output_tokens += result.usage.output_tokens
        if result.cost is not None:
            self.cost += result.cost
        if result.status in ("ok", "failed"):
            self._latency.add(result.latency_s)

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0)

    def summary(self, elapsed_s: float, stopped_by: str | None = None) -> BulkSummary:
        return BulkSummary(
            counts=dict(self.counts),
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cost=self.cost,
            p50_latency_s=self._latency.percentile(0.5),
            p95_latency_s=self._latency.percentile(0.95),
            elapsed_s=elapsed_s,
            stopped_by=stopped_by,
        )
