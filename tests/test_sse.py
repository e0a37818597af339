"""The SSE decoder against the WHATWG event-stream parsing rules, unit by unit, and property
tests showing the decoded events do not depend on how the byte stream is chunked."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrouter._wire import _sse
from openrouter._wire._sse import (
    ServerSentEvent,
    SSEDecodeError,
    SSEDecoder,
    aiter_sse,
    iter_sse,
)

BOM = b"\xef\xbb\xbf"


def decode(*chunks: bytes, max_event_bytes: int = 1 << 24) -> list[ServerSentEvent]:
    decoder = SSEDecoder(max_event_bytes)
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events


def decode_data(*chunks: bytes, max_event_bytes: int = 1 << 24) -> list[str]:
    """The data of each event by ``feed_data`` (bytes), decoded as ``feed`` decodes it."""
    decoder = SSEDecoder(max_event_bytes)
    out: list[str] = []
    for chunk in chunks:
        out += [data.decode("utf-8", "replace") for data in decoder.feed_data(chunk)]
    return out


def bytewise(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def datas(events: list[ServerSentEvent]) -> list[str]:
    return [e.data for e in events]


# -- the frames services send: "event: <type>" then one "data:" line (decoded on a fast path) ----


def test_event_and_data_frames() -> None:
    stream = b"event: response.created\ndata: {}\n\nevent: response.done\ndata: [1]\n\n"
    assert decode(stream) == [
        ServerSentEvent("response.created", "{}"),
        ServerSentEvent("response.done", "[1]"),
    ]


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (b"event: \ndata: x\n\n", ServerSentEvent("message", "x")),  # empty type: message
        (b"event:  two\ndata: x\n\n", ServerSentEvent(" two", "x")),  # one space stripped
        (b"event: a:b\ndata: x:y\n\n", ServerSentEvent("a:b", "x:y")),
        (b"event: a\ndata:  x\n\n", ServerSentEvent("a", " x")),
        (b"event: a\ndata:x\n\n", ServerSentEvent("a", "x")),  # no space: the full rules
        (b"event:a\ndata: x\n\n", ServerSentEvent("a", "x")),
        (b"event: a\ndata: x\ndata: y\n\n", ServerSentEvent("a", "x\ny")),
        (b"event: a\ndata: x\nid: 7\n\n", ServerSentEvent("a", "x", "7")),
        (b"event: a\ndata: x\nevent: b\n\n", ServerSentEvent("b", "x")),
        (b"event: a\ndata\n\n", ServerSentEvent("a", "")),
        (b"event: a\r\ndata: x\r\n\r\n", ServerSentEvent("a", "x")),
        (b"event: a\rdata: x\r\r", ServerSentEvent("a", "x")),
        ("event: é\ndata: ✓\n\n".encode(), ServerSentEvent("é", "✓")),
        (b"event: \xff\ndata: \xfe\n\n", ServerSentEvent("\ufffd", "\ufffd")),
    ],
)
def test_event_and_data_frame_variants(frame: bytes, expected: ServerSentEvent) -> None:
    assert decode(frame) == [expected]
    assert decode(*bytewise(frame)) == [expected]
    assert decode_data(frame) == decode_data(*bytewise(frame)) == [expected.data]


def test_feed_data_gives_the_raw_data_bytes() -> None:
    decoder = SSEDecoder()
    stream = b'event: a\ndata: {"x": "\xc3\xa9"}\n\ndata: 1\ndata: 2\n\nid: 3\ndata: [DONE]\n\n'
    assert decoder.feed_data(stream) == [b'{"x": "\xc3\xa9"}', b"1\n2", b"[DONE]"]
    assert decoder.last_event_id == "3"
    with pytest.raises(SSEDecodeError):
        SSEDecoder(10).feed_data(b"event: a\ndata: " + b"x" * 20 + b"\n\n")


@pytest.mark.parametrize(
    "frame", [b"event: a\n\n", b"event: a\nid: 1\n\n", b"event: a\n: note\n\n"]
)
def test_event_frames_without_data_are_not_dispatched(frame: bytes) -> None:
    assert decode(frame + b"data: next\n\n") == [
        ServerSentEvent("message", "next", "1" if b"id" in frame else None)
    ]


def test_event_type_does_not_leak_into_the_next_frame() -> None:
    assert decode(b"event: a\ndata: 1\n\ndata: 2\n\n") == [
        ServerSentEvent("a", "1"),
        ServerSentEvent("message", "2"),
    ]


def test_event_and_data_frames_carry_the_last_event_id() -> None:
    stream = b"id: 5\ndata: a\n\nevent: t\ndata: b\n\nevent: t\ndata: c\nid: 6\n\n"
    assert [(e.id, e.data) for e in decode(stream)] == [("5", "a"), ("5", "b"), ("6", "c")]


def test_an_event_and_data_frame_completing_an_earlier_chunk() -> None:
    stream = b"event: first\ndata: 1\n\nevent: second\ndata: 2\n\n"
    for cut in range(1, len(stream)):
        assert decode(stream[:cut], stream[cut:]) == [
            ServerSentEvent("first", "1"),
            ServerSentEvent("second", "2"),
        ], cut


@pytest.mark.parametrize("chunk_size", [1, 7, 1 << 20])
def test_oversized_event_and_data_frame_raises(chunk_size: int) -> None:
    frame = b"event: big\ndata: " + b"x" * 200 + b"\n\n"
    with pytest.raises(SSEDecodeError):
        decode(
            *(frame[i : i + chunk_size] for i in range(0, len(frame), chunk_size)),
            max_event_bytes=100,
        )
    # The bound counts the data line, as the full rules do: the type line is not data.
    exact = b"event: " + b"t" * 500 + b"\ndata: " + b"x" * 94 + b"\n\n"
    assert len(decode(exact, max_event_bytes=100)) == 1


# -- line ends ---------------------------------------------------------------------------------


@pytest.mark.parametrize("end", [b"\n", b"\r", b"\r\n"])
def test_each_line_end(end: bytes) -> None:
    stream = b"data: a" + end + b"data: b" + end + end + b"data: c" + end + end
    assert datas(decode(stream)) == ["a\nb", "c"]
    assert datas(decode(*bytewise(stream))) == ["a\nb", "c"]


def test_mixed_line_ends_in_one_stream() -> None:
    stream = b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\rdata: e\n\n"
    assert datas(decode(stream)) == ["a\nb\nc", "d", "e"]


def test_cr_only_stream() -> None:
    stream = b": hi\revent: x\rdata: 1\rdata: 2\r\rdata: 3\r\r"
    expected = [ServerSentEvent("x", "1\n2"), ServerSentEvent("message", "3")]
    assert decode(stream) == expected
    assert decode(*bytewise(stream)) == expected


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    # "data: a\r" | "\ndata: b\r\n\r\n": if the LF counted as a second line end, the blank line
    # would dispatch "a" on its own.
    assert datas(decode(b"data: a\r", b"\ndata: b\r\n\r\n")) == ["a\nb"]
    assert datas(decode(b"data: a\r\n\r", b"\n")) == ["a"]


def test_cr_at_chunk_end_dispatches_without_waiting() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert datas(decoder.feed(b"\r")) == ["a"]  # CR CR: line end, then a blank line
    assert datas(decoder.feed(b"data: b\r\r")) == ["b"]
    assert decoder.feed(b"\n") == []  # pairs with the CR before it: no extra blank line


def test_skipped_lf_survives_empty_chunks() -> None:
    assert datas(decode(b"data: a\r", b"", b"", b"\ndata: b\n\n")) == ["a\nb"]


def test_lf_after_cr_only_skipped_once() -> None:
    # CR LF LF: one line end, then a blank line.
    assert datas(decode(b"data: a\r", b"\n", b"\n")) == ["a"]


# -- BOM -------------------------------------------------------------------------------------


def test_bom_at_start_is_skipped() -> None:
    assert decode(BOM + b"data: a\n\n") == [ServerSentEvent("message", "a")]


def test_bom_split_across_chunks() -> None:
    assert datas(decode(*bytewise(BOM + b"data: a\n\n"))) == ["a"]
    assert datas(decode(b"", BOM[:2], b"", BOM[2:] + b"data: a\n\n")) == ["a"]


def test_bom_skipped_only_once() -> None:
    # A second BOM is part of the first line, making its field name "\ufeffdata" (unknown).
    assert decode(BOM + BOM + b"data: a\n\n") == []
    assert datas(decode(BOM + b"data: a\n\n" + BOM + b"data: b\n\n")) == ["a"]


def test_bom_not_at_start_is_data() -> None:
    assert datas(decode(b"data: " + BOM + b"x\n\n")) == ["\ufeffx"]


def test_partial_bom_prefix_that_is_not_a_bom() -> None:
    # "\xef" then not "\xbb": the held byte is ordinary (invalid UTF-8) content.
    assert datas(decode(b"\xef", b"data: a\n\n")) == []  # field name "\ufffddata"
    assert datas(decode(b"data: a\n\n")) == ["a"]


# -- fields ----------------------------------------------------------------------------------


def test_comments_are_ignored() -> None:
    stream = b": OPENROUTER PROCESSING\n\n:\n\ndata: a\n: mid-frame comment\ndata: b\n\n"
    assert decode(stream) == [ServerSentEvent("message", "a\nb")]


def test_one_optional_space_is_stripped() -> None:
    stream = b"data:a\n\ndata: b\n\ndata:  c\n\ndata:\td\n\n"
    assert datas(decode(stream)) == ["a", "b", " c", "\td"]


def test_line_without_colon_is_a_field_with_empty_value() -> None:
    assert decode(b"data\n\n") == [ServerSentEvent("message", "")]
    assert datas(decode(b"data\ndata\n\n")) == ["\n"]
    assert decode(b"event\ndata: x\n\n") == [ServerSentEvent("message", "x")]


def test_value_keeps_further_colons() -> None:
    assert datas(decode(b'data: {"a": "b:c"}\n\n')) == ['{"a": "b:c"}']


def test_multiple_data_lines_joined_with_lf() -> None:
    assert datas(decode(b"data: a\ndata:\ndata: c\n\n")) == ["a\n\nc"]


def test_event_type_defaults_and_resets() -> None:
    stream = b"event: ping\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n"
    assert [(e.event, e.data) for e in decode(stream)] == [
        ("ping", "1"),
        ("message", "2"),
        ("message", "3"),
    ]


def test_id_persists_and_nul_is_ignored() -> None:
    stream = b"data: 0\n\nid: 7\ndata: 1\n\ndata: 2\n\nid: bad\x00id\ndata: 3\n\nid\ndata: 4\n\n"
    assert [(e.data, e.id) for e in decode(stream)] == [
        ("0", None),
        ("1", "7"),
        ("2", "7"),
        ("3", "7"),
        ("4", ""),
    ]


def test_id_from_a_frame_without_data_still_applies() -> None:
    assert [e.id for e in decode(b"id: 5\n\ndata: x\n\n")] == ["5"]


def test_retry() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(
        b"retry: 1500\ndata: a\n\ndata: b\n\nretry: 12x\ndata: c\n\nretry: -1\nretry:\ndata: d\n\n"
    )
    assert [(e.data, e.retry) for e in events] == [
        ("a", 1500),
        ("b", None),
        ("c", None),
        ("d", None),
    ]
    assert decoder.retry == 1500
    assert decoder.feed(b"retry: 30\n\n") == []
    assert decoder.retry == 30


def test_unknown_fields_are_ignored() -> None:
    assert decode(b"foo: bar\nDATA: no\ndata: yes\nx\n\n") == [ServerSentEvent("message", "yes")]


def test_frames_without_data_are_not_dispatched() -> None:
    stream = b"event: x\n\nid: 1\n\n: c\n\nretry: 5\n\n\n\n\nevent: y\nid: 2\n\ndata: z\n\n"
    assert decode(stream) == [ServerSentEvent("message", "z", "2")]


def test_done_is_an_ordinary_event() -> None:
    assert decode(b"data: [DONE]\n\n") == [ServerSentEvent("message", "[DONE]")]


def test_consecutive_blank_lines() -> None:
    assert datas(decode(b"\n\n\ndata: a\n\n\n\ndata: b\n\n\n")) == ["a", "b"]


def test_frame_spanning_many_chunks() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: e\nda") == []
    assert decoder.feed(b"ta: x\n") == []
    assert decoder.feed(b"data: y\n") == []
    assert decoder.feed(b"\ndata: z\n\n") == [
        ServerSentEvent("e", "x\ny"),
        ServerSentEvent("message", "z"),
    ]


# -- UTF-8 -----------------------------------------------------------------------------------


def test_multibyte_characters_split_across_chunks() -> None:
    text = "héllo 世界 😀"
    stream = b"data: " + text.encode() + b"\n\n"
    assert datas(decode(*bytewise(stream))) == [text]


def test_invalid_utf8_is_replaced() -> None:
    assert datas(decode(b"data: a\xffb\xe2\x82\n\n")) == ["a\ufffdb\ufffd"]
    assert [e.event for e in decode(b"event: \xc3\ndata: x\n\n")] == ["\ufffd"]


# -- size bound ------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1, 7, 1000, 1 << 20])
def test_oversized_event_raises(chunk_size: int) -> None:
    stream = b"data: ok\n\ndata: " + b"x" * 2000 + b"\n\n"
    decoder = SSEDecoder(max_event_bytes=1000)
    with pytest.raises(SSEDecodeError, match=r"limit of 1000 bytes"):
        for i in range(0, len(stream), chunk_size):
            decoder.feed(stream[i : i + chunk_size])


def test_oversized_event_from_many_data_lines() -> None:
    decoder = SSEDecoder(max_event_bytes=1000)
    with pytest.raises(SSEDecodeError):
        decoder.feed(b"data: 0123456789\n" * 100)


def test_oversized_partial_line_raises_before_it_completes() -> None:
    decoder = SSEDecoder(max_event_bytes=100)
    decoder.feed(b"data: " + b"x" * 90)
    with pytest.raises(SSEDecodeError, match="exceeds"):
        decoder.feed(b"x" * 20)


def test_events_up_to_the_bound_pass_and_the_count_resets() -> None:
    line = b"data: " + b"x" * 94  # exactly 100 bytes
    stream = (line + b"\n\n") * 50
    assert len(decode(stream, max_event_bytes=100)) == 50
    assert len(decode(*bytewise(stream), max_event_bytes=100)) == 50


def test_size_error_is_a_value_error() -> None:
    assert issubclass(SSEDecodeError, ValueError)
    with pytest.raises(ValueError):
        SSEDecoder(max_event_bytes=0)


# -- end of stream ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tail",
    [b"data: cut", b"data: complete line\n", b"data: a\ndata: b\n", b"event: x\ndata: y\r", b"id"],
)
def test_close_discards_and_reports_a_cut_off_event(tail: bytes) -> None:
    decoder = SSEDecoder()
    assert datas(decoder.feed(b"data: first\n\n" + tail)) == ["first"]
    assert decoder.pending


@pytest.mark.parametrize(
    "tail", [b"", b"\n", b": keep-alive", b": OPENROUTER PROCESSING\n", b"event: x\n", b"id: 3\n"]
)
def test_close_after_a_clean_end_is_not_pending(tail: bytes) -> None:
    decoder = SSEDecoder()
    assert datas(decoder.feed(b"data: [DONE]\n\n" + tail)) == ["[DONE]"]
    assert not decoder.pending


def test_pending_is_false_on_a_fresh_decoder() -> None:
    assert not SSEDecoder().pending


# -- iter_sse / aiter_sse ----------------------------------------------------------------------


def test_iter_sse() -> None:
    chunks = [BOM, b"data: a\r", b"\n\r\n: c\n", b"data: b\n\ndata: cut"]
    assert datas(list(iter_sse(chunks))) == ["a", "b"]


def test_iter_sse_bound() -> None:
    with pytest.raises(SSEDecodeError):
        list(iter_sse([b"data: " + b"x" * 100, b"\n\n"], max_event_bytes=50))


def test_aiter_sse() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for chunk in [b"data: a\r", b"\n\r\n: c\n", b"event: e\ndata: b\n\ndata: cut"]:
            yield chunk

    async def collect() -> list[ServerSentEvent]:
        return [event async for event in aiter_sse(chunks())]

    assert asyncio.run(collect()) == [ServerSentEvent("message", "a"), ServerSentEvent("e", "b")]


def test_server_sent_event_value_semantics() -> None:
    event = ServerSentEvent("e", "d", "1", 5)
    assert event == ServerSentEvent(event="e", data="d", id="1", retry=5)
    assert event != ServerSentEvent("e", "d", "1")
    assert event != ("e", "d", "1", 5)
    assert "data='d'" in repr(event)
    assert ServerSentEvent() == ServerSentEvent("message", "", None, None)


# -- properties --------------------------------------------------------------------------------

# Text without line breaks (which the format cannot carry inside a line) and without lone
# surrogates (which UTF-8 cannot encode), biased toward multi-byte characters.
_chars = st.one_of(
    st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"),
    st.sampled_from("é中文字한😀🎉\U0001f9d1\u200d\U0001f4bb\ufeff\x00: "),
)
_line_text = st.text(_chars, max_size=12)


@dataclass
class Frame:
    data: list[str] | None  # None: a frame with no data lines (never dispatched)
    event: str | None = None
    id: str | None = None
    retry: int | None = None
    comments: list[str] = field(default_factory=list)


_frames = st.builds(
    Frame,
    data=st.none() | st.lists(_line_text, min_size=1, max_size=3),
    event=st.none() | _line_text,
    id=st.none() | _line_text.map(lambda s: s.replace("\x00", "")),
    retry=st.none() | st.integers(0, 10**6),
    comments=st.lists(_line_text, max_size=2),
)
# st.composite's draw and DataObject.draw, which the helpers below accept alike.
Draw = Callable[..., Any]
_ends = st.sampled_from(["\n", "\r", "\r\n"])


def _expected(frames: list[Frame]) -> list[ServerSentEvent]:
    events = []
    last_id: str | None = None
    for frame in frames:
        if frame.id is not None:
            last_id = frame.id
        if frame.data is not None:
            events.append(
                ServerSentEvent(
                    frame.event or "message", "\n".join(frame.data), last_id, frame.retry
                )
            )
    return events


def _lines(frame: Frame, draw: Draw) -> list[str]:
    fields = [f":{c}" for c in frame.comments]
    if frame.event is not None:
        fields.append(f"event: {frame.event}")
    if frame.id is not None:
        fields.append(f"id: {frame.id}")
    if frame.retry is not None:
        fields.append(f"retry: {frame.retry}")
    others = draw(st.permutations(fields))
    data = [f"data: {d}" for d in frame.data or []]
    # Fields and comments may come in any order, but data lines must keep theirs: interleave.
    picks = draw(st.permutations([True] * len(data) + [False] * len(others)))
    data.reverse()
    others.reverse()
    return [data.pop() if pick else others.pop() for pick in picks] + [""]


@st.composite
def _streams(draw: st.DrawFn) -> tuple[bytes, list[ServerSentEvent]]:
    frames = draw(st.lists(_frames, max_size=6))
    lines = [line for frame in frames for line in _lines(frame, draw)]
    out = []
    previous = ""
    for line in lines:
        end = draw(_ends)
        if previous == "\r" and not line and end == "\n":
            end = "\r\n"  # CR then a bare LF would be read as one CRLF, eating the blank line
        out.append(line + end)
        previous = end
    stream = "".join(out).encode()
    if draw(st.booleans()):
        stream = BOM + stream
    return stream, _expected(frames)


def _split(draw: Draw, stream: bytes) -> list[bytes]:
    cuts = sorted(set(draw(st.lists(st.integers(0, len(stream)), max_size=20))))
    bounds = [0, *cuts, len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_decoding_does_not_depend_on_chunking(data: st.DataObject) -> None:
    stream, expected = data.draw(_streams())
    assert decode(stream) == expected
    chunks = _split(data.draw, stream)
    assert decode(*chunks) == expected
    assert decode_data(*chunks) == datas(expected)


@settings(max_examples=40, deadline=None)
@given(_streams())
def test_decoding_byte_by_byte(case: tuple[bytes, list[ServerSentEvent]]) -> None:
    stream, expected = case
    assert decode(*bytewise(stream)) == expected


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_cr_only_and_bom_streams(data: st.DataObject) -> None:
    frames = data.draw(st.lists(_frames, min_size=1, max_size=5))
    text = "".join(line + "\r" for frame in frames for line in _lines(frame, data.draw))
    stream = BOM + text.encode()
    expected = _expected(frames)
    assert decode(stream) == expected
    assert decode(*_split(data.draw, stream)) == expected


# Arbitrary bytes rich in the characters that matter: whatever the decoder makes of them, it
# must make the same of every chunking, and never raise.
_noise = st.lists(
    st.sampled_from(
        [
            *(b"\r", b"\n", b"\r\n", b":", b" ", b"data", b"event", b"id", b"retry", b"7", b"\x00"),
            *(BOM, b"\xe4\xb8\xad", b"\xf0\x9f", b"\x98\x80", b"\xff", b"x"),
        ]
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_arbitrary_bytes_chunking_invariant(data: st.DataObject) -> None:
    stream = data.draw(_noise)
    whole = SSEDecoder()
    expected = whole.feed(stream)
    pieces = SSEDecoder()
    got: list[ServerSentEvent] = []
    for chunk in _split(data.draw, stream):
        got += pieces.feed(chunk)
    assert got == expected
    assert pieces.pending == whole.pending
    assert pieces.last_event_id == whole.last_event_id


_service_frames = st.lists(st.tuples(st.none() | _line_text, _line_text), max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_service_framed_streams_match_the_reference(data: st.DataObject) -> None:
    frames = data.draw(_service_frames)
    text = "".join(
        (f"event: {kind}\n" if kind is not None else "") + f"data: {payload}\n\n"
        for kind, payload in frames
    )
    stream = text.encode()
    expected = [ServerSentEvent(kind or "message", payload) for kind, payload in frames]
    assert decode(stream) == expected
    chunks = _split(data.draw, stream)
    assert decode(*chunks) == expected
    assert decode_data(*chunks) == datas(expected)


# -- long lines: completed on their own once their pending part passes _LONG_LINE --------------


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_long_lines_decode_alike(data: st.DataObject) -> None:
    # With the bound at one byte every line cut by a chunk boundary takes the long-line path.
    stream, expected = data.draw(_streams())
    noise = data.draw(_noise)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_sse, "_LONG_LINE", 1)
        chunks = _split(data.draw, stream)
        assert decode(*chunks) == expected
        assert decode_data(*chunks) == datas(expected)
        whole, pieces = SSEDecoder(), SSEDecoder()
        wanted = whole.feed(noise)
        got: list[ServerSentEvent] = []
        for chunk in _split(data.draw, noise):
            got += pieces.feed(chunk)
    assert got == wanted
    assert (pieces.pending, pieces.last_event_id) == (whole.pending, whole.last_event_id)


@pytest.mark.parametrize("end", [b"\n\n", b"\r\n\r\n", b"\r\r"])
@pytest.mark.parametrize("field", [b"data: ", b"data:"])
def test_a_big_event_in_many_chunks(end: bytes, field: bytes) -> None:
    payload = b'{"text":"' + b"abc\xc3\xa9" * 50_000 + b'"}'
    stream = b"data: first\n\n" + field + payload + end + b"event: x\ndata: last\n\n"
    decoder = SSEDecoder(len(payload) + 10)
    got: list[bytes] = []
    for start in range(0, len(stream), 4096):
        got += decoder.feed_data(stream[start : start + 4096])
    assert got == [b"first", payload, b"last"]
    assert not decoder.pending
    with pytest.raises(SSEDecodeError):
        small = SSEDecoder(len(payload) - 10)
        for start in range(0, len(stream), 4096):
            small.feed_data(stream[start : start + 4096])
