"""``ResponseAccumulator``: rebuilds a response from stream events. Pure: no I/O.

The sync and async streams feed it every event. It keeps the latest response snapshot, builds
output items from the item/part/delta events, and stores the terminal event's response as the
authoritative result.

It never trusts the event order: items are keyed by ``output_index`` in dicts (a huge or
negative index costs nothing), parts by ``content_index``, and a delta for an item or part that
was never announced creates a placeholder. Duplicate ``*.added`` events update the item without
dropping what was accumulated; a duplicated delta is appended twice (the stream carries no id
that would tell a replay from a repeated token).

Per delta the cost is a comparison with the part the previous delta went to and a list append
(every 1,024 deltas are folded into one string, so a long answer costs about its characters);
text is joined only when asked for, and a part's ``*.done`` text replaces its deltas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter, ValidationError

from openrouter._models import BaseModel
from openrouter.components import (
    EVENT_CLASSES,
    TERMINAL_EVENT_STATUS,
    OpenResponsesResult,
    OutputItems,
    ResponsesErrorField,
    ResponseSnapshot,
    StreamEvents,
    UnknownEvent,
)

__all__ = ["ResponseAccumulator"]

_SNAPSHOT_TYPES = frozenset({"response.created", "response.in_progress", "response.queued"})

_items_adapter: TypeAdapter[list[Any]] | None = None


def _validate_items(items: list[Any]) -> list[Any]:
    global _items_adapter
    if _items_adapter is None:
        _items_adapter = TypeAdapter(list[OutputItems])
    return _items_adapter.validate_python(items)


class _Part:
    """One content part (or reasoning summary part) being streamed."""

    __slots__ = ("annotations", "base", "chunks", "done_text", "folded", "kind")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.base: dict[str, Any] | None = None  # from content_part.added / .done
        self.chunks: list[str] = []
        self.folded = 0  # how many leading entries of chunks are folded blocks (see _fold)
        self.done_text: str | None = None  # from *.done
        self.annotations: dict[int, Any] = {}

    def finish(self, text: str | None) -> None:
        """The part's ``*.done`` event: its whole text, which wins over the deltas."""
        self.done_text = text
        if text:  # the deltas are no longer needed; a hollow done keeps them
            self.chunks.clear()
            self.folded = 0

    def text_key(self) -> str:
        kind = self.base.get("type", self.kind) if self.base is not None else self.kind
        return "refusal" if kind == "refusal" else "text"

    def share(self, text: Any) -> None:
        """Hold ``text`` (an equal string from a later event) instead of the equal copies this
        part holds."""
        old = self.done_text
        if old is None or old is text or not isinstance(text, str) or old != text:
            return
        self.done_text = text
        if self.base is not None:
            key = self.text_key()
            if self.base.get(key) is old:
                self.base[key] = text

    def build(self) -> dict[str, Any]:
        part: dict[str, Any] = dict(self.base) if self.base is not None else {"type": self.kind}
        kind = part.get("type", self.kind)
        key = "refusal" if kind == "refusal" else "text"
        text = self.done_text or ("".join(self.chunks) if self.chunks else None)
        if text is not None and not part.get(key):
            part[key] = text
        elif key not in part:
            part[key] = ""
        if kind == "output_text":
            if self.annotations and not part.get("annotations"):
                part["annotations"] = [self.annotations[i] for i in sorted(self.annotations)]
            part.setdefault("annotations", [])
        return part


