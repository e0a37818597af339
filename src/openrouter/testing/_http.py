"""Socket-level HTTP/1.1 for the emulator: a threaded server and ``Exchange``, one request.

Requests are parsed by the stdlib's ``http.server``; responses are written as raw bytes (status
line, headers and body in one ``sendall`` where possible, so no Nagle / delayed-ACK stalls and
few syscalls), with ``Content-Length`` or ``Transfer-Encoding: chunked``. Nothing here knows
which service is being emulated: the application answers through ``Exchange``.
"""

from __future__ import annotations

import contextlib
import os
import select
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["DROP", "MAX_BODY", "Drop", "Exchange", "HttpServer", "Pause", "Piece"]

# Bodies larger than this are refused (413) without being read.
MAX_BODY = 32 * 1024 * 1024
_CHUNK = 64 * 1024
_POLL = 0.05  # how often a pause checks for a departed client or a stopping server
_REASONS = {524: "A Timeout Occurred", 529: "Site Overloaded"}


@dataclass(frozen=True)
class Pause:
    """In a stream: stop writing for ``seconds`` (everything before it is flushed first)."""

    seconds: float


@dataclass(frozen=True)
class Drop:
    """In a stream: cut the connection here, leaving the chunked body unterminated."""


DROP = Drop()
Piece = str | Pause | Drop


class Exchange:
    """One request (method, path, headers, body) and the means to answer it.

    ``status`` is set, and ``on_status`` called, before the first byte of the response head is
    written: whoever sees the response can already see its status recorded.
    """

    def __init__(self, handler: _Handler, arrived: float) -> None:
        self._handler = handler
        self.arrived = arrived
        self.method: str = getattr(handler, "command", None) or ""
        self.path: str = getattr(handler, "path", None) or ""
        self.headers: Message = getattr(handler, "headers", None) or Message()
        self.body = b""
        self.oversized = False  # the body was over the limit and left unread
        self.status: int | None = None
        self.on_status: Callable[[int], object] | None = None
        # Headers every answer to this one request carries (after the server-wide ones).
        self.extra_headers: dict[str, str] = {}

    @property
    def route(self) -> str:
        """The path without query string or trailing slash."""
        return self.path.split("?", 1)[0].rstrip("/")

    def close_after(self) -> None:
        """Close the connection once this response is written."""
        self._handler.close_connection = True

    # -- answering ---------------------------------------------------------------------------

    def send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """A whole response with ``Content-Length`` (no body bytes for ``HEAD`` requests)."""
        lines = self._head(status, content_type, headers or {})
        lines.append(f"Content-Length: {len(body)}\r\n\r\n")
        data = "".join(lines).encode("latin-1")
        try:
            self._handler.wfile.write(data if self.method == "HEAD" else data + body)
        except OSError:
            self.close_after()

    def stream(
        self,
        pieces: Iterable[Piece],
        headers: Mapping[str, str] | None = None,
        content_type: str = "text/event-stream",
    ) -> None:
        """A ``200`` with a chunked body: text pieces, with pauses and a drop where marked.

        ``pieces`` is consumed as it is written (a generator's pieces need not exist all at
        once); text is framed in chunks of 64 KB and written about 64 KB at a time, a small
        stream in a single write.
        """
        lines = self._head(200, content_type, headers or {})
        lines.append("Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n")
        body = _ChunkedBody(self._handler.wfile.write, "".join(lines).encode("latin-1"))
        try:
            for piece in pieces:
                if isinstance(piece, str):
                    body.add(piece)
                    continue
                body.flush()
                if isinstance(piece, Drop):
                    # FIN without the terminating chunk: the body is visibly incomplete.
                    self.close_after()
                    with contextlib.suppress(OSError):
                        self._handler.connection.shutdown(socket.SHUT_RDWR)
                    return
                if not self.pause(piece.seconds):
                    self.close_after()
                    return
            body.end()
        except OSError:
            self.close_after()  # the client went away mid-stream

    def pause(self, seconds: float) -> bool:
        """Wait; ``False`` as soon as the client disconnects or the server stops."""
        stopping = self._handler.server.owner.stopping
        deadline = time.monotonic() + seconds
        conn = self._handler.connection
        while True:
            if stopping.is_set():
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
                stopping.wait(min(remaining, _POLL))

    def reset(self) -> None:
        """Reset the connection (RST) without answering."""
        self.close_after()
        conn = self._handler.connection
        with contextlib.suppress(OSError):
            # Linger 0: close() sends RST instead of FIN, as a crashed proxy would.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # detach() + os.close(): socket.close() would wait for rfile's reference to go.
            os.close(conn.detach())

    def _head(self, status: int, content_type: str, headers: Mapping[str, str]) -> list[str]:
        self.status = status
        if self.on_status is not None:
            self.on_status(status)
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = _REASONS.get(status, "Unknown")
        now = time.time()
        lines = [
            f"HTTP/1.1 {status} {reason}\r\n",
            f"Date: {formatdate(now, usegmt=True)}\r\n",
            f"Content-Type: {content_type}\r\n",
        ]
        common = self._handler.server.owner.extra_headers
        for name, value in (*common().items(), *self.extra_headers.items(), *headers.items()):
            lines.append(f"{name}: {value}\r\n")
        if self._handler.close_connection:
            lines.append("Connection: close\r\n")
        return lines

    # -- reading -----------------------------------------------------------------------------

    def _read_body(self, limit: int) -> None:
        handler = self._handler
        length = self.headers.get("Content-Length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                self.close_after()
                return
            if size > limit:
                self.oversized = True
                self.close_after()  # the unread body would be taken for the next request
            elif size > 0:
                self.body = handler.rfile.read(size)
            return
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            return
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = handler.rfile.readline(1024)
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            total += size
            if total > limit:
                self.oversized = True
                self.close_after()
                return
            parts.append(handler.rfile.read(size))
            handler.rfile.readline(1024)
        self.body = b"".join(parts)


class _ChunkedBody:
    """Text written as an HTTP/1.1 chunked body: full ``_CHUNK``-byte chunks as soon as they
    fill, the rest at a flush (before a pause or a drop) or at the end.

    At most about two chunks of the body are held at a time, whatever the size of the stream
    or of one piece; a piece of several megabytes is encoded a slice at a time.
    """

    def __init__(self, write: Callable[[bytes], object], head: bytes) -> None:
        self._write = write
        self._frames: list[bytes] = [head]  # framed chunks (and the head) not yet written
        self._framed = len(head)
        self._text: list[str] = []  # pieces not yet encoded
        self._chars = 0
        self._data = bytearray()  # encoded text not yet framed (less than a chunk, mostly)

    def add(self, text: str) -> None:
        if len(text) < _CHUNK:
            self._text.append(text)
            self._chars += len(text)
            if self._chars >= _CHUNK:  # at least as many bytes: a chunk is full
                self._encode()
                self._frame_full()
            return
        self._encode()
        # Code-point slices encode independently: their bytes join to the whole encoding.
        for start in range(0, len(text), _CHUNK):
            self._data += text[start : start + _CHUNK].encode()
            self._frame_full()

    def flush(self) -> None:
        """Write everything so far, the last chunk short if need be."""
        self._frame_rest()
        self._send()

    def end(self) -> None:
        """Write the rest and the terminating chunk."""
        self._frame_rest()
        self._frames.append(b"0\r\n\r\n")
        self._send()

    def _frame_rest(self) -> None:
        self._encode()
        self._frame_full()
        if self._data:
            self._frame(bytes(self._data))
            self._data.clear()

    def _encode(self) -> None:
        if self._text:
            self._data += "".join(self._text).encode()
            self._text.clear()
            self._chars = 0

    def _frame_full(self) -> None:
        data = self._data
        full = len(data) - len(data) % _CHUNK
        for start in range(0, full, _CHUNK):
            self._frame(data[start : start + _CHUNK])
            if self._framed >= _CHUNK:
                self._send()
        del data[:full]

    def _frame(self, piece: bytes | bytearray) -> None:
        frame = b"%x\r\n" % len(piece) + piece + b"\r\n"
        self._frames.append(frame)
        self._framed += len(frame)

    def _send(self) -> None:
        if self._frames:
            self._write(b"".join(self._frames))
            self._frames.clear()
            self._framed = 0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], owner: HttpServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openrouter-emulator"
    sys_version = ""
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.owner._untrack(self)

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the client, or stop(), closed the connection
            super().handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the application reports requests its own way

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The stdlib's request parsing failed (bad request line, huge headers, ...): the
        # application answers in its own error format rather than the stdlib's HTML page.
        self.close_connection = True
        self.server.owner.reject(Exchange(self, time.monotonic()), code, message)

    def do_POST(self) -> None:
        owner = self.server.owner
        exchange = Exchange(self, time.monotonic())
        try:
            exchange._read_body(owner.max_body)
        except (ValueError, OSError):  # a broken chunked body, or the client left
            exchange.close_after()
            exchange.body = b""
        owner.handle(exchange)

    do_GET = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_POST


