"""Stream events: one class per ``type`` of the spec's ``StreamEvents`` union, plus
``ResponseErrorEvent``, ``UnknownEvent`` and the decoder ``parse_event``.

Every field except ``type`` has a default, so an event missing a field still decodes as its own
class. Decoding is the hot path of streaming, see ``parse_event``.
"""

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal, TypeAlias, Union

from pydantic import Field, PrivateAttr, TypeAdapter, ValidationError

from openrouter import _json
from openrouter._models import BaseModel
from openrouter.components._response import (
    OpenAIResponsesAnnotation,
    OpenResponsesResult,
    OutputItems,
    ReasoningSummaryText,
    ResponseContentPart,
    ResponseSnapshot,
    StreamLogprob,
)
from openrouter.components._shared import ErrorCode, ErrorText, UnknownTypeTag

__all__ = [
    "EVENT_CLASSES",
    "FAILURE_EVENT_TYPES",
    "KNOWN_EVENT_TYPES",
    "TERMINAL_EVENT_STATUS",
    "StreamEvent",
    "StreamEvents",
    "UnknownEvent",
    "parse_event",
]


class _Event(BaseModel):
    sequence_number: int | None = None


class _ItemEvent(_Event):
    """An event about one output item."""

    item_id: str | None = None
    output_index: int | None = None


class _PartEvent(_ItemEvent):
    """An event about one content part of an output item."""

    content_index: int | None = None


# --- Errors -----------------------------------------------------------------------------------


class StreamErrorDetail(BaseModel):
    """The nested ``error`` object of an error event: ``{"code", "message", "metadata"}``."""

    code: ErrorCode = None
    message: ErrorText = None
    metadata: Any = None


class _ErrorFields(_Event):
    """Both error shapes the stream uses: flat ``{"code", "message", "param"}`` and nested
    ``{"error": {"code", "message", "metadata"}}``. Read ``error_code`` / ``error_message``,
    which work for either; the fields themselves stay as received."""

    code: ErrorCode = None
    message: ErrorText = None
    param: ErrorText = None
    error: StreamErrorDetail | str | None = None

    @property
    def error_code(self) -> int | str | None:
        """``code``, else ``error.code``."""
        if self.code is not None:
            return self.code
        return self.error.code if isinstance(self.error, StreamErrorDetail) else None

    @property
    def error_message(self) -> str | None:
        """``message``, else ``error.message`` (or ``error`` itself when it is a string)."""
        if self.message is not None:
            return self.message
        if isinstance(self.error, StreamErrorDetail):
            return self.error.message
        return self.error


class ErrorEvent(_ErrorFields):
    """``error``: the stream failed (see ``error_code`` / ``error_message``)."""

    type: Literal["error"]


class ResponseErrorEvent(_ErrorFields):
    """``response.error``: not in the spec's union, but OpenRouter sends it."""

    type: Literal["response.error"]


# --- Response lifecycle -----------------------------------------------------------------------


class _LifecycleEvent(_Event):
    response: ResponseSnapshot = Field(default_factory=ResponseSnapshot)


class OpenResponsesCreatedEvent(_LifecycleEvent):
    type: Literal["response.created"]


class OpenResponsesInProgressEvent(_LifecycleEvent):
    type: Literal["response.in_progress"]


class StreamEventsResponseCompleted(_LifecycleEvent):
    """The last event of a successful stream; ``response`` is the final result."""

    type: Literal["response.completed"]


class StreamEventsResponseIncomplete(_LifecycleEvent):
    """The stream ended early (``response.incomplete_details.reason`` says why)."""

    type: Literal["response.incomplete"]


class StreamEventsResponseFailed(_LifecycleEvent):
    """The response failed (``response.error`` says why)."""

    type: Literal["response.failed"]


# --- Output items and content parts -----------------------------------------------------------


class StreamEventsResponseOutputItemAdded(_Event):
    type: Literal["response.output_item.added"]
    output_index: int | None = None
    item: OutputItems | None = None


class StreamEventsResponseOutputItemDone(_Event):
    type: Literal["response.output_item.done"]
    output_index: int | None = None
    item: OutputItems | None = None


class ContentPartAddedEvent(_PartEvent):
    type: Literal["response.content_part.added"]
    part: ResponseContentPart | None = None


class ContentPartDoneEvent(_PartEvent):
    type: Literal["response.content_part.done"]
    part: ResponseContentPart | None = None


