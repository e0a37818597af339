"""``client.responses`` (also ``client.beta.responses``): the ``send`` operation, sync and async."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal, overload

import httpx

from openrouter import _request, _transport
from openrouter.errors import (
    ErrorData,
    ResponseValidationError,
    error_from_response,
    status_for_code,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import TypeVar

    from typing_extensions import Unpack

    from openrouter._client import OpenRouter
    from openrouter._params import HelperSendParams, ResponsesSendParams
    from openrouter._streaming import EventStream, EventStreamAsync
    from openrouter.components import OpenResponsesResult, StreamEvents
    from openrouter.structured import ParsedEventStream, ParsedEventStreamAsync, ParsedResponse
    from openrouter.tools import (
        OnToolError,
        ToolLike,
        ToolRunResult,
        ToolRunStream,
        ToolRunStreamAsync,
    )

    _T = TypeVar("_T")

__all__ = ["Responses", "parse_result"]


def parse_result(response: httpx.Response) -> OpenResponsesResult:
    """The typed result of a read, successful, non-streaming response.

    A 200 whose body is ``{"error": ...}`` raises the API error its code names.
    """
    from pydantic import ValidationError

    from openrouter.components import OpenResponsesResult

    content = response.content
    try:
        return OpenResponsesResult.model_validate_json(content)
    except ValidationError as exc:
        try:
            body = json.loads(content)
        except ValueError:
            body = None
        if isinstance(body, dict) and "error" in body and ErrorData.from_body(body) is not None:
            data = ErrorData.from_body(body)
            status = status_for_code(data.code if data else None) or response.status_code
            raise error_from_response(response, status_code=status) from None
        raise ResponseValidationError(
            f"The response body is not a valid OpenResponsesResult: {exc.error_count()} "
            f"error(s), first: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}",
            cause=exc,
            status_code=response.status_code,
            headers=response.headers,
            body=response.text,
            raw_response=response,
        ) from exc


class Responses:
    """Create responses: ``send(...)`` and ``send_async(...)``."""

    __slots__ = ("_client",)

    def __init__(self, client: OpenRouter) -> None:
        self._client = client

    def _prepare(self, stream: bool, params: dict[str, Any]) -> _request.PreparedRequest:
        c = self._client
        return _request.prepare(
            server_url=c.server_url,
            base_headers=c._base_headers,
            api_key=c._resolve_api_key(),
            default_retry=c.retry_config,
            default_timeout_s=c.timeout_ms / 1000.0 if c.timeout_ms is not None else None,
            stream=stream,
            params=params,
        )

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
        prepared = self._prepare(stream, params)
        response = _transport.send(self._client._sync_client(), prepared, self._client.logger)
        if stream:
            from openrouter._streaming import EventStream

            return EventStream(response, prepared.raise_stream_errors)
        try:
            response.read()
        except httpx.TransportError as exc:
            raise _transport.error_from_transport(exc) from exc
        finally:
            response.close()
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
        prepared = self._prepare(stream, params)
        http = await self._client._async_client()
        response = await _transport.send_async(http, prepared, self._client.logger)
        if stream:
            from openrouter._streaming import EventStreamAsync

            return EventStreamAsync(response, prepared.raise_stream_errors)
        try:
            await response.aread()
        except httpx.TransportError as exc:
            raise _transport.error_from_transport(exc) from exc
        finally:
            await response.aclose()
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
        input: Any,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[False] = False,
        **params: Unpack[HelperSendParams],
    ) -> ToolRunResult: ...
    @overload
    def run_tools(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[True],
        **params: Unpack[HelperSendParams],
    ) -> ToolRunStream: ...
    @overload
    def run_tools(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool,
        **params: Unpack[HelperSendParams],
    ) -> ToolRunResult | ToolRunStream: ...

    def run_tools(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool = False,
        **params: Any,
    ) -> ToolRunResult | ToolRunStream:
        """Run function tools until the model answers without calling any.

        ``tools``: Python functions (described from their type hints and docstring),
        ``tools.Tool`` objects, and server-tool definitions (sent as they are). Each turn
        sends the whole history, runs every ``function_call`` of the reply and sends one
        ``function_call_output`` per call back. Returns a ``ToolRunResult`` (final response,
        every response, the item history, executions, summed usage); raises
        ``errors.MaxTurnsExceededError`` after ``max_turns`` requests. A tool that raises
        sends its error text to the model (``on_tool_error="send"``), or raises
        ``errors.ToolCallError`` (``"raise"``). ``stream=True`` returns a ``ToolRunStream``
        of every turn's events and a ``tools.ToolExecution`` per call.
        """
        from openrouter import tools as _tools

        run = _tools.ToolRun(
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
        input: Any,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[False] = False,
        **params: Unpack[HelperSendParams],
    ) -> ToolRunResult: ...
    @overload
    async def run_tools_async(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: Literal[True],
        **params: Unpack[HelperSendParams],
    ) -> ToolRunStreamAsync: ...
    @overload
    async def run_tools_async(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool,
        **params: Unpack[HelperSendParams],
    ) -> ToolRunResult | ToolRunStreamAsync: ...

    async def run_tools_async(
        self,
        *,
        tools: Sequence[ToolLike],
        input: Any,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        stream: bool = False,
        **params: Any,
    ) -> ToolRunResult | ToolRunStreamAsync:
        """The async form of ``run_tools``: the calls of one reply run concurrently (async
        tools awaited, sync tools in worker threads)."""
        from openrouter import tools as _tools

        run = _tools.ToolRun(
            tools, input, max_turns=max_turns, on_tool_error=on_tool_error, params=params
        )
        if stream:
            return _tools.ToolRunStreamAsync(self.send_async, run)
        return await _tools.drive_async(self.send_async, run)
