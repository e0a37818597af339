"""The emulator's account: a generation record per response produced (``GET /generation``),
credits and key usage that grow with each response's cost (``GET /credits``, ``GET /key``),
and an optional credit limit past which ``POST /responses`` answers 402, as the service does.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from openrouter.testing._catalog import model_prices, model_provider

if TYPE_CHECKING:
    from openrouter.testing._routes import Call

__all__ = ["DEFAULT_CREDITS", "Ledger"]

# What the account has bought when no credit limit is set, in USD.
DEFAULT_CREDITS = 100.0

_FINISH = {"completed": "stop", "incomplete": "length", "failed": "error"}


def _send_json(call: Call, body: Any) -> None:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    call.exchange.send(200, data, "application/json")


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class Ledger:
    """Generation records and the running cost, shared by the routes of one emulator."""

    def __init__(self, credit_limit: float | None = None, key_label: str = "") -> None:
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, Any]] = {}
        self._usage = 0.0
        self.credit_limit = credit_limit
        self.key_label = key_label

    # -- state ---------------------------------------------------------------------------------

    @property
    def usage(self) -> float:
        """USD spent so far: the sum of every recorded generation's ``total_cost``."""
        with self._lock:
            return self._usage

    def exhausted(self) -> bool:
        """Whether the credit limit is reached (a new response would answer 402)."""
        limit = self.credit_limit
        return limit is not None and self.usage >= limit

    def generation(self, generation_id: str) -> dict[str, Any] | None:
        with self._lock:
            record = self._records.get(generation_id)
            return dict(record) if record is not None else None

    def reset(self) -> None:
        with self._lock:
            self._records.clear()
            self._usage = 0.0

    def record(
        self,
        call: Call,
        body: Mapping[str, Any],
        result: Mapping[str, Any],
        *,
        streamed: bool,
    ) -> dict[str, Any]:
        """Write the record of the response ``result`` answering ``body``: model, tokens,
        ``total_cost`` (the usage's ``cost``, or priced from the tokens when absent),
        latency and provider."""
        model = str(result.get("model") or "")
        usage = result.get("usage")
        usage = usage if isinstance(usage, Mapping) else {}
        prompt_tokens = _int(usage.get("input_tokens"))
        completion_tokens = _int(usage.get("output_tokens"))
        details = usage.get("output_tokens_details")
        reasoning = _int(details.get("reasoning_tokens")) if isinstance(details, Mapping) else 0
        cached_details = usage.get("input_tokens_details")
        cached = (
            _int(cached_details.get("cached_tokens")) if isinstance(cached_details, Mapping) else 0
        )
        cost = usage.get("cost")
        if not isinstance(cost, (int, float)) or isinstance(cost, bool):
            input_price, output_price = model_prices(model)
            cost = round(prompt_tokens * input_price + completion_tokens * output_price, 12)
        elapsed_ms = max(1.0, round((time.monotonic() - call.exchange.arrived) * 1000, 1))
        status = str(result.get("status") or "completed")
        headers = call.exchange.headers
        generation_id = call.generation_id
        record: dict[str, Any] = {
            "id": generation_id,
            "upstream_id": f"up-{generation_id}",
            "total_cost": float(cost),
            "usage": float(cost),
            "upstream_inference_cost": None,
            "cache_discount": None,
            "created_at": datetime.now(timezone.utc).isoformat(),
            "model": model,
            "app_id": None,
            "streamed": streamed,
            "cancelled": False,
            "provider_name": model_provider(model),
            "latency": elapsed_ms,
            "moderation_latency": None,
            "generation_time": elapsed_ms,
            "finish_reason": _FINISH.get(status, status),
            "native_finish_reason": _FINISH.get(status, status),
            "service_tier": result.get("service_tier"),
            "tokens_prompt": prompt_tokens,
            "tokens_completion": completion_tokens,
            "native_tokens_prompt": prompt_tokens,
            "native_tokens_completion": completion_tokens,
            "native_tokens_completion_images": 0,
            "native_tokens_reasoning": reasoning,
            "native_tokens_cached": cached,
            "num_media_prompt": 0,
            "num_input_audio_prompt": 0,
            "num_media_completion": 0,
            "num_search_results": 0,
            "num_fetches": 0,
            "web_search_engine": None,
            "origin": headers.get("Origin") or "",
            "is_byok": False,
            "external_user": body.get("user"),
            "session_id": body.get("session_id"),
            "api_type": "completions",
            "preset_id": None,
            "router": None,
            "provider_responses": None,
            "user_agent": headers.get("User-Agent"),
            "http_referer": headers.get("HTTP-Referer"),
            "request_id": f"req-{generation_id}",
            "data_region": "global",
            "workspace_id": None,
        }
        with self._lock:
            self._records[generation_id] = record
            self._usage += float(cost)
        return record

    # -- the routes ----------------------------------------------------------------------------

    def get_generation(self, call: Call) -> None:
        query = urllib.parse.parse_qs(call.exchange.path.partition("?")[2])
        ids = query.get("id") or [""]
        if not ids[-1]:
            call.error(400, "id: a generation id is required")
            return
        record = self.generation(ids[-1])
        if record is None:
            call.error(404, f"Generation {ids[-1]} not found")
            return
        _send_json(call, {"data": record})

    def get_credits(self, call: Call) -> None:
        limit = self.credit_limit
        total = DEFAULT_CREDITS if limit is None else limit
        _send_json(call, {"data": {"total_credits": total, "total_usage": self.usage}})

    def get_key(self, call: Call) -> None:
        used = self.usage
        limit = self.credit_limit
        data = {
            "label": self.key_label,
            "limit": limit,
            "limit_remaining": None if limit is None else max(limit - used, 0.0),
            "limit_reset": None,
            "usage": used,
            "usage_daily": used,
            "usage_weekly": used,
            "usage_monthly": used,
            "byok_usage": 0.0,
            "byok_usage_daily": 0.0,
            "byok_usage_weekly": 0.0,
            "byok_usage_monthly": 0.0,
            "include_byok_in_limit": False,
            "is_free_tier": False,
            "is_management_key": False,
            "is_provisioning_key": False,
            "creator_user_id": "user_emulator",
            "expires_at": None,
            "rate_limit": {
                "requests": -1,
                "interval": "10s",
                "note": "This field is deprecated and safe to ignore.",
            },
        }
        _send_json(call, {"data": data})
