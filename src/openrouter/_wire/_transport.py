"""Sending one prepared request with retries; the sync and async drivers share every decision.

``_Attempts`` holds the policy (what to retry, how long to wait, which exception to raise).
The two drivers below only perform I/O: send, read an error body, sleep.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx

from openrouter._wire._errors import error_from_response, error_from_transport
from openrouter._wire._request import PreparedRequest, redact_headers
from openrouter._wire._retry import RETRY_LISTENER, RetryController

if TYPE_CHECKING:
    import anyio

    from openrouter._wire._hooks import RequestCall

CONNECT_TIMEOUT_S = 10.0

_timeouts: dict[float, httpx.Timeout] = {}


def timeout_for(seconds: float) -> httpx.Timeout:
    """Reads may wait ``seconds``; connecting never waits longer than 10 s."""
    timeout = _timeouts.get(seconds)
    if timeout is None:
        timeout = httpx.Timeout(seconds, connect=min(CONNECT_TIMEOUT_S, seconds))
        if len(_timeouts) < 64:
            _timeouts[seconds] = timeout
    return timeout


class _Attempts:
    """The decisions for one logical request across its attempts."""

    __slots__ = ("_controller", "_defaults", "_hooks", "_logger", "_prepared")

    def __init__(
        self,
        prepared: PreparedRequest,
        logger: logging.Logger,
        hooks: RequestCall | None,
        defaults: Mapping[str, str] | None = None,
    ) -> None:
        self._prepared = prepared
        self._controller = RetryController(prepared.retry)
        self._logger = logger
        self._hooks = hooks
        self._defaults = defaults

    def build(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        p = self._prepared
        headers = p.headers
        defaults = self._defaults
        if defaults:  # the client sends these itself: only what differs goes with the request
            headers = {
                name: value for name, value in headers.items() if defaults.get(name) != value
            }
        request = http.build_request(
            p.method,
            p.url,
            headers=headers,
            content=p.content,
            timeout=timeout_for(p.timeout_s)
            if p.timeout_s is not None
            else httpx.USE_CLIENT_DEFAULT,
        )
        if self._logger.isEnabledFor(logging.DEBUG):
            self._logger.debug(
                "%s %s attempt=%d headers=%s body=%d bytes",
                p.method,
                p.url,
                self._controller.attempts,
                redact_headers(request.headers),
                len(p.content or b""),
            )
        return request

    def after_error(self, exc: httpx.RequestError) -> float:
        """Seconds to wait before retrying, or raises the SDK error for ``exc``."""
        delay = self._controller.delay_after_error(exc)
        if delay is None:
            raise self.transport_error(exc) from exc
        self._logger.debug("retrying in %.2fs after %s", delay, type(exc).__name__)
        self._retrying(delay, exc, None, None)
        return delay

    def transport_error(self, exc: httpx.RequestError) -> Exception:
        return error_from_transport(exc, self._prepared.headers.values())

    def after_response(self, response: httpx.Response) -> float | None:
        """None when ``response`` is the answer; else seconds to wait, or raises its error.

        Error bodies must have been read before this is called.
        """
        status = response.status_code
        if self._logger.isEnabledFor(logging.DEBUG):
            self._logger.debug(
                "response %d generation=%s", status, response.headers.get("x-generation-id")
            )
        if status < 300:
            return None
        delay = self._controller.delay_after_status(status, response.headers)
        if delay is None:
            raise error_from_response(response)
        self._logger.debug("retrying in %.2fs after HTTP %d", delay, status)
        self._retrying(delay, None, status, self._controller.retry_after)
        return delay

    def _retrying(
        self,
        delay: float,
        exc: httpx.RequestError | None,
        status: int | None,
        retry_after: float | None,
    ) -> None:
        """Tell whoever listens that a retry is coming: the request's hooks, and the task's
        retry listener (bulk runs adapt their concurrency to it)."""
        if self._hooks is not None:
            self._hooks.retry(self._controller.attempts, delay, exc, status)
        listener = RETRY_LISTENER.get()
        if listener is not None:
            listener(status, retry_after)


def send(
    http: httpx.Client,
    prepared: PreparedRequest,
    logger: logging.Logger,
    hooks: RequestCall | None = None,
    defaults: Mapping[str, str] | None = None,
) -> httpx.Response:
    """The answer to ``prepared``: read and closed, or open when ``prepared.stream``.
    ``hooks`` (a hooked request's) hears of each retry; ``defaults`` are headers ``http``
    sends by itself."""
    attempts = _Attempts(prepared, logger, hooks, defaults)
    while True:
        try:
            response = http.send(attempts.build(http), stream=True)
            if response.status_code >= 300:
                response.read()  # small error body; reading also releases the connection
        except (httpx.TransportError, httpx.DecodingError) as exc:
            time.sleep(attempts.after_error(exc))
            continue
        delay = attempts.after_response(response)
        if delay is None:
            break
        time.sleep(delay)
    if not prepared.stream:
        try:
            response.read()
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise attempts.transport_error(exc) from exc
        finally:
            response.close()
    return response


async def send_async(
    http: httpx.AsyncClient,
    prepared: PreparedRequest,
    logger: logging.Logger,
    slots: anyio.Semaphore | None = None,
    hooks: RequestCall | None = None,
    defaults: Mapping[str, str] | None = None,
) -> httpx.Response:
    """The async form of ``send``. ``slots``, when given, is held while an attempt waits for
    its answer (never while sleeping between attempts)."""
    import anyio  # httpx's own dependency; sleeping through it works under asyncio and trio

    attempts = _Attempts(prepared, logger, hooks, defaults)
    while True:
        try:
            async with slots if slots is not None else contextlib.nullcontext():
                response = await http.send(attempts.build(http), stream=True)
                if response.status_code >= 300:
                    await response.aread()
        except (httpx.TransportError, httpx.DecodingError) as exc:
            await anyio.sleep(attempts.after_error(exc))
            continue
        delay = attempts.after_response(response)
        if delay is None:
            break
        await anyio.sleep(delay)
    if not prepared.stream:
        try:
            await response.aread()
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise attempts.transport_error(exc) from exc
        finally:
            await response.aclose()
    return response
