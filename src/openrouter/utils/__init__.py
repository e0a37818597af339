"""Configuration helpers with the official SDK's names: ``RetryConfig`` and ``BackoffStrategy``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openrouter.utils._retry_config import BackoffStrategy, RetryConfig

if TYPE_CHECKING:
    from openrouter._streaming import EventStream, EventStreamAsync

__all__ = ["BackoffStrategy", "EventStream", "EventStreamAsync", "RetryConfig"]


def __getattr__(name: str) -> Any:
    # The stream classes pull in httpx; load them only when asked for.
    if name in ("EventStream", "EventStreamAsync"):
        from openrouter import _streaming

        return getattr(_streaming, name)
    raise AttributeError(f"module 'openrouter.utils' has no attribute {name!r}")
