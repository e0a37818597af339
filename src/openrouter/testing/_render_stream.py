"""Turn a rendered ``Reply`` into the Responses API's SSE event sequence.

The stream is rendered lazily, as the server takes its ready-to-send SSE text pieces (plus
``Pause`` / ``Drop`` markers for the timing faults) and writes them in large chunks: a stream
of millions of deltas costs a batch of pieces at a time, not the whole stream. Text
deltas, the only events that come by the thousand, are formatted from string templates rather
than ``json.dumps`` of a dict each.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from openrouter.testing._http import DROP, Pause, Piece
from openrouter.testing._render_result import (
    Rendered,
    dumps,
    dumps_pieces,
    has_long_string,
    part_dict,
)
from openrouter.testing._replies import (
    FunctionCall,
    ImageGenerationCall,
    Message,
    OutputItem,
    OutputText,
    RawItem,
    Reasoning,
    Refusal,
    Reply,
    WebSearchCall,
)

__all__ = ["StreamSettings", "render_stream"]

KEEPALIVE = ": OPENROUTER PROCESSING\n\n"
DONE = "data: [DONE]\n\n"
_DEFAULT_UNKNOWN: Mapping[str, Any] = {"type": "response.future_thing", "foo": 1}
# Delta pieces handed to the writer at a time: few enough that a long text's stream is
# never held whole, enough that the hand-over costs nothing per delta.
_BATCH = 256


@dataclass(frozen=True)
class StreamSettings:
    """The emulator-wide stream defaults a ``Reply`` falls back to."""

    delta_size: int = 6
    keepalive: int = 0
    keepalive_every: int = 0


@dataclass(frozen=True)
class _Options:
    delta_size: int
    keepalive: int
    keepalive_every: int
    warmup: float
    keepalive_interval: float
    drop_after: int | None
    stall_between: float
    stall_after: int | None
    error_event_after: int | None
    error_event_shape: str
    error_event_code: str | int | None
    error_event_message: str
    unknown_event_after: int | None
    unknown_event: Mapping[str, Any]
    malformed_after: int | None


def _resolve(reply: Reply, defaults: StreamSettings) -> _Options:
    return _Options(
        delta_size=reply.delta_size or defaults.delta_size,
        keepalive=defaults.keepalive if reply.keepalive is None else reply.keepalive,
        keepalive_every=(
            defaults.keepalive_every if reply.keepalive_every is None else reply.keepalive_every
        ),
        warmup=reply.warmup,
        keepalive_interval=reply.keepalive_interval,
        drop_after=reply.drop_after,
        stall_between=reply.stall_between,
        stall_after=reply.stall_after,
        error_event_after=reply.error_event_after,
        error_event_shape=reply.error_event_shape,
        error_event_code=reply.error_event_code,
        error_event_message=reply.error_event_message,
        unknown_event_after=reply.unknown_event_after,
        unknown_event=reply.unknown_event or _DEFAULT_UNKNOWN,
        malformed_after=reply.malformed_after,
    )


class _Sink:
    """Collects SSE pieces, numbering events and applying the reply's stream faults."""

    def __init__(self, opts: _Options, long_strings: bool = False) -> None:
        self.opts = opts
        # The reply holds a text of megabytes, which some events repeat: those are encoded in
        # pieces (see dumps_pieces).
        self.long_strings = long_strings
        self.out: list[Piece] = []
        self.seq = 0
        self.count = 0
        self.closed = False  # nothing more may be sent (dropped, or ended by an error event)
        self._pending = {
            name: after
            for name, after in (
                ("unknown", opts.unknown_event_after),
                ("malformed", opts.malformed_after),
                ("error", opts.error_event_after),
                ("drop", opts.drop_after),
            )
            if after is not None
        }
        self._per_event = bool(opts.keepalive_every) or (
            opts.stall_between > 0 and opts.stall_after is None
        )
        self._stall_once = opts.stall_after if opts.stall_between > 0 else None
        self._next = min(self._trigger_points(), default=None)

    def _trigger_points(self) -> list[int]:
        points = list(self._pending.values())
        if self._stall_once is not None:
            points.append(self._stall_once)
        return points

    # Emission -------------------------------------------------------------------------------

    def drain(self) -> list[Piece]:
        """The pieces collected so far, handed over: the sink starts a new list."""
        out, self.out = self.out, []
        return out

    def event(self, kind: str, fields: Mapping[str, Any]) -> Iterable[Piece]:
        """One event, and whatever it sets off: the pieces to send now."""
        if self.closed:
            return self.drain()
        payload = {"type": kind, "sequence_number": self.seq}
        payload.update(fields)
        if not self.long_strings:
            self.out.append(f"data: {dumps(payload)}\n\n")
            self._advance()
            return self.drain()
        # Encoded as it is written: what the event sets off goes after it.
        before = self.drain()
        self._advance()
        after = self.drain()
        return itertools.chain(before, ("data: ",), dumps_pieces(payload), ("\n\n",), after)

    def deltas(self, head: str, tail: str, chunks: Iterable[str]) -> Iterator[Piece]:
        """A delta event per chunk, handed over in batches."""
        delta = self.delta
        for chunk in chunks:
            delta(head, chunk, tail)
            if len(self.out) >= _BATCH:
                yield from self.drain()
        yield from self.drain()

    def delta(self, head: str, chunk: str, tail: str) -> None:
        """A templated event: ``head`` + sequence number + ``tail`` around the JSON delta."""
        if self.closed:
            return
        self.out.append(f"{head}{self.seq}{tail}{encode_basestring(chunk)}}}\n\n")
        self._advance()

    def _advance(self) -> None:
        self.seq += 1
        self.count += 1
        if self._per_event or (self._next is not None and self.count >= self._next):
            self._after_event()

    def _inject(self, text: str, numbered: bool = True) -> None:
        self.out.append(text)
        if numbered:
            self.seq += 1
        self.count += 1

    def _after_event(self) -> None:
        opts = self.opts
        count = self.count
        if opts.keepalive_every and count % opts.keepalive_every == 0:
            self.out.append(KEEPALIVE)
        if opts.stall_between > 0 and (
            opts.stall_after is None or (self._stall_once is not None and count >= self._stall_once)
        ):
            self.out.append(Pause(opts.stall_between))
            if opts.stall_after is not None:
                self._stall_once = None
        self.fire_due()

    def fire_due(self) -> None:
        """Apply every fault whose event count has been reached (``0``: before any event)."""
        fired = True
        while fired and not self.closed:
            fired = False
            for name, after in list(self._pending.items()):
                if self.count >= after:
                    del self._pending[name]
                    self._fire(name)
                    fired = True
                    break
        self._next = min(self._trigger_points(), default=None)

    def _fire(self, name: str) -> None:
        opts = self.opts
        if name == "unknown":
            payload = {**opts.unknown_event, "sequence_number": self.seq}
            self._inject(f"data: {dumps(payload)}\n\n")
        elif name == "malformed":
            # Truncated JSON, as a broken proxy might forward it; takes no sequence number.
            self._inject(
                'data: {"type":"response.output_text.delta","sequence_number":'
                f'{self.seq},"delta":"unterminat\n\n',
                numbered=False,
            )
        elif name == "error":
            self._inject(f"data: {dumps(self._error_event())}\n\n")
            self.out.append(DONE)
            self.closed = True
        elif name == "drop":
            self.out.append(DROP)
            self.closed = True

    def _error_event(self) -> dict[str, Any]:
        opts = self.opts
        if opts.error_event_shape == "flat":
            return {
                "type": "error",
                "sequence_number": self.seq,
                "code": opts.error_event_code,
                "message": opts.error_event_message,
                "param": None,
            }
        return {
            "type": "error" if opts.error_event_shape == "nested" else "response.error",
            "sequence_number": self.seq,
            "error": {"code": opts.error_event_code, "message": opts.error_event_message},
        }


