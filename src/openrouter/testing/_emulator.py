"""``Emulator``: the HTTP server, the route table, authentication and the request records."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING

from openrouter.testing._faults import Fault, default_message, error_body
from openrouter.testing._http import Exchange, HttpServer
from openrouter.testing._records import RecordedRequest, record_of
from openrouter.testing._render_stream import StreamSettings
from openrouter.testing._responses_route import ResponsesRoute
from openrouter.testing._routes import Call, Route, RouteTable
from openrouter.testing._schema import get_checker, jsonschema_available
from openrouter.testing._sources import ModelOutages, ScriptedReplies

if TYPE_CHECKING:
    from typing_extensions import Self

    from openrouter.testing._replies import Reply
    from openrouter.testing._schema import RequestChecker

__all__ = ["API_ROOT", "DEFAULT_API_KEY", "DEFAULT_MODEL", "Emulator"]

DEFAULT_API_KEY = "sk-or-emulator"
DEFAULT_MODEL = "openrouter/echo"
API_ROOT = "/api/v1"


class Emulator:
    """An offline stand-in for OpenRouter's Responses endpoint, on a loopback port.

    >>> with Emulator() as emu:
    ...     emu.enqueue(Reply.text("Hello!"))
    ...     client = OpenRouter(api_key=emu.api_key, server_url=emu.url)

    ``api_key=None`` accepts any non-empty Bearer key. ``validate``: check request bodies
    against OpenRouter's schema (``None``: when ``jsonschema`` is installed; ``True``: require
    it). With nothing queued, requests are answered by ``default_reply`` if set, else by the
    echo model (``"Echo: <last user text>"``). ``delta_size``, ``keepalive`` and
    ``keepalive_every`` are the stream defaults for replies that do not set them.
    ``log`` receives one line per request (e.g. ``print``).
    """

    def __init__(
        self,
        *,
        api_key: str | None = DEFAULT_API_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        validate: bool | None = None,
        default_model: str = DEFAULT_MODEL,
        delta_size: int = 6,
        keepalive: int = 0,
        keepalive_every: int = 0,
        log: Callable[[str], object] | None = None,
    ) -> None:
        if api_key is not None and not api_key:
            raise ValueError("api_key must be a non-empty string, or None to accept any key")
        self._api_key = api_key
        self._host = host
        self._checker: RequestChecker | None = None
        if validate is True or (validate is None and jsonschema_available()):
            self._checker = get_checker()  # ImportError naming the extra if validate=True
        self._log = log

        self._lock = threading.Lock()
        self._records: list[RecordedRequest] = []
        self._generations = 0
        self._scripted = ScriptedReplies()
        self._outages = ModelOutages()
        self._responses = ResponsesRoute(
            source=self._scripted,
            outages=self._outages,
            checker=self._checker,
            settings=StreamSettings(delta_size, keepalive, keepalive_every),
            default_model=default_model,
        )
        # One line per endpoint; paths are relative to API_ROOT.
        self._routes = RouteTable(API_ROOT, [Route("POST", "/responses", self._responses)])
        self._http = HttpServer(
            host,
            port,
            handle=self._handle,
            reject=self._reject,
            extra_headers=self._generation_header,
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind and serve in a background thread (no-op if running). Returns ``self``."""
        if self._checker is not None and not self._http.running:
            self._checker.is_valid({"model": "warm-up", "input": "hi"})  # build its caches now
        self._http.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection, stalled streams included."""
        self._http.stop()

    def __repr__(self) -> str:
        where = self.url if self._http.running else "stopped"
        return f"<Emulator {where} pending={self.pending} requests={len(self._records)}>"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- public state ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        port = self._http.port
        if port is None:
            raise RuntimeError("the emulator is not running; call start() or use `with`")
        return port

    @property
    def url(self) -> str:
        """The base URL for a client (``server_url``); the endpoint is ``url + "/responses"``."""
        host = self._host if ":" not in self._host else f"[{self._host}]"
        return f"http://{host}:{self.port}{API_ROOT}"

    @property
    def api_key(self) -> str:
        """The key clients should send (any key works when constructed with ``api_key=None``)."""
        return self._api_key if self._api_key is not None else DEFAULT_API_KEY

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a snapshot)."""
        with self._lock:
            return list(self._records)

    @property
    def accepted_connections(self) -> int:
        """How many TCP connections clients have opened to this emulator so far: a client
        that reuses its connection opens one for many requests."""
        return self._http.accepted_connections

    @property
    def pending(self) -> int:
        """How many queued replies and faults are still waiting for a request."""
        return self._scripted.pending

    @property
    def default_reply(self) -> Reply | None:
        """The answer used when nothing is queued (``None``: the echo model)."""
        return self._scripted.default_reply

    @default_reply.setter
    def default_reply(self, reply: Reply | None) -> None:
        self._scripted.default_reply = reply

    # -- scripting ---------------------------------------------------------------------------

    def enqueue(self, *items: Reply | Fault | str, times: int = 1) -> None:
        """Queue answers for the next requests, first in first out; one per request.

        A string is short for ``Reply.text(string)``. With ``times=N`` each item is queued N
        times in a row: ``enqueue(Fault.status(429), times=2)`` fails the next two requests.
        Requests rejected before reaching the queue (401, 404, invalid bodies) consume nothing.
        """
        self._scripted.enqueue(items, times)

    def fail_models(self, models: Iterable[str] | str) -> None:
        """Mark models unavailable: ``models=[...]`` requests fall back past them.

        When every requested model is unavailable the answer is a 503 with ``Retry-After``.
        """
        self._outages.fail(models)

    def restore_models(self, models: Iterable[str] | str | None = None) -> None:
        """Make models available again (all of them when ``models`` is ``None``)."""
        self._outages.restore(models)

    def reset(self) -> None:
        """Forget queued answers, recorded requests, failed models and the default reply."""
        self._scripted.clear()
        self._outages.restore()
        self._responses.reset()
        with self._lock:
            self._records.clear()

    # -- request handling --------------------------------------------------------------------

    def _handle(self, exchange: Exchange) -> None:
        record = record_of(exchange)  # its status is set as the answer starts
        with self._lock:
            self._records.append(record)
        call = Call(exchange, record)
        if exchange.oversized:
            call.error(413, default_message(413))
        else:
            resolved = self._routes.resolve(exchange.method, exchange.route)
            if resolved.route is None and resolved.allowed:
                allow = {"Allow": ", ".join(resolved.allowed)}
                message = f"Method Not Allowed: {exchange.method} {exchange.route}"
                call.error(405, message, headers=allow)
            elif resolved.route is None:
                call.error(404, f"Not Found: {exchange.method} {exchange.route or '/'}")
            elif not resolved.route.auth or self._authorized(call):
                call.params = resolved.params
                resolved.route.handler(call)
        if self._log is not None:
            status = record.status if record.status is not None else "reset"
            self._log(f"{exchange.method} {exchange.path} -> {status}")

    def _authorized(self, call: Call) -> bool:
        """Whether the request carries an accepted key; if not, answers the 401."""
        auth = call.exchange.headers.get("Authorization", "")
        scheme, _, token = auth.strip().partition(" ")
        token = token.strip()
        if not auth:
            call.error(401, "Missing Authentication header")
        elif scheme.lower() != "bearer" or not token:
            call.error(401, "Invalid Authentication header: expected 'Bearer'")
        elif self._api_key is not None and token != self._api_key:
            call.error(401, "User not found.")
        else:
            return True
        return False

    def _reject(self, exchange: Exchange, status: int, message: str | None) -> None:
        # A request the HTTP parser refused: answered, never recorded.
        exchange.send(status, error_body(status, message or default_message(status)))

    def _generation_header(self) -> dict[str, str]:
        with self._lock:
            self._generations += 1
            generation = self._generations
        now = time.time()
        token = hashlib.blake2s(f"{generation}:{now}".encode(), digest_size=10).hexdigest()
        return {"X-Generation-Id": f"gen-{int(now)}-{token}"}
