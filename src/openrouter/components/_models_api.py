"""Typed results of the model catalogue and generation endpoints (``GET /models``,
``/models/count``, ``/models/{author}/{slug}/endpoints``, ``/generation``).

Names and fields follow ``components.schemas`` of OpenRouter's OpenAPI description. Values the
service grows without notice (modalities, parameter names, provider names, quantizations) are
plain ``str``, so a new one never fails a whole list. Beyond the schema: ``Model.supports``,
``Model.estimate_cost``, ``PublicPricing``'s per-million prices and ``ModelsListResponse.filter``.
"""

import math
from collections.abc import Iterable
from typing import Literal, TypeAlias

from pydantic import Field

from openrouter._models import BaseModel

__all__ = [
    "Capability",
    "DefaultParameters",
    "GenerationResponse",
    "GenerationResponseData",
    "ListEndpointsResponse",
    "Model",
    "ModelArchitecture",
    "ModelLinks",
    "ModelReasoning",
    "ModelsCountResponse",
    "ModelsCountResponseData",
    "ModelsListResponse",
    "ModelsListResponseLinks",
    "PerRequestLimits",
    "PercentileStats",
    "PricingOverride",
    "ProviderResponse",
    "PublicEndpoint",
    "PublicPricing",
    "TopProviderInfo",
]

Capability: TypeAlias = Literal[
    "tools",
    "structured_outputs",
    "reasoning",
    "image_input",
    "file_input",
    "audio_input",
    "image_output",
]
"""What ``Model.supports`` and ``ModelsListResponse.filter(supports=...)`` check."""

# Capability -> (where to look, what must be there). ``supported_parameters`` holds request
# parameter names; the modalities live in ``architecture``.
_CAPABILITIES: dict[str, tuple[str, str]] = {
    "tools": ("parameters", "tools"),
    "structured_outputs": ("parameters", "structured_outputs"),
    "reasoning": ("parameters", "reasoning"),
    "image_input": ("input", "image"),
    "file_input": ("input", "file"),
    "audio_input": ("input", "audio"),
    "image_output": ("output", "image"),
}

_MILLION = 1_000_000


def _price(value: str | None) -> float | None:
    """A per-token price string as a float; ``None`` when absent or variable (negative,
    as routers such as ``openrouter/auto`` report it)."""
    if value is None:
        return None
    try:
        price = float(value)
    except ValueError:
        return None
    return price if price >= 0 and math.isfinite(price) else None


class PricingOverride(BaseModel):
    prompt: str | None = None
    completion: str | None = None
    audio: str | None = None
    input_audio_cache: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None
    input_cache_write_1h: str | None = None
    min_prompt_tokens: float | None = None
    utc_start: float | None = None
    utc_end: float | None = None


class PublicPricing(BaseModel):
    """Prices in USD as decimal strings: per token (``prompt``, ``completion``,
    ``input_cache_read``, ...), per image, per request or per web search."""

    prompt: str
    completion: str
    request: str | None = None
    image: str | None = None
    image_token: str | None = None
    image_output: str | None = None
    audio: str | None = None
    audio_output: str | None = None
    input_audio_cache: str | None = None
    web_search: str | None = None
    internal_reasoning: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None
    input_cache_write_1h: str | None = None
    discount: float | None = None
    overrides: list[PricingOverride] | None = None

    @property
    def input_per_million(self) -> float | None:
        """USD per million input (prompt) tokens; ``None`` when the price varies."""
        price = _price(self.prompt)
        return None if price is None else price * _MILLION

    @property
    def output_per_million(self) -> float | None:
        """USD per million output (completion) tokens; ``None`` when the price varies."""
        price = _price(self.completion)
        return None if price is None else price * _MILLION

    def estimate_cost(
        self,
        input_tokens: int = 0,
        output_tokens: int = 0,
        *,
        cached_tokens: int = 0,
        reasoning_tokens: int = 0,
        requests: int = 1,
    ) -> float | None:
        """The USD cost of a request of this size, before sending it; ``None`` when the
        prices vary (routers).

        ``cached_tokens`` are the part of ``input_tokens`` read from the prompt cache (priced
        at ``input_cache_read`` when listed); ``reasoning_tokens`` the part of
        ``output_tokens`` spent reasoning (at ``internal_reasoning`` when listed). Images,
        audio and web search are not counted.
        """
        prompt = _price(self.prompt)
        completion = _price(self.completion)
        if prompt is None or completion is None:
            return None
        cache_read = _price(self.input_cache_read)
        reasoning = _price(self.internal_reasoning)
        cached = min(cached_tokens, input_tokens) if cache_read is not None else 0
        thought = min(reasoning_tokens, output_tokens) if reasoning is not None else 0
        cost = (input_tokens - cached) * prompt + (output_tokens - thought) * completion
        cost += cached * (cache_read or 0.0) + thought * (reasoning or 0.0)
        cost += requests * (_price(self.request) or 0.0)
        return cost


