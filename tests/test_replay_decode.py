"""Every real recorded stream in the shared replay set decodes as a plain line-by-line reading of
it says it should: same events, same order, same types, whatever the chunking, and through the
stream core the same typed events with a terminal one.

The recordings live outside the repository (``../shared/replay`` next to the checkout, or
``$OPENROUTER_REPLAY_DIR``) and are read in place, never copied; without them these tests skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from openrouter._streaming import _StreamCore
from openrouter._wire._sse import SSEDecoder
from openrouter.components import UnknownEvent, parse_event


def _replay_dir() -> Path:
    configured = os.environ.get("OPENROUTER_REPLAY_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "shared" / "replay"


CASES = _replay_dir() / "cases"


def _sse_cases() -> list[Any]:
    manifest = CASES / "manifest.json"
    if not manifest.is_file():
        reason = f"needs ../shared/replay (the recorded streams): {manifest} is missing"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-recordings")]
    cases = json.loads(manifest.read_text())
    return [pytest.param(case, id=case["name"]) for case in cases if case["kind"] == "sse"]


def reference_decode(body: bytes) -> list[tuple[str, str]]:
    """The (type, data) of each event, read the simplest way: whole text, line by line."""
    text = body.decode("utf-8", "replace").removeprefix("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines.pop()  # after the last line end: an unterminated line, which never counts
    events: list[tuple[str, str]] = []
    data: list[str] = []
    kind = ""
    for line in lines:
        if not line:
            if data:
                events.append((kind or "message", "\n".join(data)))
            data, kind = [], ""
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "event":
            kind = value
    return events


def _chunked(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


@pytest.mark.parametrize("case", _sse_cases())
def test_recorded_stream_decodes_like_the_reference(case: dict[str, Any]) -> None:
    body = (CASES / case["file"]).read_bytes()
    expected = reference_decode(body)
    assert expected, "a recording with no events"
    assert expected[-1] == ("message", "[DONE]") or expected[-1][0].startswith("response.")

    for size in (len(body), 65536, 1000, 7):
        decoder = SSEDecoder()
        got = [(e.event, e.data) for chunk in _chunked(body, size) for e in decoder.feed(chunk)]
        assert got == expected, f"chunks of {size} bytes"
        decoder = SSEDecoder()
        datas = [d for chunk in _chunked(body, size) for d in decoder.feed_data(chunk)]
        assert [d.decode("utf-8", "replace") for d in datas] == [d for _, d in expected]

    for kind, data in expected:
        if data == "[DONE]":
            continue
        event = parse_event(data)
        event_type = json.loads(data)["type"]
        assert event.type == event_type
        if kind != "message":  # the service's own `event:` line names the same type
            assert kind == event_type
        if isinstance(event, UnknownEvent):
            assert event.raw == json.loads(data)


@pytest.mark.parametrize("case", _sse_cases())
def test_recorded_stream_through_the_stream_core(case: dict[str, Any]) -> None:
    body = (CASES / case["file"]).read_bytes()
    types = [json.loads(data)["type"] for _, data in reference_decode(body) if data != "[DONE]"]
    response = httpx.Response(200, headers={"content-type": case["content_type"]})
    for size in (65536, 100):
        core = _StreamCore(response, raise_errors=False)
        events = [event for chunk in _chunked(body, size) for event in core.feed(chunk)]
        assert [event.type for event in events] == types
        assert core.event_count == len(types)
        assert not core.malformed_events
        assert core.terminal_type is not None or core.failure is not None
        assert core.final_response() is not None
