"""GenAI semantic-convention attributes from a request body and a response (a JSON dict or a
typed ``OpenResponsesResult``: both are read through ``_get``)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

__all__ = [
    "PROVIDER",
    "finish_reasons",
    "http_attributes",
    "request_attributes",
    "response_attributes",
    "server_attributes",
]

PROVIDER = "openrouter"

# Request body field -> its GenAI attribute.
_SAMPLING = {
    "temperature": "gen_ai.request.temperature",
    "top_p": "gen_ai.request.top_p",
    "top_k": "gen_ai.request.top_k",
    "max_output_tokens": "gen_ai.request.max_tokens",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty",
}

# Query parameters whose values never go into a span, whatever endpoint grows them.
_SECRET_QUERY = ("key", "token", "secret", "signature", "password", "auth")


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def server_attributes(url: str) -> dict[str, Any]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return {"server.address": parts.hostname or "", "server.port": port}


def http_attributes(method: str, url: str) -> dict[str, Any]:
    """A companion endpoint's span: ``url.full`` with secret-looking query values redacted."""
    parts = urllib.parse.urlsplit(url)
    query = [
        (k, "REDACTED" if any(s in k.lower() for s in _SECRET_QUERY) else v)
        for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    ]
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    full = urllib.parse.urlunsplit(
        (parts.scheme, netloc, parts.path, urllib.parse.urlencode(query), "")
    )
    return {"http.request.method": method, "url.full": full, **server_attributes(url)}


def request_attributes(body: Any, capture_content: bool) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": PROVIDER,
    }
    if not isinstance(body, Mapping):
        return attributes
    model = body.get("model")
    if isinstance(model, str):
        attributes["gen_ai.request.model"] = model
    for field, name in _SAMPLING.items():
        value = body.get(field)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attributes[name] = value
    if body.get("stream"):
        attributes["gen_ai.request.stream"] = True
    if capture_content:
        messages = input_messages(body.get("input"))
        if messages is not None:
            attributes["gen_ai.input_messages"] = json.dumps(messages, ensure_ascii=False)
        instructions = body.get("instructions")
        if isinstance(instructions, str):
            attributes["gen_ai.system_instructions"] = json.dumps(
                [{"type": "text", "content": instructions}], ensure_ascii=False
            )
    return attributes


def input_messages(value: Any) -> list[dict[str, Any]] | None:
    """The request input in the conventions' message shape (role and parts)."""
    if value is None:
        return None
    if isinstance(value, str):
        return [{"role": "user", "parts": [{"type": "text", "content": value}]}]
    if not isinstance(value, list):
        return None
    messages: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, Mapping):
            continue
        kind = item.get("type")
        if kind == "function_call_output":
            part = {"type": "tool_call_response", "id": item.get("call_id")}
            part["response"] = item.get("output")
            messages.append({"role": "tool", "parts": [part]})
        elif kind == "function_call":
            part = {"type": "tool_call", "id": item.get("call_id"), "name": item.get("name")}
            part["arguments"] = item.get("arguments")
            messages.append({"role": "assistant", "parts": [part]})
        elif "role" in item:
            content = item.get("content")
            parts = [{"type": "text", "content": content}] if isinstance(content, str) else [
                {"type": "text", "content": p.get("text")}
                for p in content or []
                if isinstance(p, Mapping) and isinstance(p.get("text"), str)
            ]  # fmt: skip
            messages.append({"role": item["role"], "parts": parts})
    return messages


def finish_reasons(response: Any) -> list[str]:
    """The Responses API has a status, not finish reasons: mapped to the usual values."""
    status = _get(response, "status")
    if status == "incomplete":
        reason = _get(_get(response, "incomplete_details"), "reason")
        return ["length" if reason == "max_output_tokens" else str(reason or "incomplete")]
    if status == "failed":
        return ["error"]
    output = _get(response, "output") or []
    if any(_get(item, "type") == "function_call" for item in output):
        return ["tool_calls"]
    return ["stop"] if status == "completed" else []


def _output_messages(response: Any) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for item in _get(response, "output") or []:
        kind = _get(item, "type")
        if kind == "message":
            for part in _get(item, "content") or []:
                text = _get(part, "text")
                if isinstance(text, str):
                    parts.append({"type": "text", "content": text})
        elif kind == "function_call":
            parts.append(
                {
                    "type": "tool_call",
                    "id": _get(item, "call_id"),
                    "name": _get(item, "name"),
                    "arguments": _get(item, "arguments"),
                }
            )
    reasons = finish_reasons(response)
    return [{"role": "assistant", "parts": parts, "finish_reason": reasons[0] if reasons else ""}]


def response_attributes(response: Any, capture_content: bool) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for field, name in (("id", "gen_ai.response.id"), ("model", "gen_ai.response.model")):
        value = _get(response, field)
        if isinstance(value, str):
            attributes[name] = value
    reasons = finish_reasons(response)
    if reasons:
        attributes["gen_ai.response.finish_reasons"] = reasons
    attributes.update(usage_attributes(_get(response, "usage")))
    if capture_content:
        attributes["gen_ai.output_messages"] = json.dumps(
            _output_messages(response), ensure_ascii=False
        )
    return attributes


def usage_attributes(usage: Any) -> dict[str, Any]:
    if usage is None:
        return {}
    attributes: dict[str, Any] = {}
    for field, name in (
        ("input_tokens", "gen_ai.usage.input_tokens"),
        ("output_tokens", "gen_ai.usage.output_tokens"),
    ):
        value = _get(usage, field)
        if isinstance(value, int):
            attributes[name] = value
    cached = _get(_get(usage, "input_tokens_details"), "cached_tokens")
    if isinstance(cached, int) and cached:
        attributes["gen_ai.usage.cache_read.input_tokens"] = cached
    reasoning = _get(_get(usage, "output_tokens_details"), "reasoning_tokens")
    if isinstance(reasoning, int) and reasoning:
        attributes["gen_ai.usage.reasoning.output_tokens"] = reasoning
    cost = _get(usage, "cost")
    if isinstance(cost, (int, float)) and not isinstance(cost, bool):
        attributes["openrouter.cost"] = float(cost)
    return attributes
