"""Turns ``send(...)`` keyword arguments into one HTTP request. Pure: no I/O, no httpx objects."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openrouter.errors import RequestValidationError
from openrouter.utils import RetryConfig

# Every field of ``ResponsesRequest`` in OpenRouter's OpenAPI file.
BODY_FIELDS: frozenset[str] = frozenset(
    {
        "background", "cache_control", "debug", "frequency_penalty", "image_config", "include",
        "input", "instructions", "max_output_tokens", "max_tool_calls", "metadata", "modalities",
        "model", "models", "parallel_tool_calls", "plugins", "presence_penalty",
        "previous_response_id", "prompt", "prompt_cache_key", "prompt_cache_options", "provider",
        "reasoning", "route", "safety_identifier", "service_tier", "session_id",
        "stop_server_tools_when", "store", "stream", "temperature", "text", "tool_choice", "tools",
        "top_k", "top_logprobs", "top_p", "trace", "truncation", "user",
    }
)  # fmt: skip

# Per-call options that shape the request but are not body fields.
CALL_OPTIONS: frozenset[str] = frozenset(
    {
        "x_open_router_metadata", "x_open_router_experimental_metadata", "retries", "server_url",
        "timeout_ms", "http_headers", "extra_body", "raise_stream_errors",
    }
)  # fmt: skip

ALL_PARAMS = BODY_FIELDS | CALL_OPTIONS

METADATA_HEADER = "X-OpenRouter-Metadata"


@dataclass(slots=True)
class PreparedRequest:
    url: str
    headers: dict[str, str]
    content: bytes
    stream: bool
    timeout_s: float | None
    retry: RetryConfig
    raise_stream_errors: bool


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


def unexpected_parameter(name: str) -> TypeError:
    close = difflib.get_close_matches(name, sorted(ALL_PARAMS), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return TypeError(f"send() got an unexpected keyword argument {name!r}{hint}")


def validate_body(body: Mapping[str, Any]) -> None:
    """The limits OpenRouter documents, checked before anything is sent."""
    metadata = body.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, Mapping):
            raise RequestValidationError("metadata", "must be a dict of str to str")
        if len(metadata) > 16:
            raise RequestValidationError(
                "metadata", f"at most 16 pairs allowed, got {len(metadata)}"
            )
        for key, value in metadata.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise RequestValidationError("metadata", f"keys and values must be str: {key!r}")
            if len(key) > 64:
                raise RequestValidationError(
                    "metadata", f"key {key[:20]!r}... is over 64 characters"
                )
            if "[" in key or "]" in key:
                raise RequestValidationError("metadata", f"key {key!r} must not contain brackets")
            if len(value) > 512:
                raise RequestValidationError(
                    "metadata", f"value for {key!r} is over 512 characters ({len(value)})"
                )
    for field in ("session_id", "user"):
        value = body.get(field)
        if isinstance(value, str) and len(value) > 256:
            raise RequestValidationError(field, f"at most 256 characters allowed, got {len(value)}")


def _merge_headers(headers: dict[str, str], extra: Mapping[str, str]) -> None:
    """Per-call headers replace defaults whatever their case (HTTP names are case-insensitive,
    and a dict would otherwise send both). ``Authorization`` always comes from ``api_key``."""
    for key, value in extra.items():
        lower = key.lower()
        if lower == "authorization":
            continue
        for existing in [k for k in headers if k.lower() == lower]:
            del headers[existing]
        headers[key] = value


def prepare(
    *,
    server_url: str,
    base_headers: Mapping[str, str],
    api_key: str,
    default_retry: RetryConfig,
    default_timeout_s: float | None,
    stream: bool,
    params: Mapping[str, Any],
) -> PreparedRequest:
    body: dict[str, Any] = {}
    headers = dict(base_headers)
    retry = default_retry
    timeout_s = default_timeout_s
    raise_stream_errors = True
    extra_body: Mapping[str, Any] | None = None
    metadata_level: Any = None
    for name, value in params.items():
        if name in BODY_FIELDS:
            body[name] = value
        elif name == "x_open_router_metadata":
            metadata_level = value
        elif name == "x_open_router_experimental_metadata":
            if metadata_level is None:
                metadata_level = value
        elif name == "retries":
            if value is not None:
                retry = value
        elif name == "server_url":
            if value:
                server_url = value
        elif name == "timeout_ms":
            if value is not None:
                timeout_s = value / 1000.0
        elif name == "http_headers":
            if value:
                _merge_headers(headers, value)
        elif name == "extra_body":
            extra_body = value
        elif name == "raise_stream_errors":
            raise_stream_errors = bool(value)
        else:
            raise unexpected_parameter(name)
    if stream:
        body["stream"] = True
        headers["Accept"] = "text/event-stream"
    elif "stream" in body:
        body["stream"] = False
    if extra_body:
        body.update(extra_body)
    validate_body(body)
    if metadata_level is not None:
        headers[METADATA_HEADER] = str(getattr(metadata_level, "value", metadata_level))
    headers["Authorization"] = "Bearer " + api_key
    return PreparedRequest(
        url=server_url.rstrip("/") + "/responses",
        headers=headers,
        content=encode_json(body),
        stream=stream,
        timeout_s=timeout_s,
        retry=retry,
        raise_stream_errors=raise_stream_errors,
    )


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers safe to log: the Authorization value is hidden."""
    return {k: ("Bearer ***" if k.lower() == "authorization" else v) for k, v in headers.items()}
