"""OpenTelemetry spans and metrics against the emulator, read with the SDK's in-memory
exporter and reader: attribute names as the GenAI conventions define them, and no key."""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from openrouter import OpenRouter, errors
from openrouter._wire._base_client import BaseClient
from openrouter.otel import OpenRouterInstrumentor
from openrouter.testing import Emulator, Fault, Reply
from openrouter.utils import BackoffStrategy, RetryConfig

FAST_RETRY = RetryConfig("backoff", BackoffStrategy(10, 50, 2.0, 5_000))
MODEL = "openai/gpt-4o"


class Telemetry:
    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def span(self, name: str) -> ReadableSpan:
        found = [s for s in self.spans() if s.name == name]
        assert len(found) == 1, [s.name for s in self.spans()]
        return found[0]

    def metrics(self) -> dict[str, list[Any]]:
        data = self.reader.get_metrics_data()
        found: dict[str, list[Any]] = {}
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    found.setdefault(metric.name, []).extend(metric.data.data_points)
        return found

    def dump(self) -> str:
        """Every span, event and metric as text, to look for the key in."""
        parts = [s.to_json() for s in self.spans()]
        data = self.reader.get_metrics_data()
        parts.append(data.to_json() if data else "")
        return "\n".join(parts)


@pytest.fixture
def telemetry(monkeypatch: pytest.MonkeyPatch) -> Iterator[Telemetry]:
    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    found = Telemetry()
    instrumentor = OpenRouterInstrumentor()
    instrumentor.instrument(
        tracer_provider=found.tracer_provider, meter_provider=found.meter_provider
    )
    try:
        yield found
    finally:
        instrumentor.uninstrument()
    assert BaseClient._hooks is None


def _client(emulator: Emulator) -> OpenRouter:
    return OpenRouter(api_key=emulator.api_key, server_url=emulator.url, retry_config=FAST_RETRY)


def _check_chat_span(span: ReadableSpan, emulator: Emulator) -> dict[str, Any]:
    attributes = dict(span.attributes or {})
    assert span.name == f"chat {MODEL}" and span.kind is SpanKind.CLIENT
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.provider.name"] == "openrouter"
    assert attributes["gen_ai.request.model"] == MODEL
    assert attributes["server.address"] == "127.0.0.1"
    assert attributes["server.port"] == int(emulator.url.rsplit(":", 1)[1].split("/")[0])
    return attributes


def test_a_call_makes_one_chat_span_and_both_metrics(
    openrouter_emulator: Emulator, telemetry: Telemetry
) -> None:
    openrouter_emulator.enqueue(Reply.text("hi"))
    with _client(openrouter_emulator) as client:
        result = client.responses.send(
            model=MODEL, input="hello", temperature=0.5, top_p=0.9, max_output_tokens=64
        )
    span = telemetry.span(f"chat {MODEL}")
    attributes = _check_chat_span(span, openrouter_emulator)
    assert attributes["gen_ai.request.temperature"] == 0.5
    assert attributes["gen_ai.request.top_p"] == 0.9
    assert attributes["gen_ai.request.max_tokens"] == 64
    assert attributes["gen_ai.response.id"] == result.id
    assert attributes["gen_ai.response.model"] == result.model
    assert attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert result.usage is not None
    assert attributes["gen_ai.usage.input_tokens"] == result.usage.input_tokens
    assert attributes["gen_ai.usage.output_tokens"] == result.usage.output_tokens
    assert attributes["openrouter.generation_id"] == result.generation_id
    if result.usage.cost is not None:
        assert attributes["openrouter.cost"] == result.usage.cost
    assert attributes["http.response.status_code"] == 200
    assert "gen_ai.input_messages" not in attributes  # content only when asked for
    assert "gen_ai.output_messages" not in attributes
    assert span.status.status_code is StatusCode.UNSET

    metrics = telemetry.metrics()
    tokens = {p.attributes["gen_ai.token.type"]: p for p in metrics["gen_ai.client.token.usage"]}
    assert tokens["input"].sum == result.usage.input_tokens
    assert tokens["output"].sum == result.usage.output_tokens
    assert tokens["input"].attributes["gen_ai.request.model"] == MODEL
    assert tokens["input"].attributes["gen_ai.provider.name"] == "openrouter"
    (duration,) = metrics["gen_ai.client.operation.duration"]
    assert duration.count == 1 and duration.sum > 0
    assert duration.attributes["gen_ai.operation.name"] == "chat"
    assert openrouter_emulator.api_key not in telemetry.dump()


