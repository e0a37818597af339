"""The ``openrouter`` command, run against the emulator on loopback: no key, no network.

Most tests call ``openrouter.cli.main`` in this process (``run_main``) with stdin,
stdout, stderr and the environment replaced, as a fresh process would see them. A few smoke
tests start the installed command for real (``python -m openrouter``, or the ``openrouter``
script next to the interpreter): what only a process shows (signals, a closed pipe, a
terminal, a server left running). Every wait on a child has a deadline, so a hung child fails
the test instead of stalling the suite.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from openrouter.cli import main
from openrouter.testing import Emulator, Fault, Reply, _command

SCRIPT = Path(sys.executable).with_name("openrouter")
# Ctrl-C is sent as SIGINT and chat runs in a pseudo-terminal: both are POSIX-only.
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and ptys")
TIMEOUT = 15.0


def cli_env(emulator: Emulator | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    env.update(NO_COLOR="1", PYTHONIOENCODING="utf-8", TERM="dumb")
    if emulator is not None:
        env["OPENROUTER_API_KEY"] = emulator.api_key
    env.update(extra)
    return env


def run_cli(
    *args: str,
    emulator: Emulator | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    script: bool = False,
) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT)] if script else [sys.executable, "-m", "openrouter"]
    if emulator is not None:
        command += ["--base-url", emulator.url]
    return subprocess.run(
        [*command, *args],
        env=env if env is not None else cli_env(emulator),
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


@dataclass
class Done:
    """What an in-process run left: as ``subprocess.CompletedProcess`` has it."""

    returncode: int
    stdout: str
    stderr: str


@contextmanager
def fresh_logging() -> Iterator[None]:
    """Logging as a new process has it: no root handler, so ``main`` adds its own (writing to
    the replaced stderr); the loggers' handlers and levels are put back afterwards."""
    loggers = [logging.getLogger(name) for name in ("", "openrouter", "httpx")]
    levels = [logger.level for logger in loggers]
    root = loggers[0]
    handlers = root.handlers
    root.handlers = []
    try:
        yield
    finally:
        root.handlers = handlers
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def run_main(
    *args: str,
    emulator: Emulator | None = None,
    env: dict[str, str] | None = None,
    stdin: str | io.StringIO | None = None,
    stdout: io.StringIO | None = None,
) -> Done:
    """``run_cli`` in this process: the same arguments, the same kind of result."""
    env = env if env is not None else cli_env(emulator)
    words = ["--base-url", emulator.url, *args] if emulator is not None else list(args)
    out, err = stdout or io.StringIO(), io.StringIO()
    if not isinstance(stdin, io.StringIO):
        stdin = io.StringIO(stdin or "")  # a pipe, not a terminal
    # Only for the call: the test's own prints and environment come back afterwards.
    with pytest.MonkeyPatch.context() as patch, fresh_logging():
        for name in set(os.environ) - set(env):
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        patch.setattr(sys, "stdin", stdin)
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        try:
            code = main(words)
        except SystemExit as exit:  # argparse: --help, usage errors
            code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
    return Done(code, out.getvalue(), err.getvalue())


