"""The ``OpenRouter`` client: configuration, the lazily built httpx clients, and resources.

Importing this module costs almost nothing (no httpx, no pydantic); both load on the first
request, so ``OpenRouter()`` is cheap to construct in scripts, CLIs and serverless cold starts.
"""

from __future__ import annotations

import logging
import os
import platform
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from openrouter._version import __version__
from openrouter.utils import RetryConfig

if TYPE_CHECKING:
    import httpx

    from openrouter._resources import Responses

__all__ = ["DEFAULT_SERVER_URL", "DEFAULT_TIMEOUT_MS", "Beta", "OpenRouter"]

DEFAULT_SERVER_URL = "https://openrouter.ai/api/v1"
# Generous on purpose: a reasoning model may think for minutes before its first byte. For
# streams this is the longest silence allowed between bytes (keep-alive comments count).
DEFAULT_TIMEOUT_MS = 600_000

_logger = logging.getLogger("openrouter")


class Beta:
    """The ``client.beta`` namespace, named as in the official SDK."""

    __slots__ = ("responses",)

    def __init__(self, responses: Responses) -> None:
        self.responses = responses


class OpenRouter:
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

    def __init__(
        self,
        api_key: str | Callable[[], str] | None = None,
        *,
        http_referer: str | None = None,
        x_open_router_title: str | None = None,
        x_open_router_categories: str | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
        retry_config: RetryConfig | None = None,
        client: httpx.Client | None = None,
        async_client: httpx.AsyncClient | None = None,
        debug_logger: logging.Logger | None = None,
    ) -> None:
        env = os.environ
        self._api_key = api_key or env.get("OPENROUTER_API_KEY") or None
        self.server_url = (
            server_url or env.get("OPENROUTER_BASE_URL") or DEFAULT_SERVER_URL
        ).rstrip("/")
        # None: the httpx client's own timeout (DEFAULT_TIMEOUT_MS for the ones built here).
        self.timeout_ms = timeout_ms
        self.retry_config = retry_config if retry_config is not None else RetryConfig()
        self.logger = debug_logger if debug_logger is not None else _logger

        headers = {
            "User-Agent": f"openrouter-python/{__version__} python/{platform.python_version()}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        for header, value, var in (
            ("HTTP-Referer", http_referer, "OPENROUTER_HTTP_REFERER"),
            ("X-OpenRouter-Title", x_open_router_title, "OPENROUTER_X_OPEN_ROUTER_TITLE"),
            (
                "X-OpenRouter-Categories",
                x_open_router_categories,
                "OPENROUTER_X_OPEN_ROUTER_CATEGORIES",
            ),
        ):
            value = value or env.get(var)
            if value:
                headers[header] = value
        self._base_headers = headers

        self._http: httpx.Client | None = client
        self._owns_http = client is None
        self._async_http: httpx.AsyncClient | None = async_client
        self._owns_async_http = async_client is None
        self._lock = threading.Lock()
        self._responses: Responses | None = None

    # -- resources ---------------------------------------------------------------------------

    @property
    def responses(self) -> Responses:
        """``client.responses`` is the same object as ``client.beta.responses``."""
        if self._responses is None:
            from openrouter._resources import Responses

            self._responses = Responses(self)
        return self._responses

    @property
    def beta(self) -> Beta:
        return Beta(self.responses)

    # -- internals used by resources ------------------------------------------------------------

    def _resolve_api_key(self) -> str:
        key = self._api_key
        if callable(key):
            key = key()
        if not key:
            from openrouter.errors import MissingAPIKeyError

            raise MissingAPIKeyError(
                "No API key: pass OpenRouter(api_key=...) or set the OPENROUTER_API_KEY "
                "environment variable."
            )
        return key

    def _sync_client(self) -> httpx.Client:
        http = self._http
        if http is None:
            with self._lock:
                if self._http is None:
                    import httpx

                    self._http = httpx.Client(
                        timeout=self._default_timeout(), follow_redirects=False
                    )
                http = self._http
        return http

    async def _async_client(self) -> httpx.AsyncClient:
        http = self._async_http
        if http is None:
            import anyio
            import httpx

            # Building the client loads CA certificates from disk: do it off the event loop.
            created = await anyio.to_thread.run_sync(
                lambda: httpx.AsyncClient(timeout=self._default_timeout(), follow_redirects=False)
            )
            if self._async_http is None:
                self._async_http = created
            else:  # another task won the race
                await created.aclose()
            http = self._async_http
        return http

    def _default_timeout(self) -> httpx.Timeout:
        from openrouter._transport import timeout_for

        ms = self.timeout_ms if self.timeout_ms is not None else DEFAULT_TIMEOUT_MS
        return timeout_for(ms / 1000.0)

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the sync httpx client this object built (not one you passed in)."""
        if self._owns_http and self._http is not None:
            self._http.close()
            self._http = None

    async def aclose(self) -> None:
        """Close every httpx client this object built (not ones you passed in)."""
        if self._owns_async_http and self._async_http is not None:
            await self._async_http.aclose()
            self._async_http = None
        self.close()

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

    def __reduce__(self) -> Any:
        # Pickling would carry the key (and sockets); refuse clearly instead.
        raise TypeError("OpenRouter clients cannot be pickled")
