"""The companion endpoints (models, endpoints, generations, credits, key), sync and async,
against the emulator: typed results, per-call options, errors, and the emulator's side."""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from openrouter import OpenRouter, components, errors, operations
from openrouter.testing import Emulator, Fault, Reply
from openrouter.utils import BackoffStrategy, RetryConfig

# Quick backoff so retry tests take milliseconds.
FAST_RETRY = RetryConfig("backoff", BackoffStrategy(10, 50, 2.0, 5_000))


def _client(emu: Emulator) -> OpenRouter:
    return OpenRouter(api_key=emu.api_key, server_url=emu.url, retry_config=FAST_RETRY)


# -- the official page's call, unchanged -------------------------------------------------------


def test_the_official_page_call_runs_unchanged(
    openrouter_emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os

    monkeypatch.setenv("OPENROUTER_BASE_URL", openrouter_emulator.url)
    monkeypatch.setenv("OPENROUTER_API_KEY", openrouter_emulator.api_key)
    with OpenRouter(
        http_referer="<value>",
        x_open_router_title="<value>",
        x_open_router_categories="<value>",
        api_key=os.getenv("OPENROUTER_API_KEY", ""),
    ) as open_router:
        res = open_router.models.list()

        # Handle response
        print(res.data[0].id)
    assert capsys.readouterr().out.strip() == "openai/gpt-4o"
    assert openrouter_emulator.requests[-1].path == "/api/v1/models"


# -- models ------------------------------------------------------------------------------------


def test_models_list_is_typed_and_complete(openrouter_client: OpenRouter) -> None:
    res = openrouter_client.models.list()
    assert isinstance(res, components.ModelsListResponse)
    ids = [m.id for m in res.data]
    assert "openai/gpt-4o" in ids and "anthropic/claude-sonnet-4" in ids
    assert res.total_count == len(res.data)
    gpt = res.get("openai/gpt-4o")
    assert gpt is not None
    assert gpt.context_length == 128_000
    assert gpt.pricing.prompt == "0.0000025"
    assert gpt.pricing.input_per_million == pytest.approx(2.5)
    assert gpt.pricing.output_per_million == pytest.approx(10.0)
    assert "image" in gpt.architecture.input_modalities
    assert "tools" in gpt.supported_parameters
    assert gpt.top_provider is not None and gpt.top_provider.max_completion_tokens == 16_384


def test_models_list_sends_the_server_side_filters(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    res = openrouter_client.models.list(
        supported_parameters=["tools", "reasoning"], input_modalities="image", max_price=5
    )
    assert {m.id for m in res.data} == {
        "anthropic/claude-sonnet-4",
        "google/gemini-2.5-flash",
        "openrouter/echo",
    }
    path = openrouter_emulator.requests[-1].path
    assert "supported_parameters=tools%2Creasoning" in path
    assert "input_modalities=image" in path and "max_price=5" in path
    assert "category" not in path  # unset filters are not sent
    programming = openrouter_client.models.list(category="programming", sort="newest")
    assert programming.data[0].id == "anthropic/claude-sonnet-4"
    everything = openrouter_client.models.list(output_modalities="all", q="gemini")
    assert {m.id for m in everything.data} == {
        "google/gemini-2.5-flash",
        "google/gemini-2.5-flash-image",
    }


def test_models_list_pages(openrouter_client: OpenRouter) -> None:
    first = openrouter_client.models.list(limit=3)
    assert len(first.data) == 3
    assert first.links is not None and first.links.next is not None
    assert first.total_count is not None and first.total_count > 3
    rest = openrouter_client.models.list(offset=3, limit=1000)
    assert rest.links is not None and rest.links.next is None
    assert len(first.data) + len(rest.data) == first.total_count


def test_models_count(openrouter_client: OpenRouter) -> None:
    text = openrouter_client.models.count()
    assert isinstance(text, components.ModelsCountResponse)
    assert text.data.count == len(openrouter_client.models.list().data)
    images = openrouter_client.models.count(output_modalities=["image"])
    assert images.data.count == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"offset": -1}, "offset"),
        ({"max_price": -1.0}, "max_price"),
        ({"supported_parameters": []}, "supported_parameters"),
        ({"supported_parameters": ["tools,reasoning"]}, "supported_parameters"),
    ],
)
def test_models_list_checks_its_parameters_before_sending(
    openrouter_client: OpenRouter,
    openrouter_emulator: Emulator,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(errors.RequestValidationError) as caught:
        openrouter_client.models.list(**kwargs)
    assert caught.value.field == field
    assert openrouter_emulator.requests == []


def test_models_list_passes_extra_query_through(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_client.models.list(extra_query={"zdr": "true"})
    assert openrouter_emulator.requests[-1].path.endswith("?zdr=true")


def test_unknown_fields_are_kept(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    body = {
        "data": [
            {
                "id": "new/model",
                "name": "New",
                "pricing": {"prompt": "0.000001", "completion": "0.000002", "brand_new": "1"},
                "architecture": {"input_modalities": ["text", "hologram"]},
                "shiny": {"nested": True},
            }
        ],
        "total_count": 1,
        "links": {"next": None},
        "served_by": "tomorrow",
    }
    openrouter_emulator.enqueue_for("GET /models", Fault.raw(200, json.dumps(body)))
    res = openrouter_client.models.list()
    model = res.data[0]
    assert model.model_extra == {"shiny": {"nested": True}}
    assert model.pricing.model_extra == {"brand_new": "1"}
    assert model.architecture.input_modalities == ["text", "hologram"]
    assert res.model_extra == {"served_by": "tomorrow"}
    assert res.to_dict()["data"][0]["shiny"] == {"nested": True}


def test_a_body_of_the_wrong_shape_raises_response_validation_error(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_emulator.enqueue_for("GET /models/count", Fault.raw(200, '{"data": []}'))
    with pytest.raises(errors.ResponseValidationError, match="ModelsCountResponse"):
        openrouter_client.models.count()


# -- endpoints, generations, credits, key -----------------------------------------------------


def test_endpoints_list(openrouter_client: OpenRouter, openrouter_emulator: Emulator) -> None:
    res = openrouter_client.endpoints.list(author="anthropic", slug="claude-sonnet-4")
    assert isinstance(res, operations.ListEndpointsResponse)
    assert isinstance(res.data, components.ListEndpointsResponse)
    assert res.data.id == "anthropic/claude-sonnet-4"
    providers = [e.provider_name for e in res.data.endpoints]
    assert providers == ["Anthropic", "Amazon Bedrock", "Google"]
    first = res.data.endpoints[0]
    assert first.context_length == 200_000
    assert first.pricing.output_per_million == pytest.approx(15.0)
    assert first.latency_last_30m is not None and first.latency_last_30m.p50 is not None
    # A variant suffix keeps its colon in the path.
    variant = openrouter_client.endpoints.list(author="openai", slug="gpt-4o:free")
    assert variant.data.id == "openai/gpt-4o"
    assert openrouter_emulator.requests[-1].path == "/api/v1/models/openai/gpt-4o:free/endpoints"


def test_endpoints_rejects_a_slash_in_a_segment(openrouter_client: OpenRouter) -> None:
    with pytest.raises(errors.RequestValidationError) as caught:
        openrouter_client.endpoints.list(author="openai/gpt-4o", slug="x")
    assert caught.value.field == "author"
    with pytest.raises(errors.RequestValidationError):
        openrouter_client.endpoints.list(author="openai", slug="")


def test_generation_record_of_a_response(openrouter_client: OpenRouter) -> None:
    res = openrouter_client.responses.send(model="openai/gpt-4o-mini", input="Hi there, model")
    assert res.generation_id is not None and res.generation_id.startswith("gen-")
    gen = openrouter_client.generations.get_generation(id=res.generation_id)
    assert isinstance(gen, components.GenerationResponse)
    data = gen.data
    assert data.id == res.generation_id
    assert data.model == "openai/gpt-4o-mini"
    assert data.provider_name == "OpenAI"
    assert res.usage is not None and res.usage.cost is not None
    assert data.total_cost == pytest.approx(res.usage.cost)
    assert data.tokens_prompt == res.usage.input_tokens
    assert data.tokens_completion == res.usage.output_tokens
    assert data.streamed is False and data.finish_reason == "stop"
    assert data.latency is not None and data.latency > 0
    # The catalogue's prices are the ones charged: the estimate before sending is exact.
    model = openrouter_client.models.list().get("openai/gpt-4o-mini")
    assert model is not None
    estimate = model.estimate_cost(res.usage.input_tokens, res.usage.output_tokens)
    assert estimate == pytest.approx(data.total_cost)


def test_stream_final_response_carries_the_generation_id(openrouter_client: OpenRouter) -> None:
    with openrouter_client.responses.send(model="openai/gpt-4o", input="Hi", stream=True) as s:
        final = s.get_final_response()
    assert final.generation_id is not None
    assert final.generation_id == s.generation_id
    gen = openrouter_client.generations.get_generation(id=final.generation_id)
    assert gen.data.streamed is True


def test_helpers_keep_the_generation_id(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    from pydantic import BaseModel

    class Answer(BaseModel):
        value: int

    openrouter_emulator.enqueue(Reply.text('{"value": 4}'))
    parsed = openrouter_client.responses.parse(
        text_format=Answer, model="openai/gpt-4o", input="2+2"
    )
    assert parsed.output_parsed.value == 4
    assert parsed.generation_id is not None
    record = openrouter_emulator.generation(parsed.generation_id)
    assert record is not None and record["id"] == parsed.generation_id


def test_generation_cost_when_the_response_carries_none(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_emulator.enqueue(Reply.text("one two three", usage={"cost": None}))
    res = openrouter_client.responses.send(model="openai/gpt-4o", input="count")
    assert res.usage is not None and res.usage.cost is None
    assert res.generation_id is not None
    gen = openrouter_client.generations.get_generation(id=res.generation_id)
    expected = res.usage.input_tokens * 0.0000025 + res.usage.output_tokens * 0.00001
    assert gen.data.total_cost == pytest.approx(expected)


def test_generation_unknown_id_is_404(openrouter_client: OpenRouter) -> None:
    with pytest.raises(errors.NotFoundResponseError) as caught:
        openrouter_client.generations.get_generation(id="gen-nope")
    assert caught.value.status_code == 404
    with pytest.raises(errors.RequestValidationError):
        openrouter_client.generations.get_generation(id="")


def test_credits_and_key_usage_grow_with_each_response(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    before = openrouter_client.credits.get_credits()
    assert isinstance(before, operations.GetCreditsResponse)
    assert before.data.total_usage == 0.0
    costs = []
    for text in ("one", "two words", "three more words"):
        res = openrouter_client.responses.send(model="anthropic/claude-sonnet-4", input=text)
        assert res.usage is not None and res.usage.cost is not None
        costs.append(res.usage.cost)
    after = openrouter_client.credits.get_credits()
    assert after.data.total_usage == pytest.approx(sum(costs))
    assert after.data.remaining == pytest.approx(after.data.total_credits - sum(costs))
    key = openrouter_client.api_keys.get_current_key_metadata()
    assert isinstance(key, operations.GetCurrentKeyResponse)
    assert key.data.usage == pytest.approx(sum(costs))
    assert key.data.limit is None and key.data.limit_remaining is None
    assert key.data.label.startswith("sk-or-") and openrouter_emulator.api_key not in key.data.label
    assert openrouter_emulator.usage == pytest.approx(sum(costs))


def test_credit_limit_answers_402_like_the_service(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.credit_limit = 0.0001
    with _client(openrouter_emulator) as client:
        key = client.api_keys.get_current_key_metadata()
        assert key.data.limit == 0.0001 and key.data.limit_remaining == 0.0001
        assert client.credits.get_credits().data.total_credits == 0.0001
        spent = 0
        with pytest.raises(errors.PaymentRequiredResponseError) as caught:
            for _ in range(50):
                client.responses.send(model="openai/gpt-4o", input="spend " * 20)
                spent += 1
        assert caught.value.status_code == 402
        assert 1 <= spent < 50
        assert client.api_keys.get_current_key_metadata().data.limit_remaining == 0.0
        openrouter_emulator.enqueue("queued")
        with pytest.raises(errors.PaymentRequiredResponseError):
            client.responses.send(model="openai/gpt-4o", input="more")
        assert openrouter_emulator.pending == 1  # a refused request consumes nothing
        openrouter_emulator.credit_limit = None
        assert client.responses.send(model="openai/gpt-4o", input="x").output_text == "queued"


# -- per-call options, errors, retries ---------------------------------------------------------

CALLS = [
    ("GET /models", lambda c, o: c.models.list(**o)),
    ("GET /models/count", lambda c, o: c.models.count(**o)),
    (
        "GET /models/{author}/{slug}/endpoints",
        lambda c, o: c.endpoints.list(author="openai", slug="gpt-4o", **o),
    ),
    ("GET /generation", lambda c, o: c.generations.get_generation(id="gen-x", **o)),
    ("GET /credits", lambda c, o: c.credits.get_credits(**o)),
    ("GET /key", lambda c, o: c.api_keys.get_current_key_metadata(**o)),
]
ASYNC_CALLS = [
    ("GET /models", lambda c, o: c.models.list_async(**o)),
    ("GET /models/count", lambda c, o: c.models.count_async(**o)),
    (
        "GET /models/{author}/{slug}/endpoints",
        lambda c, o: c.endpoints.list_async(author="openai", slug="gpt-4o", **o),
    ),
    ("GET /generation", lambda c, o: c.generations.get_generation_async(id="gen-x", **o)),
    ("GET /credits", lambda c, o: c.credits.get_credits_async(**o)),
    ("GET /key", lambda c, o: c.api_keys.get_current_key_metadata_async(**o)),
]
ERRORS = {
    "GET /models": (400, errors.BadRequestResponseError),
    "GET /models/count": (403, errors.ForbiddenResponseError),
    "GET /models/{author}/{slug}/endpoints": (404, errors.NotFoundResponseError),
    "GET /generation": (402, errors.PaymentRequiredResponseError),
    "GET /credits": (403, errors.ForbiddenResponseError),
    "GET /key": (401, errors.UnauthorizedResponseError),
}


@pytest.mark.parametrize(("route", "call"), CALLS, ids=[r for r, _ in CALLS])
def test_each_operation_raises_its_error_status(
    openrouter_emulator: Emulator, route: str, call: Any
) -> None:
    status, error_class = ERRORS[route]
    openrouter_emulator.enqueue_for(route, Fault.status(status, "nope"))
    with _client(openrouter_emulator) as client, pytest.raises(error_class) as caught:
        call(client, {})
    assert caught.value.status_code == status
    assert caught.value.generation_id  # every answer carries X-Generation-Id
    assert openrouter_emulator.pending == 0


@pytest.mark.parametrize(("route", "call"), ASYNC_CALLS, ids=[r for r, _ in ASYNC_CALLS])
def test_each_async_operation_raises_its_error_status(
    openrouter_emulator: Emulator, route: str, call: Any
) -> None:
    status, error_class = ERRORS[route]
    openrouter_emulator.enqueue_for(route, Fault.status(status, "nope"))

    async def main() -> None:
        async with _client(openrouter_emulator) as client:
            with pytest.raises(error_class) as caught:
                await call(client, {})
            assert caught.value.status_code == status

    asyncio.run(main())


@pytest.mark.parametrize(("route", "call"), CALLS, ids=[r for r, _ in CALLS])
def test_each_operation_retries_like_send(
    openrouter_emulator: Emulator, route: str, call: Any
) -> None:
    # A Retry-After over the backoff (at most 10 ms for the first retry) is waited for.
    busy = Fault.status(503, retry_after=0.05)
    openrouter_emulator.enqueue_for(route, busy, Fault.status(429, retry_after=0))
    if route == "GET /generation":
        openrouter_emulator.enqueue_for(route, Fault.raw(200, '{"data": {"id": "gen-x"}}'))
    with _client(openrouter_emulator) as client:
        result = call(client, {})
    assert result.data is not None
    statuses = [r.status for r in openrouter_emulator.requests]
    assert statuses == [503, 429, 200]
    first, second, _ = openrouter_emulator.requests
    assert 0.05 <= second.time - first.time < 1.0


@pytest.mark.parametrize(("route", "call"), CALLS, ids=[r for r, _ in CALLS])
def test_each_operation_takes_the_per_call_options(
    openrouter_emulator: Emulator, route: str, call: Any
) -> None:
    openrouter_emulator.enqueue_for(route, Fault.status(503))
    with OpenRouter(api_key=openrouter_emulator.api_key, server_url="http://127.0.0.1:9/x") as c:
        options = {
            "server_url": openrouter_emulator.url,
            "http_headers": {"X-Trace": "abc"},
            "timeout_ms": 5_000,
            "retries": RetryConfig("none"),  # the client's default policy would retry the 503
        }
        with pytest.raises(errors.ServiceUnavailableResponseError):
            call(c, options)
    recorded = openrouter_emulator.requests
    assert len(recorded) == 1
    assert recorded[-1].header("x-trace") == "abc"
    assert recorded[-1].header("authorization") == "Bearer sk-or-...REDACTED"


def test_all_async_operations_succeed(openrouter_emulator: Emulator) -> None:
    async def main() -> None:
        async with _client(openrouter_emulator) as client:
            res = await client.responses.send_async(model="openai/gpt-4o", input="hello")
            assert res.generation_id is not None
            listed, count, endpoints, generation, credits, key = await asyncio.gather(
                client.models.list_async(supported_parameters="tools"),
                client.models.count_async(),
                client.endpoints.list_async(author="openai", slug="gpt-4o"),
                client.generations.get_generation_async(id=res.generation_id),
                client.credits.get_credits_async(),
                client.api_keys.get_current_key_metadata_async(),
            )
            assert all(m.supports("tools") for m in listed.data)
            assert count.data.count >= len(listed.data)
            assert endpoints.data.endpoints[0].provider_name == "OpenAI"
            assert generation.data.id == res.generation_id
            assert credits.data.total_usage == pytest.approx(generation.data.total_cost)
            assert key.data.usage == pytest.approx(generation.data.total_cost)

    asyncio.run(main())


# -- with_raw_response ----------------------------------------------------------------------------


def test_with_raw_response_gives_status_headers_and_result(openrouter_client: OpenRouter) -> None:
    raw = openrouter_client.models.with_raw_response.list()
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "application/json"
    assert raw.generation_id is not None
    assert isinstance(raw.http_response, httpx.Response)
    assert raw.parse().data[0].id == "openai/gpt-4o"

    sent = openrouter_client.responses.with_raw_response.send(model="openai/gpt-4o", input="x")
    assert sent.status_code == 200
    assert sent.parse().generation_id == sent.generation_id == sent.headers["x-generation-id"]

    streamed = openrouter_client.responses.with_raw_response.send(
        model="openai/gpt-4o", input="x", stream=True
    )
    assert streamed.headers["content-type"].startswith("text/event-stream")
    with streamed.parse() as stream:
        assert stream.get_final_response().generation_id == streamed.generation_id

    key = openrouter_client.api_keys.with_raw_response.get_current_key_metadata()
    assert key.parse().data.usage > 0
    assert openrouter_client.credits.with_raw_response.get_credits().status_code == 200
    gen = openrouter_client.generations.with_raw_response.get_generation(id=sent.generation_id)
    assert gen.parse().data.id == sent.generation_id
    ep = openrouter_client.endpoints.with_raw_response.list(author="openai", slug="gpt-4o")
    assert ep.parse().data.id == "openai/gpt-4o"
    assert openrouter_client.models.with_raw_response.count().parse().data.count > 0


def test_with_raw_response_async(openrouter_emulator: Emulator) -> None:
    async def main() -> None:
        async with _client(openrouter_emulator) as client:
            raw = await client.models.with_raw_response.count_async()
            assert raw.status_code == 200 and raw.parse().data.count > 0
            sent = await client.responses.with_raw_response.send_async(
                model="openai/gpt-4o", input="x"
            )
            assert sent.parse().generation_id == sent.generation_id
            # Concurrent calls each see their own response.
            a, b = await asyncio.gather(
                client.credits.with_raw_response.get_credits_async(),
                client.api_keys.with_raw_response.get_current_key_metadata_async(),
            )
            assert a.http_response.url.path.endswith("/credits")
            assert b.http_response.url.path.endswith("/key")

    asyncio.run(main())


def test_with_raw_response_errors_raise_as_usual(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_emulator.enqueue_for("GET /credits", Fault.status(401))
    with pytest.raises(errors.UnauthorizedResponseError):
        openrouter_client.credits.with_raw_response.get_credits()


# -- typed filters and the cost estimate ----------------------------------------------------------


def test_filter_by_capability_price_and_context(openrouter_client: OpenRouter) -> None:
    res = openrouter_client.models.list()
    tools = res.filter(supports=["tools"])
    assert tools and all("tools" in m.supported_parameters for m in tools)
    assert "deepseek/deepseek-r1" not in {m.id for m in tools}
    structured = {m.id for m in res.filter(supports=["structured_outputs", "image_input"])}
    assert {"openai/gpt-4o", "openai/gpt-4o-mini", "google/gemini-2.5-flash"} <= structured
    assert "anthropic/claude-sonnet-4" not in structured
    reasoning_cheap = res.filter(supports=["reasoning"], max_input_price=0.5)
    assert {m.id for m in reasoning_cheap} == {"google/gemini-2.5-flash", "deepseek/deepseek-r1"}
    long = res.filter(min_context_length=500_000)
    assert {m.id for m in long} == {"google/gemini-2.5-flash", "openrouter/echo"}
    cheap_output = res.filter(max_output_price=1.0)
    assert {m.id for m in cheap_output} == {
        "openai/gpt-4o-mini",
        "meta-llama/llama-3.3-70b-instruct",
    }
    assert [m.id for m in res.filter(search="LLAMA")] == ["meta-llama/llama-3.3-70b-instruct"]
    with pytest.raises(ValueError, match="unknown capability"):
        res.filter(supports=["telepathy"])  # type: ignore[list-item]


def test_estimate_cost() -> None:
    pricing = components.PublicPricing(
        prompt="0.000003",
        completion="0.000015",
        input_cache_read="0.0000003",
        internal_reasoning="0.00001",
        request="0.001",
    )
    assert pricing.estimate_cost(1000, 500) == pytest.approx(0.003 + 0.0075 + 0.001)
    with_cache = pricing.estimate_cost(1000, 500, cached_tokens=400, reasoning_tokens=100)
    expected = 600 * 3e-6 + 400 * 3e-7 + 400 * 1.5e-5 + 100 * 1e-5 + 0.001
    assert with_cache == pytest.approx(expected)
    router = components.PublicPricing(prompt="-1", completion="-1")
    assert router.estimate_cost(10, 10) is None
    assert router.input_per_million is None
    model = components.Model(id="x/y", pricing=components.PublicPricing(prompt="0", completion="0"))
    assert model.estimate_cost(10**6, 10**6) == 0.0
    assert model.matches(max_input_price=0.0)
    assert not components.Model(id="r", pricing=router).matches(max_input_price=100)


# -- the emulator's side ---------------------------------------------------------------------------


def test_emulator_catalogue_routes_need_no_key(openrouter_emulator: Emulator) -> None:
    base = openrouter_emulator.url
    assert httpx.get(f"{base}/models").status_code == 200
    assert httpx.get(f"{base}/models/openai/gpt-4o/endpoints").status_code == 200
    assert httpx.get(f"{base}/models/nobody/nothing/endpoints").status_code == 404
    assert httpx.get(f"{base}/credits").status_code == 401
    assert httpx.get(f"{base}/generation?id=x").status_code == 401
    bad = httpx.get(f"{base}/models?limit=zero")
    assert bad.status_code == 400 and "limit" in bad.json()["error"]["message"]


def test_enqueue_for_checks_the_route(openrouter_emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown route"):
        openrouter_emulator.enqueue_for("GET /nothing", Fault.status(500))
    openrouter_emulator.enqueue_for("get models", Fault.status(500))  # method case, slashes
    assert openrouter_emulator.pending == 1
    openrouter_emulator.reset()
    assert openrouter_emulator.pending == 0


def test_enqueue_for_stall_then_normal_answer(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue_for("GET /models/count", Fault.stall(0.05))
    with _client(openrouter_emulator) as client:
        assert client.models.count().data.count > 0


def test_emulator_modules_never_import_the_client() -> None:
    root = Path(__file__).resolve().parents[1] / "src" / "openrouter" / "testing"
    for name in ("_catalog.py", "_ledger.py", "_emulator.py", "_sources.py"):
        tree = ast.parse((root / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.startswith("openrouter.testing") or not node.module.startswith(
                    "openrouter"
                ), f"{name} imports {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("openrouter"), f"{name} imports {alias.name}"
