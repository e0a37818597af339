"""From a failed exchange to the SDK's exception: status mapping and error-body parsing.

``errors`` holds only the classes; every decision about which class, which message and which
flags lives here, once, for every endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from openrouter import _json, errors
from openrouter._wire._retry import parse_retry_after, request_was_sent

__all__ = [
    "STATUS_ERRORS",
    "bounded",
    "error_code_and_message",
    "error_from_response",
    "error_from_transport",
    "parse_error_body",
    "status_for_code",
]

STATUS_ERRORS: dict[int, type[errors.OpenRouterError]] = {
    400: errors.BadRequestResponseError,
    401: errors.UnauthorizedResponseError,
    402: errors.PaymentRequiredResponseError,
    403: errors.ForbiddenResponseError,
    404: errors.NotFoundResponseError,
    408: errors.RequestTimeoutResponseError,
    413: errors.PayloadTooLargeResponseError,
    422: errors.UnprocessableEntityResponseError,
    429: errors.TooManyRequestsResponseError,
    500: errors.InternalServerResponseError,
    502: errors.BadGatewayResponseError,
    503: errors.ServiceUnavailableResponseError,
    524: errors.EdgeNetworkTimeoutResponseError,
    529: errors.ProviderOverloadedResponseError,
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


def _as_mapping(obj: Any) -> Any:
    to_dict = getattr(obj, "to_dict", None)
    return to_dict() if to_dict is not None else obj


def error_code_and_message(obj: Any) -> tuple[int | str | None, str | None]:
    """``(code, message)`` from any error shape the contract lists, or ``(None, None)``.

    ``obj`` is a body or event as a dict or a component: ``{"error": {...}}``, the flat
    ``{"code", "message"}`` form, a failure event with either, or one whose ``response``
    carries the error (``response.failed``).
    """
    data = _as_mapping(obj)
    if not isinstance(data, Mapping):
        return None, None
    err: Any = data.get("error")
    if err is None and isinstance(data.get("response"), Mapping):
        err = data["response"].get("error")
    if err is None:
        err = data
    err = _as_mapping(err)
    if not isinstance(err, Mapping):
        return None, (str(err) if err else None)
    code = err.get("code")
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    if not isinstance(code, (int, str)) or isinstance(code, bool):
        code = None
    message = err.get("message")
    return code, (message if isinstance(message, str) else None)


def parse_error_body(body: Any) -> errors.ErrorData | None:
    """OpenRouter's error shape, or the flat ``{"code", "message"}`` one; None if absent."""
    if not isinstance(body, dict):
        return None
    code, message = error_code_and_message(body)
    if code is None and message is None:
        return None
    err = body.get("error", body)
    metadata = err.get("metadata") if isinstance(err, dict) else None
    return errors.ErrorData(code, message, metadata if isinstance(metadata, dict) else None, body)


# An exception's str() lands in logs and terminals: a server's 10 MB message is cut to this.
MAX_MESSAGE_CHARS = 2_000


def bounded(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text``, or its start and a note saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [cut: {len(text):,} characters in all]"


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_from_response(
    response: httpx.Response, *, status_code: int | None = None
) -> errors.OpenRouterError:
    """The exception for an error response whose body has been read.

    ``status_code`` overrides the response's own status (a 200 carrying an error body is raised
    as the error its ``code`` names).
    """
    status = status_code if status_code is not None else response.status_code
    text = response.text
    parsed: Any = None
    too_deep = False
    content_type = response.headers.get("content-type", "")
    if text and ("json" in content_type or text.lstrip().startswith(("{", "["))):
        try:
            parsed = _json.loads(text)
        except _json.JSONNestingError:
            too_deep = True
        except ValueError:
            parsed = None
    data = parse_error_body(parsed)
    cls = STATUS_ERRORS.get(status, errors.OpenRouterDefaultError)
    reason = httpx.codes.get_reason_phrase(status) or "error"
    if data is not None and data.message:
        detail = bounded(data.message)
        if len(data.message) > MAX_MESSAGE_CHARS:
            detail += " (the whole body is on .body)"
    elif too_deep:
        detail = f"JSON body nested too deeply to decode ({len(text):,} characters)"
    elif text and parsed is None:
        detail = f"non-JSON body ({content_type or 'no content type'}): {_snippet(text)}"
    else:
        detail = "no error message in the body"
    error = cls(
        f"{status} {reason}: {detail}",
        status_code=status,
        headers=response.headers,
        body=text,
        data=data,
        raw_response=response,
    )
    if isinstance(error, errors.TooManyRequestsResponseError):
        error.retry_after = parse_retry_after(response.headers)
    return error


_TIMEOUT_KINDS: dict[type[httpx.TimeoutException], str] = {
    httpx.ConnectTimeout: "connecting",
    httpx.ReadTimeout: "waiting for the server to answer",
    httpx.WriteTimeout: "sending the request",
    httpx.PoolTimeout: "waiting for a free connection",
}


def error_from_transport(
    exc: httpx.RequestError, secrets: Iterable[str] = ()
) -> errors.APIConnectionError:
    """The SDK error for a transport failure. Header values (``secrets``) that the failure's
    message repeats are blanked, in that message and in the httpx exception itself, which
    stays attached as ``__cause__``."""
    sent = request_was_sent(exc)
    secrets = list(secrets)
    # httpx's exception chains httpcore's and h11's, which repeat the same value.
    chained: BaseException | None = exc
    for _ in range(8):
        if chained is None:
            break
        _scrub_args(chained, secrets)
        chained = chained.__cause__ or chained.__context__
    detail = bounded(str(exc) or type(exc).__name__, 500)
    if isinstance(exc, httpx.TimeoutException):
        kind = _TIMEOUT_KINDS.get(type(exc), "waiting")
        return errors.APITimeoutError(f"Timed out {kind}: {detail}", request_sent=sent)
    where = "after the request was sent" if sent else "before the request was sent"
    return errors.APIConnectionError(
        f"Connection failed {where} ({type(exc).__name__}): {detail}", request_sent=sent
    )


def _scrub_args(exc: BaseException, secrets: list[str]) -> None:
    args = tuple(_scrub(a, secrets) if isinstance(a, str) else a for a in exc.args)
    if args != exc.args:
        exc.args = args


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if len(secret) >= 4 and secret in text:
            text = text.replace(secret, "***")
        # h11 quotes values as bytes literals: b'Bearer sk-...'
        quoted = repr(secret.encode("utf-8", "replace"))[2:-1]
        if len(quoted) >= 4 and quoted in text:
            text = text.replace(quoted, "***")
    return text
