"""ResponseAccumulator on hand-built event sequences, well-formed and not."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from openrouter import components as c
from openrouter._accumulate import ResponseAccumulator
from openrouter.components import StreamEvents, parse_event


def ev(event_type: str, **fields: Any) -> StreamEvents:
    return parse_event(json.dumps({"type": event_type, **fields}))


def response(status: str = "in_progress", **fields: Any) -> dict[str, Any]:
    return {
        "id": "resp_1",
        "object": "response",
        "created_at": 1,
        "model": "m",
        "status": status,
        "output": [],
        **fields,
    }


def feed(events: list[StreamEvents]) -> ResponseAccumulator:
    acc = ResponseAccumulator()
    for i, event in enumerate(events):
        if event.sequence_number is None and not isinstance(event, c.UnknownEvent):
            event.sequence_number = i
        acc.feed(event)
    return acc


def text_stream(deltas: list[str], item_id: str = "msg_1", index: int = 0) -> list[StreamEvents]:
    loc = {"item_id": item_id, "output_index": index}
    full = "".join(deltas)
    part = {"type": "output_text", "text": "", "annotations": []}
    message = {"type": "message", "id": item_id, "role": "assistant", "status": "in_progress"}
    return [
        ev("response.output_item.added", output_index=index, item={**message, "content": []}),
        ev("response.content_part.added", content_index=0, part=part, **loc),
        *[
            ev("response.output_text.delta", content_index=0, delta=d, logprobs=[], **loc)
            for d in deltas
        ],
        ev("response.output_text.done", content_index=0, text=full, **loc),
        ev("response.content_part.done", content_index=0, part={**part, "text": full}, **loc),
        ev(
            "response.output_item.done",
            output_index=index,
            item={
                **message,
                "status": "completed",
                "content": [{**part, "text": full}],
            },
        ),
    ]


def test_nothing_fed_gives_nothing() -> None:
    acc = ResponseAccumulator()
    assert acc.final_response() is None
    assert acc.partial_response() is None


def test_normal_text_stream() -> None:
    deltas = ["Hel", "lo", ", ", "world", "!"]
    final = response(
        "completed",
        output=[
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Hello, world!", "annotations": []}],
            }
        ],
        usage={"input_tokens": 3, "output_tokens": 5, "total_tokens": 8},
    )
    acc = feed(
        [
            ev("response.created", response=response()),
            ev("response.in_progress", response=response()),
            *text_stream(deltas),
            ev("response.completed", response=final),
        ]
    )
    result = acc.final_response()
    assert result is not None
    assert result.output_text == "Hello, world!"
    assert result.status == "completed"
    assert result.usage is not None
    assert result.usage.total_tokens == 8
    assert isinstance(acc.terminal_event, c.StreamEventsResponseCompleted)
    assert acc.terminal_response is result


def test_terminal_response_without_output_gets_the_accumulated_items() -> None:
    acc = feed(
        [
            ev("response.created", response=response()),
            *text_stream(["a", "b"]),
            ev("response.completed", response=response("completed")),
        ]
    )
    result = acc.final_response()
    assert result is not None
    assert result.status == "completed"
    assert result.output_text == "ab"
    assert isinstance(result.output[0], c.OutputMessageItem)
    assert result.output[0].id == "msg_1"


def test_stream_cut_off_without_terminal_event_uses_the_snapshot() -> None:
    events = text_stream(["The ", "answer ", "is"])[:-3]  # no text/part/item done
    acc = feed([ev("response.created", response=response()), *events])
    assert acc.terminal_event is None
    result = acc.final_response()
    assert result is not None
    assert result.id == "resp_1"
    assert result.status == "in_progress"
    assert result.output_text == "The answer is"
    partial = acc.partial_response()
    assert partial is not None
    assert partial.output_text == "The answer is"


def test_incomplete_with_details() -> None:
    acc = feed(
        [
            ev("response.created", response=response()),
            *text_stream(["cut"]),
            ev(
                "response.incomplete",
                response=response("incomplete", incomplete_details={"reason": "max_output_tokens"}),
            ),
        ]
    )
    result = acc.final_response()
    assert result is not None
    assert result.status == "incomplete"
    assert result.incomplete_details is not None
    assert result.incomplete_details.reason == "max_output_tokens"
    assert result.output_text == "cut"
    assert isinstance(acc.terminal_event, c.StreamEventsResponseIncomplete)


def test_function_call_arguments() -> None:
    loc = {"item_id": "fc_1", "output_index": 0}
    item = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_1",
        "name": "get_weather",
        "arguments": "",
        "status": "in_progress",
    }
    acc = feed(
        [
            ev("response.created", response=response()),
            ev("response.output_item.added", output_index=0, item=item),
            ev("response.function_call_arguments.delta", delta='{"city":', **loc),
            ev("response.function_call_arguments.delta", delta='"Paris"}', **loc),
        ]
    )
    result = acc.final_response()
    assert result is not None
    call = result.output[0]
    assert isinstance(call, c.OutputFunctionCallItem)
    assert (call.call_id, call.name, call.arguments) == (
        "call_1",
        "get_weather",
        '{"city":"Paris"}',
    )

    acc.feed(
        ev(
            "response.function_call_arguments.done",
            arguments='{"city":"Paris"}',
            name="get_weather",
            **loc,
        )
    )
    acc.feed(
        ev(
            "response.output_item.done",
            output_index=0,
            item={**item, "arguments": '{"city":"Paris"}', "status": "completed"},
        )
    )
    result = acc.final_response()
    assert result is not None
    call = result.output[0]
    assert isinstance(call, c.OutputFunctionCallItem)
    assert call.status == "completed"
    assert call.arguments == '{"city":"Paris"}'
    assert result.output_text == ""


def test_function_call_deltas_without_added_item() -> None:
    acc = feed(
        [
            ev("response.function_call_arguments.delta", item_id="fc_9", output_index=2, delta="{"),
            ev("response.function_call_arguments.delta", item_id="fc_9", output_index=2, delta="}"),
            ev(
                "response.function_call_arguments.done",
                item_id="fc_9",
                output_index=2,
                arguments="{}",
                name="f",
            ),
        ]
    )
    result = acc.final_response()
    assert result is not None
    call = result.output[0]
    assert isinstance(call, c.OutputFunctionCallItem)
    assert (call.id, call.name, call.arguments) == ("fc_9", "f", "{}")


def test_reasoning_summary_and_text() -> None:
    loc = {"item_id": "rs_1", "output_index": 0}
    acc = feed(
        [
            ev("response.created", response=response()),
            ev(
                "response.output_item.added",
                output_index=0,
                item={"type": "reasoning", "id": "rs_1", "summary": []},
            ),
            ev(
                "response.reasoning_summary_part.added",
                summary_index=0,
                part={"type": "summary_text", "text": ""},
                **loc,
            ),
            ev("response.reasoning_summary_text.delta", summary_index=0, delta="Think", **loc),
            ev("response.reasoning_summary_text.delta", summary_index=0, delta="ing", **loc),
            ev("response.reasoning_summary_text.delta", summary_index=1, delta="More", **loc),
            ev("response.reasoning_text.delta", content_index=0, delta="step 1", **loc),
            *text_stream(["Answer"], item_id="msg_1", index=1),
        ]
    )
    result = acc.final_response()
    assert result is not None
    reasoning = result.output[0]
    assert isinstance(reasoning, c.OutputReasoningItem)
    assert [s.text for s in reasoning.summary] == ["Thinking", "More"]
    assert reasoning.content is not None
    assert [p.text for p in reasoning.content] == ["step 1"]
    assert result.output_text == "Answer"


def test_reasoning_done_texts_win_over_deltas() -> None:
    loc = {"item_id": "rs_1", "output_index": 0}
    acc = feed(
        [
            ev("response.reasoning_summary_text.delta", summary_index=0, delta="Thi", **loc),
            ev("response.reasoning_summary_text.done", summary_index=0, text="Thinking", **loc),
            ev("response.reasoning_text.delta", content_index=0, delta="a", **loc),
            ev("response.reasoning_text.done", content_index=0, text="all", **loc),
        ]
    )
    result = acc.final_response()
    assert result is not None
    reasoning = result.output[0]
    assert isinstance(reasoning, c.OutputReasoningItem)
    assert reasoning.summary[0].text == "Thinking"
    assert reasoning.content is not None
    assert reasoning.content[0].text == "all"


def test_refusal_and_annotations() -> None:
    loc = {"item_id": "msg_1", "output_index": 0}
    acc = feed(
        [
            ev("response.output_text.delta", content_index=0, delta="See X", **loc),
            ev(
                "response.output_text.annotation.added",
                content_index=0,
                annotation_index=0,
                annotation={
                    "type": "url_citation",
                    "url": "https://x",
                    "title": "X",
                    "start_index": 4,
                    "end_index": 5,
                },
                **loc,
            ),
            ev("response.refusal.delta", content_index=1, delta="I can", **loc),
            ev("response.refusal.delta", content_index=1, delta="not", **loc),
        ]
    )
    result = acc.final_response()
    assert result is not None
    message = result.output[0]
    assert isinstance(message, c.OutputMessageItem)
    text, refusal = message.content
    assert isinstance(text, c.ResponseOutputText)
    assert isinstance(text.annotations[0], c.URLCitation)
    assert isinstance(refusal, c.OpenAIResponsesRefusalContent)
    assert refusal.refusal == "I cannot"
    assert result.output_text == "See X"


def test_out_of_order_and_huge_indices() -> None:
    big = 10**12
    acc = feed(
        [
            ev(
                "response.output_text.delta",
                item_id="b",
                output_index=big,
                content_index=3,
                delta="B",
            ),
            ev(
                "response.output_text.delta",
                item_id="a",
                output_index=0,
                content_index=10**9,
                delta="A",
            ),
            ev("response.output_item.done", output_index=big, item={"type": "message", "id": "b"}),
            ev("response.output_item.added", output_index=0, item={"type": "message", "id": "a"}),
            ev(
                "response.output_text.delta",
                item_id="a",
                output_index=0,
                content_index=0,
                delta="0",
            ),
        ]
    )
    result = acc.final_response()
    assert result is not None
    assert [item.id for item in result.output] == ["a", "b"]  # type: ignore[union-attr]
    assert result.output_text == "0AB"  # by index, not arrival


def test_deltas_without_any_index_or_id() -> None:
    acc = feed(
        [
            ev("response.output_text.delta", delta="x"),
            ev("response.output_text.delta", delta="y"),
            ev("response.output_text.delta", item_id="other", delta="z"),
        ]
    )
    result = acc.final_response()
    assert result is not None
    assert result.output_text == "xyz"
    assert len(result.output) == 2


def test_duplicate_events_do_not_crash_or_lose_text() -> None:
    events = text_stream(["a", "b"])
    added, part_added = events[0], events[1]
    acc = feed([added, part_added, events[2], added, part_added, *events[3:], events[-1]])
    result = acc.final_response()
    assert result is not None
    assert result.output_text == "ab"
    assert len(result.output) == 1
    acc.feed(ev("response.completed", response=response("completed")))
    acc.feed(ev("response.completed", response=response("failed")))  # a second terminal
    final = acc.final_response()
    assert final is not None
    assert final.status == "completed"


def test_hollow_done_item_is_filled_from_deltas() -> None:
    acc = feed(
        [
            *text_stream(["hi"])[:3],
            ev(
                "response.output_item.done", output_index=0, item={"type": "message", "id": "msg_1"}
            ),
        ]
    )
    result = acc.final_response()
    assert result is not None
    assert result.output_text == "hi"


def test_custom_tool_input_and_interpreter_code() -> None:
    acc = feed(
        [
            ev("response.custom_tool_call_input.delta", item_id="ct", output_index=0, delta="a"),
            ev("response.custom_tool_call_input.delta", item_id="ct", output_index=0, delta="b"),
            ev(
                "response.code_interpreter_call_code.delta",
                item_id="ci",
                output_index=1,
                delta="1+",
            ),
            ev(
                "response.code_interpreter_call_code.done", item_id="ci", output_index=1, code="1+1"
            ),
        ]
    )
    result = acc.final_response()
    assert result is not None
    tool, code = result.output
    assert isinstance(tool, c.OutputCustomToolCallItem)
    assert tool.input == "ab"
    assert isinstance(code, c.OutputCodeInterpreterCallItem)
    assert code.code == "1+1"


def test_failed_stream_and_error_events() -> None:
    acc = feed(
        [
            ev("response.created", response=response()),
            *text_stream(["partial"])[:3],
            ev("error", code="server_error", message="upstream died"),
        ]
    )
    partial = acc.partial_response()
    assert partial is not None
    assert partial.output_text == "partial"
    assert partial.error is not None
    assert (partial.error.code, partial.error.message) == ("server_error", "upstream died")
    assert isinstance(acc.error_event, c.ErrorEvent)

    acc.feed(
        ev(
            "response.failed",
            response=response("failed", error={"code": "server_error", "message": "x"}),
        )
    )
    final = acc.final_response()
    assert final is not None
    assert final.status == "failed"
    assert final.output_text == "partial"


def test_terminal_event_with_malformed_response_still_terminates() -> None:
    acc = feed(
        [
            ev("response.created", response=response()),
            *text_stream(["ok"]),
            ev("response.completed", response={"id": "resp_1", "output": "garbage"}),
        ]
    )
    assert isinstance(acc.terminal_event, c.UnknownEvent)
    result = acc.final_response()
    assert result is not None
    assert result.status == "completed"
    assert result.output_text == "ok"


def test_unknown_events_and_known_events_with_bad_shapes_are_ignored() -> None:
    acc = feed(
        [
            ev("response.keep_alive"),
            ev("response.output_text.delta", delta=["not", "text"]),
            ev("response.output_item.added", output_index="zero", item={}),
            *text_stream(["fine"]),
        ]
    )
    result = acc.final_response()
    assert result is not None
    assert result.output_text == "fine"


def test_final_response_is_cached_until_the_next_event() -> None:
    acc = feed(text_stream(["a"])[:3])
    first = acc.final_response()
    assert acc.final_response() is first
    acc.feed(ev("response.output_text.delta", item_id="msg_1", output_index=0, delta="b"))
    second = acc.final_response()
    assert second is not first
    assert second is not None
    assert second.output_text == "ab"


_EVENT_TYPES = sorted(c.KNOWN_EVENT_TYPES)
_small = st.one_of(st.none(), st.integers(-3, 3), st.integers(10**15, 10**16))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(_EVENT_TYPES),
                "output_index": _small,
                "content_index": _small,
                "summary_index": _small,
                "item_id": st.none() | st.sampled_from(["a", "b"]),
                "delta": st.text(max_size=3),
            },
            optional={
                "item": st.sampled_from(
                    [
                        {"type": "message", "id": "a"},
                        {"type": "function_call", "id": "b", "call_id": "c", "name": "f"},
                        {"type": "reasoning", "id": "a", "summary": []},
                        {"type": "mystery", "id": "b"},
                    ]
                ),
                "part": st.sampled_from(
                    [{"type": "output_text", "text": ""}, {"type": "refusal", "refusal": ""}]
                ),
                "response": st.sampled_from([{"id": "r"}, {"id": "r", "status": "failed"}]),
            },
        ),
        max_size=25,
    )
)
def test_any_event_sequence_never_crashes(payloads: list[dict[str, Any]]) -> None:
    acc = ResponseAccumulator()
    for payload in payloads:
        acc.feed(parse_event(json.dumps({k: v for k, v in payload.items() if v is not None})))
    acc.final_response()
    acc.partial_response()


def test_terminal_response_without_status_gets_the_event_status() -> None:
    acc = feed([ev("response.incomplete", response={"id": "resp_1"})])
    result = acc.final_response()
    assert result is not None
    assert result.status == "incomplete"


def test_long_interleaved_texts_fold_into_blocks_and_stay_exact() -> None:
    # Two parts fed turn about, well past the fold size: each part's text comes out exact,
    # and the chunk lists stay short.
    from openrouter._accumulate import _FOLD

    n = _FOLD * 3 + 17
    acc = ResponseAccumulator()
    for i in range(n):
        for index in (0, 1):
            delta = f"{index}:{i},"
            acc.feed(
                ev(
                    "response.output_text.delta",
                    item_id=f"msg_{index}",
                    output_index=index,
                    content_index=0,
                    delta=delta,
                    logprobs=[],
                    sequence_number=2 * i + index,
                )
            )
        if i == _FOLD + 5:  # built and cached, then invalidated by more
            middle = acc.final_response()
            assert middle is not None
            assert [item.content[0].text for item in middle.output] == [  # type: ignore[union-attr]
                "".join(f"{index}:{j}," for j in range(i + 1)) for index in (0, 1)
            ]
    final = acc.final_response()
    assert final is not None
    texts = [item.content[0].text for item in final.output]
    assert texts == ["".join(f"{index}:{i}," for i in range(n)) for index in (0, 1)]
    assert all(
        len(part.chunks) < _FOLD + 5 for item in acc._items.values() for part in item.parts.values()
    )


def test_a_part_text_repeated_by_later_events_is_held_once() -> None:
    # The done events each carry the whole text, parsed into strings of their own: the
    # accumulator keeps one of them, so a long answer is not held four times over.
    deltas = [f"word{i} " for i in range(3000)]
    acc = feed(text_stream(deltas))
    final = acc.final_response()
    assert final is not None
    kept = final.output[0].content[0].text
    assert kept == "".join(deltas)
    part = acc._items[0].parts[0]
    assert part.done_text is kept
    assert part.base is not None and part.base["text"] is kept
    assert part.chunks == []  # the deltas went once the done text came


def test_a_different_done_text_is_not_shared() -> None:
    # The deltas said one thing and the done events another: each keeps what it said.
    events = text_stream(["a", "b"])
    events[-3] = ev("response.output_text.done", item_id="msg_1", output_index=0,
                    content_index=0, text="ab!")  # fmt: skip
    acc = feed(events)
    part = acc._items[0].parts[0]
    assert part.done_text == "ab!"
    assert part.base is not None and part.base["text"] == "ab"


def test_deltas_of_one_part_fold_into_blocks_held_once() -> None:
    # Every _FOLD deltas become one string: a long answer costs about its characters.
    from openrouter._accumulate import _FOLD

    deltas = [f"w{i} " for i in range(_FOLD * 2 + 5)]
    acc = feed(text_stream(deltas)[:-3])  # up to the deltas: nothing is done yet
    part = acc._items[0].parts[0]
    assert part.folded == 2 and len(part.chunks) == 7
    final = acc.final_response()
    assert final is not None and final.output[0].content[0].text == "".join(deltas)
