"""One HTTP request, described before it is sent. Pure: no I/O, no httpx objects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openrouter._retry_config import RetryConfig

__all__ = [
    "PreparedRequest",
    "encode_json",
    "merge_headers",
    "redact_headers",
]


@dataclass(slots=True)
class PreparedRequest:
    """What to send, and how: the retry policy and timeout of this one call.

    ``content`` is the encoded JSON body (``None`` for a request without one). ``stream`` asks
    the transport to hand back the open response instead of reading its body.
    """

    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None
    stream: bool
    timeout_s: float | None
    retry: RetryConfig

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


def encode_json(body: Mapping[str, Any]) -> bytes:
    return json.dumps(
        body, default=_encode_default, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode()


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
