"""The emulator's model catalogue: ``GET /models``, ``/models/count`` and
``/models/{author}/{slug}/endpoints``, shaped as the service's (``ModelsListResponse``,
``ModelsCountResponse``, ``ListEndpointsResponse``).

A few well-known models with plausible prices, context lengths, parameters and providers, plus
the emulator's own ``openrouter/echo``. Whatever model a request names, the echo model answers;
the catalogue only decides the price (``usage.cost``) and the provider in generation records.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openrouter.testing._routes import Call

__all__ = ["CATALOGUE", "Catalog", "CatalogModel", "model_prices"]

# Per-token USD prices for a model the catalogue does not list: the echo model's.
DEFAULT_PRICES = (0.000001, 0.000002)

_SAMPLING = ["max_tokens", "temperature", "top_p", "stop", "seed"]
_PENALTIES = ["frequency_penalty", "presence_penalty"]
_TOOLS = ["tools", "tool_choice", "parallel_tool_calls"]
_JSON = ["response_format", "structured_outputs"]
_REASONING = ["reasoning", "include_reasoning"]


@dataclass(frozen=True)
class CatalogModel:
    """One model as the emulator lists it; prices are USD per token."""

    id: str
    name: str
    created: int
    context_length: int
    max_completion_tokens: int
    prompt: float
    completion: float
    parameters: Sequence[str]
    providers: Sequence[str]
    input_modalities: Sequence[str] = ("text",)
    output_modalities: Sequence[str] = ("text",)
    tokenizer: str = "Other"
    cache_read: float | None = None
    categories: Sequence[str] = ()
    description: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def pricing(self) -> dict[str, str]:
        prices = {"prompt": _money(self.prompt), "completion": _money(self.completion)}
        prices.update(request="0", image="0", web_search="0", internal_reasoning="0")
        if self.cache_read is not None:
            prices["input_cache_read"] = _money(self.cache_read)
        return prices

    def architecture(self) -> dict[str, Any]:
        modality = f"{'+'.join(self.input_modalities)}->{'+'.join(self.output_modalities)}"
        return {
            "modality": modality,
            "input_modalities": list(self.input_modalities),
            "output_modalities": list(self.output_modalities),
            "tokenizer": self.tokenizer,
            "instruct_type": None,
        }

    def as_model(self) -> dict[str, Any]:
        """The ``Model`` object of ``GET /models``."""
        author, slug = self.id.split("/", 1)
        return {
            "id": self.id,
            "canonical_slug": self.id,
            "hugging_face_id": None,
            "name": self.name,
            "created": self.created,
            "description": self.description or f"{self.name}, as served by the emulator.",
            "context_length": self.context_length,
            "architecture": self.architecture(),
            "pricing": self.pricing(),
            "top_provider": {
                "context_length": self.context_length,
                "max_completion_tokens": self.max_completion_tokens,
                "is_moderated": self.id.startswith("openai/"),
            },
            "per_request_limits": None,
            "supported_parameters": list(self.parameters),
            "default_parameters": None,
            "supported_voices": None,
            "knowledge_cutoff": None,
            "expiration_date": None,
            "links": {"details": f"/api/v1/models/{author}/{slug}/endpoints"},
            **self.extra,
        }

    def as_endpoints(self) -> dict[str, Any]:
        """The ``data`` of ``GET /models/{author}/{slug}/endpoints``."""
        endpoints = []
        for index, provider in enumerate(self.providers):
            endpoints.append(
                {
                    "name": f"{provider} | {self.id}",
                    "model_id": self.id,
                    "model_name": self.name,
                    "provider_name": provider,
                    "tag": provider.lower().replace(" ", "-"),
                    "context_length": self.context_length,
                    "max_completion_tokens": self.max_completion_tokens,
                    "max_prompt_tokens": None,
                    "pricing": self.pricing(),
                    "quantization": "fp8" if index else "unknown",
                    "status": 0,
                    "supported_parameters": list(self.parameters),
                    "supports_implicit_caching": self.cache_read is not None,
                    "uptime_last_5m": 100.0,
                    "uptime_last_30m": 99.9 - index,
                    "uptime_last_1d": 99.8 - index,
                    "latency_last_30m": {"p50": 0.4, "p75": 0.6, "p90": 0.9, "p99": 1.8},
                    "throughput_last_30m": {"p50": 80.0, "p75": 65.0, "p90": 50.0, "p99": 30.0},
                }
            )
        return {
            "id": self.id,
            "name": self.name,
            "created": self.created,
            "description": self.description or f"{self.name}, as served by the emulator.",
            "architecture": self.architecture(),
            "endpoints": endpoints,
        }


def _money(value: float) -> str:
    # The service writes prices as plain decimals ("0.0000025"), never in exponent form.
    return f"{value:.10f}".rstrip("0").rstrip(".") or "0"


CATALOGUE: tuple[CatalogModel, ...] = (
    CatalogModel(
        "openai/gpt-4o", "OpenAI: GPT-4o", 1715367049, 128_000, 16_384, 0.0000025, 0.00001,
        [*_SAMPLING, *_PENALTIES, *_TOOLS, *_JSON, "logprobs", "top_logprobs", "logit_bias"],
        ["OpenAI", "Azure"], ("text", "image", "file"), tokenizer="GPT", cache_read=0.00000125,
        categories=("programming", "technology"),
    ),
    CatalogModel(
        "openai/gpt-4o-mini", "OpenAI: GPT-4o-mini", 1721260800, 128_000, 16_384,
        0.00000015, 0.0000006,
        [*_SAMPLING, *_PENALTIES, *_TOOLS, *_JSON, "logprobs", "top_logprobs", "logit_bias"],
        ["OpenAI", "Azure"], ("text", "image", "file"), tokenizer="GPT",
        cache_read=0.000000075, categories=("programming", "marketing"),
    ),
    CatalogModel(
        "anthropic/claude-sonnet-4", "Anthropic: Claude Sonnet 4", 1747930371, 200_000, 64_000,
        0.000003, 0.000015, [*_SAMPLING[:4], "top_k", *_TOOLS[:2], *_REASONING],
        ["Anthropic", "Amazon Bedrock", "Google"], ("text", "image", "file"),
        tokenizer="Claude", cache_read=0.0000003, categories=("programming", "legal"),
    ),
    CatalogModel(
        "google/gemini-2.5-flash", "Google: Gemini 2.5 Flash", 1750172488, 1_048_576, 65_535,
        0.0000003, 0.0000025, [*_SAMPLING, "top_k", *_TOOLS[:2], *_JSON, *_REASONING],
        ["Google AI Studio", "Google"], ("text", "image", "file", "audio", "video"),
        tokenizer="Gemini", cache_read=0.000000075, categories=("science", "translation"),
    ),
    CatalogModel(
        "google/gemini-2.5-flash-image", "Google: Gemini 2.5 Flash Image", 1756218977,
        32_768, 8_192, 0.0000003, 0.0000025, [*_SAMPLING, *_JSON],
        ["Google AI Studio"], ("text", "image"), ("text", "image"), tokenizer="Gemini",
    ),
    CatalogModel(
        "deepseek/deepseek-r1", "DeepSeek: R1", 1737381095, 163_840, 163_840,
        0.0000004, 0.000002, [*_SAMPLING, *_PENALTIES, "top_k", *_REASONING],
        ["DeepInfra", "Together"], tokenizer="DeepSeek", categories=("science", "academia"),
    ),
    CatalogModel(
        "meta-llama/llama-3.3-70b-instruct", "Meta: Llama 3.3 70B Instruct", 1733506137,
        131_072, 16_384, 0.00000013, 0.0000004,
        [*_SAMPLING, *_PENALTIES, "top_k", *_TOOLS[:2], "response_format"],
        ["DeepInfra", "Groq"], tokenizer="Llama3", categories=("roleplay", "trivia"),
    ),
    CatalogModel(
        "openrouter/echo", "Emulator: Echo", 1767225600, 1_000_000, 100_000,
        *DEFAULT_PRICES, [*_SAMPLING, *_PENALTIES, *_TOOLS, *_JSON, *_REASONING],
        ["Emulator"], ("text", "image", "file", "audio"), tokenizer="Router",
        description="The emulator's own model: answers with the last user message.",
    ),
)  # fmt: skip

_BY_ID = {model.id: model for model in CATALOGUE}


def find_model(model_id: str) -> CatalogModel | None:
    """The catalogue entry for ``model_id`` (a ``:variant`` suffix is ignored)."""
    return _BY_ID.get(model_id) or _BY_ID.get(model_id.split(":", 1)[0])


def model_prices(model_id: str) -> tuple[float, float]:
    """Per-token (input, output) USD prices for ``model_id``."""
    model = find_model(model_id)
    return (model.prompt, model.completion) if model is not None else DEFAULT_PRICES


def model_provider(model_id: str) -> str:
    model = find_model(model_id)
    return model.providers[0] if model is not None else "Emulator"


# -- the handlers -------------------------------------------------------------------------------


def _query(call: Call) -> dict[str, str]:
    raw = call.exchange.path.partition("?")[2]
    return {k: v[-1] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def _send_json(call: Call, body: Any) -> None:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    call.exchange.send(200, data, "application/json")


class _BadQuery(ValueError):
    pass


def _number(query: Mapping[str, str], name: str, minimum: float = 0) -> float | None:
    value = query.get(name)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise _BadQuery(f"{name} must be a number, got {value!r}") from None
    if number < minimum:
        raise _BadQuery(f"{name} must be >= {minimum:g}, got {value}")
    return number


def _selected(models: Sequence[CatalogModel], query: Mapping[str, str]) -> list[CatalogModel]:
    """The models ``query`` asks for, with the service's filter semantics."""
    outputs = _csv(query.get("output_modalities")) or ["text"]
    inputs = _csv(query.get("input_modalities"))
    params = _csv(query.get("supported_parameters"))
    authors = _csv(query.get("model_authors"))
    providers = _csv(query.get("providers"))
    category = query.get("category")
    search = (query.get("q") or "").lower()
    context = _number(query, "context", 1)
    bounds = [
        (_number(query, "min_price"), _number(query, "max_price"), "prompt"),
        (_number(query, "min_output_price"), _number(query, "max_output_price"), "completion"),
    ]
    chosen: list[CatalogModel] = []
    for model in models:
        if "all" not in outputs and not any(m in model.output_modalities for m in outputs):
            continue
        if any(m not in model.input_modalities for m in inputs):
            continue
        if any(p not in model.parameters for p in params):
            continue
        if authors and model.id.split("/", 1)[0] not in authors:
            continue
        if providers and not any(p in model.providers for p in providers):
            continue
        if category and category not in model.categories:
            continue
        if search and search not in model.id.lower() and search not in model.name.lower():
            continue
        if context is not None and model.context_length < context:
            continue
        if not all(
            (low is None or getattr(model, kind) * 1e6 >= low)
            and (high is None or getattr(model, kind) * 1e6 <= high)
            for low, high, kind in bounds
        ):
            continue
        chosen.append(model)
    return _sorted(chosen, query.get("sort"))


