"""Every exception the SDK raises, and nothing else: which one a failure becomes is decided in
the wire layer (``openrouter._wire._errors``) and in the stream and helper modules.

The hierarchy (``(..)`` marks a second base class)::

    OpenRouterSDKError                       root of everything raised here
    ├── MissingAPIKeyError                   no key given; nothing was sent
    ├── RequestValidationError (ValueError)  a parameter is of the wrong type or breaks a
    │   │                                    documented limit; nothing was sent
    │   └── ConfigurationError               a client setting is unusable; nothing was sent
    ├── OpenRouterError                      the server answered with an error status or body
    │   ├── BadRequestResponseError          400
    │   ├── UnauthorizedResponseError        401
    │   ├── PaymentRequiredResponseError     402
    │   ├── ForbiddenResponseError           403
    │   ├── NotFoundResponseError            404
    │   ├── RequestTimeoutResponseError      408
    │   ├── PayloadTooLargeResponseError     413
    │   ├── UnprocessableEntityResponseError 422
    │   ├── TooManyRequestsResponseError     429 (``retry_after``)
    │   ├── InternalServerResponseError      500
    │   ├── BadGatewayResponseError          502
    │   ├── ServiceUnavailableResponseError  503
    │   ├── EdgeNetworkTimeoutResponseError  524
    │   ├── ProviderOverloadedResponseError  529
    │   ├── OpenRouterDefaultError           any other status
    │   └── ResponseValidationError          a success whose body is not the expected shape
    ├── APIConnectionError (httpx.TransportError)      the transport failed (``request_sent``)
    │   └── APITimeoutError (httpx.TimeoutException)   connect, read, write or pool timeout
    ├── StreamError                          a stream that did not end well (``partial_response``)
    │   ├── StreamFailedError                the server reported a failure in the stream
    │   └── StreamInterruptedError           dropped, or ended without a terminal event
    │       └── StreamIdleTimeoutError (APITimeoutError)   no bytes for too long
    ├── IncompleteResponseError              a helper needing the whole answer got a cut one
    │   ├── StructuredOutputIncompleteError (StructuredOutputError)
    │   └── ToolRunIncompleteError (ToolRunError)
    ├── ResponseFailedError                  a helper got ``status == "failed"``
    ├── StructuredOutputError                the answer is not the requested type
    │   ├── StructuredOutputValidationError
    │   └── StructuredOutputRefusalError
    └── ToolRunError                         a tool run stopped before a final answer
        ├── MaxTurnsExceededError
        └── ToolCallError

The transport errors also subclass httpx's, so ``except httpx.RequestError`` code written for
the official SDK (which lets raw httpx errors through) keeps working; the original httpx
exception is kept as ``__cause__``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from openrouter.components import OpenResponsesResult, StreamEvents

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "BadGatewayResponseError",
    "BadRequestResponseError",
    "ConfigurationError",
    "EdgeNetworkTimeoutResponseError",
    "ErrorData",
    "ForbiddenResponseError",
    "IncompleteResponseError",
    "InternalServerResponseError",
    "MissingAPIKeyError",
    "NotFoundResponseError",
    "OpenRouterDefaultError",
    "OpenRouterError",
    "OpenRouterSDKError",
    "PayloadTooLargeResponseError",
    "PaymentRequiredResponseError",
    "ProviderOverloadedResponseError",
    "RequestTimeoutResponseError",
    "RequestValidationError",
    "ResponseValidationError",
    "ServiceUnavailableResponseError",
    "StreamError",
    "StreamFailedError",
    "StreamIdleTimeoutError",
    "StreamInterruptedError",
    "TooManyRequestsResponseError",
    "UnauthorizedResponseError",
    "UnprocessableEntityResponseError",
]


class OpenRouterSDKError(Exception):
    """Root of every exception this SDK raises."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MissingAPIKeyError(OpenRouterSDKError):
    """No API key was given and ``OPENROUTER_API_KEY`` is not set; nothing was sent."""


