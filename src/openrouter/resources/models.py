"""``client.models``: the model catalogue, ``list`` and ``count`` (``GET /models``,
``GET /models/count``), sync and ``_async``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from openrouter._raw import to_raw, to_raw_async
from openrouter.resources._common import (
    call_options,
    check_int,
    check_number,
    csv,
    merge_query,
    parse_model,
)

if TYPE_CHECKING:
    from openrouter._retry_config import RetryConfig
    from openrouter._wire._base_client import BaseClient
    from openrouter._wire._request import PreparedRequest
    from openrouter.components import ModelsCountResponse, ModelsListResponse

__all__ = ["Models", "ModelsWithRawResponse"]

StrList = str | Sequence[str]


class Models:
    """List the models OpenRouter serves, with prices, context lengths and capabilities."""

    __slots__ = ("_client",)

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> ModelsWithRawResponse:
        """The same operations, answering with ``RawResponse`` (status, headers, result)."""
        return ModelsWithRawResponse(self)

    def _list_request(
        self,
        *,
        category: str | None,
        supported_parameters: StrList | None,
        output_modalities: StrList | None,
        input_modalities: StrList | None,
        q: str | None,
        sort: str | None,
        context: int | None,
        min_price: float | None,
        max_price: float | None,
        min_output_price: float | None,
        max_output_price: float | None,
        model_authors: StrList | None,
        providers: StrList | None,
        offset: int | None,
        limit: int | None,
        extra_query: Mapping[str, Any] | None,
        retries: RetryConfig | None,
        server_url: str | None,
        timeout_ms: float | None,
        http_headers: Mapping[str, str] | None,
    ) -> PreparedRequest:
        query: dict[str, Any] = {
            "category": category,
            "supported_parameters": csv("supported_parameters", supported_parameters),
            "output_modalities": csv("output_modalities", output_modalities),
            "input_modalities": csv("input_modalities", input_modalities),
            "q": q,
            "sort": sort,
            "context": check_int("context", context, 1),
            "min_price": check_number("min_price", min_price),
            "max_price": check_number("max_price", max_price),
            "min_output_price": check_number("min_output_price", min_output_price),
            "max_output_price": check_number("max_output_price", max_output_price),
            "model_authors": csv("model_authors", model_authors),
            "providers": csv("providers", providers),
            "offset": check_int("offset", offset, 0),
            "limit": check_int("limit", limit, 1, 1000),
        }
        merge_query(query, extra_query)
        options = call_options(retries, server_url, timeout_ms, http_headers)
        return self._client.build_request("GET", "/models", query=query, options=options)

    def list(
        self,
        *,
        category: str | None = None,
        supported_parameters: StrList | None = None,
        output_modalities: StrList | None = None,
        input_modalities: StrList | None = None,
        q: str | None = None,
        sort: str | None = None,
        context: int | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        min_output_price: float | None = None,
        max_output_price: float | None = None,
        model_authors: StrList | None = None,
        providers: StrList | None = None,
        offset: int | None = None,
        limit: int | None = None,
        extra_query: Mapping[str, Any] | None = None,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> ModelsListResponse:
        """List all models and their properties (``GET /models``).

        Server-side filters, as the API names them: ``category`` (``"programming"``, ...),
        ``supported_parameters`` (``"tools"`` or ``["tools", "reasoning"]``: models taking
        all of them), ``output_modalities`` / ``input_modalities`` (``"text"``, ``"image"``,
        ...; output defaults to text, ``"all"`` lists every model), ``q`` (free-text search),
        ``sort`` (``"pricing-low-to-high"``, ``"context-high-to-low"``, ``"newest"``, ...),
        ``context`` (minimum context length), ``min_price`` / ``max_price`` and
        ``min_output_price`` / ``max_output_price`` (USD per million tokens),
        ``model_authors``, ``providers``, ``offset`` / ``limit`` (pagination, limit at most
        1000). ``extra_query`` passes any other query parameter through. The result's
        ``filter(...)`` narrows further, client-side and typed.
        """
        prepared = self._list_request(
            category=category,
            supported_parameters=supported_parameters,
            output_modalities=output_modalities,
            input_modalities=input_modalities,
            q=q,
            sort=sort,
            context=context,
            min_price=min_price,
            max_price=max_price,
            min_output_price=min_output_price,
            max_output_price=max_output_price,
            model_authors=model_authors,
            providers=providers,
            offset=offset,
            limit=limit,
            extra_query=extra_query,
            retries=retries,
            server_url=server_url,
            timeout_ms=timeout_ms,
            http_headers=http_headers,
        )
        from openrouter.components import ModelsListResponse

        return parse_model(self._client.request(prepared), ModelsListResponse)

    async def list_async(
        self,
        *,
        category: str | None = None,
        supported_parameters: StrList | None = None,
        output_modalities: StrList | None = None,
        input_modalities: StrList | None = None,
        q: str | None = None,
        sort: str | None = None,
        context: int | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        min_output_price: float | None = None,
        max_output_price: float | None = None,
        model_authors: StrList | None = None,
        providers: StrList | None = None,
        offset: int | None = None,
        limit: int | None = None,
        extra_query: Mapping[str, Any] | None = None,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> ModelsListResponse:
        """The async form of ``list``."""
        prepared = self._list_request(
            category=category,
            supported_parameters=supported_parameters,
            output_modalities=output_modalities,
            input_modalities=input_modalities,
            q=q,
            sort=sort,
            context=context,
            min_price=min_price,
            max_price=max_price,
            min_output_price=min_output_price,
            max_output_price=max_output_price,
            model_authors=model_authors,
            providers=providers,
            offset=offset,
            limit=limit,
            extra_query=extra_query,
            retries=retries,
            server_url=server_url,
            timeout_ms=timeout_ms,
            http_headers=http_headers,
        )
        from openrouter.components import ModelsListResponse

        return parse_model(await self._client.request_async(prepared), ModelsListResponse)

    def _count_request(
        self,
        output_modalities: StrList | None,
        retries: RetryConfig | None,
        server_url: str | None,
        timeout_ms: float | None,
        http_headers: Mapping[str, str] | None,
    ) -> PreparedRequest:
        query = {"output_modalities": csv("output_modalities", output_modalities)}
        options = call_options(retries, server_url, timeout_ms, http_headers)
        return self._client.build_request("GET", "/models/count", query=query, options=options)

    def count(
        self,
        *,
        output_modalities: StrList | None = None,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> ModelsCountResponse:
        """How many models there are (``GET /models/count``): ``res.data.count``.

        ``output_modalities`` as for ``list`` (default text; ``"all"`` counts every model).
        """
        prepared = self._count_request(
            output_modalities, retries, server_url, timeout_ms, http_headers
        )
        from openrouter.components import ModelsCountResponse

        return parse_model(self._client.request(prepared), ModelsCountResponse)

    async def count_async(
        self,
        *,
        output_modalities: StrList | None = None,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: float | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> ModelsCountResponse:
        """The async form of ``count``."""
        prepared = self._count_request(
            output_modalities, retries, server_url, timeout_ms, http_headers
        )
        from openrouter.components import ModelsCountResponse

        return parse_model(await self._client.request_async(prepared), ModelsCountResponse)


class ModelsWithRawResponse:
    """``client.models.with_raw_response``: each operation returns a ``RawResponse``."""

    def __init__(self, models: Models) -> None:
        self.list = to_raw(models.list)
        self.list_async = to_raw_async(models.list_async)
        self.count = to_raw(models.count)
        self.count_async = to_raw_async(models.count_async)
