"""Fault matrix, the wire: drops, stalls, retry headers and the ``request_sent`` flag.

Every case runs sync and async, JSON and stream. Timeouts are tens of milliseconds; stalls end
as soon as the client hangs up (or the server closes), so nothing here sleeps for long.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from faultkit import (
    FAST_RETRY,
    MODE_IDS,
    MODES,
    NO_RETRY,
    Conn,
    Mode,
    closed_port,
    raw_server,
    run,
    sse_frames,
)
from openrouter import OpenRouter, errors
from openrouter.testing import Emulator, Fault
from openrouter.utils import BackoffStrategy, RetryConfig

modes = pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
stream_modes = pytest.mark.parametrize(
    "mode", [m for m in MODES if m.stream], ids=[m.id for m in MODES if m.stream]
)


def outcome(mode: Mode, script: Callable[[Conn], None], **kwargs: Any) -> tuple[Exception, int]:
    """The exception one send in ``mode`` raises against ``script``, and how many requests the
    server received."""
    with raw_server(script) as server:
        with pytest.raises(Exception) as caught:
            run(mode, server.url, **kwargs)
        return caught.value, len(server.requests)


def json_body() -> bytes:
    """A real non-streaming response body (the last frame's response, as JSON)."""
    completed = json.loads(sse_frames()[-2].removeprefix(b"data: "))
    return json.dumps(completed["response"]).encode()


def sse_head(conn: Conn) -> None:
    conn.head(200, content_type="text/event-stream")


# -- drops ------------------------------------------------------------------------------------


@modes
def test_connection_closed_after_the_head(mode: Mode) -> None:
    def script(conn: Conn) -> None:
        if mode.stream:
            sse_head(conn)
        else:
            conn.head(200, length=5_000)

    # Retries allowed: a request that reached the server is still never re-sent.
    exc, requests = outcome(mode, script, client={"retry_config": FAST_RETRY})
    assert requests == 1
    if mode.stream:
        assert isinstance(exc, errors.StreamInterruptedError)
        assert exc.event_count == 0
    else:
        assert isinstance(exc, errors.APIConnectionError)
        assert exc.request_sent is True


@modes
def test_connection_closed_mid_body(mode: Mode) -> None:
    body = json_body()
    frames = sse_frames()

    def script(conn: Conn) -> None:
        if mode.stream:
            sse_head(conn)
            conn.send(b"".join(frames[:4]))
        else:
            conn.head(200, length=len(body))
            conn.send(body[: len(body) // 2])

    exc, requests = outcome(mode, script, client={"retry_config": FAST_RETRY})
    assert requests == 1
    if mode.stream:
        assert isinstance(exc, errors.StreamInterruptedError)
        assert exc.event_count == 4
        assert exc.partial_response is not None
    else:
        assert isinstance(exc, errors.APIConnectionError)
        assert not isinstance(exc, errors.StreamError)
        assert exc.request_sent is True


@stream_modes
@pytest.mark.parametrize("framing", ["close", "chunked"])
def test_connection_dropped_mid_event(mode: Mode, framing: str) -> None:
    frames = sse_frames()
    half = frames[4][: len(frames[4]) // 2]

    def script(conn: Conn) -> None:
        if framing == "chunked":
            conn.send(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                "Transfer-Encoding: chunked\r\n\r\n"
            )
            for part in [*frames[:4], half]:
                conn.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            return  # no terminating chunk
        sse_head(conn)
        conn.send(b"".join(frames[:4]) + half)

    exc, _ = outcome(mode, script)
    assert isinstance(exc, errors.StreamInterruptedError)
    assert exc.event_count == 4
    assert exc.partial_response is not None
    if framing == "close":
        assert "cut off mid-way" in str(exc)


@modes
def test_a_reset_before_any_answer_is_a_connection_error_and_not_re_sent(mode: Mode) -> None:
    with Emulator() as emu:
        emu.enqueue(Fault.reset())
        with pytest.raises(errors.APIConnectionError) as caught:
            run(mode, emu.url, api_key=emu.api_key, client={"retry_config": FAST_RETRY})
        assert len(emu.requests) == 1
    assert caught.value.request_sent is True
    assert not isinstance(caught.value, errors.StreamError)


# -- stalls -----------------------------------------------------------------------------------


@modes
@pytest.mark.parametrize("where", ["client", "call"])
def test_a_stall_before_the_answer_is_a_timeout(mode: Mode, where: str) -> None:
    options = {"client": {"timeout_ms": 50}} if where == "client" else {"timeout_ms": 50}
    with Emulator() as emu:
        emu.enqueue(Fault.stall(3))
        start = time.monotonic()
        with pytest.raises(errors.APITimeoutError) as caught:
            run(mode, emu.url, api_key=emu.api_key, **options)  # type: ignore[arg-type]
        assert time.monotonic() - start < 2.5
        assert len(emu.requests) == 1  # a read timeout is not retried by default
    assert caught.value.request_sent is True


@modes
def test_a_stall_mid_body_is_an_idle_timeout(mode: Mode) -> None:
    body = json_body()
    frames = sse_frames()

    def script(conn: Conn) -> None:
        if mode.stream:
            sse_head(conn)
            conn.send(b"".join(frames[:3]))
        else:
            conn.head(200, length=len(body))
            conn.send(body[:100])
        conn.stall(3)

    start = time.monotonic()
    exc, _ = outcome(mode, script, client={"timeout_ms": 50})
    assert time.monotonic() - start < 2.5
    if mode.stream:
        assert isinstance(exc, errors.StreamIdleTimeoutError)
        assert exc.event_count == 3
    else:
        assert isinstance(exc, errors.APITimeoutError)
    assert exc.request_sent is True


@stream_modes
def test_keepalive_comments_keep_a_slow_stream_alive(mode: Mode) -> None:
    frames = sse_frames()

    def script(conn: Conn) -> None:
        sse_head(conn)
        conn.send(b"".join(frames[:3]))
        for _ in range(8):  # 400 ms without an event, longer than the 250 ms timeout
            time.sleep(0.05)
            conn.send(b": keep-alive\n\n")
        conn.send(b"".join(frames[3:]))

    with raw_server(script) as server:
        events = run(mode, server.url, client={"timeout_ms": 250})
    assert events[-1].type == "response.completed"


# -- retry headers ----------------------------------------------------------------------------

# Every backoff pause is 20 ms nominal, so never less than 10 ms with jitter (the bug sent ~1,500
# requests a second); the attempt cap is the default one.
FLOOR_S = 0.01
SPACED = RetryConfig("backoff", BackoffStrategy(20, 20, 1.0, 60_000))

HINTS: dict[str, Callable[[int], Fault]] = {
    "retry-after-0": lambda s: Fault.status(s, retry_after=0),
    "retry-after-ms-0": lambda s: Fault.status(s, retry_after=None, retry_after_ms=0),
    "retry-after-negative": lambda s: Fault.status(s, retry_after="-5"),
    "retry-after-ms-negative": lambda s: Fault.status(s, retry_after=None, retry_after_ms=-100),
    "retry-after-tiny": lambda s: Fault.status(s, retry_after="0.001"),
    "retry-after-ms-tiny": lambda s: Fault.status(s, retry_after=None, retry_after_ms=1),
    "retry-after-garbage": lambda s: Fault.status(s, retry_after="soon-ish"),
    "retry-after-past-date": lambda s: Fault.status(s, retry_after="Wed, 21 Oct 2015 07:28:00 GMT"),
    "both-zero": lambda s: Fault.status(s, retry_after=0, retry_after_ms=0),
}


def gaps(emu: Emulator) -> list[float]:
    times = [r.time for r in emu.requests]
    return [b - a for a, b in itertools.pairwise(times)]


# The policy is shared by the four paths: every hint on one, the zero hints on all four.
HINT_CASES = [pytest.param(MODES[0], hint, id=f"{MODES[0].id}-{hint}") for hint in HINTS] + [
    pytest.param(mode, hint, id=f"{mode.id}-{hint}")
    for mode in MODES[1:]
    for hint in ("retry-after-0", "retry-after-ms-0")
]


@pytest.mark.parametrize(("mode", "hint"), HINT_CASES)
def test_tiny_or_zero_retry_hints_fall_back_to_the_backoff_floor(mode: Mode, hint: str) -> None:
    assert RetryConfig().max_attempts == 5  # the documented default cap
    with Emulator() as emu:
        emu.enqueue(HINTS[hint](429), times=20)
        start = time.monotonic()
        with pytest.raises(errors.TooManyRequestsResponseError):
            run(mode, emu.url, api_key=emu.api_key, client={"retry_config": SPACED})
        assert time.monotonic() - start < 5
        assert len(emu.requests) == 5
        assert min(gaps(emu)) >= FLOOR_S * 0.95


@pytest.mark.parametrize("status", [408, 500, 502, 503, 524, 529])
def test_every_retried_status_is_capped_and_spaced(status: int) -> None:
    with Emulator() as emu:
        emu.enqueue(Fault.status(status, retry_after=0), times=20)
        with pytest.raises(errors.OpenRouterError) as caught:
            run(MODES[0], emu.url, api_key=emu.api_key, client={"retry_config": SPACED})
        assert caught.value.status_code == status
        assert len(emu.requests) == 5
        assert min(gaps(emu)) >= FLOOR_S * 0.95


@modes
def test_a_longer_retry_hint_is_honoured_then_the_answer_arrives(mode: Mode) -> None:
    with Emulator() as emu:
        emu.enqueue(Fault.status(503, retry_after=None, retry_after_ms=80), "fine now")
        result = run(mode, emu.url, api_key=emu.api_key, client={"retry_config": SPACED})
        assert len(emu.requests) == 2
        assert gaps(emu)[0] >= 0.08 * 0.95
    final = result if not mode.stream else result[-1].response
    assert final.output_text == "fine now"


@modes
def test_a_retry_hint_beyond_a_minute_ends_the_retries_at_once(mode: Mode) -> None:
    with Emulator() as emu:
        emu.enqueue(Fault.status(429, retry_after=3_600), times=3)
        start = time.monotonic()
        with pytest.raises(errors.TooManyRequestsResponseError) as caught:
            run(mode, emu.url, api_key=emu.api_key, client={"retry_config": SPACED})
        assert time.monotonic() - start < 2
        assert len(emu.requests) == 1
    assert caught.value.retry_after == 3_600


# -- honest flags: request_sent is False only when nothing reached a server --------------------


@modes
def test_connection_refused_reports_request_not_sent(mode: Mode) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api/v1"
    with pytest.raises(errors.APIConnectionError) as caught:
        run(mode, url)
    assert caught.value.request_sent is False
    assert "before the request was sent" in str(caught.value)


@modes
def test_connection_refused_is_retried_up_to_the_cap(mode: Mode) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api/v1"
    attempts: list[str] = []

    class Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "attempt=" in record.getMessage():
                attempts.append(record.getMessage())

    logger = logging.getLogger("test_faults_wire.refused")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(Count())
    logger.propagate = False
    with pytest.raises(errors.APIConnectionError) as caught:
        run(mode, url, client={"retry_config": SPACED, "debug_logger": logger})
    assert caught.value.request_sent is False
    assert len(attempts) == 5


@modes
def test_an_unsendable_header_is_not_sent_and_never_retried(mode: Mode) -> None:
    with Emulator() as emu:
        start = time.monotonic()
        with pytest.raises(errors.APIConnectionError) as caught:
            run(
                mode,
                emu.url,
                api_key=emu.api_key,
                client={"retry_config": SPACED},
                http_headers={"X-Trace": " leading-space"},  # h11 refuses to send it
            )
        assert time.monotonic() - start < 1
        assert emu.requests == []
    assert caught.value.request_sent is False
    assert "before the request was sent" in str(caught.value)
    assert "after" not in str(caught.value)


# -- the emulator's own promises the matrix relies on -----------------------------------------


def test_the_answered_status_is_recorded_before_the_client_can_read_it() -> None:
    with Emulator() as emu:
        with OpenRouter(api_key=emu.api_key, server_url=emu.url, retry_config=NO_RETRY) as sdk:
            for i in range(300):
                if i % 3 == 0:
                    emu.enqueue(Fault.status(400))
                    with pytest.raises(errors.BadRequestResponseError):
                        sdk.responses.send(model="m", input="hi", stream=i % 2 == 0)
                elif i % 2:
                    sdk.responses.send(model="m", input="hi")
                else:
                    with sdk.responses.send(model="m", input="hi", stream=True) as stream:
                        next(iter(stream))
                assert emu.requests[-1].status is not None, i


@modes
def test_rate_limits_and_outages_carry_retry_after_as_the_service_does(mode: Mode) -> None:
    with Emulator() as emu:
        emu.enqueue(Fault.status(429))
        with pytest.raises(errors.TooManyRequestsResponseError) as limited:
            run(mode, emu.url, api_key=emu.api_key)
        assert limited.value.headers.get("retry-after") == "1"
        assert limited.value.retry_after == 1
        emu.fail_models(["openai/gpt-4o", "anthropic/claude-sonnet-4"])
        with pytest.raises(errors.ServiceUnavailableResponseError) as outage:
            run(mode, emu.url, api_key=emu.api_key, models=["anthropic/claude-sonnet-4"])
        assert outage.value.headers.get("retry-after") is not None