class Reader:
    """Reads a child's output fd incrementally, waiting at most ``timeout`` per expectation."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.data = b""
        self.pos = 0  # expectations match after the previous match

    def until(self, needle: bytes, timeout: float = TIMEOUT) -> bytes:
        deadline = time.monotonic() + timeout
        while True:
            found = self.data.find(needle, self.pos)
            if found >= 0:
                seen = self.data[self.pos : found + len(needle)]
                self.pos = found + len(needle)
                return seen
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {needle!r}; got {self.data!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # a pty's master reports EIO once the child has gone
                chunk = b""
            if not chunk:
                raise AssertionError(f"output ended before {needle!r}; got {self.data!r}")
            self.data += chunk


def last_body(emulator: Emulator) -> dict[str, Any]:
    body = emulator.requests[-1].json
    assert isinstance(body, dict)
    return body


# -- basics ------------------------------------------------------------------------------------


def test_importing_the_cli_and_help_load_neither_httpx_nor_pydantic() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from openrouter.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "print(sorted(m for m in ('httpx', 'pydantic') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_help_from_the_installed_script() -> None:
    assert SCRIPT.exists(), f"the console script is not installed next to {sys.executable}"
    done = run_cli("--help", script=True)
    assert done.returncode == 0
    for text in ("--emulator", "exit codes:", "openrouter -- chat", "OPENROUTER_API_KEY"):
        assert text in done.stdout
    assert "openrouter emulate [--port N]" in done.stdout


def test_chat_and_emulate_help() -> None:
    chat = run_main("chat", "--help")
    assert chat.returncode == 0 and "Ctrl-D" in chat.stdout
    emulate = run_main("emulate", "--help")
    assert emulate.returncode == 0, emulate.stderr
    assert emulate.stdout.startswith("usage: openrouter emulate ")
    assert "offline emulator" in emulate.stdout
    for option in ("--port", "--host", "--api-key", "--any-key", "--validate", "--no-validate"):
        assert option in emulate.stdout


def test_streams_text_with_the_console_script(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text(["Why did ", "the chicken", " cross?"]))
    done = run_cli(
        "Tell me a joke", "-m", "openai/gpt-4o", emulator=openrouter_emulator, script=True
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "Why did the chicken cross?\n", "")
    body = last_body(openrouter_emulator)
    assert body["model"] == "openai/gpt-4o"
    assert body["input"] == "Tell me a joke"
    assert body["stream"] is True


@posix_only
def test_text_is_written_as_it_arrives(openrouter_emulator: Emulator) -> None:
    # The stream pauses for 10 s after its first delta: that delta must be on stdout meanwhile.
    openrouter_emulator.enqueue(Reply.text(["first", " second"], stall_between=10, stall_after=5))
    proc = subprocess.Popen(
        [sys.executable, "-m", "openrouter", "--base-url", openrouter_emulator.url, "go"],
        env=cli_env(openrouter_emulator),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        Reader(proc.stdout.fileno()).until(b"first")
        assert proc.poll() is None
        # Ctrl-C mid-answer: the connection is closed and the exit code says so.
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 130
        assert b"interrupted" in err
        assert time.monotonic() - started < 5
    finally:
        proc.kill()
        proc.wait()


@posix_only
def test_closed_stdout_exits_141_quietly(openrouter_emulator: Emulator) -> None:
    # `openrouter ... | head -c 10`: the answer is bigger than a pipe's buffer, so the command
    # is still writing when the reader goes away.
    openrouter_emulator.enqueue(Reply.text("x" * 300_000, delta_size=1000))
    proc = subprocess.Popen(
        [sys.executable, "-m", "openrouter", "--base-url", openrouter_emulator.url, "go"],
        env=cli_env(openrouter_emulator),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        Reader(proc.stdout.fileno()).until(b"x" * 10)
        proc.stdout.close()
        assert proc.wait(timeout=TIMEOUT) == 141
        assert proc.stderr.read() == b""  # no traceback, no "Broken pipe" message
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_builtin_emulator_needs_no_key() -> None:
    done = run_main("--emulator", "Tell me a joke", env=cli_env())
    assert (done.returncode, done.stdout) == (0, "Echo: Tell me a joke\n"), done.stderr


def test_builtin_emulator_keeps_no_request_records(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing reads them, and they would hold every prompt until the command ends.
    import openrouter.testing

    started: list[Emulator] = []

    class Watched(Emulator):
        def start(self) -> Watched:
            started.append(self)
            return super().start()

    monkeypatch.setattr(openrouter.testing, "Emulator", Watched)
    done = run_main("--emulator", env=cli_env(), stdin="hello")
    assert (done.returncode, done.stdout) == (0, "Echo: hello\n"), done.stderr
    (emulator,) = started
    assert emulator.requests == []


def test_an_echo_longer_than_the_event_bound_completes(monkeypatch: pytest.MonkeyPatch) -> None:
    # An echo's final events repeat the whole prompt. With the SDK's bound on one event
    # lowered to 64 KiB, a 90 KB prompt's echo fails a plain client but completes through the
    # command, which lets the bound grow with what it sends.
    from openrouter import OpenRouter
    from openrouter._wire import _sse
    from openrouter.errors import StreamError

    monkeypatch.setattr(_sse, "DEFAULT_MAX_EVENT_BYTES", 64 * 1024)
    prompt = "All work and no play makes Jack a dull boy.\n" * 2000
    with Emulator() as emu, OpenRouter(api_key=emu.api_key, server_url=emu.url) as client:
        with pytest.raises(StreamError, match="too large"):
            for _ in client.responses.send(model="m", input=prompt, stream=True):
                pass
    done = run_main("--emulator", env=cli_env(), stdin=prompt)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Echo: {prompt.strip()}\n"


def test_literal_chat_prompt_after_double_dash() -> None:
    done = run_main("--emulator", "--", "chat", env=cli_env())
    assert (done.returncode, done.stdout) == (0, "Echo: chat\n"), done.stderr
    # "-m chat" is a model named chat, not the command.
    done = run_main("-m", "chat", "--emulator", "hi", env=cli_env())
    assert (done.returncode, done.stdout) == (0, "Echo: hi\n"), done.stderr


def test_prompt_from_stdin(openrouter_emulator: Emulator) -> None:
    done = run_main(emulator=openrouter_emulator, stdin="hello from a pipe\n")
    assert (done.returncode, done.stdout) == (0, "Echo: hello from a pipe\n"), done.stderr


def test_stdin_is_appended_to_the_prompt(openrouter_emulator: Emulator) -> None:
    done = run_main("Summarize:", emulator=openrouter_emulator, stdin="the context\n")
    assert done.returncode == 0, done.stderr
    assert last_body(openrouter_emulator)["input"] == "Summarize:\n\nthe context"


def test_options_reach_the_request(openrouter_emulator: Emulator) -> None:
    done = run_main(
        "hi",
        "--instructions",
        "Be brief",
        "--reasoning-effort",
        "high",
        "--max-output-tokens",
        "64",
        "--temperature",
        "0.5",
        "--header",
        "X-Test=yes",
        "--timeout",
        "5",
        emulator=openrouter_emulator,
    )
    assert done.returncode == 0, done.stderr
    body = last_body(openrouter_emulator)
    assert body["instructions"] == "Be brief"
    assert body["reasoning"] == {"effort": "high"}
    assert body["max_output_tokens"] == 64
    assert body["temperature"] == 0.5
    assert openrouter_emulator.requests[-1].header("x-test") == "yes"


def test_image_and_file_attachments(openrouter_emulator: Emulator, tmp_path: Path) -> None:
    image = tmp_path / "dot.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    doc = tmp_path / "notes.pdf"
    doc.write_bytes(b"%PDF-1.4 fake")
    done = run_main(
        "Describe", "--image", str(image), "--file", str(doc), emulator=openrouter_emulator
    )
    assert (done.returncode, done.stdout) == (0, "Echo: Describe\n"), done.stderr
    [message] = last_body(openrouter_emulator)["input"]
    assert message["role"] == "user"
    text, image_part, file_part = message["content"]
    assert text == {"type": "input_text", "text": "Describe"}
    assert image_part["type"] == "input_image"
    assert image_part["image_url"].startswith("data:image/png;base64,")
    assert base64.b64decode(image_part["image_url"].split(",", 1)[1]) == image.read_bytes()
    assert file_part["type"] == "input_file" and file_part["filename"] == "notes.pdf"
    assert file_part["file_data"].startswith("data:application/pdf;base64,")

    missing = run_main(
        "Describe", "--image", str(tmp_path / "nope.png"), emulator=openrouter_emulator
    )
    assert missing.returncode == 2
    assert missing.stderr.startswith("openrouter: error: --image")
    assert "nope.png" in missing.stderr

    not_image = run_main("Describe", "--image", str(doc), emulator=openrouter_emulator)
    assert not_image.returncode == 2
    assert not_image.stderr == (
        f"openrouter: error: --image {doc}: not an image (it looks like application/pdf); "
        f"to attach other files use --file {doc}\n"
    )


@pytest.mark.parametrize("mode", [[], ["--no-stream"]])
def test_reasoning_goes_to_stderr(openrouter_emulator: Emulator, mode: list[str]) -> None:
    openrouter_emulator.enqueue(Reply.reasoning("Thinking it over.", answer="42"))
    done = run_main("Question?", "--show-reasoning", *mode, emulator=openrouter_emulator)
    assert (done.returncode, done.stdout) == (0, "42\n")
    assert done.stderr == "Thinking it over.\n"  # NO_COLOR: not dimmed


# -- output formats ----------------------------------------------------------------------------


def test_json_lines(openrouter_emulator: Emulator) -> None:
    done = run_main("hi", "--json", emulator=openrouter_emulator)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    types = [event["type"] for event in events]
    assert types[0] == "response.created"
    assert types[-1] == "response.completed"
    assert "response.output_text.delta" in types
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert deltas == "Echo: hi"


def test_no_stream(openrouter_emulator: Emulator) -> None:
    done = run_main("hi", "--no-stream", emulator=openrouter_emulator)
    assert (done.returncode, done.stdout) == (0, "Echo: hi\n"), done.stderr
    assert "stream" not in last_body(openrouter_emulator)

    done = run_main("hi", "--no-stream", "--json", emulator=openrouter_emulator)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["object"] == "response" and result["status"] == "completed"


@pytest.mark.parametrize("mode", [[], ["--no-stream"]])
def test_usage(openrouter_emulator: Emulator, mode: list[str]) -> None:
    openrouter_emulator.enqueue(Reply.text("ok", usage={"input_tokens": 7, "cost": 0.00125}))
    done = run_main("hi", "--usage", *mode, emulator=openrouter_emulator)
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr
    assert done.stderr.startswith("openrouter: usage: 7 input + ")
    assert "cost $0.00125" in done.stderr


# -- errors ------------------------------------------------------------------------------------


def test_missing_key() -> None:
    done = run_main("hi", env=cli_env())
    assert done.returncode == 3
    assert done.stderr.startswith("openrouter: error: no API key")
    assert "OPENROUTER_API_KEY" in done.stderr and "--emulator" in done.stderr
    assert "Traceback" not in done.stderr


def test_wrong_key(openrouter_emulator: Emulator) -> None:
    env = cli_env(OPENROUTER_API_KEY="sk-or-wrong-secret-key")
    done = run_main("hi", emulator=openrouter_emulator, env=env)
    assert done.returncode == 4
    assert done.stderr.startswith("openrouter: error: 401")
    assert len(done.stderr.splitlines()) == 1
    assert "sk-or-wrong-secret-key" not in done.stderr

    debug = run_main("hi", "--debug", emulator=openrouter_emulator, env=env)
    assert debug.returncode == 4
    assert "Traceback" in debug.stderr
    assert "sk-or-wrong-secret-key" not in debug.stderr


def test_no_credits(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Fault.status(402))
    done = run_main("hi", emulator=openrouter_emulator)
    assert done.returncode == 5
    assert done.stderr.startswith("openrouter: error: 402")
    assert "openrouter.ai/" in done.stderr  # where to add credits


def test_rate_limited_without_retries(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Fault.status(429, retry_after=30), times=3)
    started = time.monotonic()
    done = run_main("hi", "--no-retry", emulator=openrouter_emulator)
    assert done.returncode == 6
    assert done.stderr.startswith("openrouter: error: 429")
    assert len(openrouter_emulator.requests) == 1
    assert time.monotonic() - started < 5


def test_other_api_error(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Fault.status(400, "bad things"))
    done = run_main("hi", emulator=openrouter_emulator)
    assert done.returncode == 8
    assert "bad things" in done.stderr


def test_network_error() -> None:
    # A port that was just free: nothing listens there, so the connection is refused at once.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/v1"
    done = run_main("hi", "--no-retry", "--base-url", url, env=cli_env(OPENROUTER_API_KEY="k"))
    assert done.returncode == 7, done.stderr
    assert done.stderr.startswith("openrouter: error: ")


def test_stream_cut_off_and_failed(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text(["partial", " rest"], drop_after=5))
    done = run_main("hi", emulator=openrouter_emulator)
    assert (done.returncode, done.stdout) == (9, "partial\n")
    assert done.stderr.startswith("openrouter: error: ")

    openrouter_emulator.enqueue(Reply.text("x", error_event_after=3))
    done = run_main("hi", emulator=openrouter_emulator)
    assert done.returncode == 9
    assert "Upstream provider error" in done.stderr


def test_incomplete(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text("cut of", status="incomplete"))
    done = run_main("hi", emulator=openrouter_emulator)
    assert (done.returncode, done.stdout) == (10, "cut of\n")
    assert "max_output_tokens" in done.stderr


def test_bad_settings_are_usage_errors_in_one_line(openrouter_emulator: Emulator) -> None:
    # The SDK's ConfigurationError / RequestValidationError: nothing was sent, so exit 2 (not
    # 7, network), named by the option or variable the user set rather than the SDK argument.
    key = openrouter_emulator.api_key
    cases = [
        (["--base-url", "ftp://example.com"], key, "--base-url / OPENROUTER_BASE_URL: scheme"),
        (["--base-url", "example.com/api"], key, "--base-url / OPENROUTER_BASE_URL: must start"),
        (
            ["--base-url", "http://[::1/api"],
            key,
            "--base-url / OPENROUTER_BASE_URL: has an unclosed",
        ),
        (["--base-url", "http://h:abc/api"], key, "--base-url / OPENROUTER_BASE_URL: has a port"),
        (["--base-url", "http://a b/api"], key, "--base-url / OPENROUTER_BASE_URL: has white"),
        (["--base-url", openrouter_emulator.url], key[:3] + "\n" + key[3:], "OPENROUTER_API_KEY:"),
        (["--base-url", openrouter_emulator.url, "-H", "X-A=a\nb"], key, "--header: "),
    ]
    for options, api_key, message in cases:
        done = run_main(*options, "hi", env=cli_env(OPENROUTER_API_KEY=api_key))
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"openrouter: error: {message}"), done.stderr
        assert len(done.stderr.splitlines()) == 1
        assert key[3:] not in done.stderr  # the key is never shown
    assert openrouter_emulator.requests == []


def test_usage_errors() -> None:
    done = run_main(env=cli_env())
    assert done.returncode == 2 and "no prompt" in done.stderr
    done = run_main("--reasoning-effort", "extreme", "hi", env=cli_env())
    assert done.returncode == 2 and done.stderr.startswith("openrouter: error:")
    done = run_main("--emulator", "--base-url", "http://x", "hi", env=cli_env())
    assert done.returncode == 2


# -- chat --------------------------------------------------------------------------------------


def test_chat_from_a_pipe() -> None:
    done = run_main("chat", "--emulator", "--usage", stdin="one\n\ntwo\n", env=cli_env())
    assert (done.returncode, done.stdout) == (0, "Echo: one\nEcho: two\n"), done.stderr
    lines = done.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["usage", "usage", "session total"]
    assert lines[-1].endswith("over 2 requests")


class UnreadableStdin(io.StringIO):
    """A chat that reads its first line before checking the key would fail this test."""

    def readline(self, size: int | None = -1) -> str:
        raise AssertionError("stdin was read")


def test_chat_checks_the_key_before_the_first_prompt() -> None:
    done = run_main("chat", env=cli_env(), stdin=UnreadableStdin())
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr.startswith("openrouter: error: no API key")
    assert "Traceback" not in done.stderr
    # An empty key counts as none; --emulator needs no key at all.
    done = run_main("chat", env=cli_env(OPENROUTER_API_KEY=" "), stdin=UnreadableStdin())
    assert done.returncode == 3
    done = run_main("chat", "--emulator", env=cli_env(), stdin="hi\n")
    assert (done.returncode, done.stdout) == (0, "Echo: hi\n"), done.stderr


def test_chat_slash_commands_are_never_sent(openrouter_emulator: Emulator) -> None:
    emu = openrouter_emulator
    emu.enqueue(Reply.text("one", usage={"input_tokens": 3, "output_tokens": 1}))
    lines = [
        "/usage",  # nothing yet
        "/help",
        "first",
        "/usage",
        "/model",
        "/model test/other",
        "second",
        "/reset",
        "third",
        "/nonsense",
        "//etc/hosts",
        "/exit",
        "never sent",
    ]
    done = run_main("chat", "-m", "test/first", emulator=emu, stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "one\nEcho: second\nEcho: third\nEcho: /etc/hosts\n"
    sent = [r.json for r in emu.requests]
    assert [body["model"] for body in sent] == ["test/first", *["test/other"] * 3]
    # /reset started a new conversation: "third" goes alone, without the turns before it.
    assert len(sent[1]["input"]) == 3 and len(sent[2]["input"]) == 1
    assert sent[2]["input"][0]["content"] == "third"
    assert sent[3]["input"][-1]["content"] == "/etc/hosts"

    err = done.stderr
    assert err.startswith("[no replies yet]\ncommands:\n  /help ")
    for command in ("/exit", "/reset", "/model [NAME]", "/usage"):
        assert f"  {command} " in err
    assert "[session total: 3 input + 1 output = " in err
    assert "[model: test/first]\n[model: test/other]\n" in err
    assert "[conversation cleared]" in err
    assert "unknown command /nonsense; nothing was sent\ncommands:\n" in err
    assert err.count("commands:\n") == 2


class ClosedPipe(io.StringIO):
    """A stdout whose reader went away after ``limit`` characters (``| head -c``)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, text: str) -> int:
        if self.tell() + len(text) > self.limit:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_chat_exits_141_when_stdout_is_closed(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text("a short one"), Reply.text("x" * 1000))
    done = run_main(
        "chat", emulator=openrouter_emulator, stdin="one\ntwo\nthree\n", stdout=ClosedPipe(100)
    )
    assert (done.returncode, done.stderr) == (141, "")  # quiet, as in the one-shot mode
    assert len(openrouter_emulator.requests) == 2  # "three" was never sent


