"""Fault matrix, lifetimes: abandoned and cancelled streams, and many concurrent tasks.

A stream the caller drops (``break`` without ``with``, or never iterated) must release its
connection by reference counting alone, with the cyclic GC off; a cancelled task must leave no
connection open; 500 tasks on a fresh client must share one ``httpx.AsyncClient``. Loops that
could hang on a regression run in a thread with a deadline, so a failure is a clear message.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from faultkit import KEY, NO_RETRY, Conn, RawServer, open_fds, raw_server, sse_frames
from openrouter import OpenRouter
from openrouter.testing import Emulator

DEADLINE_S = 60.0


@pytest.fixture
def sse_server() -> Iterator[RawServer]:
    """Answers a request whose input is "whole" with a whole stream, any other with its first
    event only (the abandoning loops read no further, and parse less)."""
    frames = sse_frames()

    def script(conn: Conn) -> None:
        conn.head(200, content_type="text/event-stream")
        conn.send(b"".join(frames) if b'"whole"' in conn.request.body else frames[0])

    with raw_server(script) as server:
        yield server


@pytest.fixture
def gc_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def within_deadline(work: Callable[[], Any]) -> Any:
    """``work()`` in a thread; fails the test instead of hanging if it never returns."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(DEADLINE_S)
    assert not thread.is_alive(), f"still running after {DEADLINE_S} s: a hang"
    if "error" in box:
        raise box["error"]
    return box.get("value")


def settle_fds(limit: int) -> int:
    """The number of open descriptors once it drops to ``limit`` (servers close their ends a
    moment after the client), or after two seconds of waiting."""
    deadline = time.monotonic() + 2
    while open_fds() > limit and time.monotonic() < deadline:
        time.sleep(0.01)
    return open_fds()


async def asettle_fds(limit: int) -> int:
    deadline = time.monotonic() + 2
    while open_fds() > limit and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return open_fds()


def client_for(server: RawServer, **options: Any) -> OpenRouter:
    return OpenRouter(api_key=KEY, server_url=server.url, retry_config=NO_RETRY, **options)


# -- abandonment ------------------------------------------------------------------------------


def test_2000_abandoned_sync_streams_complete_and_leak_no_descriptor(
    sse_server: RawServer, gc_off: None
) -> None:
    with client_for(sse_server) as sdk:
        with sdk.responses.send(model="m", input="whole", stream=True) as stream:
            list(stream)
        before = open_fds()

        def abandon() -> None:
            for _ in range(2_000):
                for _event in sdk.responses.send(model="m", input="hi", stream=True):
                    break  # no `with`, no close(): the stream is simply dropped

        within_deadline(abandon)
        assert settle_fds(before + 5) <= before + 5
        # The pool is still usable.
        assert sdk.responses.send(model="m", input="whole", stream=True).get_final_response()
    assert len(sse_server.requests) == 2_002


def test_sync_streams_dropped_before_their_first_event_release_their_connection(
    sse_server: RawServer, gc_off: None
) -> None:
    # More than the pool's 100 connections: a leak would end in a PoolTimeout.
    with client_for(sse_server, timeout_ms=2_000) as sdk:
        before = open_fds()

        def drop() -> None:
            for _ in range(250):
                stream = sdk.responses.send(model="m", input="hi", stream=True)
                assert stream.response.status_code == 200
                del stream

        within_deadline(drop)
        assert settle_fds(before + 5) <= before + 5


def test_abandoned_async_streams_release_their_connections(
    sse_server: RawServer, gc_off: None
) -> None:
    async def main() -> None:
        async with client_for(sse_server, timeout_ms=2_000) as sdk:
            warm_up = await sdk.responses.send_async(model="m", input="whole", stream=True)
            await warm_up.get_final_response()  # the client is built, its imports done
            before = open_fds()
            for _ in range(300):  # more than the pool holds
                stream = await sdk.responses.send_async(model="m", input="hi", stream=True)
                async for _event in stream:
                    break  # no `async with`, no aclose()
                del stream
            # The event loop closes a dropped async generator in a task of its own.
            assert await asettle_fds(before + 5) <= before + 5

    within_deadline(lambda: asyncio.run(main()))


