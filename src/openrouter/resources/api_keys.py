"""``client.api_keys``: the calling key's metadata, limit and usage (``GET /key``), sync and
``_async``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from openrouter._raw import to_raw, to_raw_async
from openrouter.resources._common import call_options, parse_model

if TYPE_CHECKING:
    from openrouter._operation_models import GetCurrentKeyResponse
    from openrouter._retry_config import RetryConfig
    from openrouter._wire._base_client import BaseClient
    from openrouter._wire._request import PreparedRequest

__all__ = ["APIKeys", "APIKeysWithRawResponse"]


class APIKeys:
    """The API key in use: its label, spending limit, what remains of it, and its usage."""

    __slots__ = ("_client",)

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> APIKeysWithRawResponse:
        """The same operations, answering with ``RawResponse`` (status, headers, result)."""
        return APIKeysWithRawResponse(self)

    def _request(
        self,
        retries: RetryConfig | None,
        server_url: str | None,
        timeout_ms: float | None,
        http_headers: Mapping[str, str] | None,
    ) -> PreparedRequest:
        options = call_options(retries, server_url, timeout_ms, http_headers)
        return self._client.build_request("GET", "/key", options=options)

    def get_current_key_metadata(
        self,
        *,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> GetCurrentKeyResponse:
        """The current key: ``res.data.limit`` (USD, ``None`` for no limit),
        ``limit_remaining``, ``usage`` (and ``usage_daily`` / ``_weekly`` / ``_monthly``)."""
        prepared = self._request(retries, server_url, timeout_ms, http_headers)
        from openrouter._operation_models import GetCurrentKeyResponse

        return parse_model(self._client.request(prepared), GetCurrentKeyResponse)

    async def get_current_key_metadata_async(
        self,
        *,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> GetCurrentKeyResponse:
        """The async form of ``get_current_key_metadata``."""
        prepared = self._request(retries, server_url, timeout_ms, http_headers)
        from openrouter._operation_models import GetCurrentKeyResponse

        return parse_model(await self._client.request_async(prepared), GetCurrentKeyResponse)


class APIKeysWithRawResponse:
    """``client.api_keys.with_raw_response``: each operation returns a ``RawResponse``."""

    def __init__(self, api_keys: APIKeys) -> None:
        self.get_current_key_metadata = to_raw(api_keys.get_current_key_metadata)
        self.get_current_key_metadata_async = to_raw_async(api_keys.get_current_key_metadata_async)
