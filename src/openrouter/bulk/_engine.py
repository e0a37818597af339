"""The bulk engine: one asyncio loop that starts requests while the concurrency limit and the
cost budget allow, and yields each result as it completes.

``BulkRunAsync`` is the engine. ``BulkRun`` (sync) runs that same engine on a private event loop
in a worker thread; its requests go through the client's sync ``send`` on a thread pool sized
to the concurrency, so the caller's client and connection pool are used as they are.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import queue
import threading
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from openrouter._wire._retry import RETRY_LISTENER
from openrouter.bulk._core import (
    AdaptiveConcurrency,
    BulkResult,
    BulkSummary,
    CostBudget,
    Tally,
    error_record,
    split_request,
)

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

__all__ = ["BulkRun", "BulkRunAsync", "Requests"]

Requests = Iterable[Mapping[str, Any]] | AsyncIterable[Mapping[str, Any]]
SendAsync = Callable[..., Awaitable[Any]]
_END = object()


class BulkRunAsync:
    """An async iterator of ``BulkResult``, one per request, in completion order.

    At most ``concurrency`` requests are in flight (fewer while rate limited); the input is
    read only as requests start. ``stop()`` starts no new request and lets the ones in flight
    finish; closing the iterator (``aclose``, ``async with``, ``break`` then garbage
    collection) cancels them.
    """

    def __init__(
        self,
        send_async: SendAsync,
        requests: Requests,
        *,
        concurrency: int = 16,
        max_cost_usd: float | None = None,
        cost_estimate_usd: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send_async
        self._source: Any = (
            aiter(requests) if isinstance(requests, AsyncIterable) else iter(requests)
        )
        self._limit = AdaptiveConcurrency(concurrency)
        self._budget = CostBudget(max_cost_usd, cost_estimate_usd)
        self._clock = clock
        self.tally = Tally()
        self.stopped_by: str | None = None
        self._stopping = False
        self._exhausted = False
        self._in_flight = 0
        self._started_at: float | None = None
        self._ended_at: float | None = None
        self._results: AsyncIterator[BulkResult] | None = None

    # -- control and state, safe to read from another thread

    def stop(self) -> None:
        """Start no new request; those in flight finish and are still yielded."""
        if not self._stopping:
            self._stopping = True
            self.stopped_by = self.stopped_by or "stopped"

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def concurrency_limit(self) -> int:
        """The current adaptive limit (the bound, halved on rate limits)."""
        return self._limit.limit

    @property
    def elapsed_s(self) -> float:
        if self._started_at is None:
            return 0.0
        end = self._ended_at if self._ended_at is not None else self._clock()
        return end - self._started_at

    def summary(self) -> BulkSummary:
        return self.tally.summary(self.elapsed_s, self.stopped_by)

    # -- iteration

    def __aiter__(self) -> AsyncIterator[BulkResult]:
        if self._results is None:
            self._results = self._run()
        return self._results

    async def __anext__(self) -> BulkResult:
        return await self.__aiter__().__anext__()

    async def aclose(self) -> None:
        results = self._results
        if results is not None:
            await results.aclose()  # type: ignore[attr-defined]

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _pull(self) -> Any:
        if isinstance(self._source, AsyncIterator):
            try:
                return await anext(self._source)
            except StopAsyncIteration:
                return _END
        return next(self._source, _END)

    async def _run(self) -> AsyncIterator[BulkResult]:
        clock, limit, budget = self._clock, self._limit, self._budget
        pending: set[asyncio.Task[BulkResult]] = set()
        held: tuple[str, dict[str, Any]] | None = None  # taken from the input, not yet started
        index = 0
        self._started_at = clock()
        try:
            while True:
                while not self._stopping and limit.can_start(len(pending), clock()):
                    if held is None:
                        if self._exhausted:
                            break
                        item = await self._pull()
                        if item is _END:
                            self._exhausted = True
                            break
                        index += 1
                        held = split_request(item, index)
                    if not budget.can_start(len(pending)):
                        if pending:
                            break  # a completion may lower the estimate: wait for one
                        # Nothing in flight and still unaffordable: the cap ends the run.
                        self._stopping, self.stopped_by = True, "cost_cap"
                        break
                    pending.add(asyncio.create_task(self._one(*held)))
                    held = None
                    self._in_flight = len(pending)
                if held is not None and self._stopping:
                    capped = self.stopped_by == "cost_cap"
                    skipped = BulkResult(held[0], "skipped_cost_cap" if capped else "not_started")
                    held = None
                    self.tally.add(skipped)
                    yield skipped
                if not pending:
                    if self._stopping or self._exhausted:
                        break
                    # Paused by a Retry-After: sleep in slices so that stop() is seen soon.
                    await asyncio.sleep(min(0.1, max(0.0, limit.paused_until - clock())))
                    continue
                timeout = None
                if limit.paused_until > clock() and not self._stopping:
                    timeout = limit.paused_until - clock()
                done, pending = await asyncio.wait(
                    pending, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                self._in_flight = len(pending)
                for task in done:
                    result = task.result()
                    budget.add(result.cost)
                    if result.ok:
                        limit.succeeded()
                    self.tally.add(result)
                    yield result
        finally:
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
            self._in_flight = 0
            self._ended_at = clock()

    async def _one(self, custom_id: str, params: dict[str, Any]) -> BulkResult:
        clock, limit = self._clock, self._limit
        loop = asyncio.get_running_loop()
        started = clock()
        retries = 0

        def count(status: int | None, retry_after: float | None) -> None:
            nonlocal retries
            retries += 1
            if status == 429:
                limit.rate_limited(started, clock(), retry_after)

        def on_retry(status: int | None, retry_after: float | None) -> None:
            # A sync send calls this from its worker thread: hand it to the loop's thread.
            loop.call_soon_threadsafe(count, status, retry_after)

        RETRY_LISTENER.set(on_retry)  # this task's own context: only its requests report here
        try:
            response = await self._send(**params)
        except Exception as exc:
            from openrouter import errors

            if isinstance(exc, errors.TooManyRequestsResponseError):
                limit.rate_limited(started, clock(), exc.retry_after)
            return BulkResult(
                custom_id,
                "failed",
                error=error_record(exc),
                exception=exc,
                attempts=retries + 1,
                latency_s=clock() - started,
            )
        from openrouter.usage import Usage

        usage = Usage.of(response)
        return BulkResult(
            custom_id,
            "ok",
            response=response,
            usage=usage,
            cost=usage.cost if usage.requests_with_cost else None,
            attempts=retries + 1,
            latency_s=clock() - started,
        )


class _Done:
    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class BulkRun:
    """The sync form of ``BulkRunAsync``: an iterator of ``BulkResult`` in completion order.

    Use it in a ``with`` block (or call ``close()``) when you may stop iterating early: closing
    abandons the requests in flight. ``stop()`` (from any thread, e.g. a signal handler) starts
    no new request and lets iteration yield the ones in flight, then end.
    """

    def __init__(
        self,
        send: Callable[..., Any],
        requests: Iterable[Mapping[str, Any]],
        *,
        concurrency: int = 16,
        max_cost_usd: float | None = None,
        cost_estimate_usd: float | None = None,
    ) -> None:
        self._executor = ThreadPoolExecutor(concurrency, thread_name_prefix="openrouter-bulk")

        async def send_async(**params: Any) -> Any:
            call = functools.partial(
                contextvars.copy_context().run, functools.partial(send, **params)
            )
            return await asyncio.get_running_loop().run_in_executor(self._executor, call)

        self.engine = BulkRunAsync(
            send_async,
            requests,
            concurrency=concurrency,
            max_cost_usd=max_cost_usd,
            cost_estimate_usd=cost_estimate_usd,
        )
        self._queue: queue.Queue[BulkResult | _Done] = queue.Queue()
        self._room = threading.Semaphore(2 * concurrency)  # results not yet taken by the caller
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = threading.Event()
        self._finished = False
        self._thread = threading.Thread(target=self._pump, name="openrouter-bulk", daemon=True)
        self._thread.start()
        self._ready.wait()

    def _pump(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.current_task()
            self._ready.set()
            results = self.engine.__aiter__()
            try:
                async for result in results:
                    while not self._room.acquire(blocking=False):
                        await asyncio.sleep(0.002)  # the caller is behind: let it catch up
                    self._queue.put(result)
            finally:
                await self.engine.aclose()

        error: BaseException | None = None
        try:
            asyncio.run(main())
        except asyncio.CancelledError:
            pass
        except BaseException as exc:
            error = exc
        finally:
            self._ready.set()
            self._queue.put(_Done(error))

    def stop(self) -> None:
        self.engine.stop()

    def summary(self) -> BulkSummary:
        return self.engine.summary()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> BulkResult:
        if self._finished:
            raise StopIteration
        item = self._queue.get()
        if isinstance(item, _Done):
            self._finished = True
            self._thread.join()
            self._executor.shutdown(wait=False)
            if item.error is not None:
                raise item.error
            raise StopIteration
        self._room.release()
        return item

    def close(self) -> None:
        """Cancel the requests in flight and end the run (a finished run: nothing to do)."""
        if self._finished:
            return
        self.engine.stop()
        loop, task = self._loop, self._task
        if loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)
        while not self._finished:  # drain, so the worker is never blocked on a full queue
            try:
                next(self)
            except StopIteration:
                break
        self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
