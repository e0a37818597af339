"""``client.responses`` (also ``client.beta.responses``): the ``send`` operation, sync and async."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

from openrouter._result import parse_result
from openrouter._wire._base_client import CallOptions
from openrouter.errors import RequestValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import TypeVar

    from typing_extensions import Unpack

    from openrouter._params import ResponsesSendParams
    from openrouter._streaming import EventStream, EventStreamAsync
    from openrouter._wire._base_client import BaseClient
    from openrouter._wire._request import PreparedRequest
    from openrouter.bulk import BulkRun, BulkRunAsync, Requests
    from openrouter.components import OpenResponsesResult, StreamEvents
    from openrouter.resources._responses_raw import ResponsesWithRawResponse
    from openrouter.structured import ParsedEventStream, ParsedEventStreamAsync, ParsedResponse
    from openrouter.tools import (
        OnToolError,
        ToolLike,
        ToolRunResult,
        ToolRunStream,
        ToolRunStreamAsync,
    )
    from openrouter.tools._options import RunToolsParams

    _T = TypeVar("_T")

__all__ = ["ALL_PARAMS", "BODY_FIELDS", "CALL_OPTIONS", "Responses", "parse_result"]

PATH = "/responses"

# Every field of ``ResponsesRequest`` in OpenRouter's OpenAPI file.
BODY_FIELDS: frozenset[str] = frozenset(
    {
        "background", "cache_control", "debug", "frequency_penalty", "image_config", "include",
        "input", "instructions", "max_output_tokens", "max_tool_calls", "metadata", "modalities",
        "model", "models", "parallel_tool_calls", "plugins", "presence_penalty",
        "previous_response_id", "prompt", "prompt_cache_key", "prompt_cache_options", "provider",
        "reasoning", "route", "safety_identifier", "service_tier", "session_id",
        "stop_server_tools_when", "store", "stream", "temperature", "text", "tool_choice", "tools",
        "top_k", "top_logprobs", "top_p", "trace", "truncation", "user",
    }
)  # fmt: skip

# Per-call options that shape the request but are not body fields.
CALL_OPTIONS: frozenset[str] = frozenset(
    {
        "x_open_router_metadata", "x_open_router_experimental_metadata", "retries", "server_url",
        "timeout_ms", "http_headers", "extra_body", "raise_stream_errors",
    }
)  # fmt: skip

ALL_PARAMS = BODY_FIELDS | CALL_OPTIONS

# The JSON types each body field takes, from ``ResponsesRequest`` in the contract (a test keeps
# this in step with the vendored schema). A field whose types include "null" is
# ``OptionalNullable`` on the official page: ``None`` sends null. For the others (``Optional``)
# ``None`` means "not given" and the field is left out.
FIELD_TYPES: dict[str, frozenset[str]] = {
    name: frozenset(kinds.split())
    for name, kinds in {
        "background": "boolean null",
        "cache_control": "object",
        "debug": "object",
        "frequency_penalty": "null number",
        "image_config": "object",
        "include": "array null",
        "input": "array string",
        "instructions": "null string",
        "max_output_tokens": "integer null",
        "max_tool_calls": "integer null",
        "metadata": "null object",
        "modalities": "array",
        "model": "string",
        "models": "array",
        "parallel_tool_calls": "boolean null",
        "plugins": "array",
        "presence_penalty": "null number",
        "previous_response_id": "null string",  # the schema leaves it open; the page says str
        "prompt": "null object",
        "prompt_cache_key": "null string",
        "prompt_cache_options": "null object",
        "provider": "null object",
        "reasoning": "null object",
        "route": "null string",
        "safety_identifier": "null string",
        "service_tier": "null string",
        "session_id": "string",
        "stop_server_tools_when": "array",
        "store": "boolean",
        "stream": "boolean",
        "temperature": "null number",
        "text": "object",
        "tool_choice": "object string",
        "tools": "array",
        "top_k": "integer",
        "top_logprobs": "integer null",
        "top_p": "null number",
        "trace": "object",
        "truncation": "null string",
        "user": "string",
    }.items()
}

_KIND_NAMES = {
    "string": "a str",
    "number": "a number",
    "integer": "an int",
    "boolean": "a bool",
    "array": "a list",
    "object": "a dict or a component",
    "null": "None",
}


def _json_kind(value: Any) -> str:
    """The JSON type ``value`` encodes as (components and mappings are objects)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        # Even 3.0: a float sent for an integer field comes back as one (9.2e18 would not
        # even parse as the int the response declares).
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping) or hasattr(value, "model_dump"):
        return "object"
    return type(value).__name__


