"""Returning a finished stream's connection to the pool: the rest of its HTTP message is
read, within bounds, instead of the connection being dropped."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = ["adrain", "drain"]

# Returning the connection to the pool. Once the terminal event has arrived the generation is
# over, so instead of dropping the connection (right when a stream is closed early: that cancels
# the generation upstream) the rest of the HTTP message is read: usually only `[DONE]` and the
# chunked terminator, often already buffered. httpx then releases the connection to its pool.
# The drain is bounded so that a server which never ends the body cannot hold the caller: at
# most _DRAIN_MAX_BYTES, and each socket read waits at most _DRAIN_TIMEOUT_S (instead of the
# request's read timeout, minutes by default). Past either bound the connection is dropped, as
# before. The per-read bound wraps `read` of the connection's network stream (httpcore's public
# "network_stream" response extension) for the duration of the drain; with a transport that
# has no such stream the reads are bounded by its own timeouts.
_DRAIN_TIMEOUT_S = 1.0
_DRAIN_MAX_BYTES = 64 * 1024


def drain(response: httpx.Response, chunks: Iterator[bytes]) -> None:
    if response.is_closed or response.http_version != "HTTP/1.1":
        return  # HTTP/2 closes just the stream, never the connection
    stream = response.extensions.get("network_stream")
    read: Any = getattr(stream, "read", None)

    def short_read(max_bytes: int, timeout: float | None = None) -> Any:
        return read(max_bytes, _short(timeout))

    with _patched_read(stream, short_read if read is not None else None):
        left = _DRAIN_MAX_BYTES
        try:
            for chunk in chunks:
                left -= len(chunk)
                if left < 0:
                    return
        except Exception:  # a timeout or a broken body: the caller's close() drops it
            return


async def adrain(response: httpx.Response, chunks: AsyncIterator[bytes]) -> None:
    if response.is_closed or response.http_version != "HTTP/1.1":
        return
    stream = response.extensions.get("network_stream")
    read: Any = getattr(stream, "read", None)

    async def short_read(max_bytes: int, timeout: float | None = None) -> Any:
        return await read(max_bytes, _short(timeout))

    with _patched_read(stream, short_read if read is not None else None):
        left = _DRAIN_MAX_BYTES
        try:
            async for chunk in chunks:
                left -= len(chunk)
                if left < 0:
                    return
        except Exception:
            return


def _short(timeout: float | None) -> float:
    return _DRAIN_TIMEOUT_S if timeout is None else min(timeout, _DRAIN_TIMEOUT_S)


@contextmanager
def _patched_read(stream: Any, read: Callable[..., Any] | None) -> Iterator[None]:
    """``stream.read`` is ``read`` inside the block (an instance attribute shadowing the
    method), then what it was before."""
    if read is None:
        yield
        return
    before = vars(stream).get("read") if hasattr(stream, "__dict__") else None
    try:
        stream.read = read
    except AttributeError:  # a stream class with __slots__: reads keep their own timeout
        yield
        return
    try:
        yield
    finally:
        if before is None:
            del stream.read
        else:
            stream.read = before
