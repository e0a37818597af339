"""``openrouter.testing``: an offline emulator of OpenRouter's Responses endpoint.

Use it to test code built on this SDK without network or credits::

    from openrouter import OpenRouter
    from openrouter.testing import Emulator, Fault, Reply

    with Emulator() as emu:
        emu.enqueue(Reply.text("Hello!"), Fault.status(429, retry_after=1))
        with OpenRouter(api_key=emu.api_key, server_url=emu.url) as client:
            ...
        assert emu.requests[0].json["model"] == "openai/gpt-4o"

With pytest, the ``openrouter_emulator`` and ``openrouter_client`` fixtures are registered
automatically. From a shell: ``python -m openrouter.testing --port 8080``. To replay real
OpenRouter traffic recorded once, give the emulator a ``Cassette`` (``Emulator(cassette=PATH,
record_mode="once")``, or ``@pytest.mark.openrouter_cassette("name")``).

The emulator speaks plain HTTP/JSON/SSE and never imports the client, so it also tests the
client. Request validation needs ``jsonschema`` (``pip install 'openrouter[testing]'``).
Names are imported lazily: importing this package starts nothing and loads no server code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openrouter.testing._cassette import Cassette
    from openrouter.testing._cassette_file import RecordMode
    from openrouter.testing._cassette_match import Match
    from openrouter.testing._command import serve
    from openrouter.testing._emulator import DEFAULT_API_KEY, DEFAULT_MODEL, Emulator
    from openrouter.testing._faults import Fault
    from openrouter.testing._records import RecordedRequest
    from openrouter.testing._replies import (
        Citation,
        FunctionCall,
        ImageGenerationCall,
        Message,
        OutputText,
        RawItem,
        Reasoning,
        Refusal,
        Reply,
        WebSearchCall,
    )

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_MODEL",
    "Cassette",
    "Citation",
    "Emulator",
    "Fault",
    "FunctionCall",
    "ImageGenerationCall",
    "Match",
    "Message",
    "OutputText",
    "RawItem",
    "Reasoning",
    "RecordMode",
    "RecordedRequest",
    "Refusal",
    "Reply",
    "WebSearchCall",
    "serve",
]

# Where each name lives; everything else is in ``_replies``.
_MODULES = {
    "Cassette": "_cassette",
    "Match": "_cassette_match",
    "RecordMode": "_cassette_file",
    "DEFAULT_API_KEY": "_emulator",
    "DEFAULT_MODEL": "_emulator",
    "Emulator": "_emulator",
    "Fault": "_faults",
    "RecordedRequest": "_records",
    "serve": "_command",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _MODULES.get(name, "_replies")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
