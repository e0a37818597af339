"""``client.endpoints``: the providers serving one model (``GET
/models/{author}/{slug}/endpoints``), sync and ``_async``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from openrouter._raw import to_raw, to_raw_async
from openrouter.resources._common import call_options, parse_model, path_segment

if TYPE_CHECKING:
    from openrouter._operation_models import ListEndpointsResponse
    from openrouter._retry_config import RetryConfig
    from openrouter._wire._base_client import BaseClient
    from openrouter._wire._request import PreparedRequest

__all__ = ["Endpoints", "EndpointsWithRawResponse"]


class Endpoints:
    """Where a model is served: each provider's prices, limits, parameters and health."""

    __slots__ = ("_client",)

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> EndpointsWithRawResponse:
        """The same operations, answering with ``RawResponse`` (status, headers, result)."""
        return EndpointsWithRawResponse(self)

    def _request(
        self,
        author: str,
        slug: str,
        retries: RetryConfig | None,
        server_url: str | None,
        timeout_ms: float | None,
        http_headers: Mapping[str, str] | None,
    ) -> PreparedRequest:
        path = f"/models/{path_segment('author', author)}/{path_segment('slug', slug)}/endpoints"
        options = call_options(retries, server_url, timeout_ms, http_headers)
        return self._client.build_request("GET", path, options=options)

    def list(
        self,
        *,
        author: str,
        slug: str,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> ListEndpointsResponse:
        """List all endpoints for a model: ``author="openai", slug="gpt-4o"`` for
        ``openai/gpt-4o``. The model and its endpoints are ``res.data``."""
        prepared = self._request(author, slug, retries, server_url, timeout_ms, http_headers)
        from openrouter._operation_models import ListEndpointsResponse

        return parse_model(self._client.request(prepared), ListEndpointsResponse)

    async def list_async(
        self,
        *,
        author: str,
        slug: str,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> ListEndpointsResponse:
        """The async form of ``list``."""
        prepared = self._request(author, slug, retries, server_url, timeout_ms, http_headers)
        from openrouter._operation_models import ListEndpointsResponse

        return parse_model(await self._client.request_async(prepared), ListEndpointsResponse)


class EndpointsWithRawResponse:
    """``client.endpoints.with_raw_response``: each operation returns a ``RawResponse``."""

    def __init__(self, endpoints: Endpoints) -> None:
        self.list = to_raw(endpoints.list)
        self.list_async = to_raw_async(endpoints.list_async)
