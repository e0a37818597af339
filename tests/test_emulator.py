"""The offline emulator (``openrouter.testing``), exercised over plain HTTP with httpx.

These tests deliberately avoid the SDK client: the emulator is what the client is tested
against, so it has to be right on its own.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from _contract import openapi
from openrouter.testing import (
    Emulator,
    Fault,
    FunctionCall,
    Message,
    OutputText,
    RawItem,
    Refusal,
    Reply,
)

TERMINAL = {"response.completed", "response.incomplete", "response.failed"}
# Events that only make sense inside an open content part.
IN_PART = {
    "response.output_text.delta",
    "response.output_text.done",
    "response.output_text.annotation.added",
    "response.refusal.delta",
    "response.refusal.done",
    "response.reasoning_text.delta",
    "response.reasoning_text.done",
}


# -- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def emu(shared: Emulator) -> Emulator:
    shared.reset()
    return shared


@pytest.fixture
def http(emu: Emulator) -> Iterator[httpx.Client]:
    auth = {"Authorization": f"Bearer {emu.api_key}"}
    with httpx.Client(base_url=emu.url, headers=auth, timeout=5) as client:
        yield client


def body(**extra: Any) -> dict[str, Any]:
    return {"model": "openai/gpt-4o", "input": "hello there", **extra}


def parse_sse(text: str) -> tuple[list[dict[str, Any]], list[str], bool, list[str]]:
    """(events, comment lines, saw [DONE], undecodable data) from a whole SSE body."""
    events: list[dict[str, Any]] = []
    comments: list[str] = []
    bad: list[str] = []
    done = False
    for block in text.split("\n\n"):
        data: list[str] = []
        for line in block.split("\n"):
            if line.startswith(":"):
                comments.append(line)
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if not data:
            continue
        payload = "\n".join(data)
        if payload == "[DONE]":
            done = True
            continue
        try:
            events.append(json.loads(payload))
        except ValueError:
            bad.append(payload)
    return events, comments, done, bad


def check_order(events: list[dict[str, Any]]) -> None:
    """The contract's ordering rules, as a small state machine."""
    kinds = [e["type"] for e in events]
    assert kinds[:2] == ["response.created", "response.in_progress"]
    assert kinds[-1] in TERMINAL
    assert sum(k in TERMINAL for k in kinds) == 1
    numbers = [e["sequence_number"] for e in events]
    assert all(a < b for a, b in itertools.pairwise(numbers)), numbers
    item: int | None = None
    part: int | None = None
    next_index = 0
    for event in events[2:-1]:
        kind = event["type"]
        if kind == "response.output_item.added":
            assert item is None and event["output_index"] == next_index
            item = event["output_index"]
        elif kind == "response.output_item.done":
            assert item == event["output_index"] and part is None
            item = None
            next_index += 1
        elif kind == "response.content_part.added":
            assert item == event["output_index"] and part is None
            part = event["content_index"]
        elif kind == "response.content_part.done":
            assert item == event["output_index"] and part == event["content_index"]
            part = None
        elif kind in IN_PART:
            assert item == event["output_index"] and part == event["content_index"], event
        elif "output_index" in event:
            assert item == event["output_index"], event
        else:  # only unknown (future) event types may appear outside the structure
            assert not kind.startswith(("response.output_", "response.content_")), event
    assert item is None and part is None


def stream(http: httpx.Client, **extra: Any) -> tuple[httpx.Response, list[dict[str, Any]]]:
    response = http.post("/responses", json=body(stream=True, **extra))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events, _, done, bad = parse_sse(response.text)
    assert done and not bad
    check_order(events)
    return response, events


def deltas(events: list[dict[str, Any]], kind: str, index: int | None = None) -> str:
    return "".join(
        e["delta"]
        for e in events
        if e["type"] == kind and (index is None or e.get("output_index") == index)
    )


def without_ids(value: Any) -> Any:
    """The parts of a result that do not change from one request to the next."""
    if isinstance(value, dict):
        skip = {"id", "created_at", "completed_at", "call_id"}
        return {k: without_ids(v) for k, v in value.items() if k not in skip}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


# -- auth, routing, the echo model -----------------------------------------------------------


def test_auth_is_required(emu: Emulator) -> None:
    with httpx.Client(base_url=emu.url, timeout=5) as client:
        missing = client.post("/responses", json=body())
        wrong = client.post("/responses", json=body(), headers={"Authorization": "Bearer nope"})
        basic = client.post("/responses", json=body(), headers={"Authorization": "Basic abc"})
    for response in (missing, wrong, basic):
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == 401 and error["message"]
        assert response.headers["x-generation-id"].startswith("gen-")
    assert emu.pending == 0


def test_any_key_mode() -> None:
    with (
        Emulator(api_key=None, validate=False) as emu,
        httpx.Client(base_url=emu.url, timeout=5) as client,
    ):
        ok = client.post("/responses", json=body(), headers={"Authorization": "Bearer whatever"})
        empty = client.post("/responses", json=body(), headers={"Authorization": "Bearer"})
    assert ok.status_code == 200
    assert empty.status_code == 401


