"""pytest fixtures for code that uses the OpenRouter SDK, registered via the ``pytest11`` entry
point: ``openrouter_emulator`` (a running ``Emulator``) and ``openrouter_client`` (an
``OpenRouter`` client pointed at it).

Importing this module is cheap on purpose (pytest imports it in every session of every project
that has the SDK installed): no server, no jsonschema, no client until a fixture is used.

When ``jsonschema`` is missing, the emulator answers without checking request bodies; pytest's
header says so, with the command that turns the checks on.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from openrouter import OpenRouter
    from openrouter.testing import Emulator


# The same text as openrouter.testing._schema.INSTALL_HINT, which this module must not import.
_INSTALL_HINT = "pip install 'openrouter[testing]'"


def pytest_report_header(config: pytest.Config) -> str | None:
    """One header line when the emulator cannot validate request bodies (silent otherwise)."""
    # find_spec looks for the package without importing it (a noticeable cost in every session).
    if importlib.util.find_spec("jsonschema") is not None:
        return None
    return (
        "openrouter: the emulator does not validate request bodies (jsonschema is not "
        f"installed); turn validation on with: {_INSTALL_HINT}"
    )


@pytest.fixture
def openrouter_emulator() -> Iterator[Emulator]:
    """A fresh, running emulator for one test (its own port, queue and records)."""
    from openrouter.testing import Emulator

    # Starting one costs about a millisecond (the request validator is built once per
    # process), so every test simply gets its own instead of sharing a reset one.
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def openrouter_client(openrouter_emulator: Emulator) -> Iterator[OpenRouter]:
    """An ``OpenRouter`` client talking to ``openrouter_emulator``; closed after the test."""
    from openrouter import OpenRouter

    client = OpenRouter(api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url)
    with client:
        yield client
