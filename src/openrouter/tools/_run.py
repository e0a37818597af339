"""The state of one tool run, without I/O: what to send next, which calls to run, how their
outputs go back into the history. The sync, async and streaming drivers all share it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import pydantic
import pydantic_core

from openrouter.components import (
    EasyInputMessage,
    FunctionCallOutputItem,
    InputFile,
    InputImage,
    InputText,
    OpenResponsesResult,
    OutputFunctionCallItem,
)
from openrouter.errors import (
    MaxTurnsExceededError,
    ToolCallError,
    ToolRunIncompleteError,
    incomplete_reason,
    raise_if_failed,
)
from openrouter.tools._definition import ArgumentsError, Tool, ToolLike, item_field, split_tools
from openrouter.usage import Usage

if TYPE_CHECKING:
    from typing import TypeAlias

__all__ = [
    "OnToolError",
    "ToolExecution",
    "ToolRun",
    "ToolRunResult",
    "as_items",
    "unanswered_calls",
]

OnToolError: TypeAlias = (
    Literal["send", "raise"] | Callable[[OutputFunctionCallItem, Exception], str]
)
"""What to do when a tool raises or gets invalid arguments: ``"send"`` the error text to the
model (it can retry or explain), ``"raise"`` ``ToolCallError``, or a function that returns the
text to send."""

_Part = (InputText, InputImage, InputFile)


@dataclass(frozen=True)
class ToolExecution:
    """One function call run by the loop: the ``call`` item, the ``output`` sent back, the
    tool's return ``value`` and, if it failed, the ``error``.

    Streams of tool runs yield these between turns (``type == "tool.execution"``).
    """

    type: ClassVar[str] = "tool.execution"

    call: OutputFunctionCallItem
    output: str | list[InputText | InputImage | InputFile]
    value: Any = None
    error: Exception | None = None

    @property
    def name(self) -> str:
        return self.call.name

    @property
    def call_id(self) -> str:
        return self.call.call_id

    @property
    def arguments(self) -> str:
        return self.call.arguments

    @property
    def ok(self) -> bool:
        return self.error is None

    def output_item(self) -> FunctionCallOutputItem:
        """The ``function_call_output`` item sent for this call."""
        return FunctionCallOutputItem(call_id=self.call.call_id, output=self.output)


@dataclass
class ToolRunResult:
    """The outcome of a tool run.

    ``response`` is the final answer, ``responses`` every response (one per turn), ``items``
    the whole history (the input, every output item, every ``function_call_output``; send it
    as ``input`` to go on), ``executions`` every tool call run, ``usage`` the total over all
    turns.
    """

    response: OpenResponsesResult
    responses: list[OpenResponsesResult]
    items: list[Any]
    executions: list[ToolExecution]
    usage: Usage
    new_items: list[Any] = field(default_factory=list)
    """The items added by the run (everything after the input)."""

    @property
    def output_text(self) -> str:
        return self.response.output_text


def _to_output(value: Any) -> str | list[InputText | InputImage | InputFile]:
    if isinstance(value, str):
        return value
    if isinstance(value, _Part):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, _Part) for v in value):
        return list(value)
    return pydantic_core.to_json(value, fallback=str).decode()


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


def _error_text(call: OutputFunctionCallItem, exc: Exception) -> str:
    if isinstance(exc, ArgumentsError):
        return f"Error: {exc}"
    return f"Error: tool {call.name!r} raised {type(exc).__name__}: {exc}"


class ToolRun:
    """The state of one tool run, without I/O: the sync, async and streaming drivers share it.

    Exposed for building your own driver: ``request()`` gives the ``send`` keyword arguments,
    ``accept(response)`` records a response and returns the calls to run (``None`` when the
    model has answered), ``execute``/``execute_async`` run calls, ``result()`` the outcome.
    """

    def __init__(
        self,
        tools: SequenceABC[ToolLike],
        input: Any,
        *,
        max_turns: int = 10,
        on_tool_error: OnToolError = "send",
        params: Mapping[str, Any] | None = None,
    ) -> None:
        if max_turns < 1:
            raise ValueError("max_turns must be at least 1")
        if on_tool_error not in ("send", "raise") and not callable(on_tool_error):
            raise ValueError("on_tool_error must be 'send', 'raise' or a function")
        self.registry, definitions = split_tools(tools)
        missing = [t.name for t in self.registry.values() if t.fn is None]
        if missing:
            raise TypeError(f"These tools have no function to run: {', '.join(missing)}")
        self.max_turns = max_turns
        self.on_tool_error = on_tool_error
        self.params = dict(params or {})
        if definitions:
            self.params["tools"] = definitions
        self.items = as_items(input)
        self.start = len(self.items)
        self.responses: list[OpenResponsesResult] = []
        self.executions: list[ToolExecution] = []
        self.usage = Usage()

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
        raise_if_failed(response)
        self.responses.append(response)
        self.usage = self.usage + Usage.of(response)
        self.items.extend(response.output)
        if response.status == "incomplete":
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
            names = ", ".join(c.name for c in calls)
            raise MaxTurnsExceededError(
                f"The model still called tools ({names}) after max_turns={self.max_turns} "
                "requests; those calls were not run",
                max_turns=self.max_turns,
                pending_calls=calls,
                **self._state(),
            )
        return calls

    # -- executing -------------------------------------------------------------------------

    def _failed(self, call: OutputFunctionCallItem, exc: Exception) -> ToolExecution:
        handler = self.on_tool_error
        if handler == "raise":
            raise ToolCallError(
                f"Tool {call.name!r} failed: {type(exc).__name__}: {exc}",
                call=call,
                **self._state(),
            ) from exc
        text = handler(call, exc) if callable(handler) else _error_text(call, exc)
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
        found = self._lookup(call)
        if isinstance(found, ToolExecution):
            return found
        try:
            value = found.run(found.checked_arguments(call))
        except Exception as exc:
            return self._failed(call, exc)
        return ToolExecution(call=call, output=_to_output(value), value=value)

    async def execute_one_async(self, call: OutputFunctionCallItem) -> ToolExecution:
        found = self._lookup(call)
        if isinstance(found, ToolExecution):
            return found
        try:
            value = await found.arun(found.checked_arguments(call))
        except Exception as exc:
            return self._failed(call, exc)
        return ToolExecution(call=call, output=_to_output(value), value=value)

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
        import anyio

        results: list[ToolExecution | None] = [None] * len(calls)
        failure: list[ToolCallError] = []

        async def run(index: int, call: OutputFunctionCallItem) -> None:
            try:
                results[index] = await self.execute_one_async(call)
            except ToolCallError as exc:  # on_tool_error="raise": let the others finish
                failure.append(exc)

        async with anyio.create_task_group() as group:
            for index, call in enumerate(calls):
                group.start_soon(run, index, call)
        done = [r for r in results if r is not None]
        for execution in done:
            self.record(execution)
        if failure:
            error = failure[0]
            # Raised inside a task, before the other calls were recorded: bring it up to date.
            for key, value in self._state().items():
                setattr(error, key, value)
            raise error
        return done

    def result(self) -> ToolRunResult:
        return ToolRunResult(
            response=self.responses[-1],
            responses=list(self.responses),
            items=list(self.items),
            executions=list(self.executions),
            usage=self.usage,
            new_items=list(self.items[self.start :]),
        )

    def check_sync_tools(self) -> None:
        """An async tool in a sync run needs its own event loop, which a running one forbids."""
        if any(t.is_async for t in self.registry.values()):
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return
            raise RuntimeError(
                "run_tools() with async tools was called inside a running event loop; "
                "use run_tools_async()"
            )
