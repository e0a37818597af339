"""Agent runs against the emulator, sync and async, streaming and not: stop conditions,
approvals (paused, saved as JSON, resumed by a new client), tool context, turn hooks, the sync
loop's threads, and the stream helpers."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from openrouter import OpenRouter, errors
from openrouter.testing import Emulator, FunctionCall, Reply
from openrouter.tools import (
    CallRejected,
    Tool,
    ToolCallDelta,
    ToolExecution,
    ToolRun,
    ToolRunResult,
    ToolRunState,
    finish_reason,
    finish_reason_is,
    has_tool_call,
    max_cost,
    max_tokens_used,
    step_count_is,
    tool,
)

MODES = ["sync", "async", "stream", "astream"]


def _client(emu: Emulator) -> OpenRouter:
    return OpenRouter(api_key=emu.api_key, server_url=emu.url)


def run_tools(emu: Emulator, mode: str, **kwargs: Any) -> ToolRunResult:
    """``run_tools`` in one of the four modes, on a fresh client; the result."""
    kwargs.setdefault("model", "m")
    result: ToolRunResult
    if mode in ("sync", "stream"):
        with _client(emu) as client:
            if mode == "sync":
                result = client.responses.run_tools(**kwargs)
                return result
            with client.responses.run_tools(stream=True, **kwargs) as stream:
                result = stream.get_final_result()
                return result

    async def main() -> ToolRunResult:
        result: ToolRunResult
        async with _client(emu) as client:
            if mode == "async":
                result = await client.responses.run_tools_async(**kwargs)
                return result
            stream = await client.responses.run_tools_async(stream=True, **kwargs)
            async with stream:
                result = await stream.get_final_result()
                return result

    return asyncio.run(main())


def get_time(zone: str) -> str:
    """The local time in a time zone."""
    return f"12:00 in {zone}"


def finish(summary: str) -> str:
    """Call when done."""
    return "ok"


def _call(name: str = "get_time", call_id: str | None = None, **usage: Any) -> Reply:
    args = {"zone": "UTC"} if name == "get_time" else {"summary": "done"}
    return Reply.function_call(name, args, call_id=call_id, usage=usage or None)


ANSWER = Reply.text("All done.")


def _types(items: list[Any]) -> list[str | None]:
    return [i.get("type") if isinstance(i, dict) else getattr(i, "type", None) for i in items]


# -- stop conditions -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_step_count_is(openrouter_emulator: Emulator, mode: str) -> None:
    openrouter_emulator.enqueue(*[_call(call_id=f"c{i}") for i in range(5)])
    result = run_tools(
        openrouter_emulator, mode, input="x", tools=[get_time], stop_when=step_count_is(2)
    )
    assert result.stop_reason == "step_count_is(2)" and not result.paused
    assert len(openrouter_emulator.requests) == 2 and len(result.responses) == 2
    # The last turn's calls ran: the history ends answered, ready to go on.
    assert [e.call_id for e in result.executions] == ["c0", "c1"]
    assert _types(result.items)[-1] == "function_call_output"
    assert result.response is result.responses[-1]


@pytest.mark.parametrize("mode", MODES)
def test_max_cost_stops_after_the_turn_that_passes_the_budget(
    openrouter_emulator: Emulator, mode: str
) -> None:
    openrouter_emulator.enqueue(*[_call(cost=0.4) for _ in range(5)])
    result = run_tools(
        openrouter_emulator, mode, input="x", tools=[get_time], stop_when=[max_cost(1.0)]
    )
    # 0.4, 0.8, then 1.2: the third turn passes the budget and is the last.
    assert result.stop_reason == "max_cost(1)"
    assert len(openrouter_emulator.requests) == 3
    assert result.usage.cost == pytest.approx(1.2)
    assert len(result.executions) == 3


@pytest.mark.parametrize("mode", ["sync", "astream"])
def test_max_tokens_used_and_has_tool_call(openrouter_emulator: Emulator, mode: str) -> None:
    openrouter_emulator.enqueue(*[_call(total_tokens=300) for _ in range(2)])
    result = run_tools(
        openrouter_emulator, mode, input="x", tools=[get_time], stop_when=max_tokens_used(500)
    )
    assert result.stop_reason == "max_tokens_used(500)" and result.usage.total_tokens == 600

    openrouter_emulator.enqueue(_call(), _call("finish", call_id="f"), ANSWER)
    result = run_tools(
        openrouter_emulator,
        mode,
        input="x",
        tools=[get_time, finish],
        stop_when=[step_count_is(9), has_tool_call("finish")],
    )
    assert result.stop_reason == "has_tool_call('finish')"
    assert [e.name for e in result.executions] == ["get_time", "finish"]  # finish still ran
    assert len(openrouter_emulator.requests) == 2 + 2


@pytest.mark.parametrize("mode", MODES)
def test_finish_reason_is_ends_an_incomplete_turn_without_raising(
    openrouter_emulator: Emulator, mode: str
) -> None:
    cut = Reply.text("A long answer that was cut").with_options(status="incomplete")
    openrouter_emulator.enqueue(_call(), cut)
    result = run_tools(
        openrouter_emulator, mode, input="x", tools=[get_time], stop_when=finish_reason_is("length")
    )
    assert result.stop_reason == "finish_reason_is('length')"
    assert result.response.status == "incomplete" and len(result.responses) == 2
    assert finish_reason(result.responses[0]) == "tool_calls"
    assert finish_reason(result.responses[1]) == "length"

    openrouter_emulator.enqueue(cut)
    with pytest.raises(errors.ToolRunIncompleteError):
        run_tools(
            openrouter_emulator,
            mode,
            input="x",
            tools=[get_time],
            stop_when=finish_reason_is("content_filter"),
        )


def test_custom_conditions_and_the_final_answer(openrouter_emulator: Emulator) -> None:
    seen: list[int] = []

    def after_two_calls(run: ToolRun) -> bool:
        seen.append(run.turn)
        return len(run.executions) >= 2

    openrouter_emulator.enqueue(*[_call() for _ in range(2)])
    result = run_tools(
        openrouter_emulator, "sync", input="x", tools=[get_time], stop_when=after_two_calls
    )
    assert result.stop_reason == "after_two_calls" and seen == [1, 2]

    openrouter_emulator.enqueue(_call(), _call())
    result = run_tools(
        openrouter_emulator,
        "sync",
        input="x",
        tools=[get_time],
        stop_when=lambda run: run.turn == 2 and "enough for now",
    )
    assert result.stop_reason == "enough for now"

    # A model that answers ends the run as before, whatever the conditions.
    openrouter_emulator.enqueue(ANSWER)
    result = run_tools(
        openrouter_emulator, "sync", input="x", tools=[get_time], stop_when=step_count_is(1)
    )
    assert result.stop_reason == "completed" and result.output_text == "All done."
    with pytest.raises(TypeError, match="callables"):
        run_tools(openrouter_emulator, "sync", input="x", tools=[], stop_when=[1])
    with pytest.raises(ValueError, match="n >= 1"):
        step_count_is(0)


@pytest.mark.parametrize("mode", ["sync", "stream"])
def test_max_turns_keeps_working_and_a_condition_at_the_limit_wins(
    openrouter_emulator: Emulator, mode: str
) -> None:
    openrouter_emulator.enqueue(*[_call(call_id=f"c{i}") for i in range(2)])
    with pytest.raises(errors.MaxTurnsExceededError) as info:
        run_tools(
            openrouter_emulator,
            mode,
            input="x",
            tools=[get_time],
            max_turns=2,
            stop_when=max_cost(100),
        )
    assert [c.call_id for c in info.value.pending_calls] == ["c1"]

    openrouter_emulator.enqueue(*[_call(call_id=f"c{i}") for i in range(2)])
    result = run_tools(
        openrouter_emulator,
        mode,
        input="x",
        tools=[get_time],
        max_turns=2,
        stop_when=step_count_is(2),
    )
    assert result.stop_reason == "step_count_is(2)"
    assert [e.call_id for e in result.executions] == ["c0", "c1"]


# -- approvals -----------------------------------------------------------------------------------

DELETED: list[str] = []


@tool(requires_approval=True)
def delete_file(path: str) -> str:
    """Delete a file."""
    DELETED.append(path)
    return f"deleted {path}"


@tool(requires_approval=lambda args: args["amount"] > 100)
def pay(amount: float, to: str) -> str:
    """Send money."""
    return f"paid {amount:g} to {to}"


PAUSING_TURN = Reply.function_calls(
    FunctionCall("get_time", {"zone": "UTC"}, call_id="c_time"),
    FunctionCall("delete_file", {"path": "/tmp/a"}, call_id="c_del_a"),
    FunctionCall("delete_file", {"path": "/tmp/b"}, call_id="c_del_b"),
)


def _outputs(emu: Emulator, index: int = -1) -> dict[str, Any]:
    return {
        i["call_id"]: i["output"]
        for i in emu.requests[index].json["input"]
        if i["type"] == "function_call_output"
    }


@pytest.mark.parametrize("mode", MODES)
def test_approval_pauses_saves_to_json_and_resumes_on_a_new_client(
    openrouter_emulator: Emulator, mode: str
) -> None:
    DELETED.clear()
    openrouter_emulator.enqueue(PAUSING_TURN)
    paused = run_tools(
        openrouter_emulator,
        mode,
        input="Clean up",
        tools=[get_time, delete_file],
        instructions="Be careful.",
    )
    assert paused.paused and paused.stop_reason == "approval_required"
    assert [c.call_id for c in paused.pending_approvals] == ["c_del_a", "c_del_b"]
    assert [e.call_id for e in paused.executions] == ["c_time"]  # the free call ran
    assert DELETED == [] and len(openrouter_emulator.requests) == 1
    assert paused.state is not None

    saved = paused.state.to_json()
    state = ToolRunState.from_json(saved)
    assert [c.call_id for c in state.undecided] == ["c_del_a", "c_del_b"]
    state.approve("c_del_a")
    state.reject("c_del_b", reason="Keep b.")
    again = ToolRunState.from_json(state.to_json())  # decisions are saved too
    assert again.decisions == state.decisions

    openrouter_emulator.enqueue(ANSWER)
    result = run_tools(openrouter_emulator, mode, tools=[get_time, delete_file], resume=again)
    assert result.stop_reason == "completed" and result.output_text == "All done."
    assert DELETED == ["/tmp/a"]
    outputs = _outputs(openrouter_emulator)
    assert outputs["c_time"] == "12:00 in UTC"
    assert outputs["c_del_a"] == "deleted /tmp/a"
    assert outputs["c_del_b"] == (
        "The user refused this call of 'delete_file'; it was not run. Reason: Keep b."
    )
    second = openrouter_emulator.requests[1].json
    assert second["instructions"] == "Be careful." and second["model"] == "m"
    assert [t["name"] for t in second["tools"]] == ["get_time", "delete_file"]
    # The whole run, across the pause: both responses, the usage of both.
    assert len(result.responses) == 2 and result.usage.requests == 2
    assert result.new_items == result.items[1:]
    rejected = [e for e in result.executions if e.rejected]
    assert [e.call_id for e in rejected] == ["c_del_b"]
    assert isinstance(rejected[0].error, CallRejected) and rejected[0].error.reason == "Keep b."


def test_approval_resumes_in_another_process(openrouter_emulator: Emulator, tmp_path: Path) -> None:
    DELETED.clear()
    openrouter_emulator.enqueue(PAUSING_TURN, ANSWER)
    with _client(openrouter_emulator) as client:
        paused = client.responses.run_tools(
            model="m", input="Clean up", tools=[get_time, delete_file]
        )
    assert paused.state is not None
    saved = tmp_path / "run.json"
    saved.write_text(paused.state.to_json())
    script = f"""
