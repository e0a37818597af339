"""Servers for the benchmarks, run in a child process so their CPU time never counts against
the client.

``emulator_process`` runs the SDK's emulator. ``static_process`` runs a minimal HTTP/1.1
keep-alive server (asyncio, no emulator) that answers every POST with one pre-built body: a
stream framed as the service frames it (``event: <type>`` line, then ``data: {...}``), or a
JSON response when the request body does not ask for a stream. It costs the server almost
nothing per request, so client-side differences are what the figures show; it also serves
1,000 concurrent connections from one thread.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_EMULATOR_SCRIPT = """
import sys, threading
from openrouter.testing import Emulator, Reply
# Nothing here reads the request records; kept, they grow with every round and slow the
# emulator's garbage collection, which both sides wait on.
emu = Emulator(api_key=None, validate=False, record_requests=False)
{setup}
emu.start()
print(emu.url, flush=True)
sys.stdin.read()  # serve until the parent closes our stdin
emu.stop()
"""

_STATIC_SCRIPT = r"""
import asyncio, sys
stream_body = open(sys.argv[1], "rb").read()
json_body = open(sys.argv[2], "rb").read()
CHUNK = 64 * 1024

def chunked(body):
    out = [b"%x\r\n%b\r\n" % (len(body[i:i + CHUNK]), body[i:i + CHUNK])
           for i in range(0, len(body), CHUNK)]
    return b"".join(out) + b"0\r\n\r\n"

STREAM = (b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
          b"transfer-encoding: chunked\r\n\r\n" + chunked(stream_body))
JSON = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
        % len(json_body) + json_body)

async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length) if length else b""
            wants_stream = b'"stream":true' in body.replace(b" ", b"")
            writer.write(STREAM if wants_stream else JSON)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        pass  # the client left, or we are shutting down
    finally:
        writer.close()

async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=2048)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}/api/v1", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # serve until stdin closes

asyncio.run(main())
"""


@contextmanager
def _child(args: list[str]) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"server did not start: {url!r}")
        yield url
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


@contextmanager
def emulator_process(setup: str = "") -> Iterator[str]:
    """Yields the base URL of an emulator running in a child process."""
    with _child(["-c", _EMULATOR_SCRIPT.format(setup=setup)]) as url:
        yield url


@contextmanager
def static_process(stream_body: bytes, json_body: bytes | None = None) -> Iterator[str]:
    """Yields the base URL of a static server: streams get ``stream_body``, other requests
    ``json_body`` (a completed response by default)."""
    if json_body is None:
        json_body = _dumps(response_snapshot("completed", "hello")).encode()
    with tempfile.TemporaryDirectory() as folder:
        paths = [os.path.join(folder, "stream"), os.path.join(folder, "json")]
        for path, data in zip(paths, (stream_body, json_body), strict=True):
            with open(path, "wb") as file:
                file.write(data)
        with _child(["-c", _STATIC_SCRIPT, *paths]) as url:
            yield url


def response_snapshot(status: str, text: str) -> dict[str, Any]:
    output = []
    if status == "completed":
        output = [_message(text, "completed")]
    return {
        "id": "resp_bench",
        "object": "response",
        "created_at": 1795683494,
        "completed_at": 1795683494 if status == "completed" else None,
        "status": status,
        "model": "openai/gpt-4o",
        "output": output,
        "error": None,
        "incomplete_details": None,
        "usage": {
            "input_tokens": 1,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 1,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 2,
        }
        if status == "completed"
        else None,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "text": {"format": {"type": "text"}},
    }


def _message(text: str, status: str) -> dict[str, Any]:
    content = [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]
    return {
        "type": "message",
        "id": "msg_bench",
        "role": "assistant",
        "status": status,
        "content": content if text else [],
    }


def service_stream(deltas: int, delta: str = "abcd") -> bytes:
    """A text response of ``deltas`` deltas, framed as the service frames it: each event an
    ``event: <type>`` line and a ``data:`` line, then ``data: [DONE]``."""
    text = delta * deltas
    at = {"item_id": "msg_bench", "output_index": 0, "content_index": 0}
    part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
    started, finished = _message("", "in_progress"), _message(text, "completed")
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": response_snapshot("in_progress", "")},
        {"type": "response.in_progress", "response": response_snapshot("in_progress", "")},
        {"type": "response.output_item.added", "output_index": 0, "item": started},
        {"type": "response.content_part.added", **at, "part": part},
    ]
    head = len(events)
    done_part = {**part, "text": text}
    tail: list[dict[str, Any]] = [
        {"type": "response.output_text.done", **at, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **at, "part": done_part},
        {"type": "response.output_item.done", "output_index": 0, "item": finished},
        {"type": "response.completed", "response": response_snapshot("completed", text)},
    ]
    frames: list[str] = []
    for seq, event in enumerate(events):
        frames.append(_frame({**event, "sequence_number": seq}))
    fixed = _dumps({"type": "response.output_text.delta", **at, "logprobs": []})[:-1]
    for seq in range(head, head + deltas):
        # The same bytes json.dumps would give, built without a dict per delta.
        frames.append(
            f"event: response.output_text.delta\ndata: {fixed},"
            f'"delta":{_dumps(delta)},"sequence_number":{seq}}}\n\n'
        )
    for seq, event in enumerate(tail, head + deltas):
        frames.append(_frame({**event, "sequence_number": seq}))
    frames.append("data: [DONE]\n\n")
    return "".join(frames).encode()


def _frame(event: dict[str, Any]) -> str:
    return f"event: {event['type']}\ndata: {_dumps(event)}\n\n"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))  # compact, as the service sends it
