"""Request-side components: the typed values ``send(...)`` accepts (plain dicts work too).

Names follow ``components.schemas`` of OpenRouter's OpenAPI file. Every model keeps unknown
fields, so a field the SDK does not know yet can still be passed.
"""

from collections.abc import Sequence
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Field

from openrouter._models import BaseModel
from openrouter.components._config import ReasoningFormat, ToolCallStatus
from openrouter.components._shared import (
    InputContentPart,
    InputFile,
    InputImage,
    InputText,
    RequestModel,
    tagged_union,
)

# --- Enum-like values -------------------------------------------------------------------------

MetadataLevel: TypeAlias = Literal["disabled", "enabled"]
ResponseIncludesEnum: TypeAlias = Literal[
    "file_search_call.results",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "reasoning.encrypted_content",
    "code_interpreter_call.outputs",
]
OutputModalityEnum: TypeAlias = Literal["text", "image"]
ResponsesRequestServiceTier: TypeAlias = Literal[
    "auto", "default", "fast", "flex", "priority", "scale"
]
OpenAIResponsesTruncation: TypeAlias = Literal["auto", "disabled"]
DeprecatedRoute: TypeAlias = Literal["fallback", "sort"]
AnthropicCacheControlTtl: TypeAlias = Literal["5m", "1h"]
Quantization: TypeAlias = Literal[
    "int4", "int8", "fp4", "mxfp4", "nvfp4", "fp6", "fp8", "mxfp8", "fp16", "bf16", "fp32",
    "unknown",
]  # fmt: skip
ProviderSort: TypeAlias = Literal["price", "throughput", "latency", "exacto"]
DataCollection: TypeAlias = Literal["deny", "allow"]
ProviderName: TypeAlias = Literal[
    "Modal", "AkashML", "AI21", "AionLabs", "Alibaba", "Ambient", "Baidu", "Amazon Bedrock",
    "Amazon Nova", "Anthropic", "Arcee AI", "AtlasCloud", "Avian", "Azure", "BaseTen", "BytePlus",
    "Black Forest Labs", "Cerebras", "Chutes", "Cirrascale", "Claude Platform on AWS", "Clarifai",
    "Cloudflare", "Cohere", "CoreWeave", "Crucible", "Crusoe", "Darkbloom", "Databricks",
    "Decart", "Deepgram", "DeepInfra", "DeepSeek", "DekaLLM", "DigitalOcean", "Featherless",
    "Fireworks", "Fish Audio", "Friendli", "GMICloud", "Google", "Google AI Studio", "Groq",
    "HeyGen", "Inception", "Inceptron", "InferenceNet", "Ionstream", "Infermatic", "Io Net",
    "Inferact vLLM", "Inflection", "Liquid", "Makora", "Mara", "Mancer 2", "Meta", "Minimax",
    "ModelRun", "Mistral", "Modular", "Moonshot AI", "Morph", "VoyageAI by MongoDB", "NCompass",
    "Nebius", "Nex AGI", "NextBit", "Novita", "Nvidia", "OpenAI", "OpenInference", "Parasail",
    "Poolside", "Perceptron", "Perplexity", "Phala", "Recraft", "Reka", "Relace",
    "Sail Research", "Sakana AI", "SambaNova", "Seed", "SiliconFlow", "Sourceful", "StepFun",
    "Stealth", "StreamLake", "Switchpoint", "Tencent", "Tenstorrent", "Thinking Machines",
    "Together", "Upstage", "Venice", "Wafer", "WandB", "Quiver", "Krea", "Runway", "Xiaomi",
    "xAI", "Z.AI", "FakeProvider",
]  # fmt: skip

ImageConfig: TypeAlias = str | float | list[Any]
"""One value of ``image_config`` (a dict of provider-specific options, e.g. ``aspect_ratio``)."""


# --- Small configuration objects --------------------------------------------------------------