class ModelArchitecture(BaseModel):
    """``input_modalities`` (text, image, file, audio, video) and ``output_modalities``."""

    modality: str | None = None
    input_modalities: list[str] = []
    output_modalities: list[str] = []
    tokenizer: str | None = None
    instruct_type: str | None = None


class TopProviderInfo(BaseModel):
    is_moderated: bool | None = None
    context_length: int | None = None
    max_completion_tokens: int | None = None


class PerRequestLimits(BaseModel):
    prompt_tokens: float
    completion_tokens: float


class DefaultParameters(BaseModel):
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    repetition_penalty: float | None = None


class ModelLinks(BaseModel):
    details: str | None = None


class ModelReasoning(BaseModel):
    mandatory: bool | None = None
    default_enabled: bool | None = None
    default_effort: str | None = None
    supported_efforts: list[str | None] | None = None
    supports_max_tokens: bool | None = None


class Model(BaseModel):
    """One model of the catalogue: ``id`` (what ``model=`` takes), ``pricing``,
    ``context_length``, ``architecture`` and ``supported_parameters``."""

    id: str
    name: str = ""
    canonical_slug: str | None = None
    created: int | None = None
    description: str | None = None
    context_length: int | None = None
    pricing: PublicPricing
    architecture: ModelArchitecture = Field(default_factory=ModelArchitecture)
    top_provider: TopProviderInfo | None = None
    per_request_limits: PerRequestLimits | None = None
    supported_parameters: list[str] = []
    default_parameters: DefaultParameters | None = None
    supported_voices: list[str] | None = None
    hugging_face_id: str | None = None
    knowledge_cutoff: str | None = None
    expiration_date: str | None = None
    reasoning: ModelReasoning | None = None
    links: ModelLinks | None = None

    def supports(self, *capabilities: Capability) -> bool:
        """Whether the model has every one of ``capabilities`` (``"tools"``,
        ``"structured_outputs"``, ``"reasoning"``, ``"image_input"``, ...)."""
        for capability in capabilities:
            try:
                where, name = _CAPABILITIES[capability]
            except KeyError:
                known = ", ".join(_CAPABILITIES)
                raise ValueError(f"unknown capability {capability!r}; known: {known}") from None
            if where == "parameters":
                values = self.supported_parameters
            elif where == "input":
                values = self.architecture.input_modalities
            else:
                values = self.architecture.output_modalities
            if name not in values:
                return False
        return True

    def estimate_cost(
        self,
        input_tokens: int = 0,
        output_tokens: int = 0,
        *,
        cached_tokens: int = 0,
        reasoning_tokens: int = 0,
    ) -> float | None:
        """``pricing.estimate_cost`` for one request: its USD cost before sending it."""
        return self.pricing.estimate_cost(
            input_tokens,
            output_tokens,
            cached_tokens=cached_tokens,
            reasoning_tokens=reasoning_tokens,
        )

    def matches(
        self,
        *,
        supports: Iterable[Capability] = (),
        min_context_length: int | None = None,
        max_input_price: float | None = None,
        max_output_price: float | None = None,
        search: str | None = None,
    ) -> bool:
        """The test ``ModelsListResponse.filter`` applies; prices are USD per million tokens
        (a model whose price varies never passes a price bound)."""
        if not self.supports(*supports):
            return False
        if min_context_length is not None and (self.context_length or 0) < min_context_length:
            return False
        for bound, price in (
            (max_input_price, self.pricing.input_per_million),
            (max_output_price, self.pricing.output_per_million),
        ):
            if bound is not None and (price is None or price > bound):
                return False
        if search:
            needle = search.lower()
            return needle in self.id.lower() or needle in self.name.lower()
        return True


class ModelsListResponseLinks(BaseModel):
    next: str | None = None


