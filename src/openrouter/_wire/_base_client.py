"""``BaseClient``: configuration, the lazily built httpx clients, and one ``request`` path.

Every endpoint goes through ``build_request`` then ``request`` / ``request_async``, which apply
the retry policy, timeouts and error mapping. Importing this module loads neither httpx nor
pydantic; httpx loads on the first request.
"""

from __future__ import annotations

import logging
import os
import platform
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from openrouter._retry_config import RetryConfig
from openrouter._version import __version__
from openrouter._wire import _capture
from openrouter._wire._config import (
    Secret,
    check_headers,
    check_max_event_bytes,
    check_retry_config,
    check_server_url,
    check_timeout_ms,
    clean_api_key,
)

if TYPE_CHECKING:
    import ssl

    import anyio
    import httpx

    from openrouter._wire._hooks import Hook, HookSet
    from openrouter._wire._request import PreparedRequest

__all__ = [
    "DEFAULT_SERVER_URL",
    "DEFAULT_TIMEOUT_MS",
    "BaseClient",
    "CallOptions",
    "add_global_hook",
    "remove_global_hook",
]

DEFAULT_SERVER_URL = "https://openrouter.ai/api/v1"
# Generous on purpose: a reasoning model may think for minutes before its first byte. For
# streams this is the longest silence allowed between bytes (keep-alive comments count).
DEFAULT_TIMEOUT_MS = 600_000

# The connection limit of the httpx clients built here (httpx's own default).
MAX_CONNECTIONS = 100

_logger = logging.getLogger("openrouter")


