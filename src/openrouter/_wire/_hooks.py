"""Client hooks: what they are told, and the dispatch the wire layer calls only when one is set.

A client with no hook (and no global one) never loads this module: ``BaseClient`` checks one
attribute, ``_hooks``, and takes the plain path when it is ``None``. Hooks see redacted headers
only; the key never reaches them.

Hooks run synchronously, on the thread (or event loop) making the call, for sync and async
calls alike: keep them quick. An exception raised by a hook is logged and otherwise ignored, so
observing a call can never break it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from openrouter._wire._request import merge_headers, redact_headers

if TYPE_CHECKING:
    import httpx

    from openrouter._wire._request import PreparedRequest

__all__ = [
    "STREAM_END_KEY",
    "ErrorInfo",
    "Hook",
    "HookSet",
    "RequestInfo",
    "ResponseInfo",
    "RetryInfo",
    "StreamEndInfo",
    "ToolCallInfo",
    "ToolRunInfo",
    "TurnInfo",
]

# Where a hooked streaming request leaves its stream-end callback for the stream core.
STREAM_END_KEY = "openrouter.on_stream_end"

_logger = logging.getLogger("openrouter")


class RequestInfo:
    """One logical request (across its retries). ``headers`` are a redacted copy; call
    ``add_header`` to send another header (``Authorization`` cannot be replaced). ``state`` is
    free for hooks to keep what they need until the request's later events."""

    __slots__ = (
        "_added",
        "_body",
        "content",
        "headers",
        "method",
        "path",
        "started",
        "state",
        "stream",
        "url",
    )

    def __init__(self, prepared: PreparedRequest, path: str) -> None:
        self.method = prepared.method
        self.url = prepared.url
        self.path = path
        self.headers = redact_headers(prepared.headers)
        self.content = prepared.content
        self.stream = prepared.stream
        self.started = time.perf_counter()
        self.state: dict[Any, Any] = {}
        self._added: dict[str, str] = {}
        self._body: Any = None

    @property
    def body(self) -> Any:
        """The JSON body, decoded (``None`` without one)."""
        if self._body is None and self.content is not None:
            import json

            self._body = json.loads(self.content)
        return self._body

    def add_header(self, name: str, value: str) -> None:
        self._added[name] = value
        self.headers[name] = value

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


class ResponseInfo:
    """A successful answer's status and headers (a stream's, once its headers arrived)."""

    __slots__ = ("elapsed", "generation_id", "headers", "http_response", "request", "status_code")

    def __init__(self, request: RequestInfo, response: httpx.Response) -> None:
        self.request = request
        self.http_response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.generation_id: str | None = response.headers.get("x-generation-id")
        self.elapsed = request.elapsed()


class RetryInfo:
    """A failed attempt about to be retried after ``delay`` seconds. ``attempt`` is the number
    of the attempt about to be made (2 for the first retry); ``cause`` is the transport
    exception, or ``None`` with the retryable ``status_code``."""

    __slots__ = ("attempt", "cause", "delay", "request", "status_code")

    def __init__(
        self,
        request: RequestInfo,
        attempt: int,
        delay: float,
        cause: BaseException | None,
        status_code: int | None,
    ) -> None:
        self.request = request
        self.attempt = attempt
        self.delay = delay
        self.cause = cause
        self.status_code = status_code


class ErrorInfo:
    """The SDK error a request ended with (after every retry)."""

    __slots__ = ("elapsed", "error", "request", "status_code")

    def __init__(self, request: RequestInfo, error: BaseException) -> None:
        self.request = request
        self.error = error
        self.status_code: int | None = getattr(error, "status_code", None)
        self.elapsed = request.elapsed()


class StreamEndInfo:
    """How a stream ended: its ``response`` (the final one, or the partial one when cut),
    the ``error`` it raised (``None`` when it completed, or was ``closed`` early), ``usage``
    and ``cost``."""

    __slots__ = (
        "closed",
        "elapsed",
        "error",
        "event_count",
        "generation_id",
        "request",
        "response",
    )

    def __init__(
        self,
        request: RequestInfo,
        response: Any,
        error: BaseException | None,
        closed: bool,
        event_count: int,
        generation_id: str | None,
    ) -> None:
        self.request = request
        self.response = response
        self.error = error
        self.closed = closed
        self.event_count = event_count
        self.generation_id = generation_id
        self.elapsed = request.elapsed()

    @property
    def usage(self) -> Any:
        return getattr(self.response, "usage", None)

    @property
    def cost(self) -> float | None:
        return getattr(self.usage, "cost", None)


class ToolRunInfo:
    """One ``run_tools`` run: its request ``params``; at the end its ``result`` or ``error``."""

    __slots__ = ("error", "params", "result", "state", "stream")

    def __init__(self, params: dict[str, Any], stream: bool) -> None:
        self.params = params
        self.stream = stream
        self.result: Any = None
        self.error: BaseException | None = None
        self.state: dict[Any, Any] = {}


class TurnInfo:
    """One turn of a run: its request, then the tool calls of its reply."""

    __slots__ = ("error", "number", "run", "state")

    def __init__(self, run: ToolRunInfo, number: int) -> None:
        self.run = run
        self.number = number
        self.error: BaseException | None = None
        self.state: dict[Any, Any] = {}


