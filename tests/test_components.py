"""The typed data model: request components serialise as the API expects, results read
leniently but reject error bodies, and unknown things are kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import TypeAdapter, ValidationError

from _contract import openapi
from openrouter import components as c
from openrouter._wire._request import encode_json

SPEC = Path(__file__).resolve().parents[2] / "shared/contract/openrouter-openapi.yaml"
needs_spec = pytest.mark.skipif(
    not SPEC.exists(), reason="needs ../shared/contract beside the checkout"
)


def schemas() -> dict[str, Any]:
    result: dict[str, Any] = openapi(SPEC)["components"]["schemas"]
    return result


def body(**params: Any) -> Any:
    return json.loads(encode_json(params))


# --- Exports ----------------------------------------------------------------------------------


def test_all_names_are_exported() -> None:
    for name in c.__all__:
        assert hasattr(c, name), name
    for name in (
        "OpenResponsesResult",
        "TextDeltaEvent",
        "ReasoningConfig",
        "ProviderPreferences",
        "AnthropicCacheControlDirective",
        "ImageConfig",
        "TextExtendedConfig",
        "TraceConfig",
        "StoredPromptTemplate",
        "PromptCacheOptions",
        "ChatDebugOptions",
        "StopServerToolsWhenCondition",
        "ResponsesRequestPlugin",
        "FunctionTool",
        "ResponsesRequestToolUnion",
        "OpenAIResponsesToolChoiceUnion",
        "InputsUnion",
        "EasyInputMessage",
        "InputText",
        "InputImage",
        "InputFile",
        "InputAudio",
        "FunctionCallItem",
        "FunctionCallOutputItem",
        "MetadataLevel",
        "ResponseIncludesEnum",
        "OutputModalityEnum",
        "ResponsesRequestServiceTier",
        "OpenAIResponsesTruncation",
        "StreamEvents",
        "KNOWN_EVENT_TYPES",
        "parse_event",
        "UnknownEvent",
        "UnknownOutputItem",
        "Usage",
        "IncompleteDetails",
        "ErrorEvent",
        "ResponseErrorEvent",
    ):
        assert name in c.__all__, name


def test_names_load_lazily_from_the_module_that_defines_them() -> None:
    assert sorted(c._MODULE_OF) == sorted(c.__all__)
    assert set(c.__all__) <= set(dir(c))
    for name in c.__all__:
        module = __import__(f"openrouter.components.{c._MODULE_OF[name]}", fromlist=[name])
        assert getattr(c, name) is getattr(module, name), name
    with pytest.raises(AttributeError, match="no_such_name"):
        c.no_such_name  # noqa: B018


def test_importing_components_loads_no_component_module() -> None:
    code = (
        "import sys, openrouter.components as c;"
        "loaded = {m for m in sys.modules if m.startswith('openrouter.components.')};"
        "assert not loaded, loaded;"
        "from openrouter.components import OpenResponsesResult;"
        "assert 'openrouter.components._events' not in sys.modules;"
        "assert 'openrouter.components._models_api' not in sys.modules;"
        "from openrouter.components import *"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_components_builds_no_validator() -> None:
    # defer_build: class creation must not compile schemas (that happens on first use).
    code = (
        "import openrouter.components as c;"
        "assert not c.OpenResponsesResult.__pydantic_complete__;"
        "assert not c.TextDeltaEvent.__pydantic_complete__;"
        "import openrouter.components._events as e; assert e._validate_json is None"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- Enum-like aliases match the spec ---------------------------------------------------------


@needs_spec
@pytest.mark.parametrize(
    ("alias", "schema"),
    [
        ("MetadataLevel", "MetadataLevel"),
        ("ResponseIncludesEnum", "ResponseIncludesEnum"),
        ("OutputModalityEnum", "OutputModalityEnum"),
        ("OpenAIResponsesTruncation", "OpenAIResponsesTruncation"),
        ("ReasoningEffort", "ReasoningEffort"),
        ("ReasoningSummaryVerbosity", "ReasoningSummaryVerbosity"),
        ("Quantization", "Quantization"),
        ("ProviderName", "ProviderName"),
        ("ProviderSort", "ProviderSort"),
        ("ReasoningFormat", "ReasoningFormat"),
        ("OpenAIResponsesResponseStatus", "OpenAIResponsesResponseStatus"),
        ("ApiErrorType", "ApiErrorType"),
    ],
)
def test_literal_aliases_match_spec_enums(alias: str, schema: str) -> None:
    expected = {v for v in schemas()[schema]["enum"] if v is not None}
    assert set(get_args(getattr(c, alias))) == expected


@needs_spec
def test_service_tier_matches_the_request_field() -> None:
    field = schemas()["ResponsesRequest"]["properties"]["service_tier"]
    assert set(get_args(c.ResponsesRequestServiceTier)) == {
        v for v in field["enum"] if v is not None
    }


@needs_spec
def test_every_output_item_type_of_the_spec_has_a_class() -> None:
    mapping = schemas()["OutputItems"]["discriminator"]["mapping"]
    assert set(c.OUTPUT_ITEM_CLASSES) == set(mapping)
    for item_type, ref in mapping.items():
        assert c.OUTPUT_ITEM_CLASSES[item_type].__name__ == ref.rsplit("/", 1)[-1]


@needs_spec
def test_every_request_tool_and_plugin_type_has_a_class() -> None:
    request = schemas()["ResponsesRequest"]["properties"]
    plugin_ids = set(request["plugins"]["items"]["discriminator"]["mapping"])
    adapter: TypeAdapter[Any] = TypeAdapter(c.ResponsesRequestPlugin)
    for plugin_id in plugin_ids:
        assert not isinstance(adapter.validate_python({"id": plugin_id}), c.UnknownPlugin)
    tool_types: set[str] = set()
    for option in request["tools"]["items"]["anyOf"]:
        ref = option.get("$ref") or option["allOf"][0]["$ref"]
        schema = schemas()[ref.rsplit("/", 1)[-1]]
        tool_types.update(schema["properties"]["type"]["enum"])
    union, *_ = get_args(c.ResponsesRequestToolUnion)  # Annotated[Union[...], validator]
    typed: set[str] = set()
    for cls in get_args(union):
        if cls is not c.UnknownTool:
            typed.update(get_args(cls.model_fields["type"].annotation))
    assert typed == tool_types


# --- Request-side components ------------------------------------------------------------------


def test_discriminators_with_defaults_are_always_sent() -> None:
    assert c.InputText(text="hi").to_dict() == {"type": "input_text", "text": "hi"}
    assert c.AnthropicCacheControlDirective().to_dict() == {"type": "ephemeral"}
    assert c.FunctionCallOutputItem(call_id="call_1", output="42").to_dict() == {
        "type": "function_call_output",
        "call_id": "call_1",
        "output": "42",
    }
    assert c.WebSearchPlugin(max_results=3).to_dict() == {"id": "web", "max_results": 3}
    assert c.PromptCacheOptions().to_dict() == {"mode": "explicit"}
    assert c.StopServerToolsWhenStepCountIs(step_count=5).to_dict() == {
        "type": "step_count_is",
        "step_count": 5,
    }


def test_config_objects_send_only_what_was_set() -> None:
    assert c.ReasoningConfig(effort="high").to_dict() == {"effort": "high"}
    assert c.ProviderPreferences(
        order=["OpenAI", "my-provider"], allow_fallbacks=False
    ).to_dict() == {
        "order": ["OpenAI", "my-provider"],
        "allow_fallbacks": False,
    }
    assert c.TraceConfig(trace_id="t", custom_key="v").to_dict() == {
        "trace_id": "t",
        "custom_key": "v",
    }


def test_json_schema_format_uses_the_schema_alias() -> None:
    fmt = c.FormatJsonSchemaConfig(name="person", schema_={"type": "object"}, strict=True)
    text = c.TextExtendedConfig(format=fmt, verbosity="low")
    assert text.to_dict() == {
        "format": {
            "type": "json_schema",
            "name": "person",
            "schema": {"type": "object"},
            "strict": True,
        },
        "verbosity": "low",
    }
    parsed = c.TextExtendedConfig.model_validate(
        {"format": {"type": "json_schema", "name": "p", "schema": {"type": "object"}}}
    )
    assert isinstance(parsed.format, c.FormatJsonSchemaConfig)
    assert parsed.format.schema_ == {"type": "object"}


def test_request_body_with_typed_components() -> None:
    sent = body(
        model="openai/gpt-4o",
        input=[
            c.EasyInputMessage(
                role="user",
                content=[
                    c.InputText(text="What is in this image?"),
                    c.InputImage(detail="auto", image_url="https://example.com/cat.png"),
                    c.InputFile(filename="a.pdf", file_data="data:application/pdf;base64,AA=="),
                ],
            ),
            c.FunctionCallItem(call_id="call_1", name="f", arguments="{}"),
            c.FunctionCallOutputItem(call_id="call_1", output='{"ok":true}'),
        ],
        tools=[c.FunctionTool(name="f", parameters={"type": "object"}, strict=True)],
        tool_choice=c.OpenAIResponsesToolChoiceFunction(name="f"),
        reasoning=c.ReasoningConfig(effort="medium", summary="auto"),
        plugins=[c.FileParserPlugin(pdf=c.PDFParserOptions(engine="pdf-text"))],
        stop_server_tools_when=[c.StopServerToolsWhenMaxCost(max_cost_in_dollars=0.5)],
    )
    assert sent["input"][0] == {
        "type": "message",
        "role": "user",
        "content": [
            {"type": "input_text", "text": "What is in this image?"},
            {"type": "input_image", "detail": "auto", "image_url": "https://example.com/cat.png"},
            {
                "type": "input_file",
                "filename": "a.pdf",
                "file_data": "data:application/pdf;base64,AA==",
            },
        ],
    }
    assert sent["input"][1]["type"] == "function_call"
    assert sent["tools"] == [
        {"type": "function", "name": "f", "parameters": {"type": "object"}, "strict": True}
    ]
    assert sent["tool_choice"] == {"type": "function", "name": "f"}
    assert sent["plugins"] == [{"id": "file-parser", "pdf": {"engine": "pdf-text"}}]
    assert sent["stop_server_tools_when"] == [{"type": "max_cost", "max_cost_in_dollars": 0.5}]


@needs_spec
def test_request_bodies_validate_against_the_spec() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    spec = openapi(SPEC)
    schema = {"$ref": "#/components/schemas/ResponsesRequest", "components": spec["components"]}
    validator = jsonschema.Draft202012Validator(schema)
    sent = body(
        model="m",
        input=[
            c.EasyInputMessage(role="user", content=[c.InputText(text="hi")]),
            c.FunctionCallOutputItem(call_id="c", output="x"),
        ],
        tools=[
            c.FunctionTool(name="f", parameters={"type": "object"}),
            c.WebSearchServerToolOpenRouter(),
            c.ImageGenerationServerTool(quality="high"),
        ],
        text=c.TextExtendedConfig(
            format=c.FormatJsonSchemaConfig(name="n", schema_={"type": "object"})
        ),
        plugins=[c.WebSearchPlugin(max_results=2), c.ResponseHealingPlugin(), c.ModerationPlugin()],
        provider=c.ProviderPreferences(
            sort=c.ProviderSortConfig(by="price"), max_price=c.MaxPrice(prompt="1")
        ),
        cache_control=c.AnthropicCacheControlDirective(ttl="5m"),
        prompt_cache_options=c.PromptCacheOptions(ttl="30m"),
        trace=c.TraceConfig(trace_id="t"),
        stop_server_tools_when=[c.StopServerToolsWhenStepCountIs(step_count=3)],
        tool_choice="auto",
    )
    errors = sorted(validator.iter_errors(sent), key=str)
    assert not errors, errors[0]


def test_plugins_fall_back_for_unknown_ids() -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(c.ResponsesRequestPlugin)
    assert isinstance(adapter.validate_python({"id": "web", "max_results": 2}), c.WebSearchPlugin)
    other = adapter.validate_python({"id": "brand-new", "x": 1})
    assert isinstance(other, c.UnknownPlugin)
    assert other.to_dict() == {"id": "brand-new", "x": 1}


def test_stop_condition_union_is_discriminated() -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(c.StopServerToolsWhenCondition)
    cond = adapter.validate_python({"type": "has_tool_call", "tool_name": "search"})
    assert isinstance(cond, c.StopServerToolsWhenHasToolCall)
    with pytest.raises(ValidationError):
        adapter.validate_python({"type": "nope"})


def test_image_config_values() -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(dict[str, c.ImageConfig])
    assert adapter.validate_python({"aspect_ratio": "16:9", "n": 2, "sizes": [1, 2]}) == {
        "aspect_ratio": "16:9",
        "n": 2,
        "sizes": [1, 2],
    }


# --- OpenResponsesResult ----------------------------------------------------------------------


def result_body(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "resp_1",
        "object": "response",
        "created_at": 1704067200,
        "model": "openai/gpt-4o",
        "status": "completed",
        "output": [],
    }
    data.update(overrides)
    return data


@needs_spec
def test_spec_example_reads() -> None:
    example = schemas()["OpenResponsesResult"]["example"]
    result = c.OpenResponsesResult.model_validate(example)
    assert result.output_text == "Hello! How can I help you today?"
    assert result.usage is not None
    assert result.usage.input_tokens_details.cached_tokens == 0
    assert result.to_dict() == example


def test_error_body_is_not_a_result() -> None:
    for data in (
        {"error": {"code": 429, "message": "Rate limited"}},
        {"error": {"code": "server_error", "message": "x", "metadata": {}}, "user_id": "u"},
        {},
    ):
        with pytest.raises(ValidationError):
            c.OpenResponsesResult.model_validate_json(json.dumps(data))


def test_output_text_joins_every_output_text_part_in_order() -> None:
    result = c.OpenResponsesResult.model_validate(
        result_body(
            output=[
                {
                    "type": "reasoning",
                    "id": "rs_1",
                    "summary": [{"type": "summary_text", "text": "hmm"}],
                },
                {
                    "type": "message",
                    "id": "msg_1",
                    "role": "assistant",
                    "content": [
                        {"type": "output_text", "text": "Hello", "annotations": []},
                        {"type": "refusal", "refusal": "no"},
                        {"type": "output_text", "text": ", world", "annotations": []},
                    ],
                },
                {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
                {
                    "type": "message",
                    "id": "msg_2",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "!"}],
                },
            ]
        )
    )
    assert result.output_text == "Hello, world!"
    message = result.output[1]
    assert isinstance(message, c.OutputMessageItem)
    assert message.text == "Hello, world"
    assert isinstance(message.content[1], c.OpenAIResponsesRefusalContent)


def test_output_items_are_typed_by_type() -> None:
    items = [
        {"type": "message", "id": "m", "role": "assistant", "content": []},
        {
            "type": "reasoning",
            "id": "r",
            "summary": [],
            "encrypted_content": "gAAA",
            "content": [{"type": "reasoning_text", "text": "step"}],
        },
        {"type": "function_call", "id": "fc", "call_id": "c", "name": "f", "arguments": "{}"},
        {
            "type": "web_search_call",
            "id": "ws",
            "status": "completed",
            "action": {"type": "search", "query": "q"},
        },
        {"type": "image_generation_call", "id": "ig", "status": "completed", "result": "iVBOR"},
        {"type": "code_interpreter_call", "id": "ci", "status": "completed", "code": "1+1"},
        {"type": "file_search_call", "id": "fs", "status": "completed", "queries": ["q"]},
        {"type": "custom_tool_call", "call_id": "c2", "name": "g", "input": "raw"},
        {"type": "openrouter:web_search", "id": "x", "status": "completed"},
    ]
    result = c.OpenResponsesResult.model_validate(result_body(output=items))
    expected = [
        c.OutputMessageItem, c.OutputReasoningItem, c.OutputFunctionCallItem,
        c.OutputWebSearchCallItem, c.OutputImageGenerationCallItem,
        c.OutputCodeInterpreterCallItem, c.OutputFileSearchCallItem, c.OutputCustomToolCallItem,
        c.OutputWebSearchServerToolItem,
    ]  # fmt: skip
    assert [type(item) for item in result.output] == expected
    reasoning = result.output[1]
    assert isinstance(reasoning, c.OutputReasoningItem)
    assert reasoning.encrypted_content == "gAAA"
    image = result.output[4]
    assert isinstance(image, c.OutputImageGenerationCallItem)
    assert image.result == "iVBOR"
    assert result.to_dict()["output"] == items


def test_unknown_output_item_keeps_type_and_fields() -> None:
    item = {"type": "openrouter:teleport", "id": "t1", "destination": {"x": 1}}
    result = c.OpenResponsesResult.model_validate(result_body(output=[item]))
    unknown = result.output[0]
    assert isinstance(unknown, c.UnknownOutputItem)
    assert unknown.type == "openrouter:teleport"
    assert unknown.destination == {"x": 1}  # type: ignore[attr-defined]
    assert unknown.to_dict() == item


def test_known_output_item_with_wrong_shape_becomes_unknown() -> None:
    item = {"type": "function_call", "call_id": {"nested": True}, "name": "f", "arguments": "{}"}
    result = c.OpenResponsesResult.model_validate_json(json.dumps(result_body(output=[item])))
    assert isinstance(result.output[0], c.UnknownOutputItem)
    assert result.output[0].type == "function_call"
    assert result.output[0].to_dict() == item


def test_annotations_and_logprobs() -> None:
    part = {
        "type": "output_text",
        "text": "Paris",
        "annotations": [
            {
                "type": "url_citation",
                "url": "https://x",
                "title": "X",
                "start_index": 0,
                "end_index": 5,
            },
            {"type": "file_citation", "file_id": "f", "filename": "a.txt", "index": 1},
            {"type": "container_file_citation", "container_id": "c"},
        ],
        "logprobs": [{"token": "Paris", "logprob": -0.01, "bytes": [80], "top_logprobs": []}],
    }
    message = {"type": "message", "id": "m", "role": "assistant", "content": [part]}
    result = c.OpenResponsesResult.model_validate(result_body(output=[message]))
    msg = result.output[0]
    assert isinstance(msg, c.OutputMessageItem)
    text = msg.content[0]
    assert isinstance(text, c.ResponseOutputText)
    kinds = [type(a) for a in text.annotations]
    assert kinds == [c.URLCitation, c.FileCitation, c.UnknownAnnotation]
    assert text.logprobs is not None
    assert text.logprobs[0].logprob == -0.01
    assert result.to_dict()["output"][0] == message


def test_usage_and_details() -> None:
    result = c.OpenResponsesResult.model_validate(
        result_body(
            status="incomplete",
            incomplete_details={"reason": "max_output_tokens"},
            usage={
                "input_tokens": 10,
                "output_tokens": 5,
                "total_tokens": 15,
                "input_tokens_details": {"cached_tokens": 4},
                "output_tokens_details": {"reasoning_tokens": 2},
                "cost": 0.0012,
                "is_byok": False,
                "cost_details": {"upstream_inference_cost": None},
            },
        )
    )
    assert result.incomplete_details is not None
    assert result.incomplete_details.reason == "max_output_tokens"
    assert result.usage is not None
    assert result.usage.input_tokens_details.cached_tokens == 4
    assert result.usage.output_tokens_details.reasoning_tokens == 2
    assert result.usage.cost == 0.0012


def test_error_field_code_may_be_int_or_str() -> None:
    for code in (500, "server_error"):
        result = c.OpenResponsesResult.model_validate(
            result_body(status="failed", error={"code": code, "message": "boom"})
        )
        assert result.error is not None
        assert result.error.code == code


def test_unknown_fields_and_statuses_are_kept() -> None:
    data = result_body(status="cancelling", brand_new={"a": 1}, output_text="server copy")
    result = c.OpenResponsesResult.model_validate(data)
    assert result.status == "cancelling"
    assert result.model_extra is not None
    assert result.model_extra["brand_new"] == {"a": 1}
    assert result.output_text == ""  # computed from output, not the server's field
    assert result.to_dict() == data


def test_request_echo_fields_read() -> None:
    result = c.OpenResponsesResult.model_validate(
        result_body(
            tools=[
                {"type": "function", "name": "f", "parameters": {"type": "object"}},
                {"type": "openrouter:web_search"},
                {"type": "tool_from_the_future", "x": 1},
            ],
            tool_choice={"type": "function", "name": "f"},
            text={"format": {"type": "grammar", "syntax": "lark"}, "verbosity": "medium"},
            reasoning={"effort": "high", "summary": "auto"},
            parallel_tool_calls=True,
            metadata=None,
            instructions=[{"role": "system", "content": "be brief"}],
        )
    )
    assert [type(t) for t in result.tools] == [
        c.FunctionTool, c.WebSearchServerToolOpenRouter, c.UnknownTool
    ]  # fmt: skip
    assert isinstance(result.tool_choice, c.OpenAIResponsesToolChoiceFunction)
    assert result.text is not None
    assert isinstance(result.text.format, c.UnknownTextFormat)
    assert result.reasoning is not None
    assert result.reasoning.effort == "high"
    assert (
        c.OpenResponsesResult.model_validate(result_body(tool_choice="auto")).tool_choice == "auto"
    )


def test_a_result_builds_only_the_output_item_classes_it_holds() -> None:
    data = json.dumps(result_body(output=[{"type": "message", "content": []}]))
    code = (
        "import sys, openrouter.components as c;"
        "r = c.OpenResponsesResult.model_validate_json(sys.argv[1]);"
        "assert type(r.output[0]) is c.OutputMessageItem;"
        "assert c.OutputMessageItem.__pydantic_complete__;"
        "assert not c.OutputReasoningItem.__pydantic_complete__;"
        "assert 'openrouter.components._request' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code, data], check=True)


def test_tagged_unions_keep_instances_errors_and_json_schema() -> None:
    item = c.OutputFunctionCallItem(type="function_call", call_id="c", name="f")
    result = c.OpenResponsesResult.model_validate(result_body(output=[item]))
    assert result.output[0] is item
    with pytest.raises(ValidationError) as caught:
        c.OpenResponsesResult.model_validate(result_body(output=[5]))
    first = caught.value.errors()[0]
    assert first["type"] == "model_type"
    assert first["loc"] == ("output", 0, "OutputMessageItem")
    schema = c.OpenResponsesResult.model_json_schema()
    refs = {ref["$ref"] for ref in schema["properties"]["output"]["items"]["anyOf"]}
    assert "#/$defs/OutputReasoningItem" in refs
    assert "#/$defs/UnknownOutputItem" in refs


def test_output_items_can_be_resent_as_input_unchanged() -> None:
    items = [
        {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "gAAA"},
        {"type": "function_call", "id": "fc_1", "call_id": "c", "name": "f", "arguments": "{}"},
    ]
    result = c.OpenResponsesResult.model_validate(result_body(output=items))
    sent = body(input=[*result.output, c.FunctionCallOutputItem(call_id="c", output="ok")])
    assert sent["input"] == [
        *items,
        {"type": "function_call_output", "call_id": "c", "output": "ok"},
    ]


def test_response_snapshot_is_a_lenient_result() -> None:
    snapshot = c.ResponseSnapshot.model_validate({"status": "in_progress"})
    assert isinstance(snapshot, c.OpenResponsesResult)
    assert snapshot.id == ""
    assert snapshot.to_dict() == {"status": "in_progress"}


def test_result_supports_the_page_streaming_pattern() -> None:
    # ``with res as event_stream: for event in event_stream`` also works for stream=False.
    result = c.OpenResponsesResult.model_validate(
        result_body(
            output=[
                {
                    "type": "message",
                    "id": "m",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "hi"}],
                }
            ]
        )
    )
    with result as events:
        (event,) = list(events)
    assert isinstance(event, c.StreamEventsResponseCompleted)
    assert event.response.output_text == "hi"
    assert event.response.id == "resp_1"

    incomplete = c.OpenResponsesResult.model_validate(result_body(status="incomplete"))
    with incomplete as events:
        assert [e.type for e in events] == ["response.incomplete"]


def test_result_supports_the_async_page_pattern() -> None:
    import asyncio

    async def collect() -> list[str]:
        result = c.OpenResponsesResult.model_validate(result_body(status="failed"))
        async with result as events:
            return [event.type async for event in events]

    assert asyncio.run(collect()) == ["response.failed"]
