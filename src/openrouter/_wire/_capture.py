"""Hand the HTTP response of a call to whoever asked for it (``with_raw_response``) without
threading it through every operation's return value.

A context variable, so concurrent threads and asyncio tasks each see only their own calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

__all__ = ["capturing", "note"]

_box: ContextVar[list[httpx.Response] | None] = ContextVar("openrouter_capture", default=None)


def note(response: httpx.Response) -> None:
    """Called by the request path with every successful answer."""
    box = _box.get()
    if box is not None:
        box.append(response)


@contextmanager
def capturing() -> Iterator[list[httpx.Response]]:
    """The answers received inside the block, oldest first."""
    box: list[httpx.Response] = []
    token = _box.set(box)
    try:
        yield box
    finally:
        _box.reset(token)
