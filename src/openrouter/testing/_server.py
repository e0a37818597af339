"""The emulator's HTTP server: ``Emulator``, ``RecordedRequest`` and ``serve``.

Requests are parsed by the stdlib's ``http.server``; responses are written as raw bytes (status
line, headers and body in one ``sendall`` where possible, so no Nagle / delayed-ACK stalls and
few syscalls), with ``Content-Length`` or ``Transfer-Encoding: chunked``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import select
import selectors
import signal
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from openrouter.testing._render import (
    Drop,
    Pause,
    Piece,
    RenderContext,
    StreamSettings,
    build_result,
    dumps_result,
    last_user_text,
    render_stream,
)
from openrouter.testing._replies import Fault, Reply, default_message, error_body
from openrouter.testing._schema import get_checker, jsonschema_available

if TYPE_CHECKING:
    from typing_extensions import Self

    from openrouter.testing._schema import RequestChecker

__all__ = ["DEFAULT_API_KEY", "DEFAULT_MODEL", "Emulator", "RecordedRequest", "serve"]

DEFAULT_API_KEY = "sk-or-emulator"
DEFAULT_MODEL = "openrouter/echo"
API_ROOT = "/api/v1"
RESPONSES_PATH = API_ROOT + "/responses"

_CHUNK = 64 * 1024
_POLL = 0.05  # how often a pause checks for a departed client or a stopping emulator
_REASONS = {524: "A Timeout Occurred", 529: "Site Overloaded"}
_SENSITIVE = frozenset({"authorization", "proxy-authorization"})


@dataclass
class RecordedRequest:
    """One request as the emulator received it.

    ``headers`` has lower-cased names; credentials in ``authorization`` are redacted.
    ``time`` is ``time.monotonic()`` at arrival. ``status`` is the HTTP status answered
    (``None`` until answered, and for connection resets).
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None
    time: float = 0.0
    validation_errors: list[str] = field(default_factory=list)
    status: int | None = None

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