class RequestValidationError(OpenRouterSDKError, ValueError):
    """A request parameter has the wrong type or breaks a documented limit; nothing was sent.

    ``field`` names the parameter, with a path into it where that helps (``input[0].content``).
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class ConfigurationError(RequestValidationError):
    """A client setting is unusable (a base URL without ``https://``, a key with a line break, a
    timeout of zero...). Raised at once, never retried; nothing was sent."""


class ErrorData:
    """The parsed ``{"error": {"code", "message", "metadata"}}`` body of an API error."""

    __slots__ = ("code", "message", "metadata", "raw")

    def __init__(
        self,
        code: int | str | None,
        message: str | None,
        metadata: dict[str, Any] | None,
        raw: Any,
    ) -> None:
        self.code = code
        self.message = message
        self.metadata = metadata
        self.raw = raw

    def __repr__(self) -> str:
        return (
            f"ErrorData(code={self.code!r}, message={self.message!r}, metadata={self.metadata!r})"
        )


class OpenRouterError(OpenRouterSDKError):
    """The server answered with an error. Base class of all HTTP error responses."""

    status_code: int
    headers: httpx.Headers
    body: str
    data: ErrorData | None
    raw_response: httpx.Response | None

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        headers: httpx.Headers | None = None,
        body: str = "",
        data: ErrorData | None = None,
        raw_response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.headers = headers if headers is not None else httpx.Headers()
        self.body = body
        self.data = data
        self.raw_response = raw_response

    @property
    def code(self) -> int | str | None:
        """``error.code`` from the body: an int status or a string such as "rate_limit_exceeded"."""
        return self.data.code if self.data else None

    @property
    def metadata(self) -> dict[str, Any] | None:
        return self.data.metadata if self.data else None

    @property
    def generation_id(self) -> str | None:
        """``X-Generation-Id``, for support requests."""
        value: str | None = self.headers.get("x-generation-id")
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r})"


class BadRequestResponseError(OpenRouterError):
    """400: the request is malformed or has invalid parameters."""


class UnauthorizedResponseError(OpenRouterError):
    """401: the API key is missing, invalid or disabled."""


class PaymentRequiredResponseError(OpenRouterError):
    """402: the account has too few credits for this request."""


class ForbiddenResponseError(OpenRouterError):
    """403: the key may not do this, or moderation flagged the input."""


class NotFoundResponseError(OpenRouterError):
    """404: the model or resource does not exist."""


class RequestTimeoutResponseError(OpenRouterError):
    """408: the server timed out waiting for the request."""


class PayloadTooLargeResponseError(OpenRouterError):
    """413: the request body is too large."""


class UnprocessableEntityResponseError(OpenRouterError):
    """422: the request is well-formed but cannot be processed."""


class TooManyRequestsResponseError(OpenRouterError):
    """429: rate limited; ``retry_after`` is how long the server asked to wait, in seconds."""

    retry_after: float | None = None


class InternalServerResponseError(OpenRouterError):
    """500: the server failed."""


class BadGatewayResponseError(OpenRouterError):
    """502: the upstream provider failed or returned an invalid answer."""


class ServiceUnavailableResponseError(OpenRouterError):
    """503: no provider is available for the model right now."""


class EdgeNetworkTimeoutResponseError(OpenRouterError):
    """524: the edge network timed out waiting for the origin."""


class ProviderOverloadedResponseError(OpenRouterError):
    """529: the provider is overloaded."""


class OpenRouterDefaultError(OpenRouterError):
    """An error status without a class of its own."""


class ResponseValidationError(OpenRouterError):
    """A success status whose body is not the expected shape; the pydantic error is ``cause``."""

    def __init__(self, message: str, *, cause: Exception | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.cause = cause


class APIConnectionError(OpenRouterSDKError, httpx.TransportError):
    """The request could not be completed at the transport level (the httpx error is the cause).

    ``request_sent`` tells whether the request may have reached the server.
    """

    def __init__(self, message: str, *, request_sent: bool, request: httpx.Request | None = None):
        OpenRouterSDKError.__init__(self, message)
        self._request = request
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError, httpx.TimeoutException):
    """A connect, read, write or pool timeout."""


class StreamError(OpenRouterSDKError):
    """A stream that did not end with a successful terminal event.

    ``partial_response`` is the response as far as it arrived (built from the events seen), and
    ``event_count`` counts those events.
    """

    def __init__(
        self,
        message: str,
        *,
        partial_response: OpenResponsesResult | None = None,
        event_count: int = 0,
    ) -> None:
        # Explicit, not super(): StreamIdleTimeoutError also inherits APIConnectionError.
        OpenRouterSDKError.__init__(self, message)
        self.partial_response = partial_response
        self.event_count = event_count


class StreamFailedError(StreamError):
    """The server reported a failure in the stream (``response.failed``, ``error`` or
    ``response.error``): ``code`` and ``message`` are the server's, ``event`` is the event."""

    def __init__(
        self,
        message: str,
        *,
        code: int | str | None,
        error_message: str | None,
        event: StreamEvents | None,
        partial_response: OpenResponsesResult | None = None,
        event_count: int = 0,
    ) -> None:
        super().__init__(message, partial_response=partial_response, event_count=event_count)
        self.code = code
        self.error_message = error_message
        self.event = event


