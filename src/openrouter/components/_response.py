"""Response-side components: ``OpenResponsesResult``, its output items, usage, errors.

Reading is lenient: unknown fields are kept, an output item of an unknown ``type`` (or a known
one whose fields changed shape) becomes ``UnknownOutputItem`` instead of failing the response,
and only the fields that identify a response are required. That last point matters: an error
body such as ``{"error": {...}}`` has no ``id`` and must not pass as a result.
"""

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import Field

from openrouter._models import BaseModel
from openrouter.components._config import (
    OpenAIResponsesToolChoiceUnion,
    ReasoningConfig,
    ReasoningFormat,
    StoredPromptTemplate,
    TextExtendedConfig,
    ToolCallStatus,
)
from openrouter.components._shared import (
    ErrorCode,
    ErrorText,
    LazyList,
    UnknownTypeTag,
    tagged_union,
)

if TYPE_CHECKING:
    from openrouter.components._events import StreamEvents
    from openrouter.components._request import ResponsesRequestToolUnion

# Open enums: the listed values, but an unlisted string from the server still reads.
OpenAIResponsesResponseStatus: TypeAlias = Literal[
    "completed", "incomplete", "in_progress", "failed", "cancelled", "queued"
]
ApiErrorType: TypeAlias = Literal[
    "context_length_exceeded", "max_tokens_exceeded", "token_limit_exceeded", "string_too_long",
    "authentication", "permission_denied", "payment_required", "rate_limit_exceeded",
    "provider_overloaded", "provider_unavailable", "invalid_request", "invalid_prompt",
    "not_found", "precondition_failed", "payload_too_large", "unprocessable",
    "content_policy_violation", "refusal", "invalid_image", "image_too_large", "image_too_small",
    "unsupported_image_format", "image_not_found", "image_download_failed", "server", "timeout",
    "unmapped",
]  # fmt: skip
ItemStatus: TypeAlias = Literal["completed", "incomplete", "in_progress"]
_OpenStr: TypeAlias = str  # documents "any string the server sends" next to a Literal


# --- Message content --------------------------------------------------------------------------


class FileCitation(BaseModel):
    type: Literal["file_citation"]
    file_id: str | None = None
    filename: str | None = None
    index: int | None = None


class URLCitation(BaseModel):
    """A cited web page; ``start_index``/``end_index`` locate the citing span in the text."""

    type: Literal["url_citation"]
    url: str = ""
    title: str | None = None
    start_index: int | None = None
    end_index: int | None = None
    content: str | None = None


class FilePath(BaseModel):
    type: Literal["file_path"]
    file_id: str | None = None
    index: int | None = None


class UnknownAnnotation(BaseModel):
    """An annotation of a type this SDK does not know; every field is kept."""

    if TYPE_CHECKING:  # see UnknownTypeTag: keeps ``x.type == "..."`` narrowing the union
        type: UnknownTypeTag
    else:
        type: str = ""


OpenAIResponsesAnnotation: TypeAlias = Annotated[
    FileCitation | URLCitation | FilePath | UnknownAnnotation,
    tagged_union(
        {"file_citation": FileCitation, "url_citation": URLCitation, "file_path": FilePath},
        UnknownAnnotation,
    ),
]


class StreamLogprobTopLogprob(BaseModel):
    token: str | None = None
    logprob: float | None = None
    bytes: list[int] | None = None


class StreamLogprob(BaseModel):
    """The log probability of one output token, with the most likely alternatives."""

    token: str = ""
    logprob: float = 0.0
    bytes: list[int] | None = None
    top_logprobs: list[StreamLogprobTopLogprob] | None = None


class ResponseOutputText(BaseModel):
    type: Literal["output_text"]
    text: str = ""
    annotations: list[OpenAIResponsesAnnotation] = []
    logprobs: list[StreamLogprob] | None = None


class OpenAIResponsesRefusalContent(BaseModel):
    type: Literal["refusal"]
    refusal: str = ""


class ReasoningTextContent(BaseModel):
    type: Literal["reasoning_text"]
    text: str = ""


class ReasoningSummaryText(BaseModel):
    type: Literal["summary_text"]
    text: str = ""


