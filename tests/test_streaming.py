"""Streams over real sockets against the emulator: every outcome, sync and async.

Each scenario is a function that runs the same checks on an ``EventStream`` or an
``EventStreamAsync``; the async runner only swaps iteration for ``async for``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from openrouter import EventStream, EventStreamAsync, OpenRouter, components, errors
from openrouter.testing import Emulator, Fault, Reply
from openrouter.utils import BackoffStrategy, RetryConfig

FAST_RETRY = RetryConfig("backoff", BackoffStrategy(10, 50, 2.0, 5_000))
LONG_TEXT = "The quick brown fox jumps over the lazy dog. " * 8


class Mode:
    """Opens a stream and drains it, sync or async, so each scenario is written once."""

    def __init__(self, emulator: Emulator, is_async: bool) -> None:
        self.emulator = emulator
        self.is_async = is_async

    def run(self, scenario: Callable[[Any], Any], **params: Any) -> Any:
        params.setdefault("model", "openai/gpt-4o")
        params.setdefault("input", "hello")
        if not self.is_async:
            with OpenRouter(
                api_key=self.emulator.api_key, server_url=self.emulator.url, retry_config=FAST_RETRY
            ) as client:
                with client.responses.send(stream=True, **params) as stream:
                    assert isinstance(stream, EventStream)
                    return scenario(SyncAdapter(stream))

        async def main() -> Any:
            async with OpenRouter(
                api_key=self.emulator.api_key, server_url=self.emulator.url, retry_config=FAST_RETRY
            ) as client:
                stream = await client.responses.send_async(stream=True, **params)
                assert isinstance(stream, EventStreamAsync)
                async with stream:
                    return await scenario(AsyncAdapter(stream))

        return asyncio.run(main())


class SyncAdapter:
    def __init__(self, stream: EventStream[Any]) -> None:
        self.stream = stream

    def collect(self, into: list[Any]) -> Any:
        for event in self.stream:
            into.append(event)

    def deltas(self, into: list[str]) -> Any:
        for text in self.stream.text_deltas():
            into.append(text)

    def final(self) -> Any:
        return self.stream.get_final_response()


class AsyncAdapter:
    def __init__(self, stream: EventStreamAsync[Any]) -> None:
        self.stream = stream

    async def collect(self, into: list[Any]) -> None:
        async for event in self.stream:
            into.append(event)

    async def deltas(self, into: list[str]) -> None:
        async for text in self.stream.text_deltas():
            into.append(text)

    async def final(self) -> Any:
        return await self.stream.get_final_response()


async def _await(value: Any) -> Any:
    return await value if isinstance(value, Awaitable) else value


def scenario(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Write scenarios with `await x` semantics via `yield`: `got = yield s.collect(events)`."""

    def sync(s: SyncAdapter) -> Any:
        gen = fn(s)
        value = None
        try:
            while True:
                value = gen.send(value)
        except StopIteration as stop:
            return stop.value

    async def async_(s: AsyncAdapter) -> Any:
        gen = fn(s)
        value = None
        pending: BaseException | None = None
        try:
            while True:
                if pending is not None:
                    exc, pending = pending, None
                    step = gen.throw(exc)
                else:
                    step = gen.send(value)
                try:
                    value = await _await(step)
                except Exception as exc:  # deliver it where the scenario awaited
                    pending = exc
        except StopIteration as stop:
            return stop.value

    def dispatch(s: Any) -> Any:
        return async_(s) if isinstance(s, AsyncAdapter) else sync(s)

    return dispatch


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest, openrouter_emulator: Emulator) -> Mode:
    return Mode(openrouter_emulator, request.param == "async")


# -- scenarios --------------------------------------------------------------------------------


def test_completed_stream_events_and_text(mode: Mode) -> None:
    mode.emulator.enqueue(Reply.text(LONG_TEXT).with_options(delta_size=5, keepalive=2))

    @scenario
    def run(s: Any) -> Iterator[Any]:
        events: list[Any] = []
        yield s.collect(events)
        final = yield s.final()
        return events, final, s.stream

    events, final, stream = mode.run(run)
    types = [e.type for e in events]
    assert types[:2] == ["response.created", "response.in_progress"]
    assert types[-1] == "response.completed"
    assert all(not isinstance(e, components.UnknownEvent) for e in events)
    seq = [e.sequence_number for e in events]
    assert seq == sorted(seq)
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == final.output_text == LONG_TEXT
    assert stream.output_text == LONG_TEXT
    assert stream.status == "response.completed"
    assert stream.response.status_code == 200