def _split(text: str, size: int, chunks: Sequence[str] | None = None) -> Iterable[str]:
    """The deltas of ``text``: ``chunks`` if given, else ``size``-character slices, cut as
    they are sent (a long text is never held as a list of slices)."""
    if chunks is not None:
        return chunks
    if len(text) <= size:
        return (text,) if text else ()
    return (text[i : i + size] for i in range(0, len(text), size))


def _heads(kind: str, item_id: str, index: int, sub_key: str | None, sub: int) -> tuple[str, str]:
    """The fixed text before and after the sequence number of a delta event."""
    head = f'data: {{"type":"{kind}","sequence_number":'
    tail = f',"item_id":{encode_basestring(item_id)},"output_index":{index}'
    if sub_key is not None:
        tail += f',"{sub_key}":{sub}'
    if kind == "response.output_text.delta":
        tail = tail + ',"logprobs":[],"delta":'
    else:
        tail += ',"delta":'
    return head, tail


def render_stream(rendered: Rendered, reply: Reply, defaults: StreamSettings) -> Iterator[Piece]:
    """The SSE pieces for ``rendered``: comments, events, fault markers and ``[DONE]``,
    rendered as they are taken (the stream of a long text is never held whole)."""
    opts = _resolve(reply, defaults)
    result = rendered.result
    sink = _Sink(opts, has_long_string(result))

    yield from [KEEPALIVE] * opts.keepalive
    if opts.warmup > 0:
        if opts.keepalive_interval > 0:
            left = opts.warmup
            while left > 1e-9:
                step = min(opts.keepalive_interval, left)
                yield Pause(step)
                yield KEEPALIVE
                left -= step
        else:
            yield Pause(opts.warmup)

    # The opening snapshots: nothing produced yet, and no usage (the spec does not allow null).
    snapshot = {
        **result,
        "status": "in_progress",
        "completed_at": None,
        "output": [],
        "output_text": "",
        "error": None,
        "incomplete_details": None,
    }
    del snapshot["usage"]
    sink.fire_due()
    yield from sink.event("response.created", {"response": snapshot})
    yield from sink.event("response.in_progress", {"response": snapshot})

    for index, (item, final) in enumerate(rendered.items):
        yield from _stream_item(sink, index, item, final, opts.delta_size)

    terminal = {
        "completed": "response.completed",
        "incomplete": "response.incomplete",
        "failed": "response.failed",
    }[reply.status]
    yield from sink.event(terminal, {"response": result})
    if not sink.closed:
        yield DONE


