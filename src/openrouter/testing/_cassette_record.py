"""Recording: forward a request to the real service (the upstream), relay its answer to the
client as it arrives, and hand the exchange, scrubbed, to the cassette.

The upstream is called with httpx directly: the emulator never imports the SDK's client, so a
recording shows what the service said, not what the client made of it.
"""

from __future__ import annotations

import copy
import os
import threading
import time
from collections.abc import Callable, Generator, Iterable
from typing import TYPE_CHECKING, Any

import httpx

from openrouter import _json
from openrouter.testing._cassette_file import (
    SCRUBBED,
    Episode,
    scrub_fields,
    split_events,
    string_leaves,
)
from openrouter.testing._faults import error_body
from openrouter.testing._http import DROP, Pause, Piece
from openrouter.testing._sources import Answer

if TYPE_CHECKING:
    from openrouter.testing._http import Exchange
    from openrouter.testing._records import RecordedRequest

__all__ = ["DEFAULT_UPSTREAM", "Recorder", "kept_response_headers", "request_body"]

DEFAULT_UPSTREAM = "https://openrouter.ai/api/v1"

# A zero pause flushes what is buffered: each upstream chunk reaches the client at once.
_FLUSH = Pause(0.0)
# Never recorded nor forwarded as they are: per-connection, or credentials.
_TRANSPORT = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "accept-encoding",
        "via",
    }
)
_CREDENTIALS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
# Request headers that change with every SDK release: forwarded, not recorded (diff noise).
_UNRECORDED = frozenset({"user-agent"})
# Response headers worth keeping: what a client reads. The rest (dates, ids, CDN headers) would
# only make every re-recording differ.
_KEPT = frozenset({"content-type", "retry-after"})
_KEPT_PREFIXES = ("x-ratelimit-", "x-openrouter-", "openrouter-")
_MIN_SECRET = 8  # shorter "keys" are not searched for: replacing them would mangle the text


def kept_response_headers(
    headers: Iterable[tuple[str, str]], scrub: frozenset[str]
) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key in _KEPT or key.startswith(_KEPT_PREFIXES):
            kept[key] = SCRUBBED if key in scrub else value
    return kept


def request_body(request: RecordedRequest, scrub: Iterable[str]) -> Any:
    """The request's body as a JSON value (text when it is not JSON), scrubbed."""
    body: Any = request.json
    if body is None and request.body:
        try:
            body = _json.loads(request.body)
        except ValueError:
            return request.body.decode("utf-8", "replace")
    body = copy.deepcopy(body)
    scrub_fields(body, scrub)
    return body


