"""``client.generations``: one generation's record (``GET /generation``), sync and
``_async``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from openrouter._raw import to_raw, to_raw_async
from openrouter.resources._common import call_options, check_id, parse_model

if TYPE_CHECKING:
    from openrouter._retry_config import RetryConfig
    from openrouter._wire._base_client import BaseClient
    from openrouter._wire._request import PreparedRequest
    from openrouter.components import GenerationResponse

__all__ = ["Generations", "GenerationsWithRawResponse"]


class Generations:
    """The exact cost, tokens, provider and latency of a generation, after the fact."""

    __slots__ = ("_client",)

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> GenerationsWithRawResponse:
        """The same operations, answering with ``RawResponse`` (status, headers, result)."""
        return GenerationsWithRawResponse(self)

    def _request(
        self,
        id: str,
        retries: RetryConfig | None,
        server_url: str | None,
        timeout_ms: float | None,
        http_headers: Mapping[str, str] | None,
    ) -> PreparedRequest:
        query = {"id": check_id("id", id)}
        options = call_options(retries, server_url, timeout_ms, http_headers)
        return self._client.build_request("GET", "/generation", query=query, options=options)

    def get_generation(
        self,
        *,
        id: str,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> GenerationResponse:
        """Get request & usage metadata for a generation: ``res.data.total_cost``,
        ``provider_name``, tokens, ``latency``. ``id`` is a result's ``generation_id``.

        The record is written once the generation has finished; asked too early, the service
        answers 404 (``errors.NotFoundResponseError``): try again a moment later.
        """
        prepared = self._request(id, retries, server_url, timeout_ms, http_headers)
        from openrouter.components import GenerationResponse

        return parse_model(self._client.request(prepared), GenerationResponse)

    async def get_generation_async(
        self,
        *,
        id: str,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> GenerationResponse:
        """The async form of ``get_generation``."""
        prepared = self._request(id, retries, server_url, timeout_ms, http_headers)
        from openrouter.components import GenerationResponse

        return parse_model(await self._client.request_async(prepared), GenerationResponse)


class GenerationsWithRawResponse:
    """``client.generations.with_raw_response``: each operation returns a ``RawResponse``."""

    def __init__(self, generations: Generations) -> None:
        self.get_generation = to_raw(generations.get_generation)
        self.get_generation_async = to_raw_async(generations.get_generation_async)