class HttpServer:
    """Serves ``handle(exchange)`` for every request, in a background thread per connection.

    ``reject(exchange, status, message)`` answers requests the stdlib could not parse;
    ``extra_headers()`` gives headers every response carries.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        handle: Callable[[Exchange], None],
        reject: Callable[[Exchange, int, str | None], None],
        extra_headers: Callable[[], Mapping[str, str]] = dict,
        max_body: int = MAX_BODY,
    ) -> None:
        self.handle = handle
        self.reject = reject
        self.extra_headers = extra_headers
        self.max_body = max_body
        self.stopping = threading.Event()
        self._address = (host, port)
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None
        self._handlers: dict[_Handler, threading.Thread] = {}
        self._accepted = 0

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int | None:
        return None if self._server is None else int(self._server.server_address[1])

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._handlers)

    @property
    def accepted_connections(self) -> int:
        """TCP connections accepted since this server was created (shows connection reuse)."""
        with self._lock:
            return self._accepted

    def start(self) -> None:
        """Bind and serve in a background thread (no-op if running)."""
        if self._server is not None:
            return
        self.stopping.clear()
        server = _Server(self._address, self)
        self._wake = socket.socketpair()
        self._server = server
        self._thread = threading.Thread(
            target=self._serve, args=(server, self._wake[0]), name="openrouter-emulator"
        )
        self._thread.daemon = True
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close every open connection, stalled streams included."""
        server, thread, wake = self._server, self._thread, self._wake
        if server is None:
            return
        self.stopping.set()
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

    def _serve(self, server: _Server, wake: socket.socket) -> None:
        # Our own accept loop: a wake-up socket makes stop() immediate, where serve_forever()
        # would take up to its poll interval.
        server.timeout = 0
        with selectors.DefaultSelector() as selector:
            selector.register(server.socket, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while not self.stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is wake or self.stopping.is_set():
                        return
                    server.handle_request()

    def _track(self, handler: _Handler) -> None:
        with self._lock:
            self._handlers[handler] = threading.current_thread()
            self._accepted += 1

    def _untrack(self, handler: _Handler) -> None:
        with self._lock:
            self._handlers.pop(handler, None)