def test_text_deltas_equal_output_text(mode: Mode) -> None:
    mode.emulator.enqueue(Reply.text("héllo wörld ✓ 你好 🎉 " * 20).with_options(delta_size=3))

    @scenario
    def run(s: Any) -> Iterator[Any]:
        parts: list[str] = []
        yield s.deltas(parts)
        final = yield s.final()
        return parts, final

    parts, final = mode.run(run)
    assert len(parts) > 10
    assert "".join(parts) == final.output_text


@pytest.mark.parametrize("shape", ["failed", "flat", "nested", "response.error"])
def test_failures_yield_the_event_then_raise(mode: Mode, shape: str) -> None:
    if shape == "failed":
        reply = Reply.failed("server_error", "the model crashed", text="partial answer")
    else:
        reply = Reply.text(LONG_TEXT).with_options(
            error_event_after=6,
            error_event_shape=shape,
            error_event_code="rate_limit_exceeded",
            error_event_message="the model crashed",
        )
    mode.emulator.enqueue(reply)

    @scenario
    def run(s: Any) -> Iterator[Any]:
        events: list[Any] = []
        try:
            yield s.collect(events)
        except errors.StreamFailedError as exc:
            return events, exc
        raise AssertionError("no StreamFailedError")

    events, exc = mode.run(run)
    assert events[-1] is exc.event  # the event was yielded before the error
    assert "the model crashed" in str(exc)
    assert exc.error_message == "the model crashed"
    assert exc.code in ("server_error", "rate_limit_exceeded")
    assert exc.event_count == len(events)
    assert exc.partial_response is not None


def test_failures_can_be_received_as_events_only(mode: Mode) -> None:
    mode.emulator.enqueue(Reply.failed("server_error", "boom"))

    @scenario
    def run(s: Any) -> Iterator[Any]:
        events: list[Any] = []
        yield s.collect(events)
        return events

    events = mode.run(run, raise_stream_errors=False)
    assert events[-1].type == "response.failed"


def test_incomplete_is_reported_not_passed_off_as_complete(mode: Mode) -> None:
    mode.emulator.enqueue(Reply.incomplete("cut off in the mid", reason="max_output_tokens"))

    @scenario
    def run(s: Any) -> Iterator[Any]:
        parts: list[str] = []
        try:
            yield s.deltas(parts)
        except errors.IncompleteResponseError as exc:
            final = yield s.final()
            return parts, exc, final, s.stream
        raise AssertionError("text_deltas() did not say the text was cut off")

    parts, exc, final, stream = mode.run(run)
    assert "".join(parts) == "cut off in the mid"
    assert exc.reason == "max_output_tokens"
    assert final.status == "incomplete"
    assert final.incomplete_details.reason == "max_output_tokens"
    with pytest.raises(errors.IncompleteResponseError):
        _ = stream.output_text


def test_connection_drop_raises_interrupted_with_partial(mode: Mode) -> None:
    mode.emulator.enqueue(Reply.text(LONG_TEXT).with_options(delta_size=4, drop_after=12))

    @scenario
    def run(s: Any) -> Iterator[Any]:
        events: list[Any] = []
        try:
            yield s.collect(events)
        except errors.StreamInterruptedError as exc:
            return events, exc
        raise AssertionError("a dropped stream ended quietly")

    events, exc = mode.run(run)
    assert len(events) == 12 == exc.event_count
    assert exc.__cause__ is not None  # the httpx error, kept as the cause
    assert exc.partial_response is not None
    delivered = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert exc.partial_response.output_text == delivered
    assert not isinstance(exc, errors.StreamFailedError)


def test_idle_timeout_is_typed(mode: Mode) -> None:
    mode.emulator.enqueue(Reply.text(LONG_TEXT).with_options(stall_between=3, stall_after=5))

    @scenario
    def run(s: Any) -> Iterator[Any]:
        events: list[Any] = []
        started = time.monotonic()
        try:
            yield s.collect(events)
        except errors.StreamIdleTimeoutError as exc:
            return events, exc, time.monotonic() - started
        raise AssertionError("no idle timeout")

    events, exc, elapsed = mode.run(run, timeout_ms=400)
    assert len(events) == 5
    assert elapsed < 2
    assert isinstance(exc, errors.StreamInterruptedError)
    assert isinstance(exc, errors.APITimeoutError)


