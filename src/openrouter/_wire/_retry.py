"""The retry policy: which failures to retry and how long to wait, with no I/O of its own.

The sync and async request loops both drive one ``RetryController``; only their sleeping
differs.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar

import httpx

from openrouter._retry_config import RetryConfig

# Called before each retry with the status (None after a transport error) and the server's
# Retry-After in seconds. Context-local, so a caller running many requests (bulk runs) learns
# of each one's rate limits without the retry policy knowing about it.
RETRY_LISTENER: ContextVar[Callable[[int | None, float | None], None] | None] = ContextVar(
    "openrouter_retry_listener", default=None
)

# A server asking for a longer pause than this is treated as "not worth waiting for".
MAX_RETRY_AFTER_S = 60.0

# Failures where httpx provably never handed the request to a server. A LocalProtocolError is
# raised while the request head is being built (an unsendable header, say).
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)
# Failures that say the request itself is wrong: retrying cannot heal them.
_NEVER_RETRIED = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


def request_was_sent(exc: BaseException) -> bool:
    """False only when the request cannot have reached the server."""
    return not isinstance(exc, _NOT_SENT)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``retry-after-ms``, or ``Retry-After`` as seconds or an HTTP date."""
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            ms = float(value)
        except ValueError:
            pass
        else:
            if ms >= 0:
                return ms / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        return max(0.0, when.timestamp() - time.time())
    return seconds if seconds >= 0 else None


class RetryController:
    """Tracks one logical request across attempts and decides each retry.

    ``delay_after_status`` / ``delay_after_error`` return the seconds to sleep before the next
    attempt, or None when the caller should stop and raise.
    """

    __slots__ = ("_clock", "_config", "_random", "_start", "attempts", "retry_after")

    def __init__(
        self,
        config: RetryConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._config = config
        self._clock = clock
        self._random = rand
        self._start = clock()
        self.attempts = 1
        # The server's Retry-After on the last status seen (seconds), for retry listeners.
        self.retry_after: float | None = None

    def delay_after_status(self, status_code: int, headers: Mapping[str, str]) -> float | None:
        if self._config.strategy != "backoff" or status_code not in self._config.status_codes:
            return None
        retry_after = self.retry_after = parse_retry_after(headers)
        if retry_after is not None and retry_after > MAX_RETRY_AFTER_S:
            return None
        # The backoff is the floor: "Retry-After: 0" (or a tiny value) must not make the
        # client hammer the server.
        delay = self._backoff()
        if retry_after is not None and retry_after > delay:
            delay = retry_after
        return self._within_budget(delay)

    def delay_after_error(self, exc: BaseException) -> float | None:
        config = self._config
        if config.strategy != "backoff" or isinstance(exc, _NEVER_RETRIED):
            return None
        allowed = (
            config.retry_after_send if request_was_sent(exc) else config.retry_connection_errors
        )
        return self._within_budget(self._backoff()) if allowed else None

    def _backoff(self) -> float:
        b = self._config.backoff
        base = min(b.max_interval_ms, b.initial_interval_ms * b.exponent ** (self.attempts - 1))
        # "Equal jitter": never less than half the nominal pause, so retries stay spaced out.
        return (base / 2 + self._random() * base / 2) / 1000.0

    def _within_budget(self, delay: float) -> float | None:
        """``delay``, unless the next attempt would be over the cap or start after the
        ``max_elapsed_ms`` budget (an attempt already running is never cut short by it)."""
        if self.attempts >= self._config.max_attempts:
            return None
        elapsed = self._clock() - self._start
        if elapsed + delay > self._config.backoff.max_elapsed_ms / 1000.0:
            return None
        self.attempts += 1
        return delay
