"""The retry policy on its own: which failures retry, how long it waits, when it gives up."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from openrouter._wire._retry import RetryController, parse_retry_after, request_was_sent
from openrouter.utils import BackoffStrategy, RetryConfig


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def controller(
    config: RetryConfig | None = None, clock: FakeClock | None = None
) -> RetryController:
    return RetryController(config or RetryConfig(), clock=clock or FakeClock(), rand=lambda: 1.0)


def test_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "0.5"}) == 0.5
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    # retry-after-ms is the more precise of the two and wins.
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (parse_retry_after({"retry-after": date}) or 0) <= 31
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({"retry-after": "-1"}) is None
    assert parse_retry_after({}) is None


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 524, 529])
def test_default_retries_transient_statuses(status: int) -> None:
    assert controller().delay_after_status(status, {}) is not None


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 413, 422, 501])
def test_default_does_not_retry_client_errors(status: int) -> None:
    assert controller().delay_after_status(status, {}) is None


def test_retry_after_is_honoured_exactly() -> None:
    assert controller().delay_after_status(429, {"retry-after": "2"}) == 2.0


def test_retry_after_longer_than_cap_gives_up() -> None:
    assert controller().delay_after_status(429, {"retry-after": "3600"}) is None


def test_backoff_grows_and_is_capped() -> None:
    config = RetryConfig(backoff=BackoffStrategy(100, 400, 2.0, 60_000), max_attempts=6)
    c = controller(config)
    delays = [c.delay_after_status(503, {}) for _ in range(6)]
    assert delays == [0.1, 0.2, 0.4, 0.4, 0.4, None]


def test_attempts_are_capped_by_default() -> None:
    c = controller(RetryConfig(backoff=BackoffStrategy(1, 1, 1.0, 3_600_000)))
    delays = [c.delay_after_status(429, {}) for _ in range(10)]
    assert sum(d is not None for d in delays) == RetryConfig.DEFAULT_MAX_ATTEMPTS - 1 == 4


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "0"},
        {"retry-after-ms": "0"},
        {"retry-after": "-5"},
        {"retry-after-ms": "-1"},
        {"retry-after": "0.001"},
        {"retry-after-ms": "1"},
        {"retry-after": "garbage"},
    ],
)
def test_zero_negative_or_tiny_retry_after_falls_back_to_the_backoff_floor(
    headers: dict[str, str],
) -> None:
    c = controller(RetryConfig(backoff=BackoffStrategy(200, 200, 1.0, 60_000)))
    delay = c.delay_after_status(429, headers)
    assert delay is not None and delay >= 0.1  # equal jitter: at least half of 200 ms


def test_a_longer_retry_after_is_honoured() -> None:
    c = controller(RetryConfig(backoff=BackoffStrategy(100, 100, 1.0, 60_000)))
    assert c.delay_after_status(429, {"retry-after": "2"}) == 2.0


def test_max_attempts_must_be_a_positive_int() -> None:
    for bad in (0, -1, 1.5, True, "3"):
        with pytest.raises(ValueError, match="max_attempts"):
            RetryConfig(max_attempts=bad)  # type: ignore[arg-type]


def test_retry_config_round_trips_through_json() -> None:
    import json

    config = RetryConfig(
        "backoff", BackoffStrategy(10, 20, 1.5, 3000), False, retry_after_send=True,
        status_codes={429}, max_attempts=3,
    )  # fmt: skip
    again = RetryConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and again.max_attempts == 3 and again.status_codes == {429}


def test_jitter_keeps_at_least_half() -> None:
    c = RetryController(
        RetryConfig(backoff=BackoffStrategy(1000, 1000, 2.0, 60_000)), rand=lambda: 0.0
    )
    assert c.delay_after_status(503, {}) == 0.5


def test_max_elapsed_is_respected() -> None:
    clock = FakeClock()
    c = controller(RetryConfig(backoff=BackoffStrategy(1000, 1000, 1.0, 2500)), clock)
    assert c.delay_after_status(503, {}) == 1.0
    clock.now = 1.0
    assert c.delay_after_status(503, {}) == 1.0
    clock.now = 2.0
    assert c.delay_after_status(503, {}) is None  # 2.0 + 1.0 > 2.5


def test_strategy_none_never_retries() -> None:
    c = controller(RetryConfig("none"))
    assert c.delay_after_status(429, {"retry-after": "1"}) is None
    assert c.delay_after_error(httpx.ConnectError("refused")) is None


def test_connection_errors_before_sending_retry_by_default() -> None:
    assert not request_was_sent(httpx.ConnectError("refused"))
    assert not request_was_sent(httpx.ConnectTimeout("slow"))
    assert controller().delay_after_error(httpx.ConnectError("refused")) is not None


def test_failures_after_sending_do_not_retry_by_default() -> None:
    for exc in (
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        httpx.ReadError("x"),
    ):
        assert request_was_sent(exc)
        assert controller().delay_after_error(exc) is None
    opted_in = controller(RetryConfig(retry_after_send=True))
    assert opted_in.delay_after_error(httpx.ReadTimeout("slow")) is not None


def test_connection_retries_can_be_switched_off() -> None:
    c = controller(RetryConfig(retry_connection_errors=False))
    assert c.delay_after_error(httpx.ConnectError("refused")) is None


def test_official_sdk_spelling_of_backoff() -> None:
    positional = BackoffStrategy(1, 50, 1.1, 100)
    named = BackoffStrategy(initial_interval=1, max_interval=50, exponent=1.1, max_elapsed_time=100)
    assert positional == named
    assert (named.initial_interval, named.max_interval, named.max_elapsed_time) == (1, 50, 100)
    config = RetryConfig("backoff", positional, False)
    assert config.retry_connection_errors is False
    with pytest.raises(ValueError):
        RetryConfig("sometimes")