class AnthropicCacheControlDirective(RequestModel):
    """Automatic prompt caching (Anthropic models): ``{"type": "ephemeral"}``."""

    type: Literal["ephemeral"] = "ephemeral"
    ttl: AnthropicCacheControlTtl | None = None


class TraceConfig(RequestModel):
    """Observability metadata; keys beyond the known ones are passed through."""

    _always_sent = ()

    trace_id: str | None = None
    trace_name: str | None = None
    span_name: str | None = None
    generation_name: str | None = None
    parent_span_id: str | None = None


class PromptCacheOptions(RequestModel):
    """Request-level prompt-cache controls (OpenAI GPT-5.6 and newer)."""

    _always_sent = ("mode",)

    mode: Literal["explicit"] = "explicit"
    ttl: str | None = None


class ChatDebugOptions(RequestModel):
    _always_sent = ()

    echo_upstream_body: bool | None = None


# --- Provider preferences ---------------------------------------------------------------------


class MaxPrice(RequestModel):
    """Maximum USD prices (per million tokens for prompt/completion)."""

    _always_sent = ()

    prompt: str | float | None = None
    completion: str | float | None = None
    image: str | float | None = None
    audio: str | float | None = None
    request: str | float | None = None


class PercentileLatencyCutoffs(RequestModel):
    _always_sent = ()

    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    p99: float | None = None


class PercentileThroughputCutoffs(RequestModel):
    _always_sent = ()

    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    p99: float | None = None


class ProviderSortConfig(RequestModel):
    _always_sent = ()

    by: ProviderSort | None = None
    partition: Literal["model", "none"] | None = None


class ProviderPreferences(RequestModel):
    """Provider routing preferences (``provider`` in the request)."""

    _always_sent = ()

    allow_fallbacks: bool | None = None
    require_parameters: bool | None = None
    data_collection: DataCollection | None = None
    zdr: bool | None = None
    enforce_distillable_text: bool | None = None
    order: list[ProviderName | str] | None = None
    only: list[ProviderName | str] | None = None
    ignore: list[ProviderName | str] | None = None
    quantizations: list[Quantization] | None = None
    sort: ProviderSort | ProviderSortConfig | None = None
    max_price: MaxPrice | None = None
    preferred_min_throughput: float | PercentileThroughputCutoffs | None = None
    preferred_max_latency: float | PercentileLatencyCutoffs | None = None


# --- Stop conditions for the server-tool loop -------------------------------------------------


class StopServerToolsWhenStepCountIs(RequestModel):
    type: Literal["step_count_is"] = "step_count_is"
    step_count: int


class StopServerToolsWhenHasToolCall(RequestModel):
    type: Literal["has_tool_call"] = "has_tool_call"
    tool_name: str


class StopServerToolsWhenMaxTokensUsed(RequestModel):
    type: Literal["max_tokens_used"] = "max_tokens_used"
    max_tokens: int


class StopServerToolsWhenMaxCost(RequestModel):
    type: Literal["max_cost"] = "max_cost"
    max_cost_in_dollars: float


class StopServerToolsWhenFinishReasonIs(RequestModel):
    type: Literal["finish_reason_is"] = "finish_reason_is"
    reason: str


StopServerToolsWhenCondition: TypeAlias = Annotated[
    StopServerToolsWhenStepCountIs
    | StopServerToolsWhenHasToolCall
    | StopServerToolsWhenMaxTokensUsed
    | StopServerToolsWhenMaxCost
    | StopServerToolsWhenFinishReasonIs,
    Field(discriminator="type"),
]


# --- Plugins (discriminated by ``id``) --------------------------------------------------------


class _Plugin(RequestModel):
    _always_sent = ("id",)


class AutoRouterPlugin(_Plugin):
    id: Literal["auto-router"] = "auto-router"
    enabled: bool | None = None
    allowed_models: list[str] | None = None
    excluded_models: list[str] | None = None
    cost_quality_tradeoff: int | None = None
    cost_tier: Literal["low", "medium", "high", "xhigh", "max"] | None = None
    pin_model: bool | None = None


