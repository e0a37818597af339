"""``openrouter.usage.Usage``: totals of tokens and cost, from responses over real sockets."""

from __future__ import annotations

import asyncio
import math

import pytest

from openrouter import OpenRouter, components
from openrouter.conversation import Conversation
from openrouter.testing import Emulator, Reply
from openrouter.usage import Usage

USAGE_A = {
    "input_tokens": 10,
    "output_tokens": 5,
    "total_tokens": 15,
    "input_tokens_details": {"cached_tokens": 4, "cache_write_tokens": 2},
    "output_tokens_details": {"reasoning_tokens": 3},
    "cost": 0.25,
}
USAGE_B = {
    "input_tokens": 20,
    "output_tokens": 7,
    "total_tokens": 27,
    "input_tokens_details": {"cached_tokens": 1},
    "output_tokens_details": {"reasoning_tokens": 0},
    "cost": 0.5,
}


def _client(emu: Emulator) -> OpenRouter:
    return OpenRouter(api_key=emu.api_key, server_url=emu.url)


def test_usage_of_one_response(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text("hi", usage=USAGE_A))
    with _client(openrouter_emulator) as client:
        res = client.responses.send(model="m", input="q")
    usage = Usage.of(res)
    assert usage == Usage(
        input_tokens=10,
        output_tokens=5,
        total_tokens=15,
        reasoning_tokens=3,
        cached_tokens=4,
        cache_write_tokens=2,
        cost=0.25,
        requests=1,
        requests_with_usage=1,
        requests_with_cost=1,
    )


def test_usage_sums_responses_sync_async_and_streamed(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(
        Reply.text("one", usage=USAGE_A),
        Reply.text("two", usage=USAGE_B),
        Reply.text("three", usage=USAGE_A),
    )
    with _client(openrouter_emulator) as client:
        first = client.responses.send(model="m", input="q")
        with client.responses.send(model="m", input="q", stream=True) as stream:
            second = stream.get_final_response()

    async def third_async() -> components.OpenResponsesResult:
        async with _client(openrouter_emulator) as client:
            return await client.responses.send_async(model="m", input="q")

    third = asyncio.run(third_async())
    total = Usage.of(first, second, third)
    assert total.input_tokens == 40 and total.output_tokens == 17 and total.total_tokens == 57
    assert total.reasoning_tokens == 6 and total.cached_tokens == 9
    assert math.isclose(total.cost, 1.0)
    assert total.requests == 3
    # Addition and sum() agree with of().
    assert Usage.of(first) + Usage.of(second) + Usage.of(third) == total
    assert sum([Usage.of(first), Usage.of(second), Usage.of(third)]) == total
    assert Usage.of([first, second], [third]) == total


def test_usage_of_mixed_sources_and_gaps() -> None:
    with_usage = components.OpenResponsesResult.model_validate(
        {
            "id": "r1",
            "object": "response",
            "created_at": 1,
            "model": "m",
            "status": "completed",
            "output": [],
            "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
        }
    )
    without = with_usage.model_copy(update={"usage": None})
    raw = components.Usage(input_tokens=1, output_tokens=1, total_tokens=2, cost=0.1)
    total = Usage.of(with_usage, without, raw, None)
    assert total.input_tokens == 4 and total.total_tokens == 7
    assert total.requests == 2  # the bare components.Usage is not a request
    assert total.requests_with_usage == 1
    assert total.requests_with_cost == 0
    assert math.isclose(total.cost, 0.1)
    with pytest.raises(TypeError):
        Usage.of(42)  # type: ignore[arg-type]


def test_usage_dict_round_trip() -> None:
    usage = Usage(input_tokens=3, cost=0.5, requests=1)
    assert Usage.from_dict(usage.to_dict()) == usage
    assert Usage.from_dict({**usage.to_dict(), "future_field": 1}) == usage


def test_conversation_usage_is_summed(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text("a", usage=USAGE_A), Reply.text("b", usage=USAGE_B))
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m")
        conv.send("one")
        with conv.send("two", stream=True) as stream:
            stream.get_final_response()
    assert conv.usage.requests == 2
    assert conv.usage.input_tokens == 30
    assert math.isclose(conv.usage.cost, 0.75)