class UnknownContentPart(BaseModel):
    """A content part of a type this SDK does not know; every field is kept."""

    if TYPE_CHECKING:  # see UnknownTypeTag: keeps ``x.type == "..."`` narrowing the union
        type: UnknownTypeTag
    else:
        type: str = ""


ResponseContentPart: TypeAlias = Annotated[
    ResponseOutputText | OpenAIResponsesRefusalContent | ReasoningTextContent | UnknownContentPart,
    tagged_union(
        {
            "output_text": ResponseOutputText,
            "refusal": OpenAIResponsesRefusalContent,
            "reasoning_text": ReasoningTextContent,
        },
        UnknownContentPart,
    ),
]
"""A part of a message (``output_text``, ``refusal``) or of reasoning (``reasoning_text``)."""


# --- Output items -----------------------------------------------------------------------------
# Every field but ``type`` has a default so that an item the server sends half-filled (or a
# placeholder the stream accumulator builds) still reads as its own class. ``to_dict()`` writes
# only what was received, so defaults never leak into a re-sent conversation.


class OutputMessageItem(BaseModel):
    """An assistant message; its text is in ``output_text`` parts of ``content``."""

    type: Literal["message"]
    id: str = ""
    role: Literal["assistant"] | _OpenStr = "assistant"
    content: list[ResponseContentPart] = []
    status: ItemStatus | _OpenStr | None = None
    phase: Literal["commentary", "final_answer"] | _OpenStr | None = None

    @property
    def text(self) -> str:
        """The message's ``output_text`` parts, joined."""
        return "".join(p.text for p in self.content if isinstance(p, ResponseOutputText))


class OutputReasoningItem(BaseModel):
    """Reasoning: ``summary`` parts, optionally the reasoning ``content`` and the provider's
    ``encrypted_content`` (re-send the item to keep reasoning across turns)."""

    type: Literal["reasoning"]
    id: str = ""
    summary: list[ReasoningSummaryText] = []
    content: list[ReasoningTextContent] | None = None
    encrypted_content: str | None = None
    status: ItemStatus | _OpenStr | None = None
    format: ReasoningFormat | _OpenStr | None = None
    signature: str | None = None


class OutputFunctionCallItem(BaseModel):
    """A call of one of your functions: parse ``arguments`` (JSON text) and answer with a
    ``FunctionCallOutputItem`` carrying the same ``call_id``."""

    type: Literal["function_call"]
    id: str | None = None
    call_id: str = ""
    name: str = ""
    arguments: str = ""
    namespace: str | None = None
    status: ItemStatus | _OpenStr | None = None
    subagent_id: str | None = None
    subagent_items: list[dict[str, Any]] | None = None


class OutputWebSearchCallItem(BaseModel):
    type: Literal["web_search_call"]
    id: str = ""
    status: Literal["completed", "searching", "in_progress", "failed"] | _OpenStr | None = None
    action: dict[str, Any] | None = None


class OutputFileSearchCallItem(BaseModel):
    type: Literal["file_search_call"]
    id: str = ""
    queries: list[str] = []
    status: Literal["completed", "searching", "in_progress", "failed"] | _OpenStr | None = None


class OutputImageGenerationCallItem(BaseModel):
    """A generated image; ``result`` is the base64-encoded image."""

    type: Literal["image_generation_call"]
    id: str = ""
    result: str | None = None
    status: Literal["in_progress", "completed", "generating", "failed"] | _OpenStr | None = None
    prompt: str | None = None


class OutputCodeInterpreterCallItem(BaseModel):
    type: Literal["code_interpreter_call"]
    id: str = ""
    code: str | None = None
    container_id: str | None = None
    outputs: list[dict[str, Any]] | None = None
    status: str | None = None


class OutputComputerCallItem(BaseModel):
    type: Literal["computer_call"]
    id: str | None = None
    call_id: str = ""
    action: Any = None
    pending_safety_checks: list[dict[str, Any]] = []
    status: ItemStatus | _OpenStr | None = None


