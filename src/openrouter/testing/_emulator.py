"""``Emulator``: the HTTP server, the route table, authentication and the request records."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from openrouter.testing._catalog import Catalog
from openrouter.testing._faults import Fault, default_message, error_body
from openrouter.testing._http import Exchange, HttpServer
from openrouter.testing._ledger import Ledger
from openrouter.testing._records import RecordedRequest, record_of
from openrouter.testing._render_stream import StreamSettings
from openrouter.testing._responses_route import ResponsesRoute
from openrouter.testing._routes import Call, Route, RouteTable
from openrouter.testing._schema import get_checker, jsonschema_available
from openrouter.testing._sources import (
    ModelOutages,
    QueuedFirst,
    ReplySource,
    RouteFaults,
    ScriptedReplies,
)

if TYPE_CHECKING:
    import os

    from typing_extensions import Self

    from openrouter.testing._cassette import Cassette, RecordMode
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
    against OpenRouter's schema (``None``, the default: whenever ``jsonschema`` is installed,
    as ``pip install 'openrouter[testing]'`` does; ``True``: require it, raising an
    ``ImportError`` that says what to install; ``False``: never). With nothing queued,
    requests are answered by ``default_reply`` if set, else by the echo model
    (``"Echo: <last user text>"``). ``delta_size``, ``keepalive`` and
    ``keepalive_every`` are the stream defaults for replies that do not set them.
    ``log`` receives one line per request (e.g. ``print``). ``record_requests=False`` keeps
    no record of requests (``requests`` stays empty) and lets each request body go as soon as
    its answer is rendered: for an emulator whose requests nobody inspects, serving bodies of
    megabytes or running for long.

    Beyond ``POST /responses`` it serves a small model catalogue (``GET /models``,
    ``/models/count``, ``/models/{author}/{slug}/endpoints``), a generation record for every
    response it produced (``GET /generation``), and credits and key usage that grow with each
    response's cost (``GET /credits``, ``GET /key``). With ``credit_limit`` (USD) set, once
    that much has been spent ``POST /responses`` answers 402, as the service does.
    ``cassette`` (a path or a ``Cassette``) answers from recorded OpenRouter traffic instead
    of the echo model, and in a ``record_mode`` other than ``"none"`` records what it lacks
    from the real service; queued replies still come first.
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
        credit_limit: float | None = None,
        cassette: Cassette | str | os.PathLike[str] | None = None,
        record_mode: RecordMode | None = None,
        record_requests: bool = True,
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
        self._record_requests = record_requests
        self._generations = 0
        self._scripted = ScriptedReplies()
        self._outages = ModelOutages()
        self._route_faults = RouteFaults()
        self._ledger = Ledger(credit_limit, _key_label(self.api_key))
        self._catalog = Catalog()
        self._cassette = _cassette_of(cassette, record_mode)
        source: ReplySource = self._scripted
        if self._cassette is not None:
            source = QueuedFirst(self._scripted, self._cassette)
        self._responses = ResponsesRoute(
            source=source,
            outages=self._outages,
            checker=self._checker,
            settings=StreamSettings(delta_size, keepalive, keepalive_every),
            default_model=default_model,
            ledger=self._ledger,
        )
        # One line per endpoint; paths are relative to API_ROOT. The catalogue is public on
        # the service too: no key needed.
        catalog, ledger = self._catalog, self._ledger
        self._routes = RouteTable(
            API_ROOT,
            [
                Route("POST", "/responses", self._responses),
                Route("GET", "/models", catalog.list_models, auth=False),
                Route("GET", "/models/count", catalog.count_models, auth=False),
                Route("GET", "/models/{author}/{slug}/endpoints", catalog.list_endpoints, False),
                Route("GET", "/generation", ledger.get_generation),
                Route("GET", "/credits", ledger.get_credits),
                Route("GET", "/key", ledger.get_key),
            ],
        )
        self._http = HttpServer(host, port, handle=self._handle, reject=self._reject)

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
        if self._cassette is not None:
            self._cassette.close()

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
        """Every request received so far, oldest first (a snapshot); always empty with
        ``record_requests=False``."""
        with self._lock:
            return list(self._records)

    @property
    def cassette(self) -> Cassette | None:
        """The cassette answering requests (its ``misses`` say what it could not answer)."""
        return self._cassette

    @property
    def accepted_connections(self) -> int:
        """How many TCP connections clients have opened to this emulator so far: a client
        that reuses its connection opens one for many requests."""
        return self._http.accepted_connections

    @property
    def pending(self) -> int:
        """How many queued replies and faults (``enqueue_for`` ones too) are still waiting."""
        return self._scripted.pending + self._route_faults.pending

    @property
    def credit_limit(self) -> float | None:
        """USD the key may spend before ``POST /responses`` answers 402 (``None``: no limit)."""
        return self._ledger.credit_limit

    @credit_limit.setter
    def credit_limit(self, limit: float | None) -> None:
        self._ledger.credit_limit = limit

    @property
    def usage(self) -> float:
        """USD spent so far: the sum of every response's cost."""
        return self._ledger.usage

    def generation(self, generation_id: str) -> dict[str, Any] | None:
        """The record ``GET /generation?id=...`` answers with, if that response was produced."""
        return self._ledger.generation(generation_id)

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

    def enqueue_for(self, route: str, *faults: Fault, times: int = 1) -> None:
        """Queue faults for the next requests of one route: ``"GET /models"``,
        ``"GET /generation"``, ``"GET /models/{author}/{slug}/endpoints"``, ... (``"POST
        /responses"`` too, ahead of ``enqueue``'s queue). A stall's ``then`` may only be
        another fault; after a stall with ``then=None`` the route answers normally.
        """
        method, _, path = route.strip().partition(" ")
        path = "/" + path.strip().strip("/")
        key = f"{method.upper()} {path}"
        known = [f"{r.method} {r.path}" for r in self._routes.routes]
        if key not in known:
            raise ValueError(f"unknown route {route!r}; routes: {', '.join(known)}")
        self._route_faults.enqueue(key, faults, times)

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
        self._route_faults.clear()
        self._responses.reset()
        self._ledger.reset()
        with self._lock:
            self._records.clear()

    # -- request handling --------------------------------------------------------------------

    def _handle(self, exchange: Exchange) -> None:
        record = record_of(exchange)  # its status is set as the answer starts
        if self._record_requests:
            with self._lock:
                self._records.append(record)
        call = Call(exchange, record, generation_id=self._generation_id(exchange))
        # A cassette may relay the body upstream: only a plain emulator may drop it early.
        call.keep_request = self._record_requests or self._cassette is not None
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
                route = resolved.route
                fault = self._route_faults.take(f"{route.method} {route.path}")
                if fault is None or not _answer_fault(call, fault):
                    route.handler(call)
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
        self._generation_id(exchange)
        exchange.send(status, error_body(status, message or default_message(status)))

    def _generation_id(self, exchange: Exchange) -> str:
        """A new id, sent as ``X-Generation-Id`` with every answer to ``exchange``."""
        with self._lock:
            self._generations += 1
            generation = self._generations
        now = time.time()
        token = hashlib.blake2s(f"{generation}:{now}".encode(), digest_size=10).hexdigest()
        generation_id = f"gen-{int(now)}-{token}"
        exchange.extra_headers["X-Generation-Id"] = generation_id
        return generation_id


def _key_label(key: str) -> str:
    # As the service shows a key: its start and end only.
    return f"{key[:9]}...{key[-3:]}" if len(key) > 16 else f"{key[:6]}...{key[-3:]}"


def _answer_fault(call: Call, fault: Fault) -> bool:
    """Answer with ``fault``; ``False`` when a stall ends with nothing to send, so the route
    answers normally."""
    exchange = call.exchange
    item: Fault | None = fault
    while isinstance(item, Fault):
        if item.kind == "reset":
            exchange.reset()
            return True
        if item.kind == "stall":
            if not exchange.pause(item.seconds):
                exchange.close_after()
                return True
            item = item.then if isinstance(item.then, Fault) else None
            continue
        exchange.send(item.http_status, item.body, item.content_type, item.headers)
        return True
    return False


def _cassette_of(
    cassette: Cassette | str | os.PathLike[str] | None, record_mode: RecordMode | None
) -> Cassette | None:
    if cassette is None and record_mode is None:
        return None
    # Imported only when used: recording loads httpx, which a plain emulator does not need.
    from openrouter.testing._cassette import open_cassette

    return open_cassette(cassette, record_mode, API_ROOT)
