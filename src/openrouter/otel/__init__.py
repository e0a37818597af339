"""OpenTelemetry for the SDK: GenAI spans and metrics, following OpenTelemetry's conventions.

    from openrouter.otel import OpenRouterInstrumentor

    OpenRouterInstrumentor().instrument(tracer_provider=..., meter_provider=...)

Needs the ``openrouter[otel]`` extra (``opentelemetry-api``). Registered under the
``opentelemetry_instrumentor`` entry point, so ``opentelemetry-instrument python app.py`` turns
it on. Prompts and completions are recorded only when
``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`` (or ``capture_content=True``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection
from typing import Any

from openrouter._wire._base_client import add_global_hook, remove_global_hook
from openrouter.otel._hook import OtelHook

__all__ = ["CAPTURE_CONTENT_ENV", "OpenRouterInstrumentor"]

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


class OpenRouterInstrumentor:
    """Instruments every ``OpenRouter`` client, existing and future, until ``uninstrument()``.

    Follows ``opentelemetry.instrumentation.BaseInstrumentor``'s conventions (one instance per
    class, ``instrument(**kwargs)`` / ``uninstrument(**kwargs)`` that do nothing when repeated,
    ``instrumentation_dependencies()``, ``is_instrumented_by_opentelemetry``) without
    depending on ``opentelemetry-instrumentation``: the SDK instruments itself, so there is no
    third-party library to patch or to check the version of.
    """

    _instance: OpenRouterInstrumentor | None = None
    _lock = threading.Lock()
    _hook: OtelHook | None = None

    def __new__(cls) -> OpenRouterInstrumentor:
        with cls._lock:
            if cls._instance is None:
                cls._instance = super().__new__(cls)
            return cls._instance

    @property
    def is_instrumented_by_opentelemetry(self) -> bool:
        return self._hook is not None

    def instrumentation_dependencies(self) -> Collection[str]:
        return ()

    def instrument(self, **kwargs: Any) -> None:
        """Start: ``tracer_provider`` and ``meter_provider`` default to the global ones;
        ``capture_content`` to the ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``
        environment variable. Other keyword arguments (``skip_dep_check``...) are accepted."""
        with self._lock:
            if self._hook is not None:
                return
            capture = kwargs.get("capture_content")
            if capture is None:
                capture = os.environ.get(CAPTURE_CONTENT_ENV, "").strip().lower() == "true"
            hook = OtelHook(
                kwargs.get("tracer_provider"), kwargs.get("meter_provider"), bool(capture)
            )
            add_global_hook(hook)
            type(self)._hook = hook

    def uninstrument(self, **kwargs: Any) -> None:
        """Stop: clients go back to the plain request path (unless they have hooks)."""
        with self._lock:
            hook = self._hook
            if hook is None:
                return
            remove_global_hook(hook)
            type(self)._hook = None