def test_help_lists_every_exit_code() -> None:
    for args in (["--help"], ["chat", "--help"]):
        done = run_main(*args, env=cli_env())
        assert done.returncode == 0
        codes = done.stdout.split("exit codes:\n", 1)[1]
        listed = [int(line.split()[0]) for line in codes.splitlines() if line.strip()]
        assert listed == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 130, 141]


@posix_only
def test_chat_on_a_terminal(openrouter_emulator: Emulator) -> None:
    import pty

    emu = openrouter_emulator
    emu.enqueue(
        Reply.text("First answer."),
        Reply.text(["Slow", " never shown"], stall_between=10, stall_after=5),
        Reply.text("Second answer."),
    )
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "openrouter", "chat", "--base-url", emu.url],
        env=cli_env(emu),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    try:
        out = Reader(master)
        out.until(b"/help lists commands")
        out.until(b"> ")
        os.write(master, b"Hello there\n")
        out.until(b"First answer.")
        out.until(b"> ")

        # Ctrl-C during a reply cancels that reply only.
        os.write(master, b"Take your time\n")
        out.until(b"Slow")
        proc.send_signal(signal.SIGINT)
        out.until(b"[reply cancelled]")
        out.until(b"> ")

        os.write(master, b"And now?\n")
        out.until(b"Second answer.")
        out.until(b"> ")
        os.write(master, b"\x04")  # Ctrl-D: end of input
        assert proc.wait(timeout=TIMEOUT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)

    first, _, third = (r.json for r in emu.requests)
    assert first["input"] == [{"type": "message", "role": "user", "content": "Hello there"}]
    # The third request carries the first turn (question and answer); the cancelled turn is gone.
    history = third["input"]
    assert history[0] == first["input"][0]
    assert history[1]["type"] == "message" and history[1]["role"] == "assistant"
    assert history[1]["content"][0]["text"] == "First answer."
    assert history[2]["content"] == "And now?"
    assert len(history) == 3


