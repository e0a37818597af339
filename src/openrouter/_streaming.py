"""``EventStream`` and ``EventStreamAsync``: typed events over SSE with clear outcomes.

``_StreamCore`` holds everything that is not I/O (decoding, typing, accumulating, deciding how
the stream ended); the two classes only move bytes and close the connection.

Outcomes:
- ``response.completed``: iteration ends normally.
- ``response.failed`` / ``error`` / ``response.error``: the event is yielded, then
  ``StreamFailedError`` is raised (unless ``raise_stream_errors=False``).
- ``response.incomplete``: iteration ends normally; ``get_final_response()`` has
  ``incomplete_details``; ``output_text`` and ``text_deltas()`` raise ``IncompleteResponseError``.
- Connection dropped, or the stream ended without a terminal event: ``StreamInterruptedError``.
- No bytes for longer than the read timeout: ``StreamIdleTimeoutError``.

Connections: once the terminal event has arrived, ending or closing the stream reads the rest of
the HTTP message (bounded, see ``_drain``) so the connection goes back to the client's pool;
closing a stream before its terminal event drops the connection, which cancels the generation.
"""

from __future__ import annotations

import logging
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
)
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx
from pydantic import ValidationError

from openrouter._accumulate import ResponseAccumulator
from openrouter._json import JSONNestingError
from openrouter._result import parse_result
from openrouter._wire._drain import adrain, drain
from openrouter._wire._errors import bounded, error_code_and_message
from openrouter._wire._hooks import STREAM_END_KEY
from openrouter._wire._sse import DEFAULT_MAX_EVENT_BYTES, SSEDecodeError, SSEDecoder
from openrouter.components import (
    FAILURE_EVENT_TYPES,
    TERMINAL_EVENT_STATUS,
    OpenResponsesResult,
    ReasoningDeltaEvent,
    ReasoningSummaryTextDeltaEvent,
    StreamEvents,
    parse_event,
    terminal_event_for,
)
from openrouter.components._events import LONG_EVENT, event_validator
from openrouter.components._response import set_generation_id
from openrouter.errors import (
    IncompleteResponseError,
    StreamError,
    StreamFailedError,
    StreamIdleTimeoutError,
    StreamInterruptedError,
)

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["EventStream", "EventStreamAsync"]

T = TypeVar("T")

_logger = logging.getLogger("openrouter")


# The event types that change how a stream ends.
_WATCHED_TYPES = frozenset(TERMINAL_EVENT_STATUS) | FAILURE_EVENT_TYPES
_TERMINAL_MARKS = tuple(f'"{name}"'.encode() for name in TERMINAL_EVENT_STATUS)


