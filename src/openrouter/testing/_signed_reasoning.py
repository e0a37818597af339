"""Signed reasoning, as providers check it: a reasoning item carrying ``encrypted_content``, a
``signature`` and provider fields no SDK knows must come back in the next request exactly as it
was sent, or the provider answers 400 (Anthropic thinking signatures, Gemini thought
signatures, OpenAI encrypted reasoning).

Pure functions, no I/O: ``signed_reasoning_item`` builds such an item (serve it with
``Reply(items=[RawItem(item), ...])``) and ``check_signed_reasoning`` tells whether a request
body carries every issued item unchanged. Items are compared as canonical JSON (keys sorted,
no spaces), so any change of a value, an added or dropped field, or a number written
differently (``1`` and ``1.0``) counts; the order of keys inside an object does not (JSON
objects are unordered, and no provider verifies it).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["canonical_json", "check_signed_reasoning", "signed_reasoning_item"]

ERROR_CODE = 400


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON text: keys sorted, no spaces, non-ASCII kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _signature(item_id: str, text: str) -> str:
    # Not cryptography: a stable value that changes with the content, as a real one would.
    return hashlib.sha256(f"{item_id}\n{text}".encode()).hexdigest()


def signed_reasoning_item(
    item_id: str = "rs_signed_0",
    *,
    text: str = "The user wants the weather; call get_weather first.",
    summary: Sequence[str] = ("Plan: look the weather up.",),
    format: str = "anthropic-claude-v1",
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A reasoning output item signed the way providers sign one.

    It has ``encrypted_content``, ``signature`` and ``format`` (fields of the API), plus
    fields this SDK does not model: ``reasoning_details`` (OpenRouter's per-provider detail
    list, each entry signed) and ``provider_metadata`` (a nested object with a float and an
    integer, to catch lossy number handling). ``extra`` adds or replaces top-level fields.
    """
    signature = _signature(item_id, text)
    sealed = base64.b64encode(f"{item_id}|{text}|{signature}".encode()).decode()
    item: dict[str, Any] = {
        "type": "reasoning",
        "id": item_id,
        "summary": [{"type": "summary_text", "text": s} for s in summary],
        "encrypted_content": sealed,
        "signature": signature,
        "format": format,
        "status": "completed",
        "reasoning_details": [
            {
                "type": "reasoning.text",
                "text": text,
                "signature": signature,
                "format": format,
                "index": 0,
            },
            {"type": "reasoning.encrypted", "data": sealed, "format": format, "index": 1},
        ],
        "provider_metadata": {"thought_signature": signature[:32], "version": 2, "score": 0.5},
    }
    if extra:
        item.update(extra)
    return item


def check_signed_reasoning(
    request_json: Any, issued: Mapping[str, Mapping[str, Any]]
) -> str | None:
    """The error message a provider would answer with (HTTP 400) when the request body does
    not carry every issued reasoning item (by id) exactly as issued; ``None`` when it does.

    ``issued`` maps each reasoning item id to the item as it was sent in the previous reply.
    A request whose ``input`` is not a list of items cannot carry them, so it fails too.
    """
    if not issued:
        return None
    given = request_json.get("input") if isinstance(request_json, Mapping) else None
    if not isinstance(given, list):
        return (
            "Invalid request: the previous turn's reasoning items must be sent back in input "
            f"(missing: {', '.join(sorted(issued))})"
        )
    found: dict[str, Mapping[str, Any]] = {}
    for item in given:
        if isinstance(item, Mapping) and item.get("type") == "reasoning":
            item_id = item.get("id")
            if isinstance(item_id, str) and item_id in issued:
                found.setdefault(item_id, item)
    for item_id, original in issued.items():
        sent = found.get(item_id)
        if sent is None:
            return (
                f"Invalid request: reasoning item {item_id!r} from the previous turn is missing; "
                "reasoning must be passed back unchanged with the tool results"
            )
        if canonical_json(sent) != canonical_json(original):
            return (
                f"Invalid request: reasoning item {item_id!r} was modified "
                f"({_first_difference(original, sent)}); its signature no longer matches"
            )
    return None


def _first_difference(original: Any, sent: Any, path: str = "") -> str:
    """Where two JSON values first differ, for the error message."""
    where = path or "the item"
    if isinstance(original, Mapping) and isinstance(sent, Mapping):
        for key in sorted(set(original) | set(sent)):
            if key not in sent:
                return f"{path}.{key} was dropped".lstrip(".")
            if key not in original:
                return f"{path}.{key} was added".lstrip(".")
            if canonical_json(original[key]) != canonical_json(sent[key]):
                return _first_difference(original[key], sent[key], f"{path}.{key}")
    if isinstance(original, list) and isinstance(sent, list) and len(original) == len(sent):
        for index, (a, b) in enumerate(zip(original, sent, strict=True)):
            if canonical_json(a) != canonical_json(b):
                return _first_difference(a, b, f"{path}[{index}]")
    return f"{where.lstrip('.')} changed"
