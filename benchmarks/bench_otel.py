"""What OpenTelemetry instrumentation costs: client CPU per non-streaming call and per stream,
plain against instrumented (the OpenTelemetry SDK with an in-memory exporter and metric
reader), same emulator, same run. Needs ``opentelemetry-sdk`` (in the dev extra).

    python benchmarks/bench_otel.py [--requests 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from openrouter import OpenRouter
from openrouter.otel import OpenRouterInstrumentor

try:
    from benchmarks._server import emulator_process
except ImportError:  # run as a script from the benchmarks folder
    from _server import emulator_process  # type: ignore[no-redef]

PAYLOAD = {"model": "openai/gpt-4o", "input": "Tell me a joke about benchmarks"}


def cpu_per_call(fn: Callable[[], object], n: int) -> float:
    cpu = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - cpu) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    instrumentor = OpenRouterInstrumentor()

    with emulator_process() as url, OpenRouter(api_key="bench", server_url=url) as sdk:

        def call() -> object:
            return sdk.responses.send(**PAYLOAD)

        def stream() -> object:
            with sdk.responses.send(stream=True, **PAYLOAD) as events:
                return events.get_final_response()

        best: dict[tuple[str, bool], float] = {}
        for _ in range(args.rounds):
            for instrumented in (False, True):
                if instrumented:
                    instrumentor.instrument(
                        tracer_provider=tracer_provider, meter_provider=meter_provider
                    )
                for name, fn, n in (("call", call, args.requests), ("stream", stream, 200)):
                    for _ in range(20):
                        fn()
                    cpu = cpu_per_call(fn, n)
                    key = (name, instrumented)
                    best[key] = min(best.get(key, cpu), cpu)
                    exporter.clear()
                instrumentor.uninstrument()

    for name in ("call", "stream"):
        plain, traced = best[(name, False)], best[(name, True)]
        print(
            f"per {name:<6} plain {plain:6.0f} us CPU   instrumented {traced:6.0f} us CPU   "
            f"overhead {traced - plain:5.0f} us"
        )


if __name__ == "__main__":
    main()