# --- Text, refusal, annotations ---------------------------------------------------------------


class TextDeltaEvent(_PartEvent):
    """A piece of output text (``delta``)."""

    type: Literal["response.output_text.delta"]
    delta: str = ""
    logprobs: list[StreamLogprob] = []


class TextDoneEvent(_PartEvent):
    type: Literal["response.output_text.done"]
    text: str = ""
    logprobs: list[StreamLogprob] = []


class AnnotationAddedEvent(_PartEvent):
    type: Literal["response.output_text.annotation.added"]
    annotation_index: int | None = None
    annotation: OpenAIResponsesAnnotation | None = None


class RefusalDeltaEvent(_PartEvent):
    type: Literal["response.refusal.delta"]
    delta: str = ""


class RefusalDoneEvent(_PartEvent):
    type: Literal["response.refusal.done"]
    refusal: str = ""


# --- Reasoning --------------------------------------------------------------------------------


class ReasoningDeltaEvent(_PartEvent):
    type: Literal["response.reasoning_text.delta"]
    delta: str = ""


class ReasoningDoneEvent(_PartEvent):
    type: Literal["response.reasoning_text.done"]
    text: str = ""


class ReasoningSummaryPartAddedEvent(_ItemEvent):
    type: Literal["response.reasoning_summary_part.added"]
    summary_index: int | None = None
    part: ReasoningSummaryText | None = None


class ReasoningSummaryPartDoneEvent(_ItemEvent):
    type: Literal["response.reasoning_summary_part.done"]
    summary_index: int | None = None
    part: ReasoningSummaryText | None = None


class ReasoningSummaryTextDeltaEvent(_ItemEvent):
    type: Literal["response.reasoning_summary_text.delta"]
    summary_index: int | None = None
    delta: str = ""


class ReasoningSummaryTextDoneEvent(_ItemEvent):
    type: Literal["response.reasoning_summary_text.done"]
    summary_index: int | None = None
    text: str = ""


# --- Function and custom tool calls -----------------------------------------------------------


class FunctionCallArgsDeltaEvent(_ItemEvent):
    type: Literal["response.function_call_arguments.delta"]
    delta: str = ""


class FunctionCallArgsDoneEvent(_ItemEvent):
    type: Literal["response.function_call_arguments.done"]
    arguments: str = ""
    name: str | None = None


class CustomToolCallInputDeltaEvent(_ItemEvent):
    type: Literal["response.custom_tool_call_input.delta"]
    delta: str = ""


class CustomToolCallInputDoneEvent(_ItemEvent):
    type: Literal["response.custom_tool_call_input.done"]
    input: str = ""


class ApplyPatchCallOperationDiffDeltaEvent(_ItemEvent):
    type: Literal["response.apply_patch_call_operation_diff.delta"]
    delta: str = ""


class ApplyPatchCallOperationDiffDoneEvent(_ItemEvent):
    type: Literal["response.apply_patch_call_operation_diff.done"]
    diff: str = ""


# --- Server tools -----------------------------------------------------------------------------


class WebSearchCallInProgressEvent(_ItemEvent):
    type: Literal["response.web_search_call.in_progress"]


class WebSearchCallSearchingEvent(_ItemEvent):
    type: Literal["response.web_search_call.searching"]


class WebSearchCallCompletedEvent(_ItemEvent):
    type: Literal["response.web_search_call.completed"]


class ImageGenCallInProgressEvent(_ItemEvent):
    type: Literal["response.image_generation_call.in_progress"]


class ImageGenCallGeneratingEvent(_ItemEvent):
    type: Literal["response.image_generation_call.generating"]


class ImageGenCallPartialImageEvent(_ItemEvent):
    """A partial image (base64) while an image is generated."""

    type: Literal["response.image_generation_call.partial_image"]
    partial_image_b64: str = ""
    partial_image_index: int | None = None


class ImageGenCallCompletedEvent(_ItemEvent):
    type: Literal["response.image_generation_call.completed"]


class CodeInterpreterCallInProgressEvent(_ItemEvent):
    type: Literal["response.code_interpreter_call.in_progress"]


class CodeInterpreterCallInterpretingEvent(_ItemEvent):
    type: Literal["response.code_interpreter_call.interpreting"]


class CodeInterpreterCallCompletedEvent(_ItemEvent):
    type: Literal["response.code_interpreter_call.completed"]


