"""``with_raw_response``: the same operations, answering with the HTTP status and headers
alongside the typed result (the convention of openai's SDK).

``client.models.with_raw_response.list()`` returns a ``RawResponse``: ``status_code``,
``headers``, ``generation_id``, ``http_response`` and ``parse()``, the typed result. Errors
raise exactly as they do without it (their ``status_code`` and ``headers`` are on the error).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, ParamSpec, TypeVar

from openrouter._wire._capture import capturing

if TYPE_CHECKING:
    import httpx

__all__ = ["RawResponse", "to_raw", "to_raw_async"]

T = TypeVar("T")
P = ParamSpec("P")


class RawResponse(Generic[T]):
    """One call's HTTP response and its typed result."""

    __slots__ = ("_parsed", "http_response")

    def __init__(self, http_response: httpx.Response, parsed: T) -> None:
        self.http_response = http_response
        self._parsed = parsed

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def generation_id(self) -> str | None:
        """``X-Generation-Id``, when the service sent one."""
        value: str | None = self.http_response.headers.get("x-generation-id")
        return value

    def parse(self) -> T:
        """The typed result, as the operation without ``with_raw_response`` returns it."""
        return self._parsed

    def __repr__(self) -> str:
        return f"<RawResponse {self.status_code} {type(self._parsed).__name__}>"


def _last(box: list[httpx.Response], name: str) -> httpx.Response:
    if not box:  # only an operation that sends nothing gets here
        raise RuntimeError(f"{name} made no HTTP request")
    return box[-1]


def to_raw(func: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """``func``, answering with a ``RawResponse`` of its result."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        with capturing() as box:
            parsed = func(*args, **kwargs)
        return RawResponse(_last(box, func.__name__), parsed)

    return wrapper


def to_raw_async(func: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """The async form of ``to_raw``."""

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        with capturing() as box:
            parsed = await func(*args, **kwargs)
        return RawResponse(_last(box, func.__name__), parsed)

    return wrapper
