"""``client.credits``: credits purchased and used (``GET /credits``), sync and ``_async``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from openrouter._raw import to_raw, to_raw_async
from openrouter.resources._common import call_options, parse_model

if TYPE_CHECKING:
    from openrouter._operation_models import GetCreditsResponse
    from openrouter._retry_config import RetryConfig
    from openrouter._wire._base_client import BaseClient
    from openrouter._wire._request import PreparedRequest

__all__ = ["Credits", "CreditsWithRawResponse"]


class Credits:
    """The account's credits: ``total_credits`` purchased and ``total_usage``, in USD."""

    __slots__ = ("_client",)

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> CreditsWithRawResponse:
        """The same operations, answering with ``RawResponse`` (status, headers, result)."""
        return CreditsWithRawResponse(self)

    def _request(
        self,
        retries: RetryConfig | None,
        server_url: str | None,
        timeout_ms: float | None,
        http_headers: Mapping[str, str] | None,
    ) -> PreparedRequest:
        options = call_options(retries, server_url, timeout_ms, http_headers)
        return self._client.build_request("GET", "/credits", options=options)

    def get_credits(
        self,
        *,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> GetCreditsResponse:
        """Total credits purchased and used: ``res.data.total_credits``,
        ``res.data.total_usage`` (USD). The service requires a management key here; an
        ordinary key gets 403 (``errors.ForbiddenResponseError``)."""
        prepared = self._request(retries, server_url, timeout_ms, http_headers)
        from openrouter._operation_models import GetCreditsResponse

        return parse_model(self._client.request(prepared), GetCreditsResponse)

    async def get_credits_async(
        self,
        *,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> GetCreditsResponse:
        """The async form of ``get_credits``."""
        prepared = self._request(retries, server_url, timeout_ms, http_headers)
        from openrouter._operation_models import GetCreditsResponse

        return parse_model(await self._client.request_async(prepared), GetCreditsResponse)


class CreditsWithRawResponse:
    """``client.credits.with_raw_response``: each operation returns a ``RawResponse``."""

    def __init__(self, credits: Credits) -> None:
        self.get_credits = to_raw(credits.get_credits)
        self.get_credits_async = to_raw_async(credits.get_credits_async)
