"""What the GET resources share: per-call options, parameter checks, and the typed parse."""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from openrouter._result import parse_model
from openrouter._wire._base_client import CallOptions
from openrouter.errors import RequestValidationError

if TYPE_CHECKING:
    from openrouter._retry_config import RetryConfig

__all__ = [
    "call_options",
    "check_id",
    "check_int",
    "check_number",
    "csv",
    "merge_query",
    "parse_model",
    "path_segment",
]


def call_options(
    retries: RetryConfig | None,
    server_url: str | None,
    timeout_ms: float | None,
    http_headers: Mapping[str, str] | None,
) -> CallOptions:
    """The per-call options every operation takes, as ``send`` does."""
    return CallOptions(
        retries=retries, server_url=server_url, timeout_ms=timeout_ms, http_headers=http_headers
    )


def csv(field: str, value: str | Sequence[str] | None) -> str | None:
    """A comma-separated query value from a string or a list of strings."""
    if value is None or isinstance(value, str):
        if value is not None and not value.strip():
            raise RequestValidationError(field, "must not be empty")
        return value
    items = list(value)
    for item in items:
        if not isinstance(item, str) or not item or "," in item:
            raise RequestValidationError(field, f"each entry must be a non-empty str: {item!r}")
    if not items:
        raise RequestValidationError(field, "must not be empty")
    return ",".join(items)


def check_int(field: str, value: int | None, low: int, high: int | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestValidationError(field, f"must be an int, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f">= {low}"
        raise RequestValidationError(field, f"must be {bounds}, got {value}")
    return value


def check_number(field: str, value: float | None) -> float | None:
    """A non-negative finite number (prices)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RequestValidationError(field, f"must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise RequestValidationError(field, f"must be a finite number >= 0, got {value}")
    return value


def check_id(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(field, "must be a non-empty str")
    return value


def path_segment(field: str, value: object) -> str:
    """``value`` as one URL path segment (``gpt-4o:free`` keeps its colon)."""
    text = check_id(field, value)
    if "/" in text:
        raise RequestValidationError(field, f"must not contain '/': {text!r}")
    return urllib.parse.quote(text, safe=":@")


def merge_query(query: dict[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """``extra_query`` entries (parameters this SDK does not name yet) added to ``query``."""
    if extra:
        for key, value in extra.items():
            if not isinstance(key, str):
                raise RequestValidationError("extra_query", f"keys must be str: {key!r}")
            query[key] = value
    return query