class _Item:
    """One output item being streamed."""

    __slots__ = (
        "args",
        "args_done",
        "done",
        "fields",
        "item",
        "item_id",
        "kind",
        "name",
        "parts",
        "summary",
    )

    def __init__(self, kind: str, item_id: str | None) -> None:
        self.kind = kind  # the type to use if no output_item event ever describes it
        self.item_id = item_id
        self.item: BaseModel | None = None  # latest from output_item.added / .done
        self.done = False
        self.parts: dict[int, _Part] = {}
        self.summary: dict[int, _Part] = {}
        self.args: list[str] = []
        self.args_done: str | None = None
        self.name: str | None = None
        # Other streamed string fields (custom tool input, interpreter code): name -> chunks.
        self.fields: dict[str, list[str]] = {}

    def part(self, index: int | None, kind: str) -> _Part:
        key = index if index is not None else 0
        part = self.parts.get(key)
        if part is None:
            part = self.parts[key] = _Part(kind)
        return part

    def summary_part(self, index: int | None) -> _Part:
        key = index if index is not None else 0
        part = self.summary.get(key)
        if part is None:
            part = self.summary[key] = _Part("summary_text")
        return part

    def has_stream_data(self) -> bool:
        return bool(
            self.parts or self.summary or self.args or self.args_done is not None or self.fields
        )

    def build(self) -> Any:
        """The item as a model (when an ``output_item`` event gave one and nothing needs filling
        in) or as a dict to validate."""
        if (
            self.item is not None
            and (self.done or not self.has_stream_data())
            and not self._needs_fill(self.item)
        ):
            return self.item
        data: dict[str, Any] = self.item.to_dict() if self.item is not None else {}
        data.setdefault("type", self.kind)
        if self.item_id is not None and "id" not in data:
            data["id"] = self.item_id
        kind = data["type"]
        if kind == "message":
            data.setdefault("role", "assistant")
        if self.parts and not data.get("content"):
            data["content"] = [self.parts[i].build() for i in sorted(self.parts)]
        if self.summary and not data.get("summary"):
            data["summary"] = [self.summary[i].build() for i in sorted(self.summary)]
        if kind == "reasoning":
            data.setdefault("summary", [])
        if self.args or self.args_done is not None:
            arguments = self.args_done if self.args_done is not None else "".join(self.args)
            if not data.get("arguments"):
                data["arguments"] = arguments
        if self.name and not data.get("name"):
            data["name"] = self.name
        for name, chunks in self.fields.items():
            if not data.get(name):
                data[name] = "".join(chunks)
        return data

    def _needs_fill(self, item: BaseModel) -> bool:
        # A done item is authoritative, unless it came hollow while deltas carried the
        # content: then the accumulated data fills it in rather than being thrown away.
        if self.parts and not getattr(item, "content", None):
            return True
        if self.summary and not getattr(item, "summary", None):
            return True
        if (self.args or self.args_done) and not getattr(item, "arguments", None):
            return True
        return any(not getattr(item, name, None) for name in self.fields)


_Handler = Callable[["ResponseAccumulator", Any], None]

# The end of a streamed part repeats its text in several events (the part's ``*.done``,
# ``content_part.done``, ``output_item.done``), each parsed into a string of its own. Equal
# strings are shared as they arrive (see ``_Part.share``), so a 20 MB answer is held about
# once, not four times, until the terminal event.
#
# A long text arrives as very many tiny deltas, and a str object costs ~50 bytes beyond its
# characters: every _FOLD deltas are joined into one block, so a 20 MB answer in 4-character
# deltas takes ~20 MB, not ~300 MB. Only the new deltas are joined (never the blocks), so the
# copying stays linear.
_FOLD = 1024


def _fold(chunks: list[str], folded: int) -> int:
    """Join the entries after the first ``folded`` blocks into one block; the new count."""
    chunks[folded:] = ["".join(chunks[folded:])]
    return folded + 1


