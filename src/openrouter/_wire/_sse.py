"""Server-sent events decoding (WHATWG HTML "event stream" parsing), shared by sync and async.

One incremental ``SSEDecoder`` turns raw body bytes into ``ServerSentEvent`` objects; the stream
classes feed it whatever chunks the transport yields. The decoder works on bytes and hands whole
runs of complete lines to C-level ``split``; the common frames (a single ``data: ...`` line, or an
``event: <type>`` line and a ``data: ...`` line, then a blank line) take a fast path that costs a
few slices and decodes per event.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any

__all__ = [
    "DEFAULT_MAX_EVENT_BYTES",
    "SSEDecodeError",
    "SSEDecoder",
    "ServerSentEvent",
    "aiter_sse",
    "iter_sse",
]

DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024

_BOM = b"\xef\xbb\xbf"
# An unterminated line this long is completed on its own (see SSEDecoder._end_long_line).
_LONG_LINE = 64 * 1024


class SSEDecodeError(ValueError):
    """The byte stream cannot be decoded safely (e.g. one event exceeds the size bound)."""


class ServerSentEvent:
    """One dispatched event.

    ``id`` is the stream's *last event ID* at dispatch time: per WHATWG it persists across
    events until another ``id:`` field changes it (``None`` until the stream sets one).
    ``retry`` is the reconnection time given by a ``retry:`` field inside this event's frame.
    """

    __slots__ = ("data", "event", "id", "retry")

    def __init__(
        self,
        event: str = "message",
        data: str = "",
        id: str | None = None,
        retry: int | None = None,
    ) -> None:
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return (
            self.event == other.event
            and self.data == other.data
            and self.id == other.id
            and self.retry == other.retry
        )

    def __repr__(self) -> str:
        return (
            f"ServerSentEvent(event={self.event!r}, data={self.data!r}, "
            f"id={self.id!r}, retry={self.retry!r})"
        )


class SSEDecoder:
    """Incremental event-stream decoder: ``feed`` it chunks; ``pending`` at the end of the body
    tells a clean end from a cut-off event (which WHATWG says to discard).

    Work per chunk is proportional to the chunk (plus, once, the pieces of a line that spanned
    earlier chunks), so a huge event trickling in byte by byte stays linear. Once ``feed`` has
    raised ``SSEDecodeError`` the stream is unusable and the decoder should be dropped.
    """

    __slots__ = (
        "_data",
        "_event",
        "_head",
        "_max",
        "_retry",
        "_size",
        "_skip_lf",
        "_tail",
        "_tail_len",
        "_want_data",
        "last_event_id",
        "retry",
    )

    def __init__(self, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> None:
        if max_event_bytes <= 0:
            raise ValueError("max_event_bytes must be positive")
        self._max = max_event_bytes
        # Bytes held back at the very start while they could still be a split BOM;
        # None once the start of the stream has been decided.
        self._head: bytes | None = b""
        # The previous chunk ended in CR: an LF opening the next chunk is the same line end.
        self._skip_lf = False
        # The unterminated last line, as the pieces it arrived in (joined once it completes).
        self._tail: list[bytes] = []
        self._tail_len = 0
        # The frame being built. Data lines stay bytes and are decoded once, at dispatch.
        self._data: list[bytes] = []
        self._size = 0  # bytes of this frame's data lines (with field names), for the bound
        self._event: str | None = None
        self._retry: int | None = None
        self._want_data = False  # feed_data(): emit the data bytes of each event, no objects
        self.last_event_id: str | None = None
        self.retry: int | None = None  # the latest valid ``retry:`` value seen anywhere

    @property
    def pending(self) -> bool:
        """True if the stream so far ends inside an event: data lines still waiting for their
        blank line, or an unterminated line that is not a comment. The end of the body discards
        that event (per WHATWG), so this is how a caller tells a cut-off stream from a clean
        end."""
        if self._data:
            return True
        return self._tail_len > 0 and self._tail[0][:1] != b":"

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one chunk; return the events it completed (possibly none)."""
        self._want_data = False
        return self._feed(chunk)

    def feed_data(self, chunk: bytes) -> list[bytes]:
        """Like ``feed``, but each completed event comes as its data alone, undecoded bytes
        (for a caller that only reads ``data``: no event objects, no text decoding)."""
        self._want_data = True
        return self._feed(chunk)

    def _feed(self, chunk: bytes) -> list[Any]:
        if self._head is not None:
            chunk = self._strip_bom(chunk)
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[0] == 0x0A:
                chunk = chunk[1:]
                if not chunk:
                    return []

        # Only complete lines are parsed; everything after the last line end waits in _tail.
        # rfind(CR) also tells us whether line ends need normalising at all.
        cr = chunk.rfind(b"\r")
        end = chunk.rfind(b"\n")
        if cr > end:
            end = cr
        if end < 0:
            self._tail.append(chunk)
            self._tail_len += len(chunk)
            if self._size + self._tail_len > self._max:
                self._too_big(self._size + self._tail_len)
            return []

        last = len(chunk) - 1
        if end == last:
            text = chunk
            if cr == last:
                self._skip_lf = True
        else:
            text = chunk[: end + 1]
        events: list[Any] = []
        if self._tail_len >= _LONG_LINE:
            text = self._end_long_line(text, events)
        elif self._tail:
            self._tail.append(text)
            text = b"".join(self._tail)
            self._tail = []
            self._tail_len = 0
        if cr >= 0:
            # Interior CRLF/CR become LF; a CRLF split across chunks was handled by _skip_lf.
            text = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

        blocks = text.split(b"\n\n")
        rest = blocks.pop()  # the text after the last blank line: lines of an unfinished frame
        if blocks and (self._data or self._event is not None or self._retry is not None):
            # The first block finishes a frame begun in earlier chunks.
            self._lines(blocks[0].split(b"\n"), events)
            self._dispatch(events)
            del blocks[0]
        check = len(text) > self._max  # no block can exceed the bound unless the text does
        last_id = self.last_event_id
        append = events.append
        want_data = self._want_data
        for block in blocks:
            # Fast paths for the two frames services send: exactly an "event: <type>" line then
            # one "data: ..." line (OpenRouter's framing, tried first), or exactly one
            # "data: ..." line. Anything else (more lines, other fields, no space after the
            # colon) takes the full field rules. Slices compare faster than startswith calls.
            if block[:7] == b"event: ":
                lf = block.find(10, 7)  # 10 is LF
                if lf > 0 and block[lf + 1 : lf + 7] == b"data: " and block.find(10, lf + 7) < 0:
                    if check and len(block) - lf - 1 > self._max:
                        self._too_big(len(block) - lf - 1)
                    if want_data:
                        append(block[lf + 7 :])
                    else:
                        kind = block[7:lf].decode("utf-8", "replace") or "message"
                        data = block[lf + 7 :].decode("utf-8", "replace")
                        append(ServerSentEvent(kind, data, last_id))
                    continue
            elif block[:6] == b"data: " and 10 not in block:  # int `in` is a memchr
                if check and len(block) > self._max:
                    self._too_big(len(block))
                if want_data:
                    append(block[6:])
                else:
                    data = block[6:].decode("utf-8", "replace")
                    append(ServerSentEvent("message", data, last_id))
                continue
            self._lines(block.split(b"\n"), events)
            self._dispatch(events)
            last_id = self.last_event_id
        if rest:
            # rest ends with LF (text does); its lines are complete, the frame is not.
            self._lines(rest[:-1].split(b"\n"), events)

        if end != last:
            piece = chunk[end + 1 :]
            self._tail.append(piece)
            self._tail_len = len(piece)
            if self._size + self._tail_len > self._max:
                self._too_big(self._size + self._tail_len)
        return events

    # -- internals ---------------------------------------------------------------------------

    def _strip_bom(self, chunk: bytes) -> bytes:
        head = self._head + chunk if self._head else chunk
        if len(head) < 3 and _BOM.startswith(head):
            self._head = head  # could still become a BOM; decide when more bytes arrive
            return b""
        self._head = None
        return head[3:] if head.startswith(_BOM) else head

    def _end_long_line(self, text: bytes, events: list[Any]) -> bytes:
        """Complete the long line waiting in ``_tail`` with the start of ``text`` (which holds
        its line end) and take it in; return the rest of ``text``, after that line end.

        The value of a ``data`` line is joined from the pieces in one copy: a big event costs
        its pieces and that copy, not a join, a split and a slice besides.
        """
        cr = text.find(b"\r")
        end = text.find(b"\n")
        if end < 0 or 0 <= cr < end:
            end = cr
        pieces = self._tail
        pieces.append(text[:end])
        self._tail = []
        self._tail_len = 0
        # CRLF is one line end (a CR ending the chunk has set _skip_lf for the LF to come).
        after = end + 2 if text.startswith(b"\r\n", end) else end + 1
        head = b"".join(piece[:6] for piece in pieces[:6])[:6]
        if head.startswith(b"data:"):
            size = sum(map(len, pieces))
            self._size += size
            if self._size > self._max:
                self._too_big(self._size)
            _drop_front(pieces, 6 if head == b"data: " else 5)
            self._data.append(b"".join(pieces))
        else:
            self._lines([b"".join(pieces)], events)
        return text[after:]

    def _lines(self, lines: list[bytes], events: list[Any]) -> None:
        """Process complete lines (terminators removed) with the full field rules."""
        for line in lines:
            if not line:
                self._dispatch(events)
                continue
            if line[0] == 0x3A:  # ":" starts a comment
                continue
            colon = line.find(b":")
            if colon < 0:
                name = line
                value = b""
            else:
                name = line[:colon]
                # One optional space after the colon belongs to the syntax, not the value.
                value = line[colon + 2 :] if line.startswith(b" ", colon + 1) else line[colon + 1 :]
            if name == b"data":
                self._data.append(value)
                self._size += len(line)
                if self._size > self._max:
                    self._too_big(self._size)
            elif name == b"event":
                self._event = value.decode("utf-8", "replace")
            elif name == b"id" and 0 not in value:  # an id containing NUL is ignored
                self.last_event_id = value.decode("utf-8", "replace")
            elif name == b"retry" and value.isdigit():
                # bytes.isdigit is ASCII-only, which is what the spec's "digits" means.
                self._retry = self.retry = int(value)
            # Any other field name (or an invalid id/retry) is ignored.

    def _dispatch(self, events: list[Any]) -> None:
        """A blank line: emit the frame if it has data, and start a new one either way."""
        if self._data:
            data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
            if self._want_data:
                events.append(data)
            else:
                events.append(
                    ServerSentEvent(
                        self._event or "message",
                        data.decode("utf-8", "replace"),
                        self.last_event_id,
                        self._retry,
                    )
                )
            self._data = []
        self._size = 0
        self._event = None
        self._retry = None

    def _too_big(self, size: int) -> None:
        raise SSEDecodeError(
            f"SSE event too large: {size} bytes buffered for one event exceeds the limit of "
            f"{self._max} bytes (raise it with OpenRouter(max_event_bytes=...))"
        )


def _drop_front(pieces: list[bytes], count: int) -> None:
    """Remove the first ``count`` bytes of the pieces' concatenation."""
    while count > 0:
        first = pieces[0]
        if len(first) > count:
            pieces[0] = first[count:]
            return
        count -= len(first)
        del pieces[0]


def iter_sse(
    chunks: Iterable[bytes], max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES
) -> Iterator[ServerSentEvent]:
    """Events from an iterable of byte chunks (an unterminated final event is dropped)."""
    decoder = SSEDecoder(max_event_bytes)
    for chunk in chunks:
        yield from decoder.feed(chunk)


async def aiter_sse(
    chunks: AsyncIterable[bytes], max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES
) -> AsyncIterator[ServerSentEvent]:
    """Events from an async iterable of byte chunks (an unterminated final event is dropped)."""
    decoder = SSEDecoder(max_event_bytes)
    async for chunk in chunks:
        for event in decoder.feed(chunk):
            yield event