def test_keepalive_comments_count_as_life(mode: Mode) -> None:
    # 0.6 s of warm-up with a comment every 0.1 s, against a 0.4 s idle limit.
    mode.emulator.enqueue(Reply.text("warm").with_options(warmup=0.6, keepalive_interval=0.1))

    @scenario
    def run(s: Any) -> Iterator[Any]:
        final = yield s.final()
        return final

    assert mode.run(run, timeout_ms=400).output_text == "warm"


def test_unknown_and_malformed_events_do_not_break_the_stream(mode: Mode) -> None:
    mode.emulator.enqueue(
        Reply.text(LONG_TEXT).with_options(unknown_event_after=3, malformed_after=5)
    )

    @scenario
    def run(s: Any) -> Iterator[Any]:
        events: list[Any] = []
        yield s.collect(events)
        final = yield s.final()
        return events, final, s.stream

    events, final, stream = mode.run(run)
    unknown = [e for e in events if isinstance(e, components.UnknownEvent)]
    assert len(unknown) == 1
    assert unknown[0].type.startswith("response.")
    assert unknown[0].raw["type"] == unknown[0].type
    assert len(stream.malformed_events) == 1
    assert final.output_text == LONG_TEXT


def test_retry_before_the_first_byte(mode: Mode) -> None:
    mode.emulator.enqueue(Fault.status(429, "slow down", retry_after_ms=50))
    mode.emulator.enqueue(Reply.text("after retry"))

    @scenario
    def run(s: Any) -> Iterator[Any]:
        final = yield s.final()
        return final

    assert mode.run(run).output_text == "after retry"
    assert [r.status for r in mode.emulator.requests] == [429, 200]


def test_error_status_on_a_stream_request_raises_before_iteration(
    openrouter_emulator: Emulator,
) -> None:
    openrouter_emulator.enqueue(Fault.status(401, "bad key"))
    with OpenRouter(api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url) as c:
        with pytest.raises(errors.UnauthorizedResponseError, match="bad key"):
            c.responses.send(model="m", input="hi", stream=True)


def test_200_error_body_on_a_stream_request(mode: Mode) -> None:
    mode.emulator.enqueue(Fault.error_body_200(429, "limited"))

    @scenario
    def run(s: Any) -> Iterator[Any]:
        try:
            yield s.final()
        except errors.TooManyRequestsResponseError as exc:
            return exc
        raise AssertionError("no error")

    assert "limited" in str(mode.run(run))


def test_nothing_is_resent_after_events_flowed(mode: Mode) -> None:
    mode.emulator.enqueue(Reply.text(LONG_TEXT).with_options(drop_after=4))

    @scenario
    def run(s: Any) -> Iterator[Any]:
        try:
            yield s.final()
        except errors.StreamInterruptedError:
            return None

    mode.run(run)
    assert len(mode.emulator.requests) == 1


def test_leaving_the_with_block_early_closes_the_connection(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text(LONG_TEXT).with_options(stall_between=0.05))
    with OpenRouter(api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url) as c:
        with c.responses.send(model="m", input="hi", stream=True) as stream:
            for event in stream:
                if event.type == "response.output_text.delta":
                    break
        assert stream.response.is_closed
        # The client is still usable afterwards.
        assert c.responses.send(model="m", input="again").status == "completed"


def test_async_close_drops_the_connection(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text(LONG_TEXT).with_options(stall_between=0.05))

    async def main() -> None:
        async with OpenRouter(
            api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url
        ) as c:
            stream = await c.responses.send_async(model="m", input="hi", stream=True)
            agen: AsyncIterator[Any] = stream.__aiter__()
            await agen.__anext__()
            await stream.aclose()
            assert stream.response.is_closed

    asyncio.run(main())


