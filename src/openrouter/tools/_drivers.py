"""The request loops of a tool run, sync and async: each reads ``ToolRun.steps()`` and does what
it asks. The sync loop runs one turn's calls in threads (at most ``max_concurrency``); the async
loop runs them as tasks (sync tools in worker threads)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from openrouter.tools._observe import observe
from openrouter.tools._run import (
    CallHook,
    Finished,
    RunCalls,
    SendRequest,
    ToolRun,
    ToolRunResult,
    run_concurrently,
)

if TYPE_CHECKING:
    from openrouter.components import OutputFunctionCallItem
    from openrouter.errors import ToolCallError
    from openrouter.tools._execution import ToolExecution
    from openrouter.tools._send import Send, SendAsync

__all__ = ["call_hook", "call_hook_async", "drive", "drive_async", "run_in_threads"]


def drive(send: Send, run: ToolRun) -> ToolRunResult:
    """The sync loop."""
    run.check_sync_tools()
    steps = run.steps()
    reply: Any = None
    observer = observe(send, run, stream=False)
    try:
        while True:
            action = steps.send(reply)
            if isinstance(action, Finished):
                if observer is not None:
                    observer.finish(action.result)
                return action.result
            if isinstance(action, SendRequest):
                if observer is None:
                    reply = send(**action.params)
                else:
                    with observer.sending():
                        reply = send(**action.params)
            elif isinstance(action, RunCalls):
                reply = list(run_in_threads(run, action.calls))
            else:
                reply = call_hook(action, run)
    except BaseException as exc:
        if observer is not None:
            observer.finish(error=exc)
        raise
    finally:
        steps.close()


async def drive_async(send_async: SendAsync, run: ToolRun) -> ToolRunResult:
    """The async loop: the calls of one reply run concurrently."""
    steps = run.steps()
    reply: Any = None
    observer = observe(send_async, run, stream=False)
    try:
        while True:
            action = steps.send(reply)
            if isinstance(action, Finished):
                if observer is not None:
                    observer.finish(action.result)
                return action.result
            if isinstance(action, SendRequest):
                if observer is None:
                    reply = await send_async(**action.params)
                else:
                    with observer.sending():
                        reply = await send_async(**action.params)
            elif isinstance(action, RunCalls):
                reply = await run_concurrently(run, action.calls)
            else:
                reply = await call_hook_async(action, run)
    except BaseException as exc:
        if observer is not None:
            observer.finish(error=exc)
        raise
    finally:
        steps.close()


def run_in_threads(
    run: ToolRun, calls: list[OutputFunctionCallItem]
) -> Iterator[ToolExecution | ToolCallError]:
    """Every call's outcome, in call order, each as soon as it and those before it are done.
    Calls run in threads, at most ``run.max_concurrency`` at once; a single call runs here."""
    if len(calls) == 1:
        yield run.outcome(calls[0])
        return
    pool = ThreadPoolExecutor(
        max_workers=min(len(calls), run.max_concurrency), thread_name_prefix="openrouter-tool"
    )
    finished = False
    try:
        futures: list[Future[ToolExecution | ToolCallError]] = [
            pool.submit(run.outcome, call) for call in calls
        ]
        for future in futures:
            yield future.result()
        finished = True
    finally:
        # Closed early (a stream left mid-turn, Ctrl-C): start nothing new, wait for nothing.
        pool.shutdown(wait=finished, cancel_futures=not finished)


def call_hook(action: CallHook, run: ToolRun) -> Any:
    value = action.hook(run)
    if inspect.isawaitable(value):
        if inspect.iscoroutine(value):
            value.close()
        raise TypeError("An async turn hook needs run_tools_async()")
    return value


async def call_hook_async(action: CallHook, run: ToolRun) -> Any:
    value = action.hook(run)
    if inspect.isawaitable(value):
        value = await value
    return value