def _stream_item(
    sink: _Sink, index: int, item: OutputItem, final: dict[str, Any], size: int
) -> Iterator[Piece]:
    item_id = str(final.get("id", ""))
    where = {"item_id": item_id, "output_index": index}

    if isinstance(item, RawItem):
        yield from sink.event("response.output_item.added", {"output_index": index, "item": final})
        yield from sink.event("response.output_item.done", {"output_index": index, "item": final})
        return

    added = {k: v for k, v in final.items() if k not in ("action", "encrypted_content")}
    added["status"] = "in_progress"
    if isinstance(item, Message):
        added["content"] = []
    elif isinstance(item, Reasoning):
        added["summary"] = []
        added.pop("content", None)
    elif isinstance(item, FunctionCall):
        added["arguments"] = ""
    elif isinstance(item, ImageGenerationCall):
        added["result"] = None
    yield from sink.event("response.output_item.added", {"output_index": index, "item": added})

    if isinstance(item, Message):
        for content_index, part in enumerate(item.parts()):
            yield from _stream_part(sink, where, content_index, part, size)
    elif isinstance(item, Reasoning):
        if item.text is not None:
            part_where = {**where, "content_index": 0}
            empty = {"type": "reasoning_text", "text": ""}
            yield from sink.event("response.content_part.added", {**part_where, "part": empty})
            head, tail = _heads("response.reasoning_text.delta", item_id, index, "content_index", 0)
            yield from sink.deltas(head, tail, _split(item.text, size))
            yield from sink.event("response.reasoning_text.done", {**part_where, "text": item.text})
            full = {"type": "reasoning_text", "text": item.text}
            yield from sink.event("response.content_part.done", {**part_where, "part": full})
        for summary_index, text in enumerate(item.summaries()):
            sum_where = {**where, "summary_index": summary_index}
            yield from sink.event(
                "response.reasoning_summary_part.added",
                {**sum_where, "part": {"type": "summary_text", "text": ""}},
            )
            head, tail = _heads(
                "response.reasoning_summary_text.delta",
                item_id,
                index,
                "summary_index",
                summary_index,
            )
            yield from sink.deltas(head, tail, _split(text, size))
            yield from sink.event(
                "response.reasoning_summary_text.done", {**sum_where, "text": text}
            )
            yield from sink.event(
                "response.reasoning_summary_part.done",
                {**sum_where, "part": {"type": "summary_text", "text": text}},
            )
    elif isinstance(item, FunctionCall):
        arguments = item.arguments_json
        head, tail = _heads("response.function_call_arguments.delta", item_id, index, None, 0)
        yield from sink.deltas(head, tail, _split(arguments, size))
        yield from sink.event(
            "response.function_call_arguments.done",
            {**where, "name": item.name, "arguments": arguments},
        )
    elif isinstance(item, WebSearchCall):
        for phase in ("in_progress", "searching", "completed"):
            yield from sink.event(f"response.web_search_call.{phase}", where)
    elif isinstance(item, ImageGenerationCall):
        yield from sink.event("response.image_generation_call.in_progress", where)
        yield from sink.event("response.image_generation_call.generating", where)
        for partial in range(item.partial_images):
            yield from sink.event(
                "response.image_generation_call.partial_image",
                {**where, "partial_image_index": partial, "partial_image_b64": item.result},
            )
        yield from sink.event("response.image_generation_call.completed", where)

    yield from sink.event("response.output_item.done", {"output_index": index, "item": final})