class CodeInterpreterCallCodeDeltaEvent(_ItemEvent):
    type: Literal["response.code_interpreter_call_code.delta"]
    delta: str = ""


class CodeInterpreterCallCodeDoneEvent(_ItemEvent):
    type: Literal["response.code_interpreter_call_code.done"]
    code: str = ""


class FusionCallInProgressEvent(_ItemEvent):
    type: Literal["response.fusion_call.in_progress"]


class FusionCallCompletedEvent(_ItemEvent):
    type: Literal["response.fusion_call.completed"]


class FusionCallPanelAddedEvent(_ItemEvent):
    type: Literal["response.fusion_call.panel.added"]
    model: str | None = None


class FusionCallPanelDeltaEvent(_ItemEvent):
    type: Literal["response.fusion_call.panel.delta"]
    model: str | None = None
    delta: str = ""


class FusionCallPanelReasoningDeltaEvent(_ItemEvent):
    type: Literal["response.fusion_call.panel.reasoning.delta"]
    model: str | None = None
    delta: str = ""


class FusionCallPanelCompletedEvent(_ItemEvent):
    type: Literal["response.fusion_call.panel.completed"]
    model: str | None = None
    content: str = ""


class FusionCallPanelFailedEvent(_ItemEvent):
    type: Literal["response.fusion_call.panel.failed"]
    model: str | None = None
    error: str | None = None
    status_code: int | None = None


class FusionCallAnalysisInProgressEvent(_ItemEvent):
    type: Literal["response.fusion_call.analysis.in_progress"]
    analyst_model: str | None = None
    judge_model: str | None = None


class FusionCallAnalysisCompletedEvent(_ItemEvent):
    type: Literal["response.fusion_call.analysis.completed"]
    analysis: dict[str, Any] | None = None


# --- Diagnostics ------------------------------------------------------------------------------


class DebugEvent(_Event):
    """``response.debug`` (requested with ``debug``): the upstream body and timings."""

    type: Literal["response.debug"]
    debug: dict[str, Any] = {}


# --- Anything else ----------------------------------------------------------------------------


class UnknownEvent(_Event):
    """An event this SDK cannot type: a new ``type`` (``response.keep_alive``...), a missing
    ``type`` (then ``type == ""``), or a known type whose fields had an unexpected shape.

    ``type`` is the real type; the other fields are kept as extras, and ``raw`` is the payload
    exactly as received. Type checkers see ``type`` as ``"<unknown>"`` (see ``UnknownTypeTag``),
    so that comparing ``event.type`` with a known type narrows ``StreamEvents`` to that class;
    find these events with ``isinstance(event, UnknownEvent)``.
    """

    if TYPE_CHECKING:
        type: UnknownTypeTag
    else:
        type: str = ""
    _raw: dict[str, Any] | None = PrivateAttr(default=None)

    @property
    def raw(self) -> dict[str, Any]:
        """The decoded JSON payload, unchanged."""
        if self._raw is not None:
            return self._raw
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "UnknownEvent":
        """Wrap any JSON object; never fails (fields of the wrong type only stay in ``raw``)."""
        tag = payload.get("type")
        seq = payload.get("sequence_number")
        # ``_fields_set`` is model_construct's own parameter; ``raw`` still has it.
        fields = {str(k): v for k, v in payload.items() if k != "_fields_set"}
        fields["type"] = tag if isinstance(tag, str) else ""
        if not (isinstance(seq, int) and not isinstance(seq, bool)):
            fields.pop("sequence_number", None)
        event = cls.model_construct(**fields)
        event._raw = payload
        return event


