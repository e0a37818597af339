"""Streams that wrap one ``EventStream`` and act once it has ended successfully.

The helpers' streaming forms (``parse(stream=True)``, ``Conversation.send(stream=True)``) yield
exactly the inner stream's events; the ``on_final`` callback runs only when the inner stream
reached its end without raising, so a dropped or failed stream never commits anything.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING

from openrouter._streaming import REASONING_DELTA_EVENTS
from openrouter.components import (
    TextDeltaEvent,
)
from openrouter.errors import raise_if_incomplete

if TYPE_CHECKING:
    import httpx
    from typing_extensions import Self

    from openrouter._streaming import EventStream, EventStreamAsync
    from openrouter.components import OpenResponsesResult, StreamEvents

__all__ = ["WrappedStream", "WrappedStreamAsync"]


class _Outcome:
    """How the inner stream ended: shared by a wrapper and its generator, which must not hold
    the wrapper itself (that reference cycle would keep an abandoned stream's connection
    until the cyclic GC ran)."""

    __slots__ = ("failure", "final", "on_final")

    def __init__(self, on_final: Callable[[OpenResponsesResult], None] | None) -> None:
        self.on_final = on_final
        self.final: OpenResponsesResult | None = None
        self.failure: BaseException | None = None

    def finish(self, final: OpenResponsesResult) -> None:
        try:
            if self.on_final is not None:
                self.on_final(final)
        except Exception as exc:
            self.failure = exc
            raise
        self.final = final


def _events(
    inner: EventStream[StreamEvents], outcome: _Outcome
) -> Generator[StreamEvents, None, None]:
    try:
        yield from inner
        final = inner.get_final_response()
    except Exception as exc:
        outcome.failure = exc
        raise
    outcome.finish(final)


async def _aevents(
    inner: EventStreamAsync[StreamEvents], outcome: _Outcome
) -> AsyncGenerator[StreamEvents, None]:
    try:
        async for event in inner:
            yield event
        final = await inner.get_final_response()
    except Exception as exc:
        outcome.failure = exc
        raise
    outcome.finish(final)


class _Base:
    _inner: EventStream[StreamEvents] | EventStreamAsync[StreamEvents]
    _outcome: _Outcome

    def _final_or_raise(self) -> OpenResponsesResult:
        outcome = self._outcome
        if outcome.final is not None:
            return outcome.final
        if outcome.failure is not None:
            raise outcome.failure
        raise RuntimeError("The stream was closed before it ended")

    @property
    def response(self) -> httpx.Response:
        """The underlying httpx response (headers, status, ``X-Generation-Id``)."""
        return self._inner.response

    @property
    def generation_id(self) -> str | None:
        return self._inner.generation_id

    @property
    def event_count(self) -> int:
        return self._inner.event_count

    @property
    def status(self) -> str | None:
        """The terminal event's type once it arrived (``response.completed`` ...)."""
        return self._inner.status

    @property
    def output_text(self) -> str:
        """The whole text, once the stream has ended; raises if it was incomplete."""
        final = self._final_or_raise()
        raise_if_incomplete(final)
        return final.output_text


class WrappedStream(_Base):
    """Iterate it for the events; use it as a context manager to close it early."""

    _inner: EventStream[StreamEvents]

    def __init__(
        self,
        inner: EventStream[StreamEvents],
        on_final: Callable[[OpenResponsesResult], None] | None = None,
    ) -> None:
        """``on_final`` is called once with the final response, when the inner stream ended
        without raising (what it raises propagates to the reader)."""
        self._inner = inner
        self._outcome = outcome = _Outcome(on_final)
        self._events = _events(inner, outcome)

    def __iter__(self) -> Iterator[StreamEvents]:
        return self._events

    def __next__(self) -> StreamEvents:
        return next(self._events)

    def text_deltas(self) -> Iterator[str]:
        """Only the text, as it arrives; ``IncompleteResponseError`` at the end if cut off."""
        for event in self._events:
            if isinstance(event, TextDeltaEvent):
                yield event.delta
        raise_if_incomplete(self._final_or_raise())

    def reasoning_deltas(self) -> Iterator[str]:
        """Only the reasoning (reasoning text and summary text), as it arrives; reads the whole
        stream (the answer's text is skipped: see ``output_text`` afterwards)."""
        for event in self._events:
            if isinstance(event, REASONING_DELTA_EVENTS):
                yield event.delta

    def get_final_response(self) -> OpenResponsesResult:
        """Read the rest of the stream and return the final response."""
        for _ in self._events:
            pass
        return self._final_or_raise()

    def close(self) -> None:
        """Drop the connection now (this also cancels the generation upstream)."""
        self._events.close()
        self._inner.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class WrappedStreamAsync(_Base):
    """The async form: ``async for``, ``async with``, ``aclose()``."""

    _inner: EventStreamAsync[StreamEvents]

    def __init__(
        self,
        inner: EventStreamAsync[StreamEvents],
        on_final: Callable[[OpenResponsesResult], None] | None = None,
    ) -> None:
        """``on_final`` as in ``WrappedStream``."""
        self._inner = inner
        self._outcome = outcome = _Outcome(on_final)
        self._events = _aevents(inner, outcome)

    def __aiter__(self) -> AsyncIterator[StreamEvents]:
        return self._events

    async def __anext__(self) -> StreamEvents:
        return await self._events.__anext__()

    async def text_deltas(self) -> AsyncIterator[str]:
        """Only the text, as it arrives; ``IncompleteResponseError`` at the end if cut off."""
        async for event in self._events:
            if isinstance(event, TextDeltaEvent):
                yield event.delta
        raise_if_incomplete(self._final_or_raise())

    async def reasoning_deltas(self) -> AsyncIterator[str]:
        """Only the reasoning, as it arrives (see ``WrappedStream.reasoning_deltas``)."""
        async for event in self._events:
            if isinstance(event, REASONING_DELTA_EVENTS):
                yield event.delta

    async def get_final_response(self) -> OpenResponsesResult:
        """Read the rest of the stream and return the final response."""
        async for _ in self._events:
            pass
        return self._final_or_raise()

    async def aclose(self) -> None:
        """Drop the connection now (this also cancels the generation upstream)."""
        await self._events.aclose()
        await self._inner.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
