"""``POST /responses``: check the body, pick the answer, send it as JSON or as an SSE stream."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from openrouter import _json
from openrouter.testing._catalog import model_prices
from openrouter.testing._faults import Fault, default_message, retry_after_headers
from openrouter.testing._render_result import (
    RenderContext,
    build_result,
    dumps_result,
    last_user_text,
)
from openrouter.testing._render_stream import StreamSettings, render_stream
from openrouter.testing._replies import Reply
from openrouter.testing._signed_reasoning import check_signed_reasoning
from openrouter.testing._sources import Answer

if TYPE_CHECKING:
    from openrouter.testing._ledger import Ledger
    from openrouter.testing._routes import Call
    from openrouter.testing._schema import RequestChecker
    from openrouter.testing._sources import ModelOutages, ReplySource

__all__ = ["ResponsesRoute"]

_STATELESS = (
    "previous_response_id is not supported: the Responses API is stateless and stores no "
    "responses. Send the whole conversation in `input` instead."
)


class ResponsesRoute:
    """The handler of ``POST /responses``, for one emulator.

    Requests rejected here (bad JSON, schema errors, ``previous_response_id``, a spent credit
    limit) consume nothing from ``source``. Each response produced is recorded in ``ledger``.
    """

    def __init__(
        self,
        *,
        source: ReplySource,
        outages: ModelOutages,
        checker: RequestChecker | None,
        settings: StreamSettings,
        default_model: str,
        ledger: Ledger | None = None,
    ) -> None:
        self._ledger = ledger
        self._source = source
        self._outages = outages
        self._checker = checker
        self._settings = settings
        self._default_model = default_model
        self._lock = threading.Lock()
        self._count = 0  # responses produced; their ids derive from it
        # Signed reasoning items of the last reply, which the next request must carry back
        # unchanged, as providers require.
        self._issued: dict[str, dict[str, Any]] = {}

    def reset(self) -> None:
        with self._lock:
            self._count = 0
            self._issued = {}

    def __call__(self, call: Call) -> None:
        # The request is parsed, checked and rendered in a frame of its own, gone before the
        # answer is written: a request nobody records is not kept alive by it (see
        # Call.release_request).
        write = self._prepare(call)
        if write is not None:
            write()

    def _prepare(self, call: Call) -> Callable[[], None] | None:
        """Answer a rejected request or a fault; for a reply, what writes it."""
        record = call.record
        raw: bytes | None = record.body
        try:
            # What json.loads(raw) does, in two steps: bytes nobody keeps go before the parse.
            text = record.body.decode(json.detect_encoding(record.body), "surrogatepass")
            if not call.keep_request:
                raw = None
                call.release_request()
            payload = _json.loads(text)  # too deep a nesting is a ValueError too
        except ValueError as exc:
            call.error(400, f"Request body is not valid JSON: {exc}")
            return None
        del text
        if call.keep_request:
            record.json = payload
        if not isinstance(payload, dict):
            call.error(400, "Request body must be a JSON object")
            return None
        if self._checker is not None:
            problems = self._checker.check(payload, raw)
            if problems:
                record.validation_errors = problems
                call.error(400, problems[0], errors=problems[:10])
                return None
        if payload.get("previous_response_id") is not None:
            call.error(400, _STATELESS)
            return None
        if self._ledger is not None and self._ledger.exhausted():
            call.error(402, default_message(402))
            return None
        with self._lock:
            issued, self._issued = self._issued, {}
        problem = check_signed_reasoning(payload, issued)
        if problem is not None:
            call.error(400, problem)
            return None
        return self._answer(call, payload, self._source.next_for(record))

    def _answer(
        self, call: Call, payload: dict[str, Any], item: Reply | Fault | Answer | None
    ) -> Callable[[], None] | None:
        exchange = call.exchange
        if isinstance(item, Answer):  # recorded or relayed bytes, written as they are
            item.send(exchange)
            return None
        while isinstance(item, Fault):
            if item.kind == "reset":
                exchange.reset()
                return None
            if item.kind == "stall":
                if not exchange.pause(item.seconds):
                    exchange.close_after()
                    return None
                item = item.then
                continue
            exchange.send(item.http_status, item.body, item.content_type, item.headers)
            return None

        reply = item if item is not None else Reply.text(f"Echo: {last_user_text(payload)}")
        requested = self._requested_models(payload)
        unavailable = self._outages.failing() | set(reply.unavailable_models)
        with self._lock:
            self._count += 1
            number = self._count
        model = next((m for m in requested if m not in unavailable), None)
        if model is None:
            call.error(
                503,
                "No endpoints available: every requested model is unavailable "
                f"({', '.join(requested)})",
                headers=retry_after_headers(),
                models=requested,
            )
            return None
        answered_by = reply.model or model
        context = RenderContext(
            payload, answered_by, number, int(time.time()), model_prices(answered_by)
        )
        rendered = build_result(reply, context)
        signed = {
            item["id"]: item
            for item in rendered.result.get("output", ())
            if item.get("type") == "reasoning" and "signature" in item and "id" in item
        }
        if signed:
            with self._lock:
                self._issued = signed
        headers = dict(reply.headers or {})
        streamed = payload.get("stream") is True
        if self._ledger is not None:
            self._ledger.record(call, payload, rendered.result, streamed=streamed)
        call.release_request()
        if streamed:
            return functools.partial(
                exchange.stream, render_stream(rendered, reply, self._settings), headers
            )
        body = dumps_result(rendered.result)
        return functools.partial(exchange.send, 200, body, "application/json", headers)

    def _requested_models(self, payload: Mapping[str, Any]) -> list[str]:
        names: list[str] = []
        model = payload.get("model")
        if isinstance(model, str) and model:
            names.append(model)
        models = payload.get("models")
        if isinstance(models, list):
            names.extend(m for m in models if isinstance(m, str) and m and m not in names)
        return names or [self._default_model]