# The spec's 49, in the order of its ``discriminator.mapping``, then the extra error type.
_KNOWN: tuple[type[BaseModel], ...] = (
    ErrorEvent,
    ApplyPatchCallOperationDiffDeltaEvent,
    ApplyPatchCallOperationDiffDoneEvent,
    CodeInterpreterCallCodeDeltaEvent,
    CodeInterpreterCallCodeDoneEvent,
    CodeInterpreterCallCompletedEvent,
    CodeInterpreterCallInProgressEvent,
    CodeInterpreterCallInterpretingEvent,
    StreamEventsResponseCompleted,
    ContentPartAddedEvent,
    ContentPartDoneEvent,
    OpenResponsesCreatedEvent,
    CustomToolCallInputDeltaEvent,
    CustomToolCallInputDoneEvent,
    DebugEvent,
    StreamEventsResponseFailed,
    FunctionCallArgsDeltaEvent,
    FunctionCallArgsDoneEvent,
    FusionCallAnalysisCompletedEvent,
    FusionCallAnalysisInProgressEvent,
    FusionCallCompletedEvent,
    FusionCallInProgressEvent,
    FusionCallPanelAddedEvent,
    FusionCallPanelCompletedEvent,
    FusionCallPanelDeltaEvent,
    FusionCallPanelFailedEvent,
    FusionCallPanelReasoningDeltaEvent,
    ImageGenCallCompletedEvent,
    ImageGenCallGeneratingEvent,
    ImageGenCallInProgressEvent,
    ImageGenCallPartialImageEvent,
    OpenResponsesInProgressEvent,
    StreamEventsResponseIncomplete,
    StreamEventsResponseOutputItemAdded,
    StreamEventsResponseOutputItemDone,
    AnnotationAddedEvent,
    TextDeltaEvent,
    TextDoneEvent,
    ReasoningSummaryPartAddedEvent,
    ReasoningSummaryPartDoneEvent,
    ReasoningSummaryTextDeltaEvent,
    ReasoningSummaryTextDoneEvent,
    ReasoningDeltaEvent,
    ReasoningDoneEvent,
    RefusalDeltaEvent,
    RefusalDoneEvent,
    WebSearchCallCompletedEvent,
    WebSearchCallInProgressEvent,
    WebSearchCallSearchingEvent,
    ResponseErrorEvent,
)

