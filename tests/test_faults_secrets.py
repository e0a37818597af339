"""Fault matrix, secrets and configuration: the key never shows, mistakes fail at once.

Every output channel is checked for the key: exception messages and reprs, tracebacks printed
with their locals (``pytest --showlocals``, Sentry), the prepared request's repr, DEBUG logs, and
``openrouter --debug``. Configuration mistakes raise ``ConfigurationError`` before any byte
leaves the process: the servers here count zero requests and the call returns at once.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import openrouter
from faultkit import KEY, MODE_IDS, MODES, Mode, closed_port, raw_server, run
from openrouter import OpenRouter, errors
from openrouter.cli import main
from openrouter.testing import Emulator, Fault
from openrouter.utils import RetryConfig

modes = pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
MARK = "5ecret"  # a part of KEY: no channel may show even a piece of it
SDK_DIR = str(Path(openrouter.__file__).parent)


def chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


TESTS_DIR = str(Path(__file__).parent)


def with_locals(exc: BaseException) -> str:
    """What ``TracebackException(..., capture_locals=True)`` shows of the whole chain: every
    message, and the locals of every frame but the tests' own (which hold the key they pass)."""
    shown: list[str] = []
    pending = [traceback.TracebackException(type(exc), exc, exc.__traceback__, capture_locals=True)]
    while pending:
        te = pending.pop()
        shown.extend(te.format_exception_only())
        for frame in te.stack:
            if not frame.filename.startswith(TESTS_DIR):
                shown.append(f"{frame.filename}:{frame.name}: {frame.locals}")
        pending.extend(link for link in (te.__cause__, te.__context__) if link is not None)
    return "\n".join(shown)


def sdk_locals(exc: BaseException) -> str:
    """The repr of every local of every SDK frame in the exception's whole chain."""
    lines: list[str] = []
    for link in chain(exc):
        tb = link.__traceback__
        while tb is not None:
            frame = tb.tb_frame
            if frame.f_code.co_filename.startswith(SDK_DIR):
                for name, value in dict(frame.f_locals).items():
                    lines.append(f"{frame.f_code.co_name}: {name} = {value!r}")
            tb = tb.tb_next
    return "\n".join(lines)


def assert_clean(text: str) -> None:
    assert KEY not in text and MARK not in text


def caught(call: Callable[[], object]) -> BaseException:
    with pytest.raises(Exception) as info:
        call()
    return info.value


# -- the key, as given ------------------------------------------------------------------------


@modes
@pytest.mark.parametrize("given", [KEY + "\n", f"  {KEY}\r\n", f"\t{KEY} "])
def test_a_key_with_surrounding_white_space_is_stripped_and_works(mode: Mode, given: str) -> None:
    with Emulator(api_key=KEY) as emu:  # answers 401 to any other key
        result = run(mode, emu.url, api_key=given)
        assert len(emu.requests) == 1
    final = result[-1].response if mode.stream else result
    assert final.status == "completed"


def test_a_key_from_the_environment_or_a_callable_is_stripped_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Emulator(api_key=KEY) as emu:
        monkeypatch.setenv("OPENROUTER_API_KEY", KEY + "\n")
        with OpenRouter(server_url=emu.url) as sdk:
            assert sdk.responses.send(model="m", input="hi").status == "completed"
        with OpenRouter(api_key=lambda: KEY + "\n", server_url=emu.url) as sdk:
            assert sdk.responses.send(model="m", input="hi").status == "completed"


BAD_KEYS = {
    "lf-inside": KEY[:12] + "\n" + KEY[12:],
    "cr-inside": KEY[:12] + "\r" + KEY[12:],
    "crlf-inside": KEY[:12] + "\r\nX-Injected: 1" + KEY[12:],
    "non-ascii": KEY[:12] + "é" + KEY[12:],
    "zero-width-space": KEY + "\u200b" + "x",
    "nul": KEY[:12] + "\x00" + KEY[12:],
}


@pytest.mark.parametrize("bad", list(BAD_KEYS.values()), ids=list(BAD_KEYS))
def test_a_key_that_cannot_be_a_header_fails_at_construction_without_showing_it(bad: str) -> None:
    start = time.monotonic()
    exc = caught(lambda: OpenRouter(api_key=bad, server_url="http://127.0.0.1:9"))
    assert time.monotonic() - start < 1
    assert isinstance(exc, errors.ConfigurationError)
    assert isinstance(exc, errors.RequestValidationError)
    assert exc.field == "api_key"
    assert "position" in str(exc)
    assert_clean(str(exc))
    assert_clean(repr(exc))
    assert_clean(repr(exc.args))
    assert_clean(sdk_locals(exc))
    # A traceback with locals can be built at all (repr of the half-built client works).
    with_locals(exc)


