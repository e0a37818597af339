"""``openrouter models`` and ``--usage``'s fallback to the generation record, against the
emulator, in-process."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from openrouter.cli import main
from openrouter.testing import Emulator, Fault, Reply


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *words: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("NO_COLOR", "1")
    try:
        code = main(list(words))
    except SystemExit as exit:  # argparse: --help, usage errors
        code = exit.code if isinstance(exit.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_models_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(capsys, monkeypatch, "models", "--emulator")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["MODEL", "CONTEXT", "INPUT", "$/M", "OUTPUT", "$/M"]
    gpt = next(line for line in lines if line.startswith("openai/gpt-4o "))
    assert gpt.split() == ["openai/gpt-4o", "128,000", "2.50", "10.00"]
    assert any(line.startswith("google/gemini-2.5-flash-image") for line in lines) is not False


def test_models_search_and_supports(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, monkeypatch, "models", "--emulator", "--supports", "tools,reasoning")
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines()[1:]]
    assert ids == ["anthropic/claude-sonnet-4", "google/gemini-2.5-flash", "openrouter/echo"]
    code, out, _ = run(
        capsys, monkeypatch, "models", "GEMINI", "--emulator", "--supports", "vision"
    )
    assert [line.split()[0] for line in out.splitlines()[1:]] == [
        "google/gemini-2.5-flash",
        "google/gemini-2.5-flash-image",
    ]
    code, out, err = run(capsys, monkeypatch, "models", "nothing-like-this", "--emulator")
    assert (code, out) == (0, "")
    assert "no model matches" in err


def test_models_price_and_context_filters(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        capsys, monkeypatch, "models", "--emulator", "--max-input-price", "0.2",
        "--max-output-price", "1",
    )  # fmt: skip
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines()[1:]]
    assert ids == ["openai/gpt-4o-mini", "meta-llama/llama-3.3-70b-instruct"]
    code, out, _ = run(capsys, monkeypatch, "models", "--emulator", "--min-context", "1000000")
    assert [line.split()[0] for line in out.splitlines()[1:]] == [
        "google/gemini-2.5-flash",
        "openrouter/echo",
    ]


def test_models_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "models", "--emulator", "--json", "--supports", "pdf")
    assert code == 0
    models = json.loads(out)
    assert all("file" in m["architecture"]["input_modalities"] for m in models)
    assert models[0]["id"] == "openai/gpt-4o"
    assert models[0]["pricing"]["prompt"] == "0.0000025"


def test_models_usage_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "models", "--emulator", "--supports", "telepathy")
    assert code == 2
    assert "unknown capability 'telepathy'" in err
    code, out, _ = run(capsys, monkeypatch, "models", "--help")
    assert code == 0
    assert out.startswith("usage: openrouter models ")
    assert "--supports" in out


def test_models_against_a_server_and_its_errors(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    openrouter_emulator: Emulator,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", openrouter_emulator.api_key)
    base = ["models", "--base-url", openrouter_emulator.url]
    code, out, _ = run(capsys, monkeypatch, *base, "--all-modalities", "image")
    assert code == 0 and "google/gemini-2.5-flash-image" in out
    assert "output_modalities=all" in openrouter_emulator.requests[-1].path
    openrouter_emulator.enqueue_for("GET /models", Fault.status(500))
    code, _, err = run(capsys, monkeypatch, *base, "--no-retry")
    assert code == 8
    assert err.startswith("openrouter: error: ")


def test_usage_falls_back_to_the_generation_record(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    openrouter_emulator: Emulator,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", openrouter_emulator.api_key)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a pipe with nothing in it
    openrouter_emulator.enqueue(Reply.text("ok", usage={"input_tokens": 1000, "cost": None}))
    code, out, err = run(
        capsys, monkeypatch, "--base-url", openrouter_emulator.url, "-m", "openai/gpt-4o",
        "--no-stream", "--usage", "hi",
    )  # fmt: skip
    assert (code, out) == (0, "ok\n"), err
    # 1000 input tokens at $2.50/M and 1 output token at $10/M, from the record.
    assert "cost $0.00251" in err
    assert openrouter_emulator.requests[-1].path.startswith("/api/v1/generation?id=gen-")


def test_models_emulator_in_a_fresh_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "openrouter", "models", "--emulator", "claude"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert "anthropic/claude-sonnet-4" in done.stdout