import sys
from openrouter import OpenRouter
from openrouter.tools import ToolRunState, tool

@tool(requires_approval=True)
def delete_file(path: str) -> str:
    '''Delete a file.'''
    return "deleted " + path

def get_time(zone: str) -> str:
    '''The local time in a time zone.'''
    return "12:00"

state = ToolRunState.from_json(open(sys.argv[1]).read())
key, url = {openrouter_emulator.api_key!r}, {openrouter_emulator.url!r}
with OpenRouter(api_key=key, server_url=url) as c:
    result = c.responses.run_tools(tools=[get_time, delete_file], resume=state,
                                   approve=["c_del_a", "c_del_b"])
print(result.stop_reason, len(result.responses), result.output_text)
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(saved)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["completed", "2", "All", "done."]
    assert DELETED == []  # it ran in the other process
    assert _outputs(openrouter_emulator) == {
        "c_time": "12:00 in UTC",
        "c_del_a": "deleted /tmp/a",
        "c_del_b": "deleted /tmp/b",
    }


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_approval_by_predicate_on_the_arguments(openrouter_emulator: Emulator, mode: str) -> None:
    openrouter_emulator.enqueue(
        Reply.function_calls(
            FunctionCall("pay", {"amount": 50, "to": "Ann"}, call_id="small"),
            FunctionCall("pay", {"amount": 500, "to": "Bob"}, call_id="big"),
            FunctionCall("pay", {"amount": "lots"}, call_id="bad"),  # invalid: needs none
        )
    )
    paused = run_tools(openrouter_emulator, mode, input="Pay", tools=[pay])
    assert [c.call_id for c in paused.pending_approvals] == ["big"]
    assert [(e.call_id, e.ok) for e in paused.executions] == [("small", True), ("bad", False)]

    openrouter_emulator.enqueue(ANSWER)
    assert paused.state is not None
    result = run_tools(
        openrouter_emulator, mode, tools=[pay], resume=paused.state.to_json(), reject=["big"]
    )
    assert result.output_text == "All done."
    assert _outputs(openrouter_emulator)["big"].startswith("The user refused this call of 'pay'")