class OutputApplyPatchCallItem(BaseModel):
    type: Literal["apply_patch_call"]
    id: str = ""
    call_id: str = ""
    operation: dict[str, Any] | None = None
    status: Literal["in_progress", "completed"] | _OpenStr | None = None
    created_by: str | None = None


class OutputShellCallItem(BaseModel):
    type: Literal["shell_call"]
    id: str = ""
    call_id: str = ""
    action: dict[str, Any] | None = None
    arguments: str | None = None
    status: str | None = None


class OutputShellCallOutputItem(BaseModel):
    type: Literal["shell_call_output"]
    id: str = ""
    call_id: str = ""
    output: list[dict[str, Any]] = []
    max_output_length: int | None = None
    status: str | None = None


class OutputCustomToolCallItem(BaseModel):
    """A call of a custom (free-form input) tool."""

    type: Literal["custom_tool_call"]
    id: str | None = None
    call_id: str = ""
    name: str = ""
    input: str = ""
    namespace: str | None = None


# OpenRouter's own server tools (``openrouter:*``): loosely typed, all fields kept.


class _ServerToolItem(BaseModel):
    id: str | None = None
    status: ToolCallStatus | _OpenStr | None = None


class OutputDatetimeItem(_ServerToolItem):
    type: Literal["openrouter:datetime"]
    datetime: str | None = None
    timezone: str | None = None


class OutputWebSearchServerToolItem(_ServerToolItem):
    type: Literal["openrouter:web_search"]
    action: dict[str, Any] | None = None


class OutputCodeInterpreterServerToolItem(_ServerToolItem):
    type: Literal["openrouter:code_interpreter"]
    code: str | None = None
    language: str | None = None
    stdout: str | None = None
    stderr: str | None = None
    exitCode: int | None = None  # the API's camelCase spelling


class OutputFileSearchServerToolItem(_ServerToolItem):
    type: Literal["openrouter:file_search"]
    queries: list[str] | None = None


class OutputImageGenerationServerToolItem(_ServerToolItem):
    type: Literal["openrouter:image_generation"]
    result: str | None = None
    imageB64: str | None = None
    imageUrl: str | None = None
    prompt: str | None = None
    revisedPrompt: str | None = None


class OutputBrowserUseServerToolItem(_ServerToolItem):
    type: Literal["openrouter:browser_use"]
    action: str | None = None
    screenshotB64: str | None = None


class OutputBashServerToolItem(_ServerToolItem):
    type: Literal["openrouter:bash"]
    call_id: str | None = None
    arguments: str | None = None
    command: str | None = None
    stdout: str | None = None
    stderr: str | None = None
    exitCode: int | None = None


class OutputTextEditorServerToolItem(_ServerToolItem):
    type: Literal["openrouter:text_editor"]
    command: str | None = None
    filePath: str | None = None


class OutputApplyPatchServerToolItem(_ServerToolItem):
    type: Literal["openrouter:apply_patch"]
    call_id: str | None = None
    operation: dict[str, Any] | None = None


class OutputShellServerToolItem(_ServerToolItem):
    type: Literal["openrouter:shell"]
    call_id: str | None = None
    arguments: str | None = None
    action: dict[str, Any] | None = None
    output: list[dict[str, Any]] | None = None


class OutputWebFetchServerToolItem(_ServerToolItem):
    type: Literal["openrouter:web_fetch"]
    url: str | None = None
    title: str | None = None
    content: str | None = None
    error: str | None = None
    httpStatus: int | None = None


class OutputToolSearchServerToolItem(_ServerToolItem):
    type: Literal["openrouter:tool_search"]
    query: str | None = None


class OutputMemoryServerToolItem(_ServerToolItem):
    type: Literal["openrouter:memory"]
    action: str | None = None
    key: str | None = None
    value: Any = None


class OutputMcpServerToolItem(_ServerToolItem):
    type: Literal["openrouter:mcp"]
    serverLabel: str | None = None
    toolName: str | None = None


class OutputSearchModelsServerToolItem(_ServerToolItem):
    type: Literal["openrouter:experimental__search_models"]
    query: str | None = None
    arguments: str | None = None


