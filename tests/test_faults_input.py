"""Fault matrix, bad input: caught before any byte is sent, naming the field.

Wrong Python types for typed parameters, NaN or infinity anywhere in the body, values JSON
cannot encode and non-string header values raise ``RequestValidationError`` whose ``field``
names the parameter (with a path into it: ``input[0].content``); the emulator then records no
request. What is sent follows the page's typing: an ``Optional`` parameter given ``None`` is
left out, an ``OptionalNullable`` one sends ``null``; ranges the contract does not state are
left to the server. Hypothesis mixes valid and wrong values over the top-level parameters.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultkit import MODES, NO_RETRY, Mode, run
from openrouter import OpenRouter, errors
from openrouter.testing import Emulator

# The per-field checks are being written on main; these tests are their acceptance.

# Two of the four paths (the checks run before the paths part): sync JSON and async stream.
SOME_MODES = pytest.mark.parametrize("mode", [MODES[0], MODES[3]], ids=[MODES[0].id, MODES[3].id])


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """One emulator for the module: each test counts the requests it adds."""
    with Emulator() as emulator:
        yield emulator


def rejected(emu: Emulator, mode: Mode, **params: Any) -> errors.RequestValidationError:
    """The error a send with ``params`` raises; the emulator must have seen nothing."""
    before = len(emu.requests)
    with pytest.raises(errors.RequestValidationError) as caught:
        run(mode, emu.url, api_key=emu.api_key, **params)
    assert len(emu.requests) == before, "the request was sent"
    return caught.value


def sent(emu: Emulator, **params: Any) -> Any:
    """The JSON body a sync send with ``params`` put on the wire; it must pass the schema."""
    before = len(emu.requests)
    with OpenRouter(api_key=emu.api_key, server_url=emu.url, retry_config=NO_RETRY) as sdk:
        sdk.responses.send(**params)
    assert len(emu.requests) == before + 1
    record = emu.requests[-1]
    assert record.validation_errors == []
    return record.json


# -- wrong Python types -----------------------------------------------------------------------

WRONG_TYPES = [
    ("model", 123),
    ("temperature", "hot"),
    ("tools", "notalist"),
    ("reasoning", "high"),
    ("session_id", 12345),
    ("top_k", "5"),
    ("top_k", 2.5),
    ("max_output_tokens", "100"),
    ("top_p", [0.5]),
    ("user", 42),
    ("instructions", {"text": "be brief"}),
    ("parallel_tool_calls", "yes"),
    ("background", 1),
    ("models", "openai/gpt-4o"),
    ("include", "reasoning.encrypted_content"),
    ("provider", ["openai"]),
    ("text", "json"),
    ("input", 42),
    ("temperature", True),
    ("max_output_tokens", False),
]


@SOME_MODES
@pytest.mark.parametrize(
    ("name", "value"),
    [pytest.param(n, v, id=f"{n}={v!r}") for n, v in WRONG_TYPES]
    + [pytest.param("metadata", "user=1", id="metadata='user=1'")],
)
def test_a_wrong_type_is_rejected_before_sending_naming_the_field(
    emu: Emulator, mode: Mode, name: str, value: Any
) -> None:
    exc = rejected(emu, mode, **{name: value})
    assert exc.field == name or exc.field.startswith((f"{name}.", f"{name}["))
    assert name in str(exc)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("temperature", 1),  # an int where a float is expected is fine
        ("top_p", 0),
        ("frequency_penalty", -2),
        ("max_output_tokens", 10**12),  # no range in the contract: the server judges
        ("temperature", 7.5),
        ("top_logprobs", 0),
        ("metadata", {"user": "1"}),
        ("models", ("openai/gpt-4o", "anthropic/claude-sonnet-4")),  # any sequence
    ],
)
def test_valid_values_of_a_neighbouring_type_are_sent(emu: Emulator, name: str, value: Any) -> None:
    body = sent(emu, model="openai/gpt-4o", input="hi", **{name: value})
    assert name in body


# -- NaN and infinity, anywhere ---------------------------------------------------------------

NAN_CASES = [
    ({"temperature": math.nan}, "temperature"),
    ({"top_p": math.inf}, "top_p"),
    ({"frequency_penalty": -math.inf}, "frequency_penalty"),
    ({"input": [{"role": "user", "content": math.nan}]}, "input[0].content"),
    ({"extra_body": {"custom": {"scores": [1.0, math.nan]}}}, "custom.scores[1]"),
    ({"extra_body": {"temperature": math.inf}}, "temperature"),
    (
        {
            "tools": [
                {
                    "type": "function",
                    "name": "f",
                    "parameters": {"type": "object", "properties": {}, "x-weight": math.inf},
                }
            ]
        },
        "tools[0].parameters.x-weight",
    ),
]


@SOME_MODES
@pytest.mark.parametrize(("params", "path"), NAN_CASES, ids=[p for _, p in NAN_CASES])
def test_nan_or_infinity_anywhere_is_rejected_naming_its_path(
    emu: Emulator, mode: Mode, params: dict[str, Any], path: str
) -> None:
    exc = rejected(emu, mode, **params)
    assert exc.field.endswith(path)
    assert path in str(exc)


# -- values JSON cannot encode ----------------------------------------------------------------


class Opaque:
    pass


UNENCODABLE = [
    ({"input": [{"role": "user", "content": Opaque()}]}, "input[0].content"),
    (
        {"input": [{"role": "user", "content": [{"type": "input_text", "text": b"bytes"}]}]},
        "input[0].content[0].text",
    ),
    ({"extra_body": {"when": datetime.datetime(2026, 1, 1)}}, "when"),
    ({"metadata": {"user": "1"}, "extra_body": {"tags": [1, {2: Opaque()}]}}, "tags[1]"),
]


@SOME_MODES
@pytest.mark.parametrize(("params", "path"), UNENCODABLE, ids=[p for _, p in UNENCODABLE])
def test_a_value_json_cannot_encode_is_rejected_naming_its_path(
    emu: Emulator, mode: Mode, params: dict[str, Any], path: str
) -> None:
    exc = rejected(emu, mode, **params)
    assert path in exc.field
    assert path in str(exc)


# -- header values ----------------------------------------------------------------------------


@SOME_MODES
@pytest.mark.parametrize(
    "headers",
    [{"X-Count": 3}, {"X-Flag": None}, {"X-Raw": b"abc"}, {"X-List": ["a"]}],
    ids=["int", "none", "bytes", "list"],
)
def test_a_non_string_header_value_is_rejected_naming_the_header(
    emu: Emulator, mode: Mode, headers: dict[str, Any]
) -> None:
    exc = rejected(emu, mode, http_headers=headers)
    assert exc.field == "http_headers"
    assert next(iter(headers)) in str(exc)


# -- None: Optional is left out, OptionalNullable sends null ----------------------------------

OPTIONAL = ["model", "session_id", "user", "top_k", "text", "tool_choice", "trace"]
OPTIONAL_NULLABLE = [
    "temperature",
    "top_p",
    "instructions",
    "max_output_tokens",
    "reasoning",
    "provider",
    "background",
    "safety_identifier",
    "truncation",
    "service_tier",
]


@pytest.mark.parametrize("name", OPTIONAL)
def test_none_for_an_optional_parameter_is_left_out(emu: Emulator, name: str) -> None:
    params: dict[str, Any] = {"model": "openai/gpt-4o", "input": "hi", name: None}
    assert name not in sent(emu, **params)


@pytest.mark.parametrize("name", OPTIONAL_NULLABLE)
def test_none_for_an_optional_nullable_parameter_sends_null(emu: Emulator, name: str) -> None:
    body = sent(emu, model="openai/gpt-4o", input="hi", **{name: None})
    assert name in body and body[name] is None


# -- generated parameter sets -----------------------------------------------------------------

WRONG_PRIMITIVES = st.one_of(
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(0, 3), max_size=2),
)
NON_OBJECTS = st.one_of(
    st.integers(), st.floats(), st.text(max_size=8), st.booleans(), st.lists(st.integers())
)
NON_ARRAYS = st.one_of(
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.booleans(),
    st.dictionaries(st.text(max_size=3), st.integers(0, 3), max_size=2),
)

FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
# Valid values per parameter (the page's types; no ranges, as the contract states none).
VALID: dict[str, st.SearchStrategy[Any]] = {
    "model": st.sampled_from(["openai/gpt-4o", "anthropic/claude-sonnet-4"]),
    "instructions": st.none() | st.text(max_size=20),
    "session_id": st.text(max_size=20),
    "user": st.text(max_size=20),
    "safety_identifier": st.none() | st.text(max_size=20),
    "prompt_cache_key": st.none() | st.text(max_size=20),
    "temperature": st.none() | FINITE | st.integers(-5, 5),
    "top_p": st.none() | FINITE,
    "frequency_penalty": st.none() | FINITE,
    "presence_penalty": st.none() | FINITE,
    "max_output_tokens": st.none() | st.integers(-(2**40), 2**40),
    "top_logprobs": st.none() | st.integers(0, 30),
    "max_tool_calls": st.none() | st.integers(0, 30),
    "top_k": st.integers(0, 100),
    "background": st.none() | st.booleans(),
    "parallel_tool_calls": st.none() | st.booleans(),
}
OBJECTS: dict[str, st.SearchStrategy[Any]] = {
    "reasoning": st.sampled_from([{"effort": "high"}, {"effort": "low", "summary": "auto"}]),
    "provider": st.sampled_from([{"allow_fallbacks": True}, {"order": ["openai"]}]),
    "text": st.just({"format": {"type": "text"}}),
    "metadata": st.dictionaries(st.sampled_from("abc"), st.text(max_size=5), max_size=3),
}
ARRAYS: dict[str, st.SearchStrategy[Any]] = {
    "models": st.lists(st.sampled_from(["openai/gpt-4o", "x/y"]), max_size=2),
    "include": st.just(["reasoning.encrypted_content"]) | st.just([]),
    "tools": st.just([]) | st.just([{"type": "function", "name": "f", "parameters": {}}]),
    "input": st.sampled_from(["hi", [{"role": "user", "content": "hi"}]]),
}


def parameter(name: str) -> st.SearchStrategy[Any]:
    if name in VALID:
        return VALID[name] | WRONG_PRIMITIVES
    if name in OBJECTS:
        return OBJECTS[name] | NON_OBJECTS
    return ARRAYS[name] | NON_ARRAYS


NAMES = sorted([*VALID, *OBJECTS, *ARRAYS])
PARAMS = st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: parameter(name) for name in names})
)


@pytest.fixture(scope="module")
def shared(emu: Emulator) -> Iterator[tuple[Emulator, OpenRouter]]:
    with OpenRouter(api_key=emu.api_key, server_url=emu.url, retry_config=NO_RETRY) as sdk:
        yield emu, sdk


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(params=PARAMS)
def test_generated_parameters_are_sent_valid_or_rejected_unsent(
    shared: tuple[Emulator, OpenRouter], params: dict[str, Any]
) -> None:
    emu, sdk = shared
    before = len(emu.requests)
    params.setdefault("input", "hi")
    try:
        sdk.responses.send(**params)
    except errors.RequestValidationError as exc:
        top = exc.field.split(".")[0].split("[")[0]
        assert top in params, f"{exc.field!r} names no parameter of {params!r}"
        assert len(emu.requests) == before, "rejected, yet sent"
        return
    assert len(emu.requests) == before + 1
    assert emu.requests[-1].validation_errors == [], params
