"""``Fault``: a failure instead of a normal answer, and the service's error bodies."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from openrouter.testing._replies import Reply

__all__ = ["Fault", "default_message", "error_body", "retry_after_headers"]

FaultKind = Literal["response", "reset", "stall"]

_STATUS_MESSAGES = {
    400: "Invalid request parameters",
    401: "Missing Authentication header",
    402: "Insufficient credits. Add more using https://openrouter.ai/credits",
    403: "Forbidden",
    404: "Resource not found",
    408: "Operation timed out. Please try again later.",
    413: "Request payload too large",
    422: "Invalid argument",
    429: "Rate limit exceeded",
    500: "Internal Server Error",
    502: "Provider returned error",
    503: "Service temporarily unavailable",
    524: "Request timed out. Please try again later.",
    529: "Provider returned error",
}


def error_body(code: int | str, message: str, metadata: Mapping[str, Any] | None = None) -> bytes:
    """OpenRouter's error body: ``{"error": {"code", "message"[, "metadata"]}}``."""
    error: dict[str, Any] = {"code": code, "message": message}
    if metadata is not None:
        error["metadata"] = dict(metadata)
    return json.dumps({"error": error}, ensure_ascii=False).encode()


def default_message(status: int) -> str:
    return _STATUS_MESSAGES.get(status, f"HTTP {status}")


def _header_value(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


# The service asks rate-limited (429) and overloaded (503) callers to wait a moment.
SERVICE_RETRY_AFTER = 1
_ASKS_TO_WAIT = frozenset({429, 503})


class _ServiceDefault(enum.Enum):
    """The type of ``SERVICE_DEFAULT``: "whatever the service sends"."""

    SERVICE_DEFAULT = "service default"

    def __repr__(self) -> str:
        return "SERVICE_DEFAULT"


SERVICE_DEFAULT = _ServiceDefault.SERVICE_DEFAULT


def retry_after_headers() -> dict[str, str]:
    """The ``Retry-After`` the service sends with a 429 or 503."""
    return {"Retry-After": str(SERVICE_RETRY_AFTER)}


@dataclass(frozen=True)
class Fault:
    """A failure instead of a normal answer; queue it with ``emulator.enqueue(..., times=N)``.

    Build it with the classmethods: ``Fault.status(429, retry_after=2)``, ``Fault.html(502)``,
    ``Fault.reset()``, ``Fault.error_body_200(...)``, ``Fault.stall(5)``, ``Fault.raw(...)``.
    """

    kind: FaultKind
    http_status: int = 500
    body: bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    then: Reply | Fault | None = None

    @classmethod
    def status(
        cls,
        code: int,
        message: str | None = None,
        *,
        retry_after: float | str | _ServiceDefault | None = SERVICE_DEFAULT,
        retry_after_ms: float | None = None,
        headers: Mapping[str, str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        error_code: int | str | None = None,
    ) -> Fault:
        """An HTTP error with OpenRouter's JSON error body.

        ``error_code`` replaces the body's ``code`` (which is otherwise the HTTP status), e.g.
        ``"rate_limit_exceeded"``. ``retry_after`` (seconds, or an HTTP date string) sets
        ``Retry-After``; ``retry_after_ms`` sets ``retry-after-ms``. By default a 429 or 503
        carries ``Retry-After: 1`` as the service's do, unless ``retry_after_ms`` or
        ``headers`` say otherwise; ``retry_after=None`` sends no ``Retry-After`` at all.
        """
        all_headers = dict(headers or {})
        if retry_after is SERVICE_DEFAULT:
            given = retry_after_ms is not None or any(
                name.lower() == "retry-after" for name in all_headers
            )
            if code in _ASKS_TO_WAIT and not given:
                all_headers.update(retry_after_headers())
        elif retry_after is not None:
            all_headers["Retry-After"] = _header_value(retry_after)
        if retry_after_ms is not None:
            all_headers["retry-after-ms"] = _header_value(retry_after_ms)
        body = error_body(
            code if error_code is None else error_code,
            message if message is not None else default_message(code),
            metadata,
        )
        return cls("response", http_status=code, body=body, headers=all_headers)

    @classmethod
    def raw(
        cls,
        status: int,
        body: bytes | str = b"",
        *,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """Any status, body and content type, verbatim."""
        data = body.encode() if isinstance(body, str) else body
        return cls(
            "response",
            http_status=status,
            body=data,
            content_type=content_type,
            headers=headers or {},
        )

    @classmethod
    def html(cls, status: int = 502, body: str | None = None) -> Fault:
        """An HTML error page, as an edge proxy (not OpenRouter) would send it."""
        if body is None:
            title = f"{status} {'Bad Gateway' if status == 502 else 'Error'}"
            body = (
                f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
                f"<center><h1>{title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
                "</body>\r\n</html>\r\n"
            )
        return cls.raw(status, body, content_type="text/html")

    @classmethod
    def error_body_200(
        cls,
        code: int | str = 500,
        message: str = "Internal Server Error",
        *,
        metadata: Mapping[str, Any] | None = None,
    ) -> Fault:
        """A ``200 OK`` whose JSON body is an error object instead of a response."""
        return cls("response", http_status=200, body=error_body(code, message, metadata))

    @classmethod
    def reset(cls) -> Fault:
        """Reset the connection (RST, via ``SO_LINGER`` 0) before sending anything."""
        return cls("reset")

    @classmethod
    def stall(cls, seconds: float, then: Reply | Fault | None = None) -> Fault:
        """Send nothing for ``seconds`` (ends early if the client leaves), then ``then``.

        ``then=None`` answers as if nothing had been queued (the default reply or echo).
        """
        return cls("stall", seconds=seconds, then=then)
