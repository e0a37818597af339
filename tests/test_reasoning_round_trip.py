"""Reasoning survives tool turns and conversations: every reasoning item (``encrypted_content``,
``signature``, provider fields the SDK does not know) is sent back exactly as received.

"Exactly" is checked as canonical JSON (keys sorted, compact), which catches any changed,
added or dropped value and numbers written differently; the replayed OpenRouter recordings are
also checked with their own key order, byte for byte."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from openrouter import OpenRouter
from openrouter.conversation import Conversation
from openrouter.testing import Emulator, Fault, FunctionCall, RawItem, Reply
from openrouter.testing._signed_reasoning import (
    canonical_json,
    check_signed_reasoning,
    signed_reasoning_item,
)
from openrouter.tools import ToolRunResult, ToolRunState, tool

MODES = ["sync", "async", "stream", "astream"]
REPLAY = Path(__file__).resolve().parents[2] / "shared" / "replay"


def _client(emu: Emulator) -> OpenRouter:
    return OpenRouter(api_key=emu.api_key, server_url=emu.url)


def run_tools(emu: Emulator, mode: str, **kwargs: Any) -> ToolRunResult:
    kwargs.setdefault("model", "m")
    result: ToolRunResult
    if mode in ("sync", "stream"):
        with _client(emu) as client:
            if mode == "sync":
                result = client.responses.run_tools(**kwargs)
                return result
            with client.responses.run_tools(stream=True, **kwargs) as stream:
                result = stream.get_final_result()
                return result

    async def main() -> ToolRunResult:
        result: ToolRunResult
        async with _client(emu) as client:
            if mode == "async":
                result = await client.responses.run_tools_async(**kwargs)
                return result
            stream = await client.responses.run_tools_async(stream=True, **kwargs)
            async with stream:
                result = await stream.get_final_result()
                return result

    return asyncio.run(main())


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


SIGNED = signed_reasoning_item("rs_signed_0")
# A second shape: Gemini-style, with a signature inside a content part and
# an unknown field inside a summary part.
GEMINI = signed_reasoning_item(
    "rs_signed_1",
    format="google-gemini-v1",
    extra={
        "content": [
            {"type": "reasoning_text", "text": "Weather next.", "thought_signature": "Zm9v"}
        ],
        "summary": [{"type": "summary_text", "text": "Weather.", "signature": "c2ln"}],
    },
)
ISSUED = {SIGNED["id"]: SIGNED, GEMINI["id"]: GEMINI}


def _sent_reasoning(emu: Emulator, index: int) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in emu.requests[index].json["input"] if i.get("type") == "reasoning"}


def _assert_carried(emu: Emulator, index: int, issued: dict[str, dict[str, Any]]) -> None:
    assert check_signed_reasoning(emu.requests[index].json, issued) is None
    sent = _sent_reasoning(emu, index)
    for item_id, item in issued.items():
        assert canonical_json(sent[item_id]) == canonical_json(item)
        # The opaque values are in the body as the very same bytes.
        needle = json.dumps(item["encrypted_content"]).encode()
        assert needle in emu.requests[index].body


# -- the check itself ----------------------------------------------------------------------------


def test_check_signed_reasoning_accepts_only_the_unchanged_item() -> None:
    body = {"input": [{"type": "message", "role": "user", "content": "x"}, dict(SIGNED)]}
    assert check_signed_reasoning(body, {SIGNED["id"]: SIGNED}) is None
    assert check_signed_reasoning(body, {}) is None

    def changed(**fields: Any) -> dict[str, Any]:
        return {"input": [{**SIGNED, **fields}]}

    error = check_signed_reasoning(changed(signature="forged"), ISSUED)
    assert error is not None and "rs_signed_0" in error and "signature changed" in error
    dropped = {k: v for k, v in SIGNED.items() if k != "provider_metadata"}
    error = check_signed_reasoning({"input": [dropped]}, {SIGNED["id"]: SIGNED})
    assert error is not None and "provider_metadata was dropped" in error
    error = check_signed_reasoning(changed(extra_field=1), {SIGNED["id"]: SIGNED})
    assert error is not None and "extra_field was added" in error
    # 0.5 -> 0.50 is the same JSON number; 2 -> 2.0 is not the same text.
    metadata = {**SIGNED["provider_metadata"], "version": 2.0}
    error = check_signed_reasoning(changed(provider_metadata=metadata), {SIGNED["id"]: SIGNED})
    assert error is not None and "provider_metadata.version changed" in error
    details = [dict(SIGNED["reasoning_details"][0], text="edited"), SIGNED["reasoning_details"][1]]
    error = check_signed_reasoning(changed(reasoning_details=details), {SIGNED["id"]: SIGNED})
    assert error is not None and "reasoning_details[0].text changed" in error
    error = check_signed_reasoning({"input": []}, {SIGNED["id"]: SIGNED})
    assert error is not None and "missing" in error
    error = check_signed_reasoning({"input": "hello"}, {SIGNED["id"]: SIGNED})
    assert error is not None and "must be sent back" in error


def test_signed_items_are_deterministic_and_valid_input(openrouter_emulator: Emulator) -> None:
    assert signed_reasoning_item("rs_x") == signed_reasoning_item("rs_x")
    assert signed_reasoning_item("rs_x")["signature"] != signed_reasoning_item("rs_y")["signature"]
    # The emulator's schema accepts the items as input (the conftest checks every body).
    openrouter_emulator.enqueue(Reply.text("ok"))
    with _client(openrouter_emulator) as client:
        client.responses.send(model="m", input=[SIGNED, GEMINI])


# -- tool runs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_tool_runs_send_signed_reasoning_back_unchanged(
    openrouter_emulator: Emulator, mode: str
) -> None:
    openrouter_emulator.enqueue(
        Reply(items=[RawItem(SIGNED), FunctionCall("get_weather", {"city": "Paris"})]),
        Reply(items=[RawItem(GEMINI), FunctionCall("get_weather", {"city": "Oslo"})]),
        Reply.text("Sunny in both."),
    )
    result = run_tools(
        openrouter_emulator,
        mode,
        input="Weather?",
        tools=[get_weather],
        include=["reasoning.encrypted_content"],
    )
    assert result.output_text == "Sunny in both."
    _assert_carried(openrouter_emulator, 1, {SIGNED["id"]: SIGNED})
    _assert_carried(openrouter_emulator, 2, ISSUED)
    # In the history too, as received.
    kept = [i.to_dict() for i in result.items if getattr(i, "type", None) == "reasoning"]
    assert [canonical_json(i) for i in kept] == [canonical_json(SIGNED), canonical_json(GEMINI)]


@pytest.mark.parametrize("mode", ["sync", "astream"])
def test_a_paused_run_keeps_reasoning_through_json(
    openrouter_emulator: Emulator, mode: str
) -> None:
    @tool(requires_approval=True)
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return "sunny"

    openrouter_emulator.enqueue(
        Reply(items=[RawItem(SIGNED), RawItem(GEMINI), FunctionCall("get_weather", {"city": "P"})])
    )
    paused = run_tools(openrouter_emulator, mode, input="Weather?", tools=[get_weather])
    assert paused.paused and paused.state is not None
    saved = paused.state.to_json()
    call_id = paused.pending_approvals[0].call_id

    openrouter_emulator.enqueue(Reply.text("Sunny."))
    state = ToolRunState.from_json(saved)
    run_tools(openrouter_emulator, mode, tools=[get_weather], resume=state, approve=[call_id])
    _assert_carried(openrouter_emulator, 1, ISSUED)


# -- conversations -------------------------------------------------------------------------------


def test_conversations_send_signed_reasoning_back_unchanged(
    openrouter_emulator: Emulator,
) -> None:
    openrouter_emulator.enqueue(
        Reply(items=[RawItem(SIGNED), "Hello."]),
        Reply(items=[RawItem(GEMINI), FunctionCall("get_weather", {"city": "Rome"})]),
        Reply.text("Sunny in Rome."),
        Reply.text("Bye."),
        Reply.text("Again."),
    )
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m", include=["reasoning.encrypted_content"])
        conv.send("Hi")
        with conv.send("Weather in Rome?", stream=True) as stream:
            stream.get_final_response()
        _assert_carried(openrouter_emulator, 1, {SIGNED["id"]: SIGNED})
        conv.run_tools(tools=[get_weather])
        _assert_carried(openrouter_emulator, 2, ISSUED)
        saved = conv.to_json()

    with _client(openrouter_emulator) as client:  # a new client, from the saved JSON
        again = Conversation.from_json(saved, client)
        assert again.to_json() == saved
        again.send("Thanks")
        _assert_carried(openrouter_emulator, 3, ISSUED)

    async def main() -> None:
        async with _client(openrouter_emulator) as client:
            conv = Conversation.from_json(saved, client)
            await conv.send_async("Once more")

    asyncio.run(main())
    _assert_carried(openrouter_emulator, 4, ISSUED)


# -- replayed OpenRouter recordings --------------------------------------------------------------


def _recorded_final(case: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The case's final response (key order kept) and its body text, if it has one."""
    text = (REPLAY / "cases" / case["file"]).read_text(encoding="utf-8")
    if case["kind"] == "json":
        body = json.loads(text)
        return (body, text) if isinstance(body, dict) and "output" in body else None
    for line in text.splitlines():
        if line.startswith("data: {"):
            event = json.loads(line[len("data: ") :])
            if event.get("type") in ("response.completed", "response.incomplete"):
                return event["response"], text
    return None