class ToolCallInfo:
    """One function call run by the loop; at the end its ``execution`` (or ``error``).
    ``turn`` is ``None`` for calls run before the first turn (a resumed run's approvals)."""

    __slots__ = ("call", "error", "execution", "run", "state", "turn")

    def __init__(self, run: ToolRunInfo, turn: TurnInfo | None, call: Any) -> None:
        self.run = run
        self.turn = turn
        self.call = call
        self.execution: Any = None
        self.error: BaseException | None = None
        self.state: dict[Any, Any] = {}


class Hook:
    """Subclass and override the events you need; every method does nothing by default.

    ``activate`` / ``deactivate`` bracket the code that runs on behalf of a turn (its request)
    or a tool call (the function): a tracer makes its span current there.
    """

    def before_request(self, request: RequestInfo) -> None: ...
    def after_response(self, response: ResponseInfo) -> None: ...
    def on_retry(self, retry: RetryInfo) -> None: ...
    def on_error(self, error: ErrorInfo) -> None: ...
    def on_stream_end(self, end: StreamEndInfo) -> None: ...
    def on_tool_run_start(self, run: ToolRunInfo) -> None: ...
    def on_tool_run_end(self, run: ToolRunInfo) -> None: ...
    def on_turn_start(self, turn: TurnInfo) -> None: ...
    def on_turn_end(self, turn: TurnInfo) -> None: ...
    def on_tool_call_start(self, call: ToolCallInfo) -> None: ...
    def on_tool_call_end(self, call: ToolCallInfo) -> None: ...

    def activate(self, info: TurnInfo | ToolCallInfo) -> object:
        return None

    def deactivate(self, info: TurnInfo | ToolCallInfo, token: object) -> None: ...


# Hooks registered for every client (the OpenTelemetry instrumentor uses this).
GLOBAL_HOOKS: list[Hook] = []


def _notify(hooks: Iterable[Hook], method: str, info: object) -> None:
    for hook in hooks:
        try:
            getattr(hook, method)(info)
        except Exception:
            _logger.warning("hook %r failed in %s", hook, method, exc_info=True)


class HookSet:
    """The hooks of one client (``own``) followed by the global ones."""

    __slots__ = ("own",)

    def __init__(self, own: Iterable[Hook] = ()) -> None:
        self.own = list(own)

    def all(self) -> tuple[Hook, ...]:
        return (*self.own, *GLOBAL_HOOKS)

    def notify(self, method: str, info: object) -> None:
        _notify(self.all(), method, info)

    def start(self, prepared: PreparedRequest, server_url: str) -> RequestCall:
        """Tell ``before_request``; headers hooks added go into ``prepared``."""
        base = server_url.rstrip("/")
        url = prepared.url.split("?", 1)[0]
        if url.startswith(base):
            path = url[len(base) :] or "/"
        else:  # a per-call server_url
            import urllib.parse

            path = urllib.parse.urlsplit(url).path or "/"
        call = RequestCall(self.all(), RequestInfo(prepared, path))
        _notify(call.hooks, "before_request", call.info)
        if call.info._added:
            merge_headers(prepared.headers, call.info._added)
        return call

    @contextmanager
    def active(self, info: TurnInfo | ToolCallInfo) -> Iterator[None]:
        """Every hook's ``activate`` / ``deactivate`` around the block."""
        tokens = []
        for hook in self.all():
            try:
                tokens.append((hook, hook.activate(info)))
            except Exception:
                _logger.warning("hook %r failed in activate", hook, exc_info=True)
        try:
            yield
        finally:
            for hook, token in reversed(tokens):
                try:
                    hook.deactivate(info, token)
                except Exception:
                    _logger.warning("hook %r failed in deactivate", hook, exc_info=True)


class RequestCall:
    """The events of one hooked request, after ``before_request``."""

    __slots__ = ("hooks", "info")

    def __init__(self, hooks: tuple[Hook, ...], info: RequestInfo) -> None:
        self.hooks = hooks
        self.info = info

    def retry(
        self, attempt: int, delay: float, cause: BaseException | None, status: int | None
    ) -> None:
        _notify(self.hooks, "on_retry", RetryInfo(self.info, attempt, delay, cause, status))

    def response(self, response: httpx.Response) -> None:
        if self.info.stream:
            response.extensions[STREAM_END_KEY] = self.stream_ended
        _notify(self.hooks, "after_response", ResponseInfo(self.info, response))

    def error(self, error: BaseException) -> None:
        _notify(self.hooks, "on_error", ErrorInfo(self.info, error))

    def stream_ended(self, core: Any, error: BaseException | None) -> None:
        """Called once by the stream core when its stream finished, failed or was closed."""
        closed = error is None or isinstance(error, GeneratorExit)
        if error is None and core.failure is not None:
            error, closed = core.failure, False  # raise_stream_errors=False: still a failure
        elif error is None and core.terminal_type is not None:
            closed = False
        if isinstance(error, GeneratorExit):
            error = None
        # The final response, or what arrived before the failure or the close.
        final = core.accumulator.partial_response() if core.event_count else None
        info = StreamEndInfo(
            self.info,
            final,
            error,
            closed,
            core.event_count,
            core.response.headers.get("x-generation-id"),
        )
        _notify(self.hooks, "on_stream_end", info)