class Recorder:
    """Forwards requests to ``upstream`` with ``api_key`` and reports each finished exchange.

    ``save(episode, secrets)`` receives the exchange once the client has its answer;
    ``fail(message)`` is told about requests that could not be recorded.
    """

    def __init__(
        self,
        *,
        upstream: str,
        api_key: str | None,
        api_root: str,
        scrub_headers: frozenset[str],
        scrub_fields: tuple[str, ...],
        save: Callable[[Episode, set[str]], None],
        fail: Callable[[str], None],
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self._api_key = api_key
        self._api_root = api_root.rstrip("/")
        self._scrub_headers = scrub_headers | _CREDENTIALS
        self._scrub_fields = scrub_fields
        self._save = save
        self._fail = fail
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        # Sent upstream as ``Via``: seeing it come back means the upstream is this emulator.
        self._via = f"1.1 openrouter-emulator-{id(self):x}"

    def answer(self, request: RecordedRequest) -> Answer:
        return _Forward(self, request)

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                # Reads wait as long as a slow model may pause; connecting should be quick.
                self._client = httpx.Client(timeout=httpx.Timeout(600.0, connect=15.0))
            return self._client

    def _key(self) -> str | None:
        return self._api_key or os.environ.get("OPENROUTER_API_KEY") or None

    def episode_for(self, request: RecordedRequest) -> Episode:
        """The request half of the exchange, scrubbed."""
        headers = {
            name: SCRUBBED if name in self._scrub_headers else value
            for name, value in request.headers.items()
            if name not in _TRANSPORT and name not in _UNRECORDED
        }
        body = request_body(request, self._scrub_fields)
        return Episode(request.method, request.path, body, headers)

    def forward(self, exchange: Exchange, request: RecordedRequest) -> None:
        key = self._key()
        if self._via in exchange.headers.get("Via", ""):
            # The inner end of the loop answers; the outer one reports it (and records nothing).
            message = f"cannot record: the upstream {self.upstream} is this emulator itself"
            exchange.send(508, error_body(508, message), headers={"Via": self._via})
            return
        if not key:
            message = (
                "cannot record: no API key for the upstream. Set OPENROUTER_API_KEY (or pass "
                "upstream_api_key) to record, or replay with record mode 'none'."
            )
            self._fail(message)
            exchange.send(500, error_body(500, message))
            return
        secrets = {key, *self._bearer(exchange), *self._field_values(request)}
        episode = self.episode_for(request)
        path = exchange.path
        if path.startswith(self._api_root):
            path = path[len(self._api_root) :]
        headers = {
            name: value
            for name, value in exchange.headers.items()
            if name.lower() not in _TRANSPORT and name.lower() not in _CREDENTIALS
        }
        headers["Authorization"] = f"Bearer {key}"
        headers["Via"] = ", ".join(filter(None, [exchange.headers.get("Via"), self._via]))
        client = self._http()
        outgoing = client.build_request(
            exchange.method, self.upstream + path, headers=headers, content=exchange.body
        )
        try:
            response = client.send(outgoing, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
            message = f"cannot record: the upstream {self.upstream} is unreachable: {exc}"
            self._fail(message)
            exchange.send(502, error_body(502, message))
            return
        except httpx.TransportError:  # sent, then no answer: what a reset looks like
            exchange.reset()
            self._save(episode, secrets)
            return
        if self._via in response.headers.get("Via", ""):
            response.close()
            message = f"cannot record: the upstream {self.upstream} is this emulator itself"
            self._fail(message)
            exchange.send(508, error_body(508, message))
            return
        try:
            self._relay(exchange, response, episode)
        finally:
            response.close()
        self._save(episode, secrets)

    def _field_values(self, request: RecordedRequest) -> list[str]:
        # The service echoes request fields (``user``, ``metadata``) in its answer: a scrubbed
        # value is replaced there too. Short values are not (they would match too much).
        body = request_body(request, ())
        return [v for v in string_leaves(body, self._scrub_fields) if len(v) >= _MIN_SECRET]

    def _bearer(self, exchange: Exchange) -> list[str]:
        # The key the client sent us, in case it is a real one: never written either.
        token = exchange.headers.get("Authorization", "").strip().partition(" ")[2].strip()
        return [token] if len(token) >= _MIN_SECRET else []

    def _relay(self, exchange: Exchange, response: httpx.Response, episode: Episode) -> None:
        """Answer the client from ``response``, recording it into ``episode``."""
        episode.status = response.status_code
        episode.response_headers = kept_response_headers(
            response.headers.multi_items(), self._scrub_headers
        )
        content_type = response.headers.get("content-type", "application/json")
        extra = {k: v for k, v in episode.response_headers.items() if k != "content-type"}
        if response.status_code == 200 and content_type.startswith("text/event-stream"):
            episode.events = []
            pieces = _stream(response, episode)
            try:
                exchange.stream(pieces, extra, content_type)
            finally:
                pieces.close()
            return
        try:
            raw = response.read()
        except httpx.TransportError:  # the body was cut short: the client sees a reset too
            episode.status = None
            exchange.reset()
            return
        try:
            episode.json = _json.loads(raw)
        except ValueError:
            episode.text = raw.decode("utf-8", "replace")
        exchange.send(response.status_code, raw, content_type, extra)


def _stream(response: httpx.Response, episode: Episode) -> Generator[Piece, None, None]:
    """The upstream's SSE body, event by event as it arrives, recorded into ``episode``."""
    events = episode.events if episode.events is not None else []
    started = time.monotonic()
    buffer = b""
    cut = False
    try:
        for chunk in response.iter_bytes():
            complete, buffer = split_events(buffer + chunk)
            at = time.monotonic() - started
            for event in complete:
                text = event.decode("utf-8", "replace")
                events.append((text, at))
                yield text
            if complete:
                yield _FLUSH
    except httpx.TransportError:  # the upstream cut the stream: so will the replay
        cut = True
    except GeneratorExit:  # the client left: the recording ends where its stream did
        episode.end = "cut"
        raise
    if buffer:
        text = buffer.decode("utf-8", "replace")
        events.append((text, time.monotonic() - started))
        yield text
    if cut:
        episode.end = "cut"
        yield DROP


class _Forward(Answer):
    def __init__(self, recorder: Recorder, request: RecordedRequest) -> None:
        self._recorder = recorder
        self._request = request

    def send(self, exchange: Exchange) -> None:
        self._recorder.forward(exchange, self._request)
