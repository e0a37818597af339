"""Stream event decoding: every spec type has its own class, oddities never crash."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _contract import openapi
from openrouter import components as c
from openrouter.components import (
    EVENT_CLASSES,
    KNOWN_EVENT_TYPES,
    UnknownEvent,
    parse_event,
)

SPEC = Path(__file__).resolve().parents[2] / "shared/contract/openrouter-openapi.yaml"


def vendored_types() -> list[str]:
    text = resources.files("openrouter.components").joinpath("stream_event_types.json").read_text()
    types: list[str] = json.loads(text)
    return types


def spec() -> dict[str, Any]:
    return openapi(SPEC)


def spec_mapping() -> dict[str, str]:
    schemas = spec()["components"]["schemas"]
    mapping: dict[str, str] = schemas["StreamEvents"]["discriminator"]["mapping"]
    return {t: ref.rsplit("/", 1)[-1] for t, ref in mapping.items()}


needs_spec = pytest.mark.skipif(
    not SPEC.exists(), reason="needs ../shared/contract beside the checkout"
)


# --- The vendored list ------------------------------------------------------------------------


def test_vendored_list_is_sorted_and_has_49_types() -> None:
    types = vendored_types()
    assert types == sorted(set(types))
    assert len(types) == 49


def test_every_vendored_type_has_its_own_class() -> None:
    for event_type in vendored_types():
        cls = EVENT_CLASSES.get(event_type)
        assert cls is not None, event_type
        assert cls is not UnknownEvent
        assert event_type in KNOWN_EVENT_TYPES


@needs_spec
def test_vendored_list_matches_the_spec() -> None:
    assert vendored_types() == sorted(spec_mapping())


@needs_spec
def test_class_names_follow_the_spec_schema_names() -> None:
    for event_type, schema_name in spec_mapping().items():
        assert EVENT_CLASSES[event_type].__name__ == schema_name
        assert getattr(c, schema_name) is EVENT_CLASSES[event_type]


# --- Decoding ---------------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", vendored_types())
def test_minimal_payload_decodes_as_its_own_class(event_type: str) -> None:
    event = parse_event(json.dumps({"type": event_type}))
    assert type(event) is EVENT_CLASSES[event_type]
    assert event.type == event_type
    assert event.sequence_number is None


@needs_spec
def test_spec_examples_decode_and_round_trip() -> None:
    schemas = spec()["components"]["schemas"]
    for event_type, schema_name in spec_mapping().items():
        example = schemas[schema_name].get("example")
        if example is None:
            continue
        event = parse_event(json.dumps(example))
        assert type(event).__name__ == schema_name, event_type
        assert event.to_dict() == example, event_type


def test_bytes_and_str_decode_the_same() -> None:
    payload = {"type": "response.output_text.delta", "delta": "hé", "output_index": 0}
    data = json.dumps(payload, ensure_ascii=False)
    assert parse_event(data) == parse_event(data.encode())


def test_text_delta_fields() -> None:
    event = parse_event(
        '{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1",'
        '"output_index":0,"content_index":0,"delta":"Hello","logprobs":[{"token":"Hello",'
        '"logprob":-0.1,"top_logprobs":[]}]}'
    )
    assert isinstance(event, c.TextDeltaEvent)
    assert (event.sequence_number, event.item_id, event.output_index) == (4, "msg_1", 0)
    assert event.delta == "Hello"
    assert event.logprobs[0].token == "Hello"


def test_unknown_type_keeps_type_and_payload() -> None:
    payload = {"type": "response.keep_alive", "sequence_number": 9, "note": {"a": [1, 2]}}
    event = parse_event(json.dumps(payload))
    assert isinstance(event, UnknownEvent)
    assert event.type == "response.keep_alive"
    assert event.sequence_number == 9
    assert event.raw == payload
    assert event.note == {"a": [1, 2]}  # type: ignore[attr-defined]
    assert event.to_dict() == payload


def test_missing_type_is_unknown_with_empty_type() -> None:
    event = parse_event('{"hello": "world"}')
    assert isinstance(event, UnknownEvent)
    assert event.type == ""
    assert event.raw == {"hello": "world"}


def test_non_string_type_and_sequence_number_are_kept_raw() -> None:
    payload = {"type": 5, "sequence_number": "x", "_fields_set": 1}
    event = parse_event(json.dumps(payload))
    assert isinstance(event, UnknownEvent)
    assert event.type == ""
    assert event.sequence_number is None
    assert event.raw == payload


def test_known_type_with_wrong_field_shape_falls_back_to_unknown() -> None:
    payload = {"type": "response.output_text.delta", "delta": {"not": "a string"}}
    event = parse_event(json.dumps(payload))
    assert isinstance(event, UnknownEvent)
    assert event.type == "response.output_text.delta"
    assert event.raw == payload


def test_known_type_with_bad_nested_response_falls_back_to_unknown() -> None:
    payload = {"type": "response.completed", "response": {"output": "not a list"}}
    event = parse_event(json.dumps(payload))
    assert isinstance(event, UnknownEvent)
    assert event.raw == payload


def test_unknown_extra_fields_are_kept() -> None:
    event = parse_event(
        '{"type":"response.output_text.delta","delta":"x","obfuscation":"abc","new":{"k":1}}'
    )
    assert isinstance(event, c.TextDeltaEvent)
    assert event.model_extra == {"obfuscation": "abc", "new": {"k": 1}}
    assert event.to_dict()["obfuscation"] == "abc"


@pytest.mark.parametrize(
    "data", ["", "not json", "{", "[1, 2]", '"text"', "42", "null", b"\xff\xfe", "[DONE]"]
)
def test_malformed_or_non_object_data_raises_value_error(data: str | bytes) -> None:
    with pytest.raises(ValueError):
        parse_event(data)


# --- Lifecycle events -------------------------------------------------------------------------


def test_partial_response_in_lifecycle_events_is_accepted() -> None:
    for event_type in ("response.created", "response.in_progress", "response.failed"):
        event = parse_event(json.dumps({"type": event_type, "response": {"id": "resp_1"}}))
        assert type(event) is EVENT_CLASSES[event_type]
        response = event.response  # type: ignore[union-attr]
        assert isinstance(response, c.OpenResponsesResult)
        assert response.id == "resp_1"
        assert response.output == []
        assert response.to_dict() == {"id": "resp_1"}


def test_lifecycle_event_without_response_has_an_empty_snapshot() -> None:
    event = parse_event('{"type":"response.created"}')
    assert isinstance(event, c.OpenResponsesCreatedEvent)
    assert event.response.output_text == ""


def test_failed_event_carries_the_error() -> None:
    event = parse_event(
        json.dumps(
            {
                "type": "response.failed",
                "sequence_number": 5,
                "response": {
                    "id": "resp_1",
                    "status": "failed",
                    "error": {"code": "server_error", "message": "boom"},
                },
            }
        )
    )
    assert isinstance(event, c.StreamEventsResponseFailed)
    assert event.response.status == "failed"
    assert event.response.error is not None
    assert event.response.error.code == "server_error"
    assert event.response.error.message == "boom"


def test_output_item_events_type_their_items() -> None:
    event = parse_event(
        json.dumps(
            {
                "type": "response.output_item.done",
                "output_index": 1,
                "item": {
                    "type": "function_call",
                    "id": "fc_1",
                    "call_id": "call_1",
                    "name": "get_weather",
                    "arguments": '{"city":"Paris"}',
                    "status": "completed",
                },
            }
        )
    )
    assert isinstance(event, c.StreamEventsResponseOutputItemDone)
    assert isinstance(event.item, c.OutputFunctionCallItem)
    assert event.item.call_id == "call_1"

    odd = parse_event(
        '{"type":"response.output_item.added","output_index":0,'
        '"item":{"type":"openrouter:brand_new","id":"x","payload":1}}'
    )
    assert isinstance(odd, c.StreamEventsResponseOutputItemAdded)
    assert isinstance(odd.item, c.UnknownOutputItem)
    assert odd.item.type == "openrouter:brand_new"
    assert odd.item.to_dict() == {"type": "openrouter:brand_new", "id": "x", "payload": 1}


# --- Errors -----------------------------------------------------------------------------------


def test_error_event_flat_shape() -> None:
    event = parse_event(
        '{"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null,'
        '"sequence_number":2}'
    )
    assert isinstance(event, c.ErrorEvent)
    assert event.error_code == "rate_limit_exceeded"
    assert event.error_message == "slow down"
    assert event.param is None


def test_error_event_nested_shape() -> None:
    event = parse_event(
        '{"type":"error","error":{"code":429,"message":"Rate limited","metadata":{"raw":"x"}}}'
    )
    assert isinstance(event, c.ErrorEvent)
    assert event.error_code == 429
    assert event.error_message == "Rate limited"
    assert event.error is not None
    assert event.error.metadata == {"raw": "x"}
    assert event.code is None  # the fields stay as received


def test_response_error_event_both_shapes() -> None:
    nested = parse_event('{"type":"response.error","error":{"code":"x","message":"m"}}')
    flat = parse_event('{"type":"response.error","code":502,"message":"bad gateway"}')
    assert isinstance(nested, c.ResponseErrorEvent)
    assert isinstance(flat, c.ResponseErrorEvent)
    assert (nested.error_code, nested.error_message) == ("x", "m")
    assert (flat.error_code, flat.error_message) == (502, "bad gateway")
    assert "response.error" in KNOWN_EVENT_TYPES


def test_bare_error_event_has_no_code_or_message() -> None:
    event = parse_event('{"type":"error"}')
    assert isinstance(event, c.ErrorEvent)
    assert event.error_code is None
    assert event.error_message is None


# --- Robustness -------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(
    event_type=st.sampled_from([*vendored_types(), "response.error", "response.new_thing"]),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "sequence_number", "output_index", "content_index", "item_id", "delta", "text",
                "response", "item", "part", "error", "code", "message", "annotation", "logprobs",
                "summary_index", "arguments", "extra",
            ]
        ),
        json_values,
        max_size=5,
    ),
)  # fmt: skip
def test_any_json_object_decodes_without_raising(event_type: str, fields: dict[str, Any]) -> None:
    payload = {"type": event_type, **fields}
    event = parse_event(json.dumps(payload))
    assert event.type == event_type
    if isinstance(event, UnknownEvent):
        assert event.raw == payload


def test_error_events_tolerate_odd_field_types() -> None:
    plain = parse_event('{"type":"error","error":"upstream closed"}')
    assert isinstance(plain, c.ErrorEvent)
    assert (plain.error_code, plain.error_message) == (None, "upstream closed")
    odd = parse_event('{"type":"error","code":429.0,"message":{"detail":"x"}}')
    assert isinstance(odd, c.ErrorEvent)
    assert (odd.error_code, odd.error_message) == (429, '{"detail": "x"}')
    nested = parse_event('{"type":"response.error","error":{"code":[1],"metadata":"s"}}')
    assert isinstance(nested, c.ResponseErrorEvent)
    assert nested.error_code == "[1]"


def test_long_events_parse_as_short_ones_do(monkeypatch: pytest.MonkeyPatch) -> None:
    # Events over LONG_EVENT bytes are parsed to Python objects first, then validated: the
    # same typed events come out as from the usual path, odd ones included.
    import httpx

    from openrouter.components import _events
    from openrouter.testing import Citation, Emulator, Reply

    reply = (
        Reply.reasoning("think", summary=["a", "b"], encrypted_content="enc")
        + Reply.web_search("q", "found it", [Citation("https://a.example", "A")])
        + Reply.function_call("f", {"x": [1, 2.5, None, True]})
        + Reply.image("QUJD", text="img")
        + Reply.refusal("no")
    ).with_options(unknown_event_after=3, malformed_after=5)
    with Emulator() as emu:
        emu.enqueue(reply)
        response = httpx.post(
            f"{emu.url}/responses",
            json={"model": "m", "input": "hi", "stream": True},
            headers={"Authorization": f"Bearer {emu.api_key}"},
        )
    datas = [b[6:].encode() for b in response.text.split("\n\n") if b.startswith("data: {")]
    datas += [b'{"type": 5}', b"[1, 2]", b'{"type":"response.created","response":[]}']
    assert len(datas) > 30

    def parsed(data: bytes) -> Any:
        try:
            event = parse_event(data)
        except ValueError as exc:
            return str(exc)
        return (type(event), event.to_dict())

    usual = [parsed(data) for data in datas]
    monkeypatch.setattr(_events, "LONG_EVENT", 0)
    assert [parsed(data) for data in datas] == usual
