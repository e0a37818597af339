"""Configuration helpers with the official SDK's names: ``RetryConfig`` and ``BackoffStrategy``.

A facade: the classes live in lower layers (``openrouter._retry_config`` and, for the stream
classes, ``openrouter._streaming``), so nothing below imports this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openrouter._retry_config import BackoffStrategy, RetryConfig

if TYPE_CHECKING:
    from openrouter._streaming import EventStream, EventStreamAsync

__all__ = ["BackoffStrategy", "EventStream", "EventStreamAsync", "RetryConfig"]


def __getattr__(name: str) -> Any:
    # The stream classes pull in httpx; load them only when asked for.
    if name in ("EventStream", "EventStreamAsync"):
        from openrouter import _streaming

        return getattr(_streaming, name)
    raise AttributeError(f"module 'openrouter.utils' has no attribute {name!r}")