# -- emulate -----------------------------------------------------------------------------------


@posix_only
def test_emulate_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "openrouter", "emulate", "--port", "0", "--quiet"],
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        banner = Reader(proc.stdout.fileno()).until(b"/api/v1").decode()
        url = banner[banner.index("http://") :]
        done = run_main("--base-url", url, "ping", env=cli_env(OPENROUTER_API_KEY="sk-or-emulator"))
        assert (done.returncode, done.stdout) == (0, "Echo: ping\n"), done.stderr
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=TIMEOUT) == 130  # stopped by Ctrl-C, as a shell reports it
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_emulate_and_python_m_openrouter_testing_share_one_parser() -> None:
    emulate = run_main("emulate", "--help")
    standalone = io.StringIO()
    with redirect_stdout(standalone), pytest.raises(SystemExit) as exit:
        _command.main(["--help"])
    assert exit.value.code == 0
    assert standalone.getvalue().startswith("usage: python -m openrouter.testing ")

    # The usage lines wrap by the program's name; everything after them is the same.
    def body(text: str, prog: str) -> str:
        return text.split("\n\n", 1)[1].replace(prog, "PROG")

    assert body(emulate.stdout, "openrouter emulate") == body(
        standalone.getvalue(), "python -m openrouter.testing"
    )


