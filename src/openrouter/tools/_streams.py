"""Tool runs as streams: every turn's events, and a ``ToolExecution`` after each call."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from openrouter._streaming import REASONING_DELTA_EVENTS
from openrouter.components import (
    FunctionCallArgsDeltaEvent,
    OpenResponsesResult,
    OutputFunctionCallItem,
    StreamEvents,
    StreamEventsResponseOutputItemAdded,
    TextDeltaEvent,
)
from openrouter.tools._drivers import call_hook, call_hook_async, run_in_threads
from openrouter.tools._execution import ToolExecution
from openrouter.tools._observe import observe
from openrouter.tools._run import Finished, RunCalls, SendRequest, ToolRun, ToolRunResult
from openrouter.tools._run import run_concurrently as _run_concurrently

if TYPE_CHECKING:
    from typing import TypeAlias

    from typing_extensions import Self

    from openrouter.tools._send import Send, SendAsync

__all__ = ["ToolCallDelta", "ToolRunEvent", "ToolRunStream", "ToolRunStreamAsync"]

ToolRunEvent: TypeAlias = StreamEvents | ToolExecution


@dataclass(frozen=True)
class ToolCallDelta:
    """A piece of a function call's arguments as it streams in: which call (``name``,
    ``call_id``), the new ``delta`` and the ``arguments`` received so far."""

    type: ClassVar[str] = "tool.call.delta"

    name: str
    call_id: str
    item_id: str
    delta: str
    arguments: str


class _CallTracker:
    """Which function call each argument delta belongs to (the delta events carry only the
    item id): learnt from ``response.output_item.added``."""

    __slots__ = ("_calls",)

    def __init__(self) -> None:
        self._calls: dict[str, tuple[str, str, list[str]]] = {}

    def see(self, event: Any) -> ToolCallDelta | None:
        if isinstance(event, StreamEventsResponseOutputItemAdded):
            item = event.item
            if isinstance(item, OutputFunctionCallItem):
                key = item.id or str(event.output_index)
                self._calls[key] = (item.name, item.call_id, [item.arguments])
        elif isinstance(event, FunctionCallArgsDeltaEvent):
            key = event.item_id or str(event.output_index)
            name, call_id, parts = self._calls.setdefault(key, ("", "", []))
            parts.append(event.delta)
            return ToolCallDelta(name, call_id, key, event.delta, "".join(parts))
        return None


def _reasoning_delta(event: Any) -> str | None:
    if isinstance(event, REASONING_DELTA_EVENTS):
        return event.delta
    return None


class _ResultSink:
    """Where a run's generator leaves the result. The generators take this, never the stream
    object: a generator holding its stream would form a reference cycle, and an abandoned
    stream would keep its connection until the cyclic GC ran."""

    __slots__ = ("on_result", "result")

    def __init__(self, on_result: Callable[[ToolRunResult], None] | None) -> None:
        self.on_result = on_result
        self.result: ToolRunResult | None = None

    def finished(self, result: ToolRunResult) -> None:
        if self.on_result is not None:
            self.on_result(result)
        self.result = result


def _run_events(send: Send, run: ToolRun, sink: _ResultSink) -> Generator[ToolRunEvent, None, None]:
    run.check_sync_tools()
    steps = run.steps()
    reply: Any = None
    observer = observe(send, run, stream=True)
    try:
        while True:
            action = steps.send(reply)
            if isinstance(action, Finished):
                sink.finished(action.result)
                if observer is not None:
                    observer.finish(action.result)
                return
            if isinstance(action, SendRequest):
                if observer is None:
                    stream = send(stream=True, **action.params)
                else:
                    # Only the request itself runs with the turn active: a generator must
                    # not leave it active in its caller's context across a yield.
                    with observer.sending():
                        stream = send(stream=True, **action.params)
                with stream:
                    yield from stream
                    reply = stream.get_final_response()
            elif isinstance(action, RunCalls):
                reply = []
                for outcome in run_in_threads(run, action.calls):
                    reply.append(outcome)
                    if isinstance(outcome, ToolExecution):
                        yield outcome
            else:
                reply = call_hook(action, run)
    except BaseException as exc:
        if observer is not None:
            observer.finish(error=exc)
        raise
    finally:
        steps.close()


async def _arun_events(
    send_async: SendAsync, run: ToolRun, sink: _ResultSink
) -> AsyncGenerator[ToolRunEvent, None]:
    steps = run.steps()
    reply: Any = None
    observer = observe(send_async, run, stream=True)
    try:
        while True:
            action = steps.send(reply)
            if isinstance(action, Finished):
                sink.finished(action.result)
                if observer is not None:
                    observer.finish(action.result)
                return
            if isinstance(action, SendRequest):
                if observer is None:
                    stream = await send_async(stream=True, **action.params)
                else:
                    with observer.sending():
                        stream = await send_async(stream=True, **action.params)
                async with stream:
                    async for event in stream:
                        yield event
                    reply = await stream.get_final_response()
            elif isinstance(action, RunCalls):
                reply = await _run_concurrently(run, action.calls)
                for outcome in reply:
                    if isinstance(outcome, ToolExecution):
                        yield outcome
            else:
                reply = await call_hook_async(action, run)
    except BaseException as exc:
        if observer is not None:
            observer.finish(error=exc)
        raise
    finally:
        steps.close()


class _RunStreamBase:
    _sink: _ResultSink

    @property
    def _result(self) -> ToolRunResult | None:
        return self._sink.result

    @property
    def result(self) -> ToolRunResult:
        """The outcome, once the stream has been read to the end."""
        if self._result is None:
            raise RuntimeError(
                "The tool run has not finished: iterate it or call get_final_result()"
            )
        return self._result


class ToolRunStream(_RunStreamBase):
    """``run_tools(..., stream=True)``: the events of every turn, and a ``ToolExecution`` after
    each tool call. Ends when the run ends; then ``result`` holds the ``ToolRunResult``."""

    def __init__(
        self,
        send: Send,
        run: ToolRun,
        on_result: Callable[[ToolRunResult], None] | None = None,
    ) -> None:
        self._run = run
        self._sink = sink = _ResultSink(on_result)
        self._events = _run_events(send, run, sink)

    def __iter__(self) -> Iterator[ToolRunEvent]:
        return self._events

    def __next__(self) -> ToolRunEvent:
        return next(self._events)

    def text_deltas(self) -> Iterator[str]:
        """The text of every turn, as it arrives."""
        for event in self._events:
            if isinstance(event, TextDeltaEvent):
                yield event.delta

    def reasoning_deltas(self) -> Iterator[str]:
        """The reasoning of every turn (reasoning text and summary text), as it arrives."""
        for event in self._events:
            delta = _reasoning_delta(event)
            if delta is not None:
                yield delta

    def tool_call_deltas(self) -> Iterator[ToolCallDelta]:
        """Each function call's arguments as they arrive (``ToolCallDelta``: name, call id,
        the new piece and the arguments so far)."""
        tracker = _CallTracker()
        for event in self._events:
            found = tracker.see(event)
            if found is not None:
                yield found

    def get_final_result(self) -> ToolRunResult:
        for _ in self._events:
            pass
        return self.result

    def get_final_response(self) -> OpenResponsesResult:
        return self.get_final_result().response

    def close(self) -> None:
        """Stop: the current request's connection is dropped, no further tool is run."""
        self._events.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class ToolRunStreamAsync(_RunStreamBase):
    """The async form of ``ToolRunStream`` (calls of one reply run concurrently)."""

    def __init__(
        self,
        send_async: SendAsync,
        run: ToolRun,
        on_result: Callable[[ToolRunResult], None] | None = None,
    ) -> None:
        self._run = run
        self._sink = sink = _ResultSink(on_result)
        self._events = _arun_events(send_async, run, sink)

    def __aiter__(self) -> AsyncIterator[ToolRunEvent]:
        return self._events

    async def __anext__(self) -> ToolRunEvent:
        return await self._events.__anext__()

    async def text_deltas(self) -> AsyncIterator[str]:
        """The text of every turn, as it arrives."""
        async for event in self._events:
            if isinstance(event, TextDeltaEvent):
                yield event.delta

    async def reasoning_deltas(self) -> AsyncIterator[str]:
        """The reasoning of every turn (reasoning text and summary text), as it arrives."""
        async for event in self._events:
            delta = _reasoning_delta(event)
            if delta is not None:
                yield delta

    async def tool_call_deltas(self) -> AsyncIterator[ToolCallDelta]:
        """Each function call's arguments as they arrive (see ``ToolRunStream``)."""
        tracker = _CallTracker()
        async for event in self._events:
            found = tracker.see(event)
            if found is not None:
                yield found

    async def get_final_result(self) -> ToolRunResult:
        async for _ in self._events:
            pass
        return self.result

    async def get_final_response(self) -> OpenResponsesResult:
        return (await self.get_final_result()).response

    async def aclose(self) -> None:
        """Stop: the current request's connection is dropped, no further tool is run."""
        await self._events.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
