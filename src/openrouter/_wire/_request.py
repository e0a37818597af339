"""One HTTP request, described before it is sent. Pure: no I/O, no httpx objects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from openrouter._retry_config import RetryConfig

__all__ = [
    "PreparedRequest",
    "encode_json",
    "merge_headers",
    "redact_headers",
]


class PreparedRequest:
    """What to send, and how: the retry policy and timeout of this one call.

    ``content`` is the encoded JSON body (``None`` for a request without one). ``stream`` asks
    the transport to hand back the open response instead of reading its body.
    """

    # A plain class, not a dataclass: importing dataclasses costs more than the whole client.
    __slots__ = ("content", "headers", "method", "retry", "stream", "timeout_s", "url")

    def __init__(
        self,
        *,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        stream: bool,
        timeout_s: float | None,
        retry: RetryConfig,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.content = content
        self.stream = stream
        self.timeout_s = timeout_s
        self.retry = retry

    def __repr__(self) -> str:
        # The Authorization value must never reach a log line, a traceback or a debugger.
        size = "no body" if self.content is None else f"{len(self.content)} bytes"
        return (
            f"PreparedRequest({self.method} {self.url}, headers={redact_headers(self.headers)}, "
            f"{size}, stream={self.stream}, timeout_s={self.timeout_s})"
        )


def _encode_default(value: Any) -> Any:
    # Components (pydantic models) become their set fields; json handles the rest in C.
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        return dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# One encoder for every request: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(
    default=_encode_default, ensure_ascii=False, separators=(",", ":"), allow_nan=False
)


def encode_json(body: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON. A value JSON cannot carry (NaN, infinity, an object of no JSON
    type, nesting too deep) raises ``RequestValidationError`` naming its path."""
    try:
        return _ENCODER.encode(body).encode()
    except (ValueError, TypeError, RecursionError) as exc:
        raise _unencodable(body, exc) from None


# Deeper than any real request; also keeps the search below from recursing without end.
_MAX_DEPTH = 500


def _unencodable(body: Mapping[str, Any], exc: BaseException) -> Exception:
    from openrouter.errors import RequestValidationError

    found = _find_unencodable(body)
    if found is None:  # pragma: no cover - json and this search agree on what is encodable
        return RequestValidationError("body", f"cannot be encoded as JSON ({type(exc).__name__})")
    return RequestValidationError(*found)


def _find_unencodable(body: Mapping[str, Any]) -> tuple[str, str] | None:
    """(path, problem) of the first value JSON cannot carry, depth first."""
    stack: list[tuple[str, Any, int]] = [(str(k), v, 1) for k, v in list(body.items())[::-1]]
    while stack:
        path, value, depth = stack.pop()
        if depth > _MAX_DEPTH:
            return path, f"is nested more than {_MAX_DEPTH} levels deep"
        if value is None or isinstance(value, (bool, int)):
            continue
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                return path, f"is {value}, which JSON cannot carry"
            continue
        if isinstance(value, str):
            try:
                value.encode()
            except UnicodeEncodeError:
                return path, "contains a lone surrogate, which is not valid UTF-8"
            continue
        if isinstance(value, Mapping):
            for key, item in list(value.items())[::-1]:
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    return path, f"has a key of type {type(key).__name__}; JSON keys are str"
                stack.append((f"{path}.{key}", item, depth + 1))
            continue
        if isinstance(value, (list, tuple)):
            for index in range(len(value) - 1, -1, -1):
                stack.append((f"{path}[{index}]", value[index], depth + 1))
            continue
        try:
            converted = _encode_default(value)
        except TypeError:
            return path, f"has type {type(value).__name__}, which is not JSON serializable"
        stack.append((path, converted, depth))
    return None


def merge_headers(headers: dict[str, str], extra: Mapping[str, str]) -> None:
    """Per-call headers replace defaults whatever their case (HTTP names are case-insensitive,
    and a dict would otherwise send both). ``Authorization`` always comes from ``api_key``."""
    for key, value in extra.items():
        lower = key.lower()
        if lower == "authorization":
            continue
        for existing in [k for k in headers if k.lower() == lower]:
            del headers[existing]
        headers[key] = value


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers safe to log: the Authorization value is hidden."""
    return {k: ("Bearer ***" if k.lower() == "authorization" else v) for k, v in headers.items()}
