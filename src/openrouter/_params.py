"""The keyword parameters of ``responses.send`` as a TypedDict, for type checkers and IDEs.

Only imported under TYPE_CHECKING: at run time ``send`` takes ``**params`` and checks the names
itself, so the signature costs nothing to import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

from openrouter import components
from openrouter._retry_config import RetryConfig

_Obj = Mapping[str, Any]


class SharedSendParams(TypedDict, total=False):
    """The parameters of ``send`` that the helpers pass through unchanged: all of them but
    ``model``, ``instructions``, ``session_id``, ``include`` (a ``Conversation`` owns those),
    ``input``, ``tools`` and ``previous_response_id`` (the helpers build the history)."""

    # Headers
    x_open_router_metadata: components.MetadataLevel | None
    x_open_router_experimental_metadata: components.MetadataLevel | None
    # Body fields (``ResponsesRequest``)
    background: bool | None
    cache_control: components.AnthropicCacheControlDirective | _Obj
    debug: components.ChatDebugOptions | _Obj
    frequency_penalty: float | None
    image_config: Mapping[str, Any]
    max_output_tokens: int | None
    max_tool_calls: int | None
    metadata: Mapping[str, str] | None
    modalities: Sequence[components.OutputModalityEnum]
    models: Sequence[str]
    parallel_tool_calls: bool | None
    plugins: Sequence[components.ResponsesRequestPlugin | _Obj]
    presence_penalty: float | None
    prompt: components.StoredPromptTemplate | _Obj | None
    prompt_cache_key: str | None
    prompt_cache_options: components.PromptCacheOptions | _Obj
    provider: components.ProviderPreferences | _Obj | None
    reasoning: components.ReasoningConfig | _Obj | None
    route: Any
    safety_identifier: str | None
    service_tier: components.ResponsesRequestServiceTier | None
    stop_server_tools_when: Sequence[components.StopServerToolsWhenCondition | _Obj]
    store: Literal[False]
    temperature: float | None
    text: components.TextExtendedConfig | _Obj
    tool_choice: components.OpenAIResponsesToolChoiceUnion | _Obj
    top_k: int
    top_logprobs: int | None
    top_p: float | None
    trace: components.TraceConfig | _Obj
    truncation: components.OpenAIResponsesTruncation | None
    user: str
    # Call options
    retries: RetryConfig | None
    server_url: str | None
    timeout_ms: int | None
    http_headers: Mapping[str, str] | None
    extra_body: Mapping[str, Any] | None
    raise_stream_errors: bool


class HelperSendParams(SharedSendParams, total=False):
    """The keyword parameters of ``run_tools`` and ``Conversation.send``: ``send``'s, without
    ``input``, ``tools`` and ``previous_response_id``."""

    include: Sequence[components.ResponseIncludesEnum] | None
    instructions: str | None
    model: str
    session_id: str


class ResponsesSendParams(HelperSendParams, total=False):
    """Every parameter of ``beta.responses.send`` except ``stream``.

    Structured values take either the typed component or a plain dict. Only the parameters you
    pass are sent; ``None`` sends ``null`` for the ``OptionalNullable`` ones (``temperature``,
    ``reasoning``...) and leaves out the ``Optional`` ones (``model``, ``input``...).
    """

    input: components.InputsUnion | Sequence[_Obj]
    previous_response_id: str | None
    tools: Sequence[components.ResponsesRequestToolUnion | _Obj]