def test_approval_decisions_are_checked(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(PAUSING_TURN)
    paused = run_tools(openrouter_emulator, "sync", input="x", tools=[get_time, delete_file])
    assert paused.state is not None
    state = paused.state
    with pytest.raises(ValueError, match="No call awaits approval with call_id nope"):
        state.approve("nope")
    with _client(openrouter_emulator) as client:
        with pytest.raises(ValueError, match=r"wait for approval: c_del_b \(delete_file\)"):
            client.responses.run_tools(
                tools=[get_time, delete_file], resume=state, approve=["c_del_a"]
            )
        with pytest.raises(ValueError, match="No pending call has call_id zzz"):
            client.responses.run_tools(tools=[get_time, delete_file], resume=state, approve=["zzz"])
        with pytest.raises(ValueError, match="both approved and rejected"):
            client.responses.run_tools(
                tools=[delete_file], resume=state, approve=["c_del_a"], reject=["c_del_a"]
            )
        with pytest.raises(TypeError, match="either input= or resume="):
            client.responses.run_tools(tools=[delete_file], input="x", resume=state)
        with pytest.raises(TypeError, match="needs input="):
            client.responses.run_tools(tools=[delete_file])
        with pytest.raises(ValueError, match="version"):
            ToolRunState.from_json('{"version": 99}')
    assert len(openrouter_emulator.requests) == 1  # nothing was sent


def test_state_with_unsaveable_params_says_which(openrouter_emulator: Emulator) -> None:
    from openrouter.tools._state import encode_params
    from openrouter.utils import RetryConfig

    # Whatever send accepted can be saved (RetryConfig included); anything else is named.
    assert encode_params({"retries": RetryConfig("none")})["retries"]["strategy"] == "none"
    with pytest.raises(TypeError, match="'opaque'"):
        encode_params({"opaque": object()})


def test_state_keeps_retries_across_a_save(openrouter_emulator: Emulator) -> None:
    from openrouter.tools import ToolRunState
    from openrouter.utils import RetryConfig

    openrouter_emulator.enqueue(PAUSING_TURN)
    retries = RetryConfig("none", max_attempts=2)
    paused = run_tools(
        openrouter_emulator, "sync", input="x", tools=[get_time, delete_file], retries=retries
    )
    assert paused.state is not None
    again = ToolRunState.from_json(paused.state.to_json())
    assert again.params["retries"] == retries


# -- tool context --------------------------------------------------------------------------------


@dataclass
class Deps:
    user: str
    calls: list[str]


class SpecialDeps(Deps):
    pass


def whoami(greeting: str, deps: Deps) -> str:
    """Greet the current user."""
    deps.calls.append(greeting)
    return f"{greeting}, {deps.user}"


async def whoami_async(deps: Deps, /, greeting: str) -> str:
    """Greet the current user."""
    await asyncio.sleep(0)
    deps.calls.append(greeting)
    return f"{greeting}, {deps.user}"


@pytest.mark.parametrize("mode", MODES)
def test_context_reaches_tools_and_stays_out_of_the_schema(
    openrouter_emulator: Emulator, mode: str
) -> None:
    deps = SpecialDeps(user="Ada", calls=[])
    tools: list[Any] = [whoami]
    if mode in ("async", "astream"):
        tools = [Tool.from_function(whoami_async, name="whoami")]
    openrouter_emulator.enqueue(
        Reply.function_call("whoami", {"greeting": "Hi"}, call_id="w"), ANSWER
    )
    result = run_tools(openrouter_emulator, mode, input="Who am I?", tools=tools, context=deps)
    assert result.executions[0].output == "Hi, Ada" and deps.calls == ["Hi"]
    schema = openrouter_emulator.requests[0].json["tools"][0]["parameters"]
    assert list(schema["properties"]) == ["greeting"] and schema["required"] == ["greeting"]


def test_context_rules() -> None:
    client = OpenRouter(api_key="k", server_url="http://127.0.0.1:9")
    built = tool(context_type=Deps)(whoami)
    assert list(built.parameters["properties"]) == ["greeting"]
    assert built.invoke({"greeting": "Yo"}, context=Deps("Bo", [])) == "Yo, Bo"
    with pytest.raises(TypeError, match="take a context, but no context= was given: whoami"):
        client.responses.run_tools(model="m", input="x", tools=[built])
    with pytest.raises(TypeError, match="your own class"):
        client.responses.run_tools(model="m", input="x", tools=[get_time], context="deps")

    class Other:
        pass

    with pytest.raises(TypeError, match="context of type Deps, but the run's context is a Other"):
        client.responses.run_tools(model="m", input="x", tools=[built], context=Other())
    # A tool built before the run finds its context parameter by the run's context type.
    prebuilt = Tool.from_function(whoami)
    assert "deps" in prebuilt.parameters["properties"]
    bound = prebuilt.for_context(Deps)
    assert list(bound.parameters["properties"]) == ["greeting"]
    assert prebuilt.for_context(SpecialDeps) is not bound and prebuilt.for_context(Deps) is bound
    assert Tool.from_function(get_time).for_context(Deps).context_type is None


# -- turn hooks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_turn_hooks_see_the_run_and_change_the_next_request(
    openrouter_emulator: Emulator, mode: str
) -> None:
    seen: list[tuple[str, int, int]] = []

    def before(run: ToolRun) -> dict[str, Any] | None:
        seen.append(("start", run.turn, len(run.items)))
        if run.turn == 1:
            return {"model": "openai/gpt-4o-mini"}
        return None

    def after(run: ToolRun) -> None:
        seen.append(("end", run.turn, len(run.executions)))
        if run.turn == 2:
            run.params["instructions"] = "Answer now."

    async def before_async(run: ToolRun) -> dict[str, Any] | None:
        await asyncio.sleep(0)
        return before(run)

    openrouter_emulator.enqueue(_call(), _call(), ANSWER)
    hook = before_async if mode in ("async", "astream") else before
    result = run_tools(
        openrouter_emulator,
        mode,
        input="x",
        tools=[get_time],
        on_turn_start=hook,
        on_turn_end=after,
    )
    assert result.output_text == "All done."
    sent = [r.json for r in openrouter_emulator.requests]
    assert [r["model"] for r in sent] == ["m", "openai/gpt-4o-mini", "openai/gpt-4o-mini"]
    assert ["instructions" in r for r in sent] == [False, False, True]
    assert seen == [
        ("start", 0, 1),
        ("end", 1, 1),
        ("start", 1, 3),
        ("end", 2, 2),
        ("start", 2, 5),
        ("end", 3, 2),
    ]


