"""Shared fixtures. ``openrouter_emulator`` and ``openrouter_client`` come from the SDK's own
pytest plugin (``openrouter.testing.pytest_plugin``), exactly as users get them."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import settings

from openrouter import OpenRouter
from openrouter.testing import Emulator
from openrouter.utils import BackoffStrategy, RetryConfig

# pytester runs the README's pytest example in this process (tests/test_readme.py).
pytest_plugins = ["pytester"]

# Under CI (as pytest detects it) hypothesis tries the same examples on every run and keeps no
# example database, so a red build reproduces; elsewhere the examples vary from run to run and
# a failing one is kept in .hypothesis/ to be tried first next time. Recent hypothesis versions
# do this by themselves; older ones the dev extra allows do not. HYPOTHESIS_PROFILE overrides.
# Loaded here, before any test module: a @settings takes the profile loaded when it runs.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.load_profile(
    os.environ.get(
        "HYPOTHESIS_PROFILE",
        "ci" if "CI" in os.environ or "BUILD_NUMBER" in os.environ else "default",
    )
)

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
