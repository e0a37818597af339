"""The shape of the ``send`` callables the tool drivers take (``Responses.send`` and
``Responses.send_async``), so the drivers need no client or resource object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol, overload

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from openrouter._params import ResponsesSendParams
    from openrouter._streaming import EventStream, EventStreamAsync
    from openrouter.components import OpenResponsesResult, StreamEvents

__all__ = ["Send", "SendAsync"]


class Send(Protocol):
    """Sends one request: the result, or with ``stream=True`` its ``EventStream``."""

    @overload
    def __call__(
        self, *, stream: Literal[False] = False, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult: ...
    @overload
    def __call__(
        self, *, stream: Literal[True], **params: Unpack[ResponsesSendParams]
    ) -> EventStream[StreamEvents]: ...
    @overload
    def __call__(
        self, *, stream: bool, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult | EventStream[StreamEvents]: ...


class SendAsync(Protocol):
    """The async form of ``Send``."""

    @overload
    async def __call__(
        self, *, stream: Literal[False] = False, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult: ...
    @overload
    async def __call__(
        self, *, stream: Literal[True], **params: Unpack[ResponsesSendParams]
    ) -> EventStreamAsync[StreamEvents]: ...
    @overload
    async def __call__(
        self, *, stream: bool, **params: Unpack[ResponsesSendParams]
    ) -> OpenResponsesResult | EventStreamAsync[StreamEvents]: ...
