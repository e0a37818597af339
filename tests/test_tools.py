"""Function tools (definitions from functions and models, argument parsing) and the tool-run
loop, sync and async, streaming and not, over real sockets against the emulator."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from typing import Annotated, Any, Literal

import pydantic
import pytest
from pydantic import BaseModel, Field

from openrouter import OpenRouter, components, errors
from openrouter.inputs import input_image, input_text
from openrouter.testing import Emulator, FunctionCall, Reply
from openrouter.tools import (
    ArgumentsError,
    Tool,
    ToolExecution,
    ToolRun,
    ToolRunResult,
    ToolRunStream,
    ToolRunStreamAsync,
    drive,
    drive_async,
    parse_docstring,
    tool,
    tool_definitions,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


# -- tools used by the tests ---------------------------------------------------------------------


def get_weather(city: str, unit: Literal["c", "f"] = "c") -> dict[str, Any]:
    """Current weather for a city.

    Uses the pretend weather service.

    Args:
        city: The city name,
            for example "Paris".
        unit: Temperature unit.
    """
    return {"city": city, "temperature": 21 if unit == "c" else 70, "unit": unit}


def get_time(zone: str) -> str:
    """The local time in a time zone.

    Parameters
    ----------
    zone : str
        An IANA zone name.
    """
    return f"12:00 in {zone}"


def divide(a: float, b: float) -> float:
    """Divide two numbers.

    :param a: The dividend.
    :param b: The divisor.
    """
    return a / b


class Window(BaseModel):
    start: dt.date
    days: int = Field(1, ge=1)


def book(room: str, window: Window, /, *, guests: Annotated[int, Field(ge=1)] = 1) -> str:
    """Book a room."""
    return f"{room} from {window.start.isoformat()} for {window.days}d, {guests} guest(s)"


class Search(BaseModel):
    """Search the catalogue.

    Returns matching products.
    """

    query: str
    limit: int = 5


def _client(emu: Emulator) -> OpenRouter:
    return OpenRouter(api_key=emu.api_key, server_url=emu.url)


# -- definitions ---------------------------------------------------------------------------------


def test_definition_from_a_function() -> None:
    definition = Tool.from_function(get_weather).to_dict()
    assert definition == {
        "type": "function",
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": 'The city name, for example "Paris".'},
                "unit": {
                    "type": "string",
                    "enum": ["c", "f"],
                    "default": "c",
                    "description": "Temperature unit.",
                },
            },
            "required": ["city"],
            "additionalProperties": False,
        },
    }


def test_docstring_styles() -> None:
    assert Tool.from_function(get_time).parameters["properties"]["zone"]["description"] == (
        "An IANA zone name."
    )
    props = Tool.from_function(divide).parameters["properties"]
    assert props["a"]["description"] == "The dividend."
    assert props["b"]["description"] == "The divisor."
    summary, params = parse_docstring(
        """Do things
        over two lines.

        Args:
            x (int): First.
            *rest: Others.

        Returns:
            Nothing.
        """
    )
    assert summary == "Do things over two lines."
    assert params == {"x": "First.", "rest": "Others."}
    assert parse_docstring(None) == (None, {})
    assert parse_docstring("\n    Args:\n        x: only args\n    ") == (None, {"x": "only args"})


def test_definition_with_models_positional_only_and_annotated_fields() -> None:
    t = Tool.from_function(book, name="book_room", description="Book it.")
    assert t.name == "book_room" and t.description == "Book it."
    params = t.parameters
    assert params["required"] == ["room", "window"]
    assert params["properties"]["guests"]["minimum"] == 1
    assert params["properties"]["window"]["$ref"] == "#/$defs/Window"
    assert params["$defs"]["Window"]["properties"]["start"]["format"] == "date"
    # Arguments become the annotated types, positional-only ones passed positionally.
    out = t.invoke('{"room": "A1", "window": {"start": "2026-01-02", "days": 3}, "guests": 2}')
    assert out == "A1 from 2026-01-02 for 3d, 2 guest(s)"
    assert t.invoke({"room": "B", "window": {"start": "2026-05-01"}}) == (
        "B from 2026-05-01 for 1d, 1 guest(s)"
    )


def test_parameter_names_that_shadow_basemodel_attributes() -> None:
    def lookup(json: str, schema: str = "public", model_config: int = 0) -> str:
        return f"{json}/{schema}/{model_config}"

    t = Tool.from_function(lookup)
    assert list(t.parameters["properties"]) == ["json", "schema", "model_config"]
    assert t.invoke('{"json": "a"}') == "a/public/0"


def test_definition_from_a_model() -> None:
    t = Tool.from_model(Search, lambda s: [s.query] * s.limit)
    assert t.name == "Search" and t.description == "Search the catalogue."
    assert t.parameters["required"] == ["query"]
    assert "title" not in t.parameters
    assert t.invoke('{"query": "hat", "limit": 2}') == ["hat", "hat"]
    bare = Tool.of(Search)
    assert isinstance(bare.parse_arguments('{"query": "x"}'), Search)
    with pytest.raises(TypeError, match="no function"):
        bare.invoke('{"query": "x"}')


def test_strict_tools() -> None:
    t = Tool.from_function(get_weather, strict=True)
    definition = t.definition.to_dict()
    assert definition["strict"] is True
    params = definition["parameters"]
    assert params["required"] == ["city", "unit"]
    assert params["properties"]["unit"]["anyOf"][1] == {"type": "null"}
    # A null for a defaulted parameter means "use the default".
    assert t.invoke('{"city": "Oslo", "unit": null}')["unit"] == "c"


def test_decorator_and_validation() -> None:
    @tool
    def ping() -> str:
        """Ping."""
        return "pong"

    @tool(name="echo_it", strict=True)
    def echo(text: str) -> str:
        return text

    assert isinstance(ping, Tool) and ping() == "pong"  # still callable
    assert ping.parameters == {"type": "object", "properties": {}, "additionalProperties": False}
    assert ping.invoke("") == "pong"  # some providers send "" for no arguments
    assert echo.name == "echo_it" and echo.description is None
    with pytest.raises(ValueError, match="name"):
        Tool.from_function(get_time, name="not a name")
    with pytest.raises(ValueError, match="name"):
        Tool.from_function(lambda: None)
    with pytest.raises(TypeError, match="args"):
        Tool.from_function(lambda *a: a, name="star")
    with pytest.raises(Exception, match="int"):
        Tool.from_function(get_weather).invoke('{"city": 3}')


class Greeter:
    """Greets people."""

    def __call__(self, who: str) -> str:
        return f"hello {who}"


def test_callable_objects_partials_and_bad_types() -> None:
    import functools

    assert Tool.from_function(Greeter()).name == "Greeter"
    assert Tool.from_function(Greeter()).invoke('{"who": "Ada"}') == "hello Ada"
    partial = Tool.from_function(functools.partial(get_weather, unit="f"))
    assert partial.name == "get_weather"
    assert list(partial.parameters["properties"]) == ["city", "unit"]
    assert partial.invoke('{"city": "NYC"}')["unit"] == "f"

    def takes_client(client: OpenRouter) -> None:
        pass

    with pytest.raises(TypeError, match="JSON schema"):
        Tool.from_function(takes_client)


def test_parameters_need_type_hints() -> None:
    def forecast(city: str, days=3) -> str:  # type: ignore[no-untyped-def]
        return city

    with pytest.raises(TypeError, match="parameter 'days' has no type hint"):
        Tool.from_function(forecast)
    with pytest.raises(TypeError, match=r"parameter 'x' has no type hint.*x: Any"):
        Tool.from_function(lambda x: x, name="echo")

    class Shop:
        def price(self, item: str) -> float:
            return 1.0

    assert list(Tool.from_function(Shop().price).parameters["properties"]) == ["item"]
    with pytest.raises(TypeError, match="pass the bound method"):
        Tool.from_function(Shop.price)
    with pytest.raises(TypeError, match="args"):  # *args / **kwargs: refused as before
        Tool.from_function(lambda *a: a, name="star")


def test_argument_errors_are_short() -> None:
    strict = Tool.from_function(get_weather, strict=True)
    for t in (Tool.from_function(get_weather), strict):
        with pytest.raises(ArgumentsError) as info:
            t.checked_arguments(_call("get_weather", '{"unit": "k", "extra": 1}'))
        assert str(info.value) == (
            "Invalid arguments for get_weather: city: Field required; unit: Input should be "
            "'c' or 'f'; extra: Extra inputs are not permitted"
        )
        assert isinstance(info.value.__cause__, pydantic.ValidationError)
    many = Tool.from_function(book)
    with pytest.raises(ArgumentsError, match=r"window.start: .*; and 1 more$"):
        many.checked_arguments(
            _call("book", '{"room": 1, "window": {"start": 2, "days": 0}, "x": 1}')
        )
    with pytest.raises(ArgumentsError, match=r"^Invalid arguments for get_weather: Invalid JSON: "):
        strict.checked_arguments(_call("get_weather", "{nope"))


def _call(name: str, arguments: str) -> components.OutputFunctionCallItem:
    return components.OutputFunctionCallItem(
        type="function_call", call_id="c", name=name, arguments=arguments
    )


def test_send_refuses_python_functions_in_tools(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(ANSWER)
    with _client(openrouter_emulator) as client:
        with pytest.raises(errors.RequestValidationError) as info:
            client.responses.send(model="m", input="x", tools=[get_weather])  # type: ignore[list-item]
        assert info.value.field == "tools"
        assert "get_weather is a Python function" in str(info.value)
        assert "run_tools(tools=[get_weather]" in str(info.value)
        assert "Tool.from_function(get_weather)" in str(info.value)
        with pytest.raises(errors.RequestValidationError, match=r"Tool\.from_model\(Search\)"):
            client.responses.send(model="m", input="x", tools=[Search])  # type: ignore[list-item]
        with pytest.raises(errors.RequestValidationError, match=r"pass an instance"):
            client.responses.send(
                model="m",
                input="x",
                tools=[components.DatetimeServerTool],  # type: ignore[list-item]
            )

        async def main() -> None:
            async with _client(openrouter_emulator) as aclient:
                await aclient.responses.send_async(
                    model="m",
                    input="x",
                    stream=True,
                    tools=[get_time],  # type: ignore[list-item]
                )

        with pytest.raises(errors.RequestValidationError, match="run_tools"):
            asyncio.run(main())
        assert openrouter_emulator.requests == []  # nothing was sent
        # A Tool is sent as its definition, next to definitions and server tools.
        client.responses.send(
            model="m",
            input="x",
            tools=[Tool.from_function(get_weather), {"type": "openrouter:datetime"}],  # type: ignore[list-item]
        )
    sent = openrouter_emulator.requests[0].json["tools"]
    assert sent == [Tool.from_function(get_weather).to_dict(), {"type": "openrouter:datetime"}]


def test_tool_definitions_keep_server_tools() -> None:
    server = {"type": "openrouter:web_search"}
    defs = tool_definitions([get_weather, server, components.DatetimeServerTool()])
    assert isinstance(defs[0], components.FunctionTool) and defs[1] is server
    with pytest.raises(ValueError, match="Two tools"):
        tool_definitions([get_weather, get_weather])


# -- the loop ------------------------------------------------------------------------------------

TWO_CALLS = Reply.function_calls(
    FunctionCall("get_weather", {"city": "Paris"}, call_id="call_w"),
    FunctionCall("get_time", {"zone": "Europe/Paris"}, call_id="call_t"),
)
ANSWER = Reply.text("Sunny, 21 C, and it is noon.")


def _check_two_call_run(emu: Emulator, result: ToolRunResult) -> None:
    assert result.output_text == "Sunny, 21 C, and it is noon."
    assert len(result.responses) == 2 and result.response is result.responses[-1]
    assert [e.name for e in result.executions] == ["get_weather", "get_time"]
    assert all(e.ok for e in result.executions)
    assert result.executions[0].value == {"city": "Paris", "temperature": 21, "unit": "c"}

    first, second = emu.requests
    assert first.validation_errors == [] and second.validation_errors == []
    assert [t["name"] for t in first.json["tools"]] == ["get_weather", "get_time"]
    assert first.json["input"] == [{"type": "message", "role": "user", "content": "Paris?"}]
    sent = second.json["input"]
    assert [i["type"] for i in sent] == [
        "message",
        "function_call",
        "function_call",
        "function_call_output",
        "function_call_output",
    ]
    # The reply's items are resent as returned, and each call gets its output.
    assert sent[1] == result.responses[0].output[0].to_dict()
    assert sent[2] == result.responses[0].output[1].to_dict()
    outputs = {i["call_id"]: i["output"] for i in sent[3:]}
    assert set(outputs) == {"call_w", "call_t"}
    assert json.loads(outputs["call_w"]) == {"city": "Paris", "temperature": 21, "unit": "c"}
    assert outputs["call_t"] == "12:00 in Europe/Paris"
    # History: input, the first reply's items, the outputs, the final answer.
    assert [getattr(i, "type", None) for i in result.items] == [
        "message",
        "function_call",
        "function_call",
        "function_call_output",
        "function_call_output",
        "message",
    ]
    assert result.new_items == result.items[1:]
    assert result.usage.requests == 2
    costs = [r.usage.cost for r in result.responses if r.usage and r.usage.cost]
    assert result.usage.cost == pytest.approx(sum(costs))


def test_run_tools_sync(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(TWO_CALLS, ANSWER)
    with _client(openrouter_emulator) as client:
        result = client.responses.run_tools(
            model="m", input="Paris?", tools=[get_weather, get_time], temperature=0
        )
    _check_two_call_run(openrouter_emulator, result)
    assert openrouter_emulator.requests[1].json["temperature"] == 0


def test_run_tools_async_runs_calls_concurrently(openrouter_emulator: Emulator) -> None:
    # Each tool waits for the other to have started: this only finishes if they overlap.
    started = {"get_weather": asyncio.Event(), "get_time": asyncio.Event()}

    async def weather(city: str) -> dict[str, Any]:
        """Weather."""
        started["get_weather"].set()
        await asyncio.wait_for(started["get_time"].wait(), 2)
        return get_weather(city)

    async def time_in(zone: str) -> str:
        """Time."""
        started["get_time"].set()
        await asyncio.wait_for(started["get_weather"].wait(), 2)
        return get_time(zone)

    async def main() -> ToolRunResult:
        async with _client(openrouter_emulator) as client:
            return await client.responses.run_tools_async(
                model="m",
                input="Paris?",
                tools=[
                    Tool.from_function(weather, name="get_weather"),
                    tool(name="get_time")(time_in),
                ],
            )

    openrouter_emulator.enqueue(TWO_CALLS, ANSWER)
    _check_two_call_run(openrouter_emulator, asyncio.run(main()))


def test_run_tools_async_runs_sync_tools_in_threads(openrouter_emulator: Emulator) -> None:
    barrier = threading.Barrier(2, timeout=2)
    threads: set[int] = set()

    def weather(city: str) -> dict[str, Any]:
        threads.add(threading.get_ident())
        barrier.wait()  # both tools must be running at once
        return get_weather(city)

    def zone_time(zone: str) -> str:
        threads.add(threading.get_ident())
        barrier.wait()
        return get_time(zone)

    async def main() -> ToolRunResult:
        async with _client(openrouter_emulator) as client:
            return await client.responses.run_tools_async(
                model="m",
                input="Paris?",
                tools=[
                    Tool.from_function(weather, name="get_weather"),
                    Tool.from_function(zone_time, name="get_time"),
                ],
            )

    openrouter_emulator.enqueue(TWO_CALLS, ANSWER)
    _check_two_call_run(openrouter_emulator, asyncio.run(main()))
    assert len(threads) == 2 and threading.get_ident() not in threads


def test_run_tools_streaming_sync(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(TWO_CALLS, ANSWER)
    with _client(openrouter_emulator) as client:
        with client.responses.run_tools(
            model="m", input="Paris?", tools=[get_weather, get_time], stream=True
        ) as stream:
            assert isinstance(stream, ToolRunStream)
            events = list(stream)
            result = stream.get_final_result()
    kinds = [e.type for e in events]
    assert kinds.count("response.completed") == 2
    executions = [e for e in events if isinstance(e, ToolExecution)]
    assert [e.call_id for e in executions] == ["call_w", "call_t"]
    # Tool executions come after the first turn's terminal event, before the second turn.
    first_done = kinds.index("response.completed")
    assert first_done < events.index(executions[0]) < kinds.index("response.created", first_done)
    assert stream.result is result
    _check_two_call_run(openrouter_emulator, result)


def test_run_tools_streaming_async(openrouter_emulator: Emulator) -> None:
    async def main() -> tuple[str, ToolRunResult]:
        async with _client(openrouter_emulator) as client:
            stream = await client.responses.run_tools_async(
                model="m", input="Paris?", tools=[get_weather, get_time], stream=True
            )
            assert isinstance(stream, ToolRunStreamAsync)
            async with stream:
                text = "".join([d async for d in stream.text_deltas()])
                return text, await stream.get_final_result()

    openrouter_emulator.enqueue(TWO_CALLS, ANSWER)
    text, result = asyncio.run(main())
    assert text == "Sunny, 21 C, and it is noon."
    _check_two_call_run(openrouter_emulator, result)


def test_drivers_take_any_send_callable(openrouter_emulator: Emulator) -> None:
    # The loops need only a function shaped like ``Responses.send``: here one that records
    # what it is asked before forwarding.
    sent: list[tuple[bool, int]] = []

    def run() -> ToolRun:
        return ToolRun([get_weather, get_time], "Paris?", params={"model": "m"})

    async def main() -> tuple[ToolRunResult, ToolRunResult]:
        async with _client(openrouter_emulator) as client:

            async def send_async(*, stream: bool = False, **params: Any) -> Any:
                sent.append((stream, len(params["input"])))
                return await client.responses.send_async(stream=stream, **params)

            plain = await drive_async(send_async, run())
            async with ToolRunStreamAsync(send_async, run()) as stream:
                return plain, await stream.get_final_result()

    def send(*, stream: bool = False, **params: Any) -> Any:
        sent.append((stream, len(params["input"])))
        return client.responses.send(stream=stream, **params)

    openrouter_emulator.enqueue(TWO_CALLS, ANSWER, TWO_CALLS, ANSWER)
    with _client(openrouter_emulator) as client:
        _check_two_call_run(openrouter_emulator, drive(send, run()))
        with ToolRunStream(send, run()) as stream:
            streamed = stream.get_final_result()
    assert streamed.output_text == "Sunny, 21 C, and it is noon."
    assert sent == [(False, 1), (False, 5), (True, 1), (True, 5)]

    sent.clear()
    openrouter_emulator.enqueue(TWO_CALLS, ANSWER, TWO_CALLS, ANSWER)
    results = asyncio.run(main())
    assert [r.output_text for r in results] == ["Sunny, 21 C, and it is noon."] * 2
    assert sent == [(False, 1), (False, 5), (True, 1), (True, 5)]


def test_stream_result_before_the_end_raises(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(ANSWER)
    with _client(openrouter_emulator) as client:
        stream = client.responses.run_tools(model="m", input="x", tools=[], stream=True)
        with pytest.raises(RuntimeError, match="not finished"):
            _ = stream.result
        assert stream.get_final_response().output_text == ANSWER.output_items[0].parts()[0].text  # type: ignore[union-attr]


# -- errors --------------------------------------------------------------------------------------


def flaky(x: int) -> str:
    """Always fails."""
    raise ValueError(f"bad x: {x}")


ERRORS_TURN = Reply.function_calls(
    FunctionCall("flaky", {"x": 1}, call_id="c_raise"),
    FunctionCall("no_such_tool", {}, call_id="c_unknown"),
    FunctionCall("get_weather", {"town": "Paris"}, call_id="c_args"),
    FunctionCall("get_weather", "{not json", call_id="c_json"),
)


def _outputs(emu: Emulator) -> dict[str, str]:
    return {
        i["call_id"]: i["output"]
        for i in emu.requests[-1].json["input"]
        if i["type"] == "function_call_output"
    }


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_tool_errors_are_sent_to_the_model(openrouter_emulator: Emulator, mode: str) -> None:
    openrouter_emulator.enqueue(ERRORS_TURN, Reply.text("Sorry."))
    tools = [flaky, get_weather]
    with _client(openrouter_emulator) as client:
        if mode == "sync":
            result = client.responses.run_tools(model="m", input="x", tools=tools)
        elif mode == "stream":
            with client.responses.run_tools(model="m", input="x", tools=tools, stream=True) as s:
                result = s.get_final_result()
        else:

            async def main() -> ToolRunResult:
                async with _client(openrouter_emulator) as c:
                    return await c.responses.run_tools_async(model="m", input="x", tools=tools)

            result = asyncio.run(main())
    assert result.output_text == "Sorry."
    outputs = _outputs(openrouter_emulator)
    assert outputs["c_raise"] == "Error: tool 'flaky' raised ValueError: bad x: 1"
    assert outputs["c_unknown"].startswith("Error: there is no tool named 'no_such_tool'")
    assert "flaky, get_weather" in outputs["c_unknown"]
    # Short enough for the model to act on: the fields and what is wrong, no library links.
    assert outputs["c_args"] == (
        "Error: Invalid arguments for get_weather: city: Field required; "
        "town: Extra inputs are not permitted"
    )
    assert outputs["c_json"].startswith("Error: Invalid arguments for get_weather: Invalid JSON:")
    assert all("pydantic" not in text and "http" not in text for text in outputs.values())
    assert [type(e.error).__name__ for e in result.executions] == [
        "ValueError",
        "LookupError",
        "ArgumentsError",
        "ArgumentsError",
    ]


def test_on_tool_error_raise(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.function_call("flaky", {"x": 2}, call_id="c1"))
    with _client(openrouter_emulator) as client:
        with pytest.raises(errors.ToolCallError) as info:
            client.responses.run_tools(model="m", input="x", tools=[flaky], on_tool_error="raise")
    err = info.value
    assert isinstance(err.__cause__, ValueError) and err.call_id == "c1"
    assert err.tool_name == "flaky" and len(err.responses) == 1
    assert [getattr(i, "type", None) for i in err.items] == ["message", "function_call"]
    assert len(openrouter_emulator.requests) == 1

    async def main() -> None:
        async with _client(openrouter_emulator) as client:
            await client.responses.run_tools_async(
                model="m", input="x", tools=[flaky, get_weather], on_tool_error="raise"
            )

    openrouter_emulator.enqueue(
        Reply.function_calls(("get_weather", {"city": "Oslo"}), ("flaky", {"x": 3}))
    )
    with pytest.raises(errors.ToolCallError, match="bad x: 3") as info:
        asyncio.run(main())
    # The call that succeeded was still recorded.
    assert [e.name for e in info.value.executions] == ["get_weather"]


def test_on_tool_error_callable(openrouter_emulator: Emulator) -> None:
    seen: list[tuple[str, str]] = []

    def handler(call: components.OutputFunctionCallItem, exc: Exception) -> str:
        seen.append((call.call_id, type(exc).__name__))
        return "try again later"

    openrouter_emulator.enqueue(Reply.function_call("flaky", {"x": 1}, call_id="c1"), ANSWER)
    with _client(openrouter_emulator) as client:
        client.responses.run_tools(model="m", input="x", tools=[flaky], on_tool_error=handler)
    assert seen == [("c1", "ValueError")]
    assert _outputs(openrouter_emulator) == {"c1": "try again later"}


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_max_turns(openrouter_emulator: Emulator, mode: str) -> None:
    calls = [Reply.function_call("get_time", {"zone": "UTC"}, call_id=f"c{i}") for i in range(3)]
    openrouter_emulator.enqueue(*calls)
    with _client(openrouter_emulator) as client:
        with pytest.raises(errors.MaxTurnsExceededError) as info:
            if mode == "sync":
                client.responses.run_tools(model="m", input="x", tools=[get_time], max_turns=3)
            elif mode == "stream":
                with client.responses.run_tools(
                    model="m", input="x", tools=[get_time], max_turns=3, stream=True
                ) as s:
                    s.get_final_result()
            else:

                async def main() -> None:
                    async with _client(openrouter_emulator) as c:
                        await c.responses.run_tools_async(
                            model="m", input="x", tools=[get_time], max_turns=3
                        )

                asyncio.run(main())
    err = info.value
    assert err.max_turns == 3 and len(err.responses) == 3
    assert len(openrouter_emulator.requests) == 3
    assert [c.call_id for c in err.pending_calls] == ["c2"]
    assert len(err.executions) == 2  # the last turn's call was not run
    assert err.usage.requests == 3
    assert getattr(err.items[-1], "call_id", None) == "c2"

    # The history resumes: the pending call runs first, then the model answers.
    openrouter_emulator.enqueue(ANSWER)
    with _client(openrouter_emulator) as client:
        result = client.responses.run_tools(model="m", input=err.items, tools=[get_time])
    assert result.output_text == ANSWER.output_items[0].parts()[0].text  # type: ignore[union-attr]
    assert [e.call_id for e in result.executions] == ["c2"]
    assert _outputs(openrouter_emulator)["c2"] == "12:00 in UTC"


def test_max_turns_must_be_positive() -> None:
    client = OpenRouter(api_key="k", server_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="max_turns"):
        client.responses.run_tools(model="m", input="x", tools=[], max_turns=0)


def test_incomplete_turn_raises(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(
        Reply.function_call("get_time", {"zone": "UTC"}).with_options(status="incomplete")
    )
    with _client(openrouter_emulator) as client:
        with pytest.raises(errors.ToolRunIncompleteError) as info:
            client.responses.run_tools(model="m", input="x", tools=[get_time])
    assert isinstance(info.value, errors.IncompleteResponseError)
    assert info.value.executions == [] and len(info.value.items) == 2


def test_failed_turn_raises(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.failed("server_error", "nope"))
    with _client(openrouter_emulator) as client:
        with pytest.raises(errors.ResponseFailedError, match="nope"):
            client.responses.run_tools(model="m", input="x", tools=[get_time])


def test_results_are_encoded(openrouter_emulator: Emulator) -> None:
    def as_model() -> Window:
        return Window(start=dt.date(2026, 1, 2))

    def nothing() -> None:
        return None

    def picture() -> list[Any]:
        return [input_text("here"), input_image(PNG)]

    async def slow() -> str:
        await asyncio.sleep(0)
        return "async in a sync run"

    openrouter_emulator.enqueue(
        Reply.function_calls(
            FunctionCall("as_model", {}, call_id="m"),
            FunctionCall("nothing", {}, call_id="n"),
            FunctionCall("picture", {}, call_id="p"),
            FunctionCall("slow", {}, call_id="s"),
        ),
        ANSWER,
    )
    with _client(openrouter_emulator) as client:
        client.responses.run_tools(model="m", input="x", tools=[as_model, nothing, picture, slow])
    outputs = _outputs(openrouter_emulator)
    assert json.loads(outputs["m"]) == {"start": "2026-01-02", "days": 1}
    assert outputs["n"] == "null"
    assert [p["type"] for p in outputs["p"]] == ["input_text", "input_image"]  # type: ignore[index]
    assert outputs["s"] == "async in a sync run"


def test_server_tools_pass_through_and_bare_definitions_are_refused(
    openrouter_emulator: Emulator,
) -> None:
    openrouter_emulator.enqueue(ANSWER)
    with _client(openrouter_emulator) as client:
        client.responses.run_tools(
            model="m", input="x", tools=[get_time, {"type": "openrouter:datetime"}]
        )
        with pytest.raises(TypeError, match="only a definition"):
            client.responses.run_tools(
                model="m", input="x", tools=[{"type": "function", "name": "f", "parameters": {}}]
            )
    sent = openrouter_emulator.requests[0].json["tools"]
    assert [t["type"] for t in sent] == ["function", "openrouter:datetime"]


def test_sync_loop_refuses_async_tools_inside_an_event_loop() -> None:
    async def a_tool() -> str:
        return "x"

    async def main() -> None:
        client = OpenRouter(api_key="k", server_url="http://127.0.0.1:9")
        with pytest.raises(RuntimeError, match="run_tools_async"):
            client.responses.run_tools(model="m", input="x", tools=[a_tool])

    asyncio.run(main())


def test_ten_streamed_turns(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(
        *[Reply.function_call("get_time", {"zone": "UTC"}) for _ in range(9)], ANSWER
    )
    with _client(openrouter_emulator) as client:
        stream = client.responses.run_tools(model="m", input="x", tools=[get_time], stream=True)
        result = stream.get_final_result()
    assert len(result.responses) == 10 and len(result.executions) == 9
    assert len(openrouter_emulator.requests[-1].json["input"]) == 1 + 9 * 2