def _redact(value: str) -> str:
    scheme, _, token = value.strip().partition(" ")
    if not token:
        return "...REDACTED"
    # The public "sk-or-" prefix says which kind of key was sent without revealing it.
    prefix = "sk-or-" if token.startswith("sk-or-") else ""
    return f"{scheme} {prefix}...REDACTED"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openrouter-emulator"
    sys_version = ""
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.emulator._track(self)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.emulator._untrack(self)

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the client, or stop(), closed the connection
            super().handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the emulator reports through its own ``log`` callback

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The stdlib's request parsing failed (bad request line, huge headers, ...): answer in
        # OpenRouter's JSON error shape rather than the stdlib's HTML page.
        self.close_connection = True
        emulator = self.server.emulator
        body = error_body(code, message or default_message(code))
        head_only = getattr(self, "command", None) == "HEAD"
        emulator._send(self, code, body, "application/json", {}, head_only=head_only)

    def do_POST(self) -> None:
        self.server.emulator._dispatch(self)

    do_GET = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_POST


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
        self._requested_port = port
        self._checker: RequestChecker | None = None
        if validate is True or (validate is None and jsonschema_available()):
            self._checker = get_checker()  # ImportError naming the extra if validate=True
        self._default_model = default_model
        self._settings = StreamSettings(delta_size, keepalive, keepalive_every)
        self._log = log

        self._lock = threading.Lock()
        self._queue: deque[Reply | Fault] = deque()
        self._records: list[RecordedRequest] = []
        self._failing: set[str] = set()
        self._default_reply: Reply | None = None
        self._responses = 0
        self._generations = 0

        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None
        self._stopping = threading.Event()
        self._handlers: dict[_Handler, threading.Thread] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind and serve in a background thread (no-op if running). Returns ``self``."""
        if self._server is not None:
            return self
        if self._checker is not None:
            self._checker.is_valid({"model": "warm-up", "input": "hi"})  # build its caches now
        self._stopping.clear()
        server = _Server((self._host, self._requested_port), self)
        self._wake = socket.socketpair()
        self._server = server
        self._thread = threading.Thread(
            target=self._serve, args=(server, self._wake[0]), name="openrouter-emulator"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection, stalled streams included."""
        server, thread, wake = self._server, self._thread, self._wake
        if server is None:
            return
        self._stopping.set()
        if wake is not None:
            with contextlib.suppress(OSError):
                wake[1].send(b"x")
        if thread is not None:
            thread.join(5)
        server.server_close()
        with self._lock:
            handlers = list(self._handlers.items())
        for handler, _ in handlers:
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 2
        for _, handler_thread in handlers:
            handler_thread.join(max(0.0, deadline - time.monotonic()))
        if wake is not None:
            for sock in wake:
                sock.close()
        self._server = self._thread = self._wake = None

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
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

    def _serve(self, server: _Server, wake: socket.socket) -> None:
        # Our own accept loop: a wake-up socket makes stop() immediate, where serve_forever()
        # would take up to its poll interval.
        server.timeout = 0
        with selectors.DefaultSelector() as selector:
            selector.register(server.socket, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is wake or self._stopping.is_set():
                        return
                    server.handle_request()

    def _track(self, handler: _Handler) -> None:
        with self._lock:
            self._handlers[handler] = threading.current_thread()

    def _untrack(self, handler: _Handler) -> None:
        with self._lock:
            self._handlers.pop(handler, None)

    # -- public state ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() or use `with`")
        return int(self._server.server_address[1])

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
    def pending(self) -> int:
        """How many queued replies and faults are still waiting for a request."""
        with self._lock:
            return len(self._queue)

    @property
    def default_reply(self) -> Reply | None:
        """The answer used when nothing is queued (``None``: the echo model)."""
        return self._default_reply

    @default_reply.setter
    def default_reply(self, reply: Reply | None) -> None:
        self._default_reply = reply

    # -- scripting ---------------------------------------------------------------------------

    def enqueue(self, *items: Reply | Fault | str, times: int = 1) -> None:
        """Queue answers for the next requests, first in first out; one per request.

        A string is short for ``Reply.text(string)``. With ``times=N`` each item is queued N
        times in a row: ``enqueue(Fault.status(429), times=2)`` fails the next two requests.
        Requests rejected before reaching the queue (401, 404, invalid bodies) consume nothing.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        converted = [Reply.text(i) if isinstance(i, str) else i for i in items]
        for item in converted:
            if not isinstance(item, (Reply, Fault)):
                raise TypeError(f"expected Reply, Fault or str, got {type(item).__name__}")
        with self._lock:
            for item in converted:
                self._queue.extend([item] * times)

    def fail_models(self, models: Iterable[str] | str) -> None:
        """Mark models unavailable: ``models=[...]`` requests fall back past them."""
        names = [models] if isinstance(models, str) else list(models)
        with self._lock:
            self._failing.update(names)

    def restore_models(self, models: Iterable[str] | str | None = None) -> None:
        """Make models available again (all of them when ``models`` is ``None``)."""
        with self._lock:
            if models is None:
                self._failing.clear()
            else:
                self._failing.difference_update([models] if isinstance(models, str) else models)

    def reset(self) -> None:
        """Forget queued answers, recorded requests, failed models and the default reply."""
        with self._lock:
            self._queue.clear()
            self._records.clear()
            self._failing.clear()
            self._default_reply = None
            self._responses = 0

    # -- request handling --------------------------------------------------------------------

    def _dispatch(self, handler: _Handler) -> None:
        arrived = time.monotonic()
        method = handler.command
        headers: dict[str, str] = {}
        for name, value in handler.headers.items():
            key = name.lower()
            if key in _SENSITIVE:
                value = _redact(value)
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        try:
            body = self._read_body(handler)
        except (ValueError, OSError):  # a broken chunked body, or the client left
            handler.close_connection = True
            body = b""
        record = RecordedRequest(method, handler.path, headers, body, None, arrived)
        with self._lock:
            self._records.append(record)
        status = self._respond(handler, record)
        record.status = status
        if self._log is not None:
            self._log(f"{method} {handler.path} -> {status if status is not None else 'reset'}")

    def _read_body(self, handler: _Handler) -> bytes:
        length = handler.headers.get("Content-Length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                handler.close_connection = True
                return b""
            return handler.rfile.read(size) if size > 0 else b""
        if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size_line = handler.rfile.readline(1024)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while handler.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                parts.append(handler.rfile.read(size))
                handler.rfile.readline(1024)
            return b"".join(parts)
        return b""

    def _error(self, handler: _Handler, status: int, message: str, **metadata: Any) -> int:
        body = error_body(status, message, metadata or None)
        return self._send(handler, status, body, "application/json", {})

    def _respond(self, handler: _Handler, record: RecordedRequest) -> int | None:
        route = record.path.split("?", 1)[0].rstrip("/")
        if record.method != "POST" or route != RESPONSES_PATH:
            if record.method == "HEAD":
                return self._send(handler, 404, b"", "application/json", {}, head_only=True)
            return self._error(handler, 404, f"Not Found: {record.method} {route or '/'}")

        auth = handler.headers.get("Authorization", "")
        scheme, _, token = auth.strip().partition(" ")
        token = token.strip()
        if not auth:
            return self._error(handler, 401, "Missing Authentication header")
        if scheme.lower() != "bearer" or not token:
            return self._error(handler, 401, "Invalid Authentication header: expected 'Bearer'")
        if self._api_key is not None and token != self._api_key:
            return self._error(handler, 401, "User not found.")

        try:
            payload = json.loads(record.body)
        except ValueError as exc:
            return self._error(handler, 400, f"Request body is not valid JSON: {exc}")
        record.json = payload
        if not isinstance(payload, dict):
            return self._error(handler, 400, "Request body must be a JSON object")
        if self._checker is not None:
            problems = self._checker.check(payload, record.body)
            if problems:
                record.validation_errors = problems
                return self._error(handler, 400, problems[0], errors=problems[:10])
        if payload.get("previous_response_id") is not None:
            return self._error(
                handler,
                400,
                "previous_response_id is not supported: the Responses API is stateless and "
                "stores no responses. Send the whole conversation in `input` instead.",
            )

        with self._lock:
            item: Reply | Fault | None = self._queue.popleft() if self._queue else None
        return self._answer(handler, payload, item)

    def _answer(
        self, handler: _Handler, payload: dict[str, Any], item: Reply | Fault | None
    ) -> int | None:
        while isinstance(item, Fault):
            if item.kind == "reset":
                self._reset_connection(handler)
                return None
            if item.kind == "stall":
                if not self._pause(handler, item.seconds):
                    handler.close_connection = True
                    return None
                item = item.then
                continue
            return self._send(handler, item.http_status, item.body, item.content_type, item.headers)

        reply = item or self._default_reply
        if reply is None:
            reply = Reply.text(f"Echo: {last_user_text(payload)}")

        requested = self._requested_models(payload)
        with self._lock:
            unavailable = self._failing | set(reply.unavailable_models)
            self._responses += 1
            number = self._responses
        model = next((m for m in requested if m not in unavailable), None)
        if model is None:
            return self._error(
                handler,
                503,
                "No endpoints available: every requested model is unavailable "
                f"({', '.join(requested)})",
                models=requested,
            )

        context = RenderContext(payload, reply.model or model, number, int(time.time()))
        rendered = build_result(reply, context)
        headers = dict(reply.headers or {})
        if payload.get("stream") is True:
            return self._stream(handler, render_stream(rendered, reply, self._settings), headers)
        return self._send(handler, 200, dumps_result(rendered.result), "application/json", headers)

    def _requested_models(self, payload: Mapping[str, Any]) -> list[str]:
        names: list[str] = []
        model = payload.get("model")
        if isinstance(model, str) and model:
            names.append(model)
        models = payload.get("models")
        if isinstance(models, list):
            names.extend(m for m in models if isinstance(m, str) and m and m not in names)
        return names or [self._default_model]

    # -- writing -----------------------------------------------------------------------------

    def _head(
        self, handler: _Handler, status: int, content_type: str, headers: Mapping[str, str]
    ) -> list[str]:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = _REASONS.get(status, "Unknown")
        with self._lock:
            self._generations += 1
            generation = self._generations
        now = time.time()
        token = hashlib.blake2s(f"{generation}:{now}".encode(), digest_size=10).hexdigest()
        lines = [
            f"HTTP/1.1 {status} {reason}\r\n",
            f"Date: {formatdate(now, usegmt=True)}\r\n",
            f"Content-Type: {content_type}\r\n",
            f"X-Generation-Id: gen-{int(now)}-{token}\r\n",
        ]
        lines.extend(f"{name}: {value}\r\n" for name, value in headers.items())
        if handler.close_connection:
            lines.append("Connection: close\r\n")
        return lines

    def _send(
        self,
        handler: _Handler,
        status: int,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str],
        *,
        head_only: bool = False,
    ) -> int:
        lines = self._head(handler, status, content_type, headers)
        lines.append(f"Content-Length: {len(body)}\r\n\r\n")
        data = "".join(lines).encode("latin-1")
        try:
            handler.wfile.write(data if head_only else data + body)
        except OSError:
            handler.close_connection = True
        return status

    def _stream(self, handler: _Handler, pieces: list[Piece], headers: Mapping[str, str]) -> int:
        lines = self._head(handler, 200, "text/event-stream", headers)
        lines.append("Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n")
        pending: list[bytes] = ["".join(lines).encode("latin-1")]
        text: list[str] = []
        write = handler.wfile.write

        def frames() -> None:
            data = "".join(text).encode()
            text.clear()
            for start in range(0, len(data), _CHUNK):
                piece = data[start : start + _CHUNK]
                pending.append(b"%x\r\n%b\r\n" % (len(piece), piece))

        def flush() -> None:
            frames()
            if pending:
                write(b"".join(pending))
                pending.clear()

        try:
            for piece in pieces:
                if isinstance(piece, str):
                    text.append(piece)
                    continue
                flush()
                if isinstance(piece, Drop):
                    # FIN without the terminating chunk: the body is visibly incomplete.
                    handler.close_connection = True
                    with contextlib.suppress(OSError):
                        handler.connection.shutdown(socket.SHUT_RDWR)
                    return 200
                if isinstance(piece, Pause) and not self._pause(handler, piece.seconds):
                    handler.close_connection = True
                    return 200
            frames()
            pending.append(b"0\r\n\r\n")
            # Large streams go out in ~64 KB writes; a small one in a single write.
            batch: list[bytes] = []
            size = 0
            for frame in pending:
                batch.append(frame)
                size += len(frame)
                if size >= _CHUNK:
                    write(b"".join(batch))
                    batch.clear()
                    size = 0
            if batch:
                write(b"".join(batch))
        except OSError:
            handler.close_connection = True  # the client went away mid-stream
        return 200

    def _pause(self, handler: _Handler, seconds: float) -> bool:
        """Wait; ``False`` as soon as the client disconnects or the emulator stops."""
        deadline = time.monotonic() + seconds
        conn = handler.connection
        while True:
            if self._stopping.is_set():
                return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            try:
                readable, _, _ = select.select([conn], [], [], min(remaining, _POLL))
                if readable and not conn.recv(1, socket.MSG_PEEK):
                    return False  # orderly close by the client
            except (OSError, ValueError):
                return False
            if readable:
                # Bytes from the client (a pipelined request): not a goodbye; wait without
                # spinning on the readable socket.
                self._stopping.wait(min(remaining, _POLL))

    def _reset_connection(self, handler: _Handler) -> None:
        handler.close_connection = True
        conn = handler.connection
        with contextlib.suppress(OSError):
            # Linger 0: close() sends RST instead of FIN, as a crashed proxy would.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # detach() + os.close(): socket.close() would wait for rfile's reference to go.
            os.close(conn.detach())


def serve(
    port: int,
    host: str = "127.0.0.1",
    api_key: str | None = DEFAULT_API_KEY,
    *,
    validate: bool | None = None,
    quiet: bool = False,
) -> None:
    """Run an emulator in the foreground until Ctrl-C (or SIGTERM); then return normally.

    Prints the base URL and key to use; logs one line per request to stderr unless ``quiet``.
    """

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    emulator = Emulator(
        api_key=api_key, host=host, port=port, validate=validate, log=None if quiet else log
    )
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def stop_serving(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        # Both, explicitly: a shell that starts us in the background ignores SIGINT, and
        # `kill -INT` should still stop the emulator.
        for which in (signal.SIGINT, signal.SIGTERM):
            previous[which] = signal.signal(which, stop_serving)
    try:
        with emulator:
            key = (
                f"API key: {emulator.api_key}"
                if api_key is not None
                else "API key: any non-empty Bearer key"
            )
            print(f"OpenRouter emulator listening on {emulator.url}", flush=True)
            print(f"{key}  (endpoint: POST {emulator.url}/responses; Ctrl-C to stop)", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    finally:
        for which, handler in previous.items():
            signal.signal(which, handler)