def _stream_part(
    sink: _Sink, where: dict[str, Any], content_index: int, part: OutputText | Refusal, size: int
) -> Iterator[Piece]:
    part_where = {**where, "content_index": content_index}
    item_id = str(where["item_id"])
    index = int(where["output_index"])
    if isinstance(part, Refusal):
        yield from sink.event(
            "response.content_part.added",
            {**part_where, "part": {"type": "refusal", "refusal": ""}},
        )
        head, tail = _heads(
            "response.refusal.delta", item_id, index, "content_index", content_index
        )
        yield from sink.deltas(head, tail, _split(part.refusal, size))
        yield from sink.event("response.refusal.done", {**part_where, "refusal": part.refusal})
        yield from sink.event("response.content_part.done", {**part_where, "part": part_dict(part)})
        return

    empty = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
    yield from sink.event("response.content_part.added", {**part_where, "part": empty})
    head, tail = _heads(
        "response.output_text.delta", item_id, index, "content_index", content_index
    )
    # Each annotation is announced once the text it covers has been sent.
    waiting = sorted(enumerate(part.annotations), key=lambda a: int(a[1].get("end_index", 0)))
    chunks = _split(part.text, size, part.chunks)
    if not waiting:
        yield from sink.deltas(head, tail, chunks)
    else:
        position = 0
        for chunk in chunks:
            sink.delta(head, chunk, tail)
            position += len(chunk)
            while waiting and int(waiting[0][1].get("end_index", 0)) <= position:
                yield from _announce(sink, part_where, *waiting.pop(0))
            if len(sink.out) >= _BATCH:
                yield from sink.drain()
        yield from sink.drain()
    while waiting:
        yield from _announce(sink, part_where, *waiting.pop(0))
    yield from sink.event(
        "response.output_text.done", {**part_where, "text": part.text, "logprobs": []}
    )
    yield from sink.event("response.content_part.done", {**part_where, "part": part_dict(part)})


def _announce(
    sink: _Sink, part_where: dict[str, Any], number: int, annotation: Mapping[str, Any]
) -> Iterator[Piece]:
    yield from sink.event(
        "response.output_text.annotation.added",
        {**part_where, "annotation_index": number, "annotation": dict(annotation)},
    )