class ResponseAccumulator:
    """Feed it every stream event; ask it for the response so far or the final one."""

    __slots__ = (
        "_built",
        "_by_id",
        "_items",
        "_last_delta",
        "_last_key",
        "_version",
        "error_event",
        "snapshot",
        "terminal_event",
        "terminal_response",
    )

    def __init__(self) -> None:
        self.snapshot: OpenResponsesResult | None = None
        """The latest response from ``response.created`` / ``response.in_progress``."""
        self.terminal_event: StreamEvents | None = None
        """The ``response.completed`` / ``.incomplete`` / ``.failed`` event, once it arrived."""
        self.terminal_response: OpenResponsesResult | None = None
        """The terminal event's response: the authoritative result."""
        self.error_event: StreamEvents | None = None
        """The first ``error`` / ``response.error`` event, if any."""
        self._items: dict[int, _Item] = {}
        self._by_id: dict[str, int] = {}
        self._last_key: int | None = None
        self._last_delta: tuple[int, int | None, _Part] | None = None
        self._version = 0
        self._built: tuple[int, OpenResponsesResult | None] | None = None

    # --- Feeding ------------------------------------------------------------------------------

    def feed(self, event: StreamEvents) -> None:
        """Take one event into account. Never raises on odd input."""
        self._version += 1
        # By class, not by ``type``: an UnknownEvent may carry a known type name.
        handler = _HANDLERS.get(event.__class__)
        if handler is not None:
            handler(self, event)

    def _item(self, output_index: int | None, item_id: str | None, kind: str) -> _Item:
        """The item an event refers to, created as a placeholder if it was never announced."""
        key = output_index
        if key is None:
            if item_id is not None:
                key = self._by_id.get(item_id)
            if key is None:
                # Neither index nor a known id: the item touched last, else a new one.
                key = self._last_key if self._last_key is not None else 0
                if item_id is not None and key in self._items:
                    key = max(self._items) + 1
        item = self._items.get(key)
        if item is None:
            item = self._items[key] = _Item(kind, item_id)
        if item_id is not None and item_id not in self._by_id:
            self._by_id[item_id] = key
        self._last_key = key
        return item

    def _on_snapshot(self, event: Any) -> None:
        self.snapshot = event.response

    def _on_terminal(self, event: Any) -> None:
        if self.terminal_event is None:
            self.terminal_event = event
            self.terminal_response = _with_status(event.response, event.type)

    def _on_error(self, event: Any) -> None:
        if self.error_event is None:
            self.error_event = event

    def _on_item(self, event: Any, done: bool) -> _Item:
        model = event.item
        item_id = getattr(model, "id", None) if model is not None else None
        item_id = item_id if isinstance(item_id, str) and item_id else None
        kind = getattr(model, "type", None) or "message"
        item = self._item(event.output_index, item_id, kind)
        if model is not None:
            item.item = model
        if done:
            item.done = True
        return item

    def _on_item_added(self, event: Any) -> None:
        self._on_item(event, False)

    def _on_item_done(self, event: Any) -> None:
        item = self._on_item(event, True)
        content = getattr(event.item, "content", None)
        if not isinstance(content, list) or not content:
            return
        for index, part in item.parts.items():
            if 0 <= index < len(content):
                part.share(getattr(content[index], part.text_key(), None))

    def _on_part(self, event: Any) -> None:
        part_model = event.part
        kind = getattr(part_model, "type", None) or "output_text"
        item = self._item(event.output_index, event.item_id, "message")
        part = item.part(event.content_index, kind)
        if part_model is not None:
            base = part.base = part_model.to_dict()
            key = part.text_key()
            if part.done_text is not None and base.get(key) == part.done_text:
                base[key] = part.done_text

    def _on_text_delta(self, event: Any) -> None:
        index = event.output_index
        content_index = event.content_index
        # Deltas come in long runs for one part: remember where the last one went (parts are
        # never replaced, so the remembered one stays right).
        last = self._last_delta
        if last is not None and last[0] == index and last[1] == content_index:
            part = last[2]
        else:
            item = self._items.get(index) if index is not None else None
            if item is None:
                item = self._item(index, event.item_id, "message")
            part = item.part(content_index, "output_text")
            if index is not None:
                self._last_delta = (index, content_index, part)
        chunks = part.chunks
        chunks.append(event.delta)
        if len(chunks) - part.folded >= _FOLD:
            part.folded = _fold(chunks, part.folded)

    def _on_text_done(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "message")
        item.part(event.content_index, "output_text").finish(event.text)

    def _on_annotation(self, event: Any) -> None:
        if event.annotation is None:
            return
        item = self._item(event.output_index, event.item_id, "message")
        part = item.part(event.content_index, "output_text")
        index = event.annotation_index
        part.annotations[index if index is not None else len(part.annotations)] = (
            event.annotation.to_dict()
        )

    def _on_refusal_delta(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "message")
        item.part(event.content_index, "refusal").chunks.append(event.delta)

    def _on_refusal_done(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "message")
        item.part(event.content_index, "refusal").finish(event.refusal)

    def _on_reasoning_delta(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "reasoning")
        item.part(event.content_index, "reasoning_text").chunks.append(event.delta)

    def _on_reasoning_done(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "reasoning")
        item.part(event.content_index, "reasoning_text").finish(event.text)

    def _on_summary_part(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "reasoning")
        part = item.summary_part(event.summary_index)
        if event.part is not None:
            part.base = event.part.to_dict()

    def _on_summary_delta(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "reasoning")
        item.summary_part(event.summary_index).chunks.append(event.delta)

    def _on_summary_done(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "reasoning")
        item.summary_part(event.summary_index).finish(event.text)

    def _on_args_delta(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "function_call")
        item.args.append(event.delta)

    def _on_args_done(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "function_call")
        item.args_done = event.arguments
        if event.name:
            item.name = event.name

    def _on_custom_input_delta(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "custom_tool_call")
        item.fields.setdefault("input", []).append(event.delta)

    def _on_custom_input_done(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "custom_tool_call")
        item.fields["input"] = [event.input]

    def _on_code_delta(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "code_interpreter_call")
        item.fields.setdefault("code", []).append(event.delta)

    def _on_code_done(self, event: Any) -> None:
        item = self._item(event.output_index, event.item_id, "code_interpreter_call")
        item.fields["code"] = [event.code]

    def _on_unknown(self, event: UnknownEvent) -> None:
        """A known lifecycle type whose payload did not fit its class still matters: read its
        response as leniently as possible."""
        event_type = event.type
        if event_type in TERMINAL_EVENT_STATUS or event_type in _SNAPSHOT_TYPES:
            response = _lenient_response(event.raw.get("response"))
            if response is None and event_type in TERMINAL_EVENT_STATUS:
                base = self.snapshot or ResponseSnapshot()
                response = base.model_copy(update={"status": TERMINAL_EVENT_STATUS[event_type]})
            if response is None:
                return
            if event_type in TERMINAL_EVENT_STATUS:
                if self.terminal_event is None:
                    self.terminal_event = event
                    self.terminal_response = _with_status(response, event_type)
            else:
                self.snapshot = response
        elif event_type in ("error", "response.error") and self.error_event is None:
            self.error_event = event

    # --- Results ------------------------------------------------------------------------------

    def final_response(self) -> OpenResponsesResult | None:
        """The terminal event's response (with the accumulated output filled in if it came
        with none); without a terminal event, the latest snapshot with the accumulated output
        (its status as last seen); ``None`` if nothing arrived."""
        built = self._built
        if built is not None and built[0] == self._version:
            return built[1]
        result = self._assemble()
        self._built = (self._version, result)
        return result

    def partial_response(self) -> OpenResponsesResult | None:
        """What arrived so far, for error reports (same as ``final_response``)."""
        try:
            return self.final_response()
        except Exception:  # an error report must not fail while being built
            return self.terminal_response or self.snapshot

    def _assemble(self) -> OpenResponsesResult | None:
        output = self._output()
        terminal = self.terminal_response
        if terminal is not None:
            if not terminal.output and output:
                return terminal.model_copy(update={"output": output})
            return terminal
        base = self.snapshot
        if base is None:
            if not self._items and self.error_event is None:
                return None
            base = ResponseSnapshot()
        update: dict[str, Any] = {}
        if output:
            update["output"] = output
        error = self.error_event
        if error is not None and base.error is None:
            code = getattr(error, "error_code", None)
            message = getattr(error, "error_message", None)
            if code is not None or message is not None:
                update["error"] = ResponsesErrorField(code=code, message=message)
        return base.model_copy(update=update) if update else base

    def _output(self) -> list[Any]:
        if not self._items:
            return []
        built = [self._items[key].build() for key in sorted(self._items)]
        if all(isinstance(item, BaseModel) for item in built):
            return built
        try:
            return _validate_items(built)
        except ValidationError:  # pragma: no cover - the item union falls back, never fails
            return [item for item in built if isinstance(item, BaseModel)]


