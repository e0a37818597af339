"""Request building on its own: parameter names, encoding, and the documented limits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import openrouter.testing
from openrouter import OpenRouter, errors
from openrouter.resources.responses import prepare
from openrouter.utils import RetryConfig

CLIENT = OpenRouter(api_key="sk-secret", server_url="http://example.invalid/api/v1/")


def build(stream: bool = False, **params: Any) -> Any:
    prepared, _ = prepare(CLIENT, stream, params)
    return prepared


def test_only_given_parameters_are_sent_and_none_means_null() -> None:
    req = build(model="m", input="hi", temperature=None)
    assert json.loads(req.content) == {"model": "m", "input": "hi", "temperature": None}
    assert req.url == "http://example.invalid/api/v1/responses"
    assert req.headers["Authorization"] == "Bearer sk-secret"


def test_none_leaves_out_optional_fields_and_sends_null_for_nullable_ones() -> None:
    req = build(model=None, input=None, text=None, user=None, reasoning=None, instructions=None)
    assert json.loads(req.content) == {"reasoning": None, "instructions": None}


def test_field_types_follow_the_vendored_schema() -> None:
    from openrouter.resources.responses import BODY_FIELDS, FIELD_TYPES

    schema = json.loads(
        (Path(openrouter.testing.__file__).parent / "responses_request.schema.json").read_text()
    )
    defs = schema["$defs"]

    def kinds(node: Any) -> set[str]:
        found: set[str] = set()
        if "$ref" in node:
            found |= kinds(defs[node["$ref"].split("/")[-1]])
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []):
                found |= kinds(sub)
        declared = node.get("type")
        found |= {declared} if isinstance(declared, str) else set(declared or ())
        names = {str: "string", bool: "boolean", type(None): "null", int: "integer"}
        found |= {names[type(v)] for v in node.get("enum", [])}
        return found

    assert set(FIELD_TYPES) == BODY_FIELDS == set(schema["properties"])
    for name, node in schema["properties"].items():
        if kinds(node):  # previous_response_id is left open by the schema
            assert FIELD_TYPES[name] == kinds(node), name


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"model": 123}, "model"),
        ({"temperature": "hot"}, "temperature"),
        ({"tools": "notalist"}, "tools"),
        ({"reasoning": "high"}, "reasoning"),
        ({"session_id": 12345}, "session_id"),
        ({"max_output_tokens": 1.5}, "max_output_tokens"),
        ({"top_logprobs": 9.223372036854776e18}, "top_logprobs"),  # found by hypothesis
        ({"top_k": 3.0}, "top_k"),
        ({"store": True}, "store"),
        ({"input": [{"role": "user", "content": float("nan")}]}, "input[0].content"),
        ({"extra_body": {"deep": {"x": [1, float("-inf")]}}}, "deep.x[1]"),
        ({"input": [{"content": object()}]}, "input[0].content"),
        ({"http_headers": {"X-Count": 5}}, "http_headers"),
        ({"http_headers": {"X-Bad": "a\r\nInjected: 1"}}, "http_headers"),
    ],
)
def test_bad_input_names_the_field(params: dict[str, Any], field: str) -> None:
    with pytest.raises(errors.RequestValidationError) as info:
        build(**params)
    assert info.value.field == field


def test_stream_flag_sets_body_and_accept() -> None:
    req = build(stream=True, model="m")
    assert json.loads(req.content)["stream"] is True
    assert req.headers["Accept"] == "text/event-stream"


def test_typo_is_a_type_error_with_a_suggestion() -> None:
    with pytest.raises(TypeError, match="did you mean 'temperature'"):
        build(temprature=0.5)


def test_extra_body_and_headers_and_metadata_header() -> None:
    req = build(
        model="m",
        extra_body={"brand_new_field": 1},
        http_headers={"X-Custom": "yes"},
        x_open_router_experimental_metadata="enabled",
    )
    assert json.loads(req.content)["brand_new_field"] == 1
    assert req.headers["X-Custom"] == "yes"
    assert req.headers["X-OpenRouter-Metadata"] == "enabled"


def test_newer_metadata_header_name_wins() -> None:
    req = build(x_open_router_experimental_metadata="disabled", x_open_router_metadata="enabled")
    assert req.headers["X-OpenRouter-Metadata"] == "enabled"


def test_per_call_options() -> None:
    retry = RetryConfig("none")
    req = build(retries=retry, timeout_ms=1500, server_url="http://other.invalid/v1")
    assert req.retry is retry
    assert req.timeout_s == 1.5
    assert req.url == "http://other.invalid/v1/responses"


def test_unicode_is_sent_as_utf8() -> None:
    req = build(input="héllo ✓ 你好")
    assert "héllo ✓ 你好".encode() in req.content


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata"),
        ({"metadata": {"k" * 65: "v"}}, "metadata"),
        ({"metadata": {"a[b]": "v"}}, "metadata"),
        ({"metadata": {"k": "v" * 513}}, "metadata"),
        ({"metadata": {"k": 1}}, "metadata"),
        ({"session_id": "s" * 257}, "session_id"),
        ({"user": "u" * 257}, "user"),
    ],
)
def test_documented_limits_raise_before_sending(params: dict[str, Any], field: str) -> None:
    with pytest.raises(errors.RequestValidationError) as info:
        build(**params)
    assert info.value.field == field
    assert isinstance(info.value, ValueError)
    assert field in str(info.value)


def test_limits_at_the_boundary_pass() -> None:
    build(
        metadata={f"{i:064d}": "v" * 512 for i in range(16)},
        session_id="s" * 256,
        user="u" * 256,
    )