class AutoBetaRouterPlugin(_Plugin):
    id: Literal["auto-beta-router"] = "auto-beta-router"
    enabled: bool | None = None
    allowed_models: list[str] | None = None
    excluded_models: list[str] | None = None
    cost_quality_tradeoff: int | None = None
    cost_tier: Literal["low", "medium", "high", "xhigh", "max"] | None = None


class ModerationPlugin(_Plugin):
    id: Literal["moderation"] = "moderation"


class WebSearchUserLocation(RequestModel):
    type: Literal["approximate"] = "approximate"
    city: str | None = None
    country: str | None = None
    region: str | None = None
    timezone: str | None = None


class WebSearchPlugin(_Plugin):
    """Web search for any model (``{"id": "web"}``)."""

    id: Literal["web"] = "web"
    enabled: bool | None = None
    engine: Literal["native", "exa", "firecrawl", "parallel", "perplexity"] | None = None
    mode: str | None = None
    max_results: int | None = None
    max_uses: int | None = None
    search_prompt: str | None = None
    include_domains: list[str] | None = None
    exclude_domains: list[str] | None = None
    user_location: WebSearchUserLocation | None = None


class WebFetchPlugin(_Plugin):
    id: Literal["web-fetch"] = "web-fetch"
    allowed_domains: list[str] | None = None
    blocked_domains: list[str] | None = None
    max_content_tokens: int | None = None
    max_uses: int | None = None


class PDFParserOptions(RequestModel):
    _always_sent = ()

    engine: Literal["mistral-ocr", "native", "cloudflare-ai", "pdf-text"] | str | None = None


class FileParserPlugin(_Plugin):
    id: Literal["file-parser"] = "file-parser"
    enabled: bool | None = None
    pdf: PDFParserOptions | None = None


class ResponseHealingPlugin(_Plugin):
    """Repairs malformed JSON in structured outputs."""

    id: Literal["response-healing"] = "response-healing"
    enabled: bool | None = None


class ContextCompressionPlugin(_Plugin):
    id: Literal["context-compression"] = "context-compression"
    enabled: bool | None = None
    engine: Literal["middle-out"] | None = None


class ParetoRouterPlugin(_Plugin):
    id: Literal["pareto-router"] = "pareto-router"
    enabled: bool | None = None
    max_price: float | None = None
    min_coding_score: float | None = None
    price_source: Literal["prompt", "weighted_avg"] | None = None


class FusionPlugin(_Plugin):
    id: Literal["fusion"] = "fusion"
    enabled: bool | None = None
    model: str | None = None
    analysis_models: list[str] | None = None
    max_tool_calls: int | None = None
    preset: Literal["general-high", "general-budget", "general-fast"] | None = None
    tools: list[dict[str, Any]] | None = None


class UnknownPlugin(BaseModel):
    """Any other plugin: ``UnknownPlugin(id="new-plugin", setting=1)`` sends every field."""

    id: str


_PLUGINS: dict[str, type[BaseModel]] = {
    "auto-router": AutoRouterPlugin,
    "auto-beta-router": AutoBetaRouterPlugin,
    "moderation": ModerationPlugin,
    "web": WebSearchPlugin,
    "web-fetch": WebFetchPlugin,
    "file-parser": FileParserPlugin,
    "response-healing": ResponseHealingPlugin,
    "context-compression": ContextCompressionPlugin,
    "pareto-router": ParetoRouterPlugin,
    "fusion": FusionPlugin,
}

ResponsesRequestPlugin: TypeAlias = Annotated[
    AutoRouterPlugin
    | AutoBetaRouterPlugin
    | ModerationPlugin
    | WebSearchPlugin
    | WebFetchPlugin
    | FileParserPlugin
    | ResponseHealingPlugin
    | ContextCompressionPlugin
    | ParetoRouterPlugin
    | FusionPlugin
    | UnknownPlugin,
    tagged_union(_PLUGINS, UnknownPlugin, key="id"),
]