class OutputFusionServerToolItem(_ServerToolItem):
    type: Literal["openrouter:fusion"]
    analysis: dict[str, Any] | None = None
    responses: list[dict[str, Any]] | None = None
    failed_models: list[dict[str, Any]] | None = None
    sources: list[dict[str, Any]] | None = None
    error: str | None = None
    failure_reason: str | None = None


class OutputAdvisorServerToolItem(_ServerToolItem):
    type: Literal["openrouter:advisor"]
    status: str | None = None
    advice: str | None = None
    error: str | None = None
    instance_name: str | None = None
    model: str | None = None
    prompt: str | None = None


class OutputSubagentServerToolItem(_ServerToolItem):
    type: Literal["openrouter:subagent"]
    status: str | None = None
    call_id: str | None = None
    name: str | None = None
    model: str | None = None
    instance_name: str | None = None
    task_name: str | None = None
    task_description: str | None = None
    outcome: str | None = None
    error: str | None = None


class OutputFilesServerToolItem(_ServerToolItem):
    type: Literal["openrouter:files"]
    call_id: str | None = None
    arguments: str | None = None
    operation: str | None = None
    file_id: str | None = None
    filename: str | None = None
    result: str | None = None
    error: str | None = None


class UnknownOutputItem(BaseModel):
    """An output item of a ``type`` this SDK does not know (or whose fields did not have the
    expected shape). ``type`` is the real one; every other field is kept as an extra."""

    if TYPE_CHECKING:  # see UnknownTypeTag: keeps ``x.type == "..."`` narrowing the union
        type: UnknownTypeTag
    else:
        type: str = ""


OUTPUT_ITEM_CLASSES: dict[str, type[BaseModel]] = {
    "message": OutputMessageItem,
    "reasoning": OutputReasoningItem,
    "function_call": OutputFunctionCallItem,
    "web_search_call": OutputWebSearchCallItem,
    "file_search_call": OutputFileSearchCallItem,
    "image_generation_call": OutputImageGenerationCallItem,
    "code_interpreter_call": OutputCodeInterpreterCallItem,
    "computer_call": OutputComputerCallItem,
    "openrouter:datetime": OutputDatetimeItem,
    "openrouter:web_search": OutputWebSearchServerToolItem,
    "openrouter:code_interpreter": OutputCodeInterpreterServerToolItem,
    "openrouter:file_search": OutputFileSearchServerToolItem,
    "openrouter:image_generation": OutputImageGenerationServerToolItem,
    "openrouter:browser_use": OutputBrowserUseServerToolItem,
    "openrouter:bash": OutputBashServerToolItem,
    "openrouter:text_editor": OutputTextEditorServerToolItem,
    "openrouter:apply_patch": OutputApplyPatchServerToolItem,
    "apply_patch_call": OutputApplyPatchCallItem,
    "shell_call": OutputShellCallItem,
    "shell_call_output": OutputShellCallOutputItem,
    "openrouter:shell": OutputShellServerToolItem,
    "openrouter:web_fetch": OutputWebFetchServerToolItem,
    "openrouter:tool_search": OutputToolSearchServerToolItem,
    "openrouter:memory": OutputMemoryServerToolItem,
    "openrouter:mcp": OutputMcpServerToolItem,
    "openrouter:experimental__search_models": OutputSearchModelsServerToolItem,
    "openrouter:fusion": OutputFusionServerToolItem,
    "openrouter:advisor": OutputAdvisorServerToolItem,
    "openrouter:subagent": OutputSubagentServerToolItem,
    "openrouter:files": OutputFilesServerToolItem,
    "custom_tool_call": OutputCustomToolCallItem,
}
"""``type`` -> class, for every member of the spec's ``OutputItems`` union."""

