"""Retry settings. Plain classes (no pydantic) so that importing them costs nothing."""

from __future__ import annotations

from typing import Any, Literal

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
    billing) the first attempt. ``max_attempts`` caps the attempts of one call, the first
    included (5 by default), whatever ``backoff.max_elapsed_ms`` still allows.
    """

    __slots__ = (
        "backoff",
        "max_attempts",
        "retry_after_send",
        "retry_connection_errors",
        "status_codes",
        "strategy",
    )

    DEFAULT_STATUS_CODES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 524, 529})
    DEFAULT_MAX_ATTEMPTS = 5

    def __init__(
        self,
        strategy: Literal["backoff", "none"] | str = "backoff",
        backoff: BackoffStrategy | None = None,
        retry_connection_errors: bool = True,
        *,
        retry_after_send: bool = False,
        status_codes: frozenset[int] | set[int] | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        if strategy not in ("backoff", "none"):
            raise ValueError(f"RetryConfig.strategy must be 'backoff' or 'none', not {strategy!r}")
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise ValueError(f"RetryConfig.max_attempts must be an int >= 1, not {max_attempts!r}")
        if backoff is not None and not isinstance(backoff, BackoffStrategy):
            raise TypeError(
                f"RetryConfig.backoff must be a BackoffStrategy, not {type(backoff).__name__}"
            )
        self.max_attempts = max_attempts
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
            f"retry_after_send={self.retry_after_send}, max_attempts={self.max_attempts})"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (``from_dict`` reads it back), e.g. to save a ``Conversation``."""
        b = self.backoff
        return {
            "strategy": self.strategy,
            "backoff": {
                "initial_interval_ms": b.initial_interval_ms,
                "max_interval_ms": b.max_interval_ms,
                "exponent": b.exponent,
                "max_elapsed_ms": b.max_elapsed_ms,
            },
            "retry_connection_errors": self.retry_connection_errors,
            "retry_after_send": self.retry_after_send,
            "status_codes": sorted(self.status_codes),
            "max_attempts": self.max_attempts,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RetryConfig:
        backoff = data.get("backoff")
        return cls(
            data.get("strategy", "backoff"),
            BackoffStrategy(**backoff) if backoff is not None else None,
            data.get("retry_connection_errors", True),
            retry_after_send=data.get("retry_after_send", False),
            status_codes=set(data["status_codes"]) if "status_codes" in data else None,
            max_attempts=data.get("max_attempts", cls.DEFAULT_MAX_ATTEMPTS),
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RetryConfig) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self))