def test_unknown_routes_are_404(http: httpx.Client, emu: Emulator) -> None:
    for response in (http.post("/chat/completions", json={}), http.get("/nothing/here")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == 404
        assert response.headers["x-generation-id"].startswith("gen-")
    outside = httpx.get(emu.url.removesuffix("/api/v1") + "/responses")
    assert outside.status_code == 404 and outside.json()["error"]["code"] == 404
    head = http.head("/chat/completions")
    assert head.status_code == 404 and head.content == b""
    assert [r.status for r in emu.requests] == [404, 404, 404, 404]


def test_known_route_with_another_method_is_405(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Reply.text("not for a GET"))
    for response in (http.get("/responses"), http.delete("/responses/")):
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert response.json()["error"]["code"] == 405
    head = http.head("/responses")
    assert head.status_code == 405 and head.content == b""
    assert emu.pending == 1


def test_route_table_matches_path_parameters() -> None:
    from openrouter.testing._routes import Call, Route, RouteTable

    def nothing(call: Call) -> None:
        pass

    table = RouteTable(
        "/api/v1",
        [
            Route("GET", "/models", nothing, auth=False),
            Route("GET", "/models/{author}/{slug}/endpoints", nothing),
            Route("POST", "/responses", nothing),
        ],
    )
    found = table.resolve("GET", "/api/v1/models/openai/gpt-4o/endpoints")
    assert found.route is table.routes[1]
    assert found.params == {"author": "openai", "slug": "gpt-4o"}
    assert table.resolve("GET", "/api/v1/models/").route is table.routes[0]
    assert table.resolve("GET", "/api/v1/models/openai/endpoints").route is None
    assert table.resolve("GET", "/api/v1/models//x/endpoints").route is None
    assert table.resolve("PUT", "/api/v1/models").allowed == ("GET",)
    assert table.resolve("POST", "/v1/responses").route is None


def test_echo_json_shape(http: httpx.Client) -> None:
    response = http.post("/responses", json=body(temperature=0.5, metadata={"k": "v"}))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-generation-id"].startswith("gen-")
    result = response.json()
    assert result["object"] == "response"
    assert result["id"].startswith("resp_")
    assert result["status"] == "completed"
    assert result["model"] == "openai/gpt-4o"
    assert result["output_text"] == "Echo: hello there"
    assert result["temperature"] == 0.5 and result["metadata"] == {"k": "v"}
    assert result["error"] is None and result["incomplete_details"] is None
    (message,) = result["output"]
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["id"].startswith("msg_")
    assert message["content"][0]["type"] == "output_text"
    usage = result["usage"]
    assert usage["input_tokens"] == 2 and usage["output_tokens"] == 3
    assert usage["total_tokens"] == 5
    assert usage["input_tokens_details"] == {"cached_tokens": 0}
    assert usage["output_tokens_details"] == {"reasoning_tokens": 0}
    assert isinstance(usage["cost"], float)


def test_echo_answers_the_last_user_message_or_tool_result(http: httpx.Client) -> None:
    conversation = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": [{"type": "input_text", "text": "second"}]},
    ]
    result = http.post("/responses", json=body(input=conversation)).json()
    assert result["output_text"] == "Echo: second"
    tool_turn = [
        *conversation,
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "42"},
    ]
    assert http.post("/responses", json=body(input=tool_turn)).json()["output_text"] == "Echo: 42"


def test_response_model_comes_from_the_request(http: httpx.Client) -> None:
    assert http.post("/responses", json={"input": "x"}).json()["model"] == "openrouter/echo"
    result = http.post("/responses", json={"models": ["a/b", "c/d"], "input": "x"}).json()
    assert result["model"] == "a/b"


# -- reply kinds, JSON and streamed ----------------------------------------------------------

