"""Shared pieces of the fault-matrix tests (``test_faults_*.py``).

- ``RawServer``: a tiny loopback HTTP/1.1 server for faults the emulator cannot produce. Every
  answer is a script writing whatever bytes it likes (deep JSON, half an event then a drop,
  10 MB bodies, arbitrary headers, a stall after the head). One request per connection, each
  served by its own thread; stalls wait on the server's stop event, so closing the server never
  leaves a thread sleeping.
- ``Mode`` and ``run``: one ``send`` in each of the four ways a user makes it (sync or async,
  JSON or stream), a stream read to its end, so each fault is written once for all four.
- ``sse_frames``: real stream events, taken from the emulator, to replay in part.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from openrouter import OpenRouter
from openrouter.testing import Emulator, Reply
from openrouter.utils import BackoffStrategy, RetryConfig

__all__ = [
    "FAST_RETRY",
    "KEY",
    "MODES",
    "NO_RETRY",
    "Conn",
    "Mode",
    "RawRequest",
    "RawServer",
    "closed_port",
    "errors_of",
    "open_fds",
    "raw_server",
    "run",
    "sse_frames",
]

# A key that is easy to spot anywhere it should not be.
KEY = "sk-or-v1-" + "5ecret" * 8
NO_RETRY = RetryConfig("none")
FAST_RETRY = RetryConfig("backoff", BackoffStrategy(10, 20, 2.0, 5_000))


@dataclass
class RawRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    time: float
    index: int  # 0 for the first request the server received, 1 for the next ...


@dataclass
class Conn:
    """One accepted connection, as a script sees it."""

    sock: socket.socket
    request: RawRequest
    stop: threading.Event
    closed_by_client: threading.Event = field(default_factory=threading.Event)

    def send(self, data: bytes | str) -> None:
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def head(
        self,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        *,
        content_type: str = "application/json",
        length: int | None = None,
    ) -> None:
        """The status line and headers. ``length=None``: no Content-Length, so the body ends
        when the connection closes."""
        lines = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}", "Connection: close"]
        if length is not None:
            lines.append(f"Content-Length: {length}")
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.send("\r\n".join(lines) + "\r\n\r\n")

    def reply(
        self,
        status: int,
        body: bytes | str,
        *,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.head(status, headers, content_type=content_type, length=len(data))
        self.send(data)

    def stall(self, seconds: float = 5.0) -> None:
        """Send nothing until ``seconds`` pass, the client hangs up, or the server stops."""
        deadline = time.monotonic() + seconds
        self.sock.settimeout(0.01)
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                if self.sock.recv(1) == b"":
                    self.closed_by_client.set()
                    return
            except TimeoutError:
                continue
            except OSError:
                self.closed_by_client.set()
                return


Script = Callable[[Conn], None]


class RawServer:
    def __init__(self, script: Script) -> None:
        self._script = script
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self._listener.settimeout(0.01)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/api/v1"
        self.stop = threading.Event()
        self.requests: list[RawRequest] = []
        self.connections: list[Conn] = []
        self.accepted = 0
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self._acceptor.start()

    def _accept_loop(self) -> None:
        while not self.stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.accepted += 1
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        with sock:
            sock.settimeout(30)
            try:
                request = self._read_request(sock)
            except OSError:
                return
            if request is None:
                return
            conn = Conn(sock, request, self.stop)
            with self._lock:
                self.connections.append(conn)
            with contextlib.suppress(OSError):  # the client may hang up first: its right
                self._script(conn)

    def _read_request(self, sock: socket.socket) -> RawRequest | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        with self._lock:
            request = RawRequest(method, path, headers, body, time.monotonic(), len(self.requests))
            self.requests.append(request)
        return request

    def close(self) -> None:
        self.stop.set()
        self._acceptor.join(2)
        self._listener.close()
        for thread in self._threads:
            thread.join(2)


@contextmanager
def raw_server(script: Script) -> Iterator[RawServer]:
    server = RawServer(script)
    try:
        yield server
    finally:
        server.close()


@dataclass(frozen=True)
class Mode:
    is_async: bool
    stream: bool

    @property
    def id(self) -> str:
        return f"{'async' if self.is_async else 'sync'}-{'stream' if self.stream else 'json'}"


MODES = [Mode(a, s) for a in (False, True) for s in (False, True)]
MODE_IDS = [m.id for m in MODES]


def run(
    mode: Mode,
    url: str,
    *,
    api_key: str = KEY,
    client: Mapping[str, Any] | None = None,
    **params: Any,
) -> Any:
    """One ``send`` in ``mode`` on a fresh client: the result, or the list of events of a
    stream read to its end. Raises whatever the SDK raised."""
    params.setdefault("model", "openai/gpt-4o")
    params.setdefault("input", "hello")
    options: dict[str, Any] = {"retry_config": NO_RETRY, **(client or {})}
    if not mode.is_async:
        with OpenRouter(api_key=api_key, server_url=url, **options) as sdk:
            result = sdk.responses.send(stream=mode.stream, **params)
            if not mode.stream:
                return result
            with result as stream:
                return list(stream)

    async def main() -> Any:
        async with OpenRouter(api_key=api_key, server_url=url, **options) as sdk:
            result = await sdk.responses.send_async(stream=mode.stream, **params)
            if not mode.stream:
                return result
            async with result as stream:
                return [event async for event in stream]

    return asyncio.run(main())


def errors_of(
    mode: Mode, url: str, count: int, *, api_key: str = KEY, **params: Any
) -> list[BaseException | None]:
    """What ``count`` sends in ``mode`` on ONE client raised (None where one succeeded)."""
    params.setdefault("model", "openai/gpt-4o")
    params.setdefault("input", "hello")
    found: list[BaseException | None] = []
    if not mode.is_async:
        with OpenRouter(api_key=api_key, server_url=url, retry_config=NO_RETRY) as sdk:
            for _ in range(count):
                try:
                    result = sdk.responses.send(stream=mode.stream, **params)
                    if mode.stream:
                        with result as stream:
                            list(stream)
                    found.append(None)
                except Exception as exc:
                    found.append(exc)
        return found

    async def main() -> None:
        async with OpenRouter(api_key=api_key, server_url=url, retry_config=NO_RETRY) as sdk:
            for _ in range(count):
                try:
                    result = await sdk.responses.send_async(stream=mode.stream, **params)
                    if mode.stream:
                        async with result as stream:
                            [event async for event in stream]
                    found.append(None)
                except Exception as exc:
                    found.append(exc)

    asyncio.run(main())
    return found


@functools.cache
def sse_frames(text: str = "Hello there, brave new world") -> tuple[bytes, ...]:
    """The frames (each ending in a blank line) of a real stream answering with ``text``."""
    with Emulator() as emu:
        emu.enqueue(Reply.text(text))
        response = httpx.post(
            emu.url + "/responses",
            json={"model": "openai/gpt-4o", "input": "hi", "stream": True},
            headers={"Authorization": f"Bearer {emu.api_key}"},
        )
    return tuple(frame + b"\n\n" for frame in response.content.split(b"\n\n") if frame)


def closed_port() -> int:
    """A loopback port nothing listens on (connecting to it is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))