# --- Tools ------------------------------------------------------------------------------------


class FunctionTool(RequestModel):
    """A function the model may call; ``parameters`` is a JSON Schema object."""

    type: Literal["function"] = "function"
    name: str
    parameters: dict[str, Any] | None
    description: str | None = None
    strict: bool | None = None
    defer_loading: bool | None = None


class WebSearchDomainFilter(RequestModel):
    _always_sent = ()

    allowed_domains: list[str] | None = None
    blocked_domains: list[str] | None = None
    excluded_domains: list[str] | None = None


class _WebSearchTool(RequestModel):
    engine: Literal["native", "exa", "parallel", "firecrawl", "perplexity", "auto"] | None = None
    filters: WebSearchDomainFilter | None = None
    max_results: int | None = None
    max_uses: int | None = None
    mode: str | None = None
    search_context_size: Literal["low", "medium", "high"] | None = None
    user_location: WebSearchUserLocation | None = None


class PreviewWebSearchServerTool(_WebSearchTool):
    type: Literal["web_search_preview"] = "web_search_preview"


class Preview20250311WebSearchServerTool(_WebSearchTool):
    type: Literal["web_search_preview_2025_03_11"] = "web_search_preview_2025_03_11"


class LegacyWebSearchServerTool(_WebSearchTool):
    type: Literal["web_search"] = "web_search"


class WebSearchServerTool(_WebSearchTool):
    type: Literal["web_search_2025_08_26"] = "web_search_2025_08_26"


class FileSearchServerTool(RequestModel):
    type: Literal["file_search"] = "file_search"
    vector_store_ids: list[str]
    filters: dict[str, Any] | None = None
    max_num_results: int | None = None
    ranking_options: dict[str, Any] | None = None


class ComputerUseServerTool(RequestModel):
    type: Literal["computer_use_preview"] = "computer_use_preview"
    display_height: int
    display_width: int
    environment: Literal["windows", "mac", "linux", "ubuntu", "browser"]


class CodeInterpreterServerTool(RequestModel):
    type: Literal["code_interpreter"] = "code_interpreter"
    container: str | dict[str, Any]


class McpServerTool(RequestModel):
    type: Literal["mcp"] = "mcp"
    server_label: str
    server_url: str | None = None
    server_description: str | None = None
    connector_id: str | None = None
    authorization: str | None = None
    headers: dict[str, str] | None = None
    allowed_tools: list[str] | dict[str, Any] | None = None
    require_approval: Literal["always", "never"] | dict[str, Any] | None = None


class ImageGenerationServerTool(RequestModel):
    type: Literal["image_generation"] = "image_generation"
    model: str | None = None
    background: Literal["transparent", "opaque", "auto"] | None = None
    input_fidelity: Literal["high", "low"] | None = None
    input_image_mask: dict[str, Any] | None = None
    moderation: Literal["auto", "low"] | None = None
    output_compression: int | None = None
    output_format: Literal["png", "webp", "jpeg"] | None = None
    partial_images: int | None = None
    quality: Literal["low", "medium", "high", "auto"] | None = None
    size: str | None = None


class CodexLocalShellTool(RequestModel):
    type: Literal["local_shell"] = "local_shell"


class ShellServerTool(RequestModel):
    type: Literal["shell"] = "shell"


class ApplyPatchServerTool(RequestModel):
    type: Literal["apply_patch"] = "apply_patch"


class CustomTool(RequestModel):
    """A free-form-input tool; ``format`` is ``{"type": "text"}`` or a grammar."""

    type: Literal["custom"] = "custom"
    name: str
    description: str | None = None
    format: dict[str, Any] | None = None


class NamespaceTool(RequestModel):
    """A named group of function/custom tools (e.g. the tools of an MCP server)."""

    type: Literal["namespace"] = "namespace"
    name: str
    description: str
    tools: list[dict[str, Any] | FunctionTool | CustomTool]


