"""Every exception the SDK raises.

``OpenRouterSDKError`` is the root of all of them.

- ``OpenRouterError``: the server answered with an error (the page's base for HTTP errors), one
  class per documented status, ``OpenRouterDefaultError`` for any other status.
- ``APIConnectionError`` / ``APITimeoutError``: the transport failed. They also subclass
  ``httpx.TransportError`` / ``httpx.TimeoutException``, so ``except httpx.RequestError`` code
  written for the official SDK (which lets raw httpx errors through) keeps working, and the
  original httpx exception is kept as ``__cause__``.
- ``StreamError`` and its subclasses: a stream that failed, errored or was cut off, carrying
  what arrived so far.
- ``RequestValidationError``: a parameter broke a documented limit; raised before sending.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from openrouter.components import OpenResponsesResult, StreamEvents

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "BadGatewayResponseError",
    "BadRequestResponseError",
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
    """A request parameter breaks a limit the API documents; nothing was sent."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


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

    @classmethod
    def from_body(cls, body: Any) -> ErrorData | None:
        """OpenRouter's error shape, or the flat ``{"code", "message"}`` one; None if absent."""
        if not isinstance(body, dict):
            return None
        err = body.get("error", body)
        if not isinstance(err, dict):
            return ErrorData(None, str(err), None, body) if err else None
        code = err.get("code")
        if isinstance(code, str) and code.isdigit():
            code = int(code)
        if not isinstance(code, (int, str)) or isinstance(code, bool):
            code = None
        message = err.get("message")
        metadata = err.get("metadata")
        if code is None and message is None:
            return None
        return cls(
            code,
            message if isinstance(message, str) else None,
            metadata if isinstance(metadata, dict) else None,
            body,
        )

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
    """429: rate limited; ``retry_after`` says how long the server asked to wait."""

    @property
    def retry_after(self) -> float | None:
        from openrouter._retry import parse_retry_after

        return parse_retry_after(self.headers)


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


STATUS_ERRORS: dict[int, type[OpenRouterError]] = {
    400: BadRequestResponseError,
    401: UnauthorizedResponseError,
    402: PaymentRequiredResponseError,
    403: ForbiddenResponseError,
    404: NotFoundResponseError,
    408: RequestTimeoutResponseError,
    413: PayloadTooLargeResponseError,
    422: UnprocessableEntityResponseError,
    429: TooManyRequestsResponseError,
    500: InternalServerResponseError,
    502: BadGatewayResponseError,
    503: ServiceUnavailableResponseError,
    524: EdgeNetworkTimeoutResponseError,
    529: ProviderOverloadedResponseError,
}

# String codes seen in error bodies (on a 200, or inside a stream) mapped to the status they mean.
_STRING_CODES: dict[str, int] = {
    "bad_request": 400,
    "invalid_request_error": 400,
    "invalid_prompt": 400,
    "unauthorized": 401,
    "authentication_error": 401,
    "payment_required": 402,
    "insufficient_credits": 402,
    "forbidden": 403,
    "moderation": 403,
    "not_found": 404,
    "model_not_found": 404,
    "timeout": 408,
    "request_timeout": 408,
    "payload_too_large": 413,
    "unprocessable_entity": 422,
    "rate_limit_exceeded": 429,
    "rate_limit": 429,
    "too_many_requests": 429,
    "server_error": 500,
    "internal_server_error": 500,
    "bad_gateway": 502,
    "service_unavailable": 503,
    "overloaded": 529,
    "provider_overloaded": 529,
}


def status_for_code(code: int | str | None) -> int | None:
    """The HTTP status an ``error.code`` stands for, when it says."""
    if isinstance(code, int):
        return code if 100 <= code <= 599 else None
    if isinstance(code, str):
        return _STRING_CODES.get(code.lower())
    return None


def error_from_response(
    response: httpx.Response, *, status_code: int | None = None
) -> OpenRouterError:
    """The exception for an error response whose body has been read.

    ``status_code`` overrides the response's own status (a 200 carrying an error body is raised
    as the error its ``code`` names).
    """
    status = status_code if status_code is not None else response.status_code
    text = response.text
    parsed: Any = None
    content_type = response.headers.get("content-type", "")
    if text and ("json" in content_type or text.lstrip().startswith(("{", "["))):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
    data = ErrorData.from_body(parsed)
    cls = STATUS_ERRORS.get(status, OpenRouterDefaultError)
    reason = httpx.codes.get_reason_phrase(status) or "error"
    if data is not None and data.message:
        detail = data.message
    elif text and parsed is None:
        detail = f"non-JSON body ({content_type or 'no content type'}): {_snippet(text)}"
    else:
        detail = "no error message in the body"
    message = f"{status} {reason}: {detail}"
    return cls(
        message,
        status_code=status,
        headers=response.headers,
        body=text,
        data=data,
        raw_response=response,
    )


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
