"""What the emulator answers: scripted ``Reply`` objects and their output items.

Everything here is an immutable value; the emulator renders a ``Reply`` into the JSON result or
the SSE event sequence of the Responses API at request time (ids, model and usage are only known
then). Nothing here touches the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from typing_extensions import TypedDict, Unpack

    class ReplyOptions(TypedDict, total=False):
        """Keyword options every ``Reply`` constructor accepts (see the ``Reply`` fields)."""

        model: str | None
        usage: Mapping[str, Any] | None
        extra: Mapping[str, Any] | None
        headers: Mapping[str, str] | None
        unavailable_models: Iterable[str]
        delta_size: int | None
        keepalive: int | None
        keepalive_every: int | None
        warmup: float
        keepalive_interval: float
        drop_after: int | None
        stall_between: float
        stall_after: int | None
        error_event_after: int | None
        error_event_shape: ErrorEventShape
        error_event_code: str | int | None
        error_event_message: str
        unknown_event_after: int | None
        unknown_event: Mapping[str, Any] | None
        malformed_after: int | None

    class AllReplyOptions(ReplyOptions, total=False):
        """What ``with_options`` can change: the options plus the result's outcome."""

        status: Literal["completed", "incomplete", "failed"]
        incomplete_reason: str
        error_code: str
        error_message: str


__all__ = [
    "Citation",
    "ErrorEventShape",
    "FunctionCall",
    "ImageGenerationCall",
    "Message",
    "OutputItem",
    "OutputText",
    "RawItem",
    "Reasoning",
    "Refusal",
    "Reply",
    "WebSearchCall",
]

ErrorEventShape = Literal["flat", "nested", "response.error"]
ReplyStatus = Literal["completed", "incomplete", "failed"]


# -- output items ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """A ``url_citation`` annotation; ``Reply.web_search`` appends ``[title](url)`` for it."""

    url: str
    title: str


@dataclass(frozen=True)
class OutputText:
    """An ``output_text`` content part.

    ``annotations`` are output as given (dicts in the API's shape). ``chunks``, when set, are
    the exact text deltas to stream (they must join to ``text``); otherwise the text is cut
    into ``delta_size`` pieces.
    """

    text: str
    annotations: Sequence[Mapping[str, Any]] = ()
    chunks: Sequence[str] | None = None

    def __post_init__(self) -> None:
        if self.chunks is not None and "".join(self.chunks) != self.text:
            raise ValueError("OutputText.chunks must join to OutputText.text")


@dataclass(frozen=True)
class Refusal:
    """A ``refusal`` content part."""

    refusal: str


@dataclass(frozen=True)
class Message:
    """An assistant ``message`` output item; strings in ``content`` become ``OutputText``."""

    content: Sequence[OutputText | Refusal | str] = ()
    phase: Literal["commentary", "final_answer"] | None = None

    def parts(self) -> list[OutputText | Refusal]:
        return [OutputText(p) if isinstance(p, str) else p for p in self.content]


@dataclass(frozen=True)
class Reasoning:
    """A ``reasoning`` output item: reasoning text, summary parts and/or encrypted content."""

    text: str | None = None
    summary: Sequence[str] | str = ()
    encrypted_content: str | None = None

    def summaries(self) -> list[str]:
        return [self.summary] if isinstance(self.summary, str) else list(self.summary)


@dataclass(frozen=True)
class FunctionCall:
    """A ``function_call`` output item; ``arguments`` may be a dict (JSON-encoded for you)."""

    name: str
    arguments: Mapping[str, Any] | str = "{}"
    call_id: str | None = None

    @property
    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class WebSearchCall:
    """A ``web_search_call`` output item (``action.type == "search"``)."""

    query: str
    sources: Sequence[str] = ()


@dataclass(frozen=True)
class ImageGenerationCall:
    """An ``image_generation_call`` output item; ``result`` is the base64 image."""

    result: str
    partial_images: int = 1


@dataclass(frozen=True)
class RawItem:
    """Any other output item, sent verbatim (``output_item.added`` / ``.done`` only)."""

    item: Mapping[str, Any]


OutputItem = Message | Reasoning | FunctionCall | WebSearchCall | ImageGenerationCall | RawItem
ItemLike = OutputItem | str | Mapping[str, Any]


def normalize_item(item: ItemLike) -> OutputItem:
    """``str`` -> a text ``Message``; a mapping -> ``RawItem``."""
    if isinstance(item, str):
        return Message((OutputText(item),))
    if isinstance(item, Mapping):
        return RawItem(item)
    return item