class _OpenRouterServerTool(RequestModel):
    """OpenRouter's server tools (``openrouter:*``): a type and optional ``parameters``."""

    parameters: dict[str, Any] | None = None


class AdvisorServerToolOpenRouter(_OpenRouterServerTool):
    type: Literal["openrouter:advisor"] = "openrouter:advisor"


class SubagentServerToolOpenRouter(_OpenRouterServerTool):
    type: Literal["openrouter:subagent"] = "openrouter:subagent"


class DatetimeServerTool(_OpenRouterServerTool):
    type: Literal["openrouter:datetime"] = "openrouter:datetime"


class FilesServerTool(_OpenRouterServerTool):
    type: Literal["openrouter:files"] = "openrouter:files"


class FusionServerToolOpenRouter(_OpenRouterServerTool):
    type: Literal["openrouter:fusion"] = "openrouter:fusion"


class ImageGenerationServerToolOpenRouter(_OpenRouterServerTool):
    type: Literal["openrouter:image_generation"] = "openrouter:image_generation"


class SearchModelsServerToolOpenRouter(_OpenRouterServerTool):
    type: Literal["openrouter:experimental__search_models"] = (
        "openrouter:experimental__search_models"
    )


class WebFetchServerTool(_OpenRouterServerTool):
    type: Literal["openrouter:web_fetch"] = "openrouter:web_fetch"


class WebSearchServerToolOpenRouter(_OpenRouterServerTool):
    type: Literal["openrouter:web_search"] = "openrouter:web_search"


class ApplyPatchServerToolOpenRouter(_OpenRouterServerTool):
    type: Literal["openrouter:apply_patch"] = "openrouter:apply_patch"


class BashServerTool(_OpenRouterServerTool):
    type: Literal["openrouter:bash"] = "openrouter:bash"


class ShellServerToolOpenRouter(_OpenRouterServerTool):
    type: Literal["openrouter:shell"] = "openrouter:shell"


class ToolSearchServerTool(_OpenRouterServerTool):
    type: Literal["openrouter:tool_search"] = "openrouter:tool_search"


class UnknownTool(BaseModel):
    """A tool of a type this SDK does not know; every field is kept (and sent)."""

    type: str = ""


_TOOLS: dict[str, type[BaseModel]] = {
    "function": FunctionTool,
    "web_search_preview": PreviewWebSearchServerTool,
    "web_search_preview_2025_03_11": Preview20250311WebSearchServerTool,
    "web_search": LegacyWebSearchServerTool,
    "web_search_2025_08_26": WebSearchServerTool,
    "file_search": FileSearchServerTool,
    "computer_use_preview": ComputerUseServerTool,
    "code_interpreter": CodeInterpreterServerTool,
    "mcp": McpServerTool,
    "image_generation": ImageGenerationServerTool,
    "local_shell": CodexLocalShellTool,
    "shell": ShellServerTool,
    "apply_patch": ApplyPatchServerTool,
    "custom": CustomTool,
    "namespace": NamespaceTool,
    "openrouter:advisor": AdvisorServerToolOpenRouter,
    "openrouter:subagent": SubagentServerToolOpenRouter,
    "openrouter:datetime": DatetimeServerTool,
    "openrouter:files": FilesServerTool,
    "openrouter:fusion": FusionServerToolOpenRouter,
    "openrouter:image_generation": ImageGenerationServerToolOpenRouter,
    "openrouter:experimental__search_models": SearchModelsServerToolOpenRouter,
    "openrouter:web_fetch": WebFetchServerTool,
    "openrouter:web_search": WebSearchServerToolOpenRouter,
    "openrouter:apply_patch": ApplyPatchServerToolOpenRouter,
    "openrouter:bash": BashServerTool,
    "openrouter:shell": ShellServerToolOpenRouter,
    "openrouter:tool_search": ToolSearchServerTool,
}