class StreamInterruptedError(StreamError):
    """The connection dropped, or the stream ended without a terminal event.

    The httpx error, if any, is the cause. The request is not re-sent: the first attempt may
    already have been billed.
    """


class StreamIdleTimeoutError(StreamInterruptedError, APITimeoutError):
    """No bytes (not even a keep-alive comment) arrived for longer than the idle limit."""

    def __init__(
        self,
        message: str,
        *,
        partial_response: OpenResponsesResult | None = None,
        event_count: int = 0,
    ) -> None:
        StreamInterruptedError.__init__(
            self, message, partial_response=partial_response, event_count=event_count
        )
        self._request = None
        self.request_sent = True


class IncompleteResponseError(OpenRouterSDKError):
    """A helper that promises complete output got an incomplete response (e.g. max tokens).

    ``response`` is the incomplete response; ``reason`` is ``incomplete_details.reason``.
    """

    def __init__(self, message: str, *, response: OpenResponsesResult, reason: str | None):
        super().__init__(message)
        self.response = response
        self.reason = reason

    @classmethod
    def for_response(cls, response: OpenResponsesResult) -> IncompleteResponseError:
        reason = incomplete_reason(response)
        return cls(
            f"The response is incomplete ({reason or 'no reason given'}); its text is cut off",
            response=response,
            reason=reason,
        )


def incomplete_reason(response: OpenResponsesResult) -> str | None:
    """``incomplete_details.reason`` (``max_output_tokens``, ``content_filter``), if given."""
    return getattr(getattr(response, "incomplete_details", None), "reason", None)


def raise_if_incomplete(response: OpenResponsesResult) -> None:
    """``IncompleteResponseError`` for a response whose ``status`` is ``incomplete``."""
    if response.status == "incomplete":
        raise IncompleteResponseError.for_response(response)


def raise_if_failed(response: OpenResponsesResult) -> None:
    """``ResponseFailedError`` for a response whose ``status`` is ``failed``."""
    if response.status == "failed":
        error = response.error
        detail = (error.message if error else None) or "no message"
        if error is not None and error.code is not None:
            detail += f" (code {error.code!r})"
        raise ResponseFailedError(f"The response failed: {detail}", response=response)


# --- Errors of the helpers beyond the official SDK (structured outputs, tool runs) ----------

if TYPE_CHECKING:
    from openrouter.tools import ToolExecution
    from openrouter.usage import Usage

__all__ += [
    "MaxTurnsExceededError",
    "ResponseFailedError",
    "StructuredOutputError",
    "StructuredOutputIncompleteError",
    "StructuredOutputRefusalError",
    "StructuredOutputValidationError",
    "ToolCallError",
    "ToolRunError",
    "ToolRunIncompleteError",
    "incomplete_reason",
    "raise_if_failed",
    "raise_if_incomplete",
]


