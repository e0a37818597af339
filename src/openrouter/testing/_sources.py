"""Where answers come from: ``ReplySource``s, and which models are down.

A source picks the answer to each request that passed authentication and validation:
``ScriptedReplies`` (the ``enqueue`` queue and ``default_reply``), or a cassette's recorded
exchanges behind the queue (``QueuedFirst``). A source may also answer with an ``Answer`` that
writes the response itself, bytes as recorded or relayed.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from openrouter.testing._faults import Fault
from openrouter.testing._replies import Reply

if TYPE_CHECKING:
    from openrouter.testing._http import Exchange
    from openrouter.testing._records import RecordedRequest

__all__ = ["Answer", "ModelOutages", "QueuedFirst", "ReplySource", "RouteFaults", "ScriptedReplies"]


class Answer:
    """An answer that writes its own response (a recorded one, or an upstream's relayed as it
    arrives) instead of one rendered from a ``Reply``."""

    def send(self, exchange: Exchange) -> None:
        raise NotImplementedError


class ReplySource(Protocol):
    def next_for(self, request: RecordedRequest) -> Reply | Fault | Answer | None:
        """The answer to ``request`` (whose ``json`` is set); ``None``: the echo model's."""
        ...


class ScriptedReplies:
    """Queued answers, first in first out, then ``default_reply`` (``None``: the echo model)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Reply | Fault] = deque()
        self.default_reply: Reply | None = None

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def enqueue(self, items: Iterable[Reply | Fault | str], times: int = 1) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        converted = [Reply.text(i) if isinstance(i, str) else i for i in items]
        for item in converted:
            if not isinstance(item, (Reply, Fault)):
                raise TypeError(f"expected Reply, Fault or str, got {type(item).__name__}")
        with self._lock:
            for item in converted:
                self._queue.extend([item] * times)

    def take(self) -> Reply | Fault | None:
        """The next queued answer, if any (``default_reply`` is not consulted)."""
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def next_for(self, request: RecordedRequest) -> Reply | Fault | None:
        item = self.take()
        default = self.default_reply
        if item is None:
            return default
        if default is not None:
            # A stall with nothing to follow answers as if nothing had been queued.
            item = _then_default(item, default)
        return item

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
        self.default_reply = None


class QueuedFirst:
    """Queued answers first, then ``then``'s: a fault can be scripted into recorded traffic."""

    def __init__(self, queued: ScriptedReplies, then: ReplySource) -> None:
        self._queued = queued
        self._then = then

    def next_for(self, request: RecordedRequest) -> Reply | Fault | Answer | None:
        item = self._queued.take()
        return item if item is not None else self._then.next_for(request)


def _then_default(item: Reply | Fault, default: Reply) -> Reply | Fault:
    if not isinstance(item, Fault) or item.kind != "stall":
        return item
    then = default if item.then is None else _then_default(item.then, default)
    return item if then is item.then else replace(item, then=then)


class ModelOutages:
    """Models marked unavailable (``Emulator.fail_models``): requests fall back past them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failing: set[str] = set()

    def fail(self, models: Iterable[str] | str) -> None:
        with self._lock:
            self._failing.update([models] if isinstance(models, str) else models)

    def restore(self, models: Iterable[str] | str | None = None) -> None:
        with self._lock:
            if models is None:
                self._failing.clear()
            else:
                self._failing.difference_update([models] if isinstance(models, str) else models)

    def failing(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._failing)


class RouteFaults:
    """Faults queued per route (``Emulator.enqueue_for``), first in first out; keyed by
    ``"METHOD /path"`` as the route table writes it (``"GET /models/{author}/{slug}/endpoints"``).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Fault]] = {}

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(len(queue) for queue in self._queues.values())

    def enqueue(self, route: str, faults: Iterable[Fault], times: int = 1) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        items = list(faults)
        for item in items:
            if not isinstance(item, Fault):
                raise TypeError(f"expected Fault, got {type(item).__name__}")
        with self._lock:
            queue = self._queues.setdefault(route, deque())
            for item in items:
                queue.extend([item] * times)

    def take(self, route: str) -> Fault | None:
        with self._lock:
            queue = self._queues.get(route)
            return queue.popleft() if queue else None

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()