ResponsesRequestToolUnion: TypeAlias = Annotated[
    FunctionTool
    | PreviewWebSearchServerTool
    | Preview20250311WebSearchServerTool
    | LegacyWebSearchServerTool
    | WebSearchServerTool
    | FileSearchServerTool
    | ComputerUseServerTool
    | CodeInterpreterServerTool
    | McpServerTool
    | ImageGenerationServerTool
    | CodexLocalShellTool
    | ShellServerTool
    | ApplyPatchServerTool
    | CustomTool
    | NamespaceTool
    | AdvisorServerToolOpenRouter
    | SubagentServerToolOpenRouter
    | DatetimeServerTool
    | FilesServerTool
    | FusionServerToolOpenRouter
    | ImageGenerationServerToolOpenRouter
    | SearchModelsServerToolOpenRouter
    | WebFetchServerTool
    | WebSearchServerToolOpenRouter
    | ApplyPatchServerToolOpenRouter
    | BashServerTool
    | ShellServerToolOpenRouter
    | ToolSearchServerTool
    | UnknownTool,
    tagged_union(_TOOLS, UnknownTool),
]


# --- Input items ------------------------------------------------------------------------------


class EasyInputMessage(RequestModel):
    """A message: ``{"role": "user", "content": "Hi"}``; content is a string or a list of
    ``InputText`` / ``InputImage`` / ``InputFile`` / ``InputAudio`` / ``InputVideo`` parts."""

    type: Literal["message"] = "message"
    role: Literal["user", "system", "assistant", "developer"]
    content: str | list[InputContentPart] | None = None
    phase: Literal["commentary", "final_answer"] | None = None


class InputMessageItem(RequestModel):
    """A message with an ``id`` and a list of parts (no assistant role)."""

    type: Literal["message"] = "message"
    role: Literal["user", "system", "developer"]
    content: list[InputContentPart] | None = None
    id: str | None = None


class FunctionCallItem(RequestModel):
    """A function call the model made earlier, sent back as conversation history."""

    type: Literal["function_call"] = "function_call"
    call_id: str
    name: str
    arguments: str
    id: str | None = None
    namespace: str | None = None
    status: ToolCallStatus | None = None


class FunctionCallOutputItem(RequestModel):
    """The result of a function call: ``FunctionCallOutputItem(call_id=..., output="...")``."""

    type: Literal["function_call_output"] = "function_call_output"
    call_id: str
    output: str | list[InputText | InputImage | InputFile]
    id: str | None = None
    status: ToolCallStatus | None = None


class CustomToolCallOutputItem(RequestModel):
    type: Literal["custom_tool_call_output"] = "custom_tool_call_output"
    call_id: str
    output: str | list[InputText | InputImage | InputFile]
    id: str | None = None


class ItemReferenceItem(RequestModel):
    type: Literal["item_reference"] = "item_reference"
    id: str


class ReasoningSummaryTextInput(RequestModel):
    type: Literal["summary_text"] = "summary_text"
    text: str


class ReasoningItem(RequestModel):
    """A reasoning item sent back as history (usually you re-send the one you received)."""

    type: Literal["reasoning"] = "reasoning"
    id: str
    summary: list[ReasoningSummaryTextInput | dict[str, Any]]
    content: list[dict[str, Any]] | None = None
    encrypted_content: str | None = None
    status: ToolCallStatus | None = None
    format: ReasoningFormat | None = None
    signature: str | None = None


InputItem: TypeAlias = (
    EasyInputMessage
    | InputMessageItem
    | FunctionCallItem
    | FunctionCallOutputItem
    | CustomToolCallOutputItem
    | ItemReferenceItem
    | ReasoningItem
    | BaseModel
)
"""One item of ``input``: any of the input items above, or an output item of an earlier
response (``OutputMessageItem``, ``OutputFunctionCallItem``...) re-sent as history."""

InputsUnion: TypeAlias = str | Sequence[InputItem]
"""``input``: a string (one user message) or a list of items."""