class CallOptions:
    """The per-call options every operation accepts, as in the official SDK."""

    __slots__ = ("http_headers", "retries", "server_url", "timeout_ms")

    def __init__(
        self,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.retries = retries
        self.server_url = server_url
        self.timeout_ms = timeout_ms
        self.http_headers = http_headers


class BaseClient:
    """What every endpoint needs: the key, base URL, default headers, retries and timeout,
    and the httpx clients (built on first use; ones passed in are never closed here)."""

    # Class-level fallbacks: a traceback printed with its locals (pytest --showlocals,
    # Sentry) calls repr() on ``self`` of an ``__init__`` that failed half-way.
    _api_key: Secret | Callable[[], str] | None = None
    server_url: str = "<not set>"

    # The only thing the request path checks for observability: None means no hook at all
    # (this client's or a global one), and the plain path runs. A class attribute, so the
    # global hooks reach every client that has none of its own.
    _hooks: HookSet | None = None

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
        max_event_bytes: int | None = None,
        hooks: Sequence[Hook] | None = None,
    ) -> None:
        env = os.environ
        key = api_key or env.get("OPENROUTER_API_KEY") or None
        # This frame's locals show in tracebacks printed with them: only the redacted form.
        del api_key
        if isinstance(key, str):
            key = Secret(key)
        # A callable is asked per request, and its answer checked then.
        self._api_key = key if key is None or callable(key) else clean_api_key(key) or None
        self.server_url = check_server_url(
            server_url or env.get("OPENROUTER_BASE_URL") or DEFAULT_SERVER_URL
        )
        # None: the httpx client's own timeout (DEFAULT_TIMEOUT_MS for the ones built here).
        self.timeout_ms = check_timeout_ms(timeout_ms)
        self.retry_config = check_retry_config(retry_config) or RetryConfig()
        self.logger = debug_logger if debug_logger is not None else _logger
        # The largest stream event accepted (one event, not the stream): past it the stream
        # fails with a StreamError instead of buffering without end.
        self.max_event_bytes = check_max_event_bytes(max_event_bytes)

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
        self._base_headers = dict(check_headers(headers, "headers"))
        # The httpx clients built here carry these as their own defaults, and requests pass
        # only what differs: httpx would otherwise replace its defaults on every request.
        self._http_defaults = {
            name: value for name, value in self._base_headers.items() if name != "Content-Type"
        }

        self._http: httpx.Client | None = client
        self._owns_http = client is None
        self._async_http: httpx.AsyncClient | None = async_client
        self._owns_async_http = async_client is None
        # Admits at most MAX_CONNECTIONS requests into the async client built here at a time:
        # httpcore's pool rescans its whole queue against every connection on each event, so
        # 500 tasks queued inside it cost seconds of CPU; waiting here costs nothing.
        self._async_slots: anyio.Semaphore | None = None
        self._lock = threading.Lock()
        self._ssl: ssl.SSLContext | None = None
        if hooks:
            for hook in hooks:
                self.add_hook(hook)

    # -- the request path ------------------------------------------------------------------

    def build_request(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        options: CallOptions | None = None,
    ) -> PreparedRequest:
        """A request for ``path`` under the base URL. ``headers`` are the endpoint's own;
        ``options.http_headers`` (the caller's) win over every default except the key."""
        # Loaded on the first request, not with the client: it pulls in json (and re).
        from openrouter._wire._request import PreparedRequest, encode_json, merge_headers

        all_headers = dict(self._base_headers)
        if headers:
            all_headers.update(headers)
        server_url = self.server_url
        retry = self.retry_config
        timeout_s = self.timeout_ms / 1000.0 if self.timeout_ms is not None else None
        if options is not None:
            if options.http_headers:
                merge_headers(all_headers, check_headers(options.http_headers))
            if options.server_url:
                server_url = check_server_url(options.server_url)
            if options.retries is not None:
                retry = check_retry_config(options.retries, "retries") or retry
            if options.timeout_ms is not None:
                timeout_s = (check_timeout_ms(options.timeout_ms) or 0.0) / 1000.0
        if stream:
            all_headers["Accept"] = "text/event-stream"
        if json is None:
            all_headers.pop("Content-Type", None)
        all_headers["Authorization"] = Secret("Bearer " + self._resolve_api_key())
        url = server_url.rstrip("/") + path
        if query:
            pairs = [(k, v) for k, v in query.items() if v is not None]
            if pairs:
                import urllib.parse

                url += "?" + urllib.parse.urlencode(pairs, doseq=True)
        return PreparedRequest(
            method=method,
            url=url,
            headers=all_headers,
            content=encode_json(json) if json is not None else None,
            stream=stream,
            timeout_s=timeout_s,
            retry=retry,
        )

    def request(self, prepared: PreparedRequest) -> httpx.Response:
        """Send with retries. A success comes back read and closed, or open when
        ``prepared.stream``; an error status or transport failure raises its SDK error."""
        # From the module itself, not its package: that form skips a Python-level import step.
        from openrouter._wire._transport import send

        if self._hooks is not None:
            return self._request_hooked(prepared)
        defaults = self._http_defaults if self._owns_http else None
        response = send(self._sync_client(), prepared, self.logger, defaults=defaults)
        _capture.note(response)
        return response

    async def request_async(self, prepared: PreparedRequest) -> httpx.Response:
        """The async form of ``request``."""
        from openrouter._wire._transport import send_async

        if self._hooks is not None:
            return await self._request_hooked_async(prepared)
        http = await self._async_client()
        defaults = self._http_defaults if self._owns_async_http else None
        response = await send_async(
            http, prepared, self.logger, self._async_slots, defaults=defaults
        )
        _capture.note(response)
        return response

    # -- hooks -------------------------------------------------------------------------------

    def add_hook(self, hook: Hook) -> None:
        """Register ``hook`` (an ``openrouter.hooks.Hook``) for this client's requests."""
        from openrouter._wire._hooks import HookSet

        if "_hooks" not in self.__dict__:
            self._hooks = HookSet()
        own = self.__dict__["_hooks"]
        if hook not in own.own:
            own.own.append(hook)

    def remove_hook(self, hook: Hook) -> None:
        """Unregister a hook added by ``add_hook`` (or ``hooks=``); unknown ones are ignored."""
        own = self.__dict__.get("_hooks")
        if own is not None and hook in own.own:
            own.own.remove(hook)
            if not own.own:
                del self._hooks  # back to the class's: the global hooks, or None

    @property
    def hooks(self) -> tuple[Hook, ...]:
        """The hooks this client's requests call: its own, then the global ones."""
        return self._hooks.all() if self._hooks is not None else ()

    def _request_hooked(self, prepared: PreparedRequest) -> httpx.Response:
        from openrouter._wire import _transport

        assert self._hooks is not None
        call = self._hooks.start(prepared, self.server_url)
        try:
            defaults = self._http_defaults if self._owns_http else None
            response = _transport.send(
                self._sync_client(), prepared, self.logger, call, defaults=defaults
            )
        except Exception as exc:
            call.error(exc)
            raise
        _capture.note(response)
        call.response(response)
        return response

    async def _request_hooked_async(self, prepared: PreparedRequest) -> httpx.Response:
        from openrouter._wire import _transport

        assert self._hooks is not None
        call = self._hooks.start(prepared, self.server_url)
        try:
            http = await self._async_client()
            defaults = self._http_defaults if self._owns_async_http else None
            response = await _transport.send_async(
                http, prepared, self.logger, self._async_slots, call, defaults=defaults
            )
        except Exception as exc:
            call.error(exc)
            raise
        _capture.note(response)
        call.response(response)
        return response

    # -- internals ---------------------------------------------------------------------------

    def _resolve_api_key(self) -> Secret:
        key = self._api_key
        if callable(key):
            answer = key()
            if isinstance(answer, str):
                answer = Secret(answer)  # redacted in this frame's locals
            key = clean_api_key(answer) if answer else None
        if not key:
            from openrouter.errors import MissingAPIKeyError

            raise MissingAPIKeyError(
                "No API key: pass OpenRouter(api_key=...) or set the OPENROUTER_API_KEY "
                "environment variable."
            )
        return key

    def _ssl_context(self) -> ssl.SSLContext:
        # Loading CA certificates is the slow part of building an httpx client; do it once
        # and share it between the sync and async clients.
        with self._lock:
            if self._ssl is None:
                import httpx

                self._ssl = httpx.create_ssl_context()
            return self._ssl

    def _new_http_kwargs(self, ssl_context: ssl.SSLContext) -> dict[str, Any]:
        import httpx

        from openrouter._wire._transport import timeout_for

        ms = self.timeout_ms if self.timeout_ms is not None else DEFAULT_TIMEOUT_MS
        return {
            "headers": self._http_defaults,
            "timeout": timeout_for(ms / 1000.0),
            "follow_redirects": False,
            "verify": ssl_context,
            "limits": httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=20),
        }

    def _sync_client(self) -> httpx.Client:
        http = self._http
        if http is None:
            ssl_context = self._ssl_context()
            with self._lock:
                if self._http is None:
                    import httpx

                    self._http = httpx.Client(**self._new_http_kwargs(ssl_context))
                http = self._http
        return http

    async def _async_client(self) -> httpx.AsyncClient:
        http = self._async_http
        if http is None:
            ssl_context = self._ssl
            if ssl_context is None:
                import anyio

                # Off the event loop: it reads certificate files.
                ssl_context = await anyio.to_thread.run_sync(self._ssl_context)
            # No await between the check and the assignment: concurrent tasks of one event
            # loop build exactly one client.
            http = self._async_http
            if http is None:
                import anyio
                import httpx

                http = self._async_http = httpx.AsyncClient(**self._new_http_kwargs(ssl_context))
                self._async_slots = anyio.Semaphore(MAX_CONNECTIONS)
        return http

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
            self._async_slots = None
        self.close()

    def __reduce__(self) -> Any:
        # Pickling would carry the key (and sockets); refuse clearly instead.
        raise TypeError(f"{type(self).__name__} clients cannot be pickled")


def add_global_hook(hook: Hook) -> None:
    """Register ``hook`` for every client, existing and future (after each one's own)."""
    from openrouter._wire._hooks import GLOBAL_HOOKS, HookSet

    if hook not in GLOBAL_HOOKS:
        GLOBAL_HOOKS.append(hook)
    if BaseClient._hooks is None:
        BaseClient._hooks = HookSet()


def remove_global_hook(hook: Hook) -> None:
    """Unregister a global hook; with none left, clients without hooks take the plain path."""
    from openrouter._wire._hooks import GLOBAL_HOOKS

    if hook in GLOBAL_HOOKS:
        GLOBAL_HOOKS.remove(hook)
    if not GLOBAL_HOOKS:
        BaseClient._hooks = None
