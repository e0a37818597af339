"""Cassettes: record through the emulator from an upstream, replay offline.

The upstream standing in for OpenRouter is a second emulator (there is no network here). Each
acceptance test records a session through a recording emulator, stops the upstream, replays the
same session from the cassette, and compares everything the client saw.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from _inprocess import run_pytest_inprocess
from openrouter import OpenRouter, errors
from openrouter.testing import Cassette, Emulator, Fault, Match, RecordMode, Reply
from openrouter.testing._cassette_file import (
    RECORD_MODES,
    CassetteFormatError,
    load_episodes,
    split_events,
)
from openrouter.testing._command import main as command_main
from openrouter.testing.pytest_plugin import RECORD_MODES as PLUGIN_RECORD_MODES
from openrouter.utils import BackoffStrategy, RetryConfig

SECRET = "sk-or-v1-0123456789abcdef-upstream-secret"
FAST_RETRY = RetryConfig("backoff", BackoffStrategy(10, 50, 2.0, 5_000))

Transcript = list[Any]


@pytest.fixture
def upstream() -> Iterator[Emulator]:
    with Emulator(api_key=SECRET) as emulator:
        yield emulator


def recorder(upstream: Emulator, path: Path, mode: RecordMode = "once", **options: Any) -> Emulator:
    cassette = Cassette(
        path, record_mode=mode, upstream=upstream.url, upstream_api_key=SECRET, **options
    )
    return Emulator(cassette=cassette)


def client_for(emulator: Emulator) -> OpenRouter:
    return OpenRouter(api_key=emulator.api_key, server_url=emulator.url, retry_config=FAST_RETRY)


def dump(value: Any) -> Any:
    return value.to_dict() if hasattr(value, "to_dict") else repr(value)


def failure(exc: BaseException) -> tuple[str, Any, str]:
    return (type(exc).__name__, getattr(exc, "status_code", None), str(exc))


# -- one session, played sync and async ------------------------------------------------------


def script(upstream: Emulator) -> None:
    """What the upstream answers, in order (the order of ``session``'s requests)."""
    upstream.enqueue(
        Reply.text("Paris."),
        Reply.text("Hello there, streaming world"),
        Fault.status(402, "Insufficient credits"),
        Fault.status(429, "slow down", retry_after=0.01),
        Reply.text("after the retry"),
        Reply.text("a long answer " * 20).with_options(drop_after=6),
        Reply.function_call("get_weather", {"city": "Paris"}, call_id="call_1"),
        Reply.failed("server_error", "the model crashed"),
        Fault.reset(),
    )


def session(client: OpenRouter) -> Transcript:
    seen: Transcript = []
    seen.append(dump(client.responses.send(model="m", input="capital of France?")))
    with client.responses.send(model="m", input="stream please", stream=True) as stream:
        events = [dump(event) for event in stream]
    seen.append(("stream", events, dump(stream.get_final_response())))
    for prompt in ("no credits", "rate limited"):
        try:
            seen.append(dump(client.responses.send(model="m", input=prompt)))
        except errors.OpenRouterError as exc:
            seen.append(failure(exc))
    cut: list[Any] = []
    try:
        with client.responses.send(model="m", input="cut me", stream=True) as stream:
            cut.extend(dump(event) for event in stream)
    except errors.StreamInterruptedError as exc:
        seen.append(("cut", cut, exc.event_count))
    seen.append(dump(client.responses.send(model="m", input="weather?")))
    failed: list[Any] = []
    try:
        with client.responses.send(model="m", input="fail", stream=True) as stream:
            failed.extend(dump(event) for event in stream)
    except errors.StreamFailedError as exc:
        seen.append(("failed stream", failed, failure(exc)))
    try:
        client.responses.send(model="m", input="reset")
    except errors.APIConnectionError as exc:
        seen.append(type(exc).__name__)
    return seen


async def session_async(client: OpenRouter) -> Transcript:
    seen: Transcript = []
    seen.append(dump(await client.responses.send_async(model="m", input="capital of France?")))
    stream = await client.responses.send_async(model="m", input="stream please", stream=True)
    async with stream:
        events = [dump(event) async for event in stream]
    seen.append(("stream", events, dump(await stream.get_final_response())))
    for prompt in ("no credits", "rate limited"):
        try:
            seen.append(dump(await client.responses.send_async(model="m", input=prompt)))
        except errors.OpenRouterError as exc:
            seen.append(failure(exc))
    cut: list[Any] = []
    try:
        stream = await client.responses.send_async(model="m", input="cut me", stream=True)
        async with stream:
            async for event in stream:
                cut.append(dump(event))
    except errors.StreamInterruptedError as exc:
        seen.append(("cut", cut, exc.event_count))
    seen.append(dump(await client.responses.send_async(model="m", input="weather?")))
    failed: list[Any] = []
    try:
        stream = await client.responses.send_async(model="m", input="fail", stream=True)
        async with stream:
            async for event in stream:
                failed.append(dump(event))
    except errors.StreamFailedError as exc:
        seen.append(("failed stream", failed, failure(exc)))
    try:
        await client.responses.send_async(model="m", input="reset")
    except errors.APIConnectionError as exc:
        seen.append(type(exc).__name__)
    return seen


def record_then_replay(
    upstream: Emulator, path: Path, play: Callable[[OpenRouter], Transcript]
) -> tuple[Transcript, Transcript]:
    script(upstream)
    with recorder(upstream, path) as emu, client_for(emu) as client:
        recorded = play(client)
    assert emu.cassette is not None and emu.cassette.misses == []
    assert upstream.pending == 0
    upstream.stop()  # from here on, nothing could reach it
    with Emulator(cassette=path) as emu, client_for(emu) as client:
        replayed = play(client)
    assert emu.cassette is not None and emu.cassette.misses == []
    assert emu.cassette.replayed == len(load_episodes(path))
    return recorded, replayed


def check_session(recorded: Transcript) -> None:
    """The session saw what the upstream was scripted to say (so the comparison means much)."""
    assert recorded[0]["output_text"] == "Paris."
    assert recorded[1][2]["output_text"] == "Hello there, streaming world"
    assert recorded[1][1][0]["type"] == "response.created"
    assert recorded[2][:2] == ("PaymentRequiredResponseError", 402)
    assert recorded[3]["output_text"] == "after the retry"
    assert recorded[4][0] == "cut" and recorded[4][2] == 6 and len(recorded[4][1]) == 6
    assert recorded[5]["output"][0]["type"] == "function_call"
    assert recorded[6][0] == "failed stream" and recorded[6][1][-1]["type"] == "response.failed"
    assert recorded[7] == "APIConnectionError"


def test_sync_session_replays_identically(upstream: Emulator, tmp_path: Path) -> None:
    recorded, replayed = record_then_replay(upstream, tmp_path / "s.jsonl", session)
    check_session(recorded)
    assert replayed == recorded


def test_async_session_replays_identically(upstream: Emulator, tmp_path: Path) -> None:
    def play(client: OpenRouter) -> Transcript:
        return asyncio.run(session_async(client))

    recorded, replayed = record_then_replay(upstream, tmp_path / "a.jsonl", play)
    check_session(recorded)
    assert replayed == recorded


def test_a_cassette_recorded_sync_replays_async(upstream: Emulator, tmp_path: Path) -> None:
    recorded, _ = record_then_replay(upstream, tmp_path / "s.jsonl", session)
    with Emulator(cassette=tmp_path / "s.jsonl") as emu, client_for(emu) as client:
        assert asyncio.run(session_async(client)) == recorded


# -- the bytes -------------------------------------------------------------------------------


def raw_stream(emulator: Emulator, body: dict[str, Any]) -> tuple[int, str, bytes]:
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    with httpx.stream(
        "POST", emulator.url + "/responses", json=body, headers=headers, timeout=10
    ) as response:
        data = b""
        try:
            for chunk in response.iter_raw():
                data += chunk
        except httpx.RemoteProtocolError:
            data += b"<cut>"
        return response.status_code, response.headers["content-type"], data


def test_streams_replay_byte_for_byte(upstream: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "bytes.jsonl"
    upstream.enqueue(
        Reply.text("héllo wörld ✓ " * 5).with_options(keepalive=2),
        Reply.text("cut " * 30).with_options(drop_after=4),
    )
    whole = {"model": "m", "input": "x", "stream": True}
    cut = {**whole, "input": "y"}
    with recorder(upstream, path) as emu:
        recorded = [raw_stream(emu, whole), raw_stream(emu, cut)]
    upstream.stop()
    with Emulator(cassette=path) as emu:
        replayed = [raw_stream(emu, whole), raw_stream(emu, cut)]
    assert replayed == recorded
    assert b": OPENROUTER PROCESSING" in recorded[0][2]
    assert recorded[1][2].endswith(b"<cut>") and b"response.completed" not in recorded[1][2]
    # The file holds the stream as its SSE text, one event per line.
    episodes = load_episodes(path)
    assert episodes[0].events is not None and episodes[0].end == "done"
    assert "".join(text for text, _ in episodes[0].events).encode() == recorded[0][2]
    assert episodes[1].end == "cut"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    events = [line["event"] for line in lines if "event" in line]
    assert all(e.startswith((":", "event:", "data:")) and e.endswith("\n\n") for e in events)


def test_a_recorded_stream_reaches_the_client_as_it_arrives(
    upstream: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "live.jsonl"
    upstream.enqueue(Reply.text("slow answer").with_options(stall_between=1.0, stall_after=3))
    headers = {"Authorization": "Bearer sk-or-emulator"}
    body = {"model": "m", "input": "x", "stream": True}
    with recorder(upstream, path) as emu:
        started = time.monotonic()
        arrivals: list[float] = []
        url = emu.url + "/responses"
        with httpx.stream("POST", url, json=body, headers=headers, timeout=10) as response:
            for _ in response.iter_lines():
                arrivals.append(time.monotonic() - started)
    # Relative, not absolute, times: a recorder that held the stream back would deliver the
    # first and last events together, however loaded the machine is.
    assert arrivals[-1] - arrivals[0] >= 0.8, "the first event waited for the whole stream"
    events = load_episodes(path)[0].events
    assert events is not None and events[-1][1] - events[0][1] >= 0.8
    # Replayed as fast as possible, or with the recorded pacing (which sleeps >= 0.8 s).
    for pacing, fast in ((False, True), (True, False)):
        with Emulator(cassette=Cassette(path, pacing=pacing)) as emu:
            started = time.monotonic()
            assert raw_stream(emu, body)[0] == 200
            assert (time.monotonic() - started < 0.8) is fast


# -- scrubbing -------------------------------------------------------------------------------


def test_secrets_and_scrubbed_fields_are_never_written(upstream: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "scrub.jsonl"
    upstream.enqueue(
        Reply.text(f"your key is {SECRET}").with_options(
            headers={"Set-Cookie": "session=cookie-from-upstream", "X-Private": "private-resp"}
        )
    )
    body = {
        "model": "m",
        "input": "hi",
        "user": "user-secret-123",
        "metadata": {"session": "session-secret-456", "run": "1"},
    }
    headers = {
        "Authorization": "Bearer sk-or-emulator",
        "Cookie": "id=cookie-secret-789",
        "X-Title": "title-secret-000",
    }
    options: dict[str, Any] = {
        "scrub_headers": ["X-Title", "x-private"],
        "scrub_fields": ["user", "metadata.session"],
    }
    with recorder(upstream, path, **options) as emu:
        sent = httpx.post(emu.url + "/responses", json=body, headers=headers)
    assert sent.status_code == 200
    # What reached the upstream was the real key and the real values.
    assert upstream.requests[0].json["user"] == "user-secret-123"
    text = path.read_text()
    for secret in (SECRET, "user-secret", "session-secret", "cookie-secret", "title-secret"):
        assert secret not in text
    assert "cookie-from-upstream" not in text and "private-resp" not in text
    assert "<scrubbed>" in text
    assert json.loads(text.splitlines()[1])["request"]["body"]["metadata"]["run"] == "1"
    # The same request, secrets and all, still matches its scrubbed recording.
    upstream.stop()
    with Emulator(cassette=Cassette(path, **options)) as emu:
        again = httpx.post(emu.url + "/responses", json=body, headers=headers)
    assert again.status_code == 200
    assert again.json()["output_text"] == "your key is <scrubbed>"


# -- misses ----------------------------------------------------------------------------------


def test_a_miss_fails_loudly_with_a_diff(upstream: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "miss.jsonl"
    upstream.enqueue("Paris.")
    with recorder(upstream, path) as emu, client_for(emu) as client:
        client.responses.send(model="openai/gpt-4o", input="Capital of France?")
    with Emulator(cassette=path) as emu, client_for(emu) as client:
        with pytest.raises(errors.OpenRouterError) as info:
            client.responses.send(model="openai/gpt-4o", input="Capital of Spain?")
        assert emu.cassette is not None and len(emu.cassette.misses) == 1
    message = str(info.value)
    assert getattr(info.value, "status_code", None) == 404
    assert str(path) in message and "Closest recorded request" in message
    assert '-  "input": "Capital of France?",' in message
    assert '+  "input": "Capital of Spain?",' in message
    assert len(upstream.requests) == 1, "a miss must never reach the upstream"


def test_each_recording_plays_once_in_order(upstream: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "twice.jsonl"
    upstream.enqueue("first", "second")
    with recorder(upstream, path) as emu, client_for(emu) as client:
        for _ in range(2):
            client.responses.send(model="m", input="same")
    with Emulator(cassette=path) as emu, client_for(emu) as client:
        texts = [client.responses.send(model="m", input="same").output_text for _ in range(2)]
        assert texts == ["first", "second"]
        with pytest.raises(errors.OpenRouterError, match="all replayed already"):
            client.responses.send(model="m", input="same")


def test_a_missing_cassette_says_how_to_record_it(tmp_path: Path) -> None:
    with Emulator(cassette=tmp_path / "nope.jsonl") as emu, client_for(emu) as client:
        with pytest.raises(errors.OpenRouterError, match=r"does not exist.*record mode 'once'"):
            client.responses.send(model="m", input="hi")
    assert not (tmp_path / "nope.jsonl").exists()


def test_matchers(upstream: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "match.jsonl"
    upstream.enqueue("recorded", times=3)
    first: dict[str, Any] = {"model": "m", "input": "hi", "metadata": {"run": "1"}}
    first["temperature"] = 0.5
    with recorder(upstream, path) as emu, client_for(emu) as client:
        client.responses.send(**first)
    later = {**first, "metadata": {"run": "2"}}
    other = {**later, "temperature": 0.9}
    cases: list[tuple[Match | None, dict[str, Any], bool]] = [
        (None, first, True),
        (None, later, False),
        (Match(ignore=["metadata"]), later, True),
        (Match(ignore=["metadata.run"]), later, True),
        (Match(ignore=["metadata"]), other, False),
        (Match(only=["model", "input"]), other, True),
        (Match(only="input"), {**other, "model": "x"}, True),
        (Match(body=False), {**other, "input": "bye"}, True),
    ]
    for match, request, hit in cases:
        with Emulator(cassette=Cassette(path, match=match)) as emu, client_for(emu) as client:
            with contextlib.suppress(errors.OpenRouterError):
                client.responses.send(**request)
            assert emu.cassette is not None
            assert (emu.cassette.misses == []) is hit, (match, request)


# -- record modes ----------------------------------------------------------------------------


def ask(emulator: Emulator, text: str) -> str:
    with client_for(emulator) as client:
        try:
            return client.responses.send(model="m", input=text).output_text
        except errors.OpenRouterError:
            return "<miss>"


def test_record_modes(upstream: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "modes.jsonl"
    upstream.default_reply = Reply.text("live")

    def run(mode: RecordMode, *texts: str) -> list[str]:
        with recorder(upstream, path, mode) as emu:
            return [ask(emu, text) for text in texts]

    def recorded_inputs() -> list[Any]:
        return [episode.body["input"] for episode in load_episodes(path)]

    assert run("none", "a") == ["<miss>"] and not path.exists()
    assert run("once", "a", "b") == ["live", "live"]
    assert recorded_inputs() == ["a", "b"] and len(upstream.requests) == 2
    upstream.default_reply = Reply.text("changed")
    # once, with the file there: replay only
    assert run("once", "a", "c") == ["live", "<miss>"] and len(upstream.requests) == 2
    # new_episodes: replay what is there, record the rest
    assert run("new_episodes", "b", "c") == ["live", "changed"]
    assert recorded_inputs() == ["a", "b", "c"] and len(upstream.requests) == 3
    # all: everything from the upstream, and the file holds only this session
    assert run("all", "c", "d") == ["changed", "changed"]
    assert recorded_inputs() == ["c", "d"] and len(upstream.requests) == 5
    assert run("none", "c", "d", "a") == ["changed", "changed", "<miss>"]
    assert RECORD_MODES == PLUGIN_RECORD_MODES == ("none", "once", "new_episodes", "all")


def test_recording_without_a_key_fails_clearly(
    upstream: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    cassette = Cassette(tmp_path / "k.jsonl", record_mode="once", upstream=upstream.url)
    with Emulator(cassette=cassette) as emu:
        sent = httpx.post(
            emu.url + "/responses",
            json={"model": "m", "input": "hi"},
            headers={"Authorization": f"Bearer {emu.api_key}"},
        )
    assert sent.status_code == 500 and "OPENROUTER_API_KEY" in sent.text
    assert cassette.misses and upstream.requests == []
    assert not (tmp_path / "k.jsonl").exists()


def test_an_unreachable_upstream_or_itself_is_not_recorded(tmp_path: Path) -> None:
    path = tmp_path / "u.jsonl"
    options: dict[str, Any] = {"record_mode": "once", "upstream_api_key": SECRET}
    cassette = Cassette(path, upstream="http://127.0.0.1:9/api/v1", **options)
    with Emulator(cassette=cassette) as emu:
        assert ask(emu, "hi") == "<miss>"
    assert "unreachable" in cassette.misses[0] and not path.exists()
    cassette = Cassette(path, **options)
    # Any key: the forwarded request would be accepted, and forwarded again, and again...
    with Emulator(api_key=None, cassette=cassette) as emu:
        cassette.upstream = emu.url
        assert ask(emu, "hi") == "<miss>"
    assert "this emulator itself" in cassette.misses[0] and not path.exists()


def test_queued_replies_come_before_the_cassette(upstream: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    upstream.enqueue("recorded")
    with recorder(upstream, path) as emu:
        assert ask(emu, "hi") == "recorded"
    with Emulator(cassette=path) as emu:
        emu.enqueue(Fault.status(402))
        assert ask(emu, "hi") == "<miss>"  # the scripted failure
        assert ask(emu, "hi") == "recorded"


def test_emulator_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="record_mode"):
        Cassette(tmp_path / "x.jsonl", record_mode="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs a cassette"):
        Emulator(record_mode="once")
    with pytest.raises(ValueError, match="to the Cassette"):
        Emulator(cassette=Cassette(tmp_path / "x.jsonl"), record_mode="all")
    emulator = Emulator(cassette=tmp_path / "x.jsonl", record_mode="all")
    assert emulator.cassette is not None and emulator.cassette.record_mode == "all"
    assert Emulator().cassette is None


def test_a_broken_file_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"openrouter_cassette": 1}\n{"response": {"status": 200}}\n')
    with pytest.raises(CassetteFormatError, match=r"bad.jsonl:2: 'response' before any request"):
        Cassette(path)
    path.write_text('{"request": {"method": "POST", "path": "/"}}\nnot json\n')
    with pytest.raises(CassetteFormatError, match=r"bad.jsonl:2: not JSON"):
        Cassette(path)
    path.write_text('{"openrouter_cassette": 1}\n' + "[" * 200_000 + "]" * 200_000 + "\n")
    with pytest.raises(CassetteFormatError, match=r"bad.jsonl:2: not JSON: .*nested too deeply"):
        Cassette(path)


def test_split_events_keeps_every_byte() -> None:
    data = b": ping\n\ndata: {}\r\n\r\ndata: x\n\ndata: tail"
    events, rest = split_events(data)
    assert events == [b": ping\n\n", b"data: {}\r\n\r\n", b"data: x\n\n"] and rest == b"data: tail"
    assert b"".join(events) + rest == data


# -- pytest and the command line ----------------------------------------------------------------

PYTEST_FILE = """
import pytest
from openrouter import OpenRouter, errors
from openrouter.testing import Emulator

QUESTION = "Capital of France?"


@pytest.mark.openrouter_cassette("capital")
def test_capital(openrouter_client: OpenRouter) -> None:
    res = openrouter_client.responses.send(model="openai/gpt-4o", input=QUESTION)
    assert res.output_text == "Paris."


@pytest.mark.openrouter_cassette("shared")
class TestShared:
    def test_one(self, openrouter_client: OpenRouter) -> None:
        assert openrouter_client.responses.send(model="m", input="one").output_text

    def test_two(self, openrouter_client: OpenRouter, openrouter_emulator: Emulator) -> None:
        assert openrouter_emulator.cassette is not None
        assert openrouter_client.responses.send(model="m", input="two").output_text


@pytest.mark.openrouter_cassette
def test_default_name_swallowing_errors(openrouter_client: OpenRouter) -> None:
    try:
        openrouter_client.responses.send(model="m", input=QUESTION + "!")
    except errors.OpenRouterError:
        pass
"""


@pytest.fixture
def run_pytest(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[int, str]]:
    """Runs pytest on the files in ``pytester.path`` (in this process) with the service at the
    given URL; returns the exit status and the output."""

    def run(upstream_url: str, *args: str) -> tuple[int, str]:
        monkeypatch.setenv("OPENROUTER_BASE_URL", upstream_url)
        monkeypatch.setenv("OPENROUTER_API_KEY", SECRET)
        done = run_pytest_inprocess(pytester, monkeypatch, *args)
        return int(done.ret), "\n".join(done.outlines)

    return run


def test_the_pytest_marker_records_then_replays(
    upstream: Emulator, pytester: pytest.Pytester, run_pytest: Callable[..., tuple[int, str]]
) -> None:
    tests = pytester.path / "tests"
    tests.mkdir()
    (tests / "test_app.py").write_text(PYTEST_FILE)
    upstream.default_reply = Reply.text("Paris.")
    status, out = run_pytest(upstream.url, "--openrouter-record-mode=once")
    assert status == 0, out
    cassettes = tests / "cassettes"
    names = sorted(p.name for p in cassettes.iterdir())
    assert names == ["capital.jsonl", "shared.jsonl", "test_default_name_swallowing_errors.jsonl"]
    assert [e.body["input"] for e in load_episodes(cassettes / "shared.jsonl")] == ["one", "two"]
    assert len(upstream.requests) == 4
    assert SECRET not in "".join(p.read_text() for p in cassettes.iterdir())

    upstream.stop()  # replay (the default mode) needs no upstream and no key
    status, out = run_pytest("http://127.0.0.1:9/api/v1")
    assert status == 0, out
    assert "4 passed" in out

    # A changed request fails its test with the diff, even where the code swallows the error.
    (tests / "test_app.py").write_text(PYTEST_FILE.replace("France", "Spain"))
    status, out = run_pytest("http://127.0.0.1:9/api/v1")
    assert status == 1
    assert "2 failed, 2 passed" in out, out
    assert "test_default_name_swallowing_errors - Failed: openr" in out
    assert '+  "input": "Capital of Spain?!"' in out
    assert '-  "input": "Capital of France?!"' in out
    assert "could not be answered" in out and "Closest recorded request" in out
    assert out.count("Closest recorded request") == 2, "the diff is shown once per miss"


def test_the_cassette_directory_is_configurable(
    upstream: Emulator, pytester: pytest.Pytester, run_pytest: Callable[..., tuple[int, str]]
) -> None:
    root = pytester.path
    (root / "pytest.ini").write_text("[pytest]\nopenrouter_cassette_dir = recorded/here\n")
    (root / "test_app.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.openrouter_cassette("hello", record_mode="once")
            def test_hello(openrouter_client):
                assert openrouter_client.responses.send(model="m", input="hi").output_text
            """
        )
    )
    status, out = run_pytest(upstream.url)
    assert status == 0, out
    assert (root / "recorded" / "here" / "hello.jsonl").exists()
    # Options for every cassette come from a fixture a conftest.py can override.
    (root / "conftest.py").write_text(
        textwrap.dedent(
            """
            import pytest
            from openrouter.testing import Match

            @pytest.fixture
            def openrouter_cassette_options():
                return {"match": Match(ignore=["metadata"])}
            """
        )
    )
    (root / "test_app.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.openrouter_cassette("hello")
            def test_hello(openrouter_client):
                res = openrouter_client.responses.send(model="m", input="hi", metadata={"a": "b"})
                assert res.output_text
            """
        )
    )
    upstream.stop()
    status, out = run_pytest("http://127.0.0.1:9/api/v1")
    assert status == 0, out
    status, out = run_pytest("http://127.0.0.1:9/api/v1", "--markers")
    assert "@pytest.mark.openrouter_cassette(name=None, **options)" in out


def test_the_command_line_replays_a_cassette(upstream: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "cli.jsonl"
    upstream.enqueue("from the cassette")
    with recorder(upstream, path) as emu:
        assert ask(emu, "hi") == "from the cassette"
    upstream.stop()
    cmd = [sys.executable, "-m", "openrouter.testing", "--port", "0", "--quiet"]
    cmd += ["--cassette", str(path), "--match-ignore", "metadata"]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            url = server.stdout.readline().split()[-1]
            server.stdout.readline()
            assert server.stdout.readline().startswith(f"Replaying cassette {path}")
            with OpenRouter(api_key="sk-or-emulator", server_url=url) as client:
                res = client.responses.send(model="m", input="hi", metadata={"x": "y"})
            assert res.output_text == "from the cassette"
        finally:
            server.terminate()


def test_the_command_line_needs_a_cassette_to_record(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        command_main(["--record-mode", "once"])
    assert stopped.value.code == 2 and "need --cassette" in capsys.readouterr().err
