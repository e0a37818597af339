"""Stop conditions of a tool run: ``run_tools(..., stop_when=[...])``.

A condition is any callable that takes the run (a ``ToolRun``: ``turn``, ``response``,
``calls``, ``usage``, ``items``, ``executions``, ``context`` ...) and returns whether to stop;
it is asked after every turn that called tools, once those calls have run, and the run then
ends without sending the next request. A condition may return a string instead of ``True``:
that string becomes the result's ``stop_reason``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openrouter.components import OutputFunctionCallItem

if TYPE_CHECKING:
    from typing import TypeAlias

    from openrouter.components import OpenResponsesResult
    from openrouter.tools._run import ToolRun

__all__ = [
    "StopCondition",
    "StopWhen",
    "finish_reason",
    "finish_reason_is",
    "has_tool_call",
    "max_cost",
    "max_tokens_used",
    "step_count_is",
]

StopCondition: TypeAlias = Callable[["ToolRun"], object]
"""A stop condition: called with the run, stops it when the result is true (a string result is
also the ``stop_reason``)."""

StopWhen: TypeAlias = StopCondition | Iterable[StopCondition]
"""What ``stop_when=`` takes: one condition or several (any one that fires stops the run)."""


@dataclass(frozen=True)
class Condition:
    """A named stop condition (the built-ins): ``str(condition)`` is its ``stop_reason``."""

    description: str
    check: Callable[[ToolRun], bool]

    def __call__(self, run: ToolRun) -> bool:
        return self.check(run)

    def __str__(self) -> str:
        return self.description


def step_count_is(n: int) -> Condition:
    """Stop once ``n`` requests (turns) have been made."""
    if n < 1:
        raise ValueError("step_count_is(n) needs n >= 1")
    return Condition(f"step_count_is({n})", lambda run: run.turn >= n)


def max_cost(usd: float) -> Condition:
    """Stop once the run's summed ``usage.cost`` reaches ``usd`` dollars (checked after each
    turn, so the turn that crosses the budget is the last one)."""
    return Condition(f"max_cost({usd:g})", lambda run: run.usage.cost >= usd)


def max_tokens_used(n: int) -> Condition:
    """Stop once the run's summed ``usage.total_tokens`` reaches ``n``."""
    return Condition(f"max_tokens_used({n})", lambda run: run.usage.total_tokens >= n)


def has_tool_call(*names: str) -> Condition:
    """Stop after a turn in which the model called one of these tools (the call still runs)."""
    if not names:
        raise ValueError("has_tool_call() needs at least one tool name")
    wanted = frozenset(names)
    label = ", ".join(repr(n) for n in names)
    return Condition(
        f"has_tool_call({label})", lambda run: any(c.name in wanted for c in run.calls)
    )


def finish_reason_is(*reasons: str) -> Condition:
    """Stop after a turn that ended for one of these reasons (see ``finish_reason``). An
    incomplete turn that matches ends the run instead of raising ``ToolRunIncompleteError``
    (its calls, possibly cut off, are not run)."""
    if not reasons:
        raise ValueError("finish_reason_is() needs at least one reason")
    wanted = frozenset(reasons)
    label = ", ".join(repr(r) for r in reasons)
    return Condition(
        f"finish_reason_is({label})",
        lambda run: run.response is not None and finish_reason(run.response) in wanted,
    )


def finish_reason(response: OpenResponsesResult) -> str:
    """Why a response ended, in the usual words: ``"tool_calls"`` (it called functions),
    ``"length"`` (cut off by ``max_output_tokens``), another incomplete reason as given
    (``"content_filter"``), ``"failed"``, or ``"stop"`` (it answered)."""
    if response.status == "failed":
        return "failed"
    if response.status == "incomplete":
        details = response.incomplete_details
        reason = getattr(details, "reason", None) if details is not None else None
        if reason in (None, "max_output_tokens"):
            return "length"
        return str(reason)
    if any(isinstance(item, OutputFunctionCallItem) for item in response.output):
        return "tool_calls"
    return "stop"


def as_conditions(stop_when: StopWhen | None) -> tuple[StopCondition, ...]:
    if stop_when is None:
        return ()
    if callable(stop_when):
        return (stop_when,)
    conditions = tuple(stop_when)
    for condition in conditions:
        if not callable(condition):
            raise TypeError(f"stop_when takes callables, got {type(condition).__name__}")
    return conditions


def first_stop(conditions: Iterable[StopCondition], run: ToolRun) -> str | None:
    """The ``stop_reason`` of the first condition that fires, or ``None``."""
    for condition in conditions:
        fired: Any = condition(run)
        if not fired:
            continue
        if isinstance(fired, str):
            return fired
        if isinstance(condition, Condition):
            return str(condition)
        return str(getattr(condition, "__name__", None) or repr(condition))
    return None