def test_content_is_captured_only_when_asked(
    openrouter_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    found = Telemetry()
    instrumentor = OpenRouterInstrumentor()
    instrumentor.instrument(tracer_provider=found.tracer_provider)
    try:
        openrouter_emulator.enqueue(Reply.text("the answer"))
        with _client(openrouter_emulator) as client:
            client.responses.send(model=MODEL, input="the question", instructions="be brief")
    finally:
        instrumentor.uninstrument()
    attributes = dict(found.span(f"chat {MODEL}").attributes or {})
    assert json.loads(attributes["gen_ai.input_messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "the question"}]}
    ]
    assert json.loads(attributes["gen_ai.system_instructions"])[0]["content"] == "be brief"
    output = json.loads(attributes["gen_ai.output_messages"])
    assert output[0]["parts"] == [{"type": "text", "content": "the answer"}]
    assert output[0]["finish_reason"] == "stop"


def test_async_call(openrouter_emulator: Emulator, telemetry: Telemetry) -> None:
    openrouter_emulator.enqueue(Reply.text("async"))

    async def main() -> None:
        async with _client(openrouter_emulator) as client:
            await client.responses.send_async(model=MODEL, input="x")

    asyncio.run(main())
    _check_chat_span(telemetry.span(f"chat {MODEL}"), openrouter_emulator)


@pytest.mark.parametrize("how", ["completed", "failed", "cut", "closed"])
def test_a_stream_span_ends_with_the_stream(
    openrouter_emulator: Emulator, telemetry: Telemetry, how: str
) -> None:
    text = "y" * 300
    reply = {
        "completed": Reply.text(text),
        "failed": Reply.failed("server_error", "boom"),
        "cut": Reply.text(text).with_options(delta_size=5, drop_after=10),
        "closed": Reply.text(text).with_options(delta_size=5),
    }[how]
    openrouter_emulator.enqueue(reply)
    with _client(openrouter_emulator) as client:
        stream = client.responses.send(model=MODEL, input="x", stream=True)
        assert telemetry.spans() == []  # open until the stream ends
        try:
            with stream:
                if how == "closed":
                    next(iter(stream))
                else:
                    stream.get_final_response()
        except errors.StreamError:
            assert how in ("failed", "cut")
    span = telemetry.span(f"chat {MODEL}")
    attributes = _check_chat_span(span, openrouter_emulator)
    assert attributes["gen_ai.request.stream"] is True
    assert attributes["openrouter.stream.event_count"] > 0
    if how == "completed":
        assert attributes["gen_ai.usage.output_tokens"] > 0
        assert attributes["gen_ai.response.finish_reasons"] == ("stop",)
        assert span.status.status_code is StatusCode.UNSET
    elif how == "closed":
        assert attributes["openrouter.stream.closed"] is True
        assert "error.type" not in attributes
    else:
        expected = "StreamFailedError" if how == "failed" else "StreamInterruptedError"
        assert attributes["error.type"] == expected
        assert span.status.status_code is StatusCode.ERROR
    (duration,) = telemetry.metrics()["gen_ai.client.operation.duration"]
    assert duration.count == 1
    assert openrouter_emulator.api_key not in telemetry.dump()


def test_retries_are_events_and_errors_set_the_status(
    openrouter_emulator: Emulator, telemetry: Telemetry
) -> None:
    openrouter_emulator.enqueue(Fault.status(503, "busy", retry_after_ms=10))
    openrouter_emulator.enqueue(Fault.status(429, "slow", retry_after_ms=10))
    openrouter_emulator.enqueue(Fault.status(401, "bad key"))
    with _client(openrouter_emulator) as client:
        with pytest.raises(errors.UnauthorizedResponseError):
            client.responses.send(model=MODEL, input="x")
    span = telemetry.span(f"chat {MODEL}")
    attributes = _check_chat_span(span, openrouter_emulator)
    assert attributes["error.type"] == "UnauthorizedResponseError"
    assert attributes["http.response.status_code"] == 401
    assert span.status.status_code is StatusCode.ERROR
    retries = [e for e in span.events if e.name == "openrouter.retry"]
    assert [dict(e.attributes or {})["openrouter.retry.attempt"] for e in retries] == [2, 3]
    assert [dict(e.attributes or {})["error.type"] for e in retries] == ["503", "429"]
    (duration,) = telemetry.metrics()["gen_ai.client.operation.duration"]
    assert duration.attributes["error.type"] == "UnauthorizedResponseError"
    assert openrouter_emulator.api_key not in telemetry.dump()


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_a_tool_run_is_a_tree(
    openrouter_emulator: Emulator, telemetry: Telemetry, mode: str
) -> None:
    def get_time(zone: str) -> str:
        """The time in ``zone``."""
        return f"12:00 {zone}"

    openrouter_emulator.enqueue(
        Reply.function_call("get_time", {"zone": "UTC"}, call_id="c1"), Reply.text("noon")
    )
    params: dict[str, Any] = {"model": MODEL, "input": "time?", "tools": [get_time]}
    with _client(openrouter_emulator) as client:
        if mode == "sync":
            client.responses.run_tools(**params)
        elif mode == "stream":
            with client.responses.run_tools(stream=True, **params) as stream:
                stream.get_final_result()
        else:

            async def main() -> None:
                await client.responses.run_tools_async(**params)

            asyncio.run(main())
    run = telemetry.span("invoke_agent")
    turns = [s for s in telemetry.spans() if s.name == "openrouter.turn"]
    chats = [s for s in telemetry.spans() if s.name == f"chat {MODEL}"]
    tool = telemetry.span("execute_tool get_time")
    assert len(turns) == 2 and len(chats) == 2
    assert run.parent is None and dict(run.attributes or {})["gen_ai.operation.name"] == (
        "invoke_agent"
    )
    assert all(t.parent is not None and t.parent.span_id == run.context.span_id for t in turns)
    turn_ids = {t.context.span_id for t in turns}
    assert all(c.parent is not None and c.parent.span_id in turn_ids for c in chats)
    assert tool.parent is not None and tool.parent.span_id == turns[0].context.span_id
    tool_attributes = dict(tool.attributes or {})
    assert tool_attributes["gen_ai.operation.name"] == "execute_tool"
    assert tool_attributes["gen_ai.tool.name"] == "get_time"
    assert tool_attributes["gen_ai.tool.call.id"] == "c1"
    assert tool.kind is SpanKind.INTERNAL
    run_attributes = dict(run.attributes or {})
    assert run_attributes["gen_ai.usage.output_tokens"] > 0
    assert openrouter_emulator.api_key not in telemetry.dump()


def test_a_failing_tool_marks_its_span(openrouter_emulator: Emulator, telemetry: Telemetry) -> None:
    def flaky(x: int) -> int:
        """Fails."""
        raise ValueError("no")

    openrouter_emulator.enqueue(Reply.function_call("flaky", {"x": 1}, call_id="c9"))
    openrouter_emulator.enqueue(Reply.text("sorry"))
    with _client(openrouter_emulator) as client:
        client.responses.run_tools(model=MODEL, input="x", tools=[flaky])
    tool = telemetry.span("execute_tool flaky")
    assert dict(tool.attributes or {})["error.type"] == "ValueError"
    assert tool.status.status_code is StatusCode.ERROR


def test_companion_endpoints_get_http_spans(
    openrouter_emulator: Emulator, telemetry: Telemetry
) -> None:
    with _client(openrouter_emulator) as client:
        client.models.list(category="programming")
        client.credits.get_credits()
    span = telemetry.span("GET /models")
    attributes = dict(span.attributes or {})
    assert span.kind is SpanKind.CLIENT
    assert attributes["http.request.method"] == "GET"
    assert attributes["url.full"] == f"{openrouter_emulator.url}/models?category=programming"
    assert attributes["http.response.status_code"] == 200
    assert "gen_ai.operation.name" not in attributes
    telemetry.span("GET /credits")
    assert "gen_ai.client.operation.duration" not in telemetry.metrics()
    assert openrouter_emulator.api_key not in telemetry.dump()


def test_instrument_twice_and_uninstrument(openrouter_emulator: Emulator) -> None:
    found = Telemetry()
    instrumentor = OpenRouterInstrumentor()
    assert instrumentor is OpenRouterInstrumentor()
    instrumentor.instrument(tracer_provider=found.tracer_provider)
    instrumentor.instrument(tracer_provider=found.tracer_provider)
    assert instrumentor.is_instrumented_by_opentelemetry
    instrumentor.uninstrument()
    instrumentor.uninstrument()
    assert not instrumentor.is_instrumented_by_opentelemetry
    openrouter_emulator.enqueue(Reply.text("quiet"))
    with _client(openrouter_emulator) as client:
        client.responses.send(model=MODEL, input="x")
    assert found.spans() == []


def test_entry_point_names_the_instrumentor() -> None:
    found = [
        e
        for e in importlib.metadata.entry_points(group="opentelemetry_instrumentor")
        if e.name == "openrouter"
    ]
    assert found and found[0].load() is OpenRouterInstrumentor


def test_importing_openrouter_does_not_import_opentelemetry() -> None:
    code = (
        "import sys, openrouter\n"
        "c = openrouter.OpenRouter(api_key='k')\n"
        "assert not [m for m in sys.modules if m.startswith('opentelemetry')], 'loaded'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