def test_emulate_options_reach_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    def serve(port: int, host: str, api_key: str | None, **options: Any) -> None:
        calls.append((port, host, api_key, options))

    monkeypatch.setattr(_command, "_serve", serve)
    assert run_main("emulate", env=cli_env()).returncode == 0
    args = ("emulate", "--port", "0", "--host", "0.0.0.0", "--any-key", "--no-validate", "--quiet")
    assert run_main(*args, env=cli_env()).returncode == 0
    assert run_main("emulate", "--api-key", "sk-mine", "--validate", env=cli_env()).returncode == 0
    assert run_main("emulate", "--credit-limit", "0.5", env=cli_env()).returncode == 0
    unlimited = {"credit_limit": None}
    assert calls == [
        (8080, "127.0.0.1", "sk-or-emulator", {"validate": None, "quiet": False, **unlimited}),
        (0, "0.0.0.0", None, {"validate": False, "quiet": True, **unlimited}),
        (8080, "127.0.0.1", "sk-mine", {"validate": True, "quiet": False, **unlimited}),
        (
            8080,
            "127.0.0.1",
            "sk-or-emulator",
            {"validate": None, "quiet": False, "credit_limit": 0.5},
        ),
    ]


def test_emulate_exits_130_on_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(port: int, host: str, api_key: str | None, **options: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_command, "_serve", interrupted)
    assert run_main("emulate", "--quiet", env=cli_env()).returncode == 130
    assert _command.main(["--quiet"]) == 130  # python -m openrouter.testing
    # The library function still returns normally: only the commands report the signal.
    assert _command.serve(0, quiet=True) is None


