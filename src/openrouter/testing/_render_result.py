"""Turn a ``Reply`` into the Responses API's result object (the JSON answer, and what
``response.completed`` carries); ids, model and usage are fixed per request here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring  # the escaping of dumps(ensure_ascii=False)
from typing import Any

from openrouter.testing._replies import (
    FunctionCall,
    ImageGenerationCall,
    Message,
    OutputItem,
    OutputText,
    Reasoning,
    Refusal,
    Reply,
    WebSearchCall,
)

__all__ = [
    "RenderContext",
    "Rendered",
    "build_result",
    "dumps",
    "dumps_pieces",
    "dumps_result",
    "has_long_string",
    "last_user_text",
    "part_dict",
]

# Per-token prices when the caller gives none (the echo model's), so ``usage.cost`` is a
# plausible small float.
_INPUT_PRICE = 0.000001
_OUTPUT_PRICE = 0.000002


def dumps(obj: Any) -> str:
    """Compact JSON, as the service sends it."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# Strings longer than this are written a slice at a time by ``dumps_pieces``.
LONG_STRING = 1 << 20
_SLICE = 1 << 16
# Stands in for a long string while the rest of the object is encoded; NULs make it a string
# no request or reply carries (and a clash is detected, falling back to ``dumps``).
_MARK = "\x00openrouter-emulator-long-string\x00"