def test_hooks_must_return_a_dict_and_async_hooks_need_the_async_run(
    openrouter_emulator: Emulator,
) -> None:
    async def async_hook(run: ToolRun) -> None:
        return None

    openrouter_emulator.enqueue(ANSWER)
    with pytest.raises(TypeError, match="run_tools_async"):
        run_tools(openrouter_emulator, "sync", input="x", tools=[], on_turn_start=async_hook)
    with pytest.raises(TypeError, match="dict of parameters, not int"):
        run_tools(openrouter_emulator, "sync", input="x", tools=[], on_turn_start=lambda r: 3)
    assert len(openrouter_emulator.requests) == 0


# -- the sync loop runs one turn's calls in threads ----------------------------------------------

TWO_TIMES = Reply.function_calls(
    FunctionCall("get_time", {"zone": "UTC"}, call_id="a"),
    FunctionCall("get_time", {"zone": "CET"}, call_id="b"),
    FunctionCall("get_time", {"zone": "EST"}, call_id="c"),
)


@pytest.mark.parametrize("mode", ["sync", "stream"])
def test_sync_loop_runs_calls_concurrently_in_threads(
    openrouter_emulator: Emulator, mode: str
) -> None:
    barrier = threading.Barrier(3, timeout=5)
    threads: set[int] = set()

    def slow_time(zone: str) -> str:
        threads.add(threading.get_ident())
        barrier.wait()  # only passes if all three calls run at once
        return get_time(zone)

    openrouter_emulator.enqueue(TWO_TIMES, ANSWER)
    result = run_tools(
        openrouter_emulator,
        mode,
        input="x",
        tools=[Tool.from_function(slow_time, name="get_time")],
    )
    assert len(threads) == 3 and threading.get_ident() not in threads
    # Recorded in call order whatever the finishing order.
    assert [e.call_id for e in result.executions] == ["a", "b", "c"]
    assert list(_outputs(openrouter_emulator)) == ["a", "b", "c"]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_max_concurrency_bounds_the_calls(openrouter_emulator: Emulator, mode: str) -> None:
    lock = threading.Lock()
    running = [0, 0]  # now, most at once

    def counted(zone: str) -> str:
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return zone

    openrouter_emulator.enqueue(TWO_TIMES, ANSWER)
    run_tools(
        openrouter_emulator,
        mode,
        input="x",
        tools=[Tool.from_function(counted, name="get_time")],
        max_concurrency=2,
    )
    assert running[1] == 2
    with pytest.raises(ValueError, match="max_concurrency"):
        run_tools(openrouter_emulator, mode, input="x", tools=[], max_concurrency=0)


