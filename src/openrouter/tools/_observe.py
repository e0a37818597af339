"""Hook points of a tool run: the run, each turn and each tool call, told to the client's hooks.

Only built when the client has hooks (``BaseClient._hooks``); otherwise the drivers skip every
call here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from openrouter._wire._hooks import ToolCallInfo, ToolRunInfo, TurnInfo

if TYPE_CHECKING:
    from openrouter._wire._hooks import HookSet
    from openrouter.components import OutputFunctionCallItem
    from openrouter.tools._run import ToolRun

__all__ = ["RunObserver", "observe"]

_R = TypeVar("_R")


def observe(send: Any, run: ToolRun, stream: bool) -> RunObserver | None:
    """An observer for ``run`` when the client behind ``send`` (a bound ``Responses.send``)
    has hooks; ``None`` otherwise."""
    client = getattr(getattr(send, "__self__", None), "_client", None)
    hooks: HookSet | None = getattr(client, "_hooks", None)
    if hooks is None:
        return None
    observer = RunObserver(hooks, run.params, stream)
    run.observer = observer
    return observer


class RunObserver:
    """Tells the hooks of the run's start and end, each turn and each tool call."""

    __slots__ = ("_turn", "hooks", "info")

    def __init__(self, hooks: HookSet, params: dict[str, Any], stream: bool) -> None:
        self.hooks = hooks
        self.info = ToolRunInfo(dict(params), stream)
        self._turn: TurnInfo | None = None
        hooks.notify("on_tool_run_start", self.info)

    @contextmanager
    def sending(self) -> Iterator[None]:
        """Around one turn's request: ends the previous turn, starts the next, and makes it
        active while the request is sent (so its span is the request's parent)."""
        number = 1 if self._turn is None else self._turn.number + 1
        self._end_turn(None)
        self._turn = turn = TurnInfo(self.info, number)
        self.hooks.notify("on_turn_start", turn)
        with self.hooks.active(turn):
            yield

    def _end_turn(self, error: BaseException | None) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.error = error
            self.hooks.notify("on_turn_end", turn)

    def finish(self, result: Any = None, error: BaseException | None = None) -> None:
        """The run ended with ``result``, or raised ``error`` (``GeneratorExit``: closed)."""
        if self.info.result is not None or self.info.error is not None:
            return
        self._end_turn(error)
        self.info.result = result
        self.info.error = error
        self.hooks.notify("on_tool_run_end", self.info)

    def _start_call(self, call: OutputFunctionCallItem) -> ToolCallInfo:
        info = ToolCallInfo(self.info, self._turn, call)
        self.hooks.notify("on_tool_call_start", info)
        return info

    def _end_call(self, info: ToolCallInfo, outcome: Any) -> None:
        if isinstance(outcome, BaseException):
            info.error = outcome
        else:
            info.execution = outcome
            info.error = getattr(outcome, "error", None)
        self.hooks.notify("on_tool_call_end", info)

    def call(self, call: OutputFunctionCallItem, run: Callable[[OutputFunctionCallItem], _R]) -> _R:
        info = self._start_call(call)
        outcome: Any = None
        try:
            with self.hooks.active(info):
                outcome = run(call)
        except BaseException as exc:
            outcome = exc
            raise
        finally:
            self._end_call(info, outcome)
        return outcome  # type: ignore[no-any-return]

    async def call_async(
        self, call: OutputFunctionCallItem, run: Callable[[OutputFunctionCallItem], Awaitable[_R]]
    ) -> _R:
        info = self._start_call(call)
        outcome: Any = None
        try:
            with self.hooks.active(info):
                outcome = await run(call)
        except BaseException as exc:
            outcome = exc
            raise
        finally:
            self._end_call(info, outcome)
        return outcome  # type: ignore[no-any-return]