OutputItems: TypeAlias = Annotated[
    OutputMessageItem
    | OutputReasoningItem
    | OutputFunctionCallItem
    | OutputWebSearchCallItem
    | OutputFileSearchCallItem
    | OutputImageGenerationCallItem
    | OutputCodeInterpreterCallItem
    | OutputComputerCallItem
    | OutputDatetimeItem
    | OutputWebSearchServerToolItem
    | OutputCodeInterpreterServerToolItem
    | OutputFileSearchServerToolItem
    | OutputImageGenerationServerToolItem
    | OutputBrowserUseServerToolItem
    | OutputBashServerToolItem
    | OutputTextEditorServerToolItem
    | OutputApplyPatchServerToolItem
    | OutputApplyPatchCallItem
    | OutputShellCallItem
    | OutputShellCallOutputItem
    | OutputShellServerToolItem
    | OutputWebFetchServerToolItem
    | OutputToolSearchServerToolItem
    | OutputMemoryServerToolItem
    | OutputMcpServerToolItem
    | OutputSearchModelsServerToolItem
    | OutputFusionServerToolItem
    | OutputAdvisorServerToolItem
    | OutputSubagentServerToolItem
    | OutputFilesServerToolItem
    | OutputCustomToolCallItem
    | UnknownOutputItem,
    tagged_union(OUTPUT_ITEM_CLASSES, UnknownOutputItem),
]
"""One item of ``output``, chosen by its ``type``; unknown types read as ``UnknownOutputItem``."""


# --- Usage, errors, metadata ------------------------------------------------------------------


class InputTokensDetails(BaseModel):
    cached_tokens: int = 0
    cache_write_tokens: int | None = None


class OutputTokensDetails(BaseModel):
    reasoning_tokens: int = 0


class CostDetails(BaseModel):
    upstream_inference_cost: float | None = None
    upstream_inference_input_cost: float | None = None
    upstream_inference_output_cost: float | None = None


class ServerToolUseDetails(BaseModel):
    tool_calls_executed: int | None = None
    tool_calls_requested: int | None = None
    web_search_requests: int | None = None