def _replay_cases() -> list[Any]:
    if not (REPLAY / "cases" / "manifest.json").is_file():
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason="needs ../shared/replay (absent beside this checkout)"
                ),
            )
        ]
    manifest = json.loads((REPLAY / "cases" / "manifest.json").read_text())
    cases = []
    for case in manifest:
        if case.get("origin") != "openrouter.ai" or case.get("status") != 200:
            continue
        found = _recorded_final(case)
        if found and any(i.get("type") == "reasoning" for i in found[0]["output"]):
            cases.append(pytest.param(case, id=case["name"]))
    if not cases:
        reason = "../shared/replay has no OpenRouter recording with reasoning items"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason))]
    return cases


CALL = {
    "type": "function_call",
    "id": "fc_replay",
    "call_id": "call_replay",
    "name": "get_weather",
    "arguments": '{"city":"Paris"}',
    "status": "completed",
}


def _with_call_sse(text: str) -> str:
    """The recorded stream with one function call added before its terminal event."""
    out = []
    for line in text.splitlines():
        if line.startswith("data: {"):
            event = json.loads(line[len("data: ") :])
            if event.get("type") in ("response.completed", "response.incomplete"):
                index = len(event["response"]["output"])
                event["response"]["output"].append(CALL)
                for kind in ("added", "done"):
                    frame = {"type": f"response.output_item.{kind}", "output_index": index}
                    out += [f"data: {json.dumps({**frame, 'item': CALL})}", ""]
                line = f"data: {json.dumps(event, ensure_ascii=False)}"
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", _replay_cases())
def test_replayed_openrouter_reasoning_survives_a_tool_turn(
    openrouter_emulator: Emulator, case: dict[str, Any], mode: str
) -> None:
    final, text = _recorded_final(case) or ({}, "")
    recorded = [i for i in final["output"] if i.get("type") == "reasoning"]
    if mode in ("stream", "astream"):
        sse = _with_call_sse(text) if case["kind"] == "sse" else None
        if sse is None:
            pytest.skip("a JSON recording has no stream to replay")
        first = Fault.raw(200, sse, content_type="text/event-stream")
    else:
        body = {**final, "output": [*final["output"], CALL]}
        first = Fault.raw(200, json.dumps(body, ensure_ascii=False))
    openrouter_emulator.enqueue(first, Reply.text("Sunny."))
    result = run_tools(openrouter_emulator, mode, input="2+2?", tools=[get_weather])
    assert result.output_text == "Sunny." and len(openrouter_emulator.requests) == 2
    second = openrouter_emulator.requests[1]
    sent = [i for i in json.loads(second.body)["input"] if i.get("type") == "reasoning"]
    assert len(sent) == len(recorded)
    for original, resent in zip(recorded, sent, strict=True):
        # Byte for byte: the same text with the recording's own key order.
        assert _compact(resent) == _compact(original)
        assert _compact(original).encode() in second.body


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def test_the_emulator_answers_400_when_signed_reasoning_comes_back_changed(
    openrouter_emulator: Emulator,
) -> None:
    from openrouter import errors

    openrouter_emulator.enqueue(
        Reply(items=[RawItem(SIGNED), FunctionCall("get_weather", {"city": "Paris"})]),
        times=2,
    )
    with _client(openrouter_emulator) as client:
        first = client.responses.send(model="m", input="Weather?")
        tampered = {**SIGNED, "encrypted_content": SIGNED["encrypted_content"][:-4] + "AAAA"}
        call = first.output[1].to_dict()
        with pytest.raises(errors.BadRequestResponseError, match="was modified"):
            client.responses.send(
                model="m",
                input=[
                    tampered,
                    call,
                    {"type": "function_call_output", "call_id": call["call_id"], "output": "x"},
                ],
            )
        # Sent back unchanged, it is accepted (the second scripted reply answers).
        client.responses.send(model="m", input="Weather?")
        again = client.responses.send(
            model="m",
            input=[
                first.output[0].to_dict(),
                call,
                {"type": "function_call_output", "call_id": call["call_id"], "output": "x"},
            ],
        )
        assert again.status == "completed"
