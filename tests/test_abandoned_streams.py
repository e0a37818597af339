"""A stream abandoned without ``close()`` or ``with`` is released by reference counting at
once: no object of it waits for the cyclic GC (which may never run, or run inside httpcore's
pool lock and deadlock). Checked with the GC switched off."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from openrouter import OpenRouter
from openrouter.conversation import Conversation
from openrouter.testing import Emulator, Reply


def get_time(city: str) -> str:
    """The time in a city."""
    return "noon"


def _streams(client: OpenRouter) -> dict[str, Callable[[], Any]]:
    from pydantic import BaseModel

    class Answer(BaseModel):
        text: str

    return {
        "send": lambda: client.responses.send(model="m", input="hi", stream=True),
        "parse": lambda: client.responses.parse(
            model="m", input="hi", text_format=Answer, stream=True
        ),
        "conversation": lambda: Conversation(client, model="m").send(input="hi", stream=True),
        "run_tools": lambda: client.responses.run_tools(
            model="m", input="hi", tools=[get_time], stream=True
        ),
    }


@pytest.fixture
def no_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.parametrize("kind", ["send", "parse", "conversation", "run_tools"])
def test_an_abandoned_stream_is_freed_without_the_cyclic_gc(
    openrouter_emulator: Emulator, no_gc: None, kind: str
) -> None:
    openrouter_emulator.default_reply = Reply.text('{"text": "a long enough answer to stream"}')
    with OpenRouter(api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url) as c:
        make = _streams(c)[kind]
        for _ in range(3):
            stream = make()
            for _event in stream:
                break
            ref = weakref.ref(stream)
            del stream, _event
            assert ref() is None, f"the abandoned {kind} stream is kept alive by a cycle"


def test_many_abandoned_streams_reuse_the_pool_without_gc(
    openrouter_emulator: Emulator, no_gc: None
) -> None:
    # The pool holds 100 connections: without prompt release the 101st stream would wait.
    openrouter_emulator.default_reply = Reply.text("word " * 50)
    with OpenRouter(api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url) as c:
        for _ in range(250):
            for _event in c.responses.send(model="m", input="hi", stream=True):
                break


def test_reasoning_deltas_on_the_plain_stream(openrouter_emulator: Emulator) -> None:
    import asyncio

    openrouter_emulator.enqueue(
        Reply.reasoning("Think first.", summary=["Short plan."], answer="Answer."), times=2
    )
    with OpenRouter(api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url) as c:
        sync = "".join(c.responses.send(model="m", input="hi", stream=True).reasoning_deltas())

        async def collect() -> str:
            stream = await c.responses.send_async(model="m", input="hi", stream=True)
            return "".join([delta async for delta in stream.reasoning_deltas()])

        assert sync and asyncio.run(collect()) == sync


def test_the_event_size_limit_is_set_on_the_client(openrouter_emulator: Emulator) -> None:
    from openrouter import errors

    openrouter_emulator.enqueue(Reply.text("x" * 5000), times=2)
    url, key = openrouter_emulator.url, openrouter_emulator.api_key
    with OpenRouter(api_key=key, server_url=url, max_event_bytes=1000) as small:
        with pytest.raises(errors.StreamError, match=r"max_event_bytes"):
            small.responses.send(model="m", input="hi", stream=True).get_final_response()
    with OpenRouter(api_key=key, server_url=url, max_event_bytes=100_000) as large:
        final = large.responses.send(model="m", input="hi", stream=True).get_final_response()
        assert final.output_text == "x" * 5000
    with pytest.raises(errors.ConfigurationError, match="max_event_bytes"):
        OpenRouter(api_key=key, max_event_bytes=0)