def check_field_type(name: str, value: Any) -> None:
    allowed = FIELD_TYPES.get(name)
    if allowed is None:
        return
    kind = _json_kind(value)
    if kind in allowed or (kind == "integer" and "number" in allowed):
        return
    if callable(value) and "array" in allowed:
        kind = "function"
    wanted = " or ".join(_KIND_NAMES[k] for k in sorted(allowed))
    got = {"null": "None", "function": "a function"}.get(
        kind, f"{type(value).__name__} {value!r:.40}"
    )
    raise RequestValidationError(name, f"must be {wanted}, got {got}")


METADATA_HEADER = "X-OpenRouter-Metadata"


def unexpected_parameter(name: str) -> TypeError:
    close = difflib.get_close_matches(name, sorted(ALL_PARAMS), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return TypeError(f"send() got an unexpected keyword argument {name!r}{hint}")


def validate_body(body: Mapping[str, Any]) -> None:
    """The limits OpenRouter documents, checked before anything is sent."""
    metadata = body.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, Mapping):
            raise RequestValidationError("metadata", "must be a dict of str to str")
        if len(metadata) > 16:
            raise RequestValidationError(
                "metadata", f"at most 16 pairs allowed, got {len(metadata)}"
            )
        for key, value in metadata.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise RequestValidationError("metadata", f"keys and values must be str: {key!r}")
            if len(key) > 64:
                raise RequestValidationError(
                    "metadata", f"key {key[:20]!r}... is over 64 characters"
                )
            if "[" in key or "]" in key:
                raise RequestValidationError("metadata", f"key {key!r} must not contain brackets")
            if len(value) > 512:
                raise RequestValidationError(
                    "metadata", f"value for {key!r} is over 512 characters ({len(value)})"
                )
    if body.get("store") is True:
        raise RequestValidationError("store", "must be False: OpenRouter does not store responses")
    for field in ("session_id", "user"):
        value = body.get(field)
        if isinstance(value, str) and len(value) > 256:
            raise RequestValidationError(field, f"at most 256 characters allowed, got {len(value)}")


def _check_tool_definitions(tools: Any) -> None:
    """``send`` sends tool definitions only: a Python function (or class) in ``tools`` gets an
    error naming the helpers that turn it into one. A ``Tool`` is sent as its definition
    (``Tool.to_dict()``); running its calls is ``run_tools``' job."""
    if not isinstance(tools, (list, tuple)):
        return
    for entry in tools:
        is_class = isinstance(entry, type)
        if not is_class and (not callable(entry) or hasattr(entry, "to_dict")):
            continue  # a dict, a component or a Tool
        name = getattr(entry, "__name__", None) or type(entry).__name__
        if is_class and hasattr(entry, "to_dict"):  # a component class: its instance was meant
            raise RequestValidationError("tools", f"{name} is a class: pass an instance, {name}()")
        make = "Tool.from_model" if is_class else "Tool.from_function"
        raise RequestValidationError(
            "tools",
            f"{name} is a Python {'class' if is_class else 'function'}, and send() only sends "
            f"tool definitions: use client.responses.run_tools(tools=[{name}], ...) to have "
            f"the model's calls run, or send openrouter.tools.{make}({name}) and run the "
            "calls yourself",
        )


def prepare(
    client: BaseClient, stream: bool, params: Mapping[str, Any]
) -> tuple[PreparedRequest, bool]:
    """The request for ``send(**params)``, and whether stream failures raise."""
    body: dict[str, Any] = {}
    options = CallOptions()
    raise_stream_errors = True
    extra_body: Mapping[str, Any] | None = None
    metadata_level: Any = None
    for name, value in params.items():
        if name in BODY_FIELDS:
            if value is None and "null" not in FIELD_TYPES[name]:
                continue  # Optional on the page: None means "not given"
            check_field_type(name, value)
            body[name] = value
        elif name == "x_open_router_metadata":
            metadata_level = value
        elif name == "x_open_router_experimental_metadata":
            if metadata_level is None:
                metadata_level = value
        elif name == "retries":
            options.retries = value
        elif name == "server_url":
            options.server_url = value
        elif name == "timeout_ms":
            options.timeout_ms = value
        elif name == "http_headers":
            options.http_headers = value
        elif name == "extra_body":
            extra_body = value
        elif name == "raise_stream_errors":
            raise_stream_errors = bool(value)
        else:
            raise unexpected_parameter(name)
    if stream:
        body["stream"] = True
    elif "stream" in body:
        body["stream"] = False
    if extra_body:
        body.update(extra_body)
    validate_body(body)
    if body.get("tools"):
        _check_tool_definitions(body["tools"])
    headers = None
    if metadata_level is not None:
        headers = {METADATA_HEADER: str(getattr(metadata_level, "value", metadata_level))}
    prepared = client.build_request(
        "POST", PATH, json=body, headers=headers, stream=stream, options=options
    )
    return prepared, raise_stream_errors