EVENT_CLASSES: dict[str, type[BaseModel]] = {
    cls.model_fields["type"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in _KNOWN
}
"""``type`` -> class for every event type the decoder knows (the 49 of the spec and
``response.error``)."""

KNOWN_EVENT_TYPES: frozenset[str] = frozenset(EVENT_CLASSES)

StreamEvents: TypeAlias = (
    ErrorEvent
    | ApplyPatchCallOperationDiffDeltaEvent
    | ApplyPatchCallOperationDiffDoneEvent
    | CodeInterpreterCallCodeDeltaEvent
    | CodeInterpreterCallCodeDoneEvent
    | CodeInterpreterCallCompletedEvent
    | CodeInterpreterCallInProgressEvent
    | CodeInterpreterCallInterpretingEvent
    | StreamEventsResponseCompleted
    | ContentPartAddedEvent
    | ContentPartDoneEvent
    | OpenResponsesCreatedEvent
    | CustomToolCallInputDeltaEvent
    | CustomToolCallInputDoneEvent
    | DebugEvent
    | StreamEventsResponseFailed
    | FunctionCallArgsDeltaEvent
    | FunctionCallArgsDoneEvent
    | FusionCallAnalysisCompletedEvent
    | FusionCallAnalysisInProgressEvent
    | FusionCallCompletedEvent
    | FusionCallInProgressEvent
    | FusionCallPanelAddedEvent
    | FusionCallPanelCompletedEvent
    | FusionCallPanelDeltaEvent
    | FusionCallPanelFailedEvent
    | FusionCallPanelReasoningDeltaEvent
    | ImageGenCallCompletedEvent
    | ImageGenCallGeneratingEvent
    | ImageGenCallInProgressEvent
    | ImageGenCallPartialImageEvent
    | OpenResponsesInProgressEvent
    | StreamEventsResponseIncomplete
    | StreamEventsResponseOutputItemAdded
    | StreamEventsResponseOutputItemDone
    | AnnotationAddedEvent
    | TextDeltaEvent
    | TextDoneEvent
    | ReasoningSummaryPartAddedEvent
    | ReasoningSummaryPartDoneEvent
    | ReasoningSummaryTextDeltaEvent
    | ReasoningSummaryTextDoneEvent
    | ReasoningDeltaEvent
    | ReasoningDoneEvent
    | RefusalDeltaEvent
    | RefusalDoneEvent
    | WebSearchCallCompletedEvent
    | WebSearchCallInProgressEvent
    | WebSearchCallSearchingEvent
    | ResponseErrorEvent
    | UnknownEvent
)
"""Any event ``parse_event`` can return (use it in annotations; narrow on ``event.type``)."""

StreamEvent: TypeAlias = StreamEvents
"""Singular spelling of ``StreamEvents``."""


TERMINAL_EVENT_STATUS: Final[Mapping[str, str]] = {
    "response.completed": "completed",
    "response.incomplete": "incomplete",
    "response.failed": "failed",
}
"""The events that end a stream, and the response ``status`` each one carries."""

FAILURE_EVENT_TYPES: Final = frozenset({"response.failed", "error", "response.error"})
"""The events by which the server reports a failure inside a stream (the contract lists all
three shapes)."""


def terminal_event_for(
    result: OpenResponsesResult,
) -> StreamEventsResponseCompleted | StreamEventsResponseIncomplete | StreamEventsResponseFailed:
    """The terminal event a stream of ``result`` would have ended with (by its ``status``)."""
    # The events hold the lenient subclass; a strict result is re-read into it.
    snapshot = (
        result
        if isinstance(result, ResponseSnapshot)
        else ResponseSnapshot.model_validate(result.to_dict())
    )
    if result.status == "incomplete":
        return StreamEventsResponseIncomplete(type="response.incomplete", response=snapshot)
    if result.status == "failed":
        return StreamEventsResponseFailed(type="response.failed", response=snapshot)
    return StreamEventsResponseCompleted(type="response.completed", response=snapshot)


# --- Decoding ---------------------------------------------------------------------------------
#
# Measured on a 2-core box (CPython 3.11, pydantic 2.14), typical output_text.delta payload:
#   TypeAdapter(tagged union).validator.validate_json   ~1.3 us  <- used
#   json.loads + dict lookup + cls.model_validate         ~3.7 us
#   pydantic_core.from_json + TypeAdapter.validate_python ~2.3 us
#   json.loads + cls.model_construct (no validation)     ~5.0 us
# The tagged union parses and dispatches in Rust in one pass. Unknown types and bad shapes
# surface as a ValidationError and take the slow path below, which never fails on a JSON object.

#
# An event of megabytes (the terminal one repeats the whole answer) is parsed into Python
# objects first and validated from them: validate_json would hold a parsed copy of each long
# string besides the result, about a third more memory at the peak of a long answer.

_validate_json: Callable[[str | bytes], Any] | None = None
_validate_python: Callable[[Any], Any] | None = None
LONG_EVENT = 1 << 20


def _build_validator() -> Callable[[str | bytes], Any]:
    global _validate_json, _validate_python
    # Union over a runtime tuple of classes; the ``X | Y`` spelling cannot express that.
    members = Union[_KNOWN]  # type: ignore[valid-type]  # noqa: UP007
    union = Annotated[members, Field(discriminator="type")]
    adapter: TypeAdapter[Any] = TypeAdapter(union)
    _validate_python = adapter.validator.validate_python
    _validate_json = adapter.validator.validate_json
    return _validate_json


def event_validator() -> Callable[[str | bytes], Any]:
    """The validator of the known events alone: a known event's class from JSON data, or
    ``ValidationError`` for anything else (which ``parse_event`` then reads). For callers
    that decode every event of a stream and want the common case without a frame around it;
    data over ``LONG_EVENT`` bytes should go to ``parse_event`` (see above)."""
    return _validate_json or _build_validator()


def _validate_long(data: str | bytes, validate: Callable[[str | bytes], Any]) -> Any:
    from pydantic_core import from_json

    try:
        payload = from_json(data)
    except ValueError:  # not JSON, or nested too deeply: the usual path reports it
        return validate(data)
    assert _validate_python is not None
    return _validate_python(payload)


def parse_event(data: str | bytes) -> StreamEvents:
    """Decode the ``data`` of one SSE event into its typed class.

    A known ``type`` gives that class; an unknown or missing ``type``, or a known one with a
    field of an unexpected shape, gives ``UnknownEvent`` with the payload kept. Raises
    ``ValueError`` if ``data`` is not a JSON object.
    """
    validate = event_validator()
    try:
        if len(data) > LONG_EVENT:
            return _validate_long(data, validate)  # type: ignore[no-any-return]
        return validate(data)  # type: ignore[no-any-return]
    except ValidationError:
        pass
    try:
        payload = _json.loads(data)
    except _json.JSONNestingError:
        raise
    except ValueError:
        raise ValueError(f"stream event data is not valid JSON: {_preview(data)}") from None
    if not isinstance(payload, dict):
        raise ValueError(f"stream event data is not a JSON object: {_preview(data)}")
    return UnknownEvent.from_payload(payload)


def _preview(data: str | bytes) -> str:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    return repr(text[:80] + ("..." if len(text) > 80 else ""))
