"""A fast, typed Python SDK for OpenRouter's Responses API.

``from openrouter import OpenRouter`` loads neither httpx nor pydantic; the submodules
(``components``, ``errors``, ``operations``, ``utils``, ``testing`` and the helpers
``structured``, ``tools``, ``conversation``, ``inputs``, ``usage``) load on first access.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from openrouter._client import OpenRouter
from openrouter._version import __version__

if TYPE_CHECKING:
    from openrouter import (
        components,
        conversation,
        errors,
        inputs,
        operations,
        structured,
        testing,
        tools,
        usage,
        utils,
    )
    from openrouter._streaming import EventStream, EventStreamAsync
    from openrouter.conversation import Conversation
    from openrouter.utils import BackoffStrategy, RetryConfig

__all__ = [
    "BackoffStrategy",
    "Conversation",
    "EventStream",
    "EventStreamAsync",
    "OpenRouter",
    "RetryConfig",
    "__version__",
    "components",
    "conversation",
    "errors",
    "inputs",
    "operations",
    "structured",
    "testing",
    "tools",
    "usage",
    "utils",
]

_SUBMODULES = frozenset(
    {
        "components", "conversation", "errors", "inputs", "operations", "structured", "testing",
        "tools", "usage", "utils",
    }
)  # fmt: skip
_ATTRS = {
    "Conversation": "openrouter.conversation",
    "EventStream": "openrouter._streaming",
    "EventStreamAsync": "openrouter._streaming",
    "RetryConfig": "openrouter._retry_config",
    "BackoffStrategy": "openrouter._retry_config",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"openrouter.{name}")
        globals()[name] = module
        return module
    if name in _ATTRS:
        value = getattr(importlib.import_module(_ATTRS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'openrouter' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