class ResponseFailedError(OpenRouterSDKError):
    """A helper (``parse``, ``run_tools``, ``Conversation``) got a response whose ``status`` is
    ``failed``. ``code`` and ``error_message`` come from ``response.error``."""

    def __init__(self, message: str, *, response: OpenResponsesResult) -> None:
        super().__init__(message)
        self.response = response
        error = response.error
        self.code: int | str | None = error.code if error is not None else None
        self.error_message: str | None = error.message if error is not None else None


class StructuredOutputError(OpenRouterSDKError):
    """The answer could not be turned into the requested type; nothing half-parsed is returned.

    ``raw_text`` is the text the model produced (what was parsed), ``response`` the response.
    """

    def __init__(self, message: str, *, raw_text: str, response: OpenResponsesResult) -> None:
        OpenRouterSDKError.__init__(self, message)
        self.raw_text = raw_text
        self.response = response


class StructuredOutputValidationError(StructuredOutputError):
    """The text is not JSON, or does not match the type. The ``json.JSONDecodeError`` or
    ``pydantic.ValidationError`` is ``cause`` (and ``__cause__``)."""

    def __init__(
        self,
        message: str,
        *,
        raw_text: str,
        response: OpenResponsesResult,
        cause: Exception,
    ) -> None:
        super().__init__(message, raw_text=raw_text, response=response)
        self.cause = cause


class StructuredOutputRefusalError(StructuredOutputError):
    """The model refused (a ``refusal`` content part); ``refusal`` is its explanation."""

    def __init__(
        self, message: str, *, refusal: str, raw_text: str, response: OpenResponsesResult
    ) -> None:
        super().__init__(message, raw_text=raw_text, response=response)
        self.refusal = refusal


class StructuredOutputIncompleteError(IncompleteResponseError, StructuredOutputError):
    """The response was cut off (``reason``: e.g. ``max_output_tokens``), so its JSON is
    partial. Also an ``IncompleteResponseError``."""

    def __init__(
        self,
        message: str,
        *,
        raw_text: str,
        response: OpenResponsesResult,
        reason: str | None,
    ) -> None:
        # Both bases take different arguments: set the attributes of each directly.
        OpenRouterSDKError.__init__(self, message)
        self.raw_text = raw_text
        self.response = response
        self.reason = reason


class ToolRunError(OpenRouterSDKError):
    """A tool run stopped before the model gave a final answer.

    ``items`` is the history so far (resend it, e.g. as ``run_tools(input=err.items)``, to go
    on), ``responses`` every response received, ``executions`` every tool call run, ``usage``
    the total so far.
    """

    def __init__(
        self,
        message: str,
        *,
        items: list[Any],
        responses: list[OpenResponsesResult],
        executions: list[ToolExecution],
        usage: Usage,
    ) -> None:
        OpenRouterSDKError.__init__(self, message)
        self.items = items
        self.responses = responses
        self.executions = executions
        self.usage = usage


class MaxTurnsExceededError(ToolRunError):
    """The model still asked for tools after ``max_turns`` requests. The calls of the last
    response were not run; they are ``pending_calls`` (and the last items of ``items``)."""

    def __init__(
        self, message: str, *, max_turns: int, pending_calls: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.max_turns = max_turns
        self.pending_calls = pending_calls


class ToolCallError(ToolRunError):
    """A tool raised (or got invalid arguments) and ``on_tool_error="raise"`` was set; the
    tool's exception is ``__cause__``. ``call`` is the function call item."""

    def __init__(self, message: str, *, call: Any, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.call = call
        self.tool_name: str = getattr(call, "name", "")
        self.call_id: str = getattr(call, "call_id", "")


class ToolRunIncompleteError(IncompleteResponseError, ToolRunError):
    """A response of the tool run was cut off (``reason``: e.g. ``max_output_tokens``); its
    function calls may be truncated, so none were run. Also an ``IncompleteResponseError``."""

    def __init__(
        self,
        message: str,
        *,
        response: OpenResponsesResult,
        reason: str | None,
        items: list[Any],
        responses: list[OpenResponsesResult],
        executions: list[ToolExecution],
        usage: Usage,
    ) -> None:
        ToolRunError.__init__(
            self, message, items=items, responses=responses, executions=executions, usage=usage
        )
        self.response = response
        self.reason = reason
