"""A tool run as JSON: ``ToolRunState`` saves a run (typically one paused for approvals) so it
can be resumed later, in another process, with a new client."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openrouter._retry_config import RetryConfig
from openrouter.components import (
    OUTPUT_ITEM_CLASSES,
    EasyInputMessage,
    FunctionCallOutputItem,
    OpenResponsesResult,
    OutputFunctionCallItem,
    OutputMessageItem,
)
from openrouter.usage import Usage

__all__ = ["Decision", "ToolRunState", "decode_params", "encode_params", "restore_item"]

STATE_VERSION = 1


@dataclass(frozen=True)
class Decision:
    """An approval decision for one call: run it, or answer the model that it was refused
    (with ``reason`` when given)."""

    approved: bool
    reason: str | None = None


@dataclass
class ToolRunState:
    """Everything needed to resume a tool run, and nothing that is code.

    ``items`` is the history (as received, reasoning items included), ``start`` where the run's
    own items begin in it, ``responses`` and ``usage`` the turns so far, ``params`` the
    ``send`` parameters (without ``input`` and ``tools``), ``awaiting`` the calls that wait for
    an approval decision, and ``decisions`` those taken (``approve``/``reject``).

    Tools, the context, stop conditions and hooks are code: pass them again when resuming,
    ``run_tools(tools=[...], resume=state, ...)``.
    """

    items: list[Any]
    responses: list[OpenResponsesResult] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    params: dict[str, Any] = field(default_factory=dict)
    start: int = 0
    awaiting: list[OutputFunctionCallItem] = field(default_factory=list)
    decisions: dict[str, Decision] = field(default_factory=dict)

    # -- decisions -------------------------------------------------------------------------

    def _check_ids(self, call_ids: Iterable[str]) -> list[str]:
        known = {call.call_id for call in self.awaiting}
        ids = list(call_ids)
        unknown = [i for i in ids if i not in known]
        if unknown:
            waiting = ", ".join(sorted(known)) or "none"
            raise ValueError(
                f"No call awaits approval with call_id {', '.join(unknown)} (awaiting: {waiting})"
            )
        return ids

    def approve(self, *call_ids: str) -> None:
        """Let these calls run when the run resumes."""
        for call_id in self._check_ids(call_ids):
            self.decisions[call_id] = Decision(True)

    def reject(self, *call_ids: str, reason: str | None = None) -> None:
        """Refuse these calls: the model is told so (with ``reason``) instead of a result."""
        for call_id in self._check_ids(call_ids):
            self.decisions[call_id] = Decision(False, reason)

    @property
    def undecided(self) -> list[OutputFunctionCallItem]:
        """The awaiting calls without a decision yet."""
        return [c for c in self.awaiting if c.call_id not in self.decisions]

    # -- JSON ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The state as JSON-ready data. Raises ``TypeError`` if a ``send`` parameter cannot
        be written as JSON (e.g. ``retries``): leave it out, or set it on the client."""
        from openrouter._wire._request import encode_json

        return {
            "version": STATE_VERSION,
            "items": json.loads(encode_json({"items": self.items}))["items"],
            "start": self.start,
            "responses": [r.to_dict() for r in self.responses],
            "usage": self.usage.to_dict(),
            "params": encode_params(self.params),
            "awaiting": [c.to_dict() for c in self.awaiting],
            "decisions": {
                call_id: {"approved": d.approved, "reason": d.reason}
                for call_id, d in self.decisions.items()
            },
        }

    def to_json(self, **dumps_kwargs: Any) -> str:
        """``to_dict()`` as a JSON string (``json.dumps`` options pass through)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **dumps_kwargs)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ToolRunState:
        """The inverse of ``to_dict``; items come back exactly as they were received."""
        version = data.get("version")
        if version != STATE_VERSION:
            raise ValueError(f"Unsupported tool run state version {version!r}")
        return cls(
            items=[restore_item(item) for item in data.get("items", ())],
            start=int(data.get("start", 0)),
            responses=[OpenResponsesResult.model_validate(r) for r in data.get("responses", ())],
            usage=Usage.from_dict(data.get("usage") or {}),
            params=decode_params(data.get("params") or {}),
            awaiting=[OutputFunctionCallItem.model_validate(c) for c in data.get("awaiting", ())],
            decisions={
                call_id: Decision(bool(d.get("approved")), d.get("reason"))
                for call_id, d in (data.get("decisions") or {}).items()
            },
        )

    @classmethod
    def from_json(cls, data: str | bytes | Mapping[str, Any]) -> ToolRunState:
        """The inverse of ``to_json`` (a JSON string, or the parsed dict)."""
        return cls.from_dict(data if isinstance(data, Mapping) else json.loads(data))


def encode_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``send`` parameters as JSON data; ``TypeError`` names one that cannot be."""
    from openrouter._wire._request import encode_json

    out: dict[str, Any] = {}
    for key, value in params.items():
        try:
            out[key] = json.loads(encode_json({"v": value}))["v"]
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"The parameter {key!r} cannot be saved as JSON ({exc}); leave it out and pass "
                "it again when restoring"
            ) from exc
    return out


def decode_params(data: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of ``encode_params``: ``retries`` comes back as a ``RetryConfig``."""
    params = dict(data)
    if isinstance(params.get("retries"), Mapping):
        params["retries"] = RetryConfig.from_dict(dict(params["retries"]))
    return params


def restore_item(data: Any) -> Any:
    """A saved history item as the typed object it was, when that reproduces it exactly
    (otherwise the dict itself, which is resent as it is)."""
    if not isinstance(data, dict):
        return data
    kind = data.get("type")
    cls: Any = None
    if kind == "message" or (kind is None and "role" in data):
        is_output = data.get("role") == "assistant" and "id" in data
        cls = OutputMessageItem if is_output and kind == "message" else EasyInputMessage
    elif kind == "function_call_output":
        cls = FunctionCallOutputItem
    elif isinstance(kind, str):
        cls = OUTPUT_ITEM_CLASSES.get(kind)
    if cls is None:
        return data
    try:
        typed = cls.model_validate(data)
    except ValueError:
        return data
    # Compared as canonical JSON, so 1 and 1.0 (equal in Python) count as different.
    same = json.dumps(typed.to_dict(), sort_keys=True) == json.dumps(data, sort_keys=True)
    return typed if same else data
