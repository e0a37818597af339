"""The hook that turns client events into OpenTelemetry spans and GenAI client metrics."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from opentelemetry import context, metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from openrouter._version import __version__
from openrouter._wire._hooks import Hook
from openrouter.otel._attributes import (
    PROVIDER,
    http_attributes,
    request_attributes,
    response_attributes,
    server_attributes,
    usage_attributes,
)

if TYPE_CHECKING:
    from openrouter._wire._hooks import (
        ErrorInfo,
        RequestInfo,
        ResponseInfo,
        RetryInfo,
        StreamEndInfo,
        ToolCallInfo,
        ToolRunInfo,
        TurnInfo,
    )

__all__ = ["OtelHook"]

SCHEMA_URL = "https://opentelemetry.io/schemas/1.37.0"

# The bucket boundaries the GenAI metric conventions advise.
_TOKEN_BUCKETS = [4**i for i in range(14)]
_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48]
_DURATION_BUCKETS += [40.96, 81.92]


# The request attributes the metrics carry (low cardinality, as the conventions list them).
_METRIC_KEYS = (
    "gen_ai.operation.name",
    "gen_ai.provider.name",
    "gen_ai.request.model",
    "server.address",
    "server.port",
)
_TOKEN_KEYS = (("input", "gen_ai.usage.input_tokens"), ("output", "gen_ai.usage.output_tokens"))


class _Call:
    """What a request's span needs between its events."""

    __slots__ = ("genai", "metric_attributes", "span")

    def __init__(self, span: trace.Span, genai: bool, metric_attributes: dict[str, Any]) -> None:
        self.span = span
        self.genai = genai
        self.metric_attributes = metric_attributes


def _error_type(error: BaseException) -> str:
    return type(error).__name__