# -- replies ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One scripted answer, rendered as JSON or as a stream depending on the request.

    Build it with the classmethods (``Reply.text("hi")``, ``Reply.function_call(...)``, ...),
    combine with ``+`` (items are concatenated; options come from the left operand unless left
    at their defaults), or construct it directly for full control. Every classmethod accepts the
    keyword options below, and ``reply.with_options(...)`` returns a changed copy.

    Result options:
        status: ``"completed"``, ``"incomplete"`` or ``"failed"``.
        incomplete_reason: ``incomplete_details.reason`` for incomplete replies.
        error_code / error_message: the ``error`` of a failed response.
        model: the ``model`` to report, overriding the one resolved from the request.
        usage: keys merged over the computed ``usage``.
        extra: extra top-level keys merged into the result (e.g. unknown future fields).
        headers: extra HTTP response headers.
        unavailable_models: models treated as unavailable for this request (``models`` fallback).

    Stream options (ignored for non-streaming requests; ``None`` means the emulator's default):
        delta_size: characters per text/argument delta.
        keepalive: ``: OPENROUTER PROCESSING`` comment lines sent before the first event.
        keepalive_every: one such comment after every N events.
        warmup: seconds of silence before the first event; with ``keepalive_interval`` > 0 a
            comment is sent every ``keepalive_interval`` seconds meanwhile.
        drop_after: close the connection abruptly after N events (no terminal chunk).
        stall_between: seconds to pause after each event, or only after event
            ``stall_after`` when that is set.
        error_event_after: after N events send an error event (``error_event_shape``: ``"flat"``
            ``{"type": "error", "code", "message"}``, ``"nested"`` ``{"type": "error",
            "error": {...}}`` or ``"response.error"``) and end the stream there.
        unknown_event_after: after N events insert ``unknown_event`` (default
            ``{"type": "response.future_thing", "foo": 1}``); the stream then goes on.
        malformed_after: after N events insert one event whose data is not valid JSON; the
            stream then goes on.
    Counts include the events inserted by these options.
    """

    items: Sequence[ItemLike] = ()
    status: ReplyStatus = "completed"
    incomplete_reason: str = "max_output_tokens"
    error_code: str = "server_error"
    error_message: str = "The model failed to produce a response."
    model: str | None = None
    usage: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    unavailable_models: Iterable[str] = frozenset()
    # Stream options.
    delta_size: int | None = None
    keepalive: int | None = None
    keepalive_every: int | None = None
    warmup: float = 0.0
    keepalive_interval: float = 0.0
    drop_after: int | None = None
    stall_between: float = 0.0
    stall_after: int | None = None
    error_event_after: int | None = None
    error_event_shape: ErrorEventShape = "flat"
    error_event_code: str | int | None = "server_error"
    error_event_message: str = "Upstream provider error"
    unknown_event_after: int | None = None
    unknown_event: Mapping[str, Any] | None = None
    malformed_after: int | None = None

    def __post_init__(self) -> None:
        if self.status not in ("completed", "incomplete", "failed"):
            raise ValueError(f"unknown reply status {self.status!r}")
        if self.delta_size is not None and self.delta_size < 1:
            raise ValueError("delta_size must be >= 1")
        if self.error_event_shape not in ("flat", "nested", "response.error"):
            raise ValueError(f"unknown error_event_shape {self.error_event_shape!r}")
        # Normalize once so rendering (which runs per request) does no conversions.
        object.__setattr__(self, "items", tuple(normalize_item(i) for i in self.items))
        object.__setattr__(self, "unavailable_models", frozenset(self.unavailable_models))

    @property
    def output_items(self) -> tuple[OutputItem, ...]:
        return self.items  # type: ignore[return-value]  # normalized in __post_init__

    def with_options(self, **options: Unpack[AllReplyOptions]) -> Reply:
        """A copy with the given options changed."""
        return replace(self, **options)

    def __add__(self, other: Reply) -> Reply:
        if not isinstance(other, Reply):
            return NotImplemented
        changes: dict[str, Any] = {"items": (*self.output_items, *other.output_items)}
        for f in fields(self):
            if f.name == "items":
                continue
            mine = getattr(self, f.name)
            if mine == f.default or (f.name == "unavailable_models" and not mine):
                changes[f.name] = getattr(other, f.name)
        if self.status == "failed" or other.status == "failed":
            changes["status"] = "failed"
        elif "incomplete" in (self.status, other.status):
            changes["status"] = "incomplete"
        return replace(self, **changes)

    # -- builders ----------------------------------------------------------------------------

    @classmethod
    def text(
        cls,
        text: str | Sequence[str],
        *,
        annotations: Sequence[Mapping[str, Any]] = (),
        **options: Unpack[ReplyOptions],
    ) -> Reply:
        """An assistant message with one ``output_text`` part.

        Pass a list of strings to fix the exact stream deltas, or ``delta_size=N`` to cut the
        text into N-character deltas (``Reply.text("x" * 20_000, delta_size=1)`` streams
        20,000 deltas).
        """
        if isinstance(text, str):
            part = OutputText(text, annotations)
        else:
            chunks = tuple(text)
            part = OutputText("".join(chunks), annotations, chunks)
        return cls(items=(Message((part,)),), **options)

    @classmethod
    def reasoning(
        cls,
        text: str | None = None,
        *,
        summary: Sequence[str] | str = (),
        encrypted_content: str | None = None,
        answer: str | None = None,
        **options: Unpack[ReplyOptions],
    ) -> Reply:
        """A ``reasoning`` item, followed by an assistant message when ``answer`` is given."""
        items: list[OutputItem] = [Reasoning(text, summary, encrypted_content)]
        if answer is not None:
            items.append(Message((OutputText(answer),)))
        return cls(items=items, **options)

    @classmethod
    def function_call(
        cls,
        name: str,
        arguments: Mapping[str, Any] | str = "{}",
        call_id: str | None = None,
        **options: Unpack[ReplyOptions],
    ) -> Reply:
        """One ``function_call`` item; add replies (``+``) or use ``function_calls`` for more."""
        return cls(items=(FunctionCall(name, arguments, call_id),), **options)

    @classmethod
    def function_calls(
        cls,
        *calls: FunctionCall | tuple[str, Mapping[str, Any] | str],
        **options: Unpack[ReplyOptions],
    ) -> Reply:
        """Several ``function_call`` items in one reply (parallel tool calls)."""
        items = [c if isinstance(c, FunctionCall) else FunctionCall(c[0], c[1]) for c in calls]
        return cls(items=items, **options)

    @classmethod
    def refusal(cls, text: str, **options: Unpack[ReplyOptions]) -> Reply:
        """An assistant message whose only part is a ``refusal``."""
        return cls(items=(Message((Refusal(text),)),), **options)

    @classmethod
    def web_search(
        cls,
        query: str,
        text: str,
        citations: Sequence[Citation | tuple[str, str]] = (),
        **options: Unpack[ReplyOptions],
    ) -> Reply:
        """A ``web_search_call`` item, then a message citing each ``(url, title)``.

        Each citation is appended to ``text`` as `` [title](url)`` and annotated as a
        ``url_citation`` whose ``start_index``/``end_index`` (code-point offsets into the
        ``output_text``) cover exactly that link.
        """
        cites = [c if isinstance(c, Citation) else Citation(c[0], c[1]) for c in citations]
        body = text
        annotations: list[dict[str, Any]] = []
        for cite in cites:
            link = f"[{cite.title}]({cite.url})"
            body += " "
            start = len(body)
            body += link
            annotations.append(
                {
                    "type": "url_citation",
                    "url": cite.url,
                    "title": cite.title,
                    "start_index": start,
                    "end_index": start + len(link),
                }
            )
        items: list[OutputItem] = [
            WebSearchCall(query, tuple(c.url for c in cites)),
            Message((OutputText(body, tuple(annotations)),)),
        ]
        return cls(items=items, **options)

    @classmethod
    def image(
        cls,
        b64_png: str,
        *,
        partial_images: int = 1,
        text: str | None = None,
        **options: Unpack[ReplyOptions],
    ) -> Reply:
        """An ``image_generation_call`` item (and a message when ``text`` is given)."""
        items: list[OutputItem] = [ImageGenerationCall(b64_png, partial_images)]
        if text is not None:
            items.append(Message((OutputText(text),)))
        return cls(items=items, **options)

    @classmethod
    def incomplete(
        cls,
        text: str,
        reason: Literal["max_output_tokens", "content_filter"] | str = "max_output_tokens",
        **options: Unpack[ReplyOptions],
    ) -> Reply:
        """A response cut short: status ``incomplete`` with ``incomplete_details.reason``."""
        return cls(
            items=(Message((OutputText(text),)),),
            status="incomplete",
            incomplete_reason=reason,
            **options,
        )

    @classmethod
    def failed(
        cls,
        code: str = "server_error",
        message: str = "The model failed to produce a response.",
        *,
        text: str | None = None,
        **options: Unpack[ReplyOptions],
    ) -> Reply:
        """A ``failed`` response (``response.failed`` when streamed) with ``error``.

        ``text``, when given, is the partial output produced before the failure.
        """
        items = (Message((OutputText(text),)),) if text is not None else ()
        return cls(items=items, status="failed", error_code=code, error_message=message, **options)