class ModelsListResponse(BaseModel):
    """What ``models.list`` returns: ``data``, the models."""

    data: list[Model]
    total_count: int | None = None
    links: ModelsListResponseLinks | None = None

    def filter(
        self,
        *,
        supports: Iterable[Capability] = (),
        min_context_length: int | None = None,
        max_input_price: float | None = None,
        max_output_price: float | None = None,
        search: str | None = None,
    ) -> list[Model]:
        """The models with every capability in ``supports``, at least
        ``min_context_length`` tokens of context, prices (USD per million tokens) at most
        the bounds given, and ``search`` in their id or name (case-insensitive)."""
        wanted = tuple(supports)
        return [
            model
            for model in self.data
            if model.matches(
                supports=wanted,
                min_context_length=min_context_length,
                max_input_price=max_input_price,
                max_output_price=max_output_price,
                search=search,
            )
        ]

    def get(self, model_id: str) -> Model | None:
        """The model whose ``id`` (or ``canonical_slug``) is ``model_id``, if listed."""
        for model in self.data:
            if model_id in (model.id, model.canonical_slug):
                return model
        return None


class ModelsCountResponseData(BaseModel):
    count: int


class ModelsCountResponse(BaseModel):
    """What ``models.count`` returns: ``data.count``."""

    data: ModelsCountResponseData


class PercentileStats(BaseModel):
    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    p99: float | None = None


class PublicEndpoint(BaseModel):
    """One provider serving a model: its prices, limits, parameters and recent health."""

    name: str
    model_id: str | None = None
    model_name: str | None = None
    provider_name: str
    tag: str | None = None
    context_length: int | None = None
    max_completion_tokens: int | None = None
    max_prompt_tokens: int | None = None
    pricing: PublicPricing
    quantization: str | None = None
    status: int | None = None
    supported_parameters: list[str] = []
    supports_implicit_caching: bool | None = None
    supports_voice_cloning: bool | None = None
    uptime_last_5m: float | None = None
    uptime_last_30m: float | None = None
    uptime_last_1d: float | None = None
    latency_last_30m: PercentileStats | None = None
    throughput_last_30m: PercentileStats | None = None


class ListEndpointsResponse(BaseModel):
    """A model and the ``endpoints`` (providers) serving it."""

    id: str
    name: str = ""
    created: int | None = None
    description: str | None = None
    architecture: ModelArchitecture = Field(default_factory=ModelArchitecture)
    endpoints: list[PublicEndpoint] = []


class ProviderResponse(BaseModel):
    status: int | None = None
    id: str | None = None
    endpoint_id: str | None = None
    model_permaslug: str | None = None
    provider_name: str | None = None
    latency: float | None = None
    is_byok: bool | None = None
    routed_service_tier: str | None = None


class GenerationResponseData(BaseModel):
    """The record of one generation: ``total_cost`` (USD), tokens, ``provider_name``,
    ``latency`` and ``generation_time`` (ms)."""

    id: str
    model: str = ""
    total_cost: float = 0.0
    usage: float | None = None
    created_at: str | None = None
    provider_name: str | None = None
    upstream_id: str | None = None
    upstream_inference_cost: float | None = None
    cache_discount: float | None = None
    is_byok: bool | None = None
    streamed: bool | None = None
    cancelled: bool | None = None
    latency: float | None = None
    moderation_latency: float | None = None
    generation_time: float | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    service_tier: str | None = None
    tokens_prompt: int | None = None
    tokens_completion: int | None = None
    native_tokens_prompt: int | None = None
    native_tokens_completion: int | None = None
    native_tokens_completion_images: int | None = None
    native_tokens_reasoning: int | None = None
    native_tokens_cached: int | None = None
    num_media_prompt: int | None = None
    num_input_audio_prompt: int | None = None
    num_media_completion: int | None = None
    num_search_results: int | None = None
    num_fetches: int | None = None
    web_search_engine: str | None = None
    origin: str | None = None
    app_id: int | None = None
    api_type: str | None = None
    preset_id: str | None = None
    router: str | None = None
    provider_responses: list[ProviderResponse] | None = None
    user_agent: str | None = None
    http_referer: str | None = None
    external_user: str | None = None
    session_id: str | None = None
    request_id: str | None = None
    response_cache_source_id: str | None = None
    data_region: str | None = None
    workspace_id: str | None = None


class GenerationResponse(BaseModel):
    """What ``generations.get_generation`` returns: ``data``, the generation's record."""

    data: GenerationResponseData
