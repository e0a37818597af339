"""Sending one prepared request with retries; the sync and async drivers share every decision.

``_Attempts`` holds the policy (what to retry, how long to wait, which exception to raise).
The two drivers below only perform I/O: send, read an error body, sleep.
"""

from __future__ import annotations

import logging
import time

import httpx

from openrouter._request import PreparedRequest, redact_headers
from openrouter._retry import RetryController, request_was_sent
from openrouter.errors import APIConnectionError, APITimeoutError, error_from_response

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


def error_from_transport(exc: httpx.TransportError) -> APIConnectionError:
    sent = request_was_sent(exc)
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        kind = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for the server to answer",
            httpx.WriteTimeout: "sending the request",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(exc), "waiting")
        return APITimeoutError(f"Timed out {kind}: {detail}", request_sent=sent)
    where = "after the request was sent" if sent else "before the request was sent"
    return APIConnectionError(
        f"Connection failed {where} ({type(exc).__name__}): {detail}", request_sent=sent
    )


class _Attempts:
    """The decisions for one logical request across its attempts."""

    __slots__ = ("_controller", "_logger", "_prepared")

    def __init__(self, prepared: PreparedRequest, logger: logging.Logger) -> None:
        self._prepared = prepared
        self._controller = RetryController(prepared.retry)
        self._logger = logger

    def build(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        p = self._prepared
        request = http.build_request(
            "POST",
            p.url,
            headers=p.headers,
            content=p.content,
            timeout=timeout_for(p.timeout_s)
            if p.timeout_s is not None
            else httpx.USE_CLIENT_DEFAULT,
        )
        if self._logger.isEnabledFor(logging.DEBUG):
            self._logger.debug(
                "POST %s attempt=%d headers=%s body=%d bytes",
                p.url,
                self._controller.attempts,
                redact_headers(request.headers),
                len(p.content),
            )
        return request

    def after_error(self, exc: httpx.TransportError) -> float:
        """Seconds to wait before retrying, or raises the SDK error for ``exc``."""
        delay = self._controller.delay_after_error(exc)
        if delay is None:
            raise error_from_transport(exc) from exc
        self._logger.debug("retrying in %.2fs after %s", delay, type(exc).__name__)
        return delay

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
        return delay


def send(http: httpx.Client, prepared: PreparedRequest, logger: logging.Logger) -> httpx.Response:
    attempts = _Attempts(prepared, logger)
    while True:
        try:
            response = http.send(attempts.build(http), stream=True)
            if response.status_code >= 300:
                response.read()  # small error body; reading also releases the connection
        except httpx.TransportError as exc:
            time.sleep(attempts.after_error(exc))
            continue
        delay = attempts.after_response(response)
        if delay is None:
            return response
        time.sleep(delay)


async def send_async(
    http: httpx.AsyncClient, prepared: PreparedRequest, logger: logging.Logger
) -> httpx.Response:
    import anyio  # httpx's own dependency; sleeping through it works under asyncio and trio

    attempts = _Attempts(prepared, logger)
    while True:
        try:
            response = await http.send(attempts.build(http), stream=True)
            if response.status_code >= 300:
                await response.aread()
        except httpx.TransportError as exc:
            await anyio.sleep(attempts.after_error(exc))
            continue
        delay = attempts.after_response(response)
        if delay is None:
            return response
        await anyio.sleep(delay)
