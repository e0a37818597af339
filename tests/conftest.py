"""Shared fixtures. ``openrouter_emulator`` and ``openrouter_client`` come from the SDK's own
pytest plugin (``openrouter.testing.pytest_plugin``), exactly as users get them."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from openrouter import OpenRouter
from openrouter.testing import Emulator
from openrouter.utils import BackoffStrategy, RetryConfig

# pytester runs the README's pytest example in this process (tests/test_readme.py).
pytest_plugins = ["pytester"]

# Quick backoff so retry tests take milliseconds, not seconds.
FAST_RETRY = RetryConfig("backoff", BackoffStrategy(10, 50, 2.0, 5_000))


@pytest.fixture(scope="session", autouse=True)
def one_ssl_context() -> Iterator[None]:
    """Every client builds an SSL context on first use (loading the CA bundle: ~60 ms), about
    200 times a run; the tests speak plain HTTP to the emulator, so they share one default
    context. Calls with arguments still build their own."""
    build = httpx.create_ssl_context
    shared = functools.cache(build)

    def create_ssl_context(*args: Any, **kwargs: Any) -> Any:
        return shared() if not args and not kwargs else build(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx, "create_ssl_context", create_ssl_context)
        yield


@pytest.fixture
def fast_client(openrouter_emulator: Emulator) -> Iterator[OpenRouter]:
    with OpenRouter(
        api_key=openrouter_emulator.api_key,
        server_url=openrouter_emulator.url,
        retry_config=FAST_RETRY,
    ) as client:
        yield client


@pytest.fixture
def openrouter_emulator(
    openrouter_emulator: Emulator, request: pytest.FixtureRequest
) -> Iterator[Emulator]:
    """The plugin's fixture, plus a check after each test: every body the SDK sent passed the
    emulator's schema validation (unless the test sends an invalid one on purpose)."""
    yield openrouter_emulator
    if request.node.get_closest_marker("invalid_body"):
        return
    bad = [
        (r.json, r.validation_errors) for r in openrouter_emulator.requests if r.validation_errors
    ]
    assert not bad, f"the SDK sent bodies the schema rejects: {bad}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "invalid_body: the test sends an invalid body on purpose")
