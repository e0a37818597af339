"""Client hooks against the emulator: what each event tells, sync and async, and that the key
never reaches a hook."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from openrouter import OpenRouter, errors
from openrouter._wire._base_client import BaseClient
from openrouter.hooks import (
    ErrorInfo,
    Hook,
    RequestInfo,
    ResponseInfo,
    RetryInfo,
    StreamEndInfo,
    ToolCallInfo,
    ToolRunInfo,
    TurnInfo,
    add_global_hook,
    remove_global_hook,
)
from openrouter.testing import Emulator, Fault, Reply
from openrouter.utils import BackoffStrategy, RetryConfig

FAST_RETRY = RetryConfig("backoff", BackoffStrategy(10, 50, 2.0, 5_000))


class Recorder(Hook):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def before_request(self, request: RequestInfo) -> None:
        self.events.append(("before_request", request))
        request.add_header("X-Trace", "t-1")

    def after_response(self, response: ResponseInfo) -> None:
        self.events.append(("after_response", response))

    def on_retry(self, retry: RetryInfo) -> None:
        self.events.append(("on_retry", retry))

    def on_error(self, error: ErrorInfo) -> None:
        self.events.append(("on_error", error))

    def on_stream_end(self, end: StreamEndInfo) -> None:
        self.events.append(("on_stream_end", end))

    def on_tool_run_start(self, run: ToolRunInfo) -> None:
        self.events.append(("run_start", run))

    def on_tool_run_end(self, run: ToolRunInfo) -> None:
        self.events.append(("run_end", run))

    def on_turn_start(self, turn: TurnInfo) -> None:
        self.events.append(("turn_start", turn))

    def on_turn_end(self, turn: TurnInfo) -> None:
        self.events.append(("turn_end", turn))

    def on_tool_call_start(self, call: ToolCallInfo) -> None:
        self.events.append(("call_start", call))

    def on_tool_call_end(self, call: ToolCallInfo) -> None:
        self.events.append(("call_end", call))


def _client(emulator: Emulator, *hooks: Hook) -> OpenRouter:
    return OpenRouter(
        api_key=emulator.api_key, server_url=emulator.url, retry_config=FAST_RETRY, hooks=hooks
    )


def _no_key(recorder: Recorder, key: str) -> None:
    for _, info in recorder.events:
        for name in type(info).__slots__:
            value = getattr(info, name, None)
            assert key not in repr(value), (type(info).__name__, name)
        request = getattr(info, "request", info)
        if isinstance(request, RequestInfo):
            assert request.headers["Authorization"] == "Bearer ***"


def test_no_hook_means_no_hook_set() -> None:
    assert BaseClient._hooks is None
    client = OpenRouter(api_key="k")
    assert client._hooks is None and client.hooks == ()


def test_request_response_and_added_header(openrouter_emulator: Emulator) -> None:
    recorder = Recorder()
    openrouter_emulator.enqueue(Reply.text("hi"))
    with _client(openrouter_emulator, recorder) as client:
        result = client.responses.send(model="openai/gpt-4o", input="hello")
    assert result.output_text == "hi"
    assert recorder.names() == ["before_request", "after_response"]
    request: RequestInfo = recorder.events[0][1]
    assert (request.method, request.path, request.stream) == ("POST", "/responses", False)
    assert request.body["model"] == "openai/gpt-4o"
    assert openrouter_emulator.requests[-1].headers["x-trace"] == "t-1"
    response: ResponseInfo = recorder.events[1][1]
    assert response.status_code == 200 and response.elapsed > 0
    assert response.generation_id == result.generation_id
    _no_key(recorder, openrouter_emulator.api_key)


def test_retry_then_error(openrouter_emulator: Emulator) -> None:
    recorder = Recorder()
    openrouter_emulator.enqueue(Fault.status(503, "busy", retry_after_ms=10), times=2)
    openrouter_emulator.enqueue(Fault.status(400, "bad"))
    with _client(openrouter_emulator, recorder) as client:
        with pytest.raises(errors.BadRequestResponseError):
            client.responses.send(model="m", input="x")
    assert recorder.names() == ["before_request", "on_retry", "on_retry", "on_error"]
    retries: list[RetryInfo] = [info for name, info in recorder.events if name == "on_retry"]
    assert [r.attempt for r in retries] == [2, 3]
    assert all(r.status_code == 503 and r.cause is None and r.delay > 0 for r in retries)
    error: ErrorInfo = recorder.events[-1][1]
    assert error.status_code == 400 and isinstance(error.error, errors.BadRequestResponseError)
    _no_key(recorder, openrouter_emulator.api_key)


def test_stream_end_completed_failed_and_closed(openrouter_emulator: Emulator) -> None:
    recorder = Recorder()
    openrouter_emulator.enqueue(Reply.text("streamed"), Reply.failed("server_error", "boom"))
    openrouter_emulator.enqueue(Reply.text("x" * 200).with_options(delta_size=5))
    with _client(openrouter_emulator, recorder) as client:
        with client.responses.send(model="m", input="x", stream=True) as stream:
            assert stream.get_final_response().output_text == "streamed"
        with pytest.raises(errors.StreamFailedError):
            with client.responses.send(model="m", input="x", stream=True) as stream:
                stream.get_final_response()
        with client.responses.send(model="m", input="x", stream=True) as stream:
            next(iter(stream))
    ends: list[StreamEndInfo] = [i for n, i in recorder.events if n == "on_stream_end"]
    assert len(ends) == 3
    done, failed, closed = ends
    assert done.error is None and not done.closed and done.response.output_text == "streamed"
    assert done.usage is not None and done.usage.output_tokens > 0
    assert done.generation_id and done.event_count > 0
    assert isinstance(failed.error, errors.StreamFailedError) and not failed.closed
    assert closed.error is None and closed.closed and closed.event_count >= 1
    _no_key(recorder, openrouter_emulator.api_key)


def test_stream_closed_before_reading_ends_once(openrouter_emulator: Emulator) -> None:
    recorder = Recorder()
    openrouter_emulator.enqueue(Reply.text("unread"))
    with _client(openrouter_emulator, recorder) as client:
        stream = client.responses.send(model="m", input="x", stream=True)
        stream.close()
        stream.close()
    ends = [i for n, i in recorder.events if n == "on_stream_end"]
    assert len(ends) == 1 and ends[0].closed and ends[0].event_count == 0


def test_async_calls_and_streams(openrouter_emulator: Emulator) -> None:
    recorder = Recorder()
    openrouter_emulator.enqueue(Reply.text("one"), Reply.text("two"))

    async def main() -> None:
        async with _client(openrouter_emulator, recorder) as client:
            await client.responses.send_async(model="m", input="x")
            stream = await client.responses.send_async(model="m", input="x", stream=True)
            async with stream:
                await stream.get_final_response()

    asyncio.run(main())
    assert recorder.names() == [
        "before_request",
        "after_response",
        "before_request",
        "after_response",
        "on_stream_end",
    ]
    assert recorder.events[-1][1].response.output_text == "two"


def test_tool_run_events(openrouter_emulator: Emulator) -> None:
    def get_time(zone: str) -> str:
        """The time in ``zone``."""
        return f"12:00 {zone}"

    recorder = Recorder()
    openrouter_emulator.enqueue(
        Reply.function_call("get_time", {"zone": "UTC"}, call_id="c1"), Reply.text("noon")
    )
    with _client(openrouter_emulator, recorder) as client:
        result = client.responses.run_tools(model="m", input="time?", tools=[get_time])
    assert result.output_text == "noon"
    names = [n for n in recorder.names() if n not in ("before_request", "after_response")]
    assert names == [
        "run_start",
        "turn_start",
        "call_start",
        "call_end",
        "turn_end",
        "turn_start",
        "turn_end",
        "run_end",
    ]
    call: ToolCallInfo = next(i for n, i in recorder.events if n == "call_end")
    assert call.call.call_id == "c1" and call.execution.output == "12:00 UTC"
    assert call.turn is not None and call.turn.number == 1
    run: ToolRunInfo = recorder.events[-1][1]
    assert run.result is result and run.error is None


def test_global_hooks_reach_every_client(openrouter_emulator: Emulator) -> None:
    recorder, own = Recorder(), Recorder()
    openrouter_emulator.enqueue(Reply.text("a"), Reply.text("b"))
    add_global_hook(recorder)
    try:
        with _client(openrouter_emulator) as plain, _client(openrouter_emulator, own) as hooked:
            assert plain.hooks == (recorder,) and hooked.hooks == (own, recorder)
            plain.responses.send(model="m", input="x")
            hooked.responses.send(model="m", input="x")
    finally:
        remove_global_hook(recorder)
    assert BaseClient._hooks is None
    assert recorder.names().count("after_response") == 2
    assert own.names() == ["before_request", "after_response"]


def test_remove_hook_goes_back_to_the_plain_path(openrouter_emulator: Emulator) -> None:
    recorder = Recorder()
    client = _client(openrouter_emulator, recorder)
    client.remove_hook(recorder)
    assert client._hooks is None and "_hooks" not in vars(client)


def test_a_failing_hook_never_breaks_the_call(
    openrouter_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(Hook):
        def before_request(self, request: RequestInfo) -> None:
            raise RuntimeError("hook bug")

    openrouter_emulator.enqueue(Reply.text("fine"))
    with _client(openrouter_emulator, Broken()) as client:
        assert client.responses.send(model="m", input="x").output_text == "fine"
    assert "before_request" in caplog.text


def test_companion_endpoint_hooks(openrouter_emulator: Emulator) -> None:
    recorder = Recorder()
    with _client(openrouter_emulator, recorder) as client:
        client.models.list()
    request: RequestInfo = recorder.events[0][1]
    assert (request.method, request.path, request.body) == ("GET", "/models", None)
    assert recorder.events[1][1].status_code == 200