@modes
@pytest.mark.parametrize("bad", [BAD_KEYS["lf-inside"], BAD_KEYS["non-ascii"]], ids=["lf", "é"])
def test_a_callable_key_that_cannot_be_a_header_fails_before_sending(mode: Mode, bad: str) -> None:
    with Emulator() as emu:
        exc = caught(lambda: run(mode, emu.url, api_key=lambda: bad))  # type: ignore[arg-type]
        assert emu.requests == []
    assert isinstance(exc, errors.ConfigurationError)
    assert_clean(str(exc))
    assert_clean(sdk_locals(exc))


# -- tracebacks with locals -------------------------------------------------------------------


@modes
def test_a_401_traceback_with_locals_never_shows_the_key(mode: Mode) -> None:
    with Emulator(api_key="sk-or-the-right-one") as emu:
        exc = caught(lambda: run(mode, emu.url, api_key=KEY))
    assert isinstance(exc, errors.UnauthorizedResponseError)
    shown = with_locals(exc)
    assert "_transport.py" in shown and "prepared" in shown  # the SDK's frames, with locals
    assert_clean(shown)


@modes
def test_a_connection_refused_traceback_with_locals_never_shows_the_key(mode: Mode) -> None:
    exc = caught(lambda: run(mode, f"http://127.0.0.1:{closed_port()}/api/v1"))
    assert isinstance(exc, errors.APIConnectionError)
    shown = with_locals(exc)
    assert "httpcore" in shown  # the whole chain, third-party frames included
    assert_clean(shown)


@modes
def test_a_bad_header_value_traceback_with_locals_never_shows_the_key(mode: Mode) -> None:
    with Emulator() as emu:
        exc = caught(lambda: run(mode, emu.url, http_headers={"X-Count": 3}))
        assert emu.requests == []
    assert isinstance(exc, errors.RequestValidationError)
    assert_clean(with_locals(exc))


@modes
def test_an_unsendable_header_never_shows_the_key_or_the_header_value(mode: Mode) -> None:
    token = " tok-" + "h1dden" * 4  # h11 refuses a value with a leading space
    with Emulator() as emu:
        exc = caught(lambda: run(mode, emu.url, http_headers={"X-Token": token}))
        assert emu.requests == []
    assert isinstance(exc, errors.APIConnectionError)
    assert exc.request_sent is False
    # Every message in the chain (the SDK's, httpx's, httpcore's, h11's) ...
    printed = "".join(traceback.format_exception(exc))
    assert_clean(printed)
    assert "h1dden" not in printed
    # ... and every local of the SDK's frames. (h11's own frames hold the encoded headers, and
    # on Python < 3.13 one of its objects cannot even be repr()'d half-built.)
    assert_clean(sdk_locals(exc))


# -- reprs and logs ---------------------------------------------------------------------------


def test_reprs_of_the_client_and_the_prepared_request_hide_the_key() -> None:
    sdk = OpenRouter(api_key=KEY, server_url="http://127.0.0.1:9/api/v1")
    prepared = sdk.build_request("POST", "/responses", json={"model": "m", "input": "hi"})
    assert prepared.headers["Authorization"] == f"Bearer {KEY}"  # the value itself is intact
    for shown in (
        repr(prepared),
        str(prepared),
        repr(prepared.headers),
        repr(sdk),
        repr(vars(sdk)),
    ):
        assert_clean(shown)
    assert "Authorization" in repr(prepared) or "authorization" in repr(prepared).lower()


@modes
def test_debug_logging_never_prints_the_key(mode: Mode, caplog: pytest.LogCaptureFixture) -> None:
    for name in ("openrouter", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    with Emulator(api_key=KEY) as emu:
        emu.enqueue(Fault.status(503, retry_after=0), "after a retry")
        fast = RetryConfig("backoff")
        fast.backoff.initial_interval_ms = 10
        run(mode, emu.url, client={"retry_config": fast})
        assert len(emu.requests) == 2
    assert "attempt=2" in caplog.text
    assert_clean(caplog.text)
    for record in caplog.records:
        assert_clean(repr(record.args))


@contextmanager
def cli_process(env: dict[str, str]) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """``openrouter.cli.main`` as a fresh process would see it: this environment, pipes for
    stdin/stdout/stderr, and no logging handler yet (so ``--debug`` sets up its own)."""
    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    loggers = [logging.getLogger(name) for name in ("", "openrouter", "httpx")]
    levels = [logger.level for logger in loggers]
    handlers = root.handlers
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("OPENROUTER_")]:
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        patch.setattr(sys, "stdin", io.StringIO(""))
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        root.handlers = []
        try:
            yield out, err
        finally:
            root.handlers = handlers
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)