class _StreamCore:
    """The state of one stream, fed raw bytes; shared by the sync and async classes."""

    __slots__ = (
        "_datas",
        "_decoder",
        "_validate",
        "accumulator",
        "done",
        "event_count",
        "failure",
        "malformed_events",
        "on_end",
        "raise_after",
        "raise_errors",
        "response",
        "terminal_type",
    )

    def __init__(
        self,
        response: httpx.Response,
        raise_errors: bool,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        self.response = response
        self.raise_errors = raise_errors
        self.accumulator = ResponseAccumulator()
        self._decoder = SSEDecoder(max_event_bytes)
        self._validate = event_validator()
        self._datas: list[bytes] = []  # the events of the chunk being taken
        self.event_count = 0
        self.done = False
        self.terminal_type: str | None = None
        self.failure: StreamFailedError | None = None
        # The failing event, once seen: the shells raise right after yielding it.
        self.raise_after: object = None
        self.malformed_events: list[str] = []
        # Observability: set only when the client has hooks (see ``_wire/_hooks.py``).
        self.on_end: Callable[[_StreamCore, BaseException | None], None] | None = (
            response.extensions.get(STREAM_END_KEY)
        )

    @property
    def is_sse(self) -> bool:
        return "event-stream" in self.response.headers.get("content-type", "")

    def decode(self, chunk: bytes) -> list[bytes]:
        """The data of each event ``chunk`` completes, undecoded: ``take`` turns them into
        events one at a time, as the caller iterates."""
        try:
            self._datas = datas = self._decoder.feed_data(chunk)
        except SSEDecodeError as exc:
            raise StreamError(
                f"Stream decoding failed: {exc}",
                partial_response=self.accumulator.partial_response(),
                event_count=self.event_count,
            ) from exc
        return datas

    def is_over(self) -> bool:
        """Whether the response has ended: its terminal event was taken, or it (or
        ``[DONE]``) is in the chunk being taken, the caller having closed the stream before
        reaching it. An ended stream's connection can go back to the pool."""
        if self.terminal_type is not None:
            return True
        # A quoted type name cannot occur inside a JSON string, where quotes are escaped.
        return any(
            data == b"[DONE]" or any(mark in data for mark in _TERMINAL_MARKS)
            for data in self._datas
        )

    def events_in(self, chunk: bytes) -> Iterator[StreamEvents]:
        """The events ``chunk`` completes, decoded one at a time as they are asked for, up to
        ``[DONE]``. A failure event raises its error right after it was yielded, when the
        stream raises failures."""
        return self._events_of(self.decode(chunk))

    def feed(self, chunk: bytes) -> list[StreamEvents]:
        """Every event ``chunk`` completes, at once."""
        return list(self.events_in(chunk))

    def take(self, data: bytes) -> StreamEvents | None:
        """The event of one ``data``, accumulated and counted; None for ``[DONE]`` (``done``
        is then set) or a malformed event that was skipped."""
        for event in self._events_of((data,)):
            return event
        return None

    def _events_of(self, datas: Iterable[bytes]) -> Iterator[StreamEvents]:
        """The hot path of every stream, in one frame: each data validated (a known event in
        one call), accumulated, counted and yielded before the next is decoded.

        One event at a time, not a chunk's worth: at a thousand concurrent streams, events
        decoded ahead of the caller live long enough for the cyclic GC to promote and rescan
        them, which cost more than the rest of the SDK's work.
        """
        validate = self._validate
        feed = self.accumulator.feed
        event: StreamEvents | None
        for data in datas:
            try:
                event = validate(data) if len(data) <= LONG_EVENT else self._decode(data)
            except ValidationError:
                event = self._decode(data)
            if event is None:
                if self.done:
                    return
                continue  # a malformed event, skipped
            feed(event)
            self.event_count += 1
            if event.type in _WATCHED_TYPES:
                self._note(event)
            yield event
            if event is self.raise_after:
                raise self.stream_failure()

    def _decode(self, data: bytes) -> StreamEvents | None:
        """Whatever the known events' validator refused: ``[DONE]``, an unknown type, a bad
        shape, malformed JSON, an event of megabytes."""
        if data == b"[DONE]":
            self.done = True
            return None
        try:
            return parse_event(data)
        except JSONNestingError as exc:
            raise StreamError(
                f"Stream event {self.event_count + 1} is nested too deeply to decode "
                f"({len(data):,} bytes); the stream was closed",
                partial_response=self.accumulator.partial_response(),
                event_count=self.event_count,
            ) from exc
        except ValueError:
            return self._malformed(data)

    def _malformed(self, data: bytes) -> StreamEvents | None:
        """An event the fast parse rejected: as text (bytes that are not UTF-8 read as U+FFFD,
        as SSE text does), or ``None`` once it is recorded as malformed and skipped."""
        text = data.decode("utf-8", "replace")
        try:
            return parse_event(text)
        except ValueError:
            # One unreadable event should not cost the user the whole response; the
            # terminal event still carries the authoritative result.
            self.malformed_events.append(text)
            _logger.warning("skipped a malformed stream event: %.200r", text)
            return None

    def _take(self, event: StreamEvents) -> None:
        """Accumulate and count one event that came whole, not as data (``_events_of`` does
        the same inline)."""
        self.accumulator.feed(event)
        self.event_count += 1
        if event.type in _WATCHED_TYPES:
            self._note(event)

    def _note(self, event: Any) -> None:
        event_type = event.type
        if event_type in TERMINAL_EVENT_STATUS and self.terminal_type is None:
            self.terminal_type = event_type
        if event_type in FAILURE_EVENT_TYPES and self.failure is None:
            code, message = error_code_and_message(event)
            what = "the response failed" if event_type == "response.failed" else "stream error"
            self.failure = StreamFailedError(
                f"{what}: {bounded(message or 'no message')} (code {bounded(repr(code), 200)})",
                code=code,
                error_message=message,
                event=event,
                partial_response=self.accumulator.partial_response(),
                event_count=self.event_count,
            )
            if self.raise_errors:
                self.raise_after = event

    def ended(self, error: BaseException | None) -> None:
        """Tell ``on_end``, once, that the stream finished (``error`` None), raised ``error``,
        or was closed early (``GeneratorExit``, or None before any terminal event)."""
        on_end, self.on_end = self.on_end, None
        if on_end is not None:
            on_end(self, error)

    def stream_failure(self) -> StreamFailedError:
        assert self.failure is not None
        return self.failure

    def finish(self) -> None:
        """The body ended: raise unless a terminal event (or a reported failure) arrived."""
        if self.terminal_type is not None or self.failure is not None:
            return
        how = "after [DONE]" if self.done else "when the connection closed"
        cut = "; the last event was cut off mid-way" if self._decoder.pending else ""
        raise StreamInterruptedError(
            f"The stream ended {how} without a terminal event, after {self.event_count} "
            f"events{cut}",
            partial_response=self.accumulator.partial_response(),
            event_count=self.event_count,
        )

    def transport_error(self, exc: httpx.RequestError) -> StreamError:
        partial = self.accumulator.partial_response()
        if isinstance(exc, httpx.ReadTimeout):
            return StreamIdleTimeoutError(
                f"No data from the server within the read timeout, after {self.event_count} "
                "events; the connection was closed",
                partial_response=partial,
                event_count=self.event_count,
            )
        return StreamInterruptedError(
            f"The connection was lost after {self.event_count} events "
            f"({type(exc).__name__}: {exc})",
            partial_response=partial,
            event_count=self.event_count,
        )

    def non_sse_body(self) -> list[StreamEvents]:
        """A stream request answered with plain JSON: an error body raises, a result becomes
        the terminal event a stream of it would have ended with."""
        event = terminal_event_for(parse_result(self.response))
        self._take(event)
        return [event]

    def final_response(self) -> OpenResponsesResult:
        final = self.accumulator.final_response()
        if final is None:
            raise StreamInterruptedError("The stream produced no response", event_count=0)
        set_generation_id(final, self.response.headers.get("x-generation-id"))
        return final

    def require_complete(self) -> OpenResponsesResult:
        final = self.final_response()
        if self.terminal_type == "response.incomplete" or final.status == "incomplete":
            raise IncompleteResponseError.for_response(final)
        return final


# The generators are module functions over the core, never methods: a generator holding the
# stream object would form a reference cycle with it, and an abandoned stream would then keep its
# connection until the cyclic GC ran (which may be never, or inside httpcore's pool lock).


# The first value of ``_events``: ``EventStream.__init__`` runs the generator up to it, so that a
# stream dropped before its first event is still closed (running the ``finally``) the moment its
# last reference goes; a generator that never started would never run its ``finally``.
_STARTED = object()

# What ``reasoning_deltas()`` yields, here and in the helpers' streams.
REASONING_DELTA_EVENTS = (ReasoningDeltaEvent, ReasoningSummaryTextDeltaEvent)


def _events(core: _StreamCore) -> Generator[Any, None, None]:
    chunks: Iterator[bytes] | None = None
    try:
        yield _STARTED
        if not core.is_sse:
            try:
                core.response.read()
            except (httpx.TransportError, httpx.DecodingError) as exc:
                raise core.transport_error(exc) from exc
            yield from core.non_sse_body()
            return
        chunks = core.response.iter_bytes()
        while not core.done:
            try:
                chunk = next(chunks)
            except StopIteration:
                break
            except (httpx.TransportError, httpx.DecodingError) as exc:
                raise core.transport_error(exc) from exc
            yield from core.events_in(chunk)
        core.finish()
    except BaseException as exc:
        if core.on_end is not None:
            core.ended(exc)
        raise
    finally:
        try:
            if chunks is not None and core.is_over():
                drain(core.response, chunks)
        finally:
            core.response.close()
            if core.on_end is not None:
                core.ended(None)


async def _aevents(core: _StreamCore) -> AsyncGenerator[Any, None]:
    chunks: AsyncIterator[bytes] | None = None
    try:
        yield _STARTED
        if not core.is_sse:
            try:
                await core.response.aread()
            except (httpx.TransportError, httpx.DecodingError) as exc:
                raise core.transport_error(exc) from exc
            for whole in core.non_sse_body():
                yield whole
            return
        chunks = core.response.aiter_bytes()
        while not core.done:
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                break
            except (httpx.TransportError, httpx.DecodingError) as exc:
                raise core.transport_error(exc) from exc
            for event in core.events_in(chunk):
                yield event
        core.finish()
    except BaseException as exc:
        if core.on_end is not None:
            core.ended(exc)
        raise
    finally:
        try:
            if chunks is not None:
                if core.is_over():
                    await adrain(core.response, chunks)
                # Closed now, not left suspended for the event loop's async-generator
                # finaliser: the body buffers it holds go at once.
                aclose = getattr(chunks, "aclose", None)
                if aclose is not None:
                    await aclose()
        finally:
            await core.response.aclose()
            if core.on_end is not None:
                core.ended(None)


class _StreamBase(Generic[T]):
    _core: _StreamCore

    @property
    def response(self) -> httpx.Response:
        """The underlying httpx response (headers, status, ``X-Generation-Id``)."""
        return self._core.response

    @property
    def generation_id(self) -> str | None:
        value: str | None = self._core.response.headers.get("x-generation-id")
        return value

    @property
    def event_count(self) -> int:
        return self._core.event_count

    @property
    def malformed_events(self) -> list[str]:
        """Raw data of events that were not valid JSON and were skipped."""
        return self._core.malformed_events

    @property
    def status(self) -> str | None:
        """The terminal event's type once it arrived (``response.completed`` ...)."""
        return self._core.terminal_type

    @property
    def output_text(self) -> str:
        """The whole text, once the stream has ended; raises if it was incomplete."""
        if self._core.terminal_type is None and self._core.failure is None:
            raise RuntimeError(
                "The stream has not ended yet: iterate it or call get_final_response() first"
            )
        return self._core.require_complete().output_text


class EventStream(_StreamBase[T]):
    """A stream of typed events. Iterate it; use it as a context manager to close it early."""

    def __init__(
        self,
        response: httpx.Response,
        raise_stream_errors: bool = True,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        self._core = core = _StreamCore(response, raise_stream_errors, max_event_bytes)
        self._iterator = _events(core)
        next(self._iterator)  # parked at _STARTED: see there

    def __iter__(self) -> Iterator[T]:
        return self._iterator

    def __next__(self) -> T:
        event: T = next(self._iterator)
        return event

    def text_deltas(self) -> Iterator[str]:
        """Only the text, as it arrives. Raises ``IncompleteResponseError`` at the end if the
        response was cut off (max tokens, content filter)."""
        for event in self._iterator:
            if event.type == "response.output_text.delta":
                yield event.delta
        self._core.require_complete()

    def reasoning_deltas(self) -> Iterator[str]:
        """Only the reasoning (its text and summary text), as it arrives."""
        for event in self._iterator:
            if isinstance(event, REASONING_DELTA_EVENTS):
                yield event.delta

    def get_final_response(self) -> OpenResponsesResult:
        """Read the rest of the stream and return the final response."""
        for _ in self._iterator:
            pass
        return self._core.final_response()

    def close(self) -> None:
        """Drop the connection now (this also cancels the generation upstream)."""
        self._iterator.close()
        self._core.response.close()
        if self._core.on_end is not None:  # closed before it was iterated
            self._core.ended(None)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class EventStreamAsync(_StreamBase[T]):
    """The async form of ``EventStream``: ``async for``, ``async with``, ``aclose()``."""

    def __init__(
        self,
        response: httpx.Response,
        raise_stream_errors: bool = True,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        self._core = core = _StreamCore(response, raise_stream_errors, max_event_bytes)
        self._iterator = _aevents(core)

    async def _start(self) -> Self:
        """Park the generator at ``_STARTED`` (see there); ``send_async`` awaits this."""
        await self._iterator.__anext__()
        return self

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterator

    async def __anext__(self) -> T:
        event: T = await self._iterator.__anext__()
        return event

    async def text_deltas(self) -> AsyncIterator[str]:
        """Only the text, as it arrives; ``IncompleteResponseError`` at the end if cut off."""
        async for event in self._iterator:
            if event.type == "response.output_text.delta":
                yield event.delta
        self._core.require_complete()

    async def reasoning_deltas(self) -> AsyncIterator[str]:
        """Only the reasoning (its text and summary text), as it arrives."""
        async for event in self._iterator:
            if isinstance(event, REASONING_DELTA_EVENTS):
                yield event.delta

    async def get_final_response(self) -> OpenResponsesResult:
        async for _ in self._iterator:
            pass
        return self._core.final_response()

    async def aclose(self) -> None:
        """Drop the connection now (this also cancels the generation upstream)."""
        await self._iterator.aclose()
        await self._core.response.aclose()
        if self._core.on_end is not None:  # closed before it was iterated
            self._core.ended(None)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