class Responses:
    """Create responses: ``send(...)`` and ``send_async(...)``."""

    __slots__ = ("_client",)

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> ResponsesWithRawResponse:
        """``send`` / ``send_async`` answering with ``RawResponse`` (status, headers, result)."""
        from openrouter.resources._responses_raw import ResponsesWithRawResponse

        return ResponsesWithRawResponse(self)

    @overload
    def send(
        self, *, stream: Literal[False] = False, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult: ...
    @overload
    def send(
        self, *, stream: Literal[True], **params: Unpack[ResponsesSendParams]
    ) -> EventStream[StreamEvents]: ...
    @overload
    def send(
        self, *, stream: bool, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult | EventStream[StreamEvents]: ...

    def send(
        self, *, stream: bool = False, **params: Any
    ) -> OpenResponsesResult | EventStream[StreamEvents]:
        """Create a response. With ``stream=True``, returns an ``EventStream`` of typed events.

        See ``ResponsesSendParams`` for every parameter.
        """
        prepared, raise_stream_errors = prepare(self._client, stream, params)
        response = self._client.request(prepared)
        if stream:
            from openrouter._streaming import EventStream

            return EventStream(response, raise_stream_errors, self._client.max_event_bytes)
        return parse_result(response)

    @overload
    async def send_async(
        self, *, stream: Literal[False] = False, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult: ...
    @overload
    async def send_async(
        self, *, stream: Literal[True], **params: Unpack[ResponsesSendParams]
    ) -> EventStreamAsync[StreamEvents]: ...
    @overload
    async def send_async(
        self, *, stream: bool, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult | EventStreamAsync[StreamEvents]: ...

    async def send_async(
        self, *, stream: bool = False, **params: Any
    ) -> OpenResponsesResult | EventStreamAsync[StreamEvents]:
        """The async form of ``send``; with ``stream=True`` returns an ``EventStreamAsync``."""
        prepared, raise_stream_errors = prepare(self._client, stream, params)
        response = await self._client.request_async(prepared)
        if stream:
            from openrouter._streaming import EventStreamAsync

            events: EventStreamAsync[StreamEvents] = EventStreamAsync(
                response, raise_stream_errors, self._client.max_event_bytes
            )
            return await events._start()
        return parse_result(response)

    # -- Helpers beyond the official SDK: thin wrappers over ``openrouter.structured``
    # and ``openrouter.tools``, imported lazily to keep ``import openrouter`` light.

    @overload
    def parse(
        self,
        *,
        text_format: type[_T],
        stream: Literal[False] = False,
        **params: Unpack[ResponsesSendParams],
    ) -> ParsedResponse[_T]: ...
    @overload
    def parse(
        self,
        *,
        text_format: type[_T],
        stream: Literal[True],
        **params: Unpack[ResponsesSendParams],
    ) -> ParsedEventStream[_T]: ...
    @overload
    def parse(
        self, *, text_format: type[_T], stream: bool, **params: Unpack[ResponsesSendParams]
    ) -> ParsedResponse[_T] | ParsedEventStream[_T]: ...

    def parse(
        self, *, text_format: type[_T], stream: bool = False, **params: Any
    ) -> ParsedResponse[_T] | ParsedEventStream[_T]:
        """Structured output: send with ``text_format``'s strict JSON schema and return the
        response with ``output_parsed``, an instance of ``text_format``.

        ``text_format`` is a pydantic model (or dataclass / TypedDict). Refusals, incomplete
        answers and answers that do not validate raise ``errors.StructuredOutputError``
        subclasses carrying ``raw_text``. With ``stream=True`` returns a ``ParsedEventStream``:
        the usual events, and ``get_final_response()`` gives the parsed response.
        """
        from openrouter import structured

        fmt = structured.prepare(text_format, params)
        if stream:
            return structured.ParsedEventStream(self.send(stream=True, **params), fmt)
        return structured.parse_response(self.send(**params), text_format)

    @overload
    async def parse_async(
        self,
        *,
        text_format: type[_T],
        stream: Literal[False] = False,
        **params: Unpack[ResponsesSendParams],
    ) -> ParsedResponse[_T]: ...
    @overload
    async def parse_async(
        self,
        *,
        text_format: type[_T],
        stream: Literal[True],
        **params: Unpack[ResponsesSendParams],
    ) -> ParsedEventStreamAsync[_T]: ...
    @overload
    async def parse_async(
        self, *, text_format: type[_T], stream: bool, **params: Unpack[ResponsesSendParams]
    ) -> ParsedResponse[_T] | ParsedEventStreamAsync[_T]: ...

    async def parse_async(
        self, *, text_format: type[_T], stream: bool = False, **params: Any
    ) -> ParsedResponse[_T] | ParsedEventStreamAsync[_T]:
        """The async form of ``parse``."""
        from openrouter import structured

        fmt = structured.prepare(text_format, params)
        if stream:
            inner = await self.send_async(stream=True, **params)
            return structured.ParsedEventStreamAsync(inner, fmt)
        return structured.parse_response(await self.send_async(**params), text_format)

    @overload
    def run_tools(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[False] = False,
        **params: Unpack[RunToolsParams],
    ) -> ToolRunResult: ...
    @overload
    def run_tools(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[True],
        **params: Unpack[RunToolsParams],
    ) -> ToolRunStream: ...
    @overload
    def run_tools(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool,
        **params: Unpack[RunToolsParams],
    ) -> ToolRunResult | ToolRunStream: ...

    def run_tools(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool = False,
        **params: Any,
    ) -> ToolRunResult | ToolRunStream:
        """Run function tools until the model answers without calling any.

        ``tools``: Python functions (described from their type hints and docstring),
        ``tools.Tool`` objects, and server-tool definitions (sent as they are). Each turn
        sends the whole history, runs every ``function_call`` of the reply (concurrently, at
        most ``max_concurrency`` at once) and sends one ``function_call_output`` per call
        back. Returns a ``ToolRunResult`` (final response, every response, the item history,
        executions, summed usage, ``stop_reason``); raises ``errors.MaxTurnsExceededError``
        after ``max_turns`` requests. A tool that raises sends its error text to the model
        (``on_tool_error="send"``), or raises ``errors.ToolCallError`` (``"raise"``).
        ``stream=True`` returns a ``ToolRunStream`` of every turn's events and a
        ``tools.ToolExecution`` per call.

        Agent options: ``stop_when`` (conditions that end the run after a turn),
        ``context`` (passed to tool parameters annotated with its type), ``on_turn_start`` /
        ``on_turn_end`` (hooks that may change the next requests' parameters), ``approve`` /
        ``reject`` (decisions for calls of tools that require approval) and ``resume`` (a
        saved ``tools.ToolRunState`` to go on from, instead of ``input``).
        """
        from openrouter import tools as _tools

        run = _tools.start_run(
            tools, input, max_turns=max_turns, on_tool_error=on_tool_error, params=params
        )
        if stream:
            return _tools.ToolRunStream(self.send, run)
        return _tools.drive(self.send, run)

    @overload
    async def run_tools_async(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[False] = False,
        **params: Unpack[RunToolsParams],
    ) -> ToolRunResult: ...
    @overload
    async def run_tools_async(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[True],
        **params: Unpack[RunToolsParams],
    ) -> ToolRunStreamAsync: ...
    @overload
    async def run_tools_async(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool,
        **params: Unpack[RunToolsParams],
    ) -> ToolRunResult | ToolRunStreamAsync: ...

    async def run_tools_async(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any = None,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool = False,
        **params: Any,
    ) -> ToolRunResult | ToolRunStreamAsync:
        """The async form of ``run_tools``: the calls of one reply run concurrently (async
        tools awaited, sync tools in worker threads); hooks may be async."""
        from openrouter import tools as _tools

        run = _tools.start_run(
            tools, input, max_turns=max_turns, on_tool_error=on_tool_error, params=params
        )
        if stream:
            return _tools.ToolRunStreamAsync(self.send_async, run)
        return await _tools.drive_async(self.send_async, run)

    def bulk(
        self,
        requests: Iterable[Mapping[str, Any]],
        *,
        concurrency: int = 16,
        max_cost_usd: float | None = None,
        cost_estimate_usd: float | None = None,
    ) -> BulkRun:
        """Send many independent requests; iterate the result to get each ``bulk.BulkResult``
        as it completes (custom_id, status, response or error, usage, cost, attempts, latency).

        ``requests``: ``send`` parameter dicts, each with an optional ``custom_id`` (else its
        1-based position), read lazily. At most ``concurrency`` are in flight: halved on a 429
        (no start before its ``Retry-After``), raised again by one per ``limit`` successes.
        With ``max_cost_usd``, no request starts once the cost spent plus an estimate for those
        in flight (``cost_estimate_usd``, else the mean cost so far) would pass it.
        """
        from openrouter.bulk import BulkRun

        return BulkRun(
            self.send,
            requests,
            concurrency=concurrency,
            max_cost_usd=max_cost_usd,
            cost_estimate_usd=cost_estimate_usd,
        )

    def bulk_async(
        self,
        requests: Requests,
        *,
        concurrency: int = 16,
        max_cost_usd: float | None = None,
        cost_estimate_usd: float | None = None,
    ) -> BulkRunAsync:
        """The async form of ``bulk``: ``async for result in client.responses.bulk_async(...)``;
        ``requests`` may also be an async iterable."""
        from openrouter.bulk import BulkRunAsync

        return BulkRunAsync(
            self.send_async,
            requests,
            concurrency=concurrency,
            max_cost_usd=max_cost_usd,
            cost_estimate_usd=cost_estimate_usd,
        )
