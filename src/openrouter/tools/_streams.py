"""Tool runs as streams: every turn's events, and a ``ToolExecution`` after each call."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING

from openrouter.components import OpenResponsesResult, StreamEvents, TextDeltaEvent
from openrouter.tools._run import ToolExecution, ToolRun, ToolRunResult

if TYPE_CHECKING:
    from typing import TypeAlias

    from typing_extensions import Self

    from openrouter.tools._send import Send, SendAsync

__all__ = ["ToolRunEvent", "ToolRunStream", "ToolRunStreamAsync"]

ToolRunEvent: TypeAlias = StreamEvents | ToolExecution


class _RunStreamBase:
    _result: ToolRunResult | None
    _on_result: Callable[[ToolRunResult], None] | None

    def _finished(self, result: ToolRunResult) -> None:
        if self._on_result is not None:
            self._on_result(result)
        self._result = result

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
    each tool call. Ends when the model answers; then ``result`` holds the ``ToolRunResult``."""

    def __init__(
        self,
        send: Send,
        run: ToolRun,
        on_result: Callable[[ToolRunResult], None] | None = None,
    ) -> None:
        self._send = send
        self._run = run
        self._on_result = on_result
        self._result = None
        self._events = self._iterate()

    def _iterate(self) -> Generator[ToolRunEvent, None, None]:
        run = self._run
        run.check_sync_tools()
        yield from run.execute(run.pending())
        while True:
            with self._send(stream=True, **run.request()) as stream:
                yield from stream
                final = stream.get_final_response()
            calls = run.accept(final)
            if calls is None:
                break
            yield from run.execute(calls)
        self._finished(run.result())

    def __iter__(self) -> Iterator[ToolRunEvent]:
        return self._events

    def __next__(self) -> ToolRunEvent:
        return next(self._events)

    def text_deltas(self) -> Iterator[str]:
        """The text of every turn, as it arrives."""
        for event in self._events:
            if isinstance(event, TextDeltaEvent):
                yield event.delta

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
        self._send_async = send_async
        self._run = run
        self._on_result = on_result
        self._result = None
        self._events = self._iterate()

    async def _iterate(self) -> AsyncGenerator[ToolRunEvent, None]:
        run = self._run
        pending = run.pending()
        if pending:
            for execution in await run.execute_async(pending):
                yield execution
        while True:
            stream = await self._send_async(stream=True, **run.request())
            async with stream:
                async for event in stream:
                    yield event
                final = await stream.get_final_response()
            calls = run.accept(final)
            if calls is None:
                break
            for execution in await run.execute_async(calls):
                yield execution
        self._finished(run.result())

    def __aiter__(self) -> AsyncIterator[ToolRunEvent]:
        return self._events

    async def __anext__(self) -> ToolRunEvent:
        return await self._events.__anext__()

    async def text_deltas(self) -> AsyncIterator[str]:
        """The text of every turn, as it arrives."""
        async for event in self._events:
            if isinstance(event, TextDeltaEvent):
                yield event.delta

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