class OtelHook(Hook):
    """Spans per request (GenAI ``chat`` spans for ``POST /responses``, HTTP spans for the
    companion endpoints), per tool run, turn and tool call; the two GenAI client metrics."""

    def __init__(
        self,
        tracer_provider: trace.TracerProvider | None,
        meter_provider: metrics.MeterProvider | None,
        capture_content: bool,
    ) -> None:
        self.capture_content = capture_content
        self.tracer = trace.get_tracer(
            "openrouter.otel", __version__, tracer_provider, schema_url=SCHEMA_URL
        )
        meter = metrics.get_meter("openrouter.otel", __version__, meter_provider, SCHEMA_URL)
        self.token_usage = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )

    # -- requests ------------------------------------------------------------------------------

    def before_request(self, request: RequestInfo) -> None:
        genai = request.method == "POST" and request.path == "/responses"
        if genai:
            attributes = request_attributes(request.body, self.capture_content)
            attributes.update(server_attributes(request.url))
            model = attributes.get("gen_ai.request.model")
            name = f"chat {model}" if model else "chat"
            metric_attributes = {k: attributes[k] for k in _METRIC_KEYS if k in attributes}
        else:
            attributes = http_attributes(request.method, request.url)
            name = f"{request.method} {request.path}"
            metric_attributes = {}
        span = self.tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)
        request.state[self] = _Call(span, genai, metric_attributes)

    def after_response(self, response: ResponseInfo) -> None:
        call: _Call | None = response.request.state.get(self)
        if call is None:
            return
        span = call.span
        span.set_attribute("http.response.status_code", response.status_code)
        if response.generation_id:
            span.set_attribute("openrouter.generation_id", response.generation_id)
        if response.request.stream:
            return  # the span ends with the stream
        if call.genai:
            try:
                body = json.loads(response.http_response.content)
            except ValueError:
                body = None
            self._finish_genai(call, body, None, response.elapsed)
        else:
            span.end()

    def on_retry(self, retry: RetryInfo) -> None:
        call: _Call | None = retry.request.state.get(self)
        if call is None:
            return
        cause = _error_type(retry.cause) if retry.cause is not None else str(retry.status_code)
        call.span.add_event(
            "openrouter.retry",
            {
                "openrouter.retry.attempt": retry.attempt,
                "openrouter.retry.delay": retry.delay,
                "error.type": cause,
            },
        )

    def on_error(self, error: ErrorInfo) -> None:
        call: _Call | None = error.request.state.pop(self, None)
        if call is None:
            return
        if error.status_code is not None:
            call.span.set_attribute("http.response.status_code", error.status_code)
        if call.genai:
            self._finish_genai(call, None, error.error, error.elapsed)
        else:
            self._fail(call.span, error.error)
            call.span.end()

    def on_stream_end(self, end: StreamEndInfo) -> None:
        call: _Call | None = end.request.state.pop(self, None)
        if call is None:
            return
        call.span.set_attribute("openrouter.stream.event_count", end.event_count)
        if end.closed:
            call.span.set_attribute("openrouter.stream.closed", True)
        self._finish_genai(call, end.response, end.error, end.elapsed)

    def _fail(self, span: trace.Span, error: BaseException) -> str:
        kind = _error_type(error)
        span.set_attribute("error.type", kind)
        span.set_status(Status(StatusCode.ERROR, f"{kind}: {error}"[:500]))
        return kind

    def _finish_genai(
        self, call: _Call, response: Any, error: BaseException | None, elapsed: float
    ) -> None:
        span = call.span
        metric_attributes = dict(call.metric_attributes)
        if response is not None:
            attributes = response_attributes(response, self.capture_content)
            span.set_attributes(attributes)
            model = attributes.get("gen_ai.response.model")
            if model:
                metric_attributes["gen_ai.response.model"] = model
            for kind, key in _TOKEN_KEYS:
                if key in attributes:
                    self.token_usage.record(
                        attributes[key], {**metric_attributes, "gen_ai.token.type": kind}
                    )
        if error is not None:
            metric_attributes["error.type"] = self._fail(span, error)
        self.duration.record(elapsed, metric_attributes)
        span.end()

    # -- tool runs -------------------------------------------------------------------------------

    def on_tool_run_start(self, run: ToolRunInfo) -> None:
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.provider.name": PROVIDER,
        }
        model = run.params.get("model")
        if isinstance(model, str):
            attributes["gen_ai.request.model"] = model
        run.state[self] = self.tracer.start_span(
            "invoke_agent", kind=SpanKind.INTERNAL, attributes=attributes
        )

    def on_tool_run_end(self, run: ToolRunInfo) -> None:
        span: trace.Span | None = run.state.pop(self, None)
        if span is None:
            return
        result = run.result
        if result is not None:
            span.set_attributes(usage_attributes(result.usage))
            span.set_attribute("openrouter.tool_run.turns", len(result.responses))
            span.set_attribute("openrouter.tool_run.stop_reason", str(result.stop_reason))
            model = getattr(result.response, "model", None)
            if isinstance(model, str):
                span.set_attribute("gen_ai.response.model", model)
        elif isinstance(run.error, GeneratorExit):
            span.set_attribute("openrouter.stream.closed", True)
        elif run.error is not None:
            self._fail(span, run.error)
        span.end()

    def on_turn_start(self, turn: TurnInfo) -> None:
        parent: trace.Span | None = turn.run.state.get(self)
        ctx = trace.set_span_in_context(parent) if parent is not None else None
        turn.state[self] = self.tracer.start_span(
            "openrouter.turn",
            context=ctx,
            kind=SpanKind.INTERNAL,
            attributes={"openrouter.turn.number": turn.number},
        )

    def on_turn_end(self, turn: TurnInfo) -> None:
        span: trace.Span | None = turn.state.pop(self, None)
        if span is None:
            return
        if turn.error is not None and not isinstance(turn.error, GeneratorExit):
            self._fail(span, turn.error)
        span.end()

    def on_tool_call_start(self, call: ToolCallInfo) -> None:
        owner = call.turn if call.turn is not None else call.run
        parent: trace.Span | None = owner.state.get(self)
        ctx = trace.set_span_in_context(parent) if parent is not None else None
        item = call.call
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.provider.name": PROVIDER,
            "gen_ai.tool.name": item.name,
            "gen_ai.tool.call.id": item.call_id,
            "gen_ai.tool.type": "function",
        }
        if self.capture_content:
            attributes["gen_ai.tool.call.arguments"] = item.arguments
        call.state[self] = self.tracer.start_span(
            f"execute_tool {item.name}", context=ctx, kind=SpanKind.INTERNAL, attributes=attributes
        )

    def on_tool_call_end(self, call: ToolCallInfo) -> None:
        span: trace.Span | None = call.state.pop(self, None)
        if span is None:
            return
        if call.error is not None:
            self._fail(span, call.error)
        execution = call.execution
        if self.capture_content and execution is not None:
            output = execution.output
            span.set_attribute(
                "gen_ai.tool.call.result",
                output if isinstance(output, str) else json.dumps([str(p) for p in output]),
            )
        span.end()

    def activate(self, info: TurnInfo | ToolCallInfo) -> object:
        span: trace.Span | None = info.state.get(self)
        if span is None:
            return None
        return context.attach(trace.set_span_in_context(span))

    def deactivate(self, info: TurnInfo | ToolCallInfo, token: object) -> None:
        if token is not None:
            context.detach(token)  # type: ignore[arg-type]
