"""The client over real sockets against the emulator: what a user of ``send`` notices."""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import logging
import subprocess
import sys
import textwrap
import time
import traceback
from pathlib import Path

import httpx
import pytest

from openrouter import OpenRouter, components, errors
from openrouter.hooks import Hook, RetryInfo
from openrouter.testing import Emulator, Fault, Reply
from openrouter.utils import BackoffStrategy, RetryConfig

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "beta-responses-send.md"

STATUS_CLASSES = {
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

NO_RETRY = RetryConfig("none")


def page_example(stream: bool) -> str:
    """The page's own example, verbatim but for the ``stream`` flag."""
    text = SEED.read_text()
    code = text.split("```python", 1)[1].split("```", 1)[0]
    assert "stream=False" in code
    return code if not stream else code.replace("stream=False", "stream=True")


def run_example(code: str, emulator: Emulator) -> subprocess.CompletedProcess[str]:
    """Run ``code`` as a script would, with the emulator in the environment; in this process
    (a new interpreter costs about a second of imports), with what it printed captured."""
    out = io.StringIO()
    returncode, error = 0, ""
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.setenv("OPENROUTER_BASE_URL", emulator.url)
        patch.setenv("OPENROUTER_API_KEY", emulator.api_key)
        try:
            exec(compile(code, "<example>", "exec"), {"__name__": "__main__"})
        except Exception:
            returncode, error = 1, traceback.format_exc()
    return subprocess.CompletedProcess(["<example>"], returncode, out.getvalue(), error)


# -- the page's example -------------------------------------------------------------------


@pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/seed beside the checkout")
@pytest.mark.parametrize("stream", [False, True])
def test_page_example_runs_unchanged(openrouter_emulator: Emulator, stream: bool) -> None:
    done = run_example(page_example(stream), openrouter_emulator)
    assert done.returncode == 0, done.stderr
    assert "response.completed" in done.stdout
    assert "Tell me a joke" in done.stdout  # the echo model answers from the input
    sent = openrouter_emulator.requests[-1]
    expected = {"input": "Tell me a joke", "model": "openai/gpt-4o", "service_tier": "auto"}
    if stream:  # stream=False is the API's default and is left out of the body
        expected["stream"] = True
    assert sent.json == expected
    assert sent.header("x-openrouter-metadata") == "enabled"
    assert sent.header("x-openrouter-title") == "<value>"
    assert sent.header("http-referer") == "<value>"
    assert sent.header("x-openrouter-categories") == "<value>"


@pytest.mark.skipif(not SEED.exists(), reason="needs ../shared/seed beside the checkout")
def test_page_example_async_form(openrouter_emulator: Emulator) -> None:
    code = textwrap.dedent(
        """
        import asyncio, os
        from openrouter import OpenRouter

        async def main():
            async with OpenRouter(api_key=os.getenv("OPENROUTER_API_KEY", "")) as open_router:
                for stream in (False, True):
                    res = await open_router.beta.responses.send_async(
                        input="Tell me a joke", model="openai/gpt-4o", stream=stream)
                    async with res as event_stream:
                        async for event in event_stream:
                            print(event.type, flush=True)

        asyncio.run(main())
        """
    )
    done = run_example(code, openrouter_emulator)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("response.completed") == 2
    assert "response.output_text.delta" in done.stdout


# -- results --------------------------------------------------------------------------------


def test_typed_result(openrouter_client: OpenRouter, openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Reply.text("Hello there").with_options(extra={"brand_new": 7}))
    res = openrouter_client.beta.responses.send(model="openai/gpt-4o", input="hi")
    assert isinstance(res, components.OpenResponsesResult)
    assert res.output_text == "Hello there"
    assert res.status == "completed"
    assert res.model == "openai/gpt-4o"
    assert res.usage is not None and res.usage.cost is not None and res.usage.total_tokens > 0
    assert res.to_dict()["brand_new"] == 7  # unknown fields are kept
    with res as events:  # the page's pattern works on a non-streamed result too
        (event,) = list(events)
    assert event.type == "response.completed"
    assert event.response.output_text == "Hello there"


def test_responses_and_beta_responses_are_one(openrouter_client: OpenRouter) -> None:
    assert openrouter_client.responses is openrouter_client.beta.responses


def test_components_and_dicts_send_the_same_body(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    typed = components.ReasoningConfig(effort="high")
    openrouter_client.responses.send(model="m", input="a", reasoning=typed, metadata={"k": "v"})
    openrouter_client.responses.send(
        model="m", input="a", reasoning={"effort": "high"}, metadata={"k": "v"}
    )
    first, second = (r.json for r in openrouter_emulator.requests)
    assert first == second
    assert first["reasoning"] == {"effort": "high"}


def test_headers_sent(openrouter_emulator: Emulator) -> None:
    with OpenRouter(
        api_key=openrouter_emulator.api_key,
        server_url=openrouter_emulator.url,
        http_referer="https://app.example",
        x_open_router_title="My App",
        x_open_router_categories="cli-agent",
    ) as client:
        client.responses.send(model="m", input="hi", http_headers={"X-Trace": "1"})
    sent = openrouter_emulator.requests[-1]
    assert sent.header("http-referer") == "https://app.example"
    assert sent.header("x-openrouter-title") == "My App"
    assert sent.header("x-openrouter-categories") == "cli-agent"
    assert sent.header("x-trace") == "1"
    assert (sent.header("user-agent") or "").startswith("openrouter-python/")
    assert sent.header("authorization", "").endswith("REDACTED")


def test_call_headers_replace_defaults_and_never_the_key(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_client.responses.send(
        model="m",
        input="hi",
        http_headers={"user-agent": "my-agent/1", "authorization": "Bearer stolen"},
    )
    sent = openrouter_emulator.requests[-1]
    assert sent.status == 200  # the client's own key was used
    assert sent.header("user-agent") == "my-agent/1"  # replaced, not sent twice
    assert sent.header("authorization") == "Bearer sk-or-...REDACTED"  # one value


def test_environment_fallbacks(
    openrouter_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", openrouter_emulator.api_key)
    monkeypatch.setenv("OPENROUTER_BASE_URL", openrouter_emulator.url)
    monkeypatch.setenv("OPENROUTER_HTTP_REFERER", "https://env.example")
    monkeypatch.setenv("OPENROUTER_X_OPEN_ROUTER_TITLE", "Env App")
    monkeypatch.setenv("OPENROUTER_X_OPEN_ROUTER_CATEGORIES", "cloud-agent")
    with OpenRouter() as client:
        assert client.responses.send(model="m", input="hi").status == "completed"
    sent = openrouter_emulator.requests[-1]
    assert sent.header("http-referer") == "https://env.example"
    assert sent.header("x-openrouter-title") == "Env App"
    assert sent.header("x-openrouter-categories") == "cloud-agent"


def test_callable_api_key_is_called_per_request(openrouter_emulator: Emulator) -> None:
    calls = []

    def key() -> str:
        calls.append(1)
        return openrouter_emulator.api_key

    with OpenRouter(api_key=key, server_url=openrouter_emulator.url) as client:
        client.responses.send(model="m", input="a")
        client.responses.send(model="m", input="b")
    assert len(calls) == 2


def test_missing_key_raises_before_sending(
    openrouter_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with OpenRouter(api_key="", server_url=openrouter_emulator.url) as client:
        with pytest.raises(errors.MissingAPIKeyError, match="OPENROUTER_API_KEY"):
            client.responses.send(model="m", input="hi")
    assert openrouter_emulator.requests == []


def test_validation_error_before_sending(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    with pytest.raises(errors.RequestValidationError, match="metadata"):
        openrouter_client.responses.send(model="m", input="hi", metadata={"a[0]": "x"})
    assert openrouter_emulator.requests == []


def test_extra_body_reaches_the_server(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_client.responses.send(model="m", input="hi", extra_body={"top_k": 3})
    assert openrouter_emulator.requests[-1].json["top_k"] == 3


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "cls"), sorted(STATUS_CLASSES.items()))
def test_each_status_raises_its_class(
    openrouter_emulator: Emulator, status: int, cls: type[errors.OpenRouterError]
) -> None:
    openrouter_emulator.enqueue(Fault.status(status, f"server says {status}"))
    with OpenRouter(
        api_key=openrouter_emulator.api_key,
        server_url=openrouter_emulator.url,
        retry_config=NO_RETRY,
    ) as client:
        with pytest.raises(cls) as info:
            client.responses.send(model="m", input="hi")
    err = info.value
    assert type(err) is cls
    assert err.status_code == status
    assert err.data is not None and err.data.message == f"server says {status}"
    assert err.code == status
    assert f"server says {status}" in str(err)
    assert err.headers.get("x-generation-id")
    assert err.raw_response is not None


def test_unknown_status_raises_the_default_class(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Fault.status(418, "teapot"))
    with OpenRouter(api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url) as c:
        with pytest.raises(errors.OpenRouterDefaultError, match="teapot") as info:
            c.responses.send(model="m", input="hi")
    assert info.value.status_code == 418


def test_html_502_still_gives_its_class(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Fault.html(502))
    with OpenRouter(
        api_key=openrouter_emulator.api_key,
        server_url=openrouter_emulator.url,
        retry_config=NO_RETRY,
    ) as client:
        with pytest.raises(errors.BadGatewayResponseError, match="non-JSON body") as info:
            client.responses.send(model="m", input="hi")
    assert info.value.data is None
    assert "<html" in info.value.body.lower()


def test_200_with_error_body_raises_the_api_error(
    fast_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_emulator.enqueue(Fault.error_body_200(402, "Insufficient credits"))
    with pytest.raises(errors.PaymentRequiredResponseError, match="Insufficient credits"):
        fast_client.responses.send(model="m", input="hi")


def test_wrong_key_is_401_and_never_echoed(openrouter_emulator: Emulator) -> None:
    secret = "sk-or-v1-THIS-IS-SECRET"
    with OpenRouter(api_key=secret, server_url=openrouter_emulator.url) as client:
        with pytest.raises(errors.UnauthorizedResponseError) as info:
            client.responses.send(model="m", input="hi")
    err = info.value
    for text in (str(err), repr(err), err.message):
        assert secret not in text


@pytest.mark.invalid_body
def test_server_side_schema_rejection_is_a_400(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    # extra_body is sent as given, so the server judges it.
    with pytest.raises(errors.BadRequestResponseError, match="temperature"):
        openrouter_client.responses.send(model="m", input="hi", extra_body={"temperature": "hot"})
    assert openrouter_emulator.requests[-1].validation_errors


def test_wrong_types_are_refused_before_sending(
    openrouter_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    with pytest.raises(errors.RequestValidationError, match="temperature"):
        openrouter_client.responses.send(model="m", input="hi", temperature="hot")  # type: ignore[typeddict-item]
    assert openrouter_emulator.requests == []


def test_connection_refused_is_an_sdk_error_that_httpx_code_still_catches() -> None:
    port = Emulator().start()
    url, _ = port.url, port.stop()
    retry = RetryConfig("backoff", BackoffStrategy(10, 20, 2.0, 200))
    with OpenRouter(api_key="k", server_url=url, retry_config=retry) as client:
        started = time.monotonic()
        with pytest.raises(errors.APIConnectionError) as info:
            client.responses.send(model="m", input="hi")
    err = info.value
    assert isinstance(err, httpx.TransportError)  # `except httpx.RequestError` keeps working
    assert isinstance(err.__cause__, httpx.ConnectError)
    assert err.request_sent is False
    # It retried before giving up: 4 backoffs of at least half of 10, 20, 20, 20 ms.
    assert time.monotonic() - started >= 0.035


# -- retries ------------------------------------------------------------------------------


class _Delays(Hook):
    """Records the wait the client planned before each retry."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def on_retry(self, retry: RetryInfo) -> None:
        self.delays.append(retry.delay)


def test_429_retry_after_is_honoured(openrouter_emulator: Emulator) -> None:
    # The backoff here is at most 10 ms, so a longer wait can only be the server's.
    quick = RetryConfig("backoff", BackoffStrategy(10, 10, 1.0, 500))
    openrouter_emulator.enqueue(Fault.status(429, "slow down", retry_after=0.08))
    planned = _Delays()
    with OpenRouter(
        api_key=openrouter_emulator.api_key,
        server_url=openrouter_emulator.url,
        retry_config=quick,
        hooks=[planned],
    ) as c:
        res = c.responses.send(model="m", input="hi")
        assert res.status == "completed"
        first, second = openrouter_emulator.requests
        assert first.status == 429
        assert planned.delays == [0.08]
        assert 0.08 <= second.time - first.time < 1.0  # waited as told, not the backoff
        # The service's own form, whole seconds: "Retry-After: 1" is a 1 s wait, more than
        # the 0.5 s this policy may spend, so the client gives up at once instead.
        openrouter_emulator.enqueue(Fault.status(429, "slow down", retry_after=1))
        started = time.monotonic()
        with pytest.raises(errors.TooManyRequestsResponseError) as info:
            c.responses.send(model="m", input="hi")
    assert time.monotonic() - started < 1.0  # did not wait the second out
    assert info.value.retry_after == 1.0
    assert len(openrouter_emulator.requests) == 3 and planned.delays == [0.08]


def test_retry_after_ms_is_honoured(fast_client: OpenRouter, openrouter_emulator: Emulator) -> None:
    # 40 ms, over the backoff's 5-20 ms for these two retries.
    openrouter_emulator.enqueue(Fault.status(503, "busy", retry_after_ms=40), times=2)
    fast_client.responses.send(model="m", input="hi")
    times = [r.time for r in openrouter_emulator.requests]
    assert len(times) == 3
    assert all(0.04 <= b - a < 1.0 for a, b in itertools.pairwise(times))


def test_no_retry_on_400(fast_client: OpenRouter, openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Fault.status(400, "bad"))
    with pytest.raises(errors.BadRequestResponseError):
        fast_client.responses.send(model="m", input="hi")
    assert len(openrouter_emulator.requests) == 1


def test_no_retry_after_read_timeout_by_default(
    fast_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_emulator.enqueue(Fault.stall(3))
    started = time.monotonic()
    with pytest.raises(errors.APITimeoutError) as info:
        fast_client.responses.send(model="m", input="hi", timeout_ms=300)
    assert time.monotonic() - started < 2
    assert info.value.request_sent is True
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert len(openrouter_emulator.requests) == 1


def test_read_timeout_retry_is_opt_in(
    fast_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_emulator.enqueue(Fault.stall(3))
    retry = RetryConfig("backoff", BackoffStrategy(10, 50, 2.0, 5_000), retry_after_send=True)
    res = fast_client.responses.send(model="m", input="hi", timeout_ms=300, retries=retry)
    assert res.status == "completed"
    assert len(openrouter_emulator.requests) == 2


def test_connection_reset_after_sending_is_not_retried(
    fast_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_emulator.enqueue(Fault.reset())
    with pytest.raises(errors.APIConnectionError) as info:
        fast_client.responses.send(model="m", input="hi")
    assert info.value.request_sent is True
    assert len(openrouter_emulator.requests) == 1


def test_max_elapsed_is_respected(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(Fault.status(503, "down", retry_after=None), times=100)
    retry = RetryConfig("backoff", BackoffStrategy(100, 100, 1.0, 450))
    with OpenRouter(
        api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url, retry_config=retry
    ) as client:
        started = time.monotonic()
        with pytest.raises(errors.ServiceUnavailableResponseError, match="down"):
            client.responses.send(model="m", input="hi")
        elapsed = time.monotonic() - started
    assert elapsed < 0.7
    assert 3 <= len(openrouter_emulator.requests) <= 9


def test_per_call_retries_override_the_client(
    fast_client: OpenRouter, openrouter_emulator: Emulator
) -> None:
    openrouter_emulator.enqueue(Fault.status(429, "limited", retry_after=0.1))
    with pytest.raises(errors.TooManyRequestsResponseError) as info:
        fast_client.responses.send(model="m", input="hi", retries=NO_RETRY)
    assert info.value.retry_after == 0.1
    assert len(openrouter_emulator.requests) == 1


# -- secrets, logging, lifecycle ---------------------------------------------------------------


def test_key_not_in_repr_or_debug_logs(
    openrouter_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("test-openrouter-debug")
    logger.setLevel(logging.DEBUG)
    key = openrouter_emulator.api_key
    with caplog.at_level(logging.DEBUG, logger="test-openrouter-debug"):
        with OpenRouter(api_key=key, server_url=openrouter_emulator.url, debug_logger=logger) as c:
            assert key not in repr(c)
            c.responses.send(model="m", input="hi")
    assert caplog.records, "debug logging produced nothing"
    assert "POST" in caplog.text
    assert key not in caplog.text


def test_clients_are_built_lazily_and_only_own_ones_closed(openrouter_emulator: Emulator) -> None:
    client = OpenRouter(api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url)
    assert client._http is None and client._async_http is None
    client.responses.send(model="m", input="hi")
    assert client._http is not None and client._async_http is None
    client.close()
    mine = httpx.Client()
    with OpenRouter(api_key="k", server_url=openrouter_emulator.url, client=mine):
        pass
    assert not mine.is_closed
    mine.close()


def test_import_and_construction_load_neither_httpx_nor_pydantic() -> None:
    code = (
        "import sys; from openrouter import OpenRouter; OpenRouter(api_key='k');"
        "print(sorted(m for m in ('httpx', 'pydantic', 'pydantic_core') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- async -------------------------------------------------------------------------------------


def test_async_send_and_errors(openrouter_emulator: Emulator) -> None:
    async def main() -> None:
        async with OpenRouter(
            api_key=openrouter_emulator.api_key,
            server_url=openrouter_emulator.url,
            retry_config=RetryConfig("backoff", BackoffStrategy(10, 50, 2.0, 5_000)),
        ) as client:
            openrouter_emulator.enqueue(Reply.text("async hello"))
            res = await client.responses.send_async(model="m", input="hi")
            assert res.output_text == "async hello"
            openrouter_emulator.enqueue(Fault.status(429, "wait", retry_after_ms=50))
            res = await client.beta.responses.send_async(model="m", input="hi")
            assert res.status == "completed"
            openrouter_emulator.enqueue(Fault.status(404, "no such model"))
            with pytest.raises(errors.NotFoundResponseError, match="no such model"):
                await client.responses.send_async(model="m", input="hi")
            results = await asyncio.gather(
                *(client.responses.send_async(model="m", input=f"q{i}") for i in range(5))
            )
            assert sorted(r.output_text for r in results) == sorted(f"Echo: q{i}" for i in range(5))
        assert client._async_http is None  # closed by `async with`

    asyncio.run(main())


def test_typed_signature_lists_every_accepted_parameter() -> None:
    # The TypedDicts are what IDEs and mypy show; the run-time check accepts ALL_PARAMS.
    from openrouter._params import HelperSendParams, ResponsesSendParams, SharedSendParams
    from openrouter.resources.responses import ALL_PARAMS

    assert set(ResponsesSendParams.__annotations__) == ALL_PARAMS - {"stream"}
    helper_only = {"model", "instructions", "session_id", "include"}
    assert set(HelperSendParams.__annotations__) - set(SharedSendParams.__annotations__) == (
        helper_only
    )
    assert set(ResponsesSendParams.__annotations__) - set(HelperSendParams.__annotations__) == {
        "input",
        "tools",
        "previous_response_id",
    }
