"""Fault matrix, bodies: hostile JSON and every status x body shape end in a typed error.

Each case runs in the four ways a user sends (sync or async, JSON or stream) against the
emulator, or against ``faultkit.RawServer`` for bodies the emulator cannot produce (JSON nested
200,000 levels, a 10 MB message). The failure classes are the ones README's error table names.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from faultkit import MODE_IDS, MODES, Conn, Mode, errors_of, raw_server, run, sse_frames
from openrouter import errors
from openrouter.testing import Emulator, Fault

DEPTH = 200_000
DEEP_BODIES = {
    "object": '{"a":' * DEPTH + "1" + "}" * DEPTH,
    "array": "[" * DEPTH + "]" * DEPTH,
}
DEEP_IDS = list(DEEP_BODIES)

modes = pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
deep = pytest.mark.parametrize("deep", list(DEEP_BODIES.values()), ids=DEEP_IDS)


def answer(status: int, body: str) -> Callable[[Conn], None]:
    return lambda conn: conn.reply(status, body)


def raised(mode: Mode, script: Callable[[Conn], None], **params: Any) -> BaseException:
    """The exception one send in ``mode`` raises against ``script``; never a RecursionError."""
    with raw_server(script) as server:
        try:
            run(mode, server.url, **params)
        except RecursionError:  # pragma: no cover - the bug this module guards against
            pytest.fail("RecursionError escaped the SDK")
        except Exception as exc:
            return exc
    pytest.fail("the send did not raise")


# -- hostile bodies ---------------------------------------------------------------------------


@modes
@deep
def test_deep_json_on_200_is_a_response_validation_error(mode: Mode, deep: str) -> None:
    exc = raised(mode, answer(200, deep))
    assert isinstance(exc, errors.ResponseValidationError)
    assert exc.status_code == 200
    assert len(str(exc)) < 5_000


@modes
@deep
@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestResponseError),
        (503, errors.ServiceUnavailableResponseError),
        (418, errors.OpenRouterDefaultError),
    ],
)
def test_deep_json_on_an_error_status_raises_the_status_class(
    mode: Mode, deep: str, status: int, cls: type[errors.OpenRouterError]
) -> None:
    exc = raised(mode, answer(status, deep))
    assert type(exc) is cls
    assert exc.status_code == status
    assert exc.body == deep  # the whole body is kept ...
    assert len(str(exc)) < 5_000  # ... and the message stays short
    assert "nested too deeply" in str(exc)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@deep
@pytest.mark.parametrize("after", [0, 3], ids=["first-event", "after-3-events"])
def test_deep_json_inside_a_stream_event_is_a_stream_error(
    is_async: bool, deep: str, after: int
) -> None:
    frames = sse_frames()

    def script(conn: Conn) -> None:
        conn.head(200, content_type="text/event-stream")
        conn.send(b"".join(frames[:after]))
        conn.send(f"data: {deep}\n\n")
        conn.send(b"".join(frames[after:]))

    exc = raised(Mode(is_async, stream=True), script)
    assert isinstance(exc, errors.StreamError)
    assert exc.event_count == after
    assert "nested too deeply" in str(exc)
    assert len(str(exc)) < 5_000


HUGE = 10_000_000


@modes
@pytest.mark.parametrize(("status", "cls"), [(400, errors.BadRequestResponseError),
                                             (200, errors.TooManyRequestsResponseError)],
                         ids=["400", "200-error-body"])  # fmt: skip
def test_a_10mb_error_message_gives_a_bounded_str_and_the_whole_body(
    mode: Mode, status: int, cls: type[errors.OpenRouterError]
) -> None:
    code = 400 if status == 400 else "rate_limit_exceeded"
    body = json.dumps({"error": {"code": code, "message": "x" * HUGE}})
    exc = raised(mode, answer(status, body))
    assert type(exc) is cls
    text = str(exc)
    assert len(text) < 5_000
    assert "cut" in text and ".body" in text
    assert exc.body == body
    assert exc.data is not None and exc.data.message is not None
    assert len(exc.data.message) == HUGE


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
def test_a_10mb_message_in_a_stream_failure_is_bounded(is_async: bool) -> None:
    frames = sse_frames()
    failed = {
        "type": "error",
        "sequence_number": 4,
        "code": "server_error",
        "message": "y" * HUGE,
        "param": None,
    }

    def script(conn: Conn) -> None:
        conn.head(200, content_type="text/event-stream")
        conn.send(b"".join(frames[:4]) + f"data: {json.dumps(failed)}\n\n".encode())

    exc = raised(Mode(is_async, stream=True), script)
    assert isinstance(exc, errors.StreamFailedError)
    assert len(str(exc)) < 5_000 and "cut" in str(exc)
    assert exc.error_message is not None and len(exc.error_message) == HUGE


# -- status x body shape ----------------------------------------------------------------------

STATUSES = [400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503, 524, 529, 418, 599]
CLASSES: dict[int, type[errors.OpenRouterError]] = {
    400: errors.BadRequestResponseError,
    401: errors.UnauthorizedResponseError,
    402: errors.PaymentRequiredResponseError,
    403: errors.ForbiddenResponseError,
    404: errors.NotFoundResponseError,
    408: errors.RequestTimeoutResponseError,
    413: errors.PayloadTooLargeResponseError,
    422: errors.UnprocessableEntityResponseError,
    429: errors.TooManyRequestsResponseError,
    500: errors.InternalServerResponseError,
    502: errors.BadGatewayResponseError,
    503: errors.ServiceUnavailableResponseError,
    524: errors.EdgeNetworkTimeoutResponseError,
    529: errors.ProviderOverloadedResponseError,
}

SHAPES: dict[str, Callable[[int], Fault]] = {
    "json": lambda status: Fault.status(status, "the server says no"),
    "html": lambda status: Fault.html(status),
    "empty": lambda status: Fault.raw(status, b""),
    "garbage": lambda status: Fault.raw(status, b"\x00\xff{not json at all", content_type="x/y"),
    "json-no-message": lambda status: Fault.raw(status, b'{"unrelated": [1, 2, 3]}'),
    "json-array": lambda status: Fault.raw(status, b"[1, 2, 3]"),
}


@modes
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_status_and_body_shape_raises_the_status_class(mode: Mode, shape: str) -> None:
    with Emulator() as emu:
        emu.enqueue(*[SHAPES[shape](status) for status in STATUSES])
        found = errors_of(mode, emu.url, len(STATUSES), api_key=emu.api_key)
        # Each fault was answered once: an error status with NO_RETRY is never re-sent.
        assert len(emu.requests) == len(STATUSES)
        assert all(r.status is not None for r in emu.requests)
    for status, exc in zip(STATUSES, found, strict=True):
        assert type(exc) is CLASSES.get(status, errors.OpenRouterDefaultError), (status, exc)
        assert isinstance(exc, errors.OpenRouterError)
        assert exc.status_code == status
        assert str(exc).startswith(str(status))
        assert len(str(exc)) < 5_000
        assert isinstance(exc.body, str)
        if shape == "json":
            assert exc.data is not None and exc.data.message == "the server says no"
            assert "the server says no" in str(exc)


@modes
@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (429, errors.TooManyRequestsResponseError),
        ("rate_limit_exceeded", errors.TooManyRequestsResponseError),
        (402, errors.PaymentRequiredResponseError),
        ("server_error", errors.InternalServerResponseError),
        (503, errors.ServiceUnavailableResponseError),
    ],
)
def test_a_200_with_an_error_body_raises_the_error_its_code_names(
    mode: Mode, code: int | str, cls: type[errors.OpenRouterError]
) -> None:
    with Emulator() as emu:
        emu.enqueue(Fault.error_body_200(code, "upstream trouble"))
        with pytest.raises(errors.OpenRouterError) as caught:
            run(mode, emu.url, api_key=emu.api_key)
    assert type(caught.value) is cls
    assert caught.value.data is not None
    assert caught.value.data.message == "upstream trouble"


@modes
@pytest.mark.parametrize(
    "body",
    [b"", b"<html>OK</html>", b"not json", b"[]", b'{"id": 5}', b"null"],
    ids=["empty", "html", "text", "array", "wrong-fields", "null"],
)
def test_a_200_that_is_not_a_response_is_a_response_validation_error(
    mode: Mode, body: bytes
) -> None:
    with Emulator() as emu:
        emu.enqueue(Fault.raw(200, body))
        with pytest.raises(errors.ResponseValidationError) as caught:
            run(mode, emu.url, api_key=emu.api_key)
    assert caught.value.status_code == 200
    assert caught.value.body == body.decode()
