"""The state of one tool run, without I/O: what to send next, which calls to run, how their
outputs go back into the history, when to stop or pause. The sync, async and streaming drivers
all share it: ``ToolRun.steps()`` yields what to do (send, run calls, call a hook) and is sent
the outcome, so the loop itself exists once."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Union

import pydantic

from openrouter.components import EasyInputMessage, OpenResponsesResult, OutputFunctionCallItem
from openrouter.errors import (
    MaxTurnsExceededError,
    ToolCallError,
    ToolRunIncompleteError,
    incomplete_reason,
    raise_if_failed,
)
from openrouter.tools._definition import Tool, ToolLike, check_context, item_field, split_tools
from openrouter.tools._execution import ToolExecution, error_text, rejection, to_output
from openrouter.tools._state import Decision, ToolRunState
from openrouter.tools._stop import StopWhen, as_conditions, first_stop
from openrouter.usage import Usage

if TYPE_CHECKING:
    from collections.abc import Awaitable
    from typing import TypeAlias

    from openrouter.tools._observe import RunObserver

__all__ = [
    "Action",
    "CallHook",
    "Finished",
    "OnToolError",
    "RunCalls",
    "SendRequest",
    "ToolRun",
    "ToolRunResult",
    "TurnHook",
    "as_items",
    "unanswered_calls",
]

OnToolError: TypeAlias = (
    Literal["send", "raise"] | Callable[[OutputFunctionCallItem, Exception], str]
)
"""What to do when a tool raises or gets invalid arguments: ``"send"`` the error text to the
model (it can retry or explain), ``"raise"`` ``ToolCallError``, or a function that returns the
text to send."""

TurnHook: TypeAlias = Callable[
    ["ToolRun"], Union["Mapping[str, Any] | None", "Awaitable[Mapping[str, Any] | None]"]
]
"""``on_turn_start`` / ``on_turn_end``: called with the run; may change ``run.params`` (or
return a dict of changes), which apply to every later request. Async in ``run_tools_async``."""

APPROVAL_REQUIRED = "approval_required"
COMPLETED = "completed"


@dataclass
class ToolRunResult:
    """The outcome of a tool run.

    ``response`` is the last response (the final answer when ``stop_reason == "completed"``),
    ``responses`` every response (one per turn), ``items`` the whole history (the input, every
    output item, every ``function_call_output``; send it as ``input`` to go on),
    ``executions`` every tool call run, ``usage`` the total over all turns.

    ``stop_reason`` says why the run ended: ``"completed"`` (the model answered),
    ``"approval_required"`` (paused: ``pending_approvals`` wait for a decision; save ``state``
    and resume it), or the stop condition that fired (``"max_cost(0.5)"`` ...).
    """

    response: OpenResponsesResult
    responses: list[OpenResponsesResult]
    items: list[Any]
    executions: list[ToolExecution]
    usage: Usage
    new_items: list[Any] = field(default_factory=list)
    """The items added by the run (everything after the input)."""
    stop_reason: str = COMPLETED
    pending_approvals: list[OutputFunctionCallItem] = field(default_factory=list)
    """The calls waiting for an approval decision (when ``stop_reason`` is
    ``"approval_required"``)."""
    state: ToolRunState | None = None
    """The run as resumable, JSON-serialisable state (``state.to_json()``)."""

    @property
    def output_text(self) -> str:
        return self.response.output_text

    @property
    def paused(self) -> bool:
        """Whether the run waits for approval decisions."""
        return self.stop_reason == APPROVAL_REQUIRED


# -- what the drivers are asked to do -----------------------------------------------------------


@dataclass(frozen=True)
class SendRequest:
    """Send ``send(**params)``; reply with the final ``OpenResponsesResult``."""

    params: dict[str, Any]


@dataclass(frozen=True)
class RunCalls:
    """Run these calls (concurrently, at most ``max_concurrency`` at once); reply with one
    ``ToolExecution`` or ``ToolCallError`` per call, in call order."""

    calls: list[OutputFunctionCallItem]


@dataclass(frozen=True)
class CallHook:
    """Call ``hook(run)`` (awaiting it if it is async); reply with what it returned."""

    hook: TurnHook


@dataclass(frozen=True)
class Finished:
    """The run is over."""

    result: ToolRunResult


Action: TypeAlias = SendRequest | RunCalls | CallHook | Finished


def as_items(input: Any) -> list[Any]:
    """``input`` as a list of items: a string is one user message."""
    if isinstance(input, str):
        return [EasyInputMessage(role="user", content=input)]
    if isinstance(input, (Mapping, pydantic.BaseModel)):
        return [input]
    return list(input)


def unanswered_calls(items: SequenceABC[Any]) -> list[OutputFunctionCallItem]:
    """The ``function_call`` items of ``items`` that no ``function_call_output`` answers."""
    answered = {
        item_field(item, "call_id")
        for item in items
        if item_field(item, "type") == "function_call_output"
    }
    pending = []
    for item in items:
        if (
            item_field(item, "type") == "function_call"
            and item_field(item, "call_id") not in answered
        ):
            if isinstance(item, OutputFunctionCallItem):
                pending.append(item)
            else:
                data = item if isinstance(item, Mapping) else item.to_dict()
                pending.append(OutputFunctionCallItem.model_validate(dict(data)))
    return pending


def _decisions(
    approve: Iterable[str], reject: Iterable[str] | Mapping[str, str | None]
) -> dict[str, Decision]:
    if isinstance(approve, str) or isinstance(reject, str):
        raise TypeError("approve= and reject= take a list of call ids (reject=: or a dict)")
    out = {call_id: Decision(True) for call_id in approve}
    reasons = reject if isinstance(reject, Mapping) else dict.fromkeys(reject)
    for call_id, reason in reasons.items():
        if call_id in out:
            raise ValueError(f"Call {call_id!r} is both approved and rejected")
        out[call_id] = Decision(False, reason)
    return out


class ToolRun:
    """The state of one tool run, without I/O; stop conditions and hooks receive it.

    Read: ``turn`` (requests so far), ``response`` (the last one), ``calls`` (its function
    calls), ``responses``, ``items``, ``executions``, ``usage``, ``context``. Change:
    ``params`` (the next requests' ``send`` parameters, e.g. ``model``, ``instructions``).

    For building your own driver: ``steps()`` yields ``SendRequest`` / ``RunCalls`` /
    ``CallHook`` / ``Finished`` actions and is sent each one's outcome. The older pieces work
    too: ``request()``, ``accept(response)`` (the calls to run, or ``None``),
    ``execute``/``execute_async``, ``result()``.
    """

    def __init__(
        self,
        tools: SequenceABC[ToolLike],
        input: Any = None,
        *,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        params: Mapping[str, Any] | None = None,
        stop_when: StopWhen | None = None,
        context: Any = None,
        on_turn_start: TurnHook | None = None,
        on_turn_end: TurnHook | None = None,
        approve: Iterable[str] = (),
        reject: Iterable[str] | Mapping[str, str | None] = (),
        max_concurrency: int = 8,
        state: ToolRunState | None = None,
    ) -> None:
        if max_turns < 1:
            raise ValueError("max_turns must be at least 1")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        if on_tool_error not in ("send", "raise") and not callable(on_tool_error):
            raise ValueError("on_tool_error must be 'send', 'raise' or a function")
        if (input is None) == (state is None):
            raise TypeError("A tool run needs input= (or a state to resume), not both")
        self.context = context
        self.registry, definitions = split_tools(tools, check_context(context))
        missing = [t.name for t in self.registry.values() if t.fn is None]
        if missing:
            raise TypeError(f"These tools have no function to run: {', '.join(missing)}")
        needs_context = [t.name for t in self.registry.values() if t.context_type is not None]
        if needs_context and context is None:
            raise TypeError(
                f"These tools take a context, but no context= was given: {', '.join(needs_context)}"
            )
        self.max_turns = max_turns
        self.on_tool_error = on_tool_error
        self.max_concurrency = max_concurrency
        self.stop_when = as_conditions(stop_when)
        self.on_turn_start = on_turn_start
        self.on_turn_end = on_turn_end
        self.responses: list[OpenResponsesResult] = []
        self.executions: list[ToolExecution] = []
        self.usage = Usage()
        self.decisions = _decisions(approve, reject)
        if state is not None:
            self.params = {**state.params, **(params or {})}
            self.items = list(state.items)
            self.start = state.start
            self.responses = list(state.responses)
            self.usage = state.usage
            self.decisions = {**state.decisions, **self.decisions}
        else:
            self.params = dict(params or {})
            self.items = as_items(input)
            self.start = len(self.items)
        if definitions:
            self.params["tools"] = definitions
        self.awaiting: list[OutputFunctionCallItem] = []
        self.stop_reason = COMPLETED
        self._forced_stop: str | None = None
        self._check_decisions()

    def _check_decisions(self) -> None:
        pending = self.pending()
        ids = {c.call_id for c in pending}
        unknown = [i for i in self.decisions if i not in ids]
        if unknown:
            raise ValueError(f"No pending call has call_id {', '.join(unknown)}")
        undecided = [
            f"{c.call_id} ({c.name})"
            for c in pending
            if c.call_id not in self.decisions and self._needs_approval(c)
        ]
        if undecided:
            raise ValueError(
                f"These calls wait for approval: {', '.join(undecided)}; pass approve=[...] "
                "or reject=[...] with their call ids"
            )

    # -- what stop conditions and hooks read -----------------------------------------------

    @property
    def turn(self) -> int:
        """The number of requests made (a resumed run counts those before the pause)."""
        return len(self.responses)

    @property
    def response(self) -> OpenResponsesResult | None:
        """The last response, if any."""
        return self.responses[-1] if self.responses else None

    @property
    def calls(self) -> list[OutputFunctionCallItem]:
        """The function calls of the last response."""
        last = self.response
        if last is None:
            return []
        return [item for item in last.output if isinstance(item, OutputFunctionCallItem)]

    # -- requests and responses ------------------------------------------------------------

    def request(self) -> dict[str, Any]:
        return {**self.params, "input": list(self.items)}

    def pending(self) -> list[OutputFunctionCallItem]:
        return unanswered_calls(self.items)

    def _state(self) -> dict[str, Any]:
        return {
            "items": list(self.items),
            "responses": list(self.responses),
            "executions": list(self.executions),
            "usage": self.usage,
        }

    def accept(self, response: OpenResponsesResult) -> list[OutputFunctionCallItem] | None:
        """Record a response; the calls to run, or ``None`` when the run is over."""
        raise_if_failed(response)
        self.responses.append(response)
        self.usage = self.usage + Usage.of(response)
        self.items.extend(response.output)
        if response.status == "incomplete":
            stop = first_stop(self.stop_when, self)
            if stop is not None:
                self.stop_reason = stop
                return None
            reason = incomplete_reason(response)
            raise ToolRunIncompleteError(
                f"Turn {len(self.responses)} of the tool run is incomplete "
                f"({reason or 'no reason given'}); no tool was run",
                response=response,
                reason=reason,
                **self._state(),
            )
        calls = [item for item in response.output if isinstance(item, OutputFunctionCallItem)]
        if not calls:
            return None
        if len(self.responses) >= self.max_turns:
            # A stop condition that fires now ends the run normally after these calls.
            self._forced_stop = first_stop(self.stop_when, self)
            if self._forced_stop is None:
                names = ", ".join(c.name for c in calls)
                raise MaxTurnsExceededError(
                    f"The model still called tools ({names}) after max_turns={self.max_turns} "
                    "requests; those calls were not run",
                    max_turns=self.max_turns,
                    pending_calls=calls,
                    **self._state(),
                )
        return calls

    def apply(self, changes: object) -> None:
        """Apply what a turn hook returned: ``None``, or a dict of ``send`` parameters."""
        if changes is None:
            return
        if not isinstance(changes, Mapping):
            raise TypeError(
                f"A turn hook returns None or a dict of parameters, not {type(changes).__name__}"
            )
        self.params.update(changes)

    # -- the loop --------------------------------------------------------------------------

    def steps(self) -> Generator[Action, Any, None]:
        """The run as actions for a driver: ``SendRequest`` (send back the final response),
        ``RunCalls`` (send back their outcomes), ``CallHook`` (send back its return value),
        then ``Finished``."""
        pending = self.pending()
        # Calls left unanswered by the input run first; after a pause they end its turn.
        if pending and (yield from self._calls_turn(pending, ends_turn=bool(self.responses))):
            return
        while True:
            if self.on_turn_start is not None:
                self.apply((yield CallHook(self.on_turn_start)))
            calls = self.accept((yield SendRequest(self.request())))
            if calls is None:
                if self.on_turn_end is not None:
                    self.apply((yield CallHook(self.on_turn_end)))
                yield Finished(self.result())
                return
            if (yield from self._calls_turn(calls, ends_turn=True)):
                return

    def _calls_turn(
        self, calls: list[OutputFunctionCallItem], *, ends_turn: bool
    ) -> Generator[Action, Any, bool]:
        """Run one turn's calls (with approvals); ``True`` when the run is over."""
        outcomes: list[ToolExecution | ToolCallError | None] = [None] * len(calls)
        to_run: list[int] = []
        awaiting: list[OutputFunctionCallItem] = []
        for index, call in enumerate(calls):
            decision = self.decisions.pop(call.call_id, None)
            if decision is not None and not decision.approved:
                outcomes[index] = rejection(call, decision.reason)
            elif decision is None and self._needs_approval(call):
                awaiting.append(call)
            else:
                to_run.append(index)
        if to_run:
            ran = yield RunCalls([calls[i] for i in to_run])
            for index, outcome in zip(to_run, ran, strict=True):
                outcomes[index] = outcome
        self._record_outcomes(outcomes)
        if awaiting:
            self.awaiting = awaiting
            self.stop_reason = APPROVAL_REQUIRED
            yield Finished(self.result())
            return True
        if not ends_turn:
            return False
        if self.on_turn_end is not None:
            self.apply((yield CallHook(self.on_turn_end)))
        stop = self._forced_stop or first_stop(self.stop_when, self)
        if stop is None:
            return False
        self.stop_reason = stop
        yield Finished(self.result())
        return True

    def _record_outcomes(self, outcomes: Iterable[ToolExecution | ToolCallError | None]) -> None:
        failure: ToolCallError | None = None
        for outcome in outcomes:
            if isinstance(outcome, ToolExecution):
                self.record(outcome)
            elif outcome is not None and failure is None:
                failure = outcome
        if failure is not None:
            # Raised while the calls ran, before the others were recorded: bring it up to date.
            for key, value in self._state().items():
                setattr(failure, key, value)
            raise failure

    def _needs_approval(self, call: OutputFunctionCallItem) -> bool:
        found = self.registry.get(call.name)
        return found is not None and found.needs_approval(call)

    # -- executing -------------------------------------------------------------------------

    def _failed(self, call: OutputFunctionCallItem, exc: Exception) -> ToolExecution:
        handler = self.on_tool_error
        if handler == "raise":
            raise ToolCallError(
                f"Tool {call.name!r} failed: {type(exc).__name__}: {exc}",
                call=call,
                **self._state(),
            ) from exc
        text = handler(call, exc) if callable(handler) else error_text(call, exc)
        return ToolExecution(call=call, output=text, error=exc)

    def _lookup(self, call: OutputFunctionCallItem) -> Tool | ToolExecution:
        found = self.registry.get(call.name)
        if found is not None:
            return found
        known = ", ".join(sorted(self.registry)) or "none"
        error = LookupError(f"unknown tool {call.name!r}")
        text = f"Error: there is no tool named {call.name!r}. Available tools: {known}."
        return ToolExecution(call=call, output=text, error=error)

    def execute_one(self, call: OutputFunctionCallItem) -> ToolExecution:
        """Run one call (not recorded); raises ``ToolCallError`` only with ``"raise"``."""
        found = self._lookup(call)
        if isinstance(found, ToolExecution):
            return found
        try:
            value = found.run(found.checked_arguments(call), self.context)
        except Exception as exc:
            return self._failed(call, exc)
        return ToolExecution(call=call, output=to_output(value), value=value)

    async def execute_one_async(self, call: OutputFunctionCallItem) -> ToolExecution:
        found = self._lookup(call)
        if isinstance(found, ToolExecution):
            return found
        try:
            value = await found.arun(found.checked_arguments(call), self.context)
        except Exception as exc:
            return self._failed(call, exc)
        return ToolExecution(call=call, output=to_output(value), value=value)

    # Set by the drivers when the client has hooks (``tools/_observe.py``).
    observer: RunObserver | None = None

    def outcome(self, call: OutputFunctionCallItem) -> ToolExecution | ToolCallError:
        """``execute_one``, with a ``ToolCallError`` returned instead of raised."""
        if self.observer is not None:
            return self.observer.call(call, self._outcome)
        return self._outcome(call)

    def _outcome(self, call: OutputFunctionCallItem) -> ToolExecution | ToolCallError:
        try:
            return self.execute_one(call)
        except ToolCallError as exc:
            return exc

    async def outcome_async(self, call: OutputFunctionCallItem) -> ToolExecution | ToolCallError:
        if self.observer is not None:
            return await self.observer.call_async(call, self._outcome_async)
        return await self._outcome_async(call)

    async def _outcome_async(self, call: OutputFunctionCallItem) -> ToolExecution | ToolCallError:
        try:
            return await self.execute_one_async(call)
        except ToolCallError as exc:
            return exc

    def record(self, execution: ToolExecution) -> None:
        self.executions.append(execution)
        self.items.append(execution.output_item())

    def execute(self, calls: SequenceABC[OutputFunctionCallItem]) -> Iterator[ToolExecution]:
        """Run the calls one after the other, recording each; yields each when done."""
        for call in calls:
            execution = self.execute_one(call)
            self.record(execution)
            yield execution

    async def execute_async(
        self, calls: SequenceABC[OutputFunctionCallItem]
    ) -> list[ToolExecution]:
        """Run the calls concurrently; record them in call order once all are done."""
        outcomes = await run_concurrently(self, calls)
        self._record_outcomes(outcomes)
        return [o for o in outcomes if isinstance(o, ToolExecution)]

    def result(self) -> ToolRunResult:
        params = {k: v for k, v in self.params.items() if k != "tools"}
        state = ToolRunState(
            items=list(self.items),
            responses=list(self.responses),
            usage=self.usage,
            params=params,
            start=self.start,
            awaiting=list(self.awaiting),
        )
        return ToolRunResult(
            response=self.responses[-1],
            responses=list(self.responses),
            items=list(self.items),
            executions=list(self.executions),
            usage=self.usage,
            new_items=list(self.items[self.start :]),
            stop_reason=self.stop_reason,
            pending_approvals=list(self.awaiting),
            state=state,
        )

    def check_sync_tools(self) -> None:
        """An async tool in a sync run needs its own event loop, which a running one forbids."""
        import asyncio

        if any(t.is_async for t in self.registry.values()):
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return
            raise RuntimeError(
                "run_tools() with async tools was called inside a running event loop; "
                "use run_tools_async()"
            )


async def run_concurrently(
    run: ToolRun, calls: SequenceABC[OutputFunctionCallItem]
) -> list[ToolExecution | ToolCallError]:
    """Every call's outcome, in call order; at most ``run.max_concurrency`` run at once
    (async tools awaited, sync tools in worker threads)."""
    import anyio

    results: list[ToolExecution | ToolCallError | None] = [None] * len(calls)
    limiter = anyio.CapacityLimiter(run.max_concurrency)

    async def one(index: int, call: OutputFunctionCallItem) -> None:
        async with limiter:
            results[index] = await run.outcome_async(call)

    async with anyio.create_task_group() as group:
        for index, call in enumerate(calls):
            group.start_soon(one, index, call)
    return [r for r in results if r is not None]
