"""A fast, typed Python SDK for OpenRouter's Responses API.

``from openrouter import OpenRouter`` loads neither httpx nor pydantic; the submodules
``components``, ``errors``, ``operations``, ``utils`` and ``testing`` load on first access.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from openrouter._client import OpenRouter
from openrouter._version import __version__

if TYPE_CHECKING:
    from openrouter import components, errors, operations, testing, utils
    from openrouter._streaming import EventStream, EventStreamAsync
    from openrouter.utils import BackoffStrategy, RetryConfig

__all__ = [
    "BackoffStrategy",
    "EventStream",
    "EventStreamAsync",
    "OpenRouter",
    "RetryConfig",
    "__version__",
    "components",
    "errors",
    "operations",
    "testing",
    "utils",
]

_SUBMODULES = frozenset({"components", "errors", "operations", "testing", "utils"})
_ATTRS = {
    "EventStream": "openrouter._streaming",
    "EventStreamAsync": "openrouter._streaming",
    "RetryConfig": "openrouter.utils",
    "BackoffStrategy": "openrouter.utils",
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
