"""The emulator's route table: (method, path) -> handler.

A new endpoint is one ``Route`` in the emulator's table plus its handler. Paths are relative to
the API root and may hold ``{name}`` segments (``/models/{author}/{slug}/endpoints``), passed to
the handler in ``Call.params``. An unknown path is a 404, a known path with another method a 405,
both with the service's JSON error body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openrouter.testing._faults import error_body

if TYPE_CHECKING:
    from openrouter.testing._http import Exchange
    from openrouter.testing._records import RecordedRequest

__all__ = ["Call", "Handler", "Route", "RouteTable"]


@dataclass
class Call:
    """One routed request, as a handler sees it."""

    exchange: Exchange
    record: RecordedRequest
    params: Mapping[str, str] = field(default_factory=dict)
    generation_id: str = ""  # this answer's X-Generation-Id
    # Whether the request's bytes and parse must outlive the handler's use of them: its record
    # is kept, or a cassette may relay the body upstream.
    keep_request: bool = True

    def release_request(self) -> None:
        """The handler is done with what the request holds so far (the body once parsed, the
        JSON once the answer is rendered): unless it must be kept, it is let go of, so that a
        long answer (a stream of minutes, an echo of megabytes) keeps no big request alive."""
        if self.keep_request:
            return
        self.exchange.body = b""
        self.record.body = b""
        self.record.json = None

    def error(
        self,
        status: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        **metadata: Any,
    ) -> None:
        """Answer with the service's error body (``metadata`` only when given)."""
        body = error_body(status, message, metadata or None)
        self.exchange.send(status, body, "application/json", headers)


Handler = Callable[[Call], None]


@dataclass(frozen=True)
class Route:
    """``handler`` answers ``method`` on ``path``; ``auth=False`` routes need no key."""

    method: str
    path: str
    handler: Handler
    auth: bool = True

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """The path parameters when ``segments`` fit this route's path, else ``None``."""
        pattern = self.path.strip("/").split("/")
        if len(pattern) != len(segments):
            return None
        params: dict[str, str] = {}
        for want, got in zip(pattern, segments, strict=True):
            if want.startswith("{") and want.endswith("}"):
                if not got:
                    return None
                params[want[1:-1]] = got
            elif want != got:
                return None
        return params


@dataclass(frozen=True)
class Resolved:
    """What a request path resolves to: a route and its parameters, or why not."""

    route: Route | None
    params: dict[str, str]
    allowed: tuple[str, ...] = ()  # the methods the path does take, when the route is None


class RouteTable:
    """Routes under ``root`` (e.g. ``/api/v1``)."""

    def __init__(self, root: str, routes: Iterable[Route]) -> None:
        self.root = root.rstrip("/")
        self.routes = tuple(routes)

    def resolve(self, method: str, path: str) -> Resolved:
        """``path`` without query string; a trailing slash is ignored."""
        path = path.rstrip("/")
        if path != self.root and not path.startswith(self.root + "/"):
            return Resolved(None, {})
        segments = path[len(self.root) :].strip("/").split("/")
        allowed: list[str] = []
        for route in self.routes:
            params = route.match(segments)
            if params is None:
                continue
            if route.method == method:
                return Resolved(route, params)
            if route.method not in allowed:
                allowed.append(route.method)
        return Resolved(None, {}, tuple(allowed))
