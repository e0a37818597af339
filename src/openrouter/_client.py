"""The ``OpenRouter`` client: the wire layer's ``BaseClient`` plus one property per API area.

Importing this module costs almost nothing (no httpx, no pydantic); both load on the first
request, so ``OpenRouter()`` is cheap to construct in scripts, CLIs and serverless cold starts.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from openrouter._wire._base_client import DEFAULT_SERVER_URL, DEFAULT_TIMEOUT_MS, BaseClient

if TYPE_CHECKING:
    from openrouter.resources.responses import Responses

__all__ = ["DEFAULT_SERVER_URL", "DEFAULT_TIMEOUT_MS", "Beta", "OpenRouter"]


class Beta:
    """The ``client.beta`` namespace, named as in the official SDK."""

    __slots__ = ("responses",)

    def __init__(self, responses: Responses) -> None:
        self.responses = responses


class OpenRouter(BaseClient):
    """Client for OpenRouter's Responses API, sync and async.

    Every argument is optional. ``api_key`` falls back to ``OPENROUTER_API_KEY`` (it may also be
    a callable returning the key, called per request), ``server_url`` to ``OPENROUTER_BASE_URL``
    and then ``https://openrouter.ai/api/v1``, and the app attribution values to
    ``OPENROUTER_HTTP_REFERER``, ``OPENROUTER_X_OPEN_ROUTER_TITLE`` and
    ``OPENROUTER_X_OPEN_ROUTER_CATEGORIES``.

    ``client`` / ``async_client`` let you pass your own ``httpx.Client`` / ``httpx.AsyncClient``;
    those are never closed by this object. The ones it builds itself are built on first use and
    closed by ``close()`` / ``aclose()`` or the ``with`` / ``async with`` block.
    """

    _responses: Responses | None = None

    @property
    def responses(self) -> Responses:
        """``client.responses`` is the same object as ``client.beta.responses``."""
        if self._responses is None:
            from openrouter.resources.responses import Responses

            self._responses = Responses(self)
        return self._responses

    @property
    def beta(self) -> Beta:
        return Beta(self.responses)

    def __enter__(self) -> OpenRouter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> OpenRouter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        key = "set" if self._api_key else "unset"
        return f"OpenRouter(server_url={self.server_url!r}, api_key=<{key}>)"
