"""``Conversation``: client-side history, sticky sessions, persistence, failures that leave
the history untouched, and tools, sync and async, streaming and not, against the emulator."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from openrouter import OpenRouter, components, errors
from openrouter.conversation import Conversation, ConversationStream, ConversationStreamAsync
from openrouter.inputs import function_call_output, user
from openrouter.testing import Emulator, Fault, FunctionCall, Reply
from openrouter.tools import ToolExecution, ToolRunResult
from openrouter.utils import BackoffStrategy, RetryConfig


def _client(emu: Emulator) -> OpenRouter:
    return OpenRouter(api_key=emu.api_key, server_url=emu.url)


def _inputs(emu: Emulator, index: int = -1) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = emu.requests[index].json["input"]
    return body


def _types(items: list[Any]) -> list[str]:
    return [i["type"] if isinstance(i, dict) else i.type for i in items]


def get_time(zone: str) -> str:
    """The local time in a time zone."""
    return f"12:00 in {zone}"


# -- history and sessions ------------------------------------------------------------------------


def test_history_and_session_sync(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text("Hello Ada."), Reply.text("Your name is Ada."))
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m", instructions="Be brief.", temperature=0.2)
        first = conv.send("Hi, I'm Ada.")
        second = conv.send("What's my name?")
    assert first.output_text == "Hello Ada." and second.output_text == "Your name is Ada."
    assert re.fullmatch(r"[0-9a-f]{32}", conv.session_id)

    one, two = openrouter_emulator.requests
    for request in (one, two):
        assert request.json["session_id"] == conv.session_id
        assert request.json["model"] == "m"
        assert request.json["instructions"] == "Be brief."
        assert request.json["temperature"] == 0.2
    assert one.json["input"] == [{"type": "message", "role": "user", "content": "Hi, I'm Ada."}]
    sent = two.json["input"]
    assert [i.get("role") for i in sent] == ["user", "assistant", "user"]
    assistant = sent[1]
    assert assistant["id"] == first.output[0].id and assistant["status"] == "completed"
    assert assistant == first.output[0].to_dict()

    items = conv.items
    assert isinstance(items[1], components.OutputMessageItem)
    assert isinstance(items[0], components.EasyInputMessage)
    assert len(conv.items) == 4 and conv.last_response is second
    assert conv.usage.requests == 2


def test_history_and_session_async(openrouter_emulator: Emulator) -> None:
    async def main() -> Conversation:
        async with _client(openrouter_emulator) as client:
            conv = Conversation(client, model="m", session_id="my-session")
            await conv.send_async("one")
            stream = await conv.send_async("two", stream=True)
            assert isinstance(stream, ConversationStreamAsync)
            async with stream:
                text = "".join([d async for d in stream.text_deltas()])
            assert text == "Echo: two"
            await conv.send_async(user("three"))
            return conv

    conv = asyncio.run(main())
    assert [r.json["session_id"] for r in openrouter_emulator.requests] == ["my-session"] * 3
    assert [i.get("role") for i in _inputs(openrouter_emulator)] == [
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    assert len(conv.items) == 6 and conv.usage.requests == 3


def test_streamed_turn_is_committed_at_the_end(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text("streamed answer", delta_size=3))
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m")
        stream = conv.send("hi", stream=True)
        assert isinstance(stream, ConversationStream)
        with stream:
            events = iter(stream)
            next(events)
            assert conv.items == []  # nothing committed mid-stream
            rest = list(events)
        assert rest[-1].type == "response.completed"
        assert len(conv.items) == 2
        assert conv.items[1].text == "streamed answer"  # type: ignore[union-attr]
        assert stream.output_text == "streamed answer"
        assert stream.get_final_response() is conv.last_response


def test_reasoning_items_with_encrypted_content_are_resent(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(
        Reply.reasoning("thinking", summary="s", encrypted_content="gAAA-secret", answer="4"),
        Reply.text("8"),
    )
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m", include=["reasoning.encrypted_content"])
        conv.send("2+2?")
        conv.send("times 2?")
    first, _ = openrouter_emulator.requests
    assert first.json["include"] == ["reasoning.encrypted_content"]
    reasoning = _inputs(openrouter_emulator)[1]
    assert reasoning["type"] == "reasoning"
    assert reasoning["encrypted_content"] == "gAAA-secret"
    assert reasoning["id"].startswith("rs_")
    assert isinstance(conv.items[1], components.OutputReasoningItem)


# -- failures do not corrupt the history ---------------------------------------------------------


def test_failures_leave_history_unchanged(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(
        Reply.text("first answer"),
        Fault.status(400, "bad request"),
        Reply.failed("server_error", "model crashed"),
        Reply.text("partial" * 20).with_options(drop_after=5),
        Reply.text("never read to the end"),
        Reply.failed(),
        Reply.text("second answer"),
    )
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m")
        conv.send("one")
        before = conv.to_json()
        with pytest.raises(errors.BadRequestResponseError):
            conv.send("lost 1")
        with pytest.raises(errors.ResponseFailedError, match="model crashed"):
            conv.send("lost 2")
        with pytest.raises(errors.StreamInterruptedError):
            with conv.send("lost 3", stream=True) as stream:
                for _ in stream:
                    pass
        with conv.send("lost 4", stream=True) as stream:
            next(iter(stream))  # closed early
        with pytest.raises(RuntimeError, match="closed"):
            stream.get_final_response()
        with pytest.raises(errors.StreamFailedError):
            with conv.send("lost 5", stream=True) as stream:
                stream.get_final_response()
        assert conv.to_json() == before
        conv.send("two")
    assert [i.get("content") for i in _inputs(openrouter_emulator) if i.get("role") == "user"] == [
        "one",
        "two",
    ]
    assert conv.usage.requests == 2


def test_incomplete_answers_are_committed(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.incomplete("cut o"))
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m")
        res = conv.send("long essay please", max_output_tokens=5)
    assert res.status == "incomplete"
    assert len(conv.items) == 2 and conv.items[1].status == "incomplete"  # type: ignore[union-attr]
    assert openrouter_emulator.requests[0].json["max_output_tokens"] == 5


def test_a_turn_overlapping_another_is_refused(openrouter_emulator: Emulator) -> None:
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m")
        stream = conv.send("first", stream=True)
        conv.send("second")  # completes while the stream is still open
        with pytest.raises(RuntimeError, match="changed while this turn"):
            stream.get_final_response()
    user_texts = [i.content for i in conv.items if isinstance(i, components.EasyInputMessage)]
    assert user_texts == ["second"]


# -- persistence ---------------------------------------------------------------------------------


def test_persistence_round_trip(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(
        Reply.reasoning("r", summary="s", encrypted_content="enc", answer="A1"),
        Reply.function_call("get_time", {"zone": "UTC"}, call_id="c1"),
        Reply.text("It is noon."),
    )
    with _client(openrouter_emulator) as client:
        conv = Conversation(
            client,
            model="m",
            instructions="Be brief.",
            include=["reasoning.encrypted_content"],
            tools=[get_time],
            reasoning=components.ReasoningConfig(effort="low"),
            metadata={"app": "test"},
        )
        conv.send("q1")
        conv.run_tools("what time is it?")
        saved = conv.to_json()
        restored = Conversation.from_json(saved, client, tools=[get_time])
        assert restored.to_json() == saved  # exact round trip
        assert json.loads(saved)["items"] == json.loads(restored.to_json())["items"]
        assert restored.session_id == conv.session_id
        assert restored.usage == conv.usage
        assert _types(restored.items) == _types(conv.items)
        assert [type(i) for i in restored.items] == [type(i) for i in conv.items]
        # Both send exactly the same next request.
        conv.send("next")
        restored.send("next")
    original_body, restored_body = (r.json for r in openrouter_emulator.requests[-2:])
    assert original_body == restored_body
    assert restored_body["reasoning"] == {"effort": "low"}
    assert restored_body["tools"][0]["name"] == "get_time"
    assert _types(restored_body["input"]) == [
        "message",
        "reasoning",
        "message",
        "message",
        "function_call",
        "function_call_output",
        "message",
        "message",
    ]


def test_persistence_of_hand_written_items_and_versions(openrouter_emulator: Emulator) -> None:
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m")
        conv.add({"role": "user", "content": "dict item"}, user("typed item"))
        conv.add({"type": "future_item", "x": 1})
        data = conv.to_dict()
        again = Conversation.from_dict(data, client)
        assert again.to_dict() == data
        assert again.items[0] == {"role": "user", "content": "dict item"}  # kept as written
        with pytest.raises(ValueError, match="version"):
            Conversation.from_dict({**data, "version": 99}, client)
        with pytest.raises(TypeError, match="retries"):
            Conversation(client, model="m", retries=object()).to_json()  # type: ignore[arg-type]


def test_a_conversation_with_retries_saves_loads_and_saves_again(
    openrouter_emulator: Emulator,
) -> None:
    retries = RetryConfig("backoff", BackoffStrategy(10, 20, 1.5, 500), max_attempts=2)
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m", retries=retries, temperature=0.5)
        conv.send(input="hi")
        saved = conv.to_json()
        again = Conversation.from_json(saved, client)
        assert again.default_params["retries"] == retries
        assert again.to_json() == saved
        again.send(input="and again")  # the restored RetryConfig is usable
        assert openrouter_emulator.requests[-1].status == 200


# -- tools ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async", "stream", "stream_async"])
def test_conversation_run_tools(openrouter_emulator: Emulator, mode: str) -> None:
    openrouter_emulator.enqueue(
        Reply.function_calls(
            FunctionCall("get_time", {"zone": "UTC"}, call_id="c1"),
            FunctionCall("get_time", {"zone": "CET"}, call_id="c2"),
        ),
        Reply.text("Noon everywhere."),
        Reply.text("You're welcome."),
    )

    async def run_async(conv: Conversation, stream: bool) -> ToolRunResult:
        if stream:
            s = await conv.run_tools_async("times?", stream=True)
            async with s:
                events = [e async for e in s]
            assert sum(isinstance(e, ToolExecution) for e in events) == 2
            return s.result
        return await conv.run_tools_async("times?")

    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m", tools=[get_time])
        if mode == "sync":
            result = conv.run_tools("times?")
        elif mode == "stream":
            with conv.run_tools("times?", stream=True) as s:
                result = s.get_final_result()
        else:

            async def main() -> ToolRunResult:
                async with _client(openrouter_emulator) as c:
                    conv.client = c
                    return await run_async(conv, mode == "stream_async")

            result = asyncio.run(main())
            conv.client = client
        assert result.output_text == "Noon everywhere."
        assert _types(conv.items) == [
            "message",
            "function_call",
            "function_call",
            "function_call_output",
            "function_call_output",
            "message",
        ]
        conv.send("thanks")
    requests = openrouter_emulator.requests
    assert len({r.json["session_id"] for r in requests}) == 1
    outputs = [i for i in _inputs(openrouter_emulator, 1) if i["type"] == "function_call_output"]
    assert [o["call_id"] for o in outputs] == ["c1", "c2"]
    assert _types(_inputs(openrouter_emulator))[-2:] == ["message", "message"]
    assert conv.usage.requests == 3
    assert all(r.validation_errors == [] for r in requests)


def test_pending_tool_calls_and_manual_outputs(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(
        Reply.function_call("get_time", {"zone": "UTC"}, call_id="c1"),
        Reply.text("ok"),
        Reply.function_call("get_time", {"zone": "CET"}, call_id="c2"),
        Reply.text("done"),
    )
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m", tools=[get_time])
        conv.send("time?")  # plain send: the call is recorded, not run
        assert [c.call_id for c in conv.pending_tool_calls] == ["c1"]
        conv.send(function_call_output("c1", "noon"))  # answered by hand
        assert conv.pending_tool_calls == []
        conv.send("and CET?")
        result = conv.run_tools()  # runs the pending call first, then asks the model
    assert [e.call_id for e in result.executions] == ["c2"]
    assert result.output_text == "done"
    assert conv.pending_tool_calls == []


def test_failed_tool_run_is_not_committed(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(
        *[Reply.function_call("get_time", {"zone": "UTC"}) for _ in range(2)]
    )
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m", tools=[get_time])
        with pytest.raises(errors.MaxTurnsExceededError):
            conv.run_tools("loop", max_turns=2)
    assert conv.items == [] and conv.usage.requests == 0
