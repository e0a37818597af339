"""The request settings a response echoes back: reasoning, text format, stored prompt and
tool choice. A module of its own so that reading a result does not build every request class
(``_request`` re-exports all of these)."""

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Field

from openrouter._models import BaseModel
from openrouter.components._shared import (
    InputFile,
    InputImage,
    InputText,
    RequestModel,
    tagged_union,
)

# --- Enum-like values -------------------------------------------------------------------------

ReasoningEffort: TypeAlias = Literal["max", "xhigh", "high", "medium", "low", "minimal", "none"]
ReasoningSummaryVerbosity: TypeAlias = Literal["auto", "concise", "detailed"]
ReasoningContext: TypeAlias = Literal["auto", "all_turns", "current_turn"]
ReasoningMode: TypeAlias = Literal["standard", "pro"]
Verbosity: TypeAlias = Literal["low", "medium", "high", "xhigh", "max"]
ToolCallStatus: TypeAlias = Literal["in_progress", "completed", "incomplete"]
ReasoningFormat: TypeAlias = Literal[
    "unknown",
    "openai-responses-v1",
    "azure-openai-responses-v1",
    "bedrock-openai-responses-v1",
    "bedrock-xai-responses-v1",
    "xai-responses-v1",
    "meta-responses-v1",
    "anthropic-claude-v1",
    "google-gemini-v1",
]


# --- Reasoning and stored prompt ------------------------------------------------------------


class ReasoningConfig(RequestModel):
    """Reasoning settings: ``effort`` or ``max_tokens``, and the ``summary`` verbosity."""

    _always_sent = ()

    effort: ReasoningEffort | None = None
    summary: ReasoningSummaryVerbosity | None = None
    context: ReasoningContext | None = None
    mode: ReasoningMode | None = None
    enabled: bool | None = None
    max_tokens: int | None = None


class StoredPromptTemplate(RequestModel):
    """A prompt stored on OpenRouter, with values for its variables."""

    _always_sent = ()

    id: str
    variables: dict[str, str | InputText | InputImage | InputFile] | None = None


# --- Text output configuration ----------------------------------------------------------------


class FormatTextConfig(RequestModel):
    type: Literal["text"] = "text"


class FormatJsonObjectConfig(RequestModel):
    type: Literal["json_object"] = "json_object"


class FormatJsonSchemaConfig(RequestModel):
    """Structured output. ``schema`` is spelled ``schema_`` in Python (pydantic reserves it);
    ``FormatJsonSchemaConfig(name=..., schema_={...})`` sends ``"schema"``."""

    type: Literal["json_schema"] = "json_schema"
    name: str
    schema_: dict[str, Any] = Field(alias="schema")
    strict: bool | None = None
    description: str | None = None


class UnknownTextFormat(BaseModel):
    """A ``text.format`` of a kind this SDK does not know (all fields kept)."""

    type: str = ""


Formats: TypeAlias = Annotated[
    FormatTextConfig | FormatJsonObjectConfig | FormatJsonSchemaConfig | UnknownTextFormat,
    tagged_union(
        {
            "text": FormatTextConfig,
            "json_object": FormatJsonObjectConfig,
            "json_schema": FormatJsonSchemaConfig,
        },
        UnknownTextFormat,
    ),
]


class TextExtendedConfig(RequestModel):
    """``text``: the output format and verbosity."""

    _always_sent = ()

    format: Formats | None = None
    verbosity: Verbosity | None = None


# --- Tool choice ------------------------------------------------------------------------------


class OpenAIResponsesToolChoiceFunction(RequestModel):
    """Force a call of the named function."""

    type: Literal["function"] = "function"
    name: str


class OpenAIResponsesToolChoiceWebSearchPreview(RequestModel):
    type: Literal["web_search_preview_2025_03_11", "web_search_preview"]


class ToolChoiceAllowed(RequestModel):
    """Restrict the model to a subset of the tools."""

    type: Literal["allowed_tools"] = "allowed_tools"
    mode: Literal["auto", "required"]
    tools: list[dict[str, Any]]


class OpenAIResponsesToolChoiceApplyPatch(RequestModel):
    type: Literal["apply_patch"] = "apply_patch"


class OpenAIResponsesToolChoiceShell(RequestModel):
    type: Literal["shell"] = "shell"


OpenAIResponsesToolChoiceUnion: TypeAlias = (
    Literal["auto", "none", "required"]
    | OpenAIResponsesToolChoiceFunction
    | OpenAIResponsesToolChoiceWebSearchPreview
    | ToolChoiceAllowed
    | OpenAIResponsesToolChoiceApplyPatch
    | OpenAIResponsesToolChoiceShell
)