def test_async_streams_dropped_before_their_first_event_release_their_connection(
    sse_server: RawServer, gc_off: None
) -> None:
    async def main() -> None:
        async with client_for(sse_server, timeout_ms=300) as sdk:
            for _ in range(150):
                stream = await sdk.responses.send_async(model="m", input="hi", stream=True)
                del stream

    within_deadline(lambda: asyncio.run(main()))


# -- closing and cancellation -----------------------------------------------------------------


@pytest.fixture
def stalling_server() -> Iterator[RawServer]:
    """Sends three events, then nothing until the client hangs up."""
    frames = sse_frames()

    def script(conn: Conn) -> None:
        conn.head(200, content_type="text/event-stream")
        conn.send(b"".join(frames[:3]))
        conn.stall(10)

    with raw_server(script) as server:
        yield server


def hung_up(server: RawServer) -> bool:
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if server.connections and server.connections[-1].closed_by_client.is_set():
            return True
        time.sleep(0.01)
    return False


def test_closing_a_sync_stream_mid_way_drops_the_connection(stalling_server: RawServer) -> None:
    with client_for(stalling_server) as sdk:
        stream = sdk.responses.send(model="m", input="hi", stream=True)
        assert next(iter(stream)).type == "response.created"
        stream.close()
        assert hung_up(stalling_server)


def test_a_cancelled_task_mid_stream_leaves_no_connection_open(stalling_server: RawServer) -> None:
    async def main() -> None:
        async with client_for(stalling_server) as sdk:
            received = asyncio.Event()

            async def consume() -> None:
                stream = await sdk.responses.send_async(model="m", input="hi", stream=True)
                async with stream:
                    async for _event in stream:
                        received.set()

            task = asyncio.create_task(consume())
            await asyncio.wait_for(received.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await asyncio.to_thread(hung_up, stalling_server)

    within_deadline(lambda: asyncio.run(main()))


def test_a_cancelled_task_without_async_with_leaves_no_connection_open(
    stalling_server: RawServer,
) -> None:
    async def main() -> None:
        async with client_for(stalling_server) as sdk:
            received = asyncio.Event()

            async def consume() -> None:
                stream = await sdk.responses.send_async(model="m", input="hi", stream=True)
                async for _event in stream:  # no `async with`
                    received.set()

            task = asyncio.create_task(consume())
            await asyncio.wait_for(received.wait(), 5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await asyncio.to_thread(hung_up, stalling_server)

    within_deadline(lambda: asyncio.run(main()))


def test_a_task_cancelled_while_waiting_for_the_head_hangs_up() -> None:
    with raw_server(lambda conn: conn.stall(10)) as server:

        async def main() -> None:
            async with client_for(server) as sdk:
                task = asyncio.create_task(
                    sdk.responses.send_async(model="m", input="hi", stream=True)
                )
                while not server.connections:
                    await asyncio.sleep(0.01)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
                assert await asyncio.to_thread(hung_up, server)

        within_deadline(lambda: asyncio.run(main()))


# -- concurrency ------------------------------------------------------------------------------


def test_500_tasks_on_a_fresh_client_build_one_async_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[httpx.AsyncClient] = []
    original = httpx.AsyncClient.__init__

    def counting_init(self: httpx.AsyncClient, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(httpx.AsyncClient, "__init__", counting_init)

    with Emulator(api_key=KEY, validate=False) as emu:  # the client is under test, not bodies

        async def main() -> float:
            async with OpenRouter(api_key=KEY, server_url=emu.url) as sdk:

                async def one(i: int) -> tuple[str, object]:
                    result = await sdk.responses.send_async(model="m", input=f"task {i}")
                    return result.output_text, sdk._async_http

                start = time.monotonic()
                results = await asyncio.gather(*(one(i) for i in range(500)))
                elapsed = time.monotonic() - start
            assert [text for text, _ in results] == [f"Echo: task {i}" for i in range(500)]
            assert len({id(http) for _, http in results}) == 1
            return elapsed

        elapsed = within_deadline(lambda: asyncio.run(main()))
        assert len(emu.requests) == 500
    assert len(built) == 1
    assert elapsed < 10  # was ~13 s here with httpcore queueing all 500 at once
