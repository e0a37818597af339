"""``client.responses.with_raw_response``: ``send`` answering with a ``RawResponse``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, overload

from openrouter._raw import RawResponse
from openrouter._wire._capture import capturing

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from openrouter._params import ResponsesSendParams
    from openrouter._streaming import EventStream, EventStreamAsync
    from openrouter.components import OpenResponsesResult, StreamEvents
    from openrouter.resources.responses import Responses

__all__ = ["ResponsesWithRawResponse"]


class ResponsesWithRawResponse:
    """``send`` and ``send_async`` returning ``RawResponse``: ``status_code``, ``headers``,
    ``generation_id`` and ``parse()`` (the result, or the open stream with ``stream=True``)."""

    __slots__ = ("_responses",)

    def __init__(self, responses: Responses) -> None:
        self._responses = responses

    @overload
    def send(
        self, *, stream: Literal[False] = False, **params: Unpack[ResponsesSendParams]
    ) -> RawResponse[OpenResponsesResult]: ...
    @overload
    def send(
        self, *, stream: Literal[True], **params: Unpack[ResponsesSendParams]
    ) -> RawResponse[EventStream[StreamEvents]]: ...

    def send(self, *, stream: bool = False, **params: Any) -> RawResponse[Any]:
        with capturing() as box:
            result = self._responses.send(stream=stream, **params)
        return RawResponse(box[-1], result)

    @overload
    async def send_async(
        self, *, stream: Literal[False] = False, **params: Unpack[ResponsesSendParams]
    ) -> RawResponse[OpenResponsesResult]: ...
    @overload
    async def send_async(
        self, *, stream: Literal[True], **params: Unpack[ResponsesSendParams]
    ) -> RawResponse[EventStreamAsync[StreamEvents]]: ...

    async def send_async(self, *, stream: bool = False, **params: Any) -> RawResponse[Any]:
        with capturing() as box:
            result = await self._responses.send_async(stream=stream, **params)
        return RawResponse(box[-1], result)