def cli(*args: str, env: dict[str, str]) -> tuple[int, str]:
    with cli_process(env) as (out, err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


def test_cli_debug_with_the_emulator_never_prints_the_key() -> None:
    code, output = cli("--debug", "--emulator", "Tell me a joke", env={"OPENROUTER_API_KEY": KEY})
    assert code == 0
    assert "DEBUG" in output and "Echo: Tell me a joke" in output
    assert_clean(output)


@pytest.mark.parametrize("right_key", [True, False], ids=["answered", "401"])
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "no-stream"])
def test_cli_debug_against_a_server_never_prints_the_key(right_key: bool, stream: bool) -> None:
    with Emulator(api_key=KEY if right_key else "sk-or-another") as emu:
        args = ["--debug", "--base-url", emu.url, "hello"]
        if not stream:
            args.insert(0, "--no-stream")
        code, output = cli(*args, env={"OPENROUTER_API_KEY": KEY + "\n"})
        assert len(emu.requests) == 1
    assert code == (0 if right_key else 4)
    assert "DEBUG" in output
    assert_clean(output)


# -- configuration mistakes fail at once, are never retried, never echo credentials -----------


def test_a_server_url_with_credentials_is_refused_without_echoing_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with raw_server(lambda conn: None) as server:
        url = f"http://admin:hunter2-pa55@127.0.0.1:{server.port}/api/v1"
        attempts: list[Callable[[], object]] = [
            lambda: OpenRouter(api_key=KEY, server_url=url),
            lambda: run(MODES[0], server.url, server_url=url),
            lambda: run(MODES[3], server.url, server_url=url),
        ]
        for attempt in attempts:
            exc = caught(attempt)
            assert isinstance(exc, errors.ConfigurationError)
            assert exc.field == "server_url"
            assert "user:password@" in str(exc)
            assert "hunter2" not in str(exc) and "hunter2" not in repr(exc)
        monkeypatch.setenv("OPENROUTER_BASE_URL", url)
        exc = caught(lambda: OpenRouter(api_key=KEY))
        assert isinstance(exc, errors.ConfigurationError)
        assert "hunter2" not in str(exc)
        code, output = cli("--base-url", url, "hi", env={"OPENROUTER_API_KEY": KEY})
        assert code == 2
        assert "hunter2" not in output
        assert_clean(output)
        assert server.accepted == 0


BAD_URLS = {
    "no-scheme": "127.0.0.1:{port}/api/v1",
    "host-port-only": "localhost:{port}",
    "ftp": "ftp://127.0.0.1:{port}/api/v1",
    "ws": "ws://127.0.0.1:{port}/api/v1",
    "no-host": "http://",
    "empty-host": "http:///api/v1",
    "port-only": "http://:{port}/api/v1",
    "spaces": "   ",
}


@pytest.mark.parametrize("template", list(BAD_URLS.values()), ids=list(BAD_URLS))
def test_a_bad_server_url_fails_at_once_and_is_never_retried(template: str) -> None:
    with raw_server(lambda conn: None) as server:
        bad = template.format(port=server.port)
        start = time.monotonic()
        exc = caught(lambda: OpenRouter(api_key=KEY, server_url=bad))
        assert isinstance(exc, errors.ConfigurationError) and exc.field == "server_url"
        for mode in MODES:  # per call, with retries on: still at once
            exc = caught(
                lambda mode=mode: run(
                    mode, server.url, client={"retry_config": RetryConfig()}, server_url=bad
                )
            )
            assert isinstance(exc, errors.ConfigurationError), exc
        assert time.monotonic() - start < 1
        code, _ = cli("--base-url", bad, "hi", env={"OPENROUTER_API_KEY": KEY})
        assert code == 2  # a usage error, not a network one
        assert server.accepted == 0


BAD_TIMEOUTS: list[Any] = [0, -1, -0.5, float("nan"), float("inf"), "100", True, [100]]


@pytest.mark.parametrize("bad", BAD_TIMEOUTS, ids=[repr(b) for b in BAD_TIMEOUTS])
def test_a_bad_timeout_fails_at_once(bad: Any) -> None:
    with raw_server(lambda conn: None) as server:
        start = time.monotonic()
        exc = caught(lambda: OpenRouter(api_key=KEY, server_url=server.url, timeout_ms=bad))
        assert isinstance(exc, errors.ConfigurationError) and exc.field == "timeout_ms"
        for mode in MODES:
            exc = caught(lambda mode=mode: run(mode, server.url, timeout_ms=bad))
            assert isinstance(exc, errors.ConfigurationError), exc
        assert time.monotonic() - start < 1
        assert server.accepted == 0


BAD_RETRIES: list[Any] = ["none", {"strategy": "none"}, 3, RetryConfig]


@pytest.mark.parametrize("bad", BAD_RETRIES, ids=["str", "dict", "int", "the-class"])
def test_retries_that_are_not_a_retry_config_fail_at_once(bad: Any) -> None:
    with raw_server(lambda conn: None) as server:
        start = time.monotonic()
        exc = caught(lambda: OpenRouter(api_key=KEY, server_url=server.url, retry_config=bad))
        assert isinstance(exc, errors.ConfigurationError) and exc.field == "retry_config"
        for mode in MODES:
            exc = caught(lambda mode=mode: run(mode, server.url, retries=bad))
            assert isinstance(exc, errors.ConfigurationError), exc
            assert exc.field == "retries"
        assert time.monotonic() - start < 1
        assert server.accepted == 0
