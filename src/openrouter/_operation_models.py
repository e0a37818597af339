"""Typed results defined at operation level in OpenRouter's OpenAPI description (inline
schemas), named as the official SDK's ``operations`` module names them: ``GET /credits``,
``GET /key``, and the ``GET /models/{author}/{slug}/endpoints`` envelope."""

from __future__ import annotations

from openrouter import components
from openrouter._models import BaseModel

__all__ = [
    "GetCreditsData",
    "GetCreditsResponse",
    "GetCurrentKeyData",
    "GetCurrentKeyResponse",
    "ListEndpointsResponse",
    "RateLimit",
]


class ListEndpointsResponse(BaseModel):
    """What ``endpoints.list`` returns: ``data``, the model and its endpoints."""

    data: components.ListEndpointsResponse


class GetCreditsData(BaseModel):
    total_credits: float
    total_usage: float

    @property
    def remaining(self) -> float:
        """``total_credits - total_usage``, in USD."""
        return self.total_credits - self.total_usage


class GetCreditsResponse(BaseModel):
    """What ``credits.get_credits`` returns: ``data.total_credits`` and ``data.total_usage``
    (USD)."""

    data: GetCreditsData


class RateLimit(BaseModel):
    requests: int | None = None
    interval: str | None = None
    note: str | None = None


class GetCurrentKeyData(BaseModel):
    """The key's ``label``, spending ``limit`` (USD, ``None``: unlimited), ``limit_remaining``
    and ``usage`` (total, daily, weekly, monthly)."""

    label: str = ""
    limit: float | None = None
    limit_remaining: float | None = None
    limit_reset: str | None = None
    usage: float = 0.0
    usage_daily: float | None = None
    usage_weekly: float | None = None
    usage_monthly: float | None = None
    byok_usage: float | None = None
    byok_usage_daily: float | None = None
    byok_usage_weekly: float | None = None
    byok_usage_monthly: float | None = None
    include_byok_in_limit: bool | None = None
    is_free_tier: bool | None = None
    is_management_key: bool | None = None
    is_provisioning_key: bool | None = None
    creator_user_id: str | None = None
    expires_at: str | None = None
    rate_limit: RateLimit | None = None


class GetCurrentKeyResponse(BaseModel):
    """What ``api_keys.get_current_key_metadata`` returns: ``data``, the key's metadata."""

    data: GetCurrentKeyData