def has_long_string(obj: Any) -> bool:
    """Whether ``obj`` (JSON-like) holds a string longer than ``LONG_STRING``."""
    if isinstance(obj, str):
        return len(obj) > LONG_STRING
    if isinstance(obj, dict):
        return any(has_long_string(value) for value in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(has_long_string(value) for value in obj)
    return False


def dumps_pieces(obj: Any) -> Iterator[str]:
    """``dumps(obj)`` as pieces that join to it, each long string escaped a slice at a time as
    the pieces are taken: an event repeating a text of many megabytes never exists as one more
    copy of it."""
    long: list[str] = []

    def stand_in(value: Any) -> Any:
        if isinstance(value, str) and len(value) > LONG_STRING:
            long.append(value)
            return _MARK
        if isinstance(value, dict):
            return {key: stand_in(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [stand_in(item) for item in value]
        return value

    around = dumps(stand_in(obj)).split(dumps(_MARK))
    if len(around) != len(long) + 1:
        yield dumps(obj)
        return
    yield around[0]
    for text, after in zip(long, around[1:], strict=True):
        yield '"'
        # Escaping is per character, so slices escape to the pieces of the whole.
        for start in range(0, len(text), _SLICE):
            yield encode_basestring(text[start : start + _SLICE])[1:-1]
        yield '"'
        yield after


def dumps_result(result: Mapping[str, Any]) -> bytes:
    """The body of a non-streaming reply."""
    return dumps(result).encode()


@dataclass(frozen=True)
class RenderContext:
    """Per-request facts the rendering needs."""

    body: Mapping[str, Any]
    model: str
    number: int  # the emulator's response counter; ids derive from it
    created_at: int
    prices: tuple[float, float] = (_INPUT_PRICE, _OUTPUT_PRICE)  # USD per input/output token


# -- ids, words, usage -----------------------------------------------------------------------


def make_id(prefix: str, number: int, index: int = 0, length: int = 24) -> str:
    """Deterministic, real-looking ids: the same request number gives the same ids."""
    digest = hashlib.blake2s(f"{prefix}:{number}:{index}".encode(), digest_size=16).hexdigest()
    return f"{prefix}_{digest[:length]}"


_WORDS_SLICE = 1 << 16


def _words(text: str) -> int:
    """``len(text.split())``, a slice at a time: a long text's words are never all listed at
    once (20 MB of prose would make millions of strings)."""
    if len(text) <= _WORDS_SLICE:
        return len(text.split())
    count = 0
    inside = False  # the previous slice ended inside a word
    for start in range(0, len(text), _WORDS_SLICE):
        piece = text[start : start + _WORDS_SLICE]
        count += len(piece.split())
        if inside and not piece[0].isspace():
            count -= 1  # one word straddles the cut and was counted in both slices
        inside = not piece[-1].isspace()
    return count


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, Mapping):
                value = part.get("text", part.get("refusal"))
                if isinstance(value, str):
                    texts.append(value)
        return " ".join(texts)
    return ""


def _item_text(item: Any) -> str:
    if not isinstance(item, Mapping):
        return ""
    kind = item.get("type")
    if kind == "function_call":
        return str(item.get("arguments", ""))
    if kind == "function_call_output":
        output = item.get("output")
        return output if isinstance(output, str) else _content_text(output)
    return _content_text(item.get("content"))


def last_user_text(body: Mapping[str, Any]) -> str:
    """What the echo model answers to: the last user message, or the last tool result."""
    given = body.get("input")
    if isinstance(given, str):
        return given
    if isinstance(given, list):
        for item in reversed(given):
            if not isinstance(item, Mapping):
                continue
            kind = item.get("type")
            if kind == "function_call_output" or (
                item.get("role") == "user" and kind in (None, "message")
            ):
                return _item_text(item)
    return ""


def _input_tokens(body: Mapping[str, Any]) -> int:
    total = 0
    instructions = body.get("instructions")
    if isinstance(instructions, str):
        total += _words(instructions)
    given = body.get("input")
    if isinstance(given, str):
        total += _words(given)
    elif isinstance(given, list):
        for item in given:
            total += _words(_item_text(item))
    return max(total, 1)


# -- the result ------------------------------------------------------------------------------


def _item_ids(item: OutputItem, ctx: RenderContext, index: int) -> tuple[str, str | None]:
    number = ctx.number
    if isinstance(item, Message):
        return make_id("msg", number, index), None
    if isinstance(item, Reasoning):
        return make_id("rs", number, index), None
    if isinstance(item, FunctionCall):
        call_id = item.call_id or make_id("call", number, index)
        return make_id("fc", number, index), call_id
    if isinstance(item, WebSearchCall):
        return make_id("ws", number, index), None
    if isinstance(item, ImageGenerationCall):
        return make_id("ig", number, index), None
    return str(item.item.get("id", make_id("item", number, index))), None


def part_dict(part: OutputText | Refusal) -> dict[str, Any]:
    if isinstance(part, Refusal):
        return {"type": "refusal", "refusal": part.refusal}
    return {
        "type": "output_text",
        "text": part.text,
        "annotations": [dict(a) for a in part.annotations],
        "logprobs": [],
    }


def _final_item(item: OutputItem, item_id: str, call_id: str | None, status: str) -> dict[str, Any]:
    if isinstance(item, Message):
        out: dict[str, Any] = {
            "type": "message",
            "id": item_id,
            "role": "assistant",
            "status": status,
            "content": [part_dict(p) for p in item.parts()],
        }
        if item.phase is not None:
            out["phase"] = item.phase
        return out
    if isinstance(item, Reasoning):
        out = {
            "type": "reasoning",
            "id": item_id,
            "status": "completed",
            "summary": [{"type": "summary_text", "text": s} for s in item.summaries()],
        }
        if item.text is not None:
            out["content"] = [{"type": "reasoning_text", "text": item.text}]
        if item.encrypted_content is not None:
            out["encrypted_content"] = item.encrypted_content
        return out
    if isinstance(item, FunctionCall):
        return {
            "type": "function_call",
            "id": item_id,
            "call_id": call_id,
            "name": item.name,
            "arguments": item.arguments_json,
            "status": "completed",
        }
    if isinstance(item, WebSearchCall):
        return {
            "type": "web_search_call",
            "id": item_id,
            "status": "completed",
            "action": {
                "type": "search",
                "query": item.query,
                "sources": [{"type": "url", "url": u} for u in item.sources],
            },
        }
    if isinstance(item, ImageGenerationCall):
        return {
            "type": "image_generation_call",
            "id": item_id,
            "status": "completed",
            "result": item.result,
        }
    return dict(item.item)


def _output_words(item: OutputItem) -> tuple[int, int]:
    """(output words, of which reasoning)."""
    if isinstance(item, Message):
        return sum(_words(p.refusal if isinstance(p, Refusal) else p.text) for p in item.parts()), 0
    if isinstance(item, Reasoning):
        n = _words(item.text or "") + sum(_words(s) for s in item.summaries())
        return n, n
    if isinstance(item, FunctionCall):
        return max(_words(item.arguments_json), 1), 0
    if isinstance(item, ImageGenerationCall):
        return 1, 0
    return 0, 0


_ECHOED: tuple[tuple[str, Any], ...] = (
    ("instructions", None),
    ("max_output_tokens", None),
    ("max_tool_calls", None),
    ("metadata", None),
    ("parallel_tool_calls", True),
    ("prompt_cache_key", None),
    ("reasoning", None),
    ("safety_identifier", None),
    ("temperature", None),
    ("tool_choice", "auto"),
    ("tools", []),
    ("top_logprobs", 0),
    ("top_p", None),
    ("presence_penalty", None),
    ("frequency_penalty", None),
    ("truncation", "disabled"),
    ("user", None),
)


@dataclass
class Rendered:
    """A reply laid out for one request: the final result and each item's streaming facts."""

    result: dict[str, Any]
    items: list[tuple[OutputItem, dict[str, Any]]]  # (item, its final dict)


def build_result(reply: Reply, ctx: RenderContext) -> Rendered:
    """The ``OpenResponsesResult`` for ``reply`` (what ``response.completed`` also carries)."""
    body = ctx.body
    status = reply.status
    item_status = "completed" if status == "completed" else "incomplete"
    laid_out: list[tuple[OutputItem, dict[str, Any]]] = []
    out_words = reasoning_words = 0
    texts: list[str] = []
    for index, item in enumerate(reply.output_items):
        item_id, call_id = _item_ids(item, ctx, index)
        final = _final_item(item, item_id, call_id, item_status)
        laid_out.append((item, final))
        words, reasoning = _output_words(item)
        out_words += words
        reasoning_words += reasoning
        if isinstance(item, Message):
            texts.extend(p.text for p in item.parts() if isinstance(p, OutputText))

    in_tokens = _input_tokens(body)
    usage: dict[str, Any] = {
        "input_tokens": in_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": out_words,
        "output_tokens_details": {"reasoning_tokens": reasoning_words},
        "total_tokens": in_tokens + out_words,
        "cost": round(in_tokens * ctx.prices[0] + out_words * ctx.prices[1], 12),
        "is_byok": False,
    }
    if reply.usage:
        usage.update(reply.usage)

    result: dict[str, Any] = {
        "id": make_id("resp", ctx.number),
        "object": "response",
        "created_at": ctx.created_at,
        "completed_at": ctx.created_at if status == "completed" else None,
        "status": status,
        "model": ctx.model,
        "output": [final for _, final in laid_out],
        "output_text": "".join(texts),
        "error": (
            {"code": reply.error_code, "message": reply.error_message}
            if status == "failed"
            else None
        ),
        "incomplete_details": (
            {"reason": reply.incomplete_reason} if status == "incomplete" else None
        ),
        "usage": usage,
        "store": False,
        "background": False,
        "previous_response_id": None,
        "service_tier": "default",
    }
    for key, default in _ECHOED:
        value = body.get(key, default)
        result[key] = default if value is None and default is not None else value
    text_config = body.get("text")
    result["text"] = (
        text_config if isinstance(text_config, Mapping) else {"format": {"type": "text"}}
    )
    if reply.extra:
        result.update(reply.extra)
    return Rendered(result, laid_out)
