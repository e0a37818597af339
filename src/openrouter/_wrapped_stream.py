"""Streams that wrap one ``EventStream`` and act once it has ended successfully.

The helpers' streaming forms (``parse(stream=True)``, ``Conversation.send(stream=True)``) yield
exactly the inner stream's events; the ``on_final`` callback runs only when the inner stream
reached its end without raising, so a dropped or failed stream never commits anything.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING

from openrouter.components import (
    ReasoningDeltaEvent,
    ReasoningSummaryTextDeltaEvent,
    TextDeltaEvent,
)
from openrouter.errors import raise_if_incomplete

if TYPE_CHECKING:
    import httpx
    from typing_extensions import Self

    from openrouter._streaming import EventStream, EventStreamAsync
    from openrouter.components import OpenResponsesResult, StreamEvents

__all__ = ["WrappedStream", "WrappedStreamAsync"]

_REASONING_DELTAS = (ReasoningDeltaEvent, ReasoningSummaryTextDeltaEvent)


class _Base:
    _inner: EventStream[StreamEvents] | EventStreamAsync[StreamEvents]
    _final: OpenResponsesResult | None
    _failure: BaseException | None
    _on_final: Callable[[OpenResponsesResult], None] | None

    def _final_or_raise(self) -> OpenResponsesResult:
        if self._final is not None:
            return self._final
        if self._failure is not None:
            raise self._failure
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
        self._on_final = on_final
        self._final = None
        self._failure = None
        self._events = self._iterate()

    def _iterate(self) -> Generator[StreamEvents, None, None]:
        inner = self._inner
        try:
            yield from inner
            final = inner.get_final_response()
            if self._on_final is not None:
                self._on_final(final)
        except Exception as exc:
            self._failure = exc
            raise
        self._final = final

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
            if isinstance(event, _REASONING_DELTAS):
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
        self._on_final = on_final
        self._final = None
        self._failure = None
        self._events = self._iterate()

    async def _iterate(self) -> AsyncGenerator[StreamEvents, None]:
        inner = self._inner
        try:
            async for event in inner:
                yield event
            final = await inner.get_final_response()
            if self._on_final is not None:
                self._on_final(final)
        except Exception as exc:
            self._failure = exc
            raise
        self._final = final

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
            if isinstance(event, _REASONING_DELTAS):
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
