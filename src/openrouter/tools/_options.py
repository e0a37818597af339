"""The keyword options of ``run_tools`` beyond ``send``'s parameters, and how a run is built
from them (shared by ``Responses.run_tools`` and ``Conversation.run_tools``)."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence as SequenceABC
from typing import TYPE_CHECKING, Any

from openrouter.tools._run import OnToolError, ToolRun
from openrouter.tools._state import ToolRunState

if TYPE_CHECKING:
    from collections.abc import Iterable

    from openrouter._params import HelperSendParams
    from openrouter.tools._definition import ToolLike
    from openrouter.tools._run import TurnHook
    from openrouter.tools._stop import StopWhen

    class ToolRunOptions(HelperSendParams, total=False):
        """``send``'s parameters plus the options of an agent run (see ``run_tools``)."""

        stop_when: StopWhen
        context: Any
        on_turn_start: TurnHook | None
        on_turn_end: TurnHook | None
        approve: Iterable[str]
        reject: Iterable[str] | Mapping[str, str | None]
        max_concurrency: int

    class RunToolsParams(ToolRunOptions, total=False):
        """``ToolRunOptions`` plus ``resume``: a saved ``ToolRunState`` (or its JSON)."""

        resume: ToolRunState | str | bytes | Mapping[str, Any]


__all__ = ["OPTION_NAMES", "start_run"]

OPTION_NAMES = frozenset(
    {
        "stop_when",
        "context",
        "on_turn_start",
        "on_turn_end",
        "approve",
        "reject",
        "max_concurrency",
        "resume",
    }
)


def start_run(
    tools: SequenceABC[ToolLike],
    input: Any,
    *,
    max_turns: int,
    on_tool_error: OnToolError,
    params: Mapping[str, Any],
    resumable: bool = True,
) -> ToolRun:
    """A ``ToolRun`` from ``run_tools``' arguments: agent options are split from the ``send``
    parameters, and ``resume=`` restores a saved state."""
    send_params = dict(params)
    options = {k: send_params.pop(k) for k in OPTION_NAMES if k in send_params}
    resume = options.pop("resume", None)
    state: ToolRunState | None = None
    if resume is not None:
        if not resumable:
            raise TypeError("resume= is not taken here: the conversation keeps the run's history")
        if input is not None:
            raise TypeError("Pass either input= or resume=, not both")
        state = resume if isinstance(resume, ToolRunState) else ToolRunState.from_json(resume)
    elif input is None:
        raise TypeError("run_tools() needs input= (or resume= with a saved state)")
    return ToolRun(
        tools,
        input,
        max_turns=max_turns,
        on_tool_error=on_tool_error,
        params=send_params,
        state=state,
        **options,
    )
