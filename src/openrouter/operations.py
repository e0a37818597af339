"""Operation-level types, named as in the official SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from openrouter._operation_models import (
    GetCreditsData,
    GetCreditsResponse,
    GetCurrentKeyData,
    GetCurrentKeyResponse,
    ListEndpointsResponse,
    RateLimit,
)
from openrouter._raw import RawResponse
from openrouter._streaming import EventStream
from openrouter.components import OpenResponsesResult, StreamEvents

if TYPE_CHECKING:
    from openrouter._params import ResponsesSendParams as ResponsesSendParams

__all__ = [
    "CreateResponsesResponse",
    "GetCreditsData",
    "GetCreditsResponse",
    "GetCurrentKeyData",
    "GetCurrentKeyResponse",
    "ListEndpointsResponse",
    "RateLimit",
    "RawResponse",
    "ResponsesSendParams",
]

# What ``beta.responses.send`` returns: the result, or a stream when ``stream=True``.
CreateResponsesResponse: TypeAlias = OpenResponsesResult | EventStream[StreamEvents]


def __getattr__(name: str) -> object:
    if name == "ResponsesSendParams":
        from openrouter._params import ResponsesSendParams

        return ResponsesSendParams
    raise AttributeError(f"module 'openrouter.operations' has no attribute {name!r}")