class Usage(BaseModel):
    """Token counts and, on OpenRouter, the ``cost`` in USD."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    input_tokens_details: InputTokensDetails = Field(default_factory=InputTokensDetails)
    output_tokens_details: OutputTokensDetails = Field(default_factory=OutputTokensDetails)
    cost: float | None = None
    cost_details: CostDetails | None = None
    is_byok: bool | None = None
    server_tool_use_details: ServerToolUseDetails | None = None


class ResponsesErrorField(BaseModel):
    """Why a response failed. ``code`` is usually a string such as ``"rate_limit_exceeded"``,
    sometimes an HTTP status as an integer."""

    code: ErrorCode = None
    message: ErrorText = None


class IncompleteDetails(BaseModel):
    """Why a response is incomplete: ``max_output_tokens`` or ``content_filter``."""

    reason: Literal["max_output_tokens", "content_filter"] | _OpenStr | None = None


class RouterAttempt(BaseModel):
    model: str | None = None
    provider: str | None = None
    status: int | None = None


class OpenRouterMetadata(BaseModel):
    """Routing details, present when the request opted in (``X-OpenRouter-Metadata``)."""

    attempt: int | None = None
    attempts: list[RouterAttempt] | None = None
    endpoints: dict[str, Any] | None = None
    is_byok: bool | None = None
    params: dict[str, Any] | None = None
    pipeline: list[dict[str, Any]] | None = None
    region: str | None = None
    requested: str | None = None
    strategy: str | None = None
    summary: str | None = None


if TYPE_CHECKING:
    _ToolsRead: TypeAlias = list[ResponsesRequestToolUnion]
else:
    # Typed at run time through LazyList: the tool classes load with the first echoed tool.
    _ToolsRead = Annotated[
        list[Any], LazyList("openrouter.components._request", "ResponsesRequestToolUnion")
    ]

_ToolChoiceRead: TypeAlias = Annotated[
    OpenAIResponsesToolChoiceUnion | dict[str, Any] | str,
    Field(union_mode="left_to_right"),
]


# --- The result -------------------------------------------------------------------------------


class OpenResponsesResult(BaseModel):
    """A response: ``output`` items, ``status``, ``usage``; ``output_text`` joins its text.

    Required (and typed): ``id``, ``object``, ``created_at``, ``model``, ``status``, ``output``.
    The spec's other required fields are nullable or echo the request, so they default, which
    keeps a result readable when the server leaves one out.
    """

    id: str
    object: Literal["response"]
    created_at: int
    model: str
    status: OpenAIResponsesResponseStatus | _OpenStr
    output: list[OutputItems]

    completed_at: int | None = None
    error: ResponsesErrorField | None = None
    incomplete_details: IncompleteDetails | None = None
    usage: Usage | None = None
    error_type: ApiErrorType | _OpenStr | None = None
    openrouter_metadata: OpenRouterMetadata | None = None

    # Echoes of the request.
    instructions: str | list[Any] | None = None
    metadata: dict[str, str] | None = None
    temperature: float | None = None
    top_p: float | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    parallel_tool_calls: bool | None = None
    tool_choice: _ToolChoiceRead | None = None
    tools: _ToolsRead = []
    max_output_tokens: int | None = None
    max_tool_calls: int | None = None
    top_logprobs: int | None = None
    background: bool | None = None
    previous_response_id: str | None = None
    prompt: StoredPromptTemplate | None = None
    prompt_cache_key: str | None = None
    prompt_cache_options: dict[str, Any] | None = None
    reasoning: ReasoningConfig | None = None
    safety_identifier: str | None = None
    service_tier: str | None = None
    store: bool | None = None
    text: TextExtendedConfig | None = None
    truncation: Literal["auto", "disabled"] | _OpenStr | None = None
    user: str | None = None

    # Not a body field: the client sets it from the HTTP response that carried the result
    # (``set_generation_id``). Held in pydantic's private-state dict, but not declared as a
    # PrivateAttr: that would make every validation of a result initialise private state.

    @property
    def generation_id(self) -> str | None:
        """The ``X-Generation-Id`` of the response that carried this result (``None`` for a
        result built locally): pass it to ``client.generations.get_generation(id=...)`` for
        the exact cost, provider and latency."""
        private = self.__pydantic_private__
        return private.get(_GENERATION_ID) if private else None

    @property
    def output_text(self) -> str:
        """The text of every ``output_text`` part of every ``message`` item, in order."""
        return "".join(
            part.text
            for item in self.output
            if isinstance(item, OutputMessageItem)
            for part in item.content
            if isinstance(part, ResponseOutputText)
        )

    # The SDK page's example reads ``with res as event_stream: for event in event_stream``
    # whether or not ``stream=True``; for a plain result that yields its one terminal event.
    def __enter__(self) -> "ResultEvents":
        return ResultEvents(self)

    def __exit__(self, *exc_info: Any) -> None:
        return None

    async def __aenter__(self) -> "ResultEvents":
        return ResultEvents(self)

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


_GENERATION_ID = "_generation_id"


def set_generation_id(result: OpenResponsesResult, value: str | None) -> None:
    """Record the ``X-Generation-Id`` of the HTTP response that carried ``result``."""
    private = result.__pydantic_private__
    if private is not None:
        private[_GENERATION_ID] = value
    elif value is not None:  # none stays none: equal to a result built locally
        object.__setattr__(result, "__pydantic_private__", {_GENERATION_ID: value})


class ResultEvents:
    """What ``with result as events`` (or ``async with``) gives for a non-streamed result: the
    single event a stream of it would have ended with (``response.completed``,
    ``response.incomplete`` or ``response.failed``, by ``status``), carrying the result."""

    __slots__ = ("result",)

    def __init__(self, result: OpenResponsesResult) -> None:
        self.result = result

    def events(self) -> "list[StreamEvents]":
        from openrouter.components._events import terminal_event_for

        return [terminal_event_for(self.result)]

    def __iter__(self) -> "Iterator[StreamEvents]":
        return iter(self.events())

    async def __aiter__(self) -> "AsyncIterator[StreamEvents]":
        for event in self.events():
            yield event


class ResponseSnapshot(OpenResponsesResult):
    """The response carried by stream events (``response.created`` ... ``response.failed``).

    Early snapshots may be partial, so here every field has a default; it is still an
    ``OpenResponsesResult``. Missing fields are not written back by ``to_dict()``.
    """

    id: str = ""
    object: Literal["response"] = "response"
    created_at: int = 0
    model: str = ""
    status: OpenAIResponsesResponseStatus | _OpenStr = "in_progress"
    output: list[OutputItems] = []