def test_reasoning_and_function_calls_accumulate(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_emulator.enqueue(
        Reply.reasoning("thinking hard", summary=["I thought"], answer="42")
        + Reply.function_call("get_weather", {"city": "Paris"}, call_id="call_1")
    )
    with openrouter_client.responses.send(model="m", input="q", stream=True) as stream:
        final = stream.get_final_response()
    kinds = [item.type for item in final.output]
    assert "reasoning" in kinds and "function_call" in kinds and "message" in kinds
    call = next(item for item in final.output if item.type == "function_call")
    assert call.call_id == "call_1" and call.name == "get_weather"
    assert final.output_text == "42"


# -- connection reuse -------------------------------------------------------------------------


def _reuse_client(emulator: Emulator) -> OpenRouter:
    return OpenRouter(api_key=emulator.api_key, server_url=emulator.url)


@pytest.mark.parametrize("how", ["iterate", "final", "deltas", "break_at_terminal"])
def test_sequential_streams_reuse_one_connection(openrouter_emulator: Emulator, how: str) -> None:
    openrouter_emulator.default_reply = Reply.text(LONG_TEXT).with_options(delta_size=7)
    with _reuse_client(openrouter_emulator) as client:
        for _ in range(20):
            with client.responses.send(model="m", input="hi", stream=True) as stream:
                if how == "iterate":
                    assert list(stream)[-1].type == "response.completed"
                elif how == "final":
                    assert stream.get_final_response().output_text == LONG_TEXT
                elif how == "deltas":
                    assert "".join(stream.text_deltas()) == LONG_TEXT
                else:
                    for event in stream:
                        if event.type == "response.completed":
                            break
            assert stream.response.is_closed
        assert client.responses.send(model="m", input="plain").status == "completed"
    assert openrouter_emulator.accepted_connections == 1


@pytest.mark.parametrize("how", ["iterate", "final", "break_at_terminal"])
def test_sequential_async_streams_reuse_one_connection(
    openrouter_emulator: Emulator, how: str
) -> None:
    openrouter_emulator.default_reply = Reply.text(LONG_TEXT).with_options(delta_size=7)

    async def main() -> None:
        async with _reuse_client(openrouter_emulator) as client:
            for _ in range(20):
                stream = await client.responses.send_async(model="m", input="hi", stream=True)
                async with stream:
                    if how == "iterate":
                        events = [event async for event in stream]
                        assert events[-1].type == "response.completed"
                    elif how == "final":
                        final = await stream.get_final_response()
                        assert final.output_text == LONG_TEXT
                    else:
                        async for event in stream:
                            if event.type == "response.completed":
                                break
                assert stream.response.is_closed

    asyncio.run(main())
    assert openrouter_emulator.accepted_connections == 1


def test_a_stream_closed_early_still_drops_its_connection(openrouter_emulator: Emulator) -> None:
    # Pauses between events: the terminal event (over a second away) has not arrived when the
    # caller leaves.
    openrouter_emulator.default_reply = Reply.text(LONG_TEXT).with_options(stall_between=0.02)
    with _reuse_client(openrouter_emulator) as client:
        for _ in range(3):
            with client.responses.send(model="m", input="hi", stream=True) as stream:
                for event in stream:
                    if event.type == "response.output_text.delta":
                        break
    assert openrouter_emulator.accepted_connections == 3


def test_async_stream_closed_early_still_drops_its_connection(
    openrouter_emulator: Emulator,
) -> None:
    # Pauses between events: the terminal event (over a second away) has not arrived when the
    # caller leaves.
    openrouter_emulator.default_reply = Reply.text(LONG_TEXT).with_options(stall_between=0.02)

    async def main() -> None:
        async with _reuse_client(openrouter_emulator) as client:
            for _ in range(3):
                stream = await client.responses.send_async(model="m", input="hi", stream=True)
                async with stream:
                    async for event in stream:
                        if event.type == "response.output_text.delta":
                            break

    asyncio.run(main())
    assert openrouter_emulator.accepted_connections == 3


@contextlib.contextmanager
def _serve_done_then_hold() -> Iterator[tuple[str, list[Any]]]:
    """A server whose stream sends the terminal event and `[DONE]`, then keeps the body open
    until the block ends; yields its URL and the list of connections it accepted."""
    import json
    import socket
    import threading

    from openrouter import components as c

    final = c.ResponseSnapshot(id="resp_1", status="completed", output=[]).to_dict()
    body = (
        f"event: response.completed\ndata: "
        f"{json.dumps({'type': 'response.completed', 'sequence_number': 0, 'response': final})}"
        "\n\ndata: [DONE]\n\n"
    ).encode()
    head = (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            accepted.append(conn)
            conn.recv(65536)
            conn.sendall(head + b"%x\r\n%b\r\n" % (len(body), body))  # no terminating chunk

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/v1", accepted
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        for conn in accepted:
            conn.close()
        thread.join(5)


def test_a_body_left_open_after_done_does_not_hold_the_caller() -> None:
    async def main(url: str) -> float:
        async with OpenRouter(api_key="k", server_url=url) as client:
            started = time.monotonic()
            stream = await client.responses.send_async(model="m", input="hi", stream=True)
            async with stream:
                assert (await stream.get_final_response()).status == "completed"
            return time.monotonic() - started

    with _serve_done_then_hold() as (url, accepted):
        with OpenRouter(api_key="k", server_url=url) as client:
            started = time.monotonic()
            with client.responses.send(model="m", input="hi", stream=True) as stream:
                final = stream.get_final_response()
            assert final.status == "completed"
            assert time.monotonic() - started < 3  # the drain gave up; no 600 s read timeout
        assert asyncio.run(main(url)) < 3
        assert len(accepted) == 2


def test_event_bytes_that_are_not_utf8_read_as_replacement_characters() -> None:
    import httpx

    from openrouter._streaming import _StreamCore

    core = _StreamCore(httpx.Response(200, headers={"content-type": "text/event-stream"}), True)
    events = core.feed(
        b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta",'
        b'"sequence_number":4,"item_id":"m","output_index":0,"content_index":0,'
        b'"logprobs":[],"delta":"a\xffb"}\n\ndata: {not json\n\ndata: [DONE]\n\n'
    )
    assert [e.delta for e in events] == ["a\ufffdb"]
    assert core.malformed_events == ["{not json"]
    assert core.done and core.event_count == 1


@pytest.mark.parametrize("early", [False, True])
def test_finished_async_streams_leave_nothing_suspended(
    openrouter_emulator: Emulator, early: bool
) -> None:
    """Every async generator a stream started (ours, httpx's, httpcore's) is finished once the
    stream is closed: none waits, holding body buffers, for the event loop's finaliser or the
    cyclic GC (which is off here)."""
    import gc
    import sys
    import weakref

    openrouter_emulator.default_reply = Reply.text(LONG_TEXT).with_options(delta_size=7)
    started: list[weakref.ref[Any]] = []
    refs: list[weakref.ref[Any]] = []

    def suspended() -> list[Any]:
        return [g for g in (ref() for ref in started) if g is not None and g.ag_frame is not None]

    async def main() -> None:
        firstiter, finalizer = sys.get_asyncgen_hooks()

        def track(agen: Any) -> None:
            started.append(weakref.ref(agen))
            if firstiter is not None:
                firstiter(agen)

        sys.set_asyncgen_hooks(firstiter=track, finalizer=finalizer)
        async with _reuse_client(openrouter_emulator) as client:
            for _ in range(3):
                stream = await client.responses.send_async(model="m", input="hi", stream=True)
                async with stream:
                    async for _event in stream:
                        if early:
                            break
                refs.append(weakref.ref(stream))
                del stream, _event
                await asyncio.sleep(0)
                assert suspended() == []

    gc.collect()
    gc.disable()
    try:
        asyncio.run(main())
        assert [ref() for ref in refs] == [None] * len(refs)
    finally:
        gc.enable()


def test_a_stream_left_after_its_end_arrived_counts_as_ended() -> None:
    """Closing a stream early drops its connection, unless the terminal event (or ``[DONE]``)
    is already in the chunk being read: the response is over, so the connection is kept."""
    import httpx

    from openrouter._streaming import _StreamCore

    def frame(event: dict[str, object]) -> bytes:
        return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()

    delta = {
        "type": "response.output_text.delta",
        "item_id": "m",
        "output_index": 0,
        "content_index": 0,
        "logprobs": [],
        # A type name inside a string is escaped in JSON: never mistaken for the end.
        "delta": 'the "response.completed" event',
    }
    response = httpx.Response(200, headers={"content-type": "text/event-stream"})
    core = _StreamCore(response, True)
    (first,) = core.decode(frame(delta))
    assert core.take(first) is not None and not core.is_over()
    datas = core.decode(frame(delta) + b"data: [DONE]\n\n")
    assert core.take(datas[0]) is not None
    assert core.is_over()  # [DONE] is in the chunk, not yet taken
    done = {"type": "response.completed", "response": {"id": "r", "status": "completed"}}
    core = _StreamCore(response, True)
    datas = core.decode(frame(delta) + frame(done))
    core.take(datas[0])
    assert core.terminal_type is None and core.is_over()