def test_emulate_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def port_taken(port: int, host: str, api_key: str | None, **options: Any) -> None:
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(_command, "_serve", port_taken)
    done = run_main("emulate", "--port", "8080", env=cli_env())
    assert done.returncode == 1
    assert done.stderr == (
        "openrouter emulate: error: cannot serve on 127.0.0.1:8080: Address already in use\n"
    )
    for args in (["--port", "x"], ["--api-key", "k", "--any-key"], ["--validate", "--no-validate"]):
        done = run_main("emulate", *args, env=cli_env())
        assert done.returncode == 2 and "openrouter emulate: error:" in done.stderr
    # A prompt option before "emulate" is an error, not silently dropped.
    done = run_main("--json", "emulate", env=cli_env())
    assert done.returncode == 2 and "--json" in done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _post(url: str, body: dict[str, Any]) -> tuple[int, str]:
    """POST as curl does (curl itself when installed, else the stdlib's raw HTTP client)."""
    data = json.dumps(body)
    auth = "Authorization: Bearer sk-or-emulator"
    if shutil.which("curl"):
        done = subprocess.run(
            ["curl", "-sS", "-N", "-w", "\n%{http_code}", url, "-H", auth,
             "-H", "Content-Type: application/json", "-d", data],
            capture_output=True, text=True, timeout=TIMEOUT,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        text, _, status = done.stdout.rpartition("\n")
        return int(status), text
    import http.client
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=TIMEOUT)
    try:
        conn.request(
            "POST", parts.path, data, {"Authorization": auth.split(": ")[1],
                                       "Content-Type": "application/json"}
        )  # fmt: skip
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


@posix_only
def test_emulate_on_a_fixed_port_answers_curl() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [str(SCRIPT), "emulate", "--port", str(port)],
        env=cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        Reader(proc.stdout.fileno()).until(f"127.0.0.1:{port}/api/v1".encode())
        url = f"http://127.0.0.1:{port}/api/v1/responses"

        status, text = _post(url, {"model": "openai/gpt-4o", "input": "hi"})
        assert status == 200, text
        result = json.loads(text)
        assert result["object"] == "response" and result["status"] == "completed"
        assert result["output"][0]["content"][0]["text"] == "Echo: hi"

        status, text = _post(url, {"model": "openai/gpt-4o", "input": "hi", "stream": True})
        assert status == 200, text
        data = [line[6:] for line in text.splitlines() if line.startswith("data: ")]
        assert data[-1] == "[DONE]"
        events = [json.loads(d) for d in data[:-1]]
        assert events[0]["type"] == "response.created"
        assert events[-1]["type"] == "response.completed"
        deltas = [e["delta"] for e in events if e["type"] == "response.output_text.delta"]
        assert "".join(deltas) == "Echo: hi"

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=TIMEOUT) == 143  # 128 + SIGTERM, as for any stopped process
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
