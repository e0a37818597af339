"""Bulk runs: many independent requests with bounded, adaptive concurrency and a cost cap.

``client.responses.bulk(requests, concurrency=..., max_cost_usd=...)`` (and ``bulk_async``)
return the runs defined here; ``openrouter bulk`` is the command-line form.
"""

from __future__ import annotations

from openrouter.bulk._core import (
    AdaptiveConcurrency,
    BulkError,
    BulkResult,
    BulkStatus,
    BulkSummary,
    CostBudget,
)
from openrouter.bulk._engine import BulkRun, BulkRunAsync, Requests

__all__ = [
    "AdaptiveConcurrency",
    "BulkError",
    "BulkResult",
    "BulkRun",
    "BulkRunAsync",
    "BulkStatus",
    "BulkSummary",
    "CostBudget",
    "Requests",
]