def test_on_tool_error_raise_in_threads_records_the_others(openrouter_emulator: Emulator) -> None:
    def get_time(zone: str) -> str:
        if zone == "CET":
            raise ValueError("no CET")
        return zone

    openrouter_emulator.enqueue(TWO_TIMES)
    with pytest.raises(errors.ToolCallError, match="no CET") as info:
        run_tools(openrouter_emulator, "sync", input="x", tools=[get_time], on_tool_error="raise")
    assert [e.call_id for e in info.value.executions] == ["a", "c"]
    assert isinstance(info.value.__cause__, ValueError)


# -- stream helpers ------------------------------------------------------------------------------

THINK_THEN_CALL = Reply.reasoning("Let me think.", summary=["Thinking."]) + Reply.function_call(
    "get_time", {"zone": "Europe/Paris"}, call_id="t1"
)


def test_tool_run_stream_reasoning_and_argument_deltas(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(THINK_THEN_CALL.with_options(delta_size=4), ANSWER)
    openrouter_emulator.enqueue(THINK_THEN_CALL.with_options(delta_size=4), ANSWER)
    with _client(openrouter_emulator) as client:
        with client.responses.run_tools(
            model="m", input="x", tools=[get_time], stream=True
        ) as stream:
            reasoning = "".join(stream.reasoning_deltas())
        assert reasoning == "Let me think.Thinking."
        with client.responses.run_tools(
            model="m", input="x", tools=[get_time], stream=True
        ) as stream:
            deltas = list(stream.tool_call_deltas())
            assert stream.result.output_text == "All done."
    assert all(isinstance(d, ToolCallDelta) for d in deltas) and len(deltas) > 3
    assert {(d.name, d.call_id) for d in deltas} == {("get_time", "t1")}
    assert deltas[-1].arguments == '{"zone":"Europe/Paris"}'
    assert "".join(d.delta for d in deltas) == deltas[-1].arguments
    assert deltas[1].arguments == deltas[0].delta + deltas[1].delta


def test_async_tool_run_stream_helpers(openrouter_emulator: Emulator) -> None:
    async def main() -> tuple[str, list[ToolCallDelta]]:
        async with _client(openrouter_emulator) as client:
            stream = await client.responses.run_tools_async(
                model="m", input="x", tools=[get_time], stream=True
            )
            async with stream:
                reasoning = "".join([d async for d in stream.reasoning_deltas()])
            stream = await client.responses.run_tools_async(
                model="m", input="x", tools=[get_time], stream=True
            )
            async with stream:
                deltas = [d async for d in stream.tool_call_deltas()]
            return reasoning, deltas

    openrouter_emulator.enqueue(THINK_THEN_CALL, ANSWER, THINK_THEN_CALL, ANSWER)
    reasoning, deltas = asyncio.run(main())
    assert reasoning == "Let me think.Thinking."
    assert deltas[-1].arguments == '{"zone":"Europe/Paris"}' and deltas[-1].name == "get_time"


def test_wrapped_streams_have_reasoning_deltas(openrouter_emulator: Emulator) -> None:
    from pydantic import BaseModel

    from openrouter.conversation import Conversation

    class Answer(BaseModel):
        n: int

    think = Reply.reasoning("Hmm, two.", summary=["Two."], answer='{"n": 2}')
    openrouter_emulator.enqueue(think, think, think)
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m")
        with conv.send("x", stream=True) as stream:
            assert "".join(stream.reasoning_deltas()) == "Hmm, two.Two."
            assert stream.output_text == '{"n": 2}'
        with client.responses.parse(
            model="m", input="x", text_format=Answer, stream=True
        ) as parsed:
            assert "".join(parsed.reasoning_deltas()) == "Hmm, two.Two."
            assert parsed.get_final_response().output_parsed.n == 2

    async def main() -> str:
        async with _client(openrouter_emulator) as client:
            conv = Conversation(client, model="m")
            stream = await conv.send_async("x", stream=True)
            async with stream:
                return "".join([d async for d in stream.reasoning_deltas()])

    assert asyncio.run(main()) == "Hmm, two.Two."


def test_tool_execution_events_still_interleave(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(TWO_TIMES, ANSWER)
    with _client(openrouter_emulator) as client:
        with client.responses.run_tools(
            model="m", input="x", tools=[get_time], stream=True
        ) as stream:
            events = list(stream)
    kinds = [e.type for e in events]
    executions = [e for e in events if isinstance(e, ToolExecution)]
    assert [e.call_id for e in executions] == ["a", "b", "c"]
    first_done = kinds.index("response.completed")
    assert first_done < events.index(executions[0])
    assert events.index(executions[-1]) < kinds.index("response.created", first_done)


def test_json_round_trip_of_a_state(openrouter_emulator: Emulator) -> None:
    openrouter_emulator.enqueue(PAUSING_TURN)
    paused = run_tools(openrouter_emulator, "sync", input="x", tools=[get_time, delete_file])
    assert paused.state is not None
    text = paused.state.to_json()
    restored = ToolRunState.from_json(text)
    assert restored.to_json() == text
    assert json.loads(text)["awaiting"][0]["call_id"] == "c_del_a"
    assert restored.usage == paused.usage and restored.start == 1


# -- in a conversation ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_a_conversation_pauses_for_approval_and_resumes_after_a_restore(
    openrouter_emulator: Emulator, mode: str
) -> None:
    from openrouter.conversation import Conversation

    DELETED.clear()
    deps = Deps(user="Ada", calls=[])
    tools: list[Any] = [get_time, delete_file, whoami]

    def conv_run(conv: Conversation, **kwargs: Any) -> ToolRunResult:
        result: ToolRunResult
        if mode == "sync":
            result = conv.run_tools(**kwargs)
        elif mode == "stream":
            with conv.run_tools(stream=True, **kwargs) as stream:
                result = stream.get_final_result()
        else:

            async def main() -> ToolRunResult:
                async with _client(openrouter_emulator) as client:
                    conv.client = client
                    done: ToolRunResult = await conv.run_tools_async(**kwargs)
                    return done

            result = asyncio.run(main())
        return result

    openrouter_emulator.enqueue(PAUSING_TURN)
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m", tools=tools)
        paused = conv_run(conv, input="Clean up", context=deps, stop_when=step_count_is(5))
        assert paused.paused
        assert [c.call_id for c in conv.pending_tool_calls] == ["c_del_a", "c_del_b"]
        assert conv.usage.requests == 1
        with pytest.raises(ValueError, match="wait for approval"):
            conv.run_tools(context=deps)
        with pytest.raises(TypeError, match="resume= is not taken here"):
            conv.run_tools(resume=paused.state, context=deps)  # type: ignore[call-overload]
        saved = conv.to_json()

    openrouter_emulator.enqueue(
        Reply.function_call("whoami", {"greeting": "Done"}, call_id="w"), ANSWER
    )
    with _client(openrouter_emulator) as client:
        conv = Conversation.from_json(saved, client, tools=tools, context=deps)
        result = conv_run(conv, approve=["c_del_a", "c_del_b"])
    assert result.output_text == "All done." and sorted(DELETED) == [
        "/tmp/a",
        "/tmp/b",
    ]  # run concurrently
    assert deps.calls == ["Done"] and conv.pending_tool_calls == []
    assert conv.usage.requests == 3
    assert [c for c in _outputs(openrouter_emulator, 1)] == ["c_time", "c_del_a", "c_del_b"]


def test_a_conversation_run_takes_stop_conditions_and_hooks(
    openrouter_emulator: Emulator,
) -> None:
    from openrouter.conversation import Conversation

    openrouter_emulator.enqueue(*[_call() for _ in range(3)])
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m", tools=[get_time])
        result = conv.run_tools(
            "x",
            stop_when=step_count_is(2),
            on_turn_start=lambda run: {"model": f"model-{run.turn}"},
        )
    assert result.stop_reason == "step_count_is(2)"
    assert [r.json["model"] for r in openrouter_emulator.requests] == ["model-0", "model-1"]
    assert _types(conv.items)[-1] == "function_call_output" and conv.usage.requests == 2


def test_a_conversation_context_shapes_the_tools_of_every_turn(
    openrouter_emulator: Emulator,
) -> None:
    from openrouter.conversation import Conversation

    deps = Deps(user="Ada", calls=[])
    openrouter_emulator.enqueue(
        Reply.text("Hi."), Reply.function_call("whoami", {"greeting": "Hey"}), ANSWER
    )
    with _client(openrouter_emulator) as client:
        conv = Conversation(client, model="m", tools=[whoami], context=deps)
        conv.send("Hello")
        conv.run_tools("Who am I?")
    for request in openrouter_emulator.requests:
        assert list(request.json["tools"][0]["parameters"]["properties"]) == ["greeting"]
    assert deps.calls == ["Hey"]
