"""Retry settings. Plain classes (no pydantic) so that importing them costs nothing."""

from __future__ import annotations

from typing import Literal

__all__ = ["BackoffStrategy", "RetryConfig"]


class BackoffStrategy:
    """Exponential backoff with jitter; every duration is in milliseconds.

    ``BackoffStrategy(500, 60_000, 1.5, 3_600_000)`` is positionally the same as the official
    SDK's ``BackoffStrategy(initial_interval, max_interval, exponent, max_elapsed_time)``, and
    those keyword names are accepted too.
    """

    __slots__ = ("exponent", "initial_interval_ms", "max_elapsed_ms", "max_interval_ms")

    def __init__(
        self,
        initial_interval_ms: int = 500,
        max_interval_ms: int = 8_000,
        exponent: float = 2.0,
        max_elapsed_ms: int = 60_000,
        *,
        initial_interval: int | None = None,
        max_interval: int | None = None,
        max_elapsed_time: int | None = None,
    ) -> None:
        self.initial_interval_ms = (
            initial_interval if initial_interval is not None else initial_interval_ms
        )
        self.max_interval_ms = max_interval if max_interval is not None else max_interval_ms
        self.exponent = exponent
        self.max_elapsed_ms = max_elapsed_time if max_elapsed_time is not None else max_elapsed_ms
        for name in ("initial_interval_ms", "max_interval_ms", "max_elapsed_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"BackoffStrategy.{name} must be >= 0")
        if exponent < 1:
            raise ValueError("BackoffStrategy.exponent must be >= 1")

    # The official SDK's attribute names, for code written against it.
    @property
    def initial_interval(self) -> int:
        return self.initial_interval_ms

    @property
    def max_interval(self) -> int:
        return self.max_interval_ms

    @property
    def max_elapsed_time(self) -> int:
        return self.max_elapsed_ms

    def __repr__(self) -> str:
        return (
            f"BackoffStrategy(initial_interval_ms={self.initial_interval_ms}, "
            f"max_interval_ms={self.max_interval_ms}, exponent={self.exponent}, "
            f"max_elapsed_ms={self.max_elapsed_ms})"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BackoffStrategy) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))


class RetryConfig:
    """When and how to retry a request that failed before producing a result.

    ``strategy`` is ``"backoff"`` or ``"none"``. ``retry_connection_errors`` retries failures
    where the request provably never reached the server (DNS, refused, connect timeout).
    ``retry_after_send`` additionally retries read timeouts and connections dropped after the
    request was sent: off by default, because the server may already be generating (and
    billing) the first attempt.
    """

    __slots__ = (
        "backoff",
        "retry_after_send",
        "retry_connection_errors",
        "status_codes",
        "strategy",
    )

    DEFAULT_STATUS_CODES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 524, 529})

    def __init__(
        self,
        strategy: Literal["backoff", "none"] | str = "backoff",
        backoff: BackoffStrategy | None = None,
        retry_connection_errors: bool = True,
        *,
        retry_after_send: bool = False,
        status_codes: frozenset[int] | set[int] | None = None,
    ) -> None:
        if strategy not in ("backoff", "none"):
            raise ValueError(f"RetryConfig.strategy must be 'backoff' or 'none', not {strategy!r}")
        self.strategy = strategy
        self.backoff = backoff if backoff is not None else BackoffStrategy()
        self.retry_connection_errors = retry_connection_errors
        self.retry_after_send = retry_after_send
        self.status_codes = (
            frozenset(status_codes) if status_codes is not None else self.DEFAULT_STATUS_CODES
        )

    def __repr__(self) -> str:
        return (
            f"RetryConfig(strategy={self.strategy!r}, backoff={self.backoff!r}, "
            f"retry_connection_errors={self.retry_connection_errors}, "
            f"retry_after_send={self.retry_after_send})"
        )