def _with_status(response: OpenResponsesResult, event_type: str) -> OpenResponsesResult:
    """A terminal response that left out ``status`` gets the one its event type implies."""
    if "status" in response.model_fields_set:
        return response
    return response.model_copy(update={"status": TERMINAL_EVENT_STATUS[event_type]})


def _lenient_response(data: Any) -> OpenResponsesResult | None:
    if not isinstance(data, dict):
        return None
    try:
        return ResponseSnapshot.model_validate(data)
    except ValidationError:
        return None


_HANDLERS_BY_TYPE: dict[str, _Handler] = {
    "response.created": ResponseAccumulator._on_snapshot,
    "response.in_progress": ResponseAccumulator._on_snapshot,
    "response.completed": ResponseAccumulator._on_terminal,
    "response.incomplete": ResponseAccumulator._on_terminal,
    "response.failed": ResponseAccumulator._on_terminal,
    "error": ResponseAccumulator._on_error,
    "response.error": ResponseAccumulator._on_error,
    "response.output_item.added": ResponseAccumulator._on_item_added,
    "response.output_item.done": ResponseAccumulator._on_item_done,
    "response.content_part.added": ResponseAccumulator._on_part,
    "response.content_part.done": ResponseAccumulator._on_part,
    "response.output_text.delta": ResponseAccumulator._on_text_delta,
    "response.output_text.done": ResponseAccumulator._on_text_done,
    "response.output_text.annotation.added": ResponseAccumulator._on_annotation,
    "response.refusal.delta": ResponseAccumulator._on_refusal_delta,
    "response.refusal.done": ResponseAccumulator._on_refusal_done,
    "response.reasoning_text.delta": ResponseAccumulator._on_reasoning_delta,
    "response.reasoning_text.done": ResponseAccumulator._on_reasoning_done,
    "response.reasoning_summary_part.added": ResponseAccumulator._on_summary_part,
    "response.reasoning_summary_part.done": ResponseAccumulator._on_summary_part,
    "response.reasoning_summary_text.delta": ResponseAccumulator._on_summary_delta,
    "response.reasoning_summary_text.done": ResponseAccumulator._on_summary_done,
    "response.function_call_arguments.delta": ResponseAccumulator._on_args_delta,
    "response.function_call_arguments.done": ResponseAccumulator._on_args_done,
    "response.custom_tool_call_input.delta": ResponseAccumulator._on_custom_input_delta,
    "response.custom_tool_call_input.done": ResponseAccumulator._on_custom_input_done,
    "response.code_interpreter_call_code.delta": ResponseAccumulator._on_code_delta,
    "response.code_interpreter_call_code.done": ResponseAccumulator._on_code_done,
}

_HANDLERS: dict[type, _Handler] = {
    EVENT_CLASSES[name]: handler for name, handler in _HANDLERS_BY_TYPE.items()
}
_HANDLERS[UnknownEvent] = ResponseAccumulator._on_unknown
