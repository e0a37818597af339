"""Client hooks: observe every request, retry, error and stream end, and every tool run.

    class Timing(Hook):
        def after_response(self, response: ResponseInfo) -> None:
            print(response.request.path, response.status_code, response.elapsed)

    client = OpenRouter(hooks=[Timing()])   # or client.add_hook(...), or add_global_hook(...)

Hooks see redacted headers only: the key never reaches them. A client with no hook pays
nothing for this feature.
"""

from __future__ import annotations

from openrouter._wire._base_client import add_global_hook, remove_global_hook
from openrouter._wire._hooks import (
    ErrorInfo,
    Hook,
    RequestInfo,
    ResponseInfo,
    RetryInfo,
    StreamEndInfo,
    ToolCallInfo,
    ToolRunInfo,
    TurnInfo,
)

__all__ = [
    "ErrorInfo",
    "Hook",
    "RequestInfo",
    "ResponseInfo",
    "RetryInfo",
    "StreamEndInfo",
    "ToolCallInfo",
    "ToolRunInfo",
    "TurnInfo",
    "add_global_hook",
    "remove_global_hook",
]
