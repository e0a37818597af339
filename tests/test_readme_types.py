"""Every ```python block of the README type-checks under ``mypy --strict`` as a user's own file
would (no project config, no pydantic plugin), so the documented patterns stay typed: the
streaming loop narrows on ``event.type``, results are read without unchecked ``None``s.

All blocks, plus a few typing probes of the SDK's own, are checked in one mypy run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from openrouter.components import UnknownEvent, parse_event

pytest.importorskip("mypy")

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.S | re.M)

# What the README promises about narrowing, stated with ``assert_type`` so a regression is an
# error even where a README block would still pass (e.g. through an ``Any``).
PROBES = """
from typing_extensions import assert_type

from openrouter import OpenRouter, operations
from openrouter import components as c


def on_event(event: c.StreamEvents) -> str:
    if event.type == "response.output_text.delta":
        assert_type(event, c.TextDeltaEvent)
        return event.delta
    if event.type == "response.completed":
        assert_type(event, c.StreamEventsResponseCompleted)
        return event.response.output_text
    if isinstance(event, c.UnknownEvent):
        real_type: str = event.type     # still a str for the checker
        return real_type + str(event.raw)
    return ""


def companion_results(client: OpenRouter) -> None:
    assert_type(client.models.list(), c.ModelsListResponse)
    assert_type(client.models.list().data[0], c.Model)
    assert_type(client.models.count().data.count, int)
    assert_type(client.endpoints.list(author="a", slug="b"), operations.ListEndpointsResponse)
    assert_type(client.generations.get_generation(id="g").data.total_cost, float)
    assert_type(client.credits.get_credits(), operations.GetCreditsResponse)
    assert_type(client.api_keys.get_current_key_metadata().data.limit, float | None)
    assert_type(client.responses.send(model="m", input="x").generation_id, str | None)
    raw = client.models.with_raw_response.list(supported_parameters=["tools"])
    assert_type(raw, operations.RawResponse[c.ModelsListResponse])
    sent = client.responses.with_raw_response.send(model="m", input="x")
    assert_type(sent.parse(), c.OpenResponsesResult)
    assert_type(c.PublicPricing(prompt="0", completion="0").estimate_cost(1, 1), float | None)


async def companion_results_async(client: OpenRouter) -> None:
    assert_type(await client.models.list_async(), c.ModelsListResponse)
    raw = await client.credits.with_raw_response.get_credits_async()
    assert_type(raw.parse(), operations.GetCreditsResponse)


def on_item(item: c.OutputItems) -> str:
    if item.type == "function_call":
        assert_type(item, c.OutputFunctionCallItem)
        return item.call_id
    return item.type
"""


def _block_file(index: int) -> str:
    return f"readme_block_{index:02d}.py"


def test_readme_blocks_type_check(tmp_path: Path) -> None:
    assert len(BLOCKS) >= 10
    src = tmp_path / "src"
    src.mkdir()
    for index, code in enumerate(BLOCKS):
        (src / _block_file(index)).write_text(code)
    (src / "typing_probes.py").write_text(PROBES)
    cmd = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--config-file=",  # a user's file, not this project's settings
        # Kept between runs (mypy's cache notices any change): a cold check takes seconds.
        f"--cache-dir={README.parent / '.mypy_cache' / 'readme-blocks'}",
        "--no-color-output",
        "--hide-error-context",
        str(src),
    ]
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    failing = sorted(set(re.findall(r"readme_block_(\d+)\.py:\d+: error", done.stdout)))
    shown = "\n".join(f"--- README block {int(i)}:\n{BLOCKS[int(i)]}" for i in failing)
    report = f"mypy --strict failed:\n{done.stdout}{done.stderr}\n{shown}"
    assert done.returncode == 0, report


def test_unknown_event_type_is_the_real_string_at_run_time() -> None:
    # Type checkers see the placeholder ``"<unknown>"``; the model itself still takes any str.
    assert UnknownEvent.model_fields["type"].annotation is str
    event = parse_event(b'{"type": "response.keep_alive", "sequence_number": 3}')
    assert isinstance(event, UnknownEvent)
    assert event.type == "response.keep_alive"
    assert UnknownEvent().type == ""