KINDS: dict[str, Reply] = {
    "text": Reply.text("Hello, world! This is the emulator speaking."),
    "reasoning": Reply.reasoning(
        "Let me think about it.",
        summary=["First idea.", "Second idea."],
        encrypted_content="gAAAA-opaque",
        answer="The answer is 42.",
    ),
    "function_calls": Reply.function_call("get_weather", {"city": "Paris"})
    + Reply.function_call("get_time", '{"tz":"CET"}', call_id="call_fixed"),
    "refusal": Reply.refusal("I can't help with that."),
    "web_search": Reply.web_search(
        "weather in paris",
        "It is sunny in Paris.",
        citations=[("https://weather.example/paris", "Weather"), ("https://b.example", "B")],
    ),
    "image": Reply.image(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAH"
    ),
    "incomplete": Reply.incomplete("This answer was cut sho", reason="max_output_tokens"),
    "failed": Reply.failed("server_error", "The provider crashed", text="Partial"),
    "mixed": Reply(
        items=[
            Message([OutputText("one ", chunks=["o", "ne "]), Refusal("no"), "two"]),
            RawItem(
                {"type": "file_search_call", "id": "fs_1", "status": "completed", "queries": ["q"]}
            ),
            FunctionCall("f", {}),
        ]
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_reply_kinds_json_and_stream_agree(http: httpx.Client, emu: Emulator, kind: str) -> None:
    reply = KINDS[kind]
    emu.enqueue(reply, reply)
    result = http.post("/responses", json=body()).json()
    _, events = stream(http)

    final = events[-1]["response"]
    expected_terminal = {"completed": "response.completed"}.get(reply.status, "")
    assert events[-1]["type"] == (expected_terminal or f"response.{reply.status}")
    assert without_ids(final) == without_ids(result)
    assert result["status"] == reply.status
    assert events[0]["response"]["status"] == "in_progress"
    assert events[0]["response"]["output"] == []

    # The deltas add up to the final content.
    assert deltas(events, "response.output_text.delta") == final["output_text"]
    done_items = [e["item"] for e in events if e["type"] == "response.output_item.done"]
    assert done_items == final["output"]
    for index, item in enumerate(final["output"]):
        if item["type"] == "function_call":
            args = deltas(events, "response.function_call_arguments.delta", index)
            assert args == item["arguments"]
            assert item["call_id"].startswith("call_") and item["id"].startswith("fc_")
        if item["type"] == "reasoning":
            assert deltas(events, "response.reasoning_text.delta", index) == "".join(
                c["text"] for c in item.get("content", [])
            )
            assert deltas(events, "response.reasoning_summary_text.delta", index) == "".join(
                s["text"] for s in item["summary"]
            )
        if item["type"] == "message":
            refusals = [p["refusal"] for p in item["content"] if p["type"] == "refusal"]
            assert deltas(events, "response.refusal.delta", index) == "".join(refusals)


def test_reasoning_and_function_call_shapes(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(KINDS["reasoning"], KINDS["function_calls"])
    reasoning = http.post("/responses", json=body()).json()
    item, _ = reasoning["output"]
    assert item["type"] == "reasoning" and item["id"].startswith("rs_")
    assert item["summary"] == [
        {"type": "summary_text", "text": "First idea."},
        {"type": "summary_text", "text": "Second idea."},
    ]
    assert item["content"] == [{"type": "reasoning_text", "text": "Let me think about it."}]
    assert item["encrypted_content"] == "gAAAA-opaque"
    assert reasoning["output_text"] == "The answer is 42."
    assert reasoning["usage"]["output_tokens_details"]["reasoning_tokens"] == 9

    calls = http.post("/responses", json=body()).json()["output"]
    assert [(c["name"], json.loads(c["arguments"])) for c in calls] == [
        ("get_weather", {"city": "Paris"}),
        ("get_time", {"tz": "CET"}),
    ]
    assert calls[1]["call_id"] == "call_fixed"


def test_web_search_citations_point_at_their_links(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(KINDS["web_search"], KINDS["web_search"])
    result = http.post("/responses", json=body()).json()
    search, message = result["output"]
    assert search["type"] == "web_search_call" and search["status"] == "completed"
    assert search["action"]["query"] == "weather in paris"
    part = message["content"][0]
    assert len(part["annotations"]) == 2
    for annotation in part["annotations"]:
        link = part["text"][annotation["start_index"] : annotation["end_index"]]
        assert link == f"[{annotation['title']}]({annotation['url']})"
    _, events = stream(http)
    kinds = [e["type"] for e in events]
    assert (
        kinds.index("response.web_search_call.in_progress")
        < kinds.index("response.web_search_call.searching")
        < kinds.index("response.web_search_call.completed")
    )
    added = [e for e in events if e["type"] == "response.output_text.annotation.added"]
    assert [a["annotation"] for a in added] == part["annotations"]


def test_image_generation_events(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Reply.image("aGVsbG8=", partial_images=2))
    _, events = stream(http)
    kinds = [e["type"] for e in events if e["type"].startswith("response.image_generation")]
    assert kinds == [
        "response.image_generation_call.in_progress",
        "response.image_generation_call.generating",
        "response.image_generation_call.partial_image",
        "response.image_generation_call.partial_image",
        "response.image_generation_call.completed",
    ]
    assert events[-1]["response"]["output"][0]["result"] == "aGVsbG8="


def test_incomplete_and_failed_details(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(KINDS["incomplete"], KINDS["failed"])
    incomplete = http.post("/responses", json=body()).json()
    assert incomplete["incomplete_details"] == {"reason": "max_output_tokens"}
    assert incomplete["output"][0]["status"] == "incomplete"
    failed = http.post("/responses", json=body()).json()
    assert failed["status"] == "failed"
    assert failed["error"] == {"code": "server_error", "message": "The provider crashed"}


def test_delta_size_and_big_streams(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Reply.text("abcdefghij", delta_size=3), Reply.text("x" * 20_000, delta_size=1))
    _, events = stream(http)
    pieces = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
    assert pieces == ["abc", "def", "ghi", "j"]
    _, events = stream(http)
    # Throughput is measured in benchmarks/bench_stream.py, not asserted here.
    assert sum(e["type"] == "response.output_text.delta" for e in events) == 20_000


def test_a_long_text_arrives_as_json_encodes_it(
    http: httpx.Client, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Events repeating a long text are escaped a slice at a time as they are written (the
    # threshold lowered here): each still arrives exactly as json.dumps would write it.
    from openrouter.testing import _render_result

    monkeypatch.setattr(_render_result, "LONG_STRING", 1000)
    text = 'h\u00e9llo "w\u00f6rld"\n\x01\U0001f600 \\ ' * 5000
    emu.enqueue(Reply.text(text, delta_size=4000))
    response, events = stream(http)
    final = events[-1]["response"]
    assert final["output_text"] == text == final["output"][0]["content"][0]["text"]
    assert [e["text"] for e in events if e["type"] == "response.output_text.done"] == [text]
    for block in response.text.split("\n\n"):
        if block.startswith("data: {"):
            data = block[6:]
            assert data == json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":"))


def test_a_stream_is_framed_in_full_chunks_as_it_is_written() -> None:
    from openrouter.testing._http import _CHUNK, _ChunkedBody

    writes: list[bytes] = []
    body = _ChunkedBody(writes.append, b"HEAD")
    pieces = ["a" * 10, "\u00e9" * (_CHUNK + 5), "b" * 3 * _CHUNK, "c"]
    for piece in pieces:
        body.add(piece)
    assert writes  # the first full chunks are out before the stream ends
    body.flush()  # as before a pause: the last chunk short
    body.add("tail")
    body.end()
    raw = b"".join(writes)
    assert raw.startswith(b"HEAD")
    rest, sizes, data = raw[4:], [], b""
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            assert rest == b"\r\n"
            break
        data += rest[:size]
        assert rest[size : size + 2] == b"\r\n"
        rest = rest[size + 2 :]
        sizes.append(size)
    before = len("".join(pieces).encode())
    assert data == ("".join(pieces) + "tail").encode()
    assert sizes == [_CHUNK] * (before // _CHUNK) + [before % _CHUNK, 4]
    assert max(map(len, writes)) < 3 * _CHUNK


def test_keepalive_comments(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Reply.text("a b c d", delta_size=1, keepalive=2, keepalive_every=4))
    response = http.post("/responses", json=body(stream=True))
    assert response.text.startswith(": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n")
    events, comments, done, _ = parse_sse(response.text)
    assert len(comments) == 2 + len(events) // 4
    assert done
    check_order(events)


def test_unknown_fields_and_events_do_not_break_the_stream(
    http: httpx.Client, emu: Emulator
) -> None:
    emu.enqueue(Reply.text("hi", unknown_event_after=3, extra={"future_field": {"x": 1}}))
    _, events = stream(http)
    assert events[3] == {"type": "response.future_thing", "foo": 1, "sequence_number": 3}
    assert events[-1]["response"]["future_field"] == {"x": 1}


# -- faults ----------------------------------------------------------------------------------


def test_status_fault_with_retry_after_for_n_requests(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Fault.status(429, retry_after=1, retry_after_ms=1500), times=2)
    emu.enqueue(Fault.status(503, "down", error_code="provider_unavailable", metadata={"a": 1}))
    first, second = http.post("/responses", json=body()), http.post("/responses", json=body())
    for response in (first, second):
        assert response.status_code == 429
        assert response.headers["retry-after"] == "1"
        assert response.headers["retry-after-ms"] == "1500"
        assert response.json() == {"error": {"code": 429, "message": "Rate limit exceeded"}}
    third = http.post("/responses", json=body())
    assert third.status_code == 503
    assert third.json()["error"] == {
        "code": "provider_unavailable",
        "message": "down",
        "metadata": {"a": 1},
    }
    assert http.post("/responses", json=body()).status_code == 200
    assert [r.status for r in emu.requests] == [429, 429, 503, 200]


def test_429_and_503_ask_to_retry_after_a_second_by_default(
    http: httpx.Client, emu: Emulator
) -> None:
    emu.enqueue(Fault.status(429), Fault.status(503, "busy"), Fault.status(500), Fault.status(402))
    limited, busy, broken, broke = (http.post("/responses", json=body()) for _ in range(4))
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "1")
    assert (busy.status_code, busy.headers["retry-after"]) == (503, "1")
    assert "retry-after-ms" not in limited.headers
    assert "retry-after" not in broken.headers and "retry-after" not in broke.headers


def test_retry_after_can_be_changed_or_left_out(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(
        Fault.status(429, retry_after=0.5),
        Fault.status(429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT"),
        Fault.status(503, retry_after=None),
        Fault.status(503, retry_after_ms=250),
        Fault.status(429, headers={"retry-after": "7"}),
        Fault.status(500, retry_after=3),
    )
    answers = [http.post("/responses", json=body()) for _ in range(6)]
    assert [a.headers.get("retry-after") for a in answers] == [
        "0.5",
        "Wed, 21 Oct 2015 07:28:00 GMT",
        None,
        None,
        "7",
        "3",
    ]
    assert answers[3].headers["retry-after-ms"] == "250"


def test_html_and_200_error_body_faults(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Fault.html(502), Fault.error_body_200(500, "Internal"))
    html = http.post("/responses", json=body())
    assert html.status_code == 502
    assert html.headers["content-type"] == "text/html"
    assert "<html>" in html.text
    ok_but_error = http.post("/responses", json=body(stream=True))
    assert ok_but_error.status_code == 200
    assert ok_but_error.json() == {"error": {"code": 500, "message": "Internal"}}


def test_connection_reset(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Fault.reset())
    with pytest.raises(httpx.TransportError):
        http.post("/responses", json=body())
    assert emu.requests[-1].status is None
    assert http.post("/responses", json=body()).status_code == 200  # a new connection works


def test_stall_then_answer(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Fault.stall(0.3, then=Reply.text("late")))
    started = time.monotonic()
    response = http.post("/responses", json=body())
    assert time.monotonic() - started >= 0.3
    assert response.json()["output_text"] == "late"


def test_stall_then_nothing_answers_with_the_default_reply(
    http: httpx.Client, emu: Emulator
) -> None:
    emu.default_reply = Reply.text("the default")
    emu.enqueue(Fault.stall(0.05), Fault.stall(0.05, then=Reply.text("given")))
    assert http.post("/responses", json=body()).json()["output_text"] == "the default"
    assert http.post("/responses", json=body()).json()["output_text"] == "given"
    emu.default_reply = None
    emu.enqueue(Fault.stall(0.05))
    assert http.post("/responses", json=body()).json()["output_text"] == "Echo: hello there"


def test_stall_ends_when_the_client_leaves(emu: Emulator) -> None:
    emu.enqueue(Fault.stall(30))
    auth = {"Authorization": f"Bearer {emu.api_key}"}
    with (
        httpx.Client(base_url=emu.url, headers=auth, timeout=0.2) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.post("/responses", json=body())
    deadline = time.monotonic() + 2
    while emu.requests[-1].status is not None or _open_handlers(emu):
        assert time.monotonic() < deadline, "the stalled handler did not notice the client left"
        time.sleep(0.02)


def _open_handlers(emu: Emulator) -> int:
    return emu._http.open_connections


def test_stop_is_prompt_with_a_stalled_stream() -> None:
    emu = Emulator(validate=False).start()
    emu.enqueue(Reply.text("slow", stall_between=30, stall_after=2))
    got: list[str] = []

    def consume() -> None:
        auth = {"Authorization": f"Bearer {emu.api_key}"}
        try:
            with httpx.stream(
                "POST", emu.url + "/responses", json=body(stream=True), headers=auth, timeout=10
            ) as response:
                for line in response.iter_lines():
                    got.append(line)
        except httpx.HTTPError:
            got.append("<closed>")

    reader = threading.Thread(target=consume)
    reader.start()
    deadline = time.monotonic() + 5
    while len(got) < 3:
        assert time.monotonic() < deadline, got
        time.sleep(0.01)
    started = time.monotonic()
    emu.stop()
    reader.join(5)
    assert time.monotonic() - started < 1
    assert not reader.is_alive() and got[-1] == "<closed>"


def test_drop_after(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Reply.text("hello world", delta_size=1, drop_after=5))
    seen: list[str] = []
    with (
        pytest.raises(httpx.RemoteProtocolError),
        http.stream("POST", "/responses", json=body(stream=True)) as response,
    ):
        for line in response.iter_lines():
            seen.append(line)
    events, _, done, _ = parse_sse("\n".join(seen) + "\n")
    assert len(events) == 5 and not done
    assert http.post("/responses", json=body()).status_code == 200


def test_stall_between_events(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Reply.text("abc", delta_size=1, stall_between=0.25, stall_after=3))
    started = time.monotonic()
    _, events = stream(http)
    assert time.monotonic() - started >= 0.25
    assert deltas(events, "response.output_text.delta") == "abc"


def test_malformed_event(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Reply.text("hello", malformed_after=4))
    response = http.post("/responses", json=body(stream=True))
    events, _, done, bad = parse_sse(response.text)
    assert len(bad) == 1 and done
    check_order(events)
    assert events[-1]["response"]["output_text"] == "hello"


@pytest.mark.parametrize("shape", ["flat", "nested", "response.error"])
def test_error_events(http: httpx.Client, emu: Emulator, shape: Any) -> None:
    emu.enqueue(Reply.text("hello world", error_event_after=4, error_event_shape=shape))
    response = http.post("/responses", json=body(stream=True))
    events, _, done, _ = parse_sse(response.text)
    assert done and len(events) == 5
    error = events[-1]
    assert not any(e["type"] in TERMINAL for e in events)
    if shape == "flat":
        assert error["type"] == "error"
        assert error["code"] == "server_error" and error["message"]
    else:
        assert error["type"] == ("error" if shape == "nested" else "response.error")
        assert error["error"]["code"] == "server_error" and error["error"]["message"]


def test_failed_terminal_event(http: httpx.Client, emu: Emulator) -> None:
    emu.enqueue(Reply.failed("rate_limit_exceeded", "slow down"))
    _, events = stream(http)
    assert events[-1]["type"] == "response.failed"
    assert events[-1]["response"]["error"] == {
        "code": "rate_limit_exceeded",
        "message": "slow down",
    }


# -- request checking ------------------------------------------------------------------------

VALID_BODIES: list[dict[str, Any]] = [
    {"model": "openai/gpt-4o", "input": "hi"},
    {
        "model": "openai/gpt-4o",
        "instructions": "Be brief.",
        "input": [
            {"type": "message", "role": "system", "content": "be nice"},
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "What is in this image?"},
                    {
                        "type": "input_image",
                        "image_url": "https://x.example/a.png",
                        "detail": "auto",
                    },
                ],
            },
            {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": '{"temp": 20}'},
            {
                "type": "message",
                "role": "assistant",
                "id": "msg_1",
                "status": "completed",
                "content": [{"type": "output_text", "text": "ok", "annotations": []}],
            },
        ],
        "tools": [
            {
                "type": "function",
                "name": "get_weather",
                "description": "Weather for a city",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
                "strict": True,
            }
        ],
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "reasoning": {"effort": "high", "summary": "auto"},
        "text": {"format": {"type": "json_schema", "name": "w", "schema": {"type": "object"}}},
        "provider": {"order": ["openai"], "allow_fallbacks": True, "sort": "price"},
        "plugins": [{"id": "web", "max_results": 3}, {"id": "response-healing"}],
        "metadata": {"user": "u1"},
        "models": ["openai/gpt-4o", "anthropic/claude-sonnet-4"],
        "max_output_tokens": 100,
        "temperature": 0.2,
        "top_p": 1,
        "stream": False,
        "store": False,
        "include": ["reasoning.encrypted_content"],
        "user": "me",
        "session_id": "s-1",
    },
]


@pytest.mark.parametrize("index", range(len(VALID_BODIES)))
def test_realistic_bodies_are_valid(http: httpx.Client, emu: Emulator, index: int) -> None:
    response = http.post("/responses", json=VALID_BODIES[index])
    assert response.status_code == 200, response.text
    assert emu.requests[-1].validation_errors == []


@pytest.mark.parametrize(
    ("bad", "path", "words"),
    [
        ({"temperature": "hot"}, "temperature", "not of type"),
        (
            {"input": [{"type": "message", "role": "robot", "content": "x"}]},
            "input[0].role",
            "robot",
        ),
        ({"input": 5}, "input", "not of type"),
        ({"store": True}, "store", "False"),
        ({"tools": [{"type": "function", "name": "f", "parameters": "x"}]}, "tools[0]", "type"),
        ({"plugins": [{"id": "nope"}]}, "plugins[0].id", "nope"),
    ],
)
def test_invalid_bodies_are_rejected(
    http: httpx.Client, emu: Emulator, bad: dict[str, Any], path: str, words: str
) -> None:
    emu.enqueue(Reply.text("not for an invalid request"))
    response = http.post("/responses", json=body(**bad))
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith(path) and words in message, message
    assert len(message) < 300
    assert emu.requests[-1].validation_errors[0] == message
    assert emu.pending == 1  # rejected requests consume nothing from the queue


def test_not_json_and_previous_response_id(http: httpx.Client) -> None:
    not_json = http.post(
        "/responses", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400 and "JSON" in not_json.json()["error"]["message"]
    array = http.post("/responses", json=[1])
    assert array.status_code == 400
    previous = http.post("/responses", json=body(previous_response_id="resp_1"))
    assert previous.status_code == 400
    assert "stateless" in previous.json()["error"]["message"]
    assert http.post("/responses", json=body(previous_response_id=None)).status_code == 200


def test_validation_can_be_turned_off() -> None:
    with (
        Emulator(validate=False) as emu,
        httpx.Client(base_url=emu.url, headers={"Authorization": "Bearer sk-or-emulator"}) as c,
    ):
        assert c.post("/responses", json=body(temperature="hot")).status_code == 200


# -- recording -------------------------------------------------------------------------------


def test_requests_are_recorded_and_the_key_redacted(http: httpx.Client, emu: Emulator) -> None:
    http.post("/responses", json=body(), headers={"X-Title": "tests"})
    http.post("/responses", json=body(temperature="hot"))
    first, second = emu.requests
    assert first.method == "POST" and first.path == "/api/v1/responses"
    assert first.headers["authorization"] == "Bearer sk-or-...REDACTED"
    assert first.header("X-Title") == "tests"
    assert emu.api_key not in json.dumps(first.headers)
    assert first.json == body() and json.loads(first.body) == body()
    assert first.validation_errors == [] and first.status == 200
    assert second.validation_errors and second.status == 400
    assert first.time <= second.time <= time.monotonic()
    emu.reset()
    assert emu.requests == []


def test_an_emulator_that_records_nothing_answers_the_same(emu: Emulator) -> None:
    # Bodies a plain emulator answers (JSON, a stream, UTF-16, not JSON, invalid): the same
    # answers, and no record of them.
    requests: list[dict[str, Any]] = [
        {"json": body()},
        {"json": body(stream=True)},
        {"content": json.dumps(body()).encode("utf-16")},
        {"content": b'{"model": '},
        {"content": b"\xff\xfe\x00"},
        {"json": body(temperature="hot")},
    ]
    with Emulator(record_requests=False) as quiet:
        answers = []
        for server in (emu, quiet):
            auth = {"Authorization": f"Bearer {server.api_key}"}
            with httpx.Client(base_url=server.url, headers=auth, timeout=5) as client:
                answers.append([client.post("/responses", **r) for r in requests])
        assert quiet.requests == []
    assert len(emu.requests) == len(requests)
    for recorded, unrecorded in zip(*answers, strict=True):
        assert recorded.status_code == unrecorded.status_code
        if recorded.headers["content-type"] == "application/json":
            assert without_ids(recorded.json()) == without_ids(unrecorded.json())
        else:
            # A list, so without_ids reaches the events (it leaves tuples whole): their
            # timestamps may fall in different seconds.
            seen = [without_ids(list(parse_sse(answer.text))) for answer in (recorded, unrecorded)]
            assert seen[0] == seen[1]
    assert [r.status_code for r in answers[0]] == [200, 200, 200, 400, 400, 400]


def test_a_body_nested_too_deeply_gets_a_400_not_a_dropped_connection(emu: Emulator) -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    with Emulator(record_requests=False) as quiet:
        for server in (emu, quiet):
            auth = {"Authorization": f"Bearer {server.api_key}"}
            with httpx.Client(base_url=server.url, headers=auth, timeout=5) as client:
                answer = client.post("/responses", content=deep)
                assert answer.status_code == 400
                assert "nested too deeply" in answer.json()["error"]["message"]
                assert client.post("/responses", json=body()).status_code == 200  # still serving


def test_a_request_nobody_keeps_is_let_go_of_once_used() -> None:
    from types import SimpleNamespace

    from openrouter.testing import RecordedRequest
    from openrouter.testing._routes import Call

    for keep in (True, False):
        exchange = SimpleNamespace(body=b"{}")
        record = RecordedRequest("POST", "/r", {}, exchange.body, {})
        call = Call(exchange, record, keep_request=keep)  # type: ignore[arg-type]
        call.release_request()
        kept = (exchange.body, record.body, record.json)
        assert kept == ((b"{}", b"{}", {}) if keep else (b"", b"", None))


@pytest.mark.parametrize("streamed", [False, True], ids=["json", "stream"])
def test_status_is_recorded_before_the_answer_arrives(
    http: httpx.Client, emu: Emulator, streamed: bool
) -> None:
    # A client that has read the whole answer must find its status recorded, every time.
    request = body(stream=True) if streamed else body()
    unrecorded = 0
    for _ in range(300):
        response = http.post("/responses", json=request)
        assert response.status_code == 200
        unrecorded += emu.requests[-1].status is None
    assert unrecorded == 0


def test_oversized_bodies_are_refused_unread(emu: Emulator) -> None:
    head = (
        "POST /api/v1/responses HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {emu.api_key}\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000000000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(head.encode() + b'{"model": ')
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"Connection: close" in answer
    (record,) = emu.requests
    assert record.status == 413 and record.body == b""


# -- model fallback --------------------------------------------------------------------------


def test_models_fallback(http: httpx.Client, emu: Emulator) -> None:
    emu.fail_models({"openai/gpt-4o"})
    fallback = {"models": ["openai/gpt-4o", "anthropic/claude"], "input": "hi"}
    assert http.post("/responses", json=fallback).json()["model"] == "anthropic/claude"
    emu.enqueue(Reply.text("x", unavailable_models={"anthropic/claude"}))
    unavailable = http.post("/responses", json=fallback)
    assert unavailable.status_code == 503
    assert unavailable.json()["error"]["code"] == 503
    assert unavailable.headers["retry-after"] == "1"
    emu.fail_models("anthropic/claude")
    all_down = http.post("/responses", json=fallback)
    assert all_down.status_code == 503 and all_down.headers["retry-after"] == "1"
    assert all_down.json()["error"]["metadata"] == {"models": fallback["models"]}
    emu.restore_models()
    assert http.post("/responses", json=fallback).json()["model"] == "openai/gpt-4o"


# -- command line and pytest plugin ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_command_line_serves_until_sigint() -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "openrouter.testing", "--port", str(port), "--any-key"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/api/v1" in first_line
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/responses",
            json=body(),
            headers={"Authorization": "Bearer anything"},
            timeout=5,
        )
        assert response.json()["output_text"] == "Echo: hello there"
        process.send_signal(signal.SIGINT)
        assert process.wait(5) == 130  # stopped by Ctrl-C
        assert "Traceback" not in (process.stderr.read() if process.stderr else "")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_command_line_options() -> None:
    from openrouter.testing import DEFAULT_API_KEY
    from openrouter.testing._command import build_parser

    defaults = build_parser().parse_args([])
    assert (defaults.port, defaults.host, defaults.api_key) == (8080, "127.0.0.1", DEFAULT_API_KEY)
    assert defaults.any_key is False and defaults.validate is None and defaults.quiet is False
    parser = build_parser("openrouter emulate")
    assert parser.prog == "openrouter emulate"
    args = parser.parse_args(["--port", "0", "--api-key", "k", "--no-validate", "--quiet"])
    assert (args.port, args.api_key, args.validate, args.quiet) == (0, "k", False, True)
    assert parser.parse_args(["--any-key", "--validate"]).validate is True
    with pytest.raises(SystemExit):
        parser.parse_args(["--any-key", "--api-key", "k"])


def test_command_line_reports_a_taken_port(capsys: pytest.CaptureFixture[str]) -> None:
    from openrouter.testing._command import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--port", str(port), "--quiet", "--no-validate"]) == 1
    assert "error: cannot serve on 127.0.0.1:" in capsys.readouterr().err


def test_pytest_fixture(openrouter_emulator: Emulator) -> None:
    assert openrouter_emulator.requests == [] and openrouter_emulator.pending == 0
    openrouter_emulator.enqueue("from the fixture")
    response = httpx.post(
        openrouter_emulator.url + "/responses",
        json=body(),
        headers={"Authorization": f"Bearer {openrouter_emulator.api_key}"},
    )
    assert response.json()["output_text"] == "from the fixture"


def test_plugin_import_is_cheap() -> None:
    code = (
        "import sys, openrouter.testing.pytest_plugin; "
        "print(any(m.startswith(('jsonschema', 'http.server', 'openrouter.testing._')) "
        "for m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert output.stdout.strip() == "False", output.stderr


# -- conformance with the contract (when the OpenAPI document is at hand) --------------------

ROOT = Path(__file__).resolve().parent.parent
SPEC = Path(
    os.environ.get("OPENROUTER_OPENAPI", ROOT.parent / "shared/contract/openrouter-openapi.yaml")
)


@pytest.fixture(scope="module")
def vendor() -> Any:
    if not SPEC.exists():
        pytest.skip(f"needs ../shared/contract beside the checkout (no {SPEC})")
    pytest.importorskip("yaml")
    loader = importlib.util.spec_from_file_location(
        "vendor_request_schema", ROOT / "scripts" / "vendor_request_schema.py"
    )
    assert loader is not None and loader.loader is not None
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    module._load_yaml = openapi  # the same parse, done once for the whole run
    return module


@pytest.fixture(scope="module")
def spec(vendor: Any) -> Any:
    return openapi(SPEC)  # parsed once for the whole run (tests/_contract.py)


def test_vendored_schema_is_current(vendor: Any) -> None:
    from openrouter.testing._schema import load_schema

    assert vendor.build(SPEC) == load_schema(), "run scripts/vendor_request_schema.py"


def test_output_matches_the_contract(
    vendor: Any, spec: Any, http: httpx.Client, emu: Emulator
) -> None:
    from jsonschema import Draft202012Validator

    schemas = spec["components"]["schemas"]
    defs = {name: vendor._convert(schema, set()) for name, schema in schemas.items()}

    def validator(name: str) -> Any:
        return Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": defs})

    result_check = validator("OpenResponsesResult")
    mapping = schemas["StreamEvents"]["discriminator"]["mapping"]
    event_checks = {kind: validator(ref.rsplit("/", 1)[-1]) for kind, ref in mapping.items()}
    problems: list[str] = []
    request = {**VALID_BODIES[1], "input": "hi"}
    for name, reply in KINDS.items():
        emu.enqueue(reply, reply)
        result = http.post("/responses", json=request).json()
        problems += [
            f"{name}: {e.json_path}: {e.message}" for e in result_check.iter_errors(result)
        ]
        events, _, _, _ = parse_sse(http.post("/responses", json={**request, "stream": True}).text)
        for event in events:
            for error in event_checks[event["type"]].iter_errors(event):
                # The spec's allOf keeps the base event's part union, which lacks the
                # reasoning_text part its own extension adds; reasoning content parts are real.
                if event["type"].startswith("response.content_part.") and (
                    event["part"]["type"] == "reasoning_text"
                ):
                    continue
                problems.append(f"{name}: {event['type']}: {error.json_path}: {error.message}")
    assert problems == []
