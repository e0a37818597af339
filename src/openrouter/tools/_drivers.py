"""The request loops of a tool run, sync and async, over the shared ``ToolRun`` state."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openrouter.tools._run import ToolRun, ToolRunResult
    from openrouter.tools._send import Send, SendAsync

__all__ = ["drive", "drive_async"]


def drive(send: Send, run: ToolRun) -> ToolRunResult:
    """The sync loop."""
    run.check_sync_tools()
    for _ in run.execute(run.pending()):
        pass
    while True:
        calls = run.accept(send(**run.request()))
        if calls is None:
            return run.result()
        for _ in run.execute(calls):
            pass


async def drive_async(send_async: SendAsync, run: ToolRun) -> ToolRunResult:
    """The async loop: the calls of one reply run concurrently."""
    pending = run.pending()
    if pending:
        await run.execute_async(pending)
    while True:
        calls = run.accept(await send_async(**run.request()))
        if calls is None:
            return run.result()
        await run.execute_async(calls)
