"""Structured outputs: strict schemas, ``parse`` / ``parse_async`` / streaming, and every way
an answer can fail to become the requested type, over real sockets against the emulator."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import typing
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import jsonschema
import pytest
import typing_extensions
from pydantic import BaseModel, Field, ValidationError

from openrouter import OpenRouter, components, errors
from openrouter.structured import (
    ParsedEventStream,
    ParsedEventStreamAsync,
    ParsedResponse,
    StructuredFormat,
    json_schema_format,
    parse_response,
    text_config,
    to_strict_json_schema,
)
from openrouter.testing import Emulator, Reply


class Address(BaseModel):
    street: str
    city: str | None = None


class Cat(BaseModel):
    kind: Literal["cat"] = "cat"
    lives: int


class Dog(BaseModel):
    kind: Literal["dog"] = "dog"
    good: bool = True


class Person(BaseModel):
    """A person and their pets."""

    name: str
    age: int = 30
    nickname: str | None = None
    tags: list[str] = []
    home: Address = Field(description="Where they live")
    pets: list[Annotated[Cat | Dog, Field(discriminator="kind")]] = []
    friends: list[Person] = []


class Weather(BaseModel):
    city: str
    temperature_c: float
    conditions: Literal["sunny", "cloudy", "rain"]


WEATHER = {"city": "Paris", "temperature_c": 21.5, "conditions": "sunny"}


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "properties" in node:
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def _has_key(node: Any, key: str) -> bool:
    if isinstance(node, dict):
        return key in node or any(_has_key(v, key) for v in node.values())
    if isinstance(node, list):
        return any(_has_key(v, key) for v in node)
    return False


# -- strict schemas ------------------------------------------------------------------------------


def test_strict_schema_rules() -> None:
    schema = StructuredFormat.of(Person).schema
    objects = list(_objects(schema))
    assert len(objects) >= 5  # Person (root and $defs), Address (inlined and $defs), Cat, Dog
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])
    assert not _has_key(schema, "default")
    assert not _has_key(schema, "oneOf")
    assert not _has_key(schema, "discriminator")
    assert schema["type"] == "object"  # a recursive model's root is the object, not a $ref
    props = schema["properties"]
    # Optional with a non-null default: nullable, not omitted.
    assert {"type": "null"} in props["age"]["anyOf"]
    # Already nullable: just required.
    assert props["nickname"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    # A $ref with a sibling description is inlined.
    assert props["home"]["description"] == "Where they live"
    assert "$ref" not in props["home"] and props["home"]["type"] == "object"
    # Recursion stays a $ref into $defs.
    assert schema["$defs"]["Person"]["type"] == "object"
    # A union tag is a required constant, not nullable.
    cat = schema["$defs"]["Cat"]["properties"]["kind"]
    assert cat == {"const": "cat", "title": "Kind", "type": "string"}
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_valid_instance_satisfies_the_strict_schema() -> None:
    schema = StructuredFormat.of(Person).schema
    person = Person(
        name="Ada",
        home=Address(street="1 Main St"),
        pets=[Cat(lives=9), Dog()],
        friends=[Person(name="Bob", home=Address(street="2 Side St", city="Oslo"))],
    )
    jsonschema.validate(person.model_dump(mode="json"), schema)
    # And the model must fill every field: leaving one out is rejected.
    data = person.model_dump(mode="json")
    del data["age"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    data["age"] = None  # null is allowed, and means "the default"
    jsonschema.validate(data, schema)


def test_to_strict_json_schema_on_a_plain_schema() -> None:
    plain = {
        "type": "object",
        "properties": {
            "a": {"type": "integer", "default": 1},
            "b": {"type": "object"},
            "c": {"allOf": [{"type": "string"}]},
        },
        "required": [],
    }
    strict = to_strict_json_schema(plain)
    assert strict["required"] == ["a", "b", "c"]
    assert strict["properties"]["a"] == {"anyOf": [{"type": "integer"}, {"type": "null"}]}
    inner = strict["properties"]["b"]["anyOf"][0]
    assert inner == {
        "type": "object",
        "properties": {},
        "required": [],
        "additionalProperties": False,
    }
    assert strict["properties"]["c"]["anyOf"][0] == {"type": "string"}
    assert plain["required"] == []  # the input is not modified


def test_format_config_and_name() -> None:
    fmt = json_schema_format(Weather)
    body = fmt.to_dict()
    assert body["type"] == "json_schema" and body["name"] == "Weather"
    assert body["strict"] is True
    assert body["schema"]["required"] == ["city", "temperature_c", "conditions"]
    with pytest.raises(TypeError, match="need a JSON object"):
        StructuredFormat.of(list[int])


# -- parse: sync, async, streaming ----------------------------------------------------------------


def _client(emu: Emulator) -> OpenRouter:
    return OpenRouter(api_key=emu.api_key, server_url=emu.url)


def _check_request(emu: Emulator, name: str = "Weather") -> None:
    (request,) = emu.requests
    assert request.validation_errors == []
    text = request.json["text"]
    assert text["format"]["type"] == "json_schema"
    assert text["format"]["name"] == name
    assert text["format"]["strict"] is True
    assert text["format"]["schema"]["additionalProperties"] is False


def test_parse_sync(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text(json.dumps(WEATHER)))
    with _client(openrouter_emulator) as client:
        res = client.responses.parse(model="m", input="Weather in Paris?", text_format=Weather)
    assert isinstance(res, ParsedResponse)
    assert isinstance(res, components.OpenResponsesResult)
    assert res.output_parsed == Weather(**WEATHER)  # type: ignore[arg-type]
    assert res.output_parsed.city == "Paris"
    assert res.output_text == json.dumps(WEATHER)
    assert "output_parsed" not in res.to_dict()
    assert res.to_dict()["id"] == res.id
    _check_request(openrouter_emulator)


def test_parse_async(openrouter_emulator: Emulator) -> None:
    async def main() -> ParsedResponse[Weather]:
        async with _client(openrouter_emulator) as client:
            return await client.responses.parse_async(
                model="m", input="Weather?", text_format=Weather
            )

    openrouter_emulator.enqueue(Reply.text(json.dumps(WEATHER)))
    assert asyncio.run(main()).output_parsed.temperature_c == 21.5
    _check_request(openrouter_emulator)


def test_parse_streaming_sync(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text(json.dumps(WEATHER), delta_size=5))
    with _client(openrouter_emulator) as client:
        with client.responses.parse(
            model="m", input="Weather?", text_format=Weather, stream=True
        ) as stream:
            assert isinstance(stream, ParsedEventStream)
            deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
            final = stream.get_final_response()
    assert len(deltas) > 3 and "".join(deltas) == json.dumps(WEATHER)
    assert final.output_parsed == Weather(**WEATHER)  # type: ignore[arg-type]
    assert stream.status == "response.completed"
    assert stream.output_text == json.dumps(WEATHER)
    _check_request(openrouter_emulator)


def test_parse_streaming_async(openrouter_emulator: Emulator) -> None:
    async def main() -> tuple[list[str], Weather]:
        async with _client(openrouter_emulator) as client:
            stream = await client.responses.parse_async(
                model="m", input="Weather?", text_format=Weather, stream=True
            )
            assert isinstance(stream, ParsedEventStreamAsync)
            async with stream:
                deltas = [d async for d in stream.text_deltas()]
                final = await stream.get_final_response()
            return deltas, final.output_parsed

    openrouter_emulator.enqueue(Reply.text(json.dumps(WEATHER), delta_size=7))
    deltas, parsed = asyncio.run(main())
    assert "".join(deltas) == json.dumps(WEATHER)
    assert parsed.conditions == "sunny"
    _check_request(openrouter_emulator)


def test_nulls_for_defaulted_fields_take_the_default(openrouter_emulator: Emulator) -> None:
    answer = {
        "name": "Ada",
        "age": None,
        "nickname": None,
        "tags": None,
        "home": {"street": "1 Main St", "city": None},
        "pets": [{"kind": "cat", "lives": 9}, {"kind": "dog", "good": None}],
        "friends": [
            {
                "name": "Bob",
                "age": 41,
                "nickname": "B",
                "tags": ["x"],
                "home": {"street": "2", "city": "Oslo"},
                "pets": None,
                "friends": None,
            }
        ],
    }
    openrouter_emulator.enqueue(Reply.text(json.dumps(answer)))
    with _client(openrouter_emulator) as client:
        person = client.responses.parse(model="m", input="x", text_format=Person).output_parsed
    assert person.age == 30 and person.tags == [] and person.nickname is None
    assert person.home.city is None  # nullable in the model: null kept
    assert person.pets == [Cat(lives=9), Dog(good=True)]
    assert person.friends[0].age == 41 and person.friends[0].pets == []
    _check_request(openrouter_emulator, "Person")


def test_text_settings_are_merged(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text(json.dumps(WEATHER)))
    with _client(openrouter_emulator) as client:
        client.responses.parse(model="m", input="x", text_format=Weather, text={"verbosity": "low"})
        with pytest.raises(TypeError, match="not both"):
            client.responses.parse(
                model="m", input="x", text_format=Weather, text={"format": {"type": "text"}}
            )
    text = openrouter_emulator.requests[0].json["text"]
    assert text["verbosity"] == "low" and text["format"]["name"] == "Weather"


def test_dataclass_format(openrouter_emulator: Emulator) -> None:
    @dataclasses.dataclass
    class Point:
        x: int
        y: int = 0

    openrouter_emulator.enqueue(Reply.text('{"x": 1, "y": null}'))
    with _client(openrouter_emulator) as client:
        res = client.responses.parse(model="m", input="x", text_format=Point)
    assert res.output_parsed == Point(1, 0)


# -- failures carry the raw text ------------------------------------------------------------------


def test_violation_raises_with_raw_text(openrouter_emulator: Emulator) -> None:
    bad = '{"city": "Paris", "temperature_c": "warm", "conditions": "snow"}'
    openrouter_emulator.enqueue(Reply.text(bad))
    with _client(openrouter_emulator) as client:
        with pytest.raises(errors.StructuredOutputValidationError) as info:
            client.responses.parse(model="m", input="x", text_format=Weather)
    err = info.value
    assert err.raw_text == bad
    assert isinstance(err.cause, ValidationError) and err.__cause__ is err.cause
    assert err.response.output_text == bad
    assert "does not match Weather" in str(err) and "temperature_c" in str(err)
    assert isinstance(err, errors.StructuredOutputError)
    assert isinstance(err, errors.OpenRouterSDKError)


def test_not_json_raises_with_raw_text(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text("Sure! Here is the weather: sunny"))
    with _client(openrouter_emulator) as client:
        with pytest.raises(errors.StructuredOutputValidationError, match="not valid JSON") as info:
            client.responses.parse(model="m", input="x", text_format=Weather)
    assert info.value.raw_text == "Sure! Here is the weather: sunny"
    assert isinstance(info.value.cause, json.JSONDecodeError)


def test_refusal_raises(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.refusal("I can't help with that."))
    with _client(openrouter_emulator) as client:
        with pytest.raises(errors.StructuredOutputRefusalError) as info:
            client.responses.parse(model="m", input="x", text_format=Weather)
    assert info.value.refusal == "I can't help with that."
    assert info.value.raw_text == ""


def test_incomplete_raises(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.incomplete('{"city": "Par'))
    with _client(openrouter_emulator) as client:
        with pytest.raises(errors.StructuredOutputIncompleteError) as info:
            client.responses.parse(model="m", input="x", text_format=Weather)
    err = info.value
    assert isinstance(err, errors.IncompleteResponseError)
    assert isinstance(err, errors.StructuredOutputError)
    assert err.reason == "max_output_tokens" and err.raw_text == '{"city": "Par'
    assert err.response.status == "incomplete"


def test_failed_response_raises(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.failed("server_error", "boom"))
    with _client(openrouter_emulator) as client:
        with pytest.raises(errors.ResponseFailedError) as info:
            client.responses.parse(model="m", input="x", text_format=Weather)
    assert info.value.code == "server_error" and info.value.error_message == "boom"


def test_streamed_failures_raise_at_get_final_response(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(
        Reply.text('{"city": 1}'), Reply.incomplete('{"ci'), Reply.refusal("no")
    )
    with _client(openrouter_emulator) as client:
        with client.responses.parse(model="m", input="x", text_format=Weather, stream=True) as s:
            events = list(s)  # iterating never raises for parse problems
            assert events[-1].type == "response.completed"
            with pytest.raises(errors.StructuredOutputValidationError) as info:
                s.get_final_response()
            assert info.value.raw_text == '{"city": 1}'
            with pytest.raises(errors.StructuredOutputValidationError):
                s.get_final_response()  # the same answer, the same error
        with client.responses.parse(model="m", input="x", text_format=Weather, stream=True) as s:
            with pytest.raises(errors.StructuredOutputIncompleteError):
                s.get_final_response()
            with pytest.raises(errors.IncompleteResponseError):
                _ = s.output_text

    async def refused() -> None:
        async with _client(openrouter_emulator) as client:
            stream = await client.responses.parse_async(
                model="m", input="x", text_format=Weather, stream=True
            )
            async with stream:
                with pytest.raises(errors.StructuredOutputRefusalError):
                    await stream.get_final_response()

    asyncio.run(refused())


def test_stream_errors_propagate(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text(json.dumps(WEATHER)).with_options(drop_after=4))
    with _client(openrouter_emulator) as client:
        with client.responses.parse(model="m", input="x", text_format=Weather, stream=True) as s:
            with pytest.raises(errors.StreamInterruptedError):
                s.get_final_response()
            with pytest.raises(errors.StreamInterruptedError):
                s.get_final_response()  # asked again: the same failure, not a parse


def test_parse_response_directly(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text("note") + Reply.text(json.dumps(WEATHER)))
    with _client(openrouter_emulator) as client:
        res = client.responses.send(model="m", input="x", text=text_config(Weather))
    # With several messages, the last one with text is the answer.
    assert parse_response(res, Weather).output_parsed.city == "Paris"
    assert openrouter_emulator.requests[0].json["text"]["format"]["name"] == "Weather"
    assert openrouter_emulator.requests[0].json["text"]["format"]["strict"] is True


# -- what text_format takes -----------------------------------------------------------------------


class Place(typing.TypedDict, total=False):
    """Where it is."""

    name: typing_extensions.Required[str]
    country: str


class Forecast(typing.TypedDict):
    city: Place
    days: list[Place | None]
    note: typing_extensions.NotRequired[str]


class PlaceX(typing_extensions.TypedDict, total=False):
    """Where it is."""

    name: typing_extensions.Required[str]
    country: str


class ForecastX(typing_extensions.TypedDict):
    city: PlaceX
    days: list[PlaceX | None]
    note: typing_extensions.NotRequired[str]


class Tree(typing.TypedDict):
    label: str
    children: list[Tree]


def test_typing_typeddict_works_on_every_python(openrouter_emulator: Emulator) -> None:
    # Before 3.12 pydantic refuses typing.TypedDict; it is rebuilt as the typing_extensions one.
    answer = {"city": {"name": "Paris"}, "days": [{"name": "Lyon", "country": "FR"}, None]}
    openrouter_emulator.enqueue(Reply.text(json.dumps(answer)))
    with _client(openrouter_emulator) as client:
        res = client.responses.parse(model="m", input="x", text_format=Forecast)
    assert res.output_parsed == answer and res.output_parsed["city"]["name"] == "Paris"
    sent = openrouter_emulator.requests[0].json["text"]["format"]
    assert sent["name"] == "Forecast"
    # The same schema as the typing_extensions spelling (names aside).
    expected = json.loads(json.dumps(to_strict_json_schema(ForecastX)).replace("PlaceX", "Place"))
    assert sent["schema"] == {**expected, "title": "Forecast"}
    assert sent["schema"]["$defs"]["Place"]["description"] == "Where it is."


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="pydantic takes these from Python 3.12")
def test_typing_typeddict_that_cannot_be_rebuilt_says_to_use_typing_extensions() -> None:
    @dataclasses.dataclass
    class Trip:
        to: Place

    for text_format in (Tree, Trip):
        with pytest.raises(TypeError, match="from typing_extensions import TypedDict"):
            StructuredFormat.of(text_format)


class NotAModel:
    pass


@pytest.mark.parametrize(
    ("text_format", "message"),
    [
        ("Weather", r"not a string \('Weather'\).*text_format=Weather, not text_format='Weather'"),
        (Weather(city="Paris", temperature_c=1, conditions="rain"), "not an instance.*=Weather"),
        ({"type": "object"}, "not a dict.*json_schema"),
        (dict, "text_format=dict is a free-form mapping.*named fields"),
        (dict[str, int], r"dict\[str, int\] is a free-form mapping"),
        (list[Weather], "describes a JSON array.*need a JSON object"),
        (None, "text_format is None"),
        (NotAModel, "NotAModel cannot be described as JSON schema"),
    ],
)
def test_text_format_that_is_not_a_class_with_fields_is_refused_before_sending(
    openrouter_emulator: Emulator, text_format: Any, message: str
) -> None:
    with _client(openrouter_emulator) as client:
        with pytest.raises(TypeError, match=message) as info:
            client.responses.parse(model="m", input="x", text_format=text_format)
        what_to_pass = ("pass a pydantic model, dataclass or TypedDict class", "pass text_format=")
        assert any(hint in str(info.value) for hint in what_to_pass)
        assert "errors.pydantic.dev" not in str(info.value)
        with pytest.raises(TypeError, match=message):
            client.responses.parse(model="m", input="x", text_format=text_format, stream=True)

        async def main() -> None:
            async with _client(openrouter_emulator) as aclient:
                await aclient.responses.parse_async(model="m", input="x", text_format=text_format)

        with pytest.raises(TypeError, match=message):
            asyncio.run(main())
    assert openrouter_emulator.requests == []


def test_to_strict_json_schema_takes_a_type() -> None:
    @dataclasses.dataclass
    class Point:
        x: int
        y: int = 0

    schema = to_strict_json_schema(Weather)
    assert schema == StructuredFormat.of(Weather).schema
    assert schema["required"] == ["city", "temperature_c", "conditions"]
    schema["required"].clear()  # a copy: the cached format is untouched
    assert StructuredFormat.of(Weather).schema["required"] != []
    assert to_strict_json_schema(Point)["properties"]["y"] == {
        "anyOf": [{"type": "integer", "title": "Y"}, {"type": "null"}]
    }
    assert to_strict_json_schema(Forecast)["required"] == ["city", "days", "note"]
    with pytest.raises(TypeError, match="not a string"):
        to_strict_json_schema("Weather")  # type: ignore[arg-type]