def _sorted(models: list[CatalogModel], sort: str | None) -> list[CatalogModel]:
    if sort == "pricing-low-to-high":
        return sorted(models, key=lambda m: m.prompt + m.completion)
    if sort == "pricing-high-to-low":
        return sorted(models, key=lambda m: -(m.prompt + m.completion))
    if sort == "context-high-to-low":
        return sorted(models, key=lambda m: -m.context_length)
    if sort == "newest":
        return sorted(models, key=lambda m: -m.created)
    return models


class Catalog:
    """The catalogue routes of one emulator."""

    def __init__(self, models: Sequence[CatalogModel] = CATALOGUE) -> None:
        self.models = tuple(models)

    def list_models(self, call: Call) -> None:
        query = _query(call)
        try:
            chosen = _selected(self.models, query)
            offset = int(_number(query, "offset") or 0)
            limit_value = _number(query, "limit", 1)
        except _BadQuery as exc:
            call.error(400, str(exc))
            return
        total = len(chosen)
        page = chosen
        next_link = None
        if limit_value is not None or offset:
            limit = int(limit_value or 500)
            page = chosen[offset : offset + limit]
            if offset + limit < total:
                next_link = f"/api/v1/models?offset={offset + limit}&limit={limit}"
        body = {
            "data": [m.as_model() for m in page],
            "total_count": total,
            "links": {"next": next_link},
        }
        _send_json(call, body)

    def count_models(self, call: Call) -> None:
        outputs = _query(call).get("output_modalities")
        chosen = _selected(self.models, {"output_modalities": outputs} if outputs else {})
        _send_json(call, {"data": {"count": len(chosen)}})

    def list_endpoints(self, call: Call) -> None:
        author = urllib.parse.unquote(call.params["author"])
        slug = urllib.parse.unquote(call.params["slug"])
        model = find_model(f"{author}/{slug}")
        if model is None:
            call.error(404, f"Model {author}/{slug} not found")
            return
        _send_json(call, {"data": model.as_endpoints()})
